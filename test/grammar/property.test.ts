// Robustness: whatever the text, `compile` returns (never throws), every diagnostic and
// every node range lies inside the text with line/column matching its offset, and the tree
// has no `undefined` where the AST types promise a value. 10,500 cases in all.

import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEYWORDS, compile, positionMapper, type Position, type Range } from '../../grammar/index';
import { CONFORMANCE_DIR, CONFORMANCE_PRESENT } from './paths';

const REQUIRED: Record<string, string[]> = {
  module: ['name'],
  device: ['name'],
  mutex: ['name'],
  driver: ['name', 'module', 'device', 'options'],
  drm: ['name', 'device'],
  revocable: ['name', 'device'],
  ptimer: ['name', 'revocable', 'deprecatedForm', 'keywordRange'],
  timer: ['name', 'driver', 'body'],
  irq: ['name', 'device', 'threaded', 'devm', 'body'],
  kref: ['name', 'driver', 'devm'],
  spinlock: ['name'],
  completion: ['name'],
  cdev: ['name', 'device'],
  attr: ['name', 'device', 'body'],
  fence: ['name', 'device'],
  data: ['name', 'managed'],
  work: ['name', 'driver', 'body'],
  handler: ['event', 'eventRange', 'target', 'body'],
  thread: ['name', 'body'],
  expect: ['mode', 'outcome', 'outcomeRange'],
  open: ['keywordRange', 'file', 'target'],
  ioctl: ['keywordRange', 'file', 'body'],
  enter: ['keywordRange', 'target', 'body'],
  access: ['keywordRange', 'target', 'body'],
  rmmod: ['keywordRange', 'target', 'force'],
  wait: ['keywordRange', 'target'],
  poll: ['keywordRange', 'target'],
  signal: ['keywordRange', 'target', 'error'],
  queue: ['keywordRange', 'target'],
  arm: ['keywordRange', 'target'],
  cancel: ['keywordRange', 'target', 'nosync'],
  sleep: ['keywordRange', 'duration'],
  repeat: ['keywordRange', 'count', 'body'],
  log: ['keywordRange', 'text'],
};
const SIMPLE = ['close', 'get', 'put', 'try_module_get', 'module_put', 'unplug', 'revoke', 'hotunplug', 'unbind', 'submit', 'read', 'write', 'use', 'flush', 'lock', 'unlock',
  'disable', 'raise', 'free_irq', 'complete', 'free', 'unregister', 'show'];
for (const k of SIMPLE) REQUIRED[k] = ['keywordRange', 'target'];

function fail(text: string, what: string): never {
  throw new Error(`${what}\n--- text: ${JSON.stringify(text)}`);
}

/** Runs compile and checks every invariant; throws with the offending text if one fails. */
function check(text: string): void {
  const a = compile(text);
  const at = positionMapper(text);
  const samePos = (p: Position) => {
    const q = at(p.offset);
    return Number.isInteger(p.offset) && p.offset >= 0 && p.offset <= text.length && q.line === p.line && q.column === p.column;
  };
  const okRange = (r: Range, what: string) => {
    if (!r || !r.start || !r.end || !samePos(r.start) || !samePos(r.end) || r.start.offset > r.end.offset) {
      fail(text, `bad range of ${what}: ${JSON.stringify(r)}`);
    }
  };
  let prev = -1;
  for (const d of a.diagnostics) {
    okRange(d.range, `diagnostic ${d.code} ${d.message}`);
    if (typeof d.message !== 'string' || d.message === '' || d.severity !== 'error') fail(text, `bad diagnostic ${JSON.stringify(d)}`);
    if (d.range.start.offset < prev) fail(text, 'diagnostics not sorted');
    prev = d.range.start.offset;
  }
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => walk(n, `${where}[${i}]`));
      return;
    }
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      if (v === undefined) fail(text, `${where}.${k} is undefined`);
      if ((k === 'range' || k === 'keywordRange' || k === 'eventRange' || k === 'outcomeRange' || k === 'valueRange') && v) {
        okRange(v as Range, `${where}.${k}`);
      } else walk(v, `${where}.${k}`);
    }
    if ('name' in o && typeof o.name !== 'string' && typeof o.name !== 'object') fail(text, `${where}.name is not a string`);
    const kind = o.kind;
    if (typeof kind === 'string' && REQUIRED[kind]) {
      for (const k of REQUIRED[kind]!) if (!(k in o)) fail(text, `${where} (${kind}) has no ${k}`);
    }
  };
  walk(a.file, 'file');
  const s = a.symbols;
  for (let off = -1; off <= text.length + 1; off += Math.max(1, text.length >> 3)) s.refAt(off);
  for (const d of a.file.decls) {
    if (d.kind !== 'handler' && d.kind !== 'expect') s.referencesTo(d);
    if ('body' in d) s.fileOpens(d.body);
  }
  for (const r of s.refs) okRange(r.ident.range, `ref ${r.ident.name}`);
}

const TOKENS = [
  ...KEYWORDS,
  'nova', 'gpu0', 'card0', 'f', 'bar0', 'job', 'app', 'x_1', 'fops_owner', 'drm_holds_module',
  'ptimer', 'kworker', '/', 'timer/t', 'kworker/w', 'irq/i',
  '{', '}', ':', '"s"', '"a\\"b\\\\"', '"unterminated', '"bad\\q"', '5ms', '0s', '1001s', '250us', '1ns', '42', '0', '1_000', '2_000_000',
  '12abc', '1_', 'use-after-free', 'code-after-unload', 'deadlock', 'leak', 'bogus-kind', '//c\n', '/* c */', '/*', '*/', '#', '-', '@',
  '\n', '\r\n', '\r', '\t', '\u2028', '\ufeff', 'é', '😀',
];
const SEPARATORS = [' ', ' ', '\n', '', '  ', '\r\n'];

const tokenSoup = fc
  .array(fc.tuple(fc.constantFrom(...TOKENS), fc.constantFrom(...SEPARATORS)), { maxLength: 80 })
  .map((parts) => parts.map(([t, sep]) => t + sep).join(''));

type Op = [kind: 'del' | 'ins' | 'insChar' | 'swap' | 'dupLine' | 'delLine', a: number, b: number, token: string];
const ops = fc.array(
  fc.tuple(
    fc.constantFrom('del', 'ins', 'insChar', 'swap', 'dupLine', 'delLine') as fc.Arbitrary<Op[0]>,
    fc.nat(),
    fc.nat({ max: 40 }),
    fc.constantFrom(...TOKENS),
  ),
  { minLength: 1, maxLength: 5 },
);

function mutate(text: string, list: Op[]): string {
  let t = text;
  for (const [kind, a, b, token] of list) {
    const at = t.length ? a % (t.length + 1) : 0;
    switch (kind) {
      case 'del':
        t = t.slice(0, at) + t.slice(at + 1 + b);
        break;
      case 'ins':
        t = `${t.slice(0, at)} ${token} ${t.slice(at)}`;
        break;
      case 'insChar':
        t = t.slice(0, at) + token.charAt(b % Math.max(1, token.length)) + t.slice(at);
        break;
      case 'swap': {
        const words = t.split(/(\s+)/);
        const i = (a % Math.max(1, words.length)) & ~1;
        const j = ((a + b + 2) % Math.max(1, words.length)) & ~1;
        if (words[i] !== undefined && words[j] !== undefined) [words[i], words[j]] = [words[j]!, words[i]!];
        t = words.join('');
        break;
      }
      case 'dupLine':
      case 'delLine': {
        const lines = t.split('\n');
        const i = a % lines.length;
        if (kind === 'dupLine') lines.splice(i, 0, lines[i]!);
        else lines.splice(i, 1 + (b % 3));
        t = lines.join('\n');
        break;
      }
    }
  }
  return t;
}

const fixtureDir = path.join(__dirname, 'fixtures');
const fixtures = fs
  .readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.lifetime'))
  .map((f) => fs.readFileSync(path.join(fixtureDir, f), 'utf8'));
const conformancePresent = CONFORMANCE_PRESENT;
const conformance = conformancePresent
  ? fs
      .readdirSync(CONFORMANCE_DIR)
      .filter((f) => f.endsWith('.lifetime'))
      .map((f) => fs.readFileSync(path.join(CONFORMANCE_DIR, f), 'utf8'))
  : [];

describe('compile never throws and keeps every range inside the text', () => {
  it('on random strings (2,500 cases)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => check(s)),
      { numRuns: 2500 },
    );
  });

  it('on random token soups (4,000 cases)', () => {
    fc.assert(
      fc.property(tokenSoup, (s) => check(s)),
      { numRuns: 4000 },
    );
  });

  it('on mutations of the parser fixtures (1,500 cases)', () => {
    fc.assert(
      fc.property(fc.nat(), ops, (i, list) => check(mutate(fixtures[i % fixtures.length]!, list))),
      { numRuns: 1500 },
    );
  });

  it.skipIf(!conformancePresent)('on mutations of the conformance files (2,500 cases)', () => {
    fc.assert(
      fc.property(fc.nat(), ops, (i, list) => check(mutate(conformance[i % conformance.length]!, list))),
      { numRuns: 2500 },
    );
  });

  it('on the unmutated fixtures and conformance files, and on edge cases', () => {
    for (const t of [...fixtures, ...conformance]) check(t);
    for (const t of ['', ' ', '\n', '\r', '{', '}', '"', '/*', '//', 'on', 'on on on', 'expect', 'thread', 'thread t {', 'x'.repeat(10_000), '{'.repeat(2_000), 'thread t {'.repeat(500)]) {
      check(t);
    }
  });

  it('survives blocks nested too deeply for its stack, and parses normally afterwards', () => {
    const deep = `thread t {${' enter a {'.repeat(5_000)}${' }'.repeat(5_000)} }`;
    check(deep);
    expect(compile(deep).diagnostics.some((d) => d.message.includes('nested too deeply'))).toBe(true);
    const a = compile('module m\nthread t { try_module_get m module_put m }\n');
    expect(a.diagnostics).toEqual([]);
    expect(a.file.decls.map((d) => d.kind)).toEqual(['module', 'thread']);
  });
});
