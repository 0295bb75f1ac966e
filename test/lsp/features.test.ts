// Every request a user makes, over the protocol against the real server: hover,
// completion, definition, references, rename, symbols, semantic tokens, folding,
// formatting, code lens, code actions, inlay hints.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SymbolKind,
  type CodeAction,
  type CodeLens,
  type CompletionItem,
  type CompletionList,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type InitializeResult,
  type InlayHint,
  type Location,
  type SemanticTokens,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { LspClient, applyEdits, codes, ensureServerBuilt, fixture, positionAt, rangeOf } from './helpers';

const EVERY_STATEMENT = `scenario "every statement"

module nova
device gpu0
driver nova_drm in nova binds gpu0 {
  fops_owner: yes
}
drm card0 on gpu0
revocable bar0 on gpu0
fence job on gpu0 takes 5ms
data state drmm on card0
work retire in nova_drm {
  log "retire"
}
mutex m

/* the thread that
   does everything */
thread t "all of it" {
  open f on card0
  ioctl f {
    use state
  }
  get card0
  put card0
  try_module_get nova
  module_put nova
  enter card0 {
    submit job
    wait job timeout 1ms
    poll job timeout 1ms
    signal job error
  }
  access bar0 {
    read bar0
    write bar0
  }
  queue retire after 1ms
  flush retire
  cancel retire
  sleep 1ms
  lock m
  unlock m
  repeat 2 {
    log "x"
  }
  close f
  unplug card0
  revoke bar0
  hotunplug gpu0
  unbind gpu0
  rmmod nova force
}

expect clean
`;

const HOVER_MODELS: [string, string][] = [
  ['open', 'drm_open'],
  ['close', '__fput'],
  ['ioctl', 'drm_ioctl'],
  ['get', 'drm_dev_get'],
  ['put', 'drm_dev_put'],
  ['try_module_get', 'try_module_get'],
  ['module_put', 'module_put'],
  ['enter', 'drm_dev_enter'],
  ['access', 'Revocable::try_access'],
  ['unplug', 'synchronize_srcu'],
  ['revoke', 'synchronize_rcu'],
  ['hotunplug', 'surprise removal'],
  ['unbind', 'device_release_driver'],
  ['rmmod', 'delete_module'],
  ['submit', 'dma_fence'],
  ['wait', 'dma_fence_wait_timeout'],
  ['poll', 'read_poll_timeout'],
  ['signal', 'dma_fence_signal'],
  ['read', 'readl'],
  ['write', 'writel'],
  ['use', 'drmm_kzalloc'],
  ['queue', 'queue_work'],
  ['flush', 'flush_work'],
  ['cancel', 'cancel_work_sync'],
  ['sleep', 'msleep'],
  ['lock', 'mutex_lock'],
  ['unlock', 'mutex_unlock'],
  ['repeat', 'times'],
  ['log', 'printk'],
];

/** Position of the first statement line starting with `kw ` (on the keyword). */
function stmtPos(text: string, kw: string) {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.trimStart().startsWith(`${kw} `) && /^\s+/.test(l));
  return { line, character: lines[line]!.indexOf(kw) };
}

function wordPos(text: string, word: string, nth = 0) {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(word, at + 1);
  return positionAt(text, at);
}

const c = new LspClient();
let init: InitializeResult;
let n = 0;
async function openDoc(text: string): Promise<string> {
  const uri = `file:///features-${++n}.lifetime`;
  await c.open(uri, text);
  return uri;
}

beforeAll(async () => {
  ensureServerBuilt();
  init = await c.initialize();
});
afterAll(async () => {
  expect(await c.shutdown()).toBe(0);
});

describe('initialize', () => {
  it('announces every feature', () => {
    const caps = init.capabilities;
    expect(caps.textDocumentSync).toMatchObject({ openClose: true, change: 2 });
    for (const k of [
      'hoverProvider', 'completionProvider', 'definitionProvider', 'referencesProvider', 'renameProvider', 'documentSymbolProvider',
      'documentHighlightProvider', 'semanticTokensProvider', 'foldingRangeProvider', 'documentFormattingProvider', 'codeLensProvider', 'codeActionProvider', 'inlayHintProvider',
    ] as const) {
      expect(caps[k], k).toBeTruthy();
    }
    expect(init.serverInfo?.name).toBe('lifetime-language-server');
  });
});

describe('hover', () => {
  let uri: string;
  beforeAll(async () => {
    uri = await openDoc(EVERY_STATEMENT);
  });
  const hoverAt = (position: { line: number; character: number }) =>
    c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position });

  it.each(HOVER_MODELS)('on `%s` explains it in the kernel\'s terms, naming %s', async (kw, fn) => {
    const h = await hoverAt(stmtPos(EVERY_STATEMENT, kw));
    expect(h).not.toBeNull();
    const value = (h!.contents as { value: string }).value;
    expect(value).toContain(`**${kw}**`);
    expect(value).toContain(fn);
    const at = stmtPos(EVERY_STATEMENT, kw);
    expect(h!.range).toEqual({ start: at, end: { line: at.line, character: at.character + kw.length } });
  });

  it('says which lifetime a statement touches and where it runs', async () => {
    const value = ((await hoverAt(stmtPos(EVERY_STATEMENT, 'wait')))!.contents as { value: string }).value;
    expect(value).toContain('wait job timeout 1ms');
    expect(value).toContain('fence `job`');
    expect(value).toContain('inside `enter card0`');
    const sleep = ((await hoverAt(stmtPos(EVERY_STATEMENT, 'sleep')))!.contents as { value: string }).value;
    expect(sleep).toMatch(/not allowed inside an `access` block/);
  });

  it('on a name: its declaration line and role', async () => {
    const h = await hoverAt(wordPos(EVERY_STATEMENT, 'card0', 2)); // `open f on card0`
    const v = (h!.contents as { value: string }).value;
    expect(v).toContain('drm `card0`');
    expect(v).toContain('declared at line 8');
    expect(v).toContain('On device `gpu0`: a `drm_device`');
    expect(v).toContain('refcounted');
    expect(v).toContain('Driver: `nova_drm` (module `nova`)');
    const mod = ((await hoverAt(wordPos(EVERY_STATEMENT, 'nova ')))!.contents as { value: string }).value;
    expect(mod).toContain('module `nova`');
    expect(mod).toContain('try_module_get');
    const file = ((await hoverAt(wordPos(EVERY_STATEMENT, 'close f', 0)))!.contents as { value: string }).value;
    expect(file).toBe(file); // `close` keyword itself
    const fName = ((await hoverAt({ ...stmtPos(EVERY_STATEMENT, 'close'), character: stmtPos(EVERY_STATEMENT, 'close').character + 6 }))!.contents as { value: string }).value;
    expect(fName).toContain('file `f`');
    expect(fName).toContain('opened at line 20');
  });

  it('on declaration keywords, driver options, durations and fault kinds', async () => {
    const text = EVERY_STATEMENT + 'expect deadlock in t\n';
    const u = await openDoc(text);
    const at = async (p: { line: number; character: number }) =>
      ((await c.request<Hover | null>('textDocument/hover', { textDocument: { uri: u }, position: p }))?.contents as { value: string } | undefined)?.value;
    expect(await at(wordPos(text, 'drm card0'))).toContain('drm_device');
    expect(await at(wordPos(text, 'fops_owner'))).toContain('THIS_MODULE');
    expect(await at(wordPos(text, '5ms'))).toContain('5,000,000 ns');
    expect(await at(wordPos(text, 'deadlock'))).toContain('no thread can run');
    expect(await at(wordPos(text, 'work retire'))).toContain('work_struct');
    // Whitespace and comments have no hover.
    expect(await at({ line: 1, character: 0 })).toBeUndefined();
    expect(await at(wordPos(text, 'the thread that'))).toBeUndefined();
  });
});

describe('completion', () => {
  const complete = async (marked: string) => {
    const f = fixture(marked);
    const uri = await openDoc(f.text);
    const r = await c.request<CompletionItem[] | CompletionList | null>('textDocument/completion', {
      textDocument: { uri },
      position: positionAt(f.text, f.cursors[0]!),
    });
    const items = Array.isArray(r) ? r : (r?.items ?? []);
    return items.map((i) => i.label);
  };
  const HEAD = `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
revocable bar0 on gpu0
fence job on gpu0
work retire in nova_drm {
}
mutex m
`;

  it('offers statement keywords where a statement may stand, not declarations', async () => {
    const labels = await complete(`${HEAD}thread t {\n  get card0\n  <|>\n}\n`);
    for (const k of ['open', 'wait', 'unplug', 'rmmod', 'access', 'repeat', 'try_module_get']) expect(labels).toContain(k);
    expect(labels).not.toContain('module');
    expect(labels).not.toContain('thread');
  });

  it('offers declaration keywords at top level', async () => {
    const labels = await complete(`${HEAD}<|>`);
    for (const k of ['module', 'device', 'driver', 'drm', 'thread', 'on', 'expect', 'work']) expect(labels).toContain(k);
    expect(labels).not.toContain('unplug');
  });

  it.each([
    ['get ', ['card0']],
    ['unplug ', ['card0']],
    ['hotunplug ', ['gpu0']],
    ['rmmod ', ['nova']],
    ['access ', ['bar0']],
    ['wait ', ['job']],
    ['queue ', ['retire']],
    ['lock ', ['m']],
    ['read ', ['bar0']],
    ['try_module_get ', ['nova']],
  ])('after `%s` offers names of the right kind: %j', async (kw, want) => {
    const labels = await complete(`${HEAD}thread t {\n  ${kw}<|>\n}\n`);
    expect(labels.sort()).toEqual(want);
  });

  it('after `close` and `ioctl` offers the files opened in the same body', async () => {
    expect(await complete(`${HEAD}thread t {\n  open f on card0\n  open g on card0\n  close <|>\n}\nthread u {\n  open h on card0\n}\n`)).toEqual(['f', 'g']);
  });

  it('after `open f on` offers drm devices', async () => {
    expect(await complete(`${HEAD}thread t {\n  open f on <|>\n}\n`)).toEqual(['card0']);
  });

  it('completes declaration operands at top level', async () => {
    expect(await complete(`${HEAD}driver x in <|>`)).toEqual(['nova']);
    expect(await complete(`${HEAD}drm card1 on <|>`)).toEqual(['gpu0']);
    expect(await complete(`${HEAD}on remove <|>`)).toEqual(['nova_drm']);
    expect(await complete(`${HEAD}on release <|>`)).toEqual(['card0']);
    expect((await complete(`${HEAD}on <|>`)).sort()).toEqual(['close', 'release', 'remove']);
  });

  it('offers the driver options inside a driver block, and yes/no after the colon', async () => {
    expect(await complete(`module m\ndevice d\ndriver x in m binds d {\n  <|>\n}\n`)).toEqual(['fops_owner', 'drm_holds_module']);
    expect((await complete(`module m\ndevice d\ndriver x in m binds d {\n  fops_owner: <|>\n}\n`)).sort()).toEqual(['no', 'yes']);
  });

  it('offers fault kinds after `expect`, and threads after `expect KIND in`', async () => {
    const labels = await complete(`${HEAD}thread t {\n}\nexpect <|>`);
    for (const k of ['deadlock', 'use-after-free', 'code-after-unload', 'leak', 'clean', 'run', 'explore']) expect(labels).toContain(k);
    expect(await complete(`${HEAD}thread t {\n}\nthread u {\n}\nexpect deadlock in <|>`)).toEqual(['t', 'u']);
  });

  it('offers the optional continuation of a statement', async () => {
    expect(await complete(`${HEAD}thread t {\n  wait job <|>\n}\n`)).toContain('timeout');
    expect(await complete(`${HEAD}thread t {\n  rmmod nova <|>\n}\n`)).toContain('force');
    expect(await complete(`${HEAD}thread t {\n  enter card0 {\n  }<|>\n}\n`)).toContain('else');
  });

  it('offers nothing inside a comment or a string', async () => {
    expect(await complete(`${HEAD}thread t {\n  // get <|>\n}\n`)).toEqual([]);
    expect(await complete(`${HEAD}thread t {\n  log "get <|>"\n}\n`)).toEqual([]);
  });
});

describe('definition, references, rename', () => {
  const MARKED = `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm <|card0|> on gpu0

thread app {
  open <|f|> on <|card0|>
  get <|card0|>
  put <|card0|>
  close <|f|>
}

thread other {
  open f on <|card0|>
  close f
}
`;
  const f = fixture(MARKED);
  const [decl, fDecl, open, get, put, fClose, otherOpen] = f.ranges.map((r) => rangeOf(f.text, r));
  let uri: string;
  beforeAll(async () => {
    uri = await openDoc(f.text);
  });

  it('goes to the declaration of a name, and to the `open` of a file', async () => {
    const d = await c.request<Location>('textDocument/definition', { textDocument: { uri }, position: put!.start });
    expect(d).toEqual({ uri, range: decl });
    const fd = await c.request<Location>('textDocument/definition', { textDocument: { uri }, position: fClose!.start });
    expect(fd).toEqual({ uri, range: fDecl });
    expect(await c.request('textDocument/definition', { textDocument: { uri }, position: { line: 5, character: 1 } })).toBeNull();
  });

  it('finds every reference, with or without the declaration', async () => {
    const refs = await c.request<Location[]>('textDocument/references', { textDocument: { uri }, position: get!.start, context: { includeDeclaration: true } });
    expect(refs.map((r) => r.range)).toEqual([decl, open, get, put, otherOpen]);
    const uses = await c.request<Location[]>('textDocument/references', { textDocument: { uri }, position: decl!.start, context: { includeDeclaration: false } });
    expect(uses.map((r) => r.range)).toEqual([open, get, put, otherOpen]);
    // A file's references stay in its body.
    const files = await c.request<Location[]>('textDocument/references', { textDocument: { uri }, position: fDecl!.start, context: { includeDeclaration: true } });
    expect(files.map((r) => r.range)).toEqual([fDecl, fClose]);
  });

  it('renames a name everywhere it is used', async () => {
    const prep = await c.request<{ range: unknown; placeholder: string }>('textDocument/prepareRename', { textDocument: { uri }, position: get!.start });
    expect(prep).toEqual({ range: get, placeholder: 'card0' });
    const edit = await c.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri }, position: get!.start, newName: 'gpu_card' });
    const after = applyEdits(f.text, edit.changes![uri]!);
    expect(after).toBe(f.text.replace(/card0/g, 'gpu_card'));
  });

  it('renames a file only in its own body', async () => {
    const edit = await c.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri }, position: fClose!.start, newName: 'file' });
    expect(edit.changes![uri]!.map((e) => e.range)).toEqual([fDecl, fClose]);
  });

  it('refuses keywords, invalid identifiers and clashes', async () => {
    const kw = wordPos(f.text, 'thread');
    await expect(c.request('textDocument/prepareRename', { textDocument: { uri }, position: kw })).rejects.toThrow(/keyword/);
    await expect(c.request('textDocument/rename', { textDocument: { uri }, position: get!.start, newName: 'module' })).rejects.toThrow(/keyword/);
    await expect(c.request('textDocument/rename', { textDocument: { uri }, position: get!.start, newName: '2fast' })).rejects.toThrow(/not a valid name/);
    await expect(c.request('textDocument/rename', { textDocument: { uri }, position: get!.start, newName: 'gpu0' })).rejects.toThrow(/already the name of the device/);
    await expect(c.request('textDocument/rename', { textDocument: { uri }, position: get!.start, newName: 'f' })).rejects.toThrow(/file opened at line 7/);
  });
});

describe('document symbols', () => {
  it('lists declarations with their kinds, and the statements of each body', async () => {
    const uri = await openDoc(EVERY_STATEMENT);
    const syms = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    const top = syms.map((s) => [s.name, s.kind]);
    expect(top).toEqual([
      ['scenario "every statement"', SymbolKind.String],
      ['nova', SymbolKind.Module],
      ['gpu0', SymbolKind.Class],
      ['nova_drm', SymbolKind.Class],
      ['card0', SymbolKind.Struct],
      ['bar0', SymbolKind.Interface],
      ['job', SymbolKind.Event],
      ['state', SymbolKind.Variable],
      ['retire', SymbolKind.Function],
      ['m', SymbolKind.Variable],
      ['t', SymbolKind.Function],
      ['expect clean', SymbolKind.Constant],
    ]);
    const t = syms.find((s) => s.name === 't')!;
    expect(t.detail).toBe('thread "all of it"');
    expect(t.children!.slice(0, 3).map((s) => s.name)).toEqual(['open f on card0', 'ioctl f', 'get card0']);
    expect(t.children![1]!.children!.map((s) => s.name)).toEqual(['use state']);
    expect(t.selectionRange).toEqual({ start: wordPos(EVERY_STATEMENT, 't "all'), end: { ...wordPos(EVERY_STATEMENT, 't "all'), character: wordPos(EVERY_STATEMENT, 't "all').character + 1 } });
  });
});

describe('semantic tokens', () => {
  it('colours keywords, names by kind, durations, strings and comments', async () => {
    const text = 'scenario "x"\nmodule nova // the module\ndevice gpu0\ndriver d in nova binds gpu0\ndrm card0 on gpu0\nthread t {\n  get card0\n  sleep 5ms\n}\nexpect deadlock\n';
    const uri = await openDoc(text);
    const r = await c.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
    const legend = init.capabilities.semanticTokensProvider!.legend;
    const toks: { line: number; char: number; text: string; type: string; mods: string[] }[] = [];
    let line = 0;
    let char = 0;
    const lines = text.split('\n');
    for (let i = 0; i < r.data.length; i += 5) {
      const [dl, dc, len, type, mods] = r.data.slice(i, i + 5) as [number, number, number, number, number];
      line += dl;
      char = dl === 0 ? char + dc : dc;
      toks.push({ line, char, text: lines[line]!.slice(char, char + len), type: legend.tokenTypes[type]!, mods: legend.tokenModifiers.filter((_, b) => mods & (1 << b)) });
    }
    const find = (t: string, line: number) => toks.find((x) => x.text === t && x.line === line);
    expect(find('scenario', 0)?.type).toBe('keyword');
    expect(find('"x"', 0)?.type).toBe('string');
    expect(find('nova', 1)).toMatchObject({ type: 'namespace', mods: ['declaration'] });
    expect(find('// the module', 1)?.type).toBe('comment');
    expect(find('gpu0', 2)?.type).toBe('class');
    expect(find('d', 3)?.type).toBe('type');
    expect(find('card0', 4)).toMatchObject({ type: 'struct', mods: ['declaration'] });
    expect(find('t', 5)?.type).toBe('function');
    expect(find('get', 6)?.type).toBe('keyword');
    expect(find('card0', 6)).toMatchObject({ type: 'struct', mods: [] });
    expect(find('5ms', 7)?.type).toBe('number');
    expect(find('deadlock', 9)?.type).toBe('enumMember');
  });
});

describe('folding ranges', () => {
  it('folds blocks (keeping the closing brace visible) and multi-line comments', async () => {
    const uri = await openDoc(EVERY_STATEMENT);
    const folds = await c.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
    const lines = EVERY_STATEMENT.split('\n');
    const at = (s: string) => lines.findIndex((l) => l.startsWith(s));
    const thread = at('thread t');
    const threadEnd = lines.findIndex((l, i) => i > thread && l === '}');
    expect(folds).toContainEqual({ startLine: thread, endLine: threadEnd - 1 });
    expect(folds).toContainEqual({ startLine: at('driver'), endLine: at('driver') + 1 });
    expect(folds).toContainEqual({ startLine: at('/* the thread'), endLine: at('/* the thread') + 1, kind: 'comment' });
    const enter = at('  enter card0');
    expect(folds).toContainEqual({ startLine: enter, endLine: enter + 4 });
  });
});

describe('formatting', () => {
  const MESSY = `scenario "fmt"   module nova
device   gpu0
driver nova_drm in nova binds gpu0 { fops_owner:no
    drm_holds_module : yes }



drm card0 on gpu0          // aligned comment
                           // continues here
thread app "a" { open f on card0 ioctl f { enter card0 { log "in" } else { log "gone" } }
      /* a block
         comment */
  close f }
thread empty {}
`;
  const CANONICAL = `scenario "fmt"
module nova
device gpu0
driver nova_drm in nova binds gpu0 {
  fops_owner: no
  drm_holds_module: yes
}

drm card0 on gpu0          // aligned comment
                           // continues here
thread app "a" {
  open f on card0
  ioctl f {
    enter card0 {
      log "in"
    } else {
      log "gone"
    }
  }
  /* a block
         comment */
  close f
}
thread empty {}
`;
  const format = async (text: string) => {
    const uri = await openDoc(text);
    return c.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  };

  it('lays the file out canonically, keeping comments in place', async () => {
    const edits = await format(MESSY);
    expect(applyEdits(MESSY, edits)).toBe(CANONICAL);
  });

  it('is idempotent: the canonical text needs no edit', async () => {
    expect(await format(CANONICAL)).toEqual([]);
  });

  it('refuses a file with syntax errors', async () => {
    expect(await format('module nova\nthread t {\n  get\n')).toEqual([]);
  });
});

describe('code lens', () => {
  it('puts Run, Explore and Debug over the scenario line', async () => {
    const text = '// header\n\nscenario "x"\nmodule m\n';
    const uri = await openDoc(text);
    const lenses = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    expect(lenses.map((l) => [l.range.start.line, l.command!.title, l.command!.command, l.command!.arguments])).toEqual([
      [2, 'Run', 'lifetime.runScenario', [uri]],
      [2, 'Explore', 'lifetime.exploreSchedules', [uri]],
      [2, 'Debug', 'lifetime.debugScenario', [uri]],
    ]);
    const none = await openDoc('module m\n');
    const l2 = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: none } });
    expect(l2.map((l) => l.range.start.line)).toEqual([0, 0, 0]);
  });
});

describe('code actions', () => {
  it('offers each lint quick fix, with its diagnostic attached, and the fix removes the lint', async () => {
    const text = 'module nova\ndevice gpu0\ndriver d in nova binds gpu0\ndrm card0 on gpu0\nfence job on gpu0\nrevocable bar0 on gpu0\n\nthread t {\n  access bar0 {\n    sleep 1ms\n  }\n  poll job\n}\n';
    const uri = await openDoc(text);
    const p = await c.forVersion(uri, 1);
    for (const code of ['sleep-in-atomic', 'poll-without-timeout']) {
      const d = p.diagnostics.find((x) => x.code === code)!;
      const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
      const fix = actions.find((a) => a.diagnostics?.[0]?.code === code)!;
      expect(fix.kind).toBe('quickfix');
      expect(fix.diagnostics).toEqual([d]);
      const fixed = applyEdits(text, fix.edit!.changes![uri]!);
      const u2 = await openDoc(fixed);
      const after = await c.forVersion(u2, 1);
      expect(codes(after.diagnostics)).not.toContain(code);
      expect(after.diagnostics.filter((x) => x.severity === 1 && x.code !== 'sleep-in-atomic')).toEqual([]);
    }
    const poll = p.diagnostics.find((x) => x.code === 'poll-without-timeout')!;
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: poll.range, context: { diagnostics: [poll] } });
    expect(actions.map((a) => a.title)).toEqual(['Add `timeout 100ms`']);
  });
});

describe('inlay hints', () => {
  const hints = async (text: string) => {
    const uri = await openDoc(text);
    const end = { line: text.split('\n').length, character: 0 };
    return c.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end } });
  };
  const TEXT = `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0

thread app {
  open f on card0
  get card0
  log "no counts change"
  put card0
  close f
  sleep 1ms
  hotunplug gpu0
}
`;

  it('shows the counts each statement changed, at the end of its line, the first time it runs', async () => {
    const hs = await hints(TEXT);
    const lines = TEXT.split('\n');
    const byLine = Object.fromEntries(hs.map((h) => [lines[h.position.line]!.trim(), h.label]));
    expect(byLine).toEqual({
      'open f on card0': 'card0=2 nova=1',
      'get card0': 'card0=3',
      'put card0': 'card0=2',
      'close f': 'card0=1 nova=0',
      'hotunplug gpu0': 'card0=0 (unplugged, freed)',
    });
    for (const h of hs) {
      expect(h.position.character).toBe(lines[h.position.line]!.length);
      expect(h.paddingLeft).toBe(true);
    }
  });

  it('stays bounded on a 1,000,000-iteration repeat', async () => {
    const text = TEXT.replace('  get card0\n', '  repeat 1000000 {\n    get card0\n    put card0\n  }\n');
    const t0 = Date.now();
    const hs = await hints(text);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const lines = text.split('\n');
    const getHint = hs.find((h) => lines[h.position.line]!.trim() === 'get card0');
    expect(getHint?.label).toBe('card0=3');
    // The server still answers promptly.
    const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri: `file:///features-${n}.lifetime` }, position: { line: 0, character: 1 } });
    expect(h).not.toBeNull();
  });

  it('shows nothing for a file with static errors', async () => {
    expect(await hints(TEXT.replace('get card0', 'get card9'))).toEqual([]);
  });
});
