// Hover puts a statement's own documentation first and the problems at that place after it
// (lints and exploration faults); document highlights mark only a name's real references.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentHighlight, Hover } from 'vscode-languageserver-protocol';
import { LspClient, ensureServerBuilt, fixture, fixtureFile, rangeOf } from './helpers';

beforeAll(() => ensureServerBuilt());

describe('hover on a statement with problems', () => {
  const c = new LspClient();
  beforeAll(async () => {
    await c.initialize({ explore: { enabled: true, maxStates: 200_000, timeMs: 5_000 } });
  });
  afterAll(async () => {
    expect(await c.shutdown()).toBe(0);
  });

  it('shows the documentation first, then the lint and the exploration fault', async () => {
    const uri = 'file:///hover-problems.lifetime';
    const text = fixtureFile('unplug-deadlock.lifetime');
    await c.open(uri, text);
    // Wait for the exploration's deadlock on `wait job` (a lint, wait-in-enter, is there too).
    await c.diagnostics(uri, (p) => p.diagnostics.some((d) => d.source === 'lifetime-explore'), 20_000);
    const line = text.split('\n').findIndex((l) => l.trim().startsWith('wait job'));
    const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: text.split('\n')[line]!.indexOf('wait') + 1 } });
    const value = (h!.contents as { value: string }).value;
    const doc = value.indexOf('**wait**');
    const lint = value.indexOf('wait-in-enter');
    const fault = value.indexOf('deadlock');
    expect(doc).toBeGreaterThanOrEqual(0);
    expect(value.indexOf('dma_fence_wait')).toBeGreaterThan(doc);
    expect(lint).toBeGreaterThan(value.indexOf('dma_fence_wait'));
    expect(fault).toBeGreaterThan(value.indexOf('dma_fence_wait'));
    expect(value.slice(lint)).toMatch(/exploration\): .*some schedule reaches this/);
  });
});

describe('document highlights', () => {
  const c = new LspClient();
  beforeAll(async () => {
    await c.initialize();
  });
  afterAll(async () => {
    expect(await c.shutdown()).toBe(0);
  });

  const MARKED = `// card0 is the uAPI object: this comment names card0 twice
module nova
device gpu0
driver nova_drm in nova binds gpu0
drm <|card0|> on gpu0

thread app "opens card0" {
  open <|f|> on <|card0|>
  get <|card0|>
  log "card0 taken"
  put <|card0|> // done with card0
  close <|f|>
}

thread other {
  open f on <|card0|>
  close f
}
`;

  it('highlights only the real references of a name, the declaration as a write', async () => {
    const f = fixture(MARKED);
    const [decl, fDecl, open, get, put, fClose, otherOpen] = f.ranges.map((r) => rangeOf(f.text, r));
    const uri = 'file:///highlight.lifetime';
    await c.open(uri, f.text);
    const hs = await c.request<DocumentHighlight[]>('textDocument/documentHighlight', { textDocument: { uri }, position: get!.start });
    expect(hs).toEqual([
      { range: decl, kind: 3 },
      { range: open, kind: 2 },
      { range: get, kind: 2 },
      { range: put, kind: 2 },
      { range: otherOpen, kind: 2 },
    ]);
    // A file: only within its own body (the other thread's `f` is another file).
    const files = await c.request<DocumentHighlight[]>('textDocument/documentHighlight', { textDocument: { uri }, position: fClose!.start });
    expect(files.map((h) => h.range)).toEqual([fDecl, fClose]);
    // On a comment, a string or a keyword: nothing.
    expect(await c.request('textDocument/documentHighlight', { textDocument: { uri }, position: { line: 0, character: 4 } })).toEqual([]);
    const logLine = f.text.split('\n').findIndex((l) => l.includes('log "card0'));
    expect(await c.request('textDocument/documentHighlight', { textDocument: { uri }, position: { line: logLine, character: 8 } })).toEqual([]);
    expect(await c.request('textDocument/documentHighlight', { textDocument: { uri }, position: { line: get!.start.line, character: 2 } })).toEqual([]);
  });
});
