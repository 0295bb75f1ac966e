// Generated scenarios (random bodies, nesting, driver options, handlers and layouts) check
// what the fixture table cannot enumerate: lint never throws, stays sorted and inside the
// text, and every quick fix yields a valid file with one diagnostic of its code fewer.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../grammar/index';
import { LINT_CODES, type LintDiagnostic, lint } from '../../server/lints';
import { fixProblems } from './fixtures/lints/helpers';

type Tree = { s: string } | { head: string; body: Tree[]; els?: Tree[] };

const SIMPLE = [
  'get card0', 'put card0', 'try_module_get nova', 'module_put nova', 'unplug card0', 'revoke bar0',
  'hotunplug gpu0', 'unbind gpu0', 'rmmod nova', 'submit job', 'wait job', 'wait job timeout 1ms',
  'poll job', 'poll job timeout 1ms', 'signal job error', 'read bar0', 'read ptimer', 'write bar0',
  'use st', 'queue w', 'flush w', 'cancel w', 'sleep 1ms', 'lock m', 'unlock m', 'log "x"',
  // version 2
  'arm tm', 'cancel tm', 'cancel tm nosync', 'disable tm', 'disable w', 'cancel w nosync', 'raise iq', 'free_irq iq',
  'lock sp', 'unlock sp', 'unregister ctl', 'show at',
];

function stmts(withFile: boolean, depth: number): fc.Arbitrary<Tree[]> {
  const simple = fc.constantFrom(...SIMPLE, ...(withFile ? ['close f'] : [])).map((s): Tree => ({ s }));
  if (depth === 0) return fc.array(simple, { maxLength: 3 });
  const inner = stmts(withFile, depth - 1);
  const guard = fc
    .tuple(fc.constantFrom('enter card0', 'access bar0'), inner, fc.option(inner, { nil: undefined }))
    .map(([head, body, els]): Tree => ({ head, body, els }));
  const other = fc
    .tuple(fc.constantFrom('repeat 2', ...(withFile ? ['ioctl f'] : [])), inner)
    .map(([head, body]): Tree => ({ head, body }));
  return fc.array(fc.oneof({ arbitrary: simple, weight: 3 }, guard, other), { maxLength: 4 });
}

const body = fc.boolean().chain((withFile) => stmts(withFile, 2).map((t) => (withFile ? [{ s: 'open f on card0' } as Tree, ...t] : t)));

/** Renders a block: indented lines (with trailing comments at random), or all on one line. */
function render(trees: Tree[], ind: string, oneLine: boolean, comments: boolean): string {
  if (oneLine || trees.length === 0) return `{ ${trees.map((t) => renderOne(t, '', true, false)).join(' ')} }`;
  const lines = trees.map((t, i) => ind + '  ' + renderOne(t, ind + '  ', false, comments) + (comments && 's' in t && i % 2 ? ' // c' : ''));
  return `{\n${lines.join('\n')}\n${ind}}`;
}

function renderOne(t: Tree, ind: string, oneLine: boolean, comments: boolean): string {
  if ('s' in t) return t.s;
  const els = t.els ? ` else ${render(t.els, ind, oneLine, comments)}` : '';
  return `${t.head} ${render(t.body, ind, oneLine, comments)}${els}`;
}

const scenario = fc
  .record({
    options: fc.subarray(['fops_owner: no', 'fops_owner: yes', 'drm_holds_module: no', 'drm_holds_module: yes']),
    block: fc.boolean(),
    data: fc.constantFrom('devm on gpu0', 'drmm on card0'),
    extraDrm: fc.boolean(),
    work: body,
    timer: body,
    irq: body,
    irqFlags: fc.subarray(['threaded', 'devm']),
    ptimerForm: fc.constantFrom('timer', 'ptimer'),
    remove: fc.option(body, { nil: undefined }),
    close: fc.option(body, { nil: undefined }),
    release: fc.option(body, { nil: undefined }),
    threads: fc.array(body, { minLength: 1, maxLength: 2 }),
    oneLine: fc.boolean(),
    comments: fc.boolean(),
  })
  .filter((r) => new Set(r.options.map((o) => o.split(':')[0])).size === r.options.length)
  .map((r) => {
    const b = (t: Tree[]) => render(t, '', r.oneLine, r.comments);
    const opts = r.options.length || r.block ? ` {${r.options.map((o) => `\n  ${o}`).join('')}\n}` : '';
    return [
      'module nova',
      'device gpu0',
      `driver nova_drm in nova binds gpu0${opts}`,
      'drm card0 on gpu0',
      ...(r.extraDrm ? ['drm card1 on gpu0'] : []),
      'revocable bar0 on gpu0',
      `${r.ptimerForm} ptimer on bar0`,
      'fence job on gpu0',
      `data st ${r.data}`,
      'mutex m',
      `work w in nova_drm ${b(r.work)}`,
      'spinlock sp',
      'cdev ctl on gpu0',
      `timer tm in nova_drm ${b(r.timer)}`,
      `irq iq on gpu0${r.irqFlags.map((f) => ` ${f}`).join('')} ${b(r.irq)}`,
      'attr at on gpu0 { log "show" }',
      ...(r.remove ? [`on remove nova_drm ${b(r.remove)}`] : []),
      ...(r.close ? [`on close nova_drm ${b(r.close)}`] : []),
      ...(r.release ? [`on release card0 ${b(r.release)}`] : []),
      ...r.threads.map((t, i) => `thread t${i} ${b(t)}`),
      '',
    ].join('\n');
  });

describe('lint on generated scenarios', () => {
  it('never throws, is sorted, and every fix is valid and removes its diagnostic', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(scenario, (text) => {
        const a = compile(text);
        expect(a.diagnostics, text).toEqual([]);
        const diags: LintDiagnostic[] = lint(a, text);
        for (const d of diags) seen.add(d.code);
        const offs = diags.map((d) => d.range.start.offset);
        expect(offs).toEqual([...offs].sort((x, y) => x - y));
        for (const d of diags) {
          expect(d.range.end.offset).toBeLessThanOrEqual(text.length);
          expect(text.slice(d.range.start.offset, d.range.end.offset).trim()).not.toBe('');
        }
        expect(fixProblems(text, diags), text).toEqual([]);
      }),
      // A fixed seed keeps the suite deterministic; LINT_SEED/LINT_RUNS explore further.
      { numRuns: Number(process.env.LINT_RUNS ?? 300), seed: Number(process.env.LINT_SEED ?? 20250228) },
    );
    // The generator must reach every rule, or this test proves less than it says.
    expect([...seen].sort()).toEqual([...LINT_CODES].sort());
  }, 600_000);
});
