// The protocol's rules over stdio (issue 11): the lifecycle (nothing before `initialize`,
// nothing but `exit` after `shutdown`), malformed parameters answered InvalidParams, and
// malformed document notifications ignored with one log line, never a stack trace.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hover } from 'vscode-languageserver-protocol';
import { LspClient, ensureServerBuilt, fixtureFile } from './helpers';

beforeAll(() => ensureServerBuilt());

const uri = 'file:///protocol.lifetime';
const text = fixtureFile('unplug-deadlock.lifetime');
const unplugLine = text.split('\n').findIndex((l) => l.trim().startsWith('unplug card0'));
const hoverParams = { textDocument: { uri }, position: { line: unplugLine, character: 3 } };

describe('lifecycle', () => {
  it('answers requests before `initialize` with ServerNotInitialized and drops notifications', async () => {
    const c = new LspClient();
    await expect(c.request('textDocument/hover', hoverParams)).rejects.toMatchObject({ code: -32002 });
    await expect(c.request('lifetime/noSuchMethod', {})).rejects.toMatchObject({ code: -32002 });
    // Dropped: the document is not open once the server is initialized.
    await c.open(uri, text);
    await c.initialize();
    expect(await c.request('textDocument/hover', hoverParams)).toBeNull();
    await expect(c.request('initialize', { processId: null, rootUri: null, capabilities: {} })).rejects.toMatchObject({ code: -32600 });
    expect(await c.shutdown()).toBe(0);
  });

  it('answers requests after `shutdown` with InvalidRequest, and still exits on `exit`', async () => {
    const c = new LspClient();
    await c.initialize();
    await c.open(uri, text);
    const h = await c.request<Hover | null>('textDocument/hover', hoverParams);
    expect((h!.contents as { value: string }).value).toContain('drm_dev_unplug');
    await c.request('shutdown', null);
    await expect(c.request('textDocument/hover', hoverParams)).rejects.toMatchObject({ code: -32600 });
    await expect(c.request('shutdown', null)).rejects.toMatchObject({ code: -32600 });
    const exited = new Promise<number | null>((resolve) => (c.exited !== undefined ? resolve(c.exited) : c.child.on('exit', resolve)));
    await c.conn.sendNotification('exit');
    expect(await exited).toBe(0);
    c.conn.dispose();
  });
});

describe('malformed parameters', () => {
  const c = new LspClient();
  beforeAll(async () => {
    await c.initialize();
    await c.open(uri, text);
    await c.forVersion(uri, 1);
  });
  afterAll(async () => {
    expect(await c.shutdown()).toBe(0);
  });

  it('answers a null, missing or non-numeric position with InvalidParams, not an internal error', async () => {
    for (const method of ['textDocument/hover', 'textDocument/completion', 'textDocument/definition', 'textDocument/documentHighlight', 'textDocument/prepareRename']) {
      for (const position of [null, undefined, { line: 'x', character: 0 }, { line: 1.5, character: 0 }]) {
        const err = await c.request(method, { textDocument: { uri }, position }).then(
          () => undefined,
          (e: { code: number; message: string }) => e,
        );
        expect(err, `${method} ${JSON.stringify(position)}`).toMatchObject({ code: -32602 });
        expect(err!.message).not.toMatch(/TypeError|Cannot read/);
      }
    }
    await expect(c.request('textDocument/references', { textDocument: { uri }, position: null, context: { includeDeclaration: true } })).rejects.toMatchObject({ code: -32602 });
    await expect(c.request('textDocument/hover', { position: { line: 0, character: 0 } })).rejects.toMatchObject({ code: -32602 });
    await expect(c.request('textDocument/documentSymbol', {})).rejects.toMatchObject({ code: -32602 });
    await expect(c.request('textDocument/codeAction', { textDocument: { uri }, range: null, context: { diagnostics: [] } })).rejects.toMatchObject({ code: -32602 });
    await expect(c.request('textDocument/inlayHint', { textDocument: { uri }, range: { start: null } })).rejects.toMatchObject({ code: -32602 });
    await expect(c.request('textDocument/rename', { textDocument: { uri }, position: { line: 0, character: 0 }, newName: 7 })).rejects.toMatchObject({ code: -32602 });
    const h = await c.request<Hover | null>('textDocument/hover', hoverParams);
    expect((h!.contents as { value: string }).value).toContain('drm_dev_unplug');
  });

  it('ignores a didOpen without text, or with `text: 42`, with one log line and no stack trace', async () => {
    const before = c.logs.length;
    const stderrBefore = c.stderr.join('').length;
    await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: 'file:///no-text.lifetime', languageId: 'lifetime', version: 1 } });
    await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: 'file:///number.lifetime', languageId: 'lifetime', version: 1, text: 42 } });
    await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: 42 }] });
    // Still serving, and the bad documents are not open.
    const h = await c.request<Hover | null>('textDocument/hover', hoverParams);
    expect((h!.contents as { value: string }).value).toContain('drm_dev_unplug');
    expect(await c.request('textDocument/hover', { textDocument: { uri: 'file:///number.lifetime' }, position: { line: 0, character: 0 } })).toBeNull();
    await new Promise((r) => setTimeout(r, 200));
    const logs = c.logs.slice(before);
    expect(logs).toHaveLength(3);
    expect(logs[0]).toMatch(/didOpen ignored: file:\/\/\/no-text\.lifetime: textDocument\.text is missing/);
    expect(logs[1]).toMatch(/didOpen ignored: file:\/\/\/number\.lifetime: textDocument\.text is not a string \(number\)/);
    expect(logs[2]).toMatch(/didChange ignored/);
    for (const l of logs) expect(l).not.toMatch(/\n\s+at /);
    expect(c.stderr.join('').slice(stderrBefore)).not.toMatch(/\n\s+at /);
    // The document the bad change named is unchanged (still version 1's text).
    expect(c.published.filter((p) => p.uri === uri && p.version === 2)).toEqual([]);
  });
});
