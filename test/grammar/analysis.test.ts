import { describe, expect, it } from 'vitest';
import { compile, type Diagnostic } from '../../grammar/index';

// Ten lines of declarations; the code under test starts on line 11.
const BASE = `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
revocable bar0 on gpu0
timer ptimer on bar0
fence job on gpu0
data dsi devm on gpu0
work retire in nova_drm { }
mutex m
`;

type Where = [code: string, line: number, column: number, endLine: number, endColumn: number];
const where = (d: Diagnostic): Where => [d.code, d.range.start.line, d.range.start.column, d.range.end.line, d.range.end.column];
const diags = (text: string): Where[] => compile(text).diagnostics.map(where);
const messages = (text: string): string[] => compile(text).diagnostics.map((d) => d.message);

describe('static errors', () => {
  it('the base scenario is clean', () => {
    expect(diags(BASE)).toEqual([]);
  });

  it('unknown-name on a statement name, with a suggestion', () => {
    const text = `${BASE}thread t {\n  get card1\n}\n`;
    expect(diags(text)).toEqual([['unknown-name', 12, 7, 12, 12]]);
    expect(messages(text)[0]).toContain('did you mean `card0`');
  });

  it('unknown-name on a declaration reference', () => {
    expect(diags(`${BASE}drm card1 on gpu9\n`)).toEqual([['unknown-name', 11, 14, 11, 18]]);
    expect(diags(`${BASE}expect leak in nobody\n`)).toEqual([['unknown-name', 11, 16, 11, 22]]);
  });

  it('unknown-name on a file that no open of the body introduces', () => {
    expect(diags(`${BASE}thread t {\n  close f\n}\n`)).toEqual([['unknown-name', 12, 9, 12, 10]]);
    expect(diags(`${BASE}thread t {\n  ioctl g { }\n}\n`)).toEqual([['unknown-name', 12, 9, 12, 10]]);
  });

  it('wrong-kind: open on a revocable, naming both kinds', () => {
    const text = `${BASE}thread t {\n  open f on bar0\n  close f\n}\n`;
    expect(diags(text)).toEqual([['wrong-kind', 12, 13, 12, 17]]);
    expect(messages(text)[0]).toMatch(/needs a drm device or a cdev, but `bar0` is a revocable/);
  });

  it('wrong-kind: a top-level name where a file belongs, and a file where a top-level kind belongs', () => {
    expect(diags(`${BASE}thread t {\n  close card0\n}\n`)).toEqual([['wrong-kind', 12, 9, 12, 14]]);
    const text = `${BASE}thread t {\n  open f on card0\n  get f\n  close f\n}\n`;
    expect(diags(text)).toEqual([['wrong-kind', 13, 7, 13, 8]]);
    expect(messages(text)[0]).toMatch(/`f` is a file/);
  });

  // [statement, a name of the right kind, a name of a wrong kind]
  const places: [string, string, string][] = [
    ['open x on NAME', 'card0', 'bar0'],
    ['get NAME', 'card0', 'gpu0'],
    ['put NAME', 'card0', 'nova'],
    ['try_module_get NAME', 'nova', 'card0'],
    ['module_put NAME', 'nova', 'gpu0'],
    ['enter NAME { }', 'card0', 'bar0'],
    ['access NAME { } else { }', 'bar0', 'card0'],
    ['unplug NAME', 'card0', 'gpu0'],
    ['revoke NAME', 'bar0', 'ptimer'],
    ['hotunplug NAME', 'gpu0', 'card0'],
    ['unbind NAME', 'gpu0', 'nova_drm'],
    ['rmmod NAME force', 'nova', 'nova_drm'],
    ['submit NAME', 'job', 'card0'],
    ['wait NAME timeout 1ms', 'job', 'm'],
    ['poll NAME', 'job', 'retire'],
    ['signal NAME error', 'job', 'dsi'],
    ['read NAME', 'bar0', 'card0'],
    ['read NAME', 'ptimer', 'job'],
    ['write NAME', 'ptimer', 'gpu0'],
    ['use NAME', 'dsi', 'card0'],
    ['queue NAME after 1ms', 'retire', 'job'],
    ['flush NAME', 'retire', 'm'],
    ['cancel NAME', 'retire', 'nova_drm'],
    ['lock NAME', 'm', 'job'],
    ['unlock NAME', 'm', 'card0'],
  ];
  for (const [form, good, bad] of places) {
    it(`kinds: ${form.replace('NAME', good)} is fine, ${form.replace('NAME', bad)} is wrong-kind`, () => {
      expect(diags(`${BASE}thread t {\n  ${form.replace('NAME', good)}\n}\n`)).toEqual([]);
      const col = 3 + form.indexOf('NAME');
      expect(diags(`${BASE}thread t {\n  ${form.replace('NAME', bad)}\n}\n`)).toEqual([['wrong-kind', 12, col, 12, col + bad.length]]);
    });
  }

  // [declaration, a name of the right kind, a name of a wrong kind]
  const declPlaces: [string, string, string][] = [
    ['driver d2 in NAME binds gpu0', 'nova', 'gpu0'],
    ['driver d2 in nova binds NAME', 'gpu0', 'nova'],
    ['drm c2 on NAME', 'gpu0', 'card0'],
    ['revocable r2 on NAME', 'gpu0', 'bar0'],
    ['timer t2 on NAME', 'bar0', 'gpu0'],
    ['fence f2 on NAME takes 1ms', 'gpu0', 'card0'],
    ['data d2 devm on NAME', 'gpu0', 'card0'],
    ['data d2 drmm on NAME', 'card0', 'gpu0'],
    ['work w2 in NAME { }', 'nova_drm', 'nova'],
    ['on remove NAME { }', 'nova_drm', 'card0'],
    ['on close NAME { }', 'nova_drm', 'gpu0'],
    ['on release NAME { }', 'card0', 'nova_drm'],
    ['thread tt { } expect leak in NAME', 'tt', 'card0'],
  ];
  for (const [form, good, bad] of declPlaces) {
    it(`kinds: ${form.replace('NAME', good)} is fine, ${form.replace('NAME', bad)} is wrong-kind`, () => {
      expect(diags(`${BASE}${form.replace('NAME', good)}\n`)).toEqual([]);
      const col = 1 + form.indexOf('NAME');
      expect(diags(`${BASE}${form.replace('NAME', bad)}\n`)).toEqual([['wrong-kind', 11, col, 11, col + bad.length]]);
    });
  }

  it('duplicate-name on each declaration, whatever their kinds', () => {
    expect(diags(`${BASE}module nova\n`)).toEqual([
      ['duplicate-name', 1, 8, 1, 12],
      ['duplicate-name', 11, 8, 11, 12],
    ]);
    expect(diags(`${BASE}thread m { }\nmutex x\nmutex x\n`)).toEqual([
      ['duplicate-name', 10, 7, 10, 8],
      ['duplicate-name', 11, 8, 11, 9],
      ['duplicate-name', 12, 7, 12, 8],
      ['duplicate-name', 13, 7, 13, 8],
    ]);
  });

  it('duplicate-name on a file named like a top-level declaration', () => {
    const text = `${BASE}thread t {\n  open card0 on card0\n  close card0\n}\n`;
    expect(diags(text)).toEqual([['duplicate-name', 12, 8, 12, 13]]);
    // the local name wins in its body: `close card0` closes the file
    const a = compile(text);
    const close = a.symbols.refs.find((r) => r.ident.range.start.line === 13)!;
    expect(close.kind).toBe('file');
  });

  it('bad-option: unknown, and the second of a repeated option', () => {
    const text = `${BASE}driver d2 in nova binds gpu0 {\n  fops_owner: no\n  bogus: yes\n  fops_owner: yes\n  drm_holds_module: yes\n}\n`;
    expect(diags(text)).toEqual([
      ['bad-option', 13, 3, 13, 8],
      ['bad-option', 14, 3, 14, 13],
    ]);
    expect(messages(text)[0]).toContain('unknown driver option `bogus`');
    expect(messages(text)[1]).toContain('given twice');
  });

  it('bad-value: zero and too large durations wherever durations appear', () => {
    const text = `${BASE}fence f0 on gpu0 takes 0ms
thread t {
  sleep 0s
  wait job timeout 0ns
  poll job timeout 1001s
  queue retire after 0_000us
  sleep 1_000_001ms
  sleep 1000s
  sleep 1ns
}
`;
    expect(diags(text)).toEqual([
      ['bad-value', 11, 24, 11, 27],
      ['bad-value', 13, 9, 13, 11],
      ['bad-value', 14, 20, 14, 23],
      ['bad-value', 15, 20, 15, 25],
      ['bad-value', 16, 22, 16, 29],
      ['bad-value', 17, 9, 17, 20],
    ]);
  });

  it('bad-value: repeat counts of 0 and over 1,000,000', () => {
    const text = `${BASE}thread t {\n  repeat 0 { }\n  repeat 1_000_001 { }\n  repeat 1 { }\n  repeat 1_000_000 { }\n}\n`;
    expect(diags(text)).toEqual([
      ['bad-value', 12, 10, 12, 11],
      ['bad-value', 13, 10, 13, 19],
    ]);
  });

  it('bad-value: an outcome that is no fault kind, and `expect clean in T`', () => {
    const text = `${BASE}thread t { }\nexpect run use-after-fre\nexpect deadlok in t\nexpect clean in t\nexpect explore clean\nexpect hang in t\n`;
    expect(diags(text)).toEqual([
      ['bad-value', 12, 12, 12, 25],
      ['bad-value', 13, 8, 13, 15],
      ['bad-value', 14, 17, 14, 18],
    ]);
  });

  it('bad-handler: a second handler of one event for one target is reported on the second', () => {
    const text = `${BASE}on remove nova_drm { }\non close nova_drm { }\non remove nova_drm { unplug card0 }\non release card0 { }\n`;
    expect(diags(text)).toEqual([['bad-handler', 13, 1, 13, 19]]);
    expect(messages(text)[0]).toContain('11:1');
  });

  it('all static errors are errors, after the syntax errors at one position', () => {
    const a = compile(`${BASE}thread t {\n  get nothing\n  sleep 0ms\n  frob\n}\n`);
    expect(a.diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ['unknown-name', 'error'],
      ['bad-value', 'error'],
      ['syntax', 'error'],
    ]);
  });
});

describe('near misses (no error)', () => {
  it('a use may come before its declaration', () => {
    expect(diags(`thread t {\n  get card0\n  put card0\n}\nexpect leak in t\nmodule nova\ndevice gpu0\ndrm card0 on gpu0\n`)).toEqual([]);
    expect(diags(`driver d in m binds g\nmodule m\ndevice g\n`)).toEqual([]);
  });

  it('a file is local to its whole body, nested blocks and before its open included', () => {
    expect(
      diags(`${BASE}thread t {\n  close f\n  enter card0 {\n    open f on card0\n  }\n  ioctl f { }\n}\non close nova_drm { open g on card0 close g }\nwork w in nova_drm { open h on card0 ioctl h { } }\n`),
    ).toEqual([]);
  });

  it('a file opened in one body is unknown in another', () => {
    expect(diags(`${BASE}thread a {\n  open f on card0\n}\nthread b {\n  close f\n}\n`)).toEqual([['unknown-name', 15, 9, 15, 10]]);
  });

  it('the same file name in two bodies, and reopened in one body, is fine', () => {
    expect(diags(`${BASE}thread a {\n  open f on card0\n  close f\n  open f on card0\n  close f\n}\nthread b { open f on card0 }\n`)).toEqual([]);
  });

  it('read and write take a timer as well as a revocable', () => {
    expect(diags(`${BASE}thread t {\n  read ptimer\n  write ptimer\n  read bar0\n  access bar0 { write bar0 }\n}\n`)).toEqual([]);
  });

  it('durations at the limits and handlers of different events or targets are fine', () => {
    expect(
      diags(`${BASE}drm card1 on gpu0\non release card0 { }\non release card1 { }\non remove nova_drm { }\non close nova_drm { }\nthread t { sleep 1ns sleep 1000s repeat 1 { } }\n`),
    ).toEqual([]);
  });

  it('recovered parts of a broken file give no static errors of their own', () => {
    const a = compile(`${BASE}thread t {\n  open f on\n  close f\n  sleep\n  wait job timeout\n}\nexpect\n`);
    expect(a.diagnostics.every((d) => d.code === 'syntax')).toBe(true);
  });

  it('a misspelt handler event is a syntax error only', () => {
    const a = compile(`${BASE}on unload card0 { }\non unload card0 { }\n`);
    expect(a.diagnostics.map((d) => d.code)).toEqual(['syntax', 'syntax']);
  });
});
