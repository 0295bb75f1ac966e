// Version 2 of the language (language.md §9) at the grammar level: every shared v2
// conformance file and every v2 sample compiles with no diagnostic; version-1 files parse
// exactly as before version 2 (a snapshot taken with the version-1 parser); `ptimer` is a
// soft keyword; the new static errors.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, expectThreadName, type Decl, type ExpectDecl } from '../../grammar/index';
import { CONFORMANCE_DIR, CONFORMANCE_PRESENT } from './paths';
import { summarize, summarizeDiagnostics } from './summary';

const REPO = path.resolve(__dirname, '../..');
const V2_DIR = path.join(CONFORMANCE_DIR, 'v2');
const lifetimes = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.lifetime')).sort() : []);

describe.skipIf(!CONFORMANCE_PRESENT)('version 2 conformance files', () => {
  const files = lifetimes(V2_DIR);
  it('are all there', () => expect(files.length).toBeGreaterThanOrEqual(19));
  for (const f of files) {
    it(`${f} compiles with no diagnostics`, () => {
      expect(compile(fs.readFileSync(path.join(V2_DIR, f), 'utf8')).diagnostics).toEqual([]);
    });
  }
});

describe('version 2 samples', () => {
  const dir = path.join(REPO, 'samples/v2');
  const files = lifetimes(dir);
  it('are all there', () => expect(files.length).toBeGreaterThanOrEqual(16));
  for (const f of files) {
    it(`${f} compiles with no diagnostics`, () => {
      expect(compile(fs.readFileSync(path.join(dir, f), 'utf8')).diagnostics).toEqual([]);
    });
  }
});

// Taken with the version-1 parser (commit 011be99). The only change allowed is the summary
// of a ptimer declaration, which now also shows its keyword's range. A sample migrated to
// `ptimer` (language.md §9) is compared as its version-1 text: the migration changed that
// one keyword and nothing else, and what it changed back to still parses as before.
const unmigrate = (text: string) => text.replace(/^([ \t]*)ptimer([ \t]+\S+[ \t]+on[ \t])/gm, '$1timer$2');

describe.skipIf(!CONFORMANCE_PRESENT)('version-1 files parse as before version 2', () => {
  const before = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/v1-corpus.before-v2.json'), 'utf8')) as Record<string, string[]>;
  const unkeyword = (line: string) => line.replace(/^(p?timer)@\d+:\d+-\d+:\d+ /, '$1 ');
  for (const [key, expected] of Object.entries(before)) {
    const file = key.startsWith('samples/') ? path.join(REPO, key) : path.join(CONFORMANCE_DIR, path.basename(key));
    it(`${key}`, () => {
      const text = fs.readFileSync(file, 'utf8');
      const a = compile(unmigrate(text));
      expect([...summarize(a.file), ...summarizeDiagnostics(a.diagnostics)].map(unkeyword)).toEqual(expected);
    });
  }

  it('the migrated samples differ from their version-1 text in the ptimer keyword only', () => {
    const migrated = Object.keys(before).filter((k) => k.startsWith('samples/') && /^[ \t]*ptimer[ \t]/m.test(fs.readFileSync(path.join(REPO, k), 'utf8')));
    expect(migrated.sort()).toEqual(['samples/revocable-busy-wait-no-timeout.lifetime', 'samples/revocable-busy-wait-with-timeout.lifetime']);
    for (const k of migrated) {
      const a = compile(fs.readFileSync(path.join(REPO, k), 'utf8'));
      const ptimers = a.file.decls.filter((d) => d.kind === 'ptimer');
      expect(ptimers.length, k).toBeGreaterThan(0);
      expect(ptimers.every((d) => d.kind === 'ptimer' && !d.deprecatedForm), k).toBe(true);
      expect(a.diagnostics, k).toEqual([]);
    }
  });
});

const BASE = 'module m\ndevice d\ndriver drv in m binds d\nrevocable bar0 on d\n';
const decls = (text: string): Decl[] => compile(text).file.decls;
const messages = (text: string): string[] => compile(text).diagnostics.map((d) => `${d.code}: ${d.message}`);

describe('ptimer', () => {
  it('declares a ptimer in both forms; only the old one is marked deprecated', () => {
    const ds = decls(`${BASE}ptimer clk on bar0\ntimer old on bar0\n`).filter((d) => d.kind === 'ptimer');
    expect(ds.map((d) => d.kind === 'ptimer' && [d.name.name, d.deprecatedForm, d.keywordRange.start.column, d.keywordRange.end.column])).toEqual([
      ['clk', false, 1, 7],
      ['old', true, 1, 6],
    ]);
  });

  it('is a soft keyword: a version-1 file may call its PTIMER `ptimer`', () => {
    const text = `${BASE}timer ptimer on bar0\nthread t { read ptimer access bar0 { write ptimer } }\n`;
    expect(messages(text)).toEqual([]);
    expect(messages(`${BASE}ptimer ptimer on bar0\nthread t { read ptimer }\n`)).toEqual([]);
  });

  it('`timer NAME in DRIVER { … }` is a kernel timer, with its callback', () => {
    const [t] = decls(`${BASE}timer wd in drv { arm wd after 1ms }\n`).filter((d) => d.kind === 'timer');
    expect(t?.kind === 'timer' && [t.driver.name, t.body.stmts.map((s) => s.kind)]).toEqual(['drv', ['arm']]);
  });
});

describe('version 2 reserved words', () => {
  it('cannot name a declaration (one error, the declaration kept)', () => {
    expect(messages('mutex free\n')).toEqual(['syntax: `free` is a keyword and cannot be used as a name']);
    expect(messages('device raise\n')).toEqual(['syntax: `raise` is a keyword and cannot be used as a name']);
  });
  it('`kworker` is not reserved', () => {
    expect(messages('mutex kworker\n')).toEqual([]);
  });
});

describe('callback thread names', () => {
  const expectOf = (text: string) => decls(text).find((d): d is ExpectDecl => d.kind === 'expect')!;
  it('resolve to the timer, IRQ or work item they name', () => {
    const text = `${BASE}timer t in drv { }\nirq i on d { }\nwork w in drv { }\nexpect deadlock in timer/t\nexpect deadlock in irq/i\nexpect deadlock in kworker/w\n`;
    expect(messages(text)).toEqual([]);
    expect(decls(text).filter((d): d is ExpectDecl => d.kind === 'expect').map(expectThreadName)).toEqual(['timer/t', 'irq/i', 'kworker/w']);
  });
  it('of the wrong kind are wrong-kind', () => {
    expect(messages(`${BASE}work w in drv { }\nexpect deadlock in timer/w\n`)).toEqual([
      'wrong-kind: `expect … in timer/` needs a timer, but `w` is a work item (declared at 5:6)',
    ]);
  });
  it('with another prefix are one syntax error', () => {
    expect(messages(`${BASE}timer t in drv { }\nexpect deadlock in task/t\n`)).toEqual([
      'syntax: unknown callback thread prefix `task`: expected `kworker`, `timer` or `irq` before `/`',
    ]);
    expect(expectThreadName(expectOf(`expect deadlock in app\n`))).toBe('app');
  });
});

describe('version 2 static errors', () => {
  const V2 = `${BASE}timer t in drv { }\nwork w in drv { }\nirq i on d { }\nkref o in drv\nspinlock s\ncompletion c\ncdev node on d\nattr a on d { }\ndata p\nmutex mx\nfence q on d\n`;
  const body = (stmts: string) => messages(`${V2}thread app {\n${stmts}\n}\n`);

  it('a well-formed file has none', () => {
    expect(body('arm t after 1ms\ncancel t\ncancel w nosync\ndisable t\ndisable w\nraise i\nfree_irq i\nget o\nput o\nuse o\nlock s\nunlock s\nlock mx\nunlock mx\ncomplete c\nwait c timeout 1ms\nwait q\nfree p\nopen f on node\nclose f\nunregister node\nshow a')).toEqual([]);
  });

  it.each([
    ['arm w', '`arm` needs a timer, but `w` is a work item'],
    ['raise t', '`raise` needs an irq, but `t` is a timer'],
    ['free_irq s', '`free_irq` needs an irq, but `s` is a spinlock'],
    ['disable i', '`disable` needs a timer or a work item, but `i` is an irq'],
    ['cancel c nosync', '`cancel` needs a work item or a timer, but `c` is a completion'],
    ['complete q', '`complete` needs a completion, but `q` is a fence'],
    ['wait s', '`wait` needs a fence or a completion, but `s` is a spinlock'],
    ['lock c', '`lock` needs a mutex or a spinlock, but `c` is a completion'],
    ['free o', '`free` needs driver data, but `o` is a kref'],
    ['get p', '`get` needs a drm device or a kref, but `p` is driver data'],
    ['unregister a', '`unregister` needs a cdev, but `a` is an attribute'],
    ['show node', '`show` needs an attribute, but `node` is a cdev'],
    ['open f on a', '`open … on` needs a drm device or a cdev, but `a` is an attribute'],
  ])('`%s`: wrong-kind', (stmt, message) => {
    const ms = body(stmt);
    expect(ms).toHaveLength(1);
    expect(ms[0]).toMatch(new RegExp(`^wrong-kind: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(declared at \\d+:\\d+\\)$`));
  });

  it('declarations name owners of the right kind', () => {
    expect(messages('module m\ndevice d\ntimer t in d { }\nirq i on m { }\nkref o in d\ncdev c on m\nattr a on m { }\n')).toEqual([
      'wrong-kind: `timer … in` needs a driver, but `d` is a device (declared at 2:8)',
      'wrong-kind: `irq … on` needs a device, but `m` is a module (declared at 1:8)',
      'wrong-kind: `kref … in` needs a driver, but `d` is a device (declared at 2:8)',
      'wrong-kind: `cdev … on` needs a device, but `m` is a module (declared at 1:8)',
      'wrong-kind: `attr … on` needs a device, but `m` is a module (declared at 1:8)',
    ]);
  });

  it('`on release` takes a drm device or a kref', () => {
    expect(messages(`${V2}on release o { log "bye" }\n`)).toEqual([]);
    expect(messages(`${V2}on release s { }\n`)).toEqual([
      'wrong-kind: `on release` needs a drm device or a kref, but `s` is a spinlock (declared at 9:10)',
    ]);
  });

  it('`arm … after` and `wait … timeout` durations are checked', () => {
    expect(body('arm t after 0ms\nwait c timeout 2000s')).toEqual([
      'bad-value: `arm … after` needs a duration greater than 0, not `0ms`',
      'bad-value: `2000s` is too long for `wait … timeout`: durations are at most 1000s',
    ]);
  });

  it('a timer, an irq and an attribute have bodies whose names resolve', () => {
    expect(messages(`${BASE}timer t in drv { use nothing }\n`)).toEqual(['unknown-name: unknown name `nothing`: nothing declares it']);
  });
});
