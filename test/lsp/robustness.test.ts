// The server stays up whatever the client sends: garbage bytes, bad Content-Length
// headers, invalid JSON, unknown methods and documents, positions past the end, a 10 MB
// file, edits faster than checks. After each, it must still answer a hover.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hover } from 'vscode-languageserver-protocol';
import { LspClient, REPO, codes, ensureServerBuilt, fixtureFile } from './helpers';
import { generateScenario } from '../../bench/lsp';

const uri = 'file:///robust.lifetime';
const text = fixtureFile('unplug-deadlock.lifetime');
const unplugLine = text.split('\n').findIndex((l) => l.trim().startsWith('unplug card0'));

const c = new LspClient();

async function stillAnswers(): Promise<void> {
  const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: unplugLine, character: 3 } });
  expect((h!.contents as { value: string }).value).toContain('drm_dev_unplug');
  expect(c.exited).toBeUndefined();
}

function raw(s: string | Buffer): void {
  c.child.stdin.write(s);
}

function frame(body: string, length = Buffer.byteLength(body)): string {
  return `Content-Length: ${length}\r\n\r\n${body}`;
}

beforeAll(async () => {
  ensureServerBuilt();
  await c.initialize();
  await c.open(uri, text);
  await c.forVersion(uri, 1);
});

afterAll(async () => {
  expect(await c.shutdown()).toBe(0);
});

describe('malformed JSON-RPC', () => {
  it('skips garbage bytes between messages', async () => {
    raw('garbage that is not a header\r\n\r\n');
    raw(Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10]));
    raw('more garbage without any line break');
    await stillAnswers();
  });

  it('skips a header whose Content-Length is not a number, or is missing', async () => {
    raw('Content-Length: abc\r\n\r\n{"jsonrpc":"2.0","method":"x"}');
    raw('Content-Type: application/vscode-jsonrpc\r\n\r\n{"jsonrpc":"2.0","method":"y"}');
    await stillAnswers();
  });

  it('survives a Content-Length shorter than the body', async () => {
    raw(frame('{"jsonrpc":"2.0","id":9001,"method":"textDocument/hover","params":{}}', 10));
    await stillAnswers();
  });

  it('survives a Content-Length longer than the body, re-syncing at the next message', async () => {
    raw(frame('{"jsonrpc":"2.0","method":"$/noSuchNotification"}', 100_000));
    await stillAnswers();
  });

  it('skips an invalid JSON body and a JSON body that is not a message', async () => {
    raw(frame('{"jsonrpc": "2.0", "id": 1, "method": '));
    raw(frame('[1, 2, 3]'));
    raw(frame('"just a string"'));
    raw(frame('{"neither":"request nor notification"}'));
    await stillAnswers();
  });

  it('answers an unknown method with MethodNotFound, and bad params with an error', async () => {
    await expect(c.request('lifetime/noSuchMethod', {})).rejects.toMatchObject({ code: -32601 });
    await expect(c.request('textDocument/hover', {})).rejects.toBeDefined();
    await expect(c.request('textDocument/rename', { textDocument: { uri }, position: { line: 0, character: 0 } })).rejects.toBeDefined();
    await stillAnswers();
  });
});

describe('unknown documents and positions', () => {
  const ghost = { textDocument: { uri: 'file:///never-opened.lifetime' }, position: { line: 0, character: 0 } };
  const range = { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } };

  it('answers requests on a document that was never opened with nothing', async () => {
    expect(await c.request('textDocument/hover', ghost)).toBeNull();
    expect(await c.request('textDocument/completion', ghost)).toEqual([]);
    expect(await c.request('textDocument/definition', ghost)).toBeNull();
    expect(await c.request('textDocument/references', { ...ghost, context: { includeDeclaration: true } })).toEqual([]);
    expect(await c.request('textDocument/documentSymbol', { textDocument: ghost.textDocument })).toEqual([]);
    expect(await c.request('textDocument/semanticTokens/full', { textDocument: ghost.textDocument })).toEqual({ data: [] });
    expect(await c.request('textDocument/foldingRange', { textDocument: ghost.textDocument })).toEqual([]);
    expect(await c.request('textDocument/formatting', { textDocument: ghost.textDocument, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
    expect(await c.request('textDocument/codeLens', { textDocument: ghost.textDocument })).toEqual([]);
    expect(await c.request('textDocument/codeAction', { textDocument: ghost.textDocument, range, context: { diagnostics: [] } })).toEqual([]);
    expect(await c.request('textDocument/inlayHint', { textDocument: ghost.textDocument, range })).toEqual([]);
    expect(await c.request('textDocument/prepareRename', ghost)).toBeNull();
    // Changes to and closes of unknown documents are ignored.
    await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri: 'file:///never-opened.lifetime', version: 2 }, contentChanges: [{ text: 'x' }] });
    await c.conn.sendNotification('textDocument/didClose', { textDocument: { uri: 'file:///never-opened.lifetime' } });
    await stillAnswers();
  });

  it('answers positions past the end of the document', async () => {
    const far = { textDocument: { uri }, position: { line: 100_000, character: 100_000 } };
    expect(await c.request('textDocument/hover', far)).toBeNull();
    expect(Array.isArray(await c.request('textDocument/completion', far))).toBe(true);
    expect(await c.request('textDocument/definition', far)).toBeNull();
    expect(await c.request('textDocument/references', { ...far, context: { includeDeclaration: true } })).toEqual([]);
    await expect(c.request('textDocument/prepareRename', far)).rejects.toThrow(/Nothing to rename/);
    const neg = { textDocument: { uri }, position: { line: -5, character: -5 } };
    await c.request('textDocument/hover', neg).catch(() => undefined);
    await stillAnswers();
  });
});

describe('size and speed', () => {
  it('refuses to analyse a 10 MB file with one clear diagnostic, and recovers when it shrinks', async () => {
    const big = 'file:///big.lifetime';
    const line = '// ' + 'x'.repeat(96) + '\n';
    const huge = line.repeat(Math.ceil((10 * 1024 * 1024) / line.length));
    await c.open(big, huge);
    const p = await c.forVersion(big, 1, undefined, 30_000);
    expect(codes(p.diagnostics)).toEqual(['too-large']);
    expect(p.diagnostics[0]!.message).toMatch(/too large/);
    expect(await c.request('textDocument/hover', { textDocument: { uri: big }, position: { line: 3, character: 3 } })).toBeNull();
    expect(await c.request('textDocument/formatting', { textDocument: { uri: big }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
    await stillAnswers();
    const v = await c.change(big, [{ text: 'module nova\nmodule nova\n' }]);
    const small = await c.forVersion(big, v, undefined, 30_000);
    expect(codes(small.diagnostics).filter((x) => x === 'duplicate-name')).toHaveLength(2);
    expect(codes(small.diagnostics)).not.toContain('too-large');
    await c.close(big);
  });

  it('answers another document while a 10 MB one is read, and applies what follows the large one in order', async () => {
    const big = 'file:///big-ordered.lifetime';
    const logged = c.stderr.length;
    const line = '// ' + 'x'.repeat(96) + '\n';
    // Written back to back: the open (parsed off the main thread), a change of the same
    // document, a hover on it, and a hover on another document.
    void c.open(big, line.repeat(Math.ceil((10 * 1024 * 1024) / line.length)));
    const v = c.change(big, [{ text: text }]);
    const onBig = c.request<Hover | null>('textDocument/hover', { textDocument: { uri: big }, position: { line: unplugLine, character: 3 } });
    await stillAnswers();
    expect((await onBig)!.contents).toMatchObject({ value: expect.stringContaining('drm_dev_unplug') });
    const p = await c.forVersion(big, await v, undefined, 30_000);
    expect(codes(p.diagnostics)).not.toContain('too-large');
    expect(c.stderr.slice(logged).join('')).not.toMatch(/internal error|not valid JSON|worker/);
    await c.close(big);
  });

  it('takes rapid edits while a check of a large file runs, and publishes only the last version', async () => {
    const u = 'file:///rapid.lifetime';
    const t = generateScenario(20_000);
    await c.open(u, t);
    let v = 1;
    for (let i = 0; i < 20; i++) {
      v = await c.change(u, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: `// edit ${i}\n` }]);
    }
    await stillAnswers();
    const last = await c.forVersion(u, v, undefined, 30_000);
    expect(last.diagnostics.filter((d) => d.severity === 1)).toEqual([]);
    const versions = c.published.filter((p) => p.uri === u).map((p) => p.version!);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(versions.length).toBeLessThan(10);
    await c.close(u);
  });
});

describe('a client that closed the server\'s stderr', () => {
  it('keeps serving and does not spin on the write errors of its reports', async () => {
    const c2 = new LspClient();
    c2.child.stderr.destroy();
    await c2.initialize();
    await c2.open(uri, text);
    // Problems the server reports on stderr, which is now a broken pipe.
    c2.child.stdin.write('garbage\r\n\r\nContent-Length: abc\r\n\r\n{}');
    const h = await c2.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: unplugLine, character: 3 } });
    expect((h!.contents as { value: string }).value).toContain('drm_dev_unplug');
    const stat = `/proc/${c2.child.pid}/stat`;
    if (existsSync(stat)) {
      const cpu = () => readFileSync(stat, 'utf8').split(') ')[1]!.split(' ').slice(11, 13).reduce((a, b) => a + Number(b), 0);
      const before = cpu();
      await new Promise((r) => setTimeout(r, 1_000));
      // Idle: well under a fifth of a CPU second in that second.
      expect(cpu() - before).toBeLessThan(20);
    }
    expect(await c2.shutdown()).toBe(0);
  });
});

describe('large documents (checked in the worker)', () => {
  it('publishes the same diagnostics for a 50,000-line file as for the same errors in a small one, and follows its edits', async () => {
    const u = 'file:///large.lifetime';
    const t = generateScenario(50_000).replace('  get card0\n', '  get cardX\n');
    expect(t.length).toBeGreaterThan(512 * 1024);
    await c.open(u, t);
    const first = await c.forVersion(u, 1, undefined, 60_000);
    const line = t.split('\n').findIndex((l) => l === '  get cardX');
    expect(first.diagnostics.filter((d) => d.severity === 1).map((d) => [d.code, d.range.start.line])).toEqual([['unknown-name', line]]);
    await stillAnswers();
    // A syntax error in one thread, then fixed: only the newest version is published last.
    const v2 = await c.change(u, [{ range: { start: { line, character: 0 }, end: { line, character: 11 } }, text: '  get' }]);
    const second = await c.forVersion(u, v2, undefined, 60_000);
    // Exactly what `lifetime check` says of the same text.
    const broken = t.split('\n');
    broken[line] = '  get';
    const dir = mkdtempSync(join(tmpdir(), 'lsp-large-'));
    writeFileSync(join(dir, 'large.lifetime'), broken.join('\n'));
    const cli = spawnSync(process.execPath, [join(REPO, 'bin/lifetime.js'), 'check', '--json', join(dir, 'large.lifetime')], { encoding: 'utf8' });
    rmSync(dir, { recursive: true });
    const checked = (JSON.parse(cli.stdout) as { files: { diagnostics: { code: string; line: number; column: number; message: string }[] }[] }).files[0]!.diagnostics;
    expect(codes(second.diagnostics)).toContain('syntax');
    expect(second.diagnostics.map((d) => [d.code, d.range.start.line + 1, d.range.start.character + 1, d.message])).toEqual(checked.map((d) => [d.code, d.line, d.column, d.message]));
    const v3 = await c.change(u, [{ range: { start: { line, character: 0 }, end: { line, character: 5 } }, text: '  get card0' }]);
    const third = await c.forVersion(u, v3, undefined, 60_000);
    expect(third.diagnostics.filter((d) => d.severity === 1)).toEqual([]);
    await c.close(u);
  });
});

describe('a large document during an edit storm', () => {
  it('answers from its last analysis, with positions mapped through the edits made since', async () => {
    const u = 'file:///storm.lifetime';
    const t = generateScenario(50_000);
    await c.open(u, t);
    await c.forVersion(u, 1, undefined, 60_000);
    const lines = t.split('\n');
    const getLine = lines.findIndex((l) => l === '  get card0');
    const at = { textDocument: { uri: u }, position: { line: getLine, character: 3 } };
    const first = await c.request<Hover | null>('textDocument/hover', at);
    expect((first!.contents as { value: string }).value).toContain('**get**');
    // 30 edits: comment lines added at the top, and a name changed below.
    for (let i = 0; i < 30; i++) await c.change(u, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: `// ${i}\n` }]);
    const moved = { textDocument: { uri: u }, position: { line: getLine + 30, character: 3 } };
    const h = await c.request<Hover | null>('textDocument/hover', moved);
    expect((h!.contents as { value: string }).value).toContain('**get**');
    expect(h!.range).toEqual({ start: { line: getLine + 30, character: 2 }, end: { line: getLine + 30, character: 5 } });
    const refs = await c.request<{ range: { start: { line: number } } }[]>('textDocument/documentHighlight', { textDocument: { uri: u }, position: { line: getLine + 30, character: 7 } });
    expect(refs.map((r) => r.range.start.line)).toContain(getLine + 30);
    const declLine = lines.findIndex((l) => l.startsWith('drm card0')) + 30;
    expect(refs.map((r) => r.range.start.line)).toContain(declLine);
    await c.close(u);
  });
});
