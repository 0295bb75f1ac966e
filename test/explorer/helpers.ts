// Helpers for the explorer tests: compiling scenario texts, the files to check (shared
// conformance scenarios, the project's samples, the benchmark family), a comparable
// summary of an exploration, and a generator of small random scenarios.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { compile } from '../../grammar';
import { lower, type Program } from '../../debug-adapter/runtime/program';
import type { ExploreResult } from '../../debug-adapter/explorer/explore';
import { FAMILY_VARIANTS, deadlockAScenario, familyScenario } from '../../bench/spin/family';
import { TIMER_FAMILY_VARIANTS, timerFamilyScenario } from '../../bench/timer-family';
import { CONFORMANCE, REPO, conformanceFiles } from '../shared';

/** Compiles a scenario; throws with the diagnostics when it has static errors. */
export function program(text: string, name = 'test.lifetime'): Program {
  const a = compile(text);
  if (a.diagnostics.length) {
    throw new Error(`${name}: static errors:\n${a.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.code} ${d.message}`).join('\n')}`);
  }
  return lower(a.file);
}

/** Compiles a scenario, or null when it has static errors. */
export function tryProgram(text: string): Program | null {
  const a = compile(text);
  return a.diagnostics.length ? null : lower(a.file);
}

export interface Case {
  name: string;
  text: string;
}

export function conformanceCases(): Case[] {
  const v1 = conformanceFiles().map((f) => ({ name: basename(f), text: readFileSync(f, 'utf8') }));
  // version 2: the files whose every construct the runtime simulates (more as objects land)
  const dir = join(CONFORMANCE, 'v2');
  const v2 = !existsSync(dir) ? [] : readdirSync(dir).filter((f) => f.endsWith('.lifetime')).sort()
    .map((f) => ({ name: `v2/${f}`, text: readFileSync(join(dir, f), 'utf8') }))
    .filter((c) => { const a = compile(c.text); return a.diagnostics.length === 0; });
  return [...v1, ...v2];
}

/** samples/*.lifetime and samples/v2/*.lifetime (named `samples/v2/<f>`), globbed now. */
export function sampleCases(): Case[] {
  const out: Case[] = [];
  for (const sub of ['samples', 'samples/v2']) {
    const dir = join(REPO, sub);
    if (!existsSync(dir)) continue;
    out.push(...readdirSync(dir).filter((f) => f.endsWith('.lifetime')).sort()
      .map((f) => ({ name: `${sub}/${f}`, text: readFileSync(join(dir, f), 'utf8') })));
  }
  return out;
}

/**
 * The benchmark families up to N users: lifetime.pml and deadlock_a.pml in .lifetime, and
 * the version-2 timer family (bench/timer-family.ts, named `timers <variant> N=<n>`).
 */
export function familyCases(maxN: number): Case[] {
  const out: Case[] = [
    { name: 'deadlock_a', text: deadlockAScenario(false) },
    { name: 'deadlock_a -DFIX', text: deadlockAScenario(true) },
  ];
  for (let n = 1; n <= maxN; n++) for (const v of FAMILY_VARIANTS) out.push({ name: `family ${v} N=${n}`, text: familyScenario(n, v) });
  out.push(...timerFamilyCases(maxN));
  return out;
}

/** The version-2 timer family alone, up to N users. */
export function timerFamilyCases(maxN: number): Case[] {
  const out: Case[] = [];
  for (let n = 1; n <= maxN; n++) for (const v of TIMER_FAMILY_VARIANTS) out.push({ name: `timers ${v} N=${n}`, text: timerFamilyScenario(n, v) });
  return out;
}

/**
 * What two explorations must agree on: the fault sites (and their (kind, thread) pairs), the
 * threads some deadlock blocks, completeness, and the statements no schedule reaches (with
 * what they are blocked behind).
 */
export function summary(r: ExploreResult): { pairs: string[]; sites: string[]; blocked: string[]; complete: boolean; unreached: ExploreResult['unreached'] } {
  return {
    pairs: [...new Set(r.faults.map((f) => `${f.kind} in ${f.thread}`))].sort(),
    // every fault site: kind, thread and statement (tools.md §1)
    sites: [...new Set(r.faults.map((f) => `${f.kind} in ${f.thread} at ${f.line}:${f.column}`))].sort(),
    blocked: [...new Set(r.faults.flatMap((f) => (f.blocked ?? []).map((b) => `${f.kind} blocks ${b}`)))].sort(),
    complete: r.complete,
    unreached: r.unreached,
  };
}

// ---------------------------------------------------------------- random scenarios

const PRELUDE = (fops: boolean, holds: boolean, managed: 'devm' | 'drmm') => `module m
device d
driver drv in m binds d { fops_owner: ${fops ? 'yes' : 'no'} drm_holds_module: ${holds ? 'yes' : 'no'} }
drm card on d
revocable bar on d
timer tm on bar
fence f1 on d
data st ${managed} on ${managed === 'devm' ? 'd' : 'card'}
mutex mx
spinlock sl
completion cp
kref ko in drv devm
data kz
`;

/** A statement that needs no file (FENCE stands for the thread's fence). */
const simpleStmt = fc.constantFrom(
  'get card', 'put card', 'try_module_get m', 'module_put m', 'hotunplug d', 'unbind d', 'rmmod m', 'rmmod m force',
  'submit FENCE', 'wait FENCE', 'wait FENCE timeout 1ms', 'poll FENCE', 'poll FENCE timeout 1ms', 'signal FENCE', 'signal FENCE error',
  'use st', 'queue w', 'flush w', 'cancel w', 'lock mx', 'unlock mx', 'unplug card', 'revoke bar', 'log "x"', 'sleep 1ms',
  'read bar', 'write bar', 'read tm', 'write tm',
  // version 2: spinlocks, completions, krefs, kzalloc'd data and free
  'lock sl', 'unlock sl', 'complete cp', 'wait cp', 'wait cp timeout 1ms', 'get ko', 'put ko', 'use ko',
  'free st', 'free kz', 'use kz',
  // version 2 callbacks: a kernel timer, an IRQ, the new work statements
  'arm kt', 'arm kt after 1ms', 'cancel kt', 'cancel kt nosync', 'disable kt', 'cancel w nosync', 'disable w',
  'raise iq', 'free_irq iq',
);

const blockStmt: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: simpleStmt },
  { weight: 1, arbitrary: fc.array(simpleStmt, { minLength: 1, maxLength: 2 }).map((b) => `enter card { ${b.join(' ')} }`) },
  { weight: 1, arbitrary: fc.tuple(fc.array(simpleStmt, { minLength: 1, maxLength: 2 }), simpleStmt).map(([b, e]) => `enter card { ${b.join(' ')} } else { ${e} }`) },
  { weight: 1, arbitrary: fc.array(simpleStmt, { minLength: 1, maxLength: 2 }).map((b) => `access bar { ${b.join(' ')} }`) },
  { weight: 1, arbitrary: fc.tuple(fc.array(simpleStmt, { minLength: 1, maxLength: 2 }), simpleStmt).map(([b, e]) => `access bar { ${b.join(' ')} } else { ${e} }`) },
  { weight: 1, arbitrary: fc.array(simpleStmt, { minLength: 1, maxLength: 2 }).map((b) => `repeat 2 { ${b.join(' ')} }`) },
);

/** A thread body: maybe a file (open, ioctl, close), then statements. */
const body = fc.record({
  file: fc.boolean(),
  ioctl: fc.array(simpleStmt, { maxLength: 2 }),
  close: fc.boolean(),
  stmts: fc.array(blockStmt, { minLength: 1, maxLength: 3 }),
  at: fc.nat(3),
}).map(({ file, ioctl, close, stmts, at }) => {
  if (!file) return stmts;
  const f = ['open f on card', ...(ioctl.length ? [`ioctl f { ${ioctl.join(' ')} }`] : [])];
  const out = [...stmts];
  out.splice(Math.min(at, out.length), 0, ...f);
  if (close) out.push('close f');
  return out;
});

/**
 * Small random scenarios: one driver, two or three threads, handlers and a work item
 * sometimes (two, which may queue each other: cycles), and sometimes two or three copies
 * of one thread (each with its own fence) to exercise the symmetry reduction.
 */
export const scenarioArb: fc.Arbitrary<string> = fc.record({
  fops: fc.boolean(),
  holds: fc.boolean(),
  managed: fc.constantFrom('devm' as const, 'drmm' as const),
  remove: fc.option(fc.array(fc.constantFrom('unplug card', 'signal f1 error', 'cancel w', 'use st', 'log "rm"'), { minLength: 1, maxLength: 2 }), { nil: null }),
  close: fc.option(fc.constantFrom('use st', 'log "close"', 'put card'), { nil: null }),
  release: fc.option(fc.constantFrom('use st', 'log "release"'), { nil: null }),
  krefRelease: fc.option(fc.constantFrom('use st', 'use kz', 'free kz', 'complete cp'), { nil: null }),
  work: fc.array(fc.constantFrom('log "w"', 'use st', 'read bar', 'signal f1', 'queue w2'), { minLength: 1, maxLength: 2 }),
  work2: fc.constantFrom('log "w2"', 'queue w', 'signal f1'),
  timer: fc.array(fc.constantFrom('log "kt"', 'use st', 'arm kt', 'cancel kt', 'queue w', 'lock mx', 'unlock mx'), { minLength: 1, maxLength: 2 }),
  irq: fc.array(fc.constantFrom('log "iq"', 'use st', 'free_irq iq', 'raise iq', 'arm kt', 'lock mx'), { minLength: 1, maxLength: 2 }),
  irqOpts: fc.constantFrom('', ' threaded', ' devm', ' threaded devm'),
  copies: fc.constantFrom(1, 1, 2, 3),
  threads: fc.array(body, { minLength: 1, maxLength: 2 }),
}).map((g) => {
  const out = [PRELUDE(g.fops, g.holds, g.managed)];
  out.push(`work w in drv { ${g.work.join(' ')} }`, `work w2 in drv { ${g.work2} }`);
  out.push(`timer kt in drv { ${g.timer.join(' ')} }`, `irq iq on d${g.irqOpts} { ${g.irq.join(' ')} }`);
  if (g.remove) out.push(`on remove drv { ${g.remove.join(' ')} }`);
  if (g.close) out.push(`on close drv { ${g.close} }`);
  if (g.release) out.push(`on release card { ${g.release} }`);
  if (g.krefRelease) out.push(`on release ko { ${g.krefRelease} }`);
  const threads: { name: string; fence: string; stmts: string[] }[] = g.threads.map((b, i) => ({ name: `t${i + 1}`, fence: 'f1', stmts: b }));
  if (g.copies > 1) {
    // copies of the first thread, each with a fence of its own
    out.push('fence fa on d');
    threads[0].fence = 'fa';
    for (let c = 1; c < g.copies; c++) {
      out.push(`fence fc${c} on d`);
      threads.push({ name: `t1c${c}`, fence: `fc${c}`, stmts: threads[0].stmts });
    }
  }
  for (const t of threads) out.push(`thread ${t.name} {\n  ${t.stmts.map((s) => s.replace(/FENCE/g, t.fence)).join('\n  ')}\n}`);
  return out.join('\n') + '\n';
});

/** A uAPI statement of version 2 (char devices, sysfs attributes) or one that races with it. */
const uapiStmt = fc.constantFrom(
  'show a', 'show a2', 'unregister c', 'unbind d', 'hotunplug d', 'rmmod m', 'rmmod m force', 'use st', 'lock mx', 'unlock mx',
  'log "x"', 'sleep 1ms', 'unplug card', 'get card', 'put card',
);

/**
 * Small random version-2 uAPI scenarios: a char device (open, ioctl, close, cdev_del) and
 * two sysfs attributes (show, drained by the unbind) of a driver that may also have a drm
 * device, with the default remove or its own; the attributes' blocks may lock, unbind and
 * use devm data, so the drain's deadlocks (with a lock, with itself) come up.
 */
export const uapiArb: fc.Arbitrary<string> = fc.record({
  fops: fc.boolean(),
  drm: fc.boolean(),
  remove: fc.option(fc.array(fc.constantFrom('unregister c', 'use st', 'lock mx unlock mx', 'log "rm"'), { minLength: 1, maxLength: 2 }), { nil: null }),
  close: fc.option(fc.constantFrom('use st', 'log "close"'), { nil: null }),
  attr: fc.array(fc.constantFrom('use st', 'lock mx', 'unlock mx', 'unbind d', 'log "s"', 'show a2', 'unregister c'), { minLength: 0, maxLength: 2 }),
  attr2: fc.constantFrom('log "s2"', 'use st', 'lock mx unlock mx'),
  threads: fc.array(fc.record({
    file: fc.boolean(),
    ioctl: fc.array(uapiStmt, { maxLength: 2 }),
    close: fc.boolean(),
    stmts: fc.array(uapiStmt, { minLength: 1, maxLength: 3 }),
    at: fc.nat(3),
  }), { minLength: 2, maxLength: 3 }),
}).map((g) => {
  const out = [`module m
device d
driver drv in m binds d { fops_owner: ${g.fops ? 'yes' : 'no'} }
data st devm on d
mutex mx
cdev c on d
drm card on d`];
  out.push(`attr a on d { ${g.attr.join(' ')} }`, `attr a2 on d { ${g.attr2} }`);
  if (g.remove) out.push(`on remove drv { ${g.remove.join(' ')} }`);
  if (g.close) out.push(`on close drv { ${g.close} }`);
  g.threads.forEach((t, i) => {
    const stmts: string[] = [...t.stmts];
    if (t.file) {
      stmts.splice(Math.min(t.at, stmts.length), 0, 'open f on c', ...(t.ioctl.length ? [`ioctl f { ${t.ioctl.join(' ')} }`] : []));
      if (t.close) stmts.push('close f');
    }
    out.push(`thread t${i + 1} {\n  ${stmts.join('\n  ')}\n}`);
  });
  // without a drm device: the default remove is cdev_del alone
  return (g.drm ? out.join('\n') : out.join('\n').replace('\ndrm card on d', '').replace(/(unplug|get|put) card/g, 'log "no drm"')) + '\n';
});

/**
 * Scenarios shaped like the benchmark family, varied: users that open, enter, access, submit
 * and wait in different orders, a hot-unplug, an unbind or an rmmod (maybe forced), the
 * default remove or one of its own, references taken or not: what the reductions' finer
 * rules (reference counts that stay above zero, unbinds held up by drm_dev_enter sections)
 * are about.
 */
export const familyLikeArb: fc.Arbitrary<string> = fc.record({
  fops: fc.boolean(),
  holds: fc.boolean(),
  remove: fc.constantFrom(null, 'unplug card', 'signal FIRST error\n  unplug card', 'log "rm"'),
  release: fc.boolean(),
  users: fc.integer({ min: 1, max: 3 }),
  body: fc.shuffledSubarray(['get', 'timeout', 'access-submit', 'write-outside', 'nested-enter'], { minLength: 0, maxLength: 3 }),
  others: fc.shuffledSubarray(['hotunplug d', 'unbind d', 'rmmod m', 'rmmod m force', 'unplug card', 'revoke bar', 'put card'], { minLength: 1, maxLength: 3 }),
  split: fc.boolean(),
}).map((g) => {
  const out = [`module m
device d
driver drv in m binds d { fops_owner: ${g.fops ? 'yes' : 'no'} drm_holds_module: ${g.holds ? 'yes' : 'no'} }
drm card on d
revocable bar on d`];
  for (let i = 1; i <= g.users; i++) out.push(`fence job${i} on d`);
  if (g.remove) out.push(`on remove drv {\n  ${g.remove.replace('FIRST', 'job1')}\n}`);
  if (g.release) out.push('on release card { log "release" }');
  const has = (x: string) => g.body.includes(x);
  for (let i = 1; i <= g.users; i++) {
    const inner = [
      has('access-submit') ? `access bar { write bar submit job${i} }` : `submit job${i}`,
      `wait job${i}${has('timeout') ? ' timeout 1ms' : ''}`,
    ];
    const enter = has('nested-enter') ? `enter card { enter card { ${inner.join(' ')} } }` : `enter card { ${inner.join(' ')} }`;
    out.push(`thread user${i} {
  ${has('get') ? 'get card\n  ' : ''}open f on card
  ioctl f { ${enter} }
  ${has('write-outside') ? 'write bar\n  ' : ''}close f${has('get') ? '\n  put card' : ''}
}`);
  }
  if (g.split && g.others.length > 1) g.others.forEach((o, k) => out.push(`thread other${k} { ${o} }`));
  else out.push(`thread other { ${g.others.join(' ')} }`);
  return out.join('\n') + '\n';
});
