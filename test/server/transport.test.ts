// The message reader hands large bodies to a parser off the main thread and goes on
// reading: a message on another document is dispatched at once, one on the same document
// (or on none) waits, so every document sees its messages in the order they were sent.
// The parser here is one the test resolves by hand; the real worker is used over stdio in
// test/lsp/robustness.test.ts.

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BodyParser, ParsedBody } from '../../server/jsonWorker';
import { LARGE_BODY, TolerantMessageReader, documentOfPrefix } from '../../server/transport';

class HandParser implements BodyParser {
  readonly bodies: { text: string; resolve: (r: ParsedBody) => void }[] = [];
  parse(chunks: Uint8Array[]): Promise<ParsedBody> {
    const text = Buffer.concat(chunks).toString('utf8');
    return new Promise((resolve) => this.bodies.push({ text, resolve }));
  }
  /** parses body `i` as the worker would */
  finish(i: number): void {
    const b = this.bodies[i]!;
    try {
      b.resolve({ message: JSON.parse(b.text) });
    } catch (e) {
      b.resolve({ error: (e as Error).message });
    }
  }
}

function frame(m: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(m), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

const didOpen = (uri: string, text: string) => ({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'lifetime', version: 1, text } } });
const hover = (id: number, uri: string) => ({ jsonrpc: '2.0', id, method: 'textDocument/hover', params: { textDocument: { uri }, position: { line: 0, character: 0 } } });

function setup() {
  const input = new PassThrough();
  const parser = new HandParser();
  const problems: string[] = [];
  const reader = new TolerantMessageReader(input, (p) => problems.push(p), parser);
  const got: string[] = [];
  reader.listen((m) => {
    const x = m as { method?: string; id?: number; params?: { textDocument?: { uri?: string } } };
    got.push(`${x.method}${x.id !== undefined ? `#${x.id}` : ''} ${x.params?.textDocument?.uri ?? ''}`.trim());
  });
  /** writes the bytes in pieces, as a pipe delivers them */
  const write = (b: Buffer, piece = 65_536) => {
    for (let i = 0; i < b.length; i += piece) input.write(b.subarray(i, i + piece));
  };
  return { parser, problems, got, write, flush: () => new Promise((r) => setImmediate(r)) };
}

// Non-ASCII text, so that a chunk boundary can fall inside a character.
const BIG = 'thread t { log "é→ł" }\n'.repeat(Math.ceil((LARGE_BODY * 2) / 20));

describe('large message bodies', () => {
  it('dispatches messages on other documents while a large one is parsed, and holds those on the same document or on none', async () => {
    const { parser, got, write, flush } = setup();
    write(Buffer.concat([frame(didOpen('file:///big', BIG)), frame(hover(1, 'file:///small')), frame(hover(2, 'file:///big')), frame({ jsonrpc: '2.0', id: 3, method: 'shutdown' }), frame(hover(4, 'file:///other'))]), 65_521);
    await flush();
    expect(parser.bodies).toHaveLength(1);
    // The hover on another document went on; the one on the big document and the shutdown
    // wait (and so does everything after the shutdown, whatever its document).
    expect(got).toEqual(['textDocument/hover#1 file:///small']);
    parser.finish(0);
    await flush();
    expect(got).toEqual(['textDocument/hover#1 file:///small', 'textDocument/didOpen file:///big', 'textDocument/hover#2 file:///big', 'shutdown#3', 'textDocument/hover#4 file:///other']);
  });

  it('parses the large body to the message that was sent, whatever the chunk boundaries', async () => {
    for (const piece of [1_000, 65_536, 7_777_777]) {
      const input = new PassThrough();
      const parser = new HandParser();
      const msgs: unknown[] = [];
      new TolerantMessageReader(input, () => undefined, parser).listen((m) => msgs.push(m));
      const all = Buffer.concat([frame(didOpen('file:///big', BIG)), frame(hover(5, 'file:///big'))]);
      for (let i = 0; i < all.length; i += piece) input.write(all.subarray(i, i + piece));
      await new Promise((r) => setImmediate(r));
      parser.finish(0);
      await new Promise((r) => setImmediate(r));
      expect(msgs, `pieces of ${piece}`).toEqual([didOpen('file:///big', BIG), hover(5, 'file:///big')]);
    }
  });

  it('keeps the order of two large messages on one document, and reports one that is not JSON', async () => {
    const { parser, problems, got, write, flush } = setup();
    const change = { jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri: 'file:///big', version: 2 }, contentChanges: [{ text: BIG }] } };
    const broken = Buffer.from(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///bad","text":"${'x'.repeat(LARGE_BODY)}`);
    write(Buffer.concat([frame(didOpen('file:///big', BIG)), frame(change), Buffer.from(`Content-Length: ${broken.length}\r\n\r\n`), broken, frame(hover(6, 'file:///small'))]));
    await flush();
    expect(parser.bodies).toHaveLength(3);
    expect(got).toEqual(['textDocument/hover#6 file:///small']);
    // The second finishes first: it still waits for the first.
    parser.finish(1);
    parser.finish(2);
    await flush();
    expect(got).toEqual(['textDocument/hover#6 file:///small']);
    expect(problems).toEqual([expect.stringMatching(/^message body is not valid JSON/)]);
    parser.finish(0);
    await flush();
    expect(got).toEqual(['textDocument/hover#6 file:///small', 'textDocument/didOpen file:///big', 'textDocument/didChange file:///big']);
  });

  it('re-syncs on the next message when a large body is shorter than its Content-Length', async () => {
    const { parser, problems, got, write, flush } = setup();
    const body = Buffer.from(JSON.stringify(didOpen('file:///big', BIG)));
    write(Buffer.concat([Buffer.from(`Content-Length: ${body.length + 500_000}\r\n\r\n`), body, frame(hover(7, 'file:///small'))]));
    await flush();
    expect(got).toEqual(['textDocument/hover#7 file:///small']);
    expect(problems).toEqual([expect.stringMatching(/shorter than its Content-Length/)]);
    expect(parser.bodies).toHaveLength(0);
  });

  it('finds the document of a message from the start of its text only', () => {
    const open = JSON.stringify(didOpen('file:///a%20b.lifetime', 'x'.repeat(100)));
    expect(documentOfPrefix(open.slice(0, 120))).toBe('file:///a%20b.lifetime');
    expect(documentOfPrefix(JSON.stringify({ jsonrpc: '2.0', params: { textDocument: { text: 'uri "x"', uri: 'file:///y' } } }))).toBe('file:///y');
    // Not a top-level params.textDocument.uri, or cut off before it: unknown.
    expect(documentOfPrefix(JSON.stringify({ params: { other: { uri: 'file:///z' }, items: [{ uri: 'file:///w' }] } }))).toBeUndefined();
    expect(documentOfPrefix(JSON.stringify({ params: { textDocument: { text: 'a "quoted" \\ text', uri: 'file:///q' } } }).slice(0, 40))).toBeUndefined();
    expect(documentOfPrefix(JSON.stringify({ params: { textDocument: { text: 'a "quoted" \\ text', uri: 'file:///q' } } }))).toBe('file:///q');
  });
});
