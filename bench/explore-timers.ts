// The explorer on the version-2 timer family (issue 10; bench/timer-family.ts): N users
// arming timers through a char device, an IRQ raised by the hardware, an unbind, for
// N = 1..6 in both variants. Per row: the verdict (as (kind in thread) pairs, against the
// expected one), the states, transitions and time of the full search with every reduction,
// and the same without reductions up to N = 4 (`plainUpToN`). Prints a markdown table;
// returns the rows `npm run bench` shows (the reduction at N = 4 on `fixed` has a target).
//
//   npm run bench explore-timers                 this family only
//   npm run bench explore-timers -- --max-n 4 --repeat 1 --plain-up-to 4

import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { compile } from '../grammar';
import { lower, type Program } from '../debug-adapter/runtime/program';
import { explore, type ExploreResult } from '../debug-adapter/explorer/explore';
import { TIMER_FAMILY_VARIANTS, timerFamilyExpected, timerFamilyScenario, type TimerFamilyVariant } from './timer-family';
import { median, type BenchRow } from './table';

export interface BenchTimersOptions {
  /** largest N (default 6) */
  maxN?: number;
  /** runs per reduced search, median reported (default 3) */
  repeat?: number;
  /** the unreduced search runs for N up to this (default 4: the target is at N = 4) */
  plainUpToN?: number;
  print?: (line: string) => void;
}

interface Measured { pairs: string[]; states: number; transitions: number; complete: boolean; ms: number }

interface Row {
  variant: TimerFamilyVariant;
  n: number;
  expected: string[];
  reduced: Measured;
  plain: Measured | null;
}

const pairsOf = (r: ExploreResult) => [...new Set(r.faults.map((f) => `${f.kind} in ${f.thread}`))].sort();

function measure(p: Program, reduction: boolean, repeat: number): Measured {
  const times: number[] = [];
  let last: ExploreResult | null = null;
  for (let k = 0; k < repeat; k++) {
    const t0 = performance.now();
    last = explore(p, { reduction, maxStates: 5_000_000 });
    times.push(performance.now() - t0);
  }
  return { pairs: pairsOf(last!), states: last!.states, transitions: last!.transitions, complete: last!.complete, ms: median(times) };
}

/** Verdict text of a search: the pairs, or clean; an incomplete search says so. */
function verdict(m: Measured): string {
  const v = m.pairs.length ? m.pairs.join(' + ') : 'clean';
  return m.complete ? v : `${v} (incomplete)`;
}

const okVerdict = (r: Row, m: Measured) => m.complete && m.pairs.join() === r.expected.join();

export function benchTimerFamily(o: BenchTimersOptions = {}): BenchRow[] {
  const print = o.print ?? ((l: string) => console.log(l));
  const maxN = o.maxN ?? 6;
  const repeat = Math.max(1, o.repeat ?? 3);
  const plainUpTo = o.plainUpToN ?? 4;
  const rows: Row[] = [];
  // warm the JIT once, as a long-running tool (the language server) is
  explore(lower(compile(timerFamilyScenario(2, 'fixed')).file));
  for (let n = 1; n <= maxN; n++) {
    for (const v of TIMER_FAMILY_VARIANTS) {
      const a = compile(timerFamilyScenario(n, v));
      if (a.diagnostics.length) throw new Error(`generated scenario has static errors: ${a.diagnostics[0].message}`);
      const p = lower(a.file);
      const reduced = measure(p, true, repeat);
      const plain = n <= plainUpTo ? measure(p, false, 1) : null;
      rows.push({ variant: v, n, expected: timerFamilyExpected(n, v), reduced, plain });
      print(`  measured timers ${v} N=${n}: ${reduced.states} states ${(reduced.ms / 1000).toFixed(2)} s` +
        (plain ? `, unreduced ${plain.states} states ${(plain.ms / 1000).toFixed(2)} s` : ''));
    }
  }
  printRows(rows, print, repeat);
  return summaryRows(rows, maxN);
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const num = (x: number) => x.toLocaleString('en');

function printRows(rows: Row[], print: (l: string) => void, repeat: number): void {
  print('');
  print(`## Explorer on the version-2 timer family (${cpus().length} cores, load ${loadavg()[0].toFixed(1)}, reduced: medians of ${repeat}, unreduced: one run)`);
  print('');
  const head = ['variant', 'N', 'verdict', 'expected', 'states', 'transitions', 'time', 'unreduced: verdict', 'unreduced: states', 'unreduced: time', 'reduction'];
  print(`| ${head.join(' | ')} |`);
  print(`|${head.map((_, i) => (i < 4 || i === 7 ? ':--' : '--:')).join('|')}|`);
  for (const r of rows) {
    const pl = r.plain;
    print(`| ${[
      r.variant, r.n, verdict(r.reduced) + (okVerdict(r, r.reduced) ? '' : ' **NOT EXPECTED**'), r.expected.length ? r.expected.join(' + ') : 'clean',
      num(r.reduced.states), num(r.reduced.transitions), sec(r.reduced.ms),
      pl ? verdict(pl) + (okVerdict(r, pl) ? '' : ' **NOT EXPECTED**') : '—', pl ? num(pl.states) : '—', pl ? sec(pl.ms) : '—',
      pl ? `${(pl.states / r.reduced.states).toFixed(1)}×` : '—',
    ].join(' | ')} |`);
  }
  print('');
}

function summaryRows(rows: Row[], maxN: number): BenchRow[] {
  const out: BenchRow[] = [];
  const searches = rows.flatMap((r) => [[r, r.reduced] as const, ...(r.plain ? [[r, r.plain] as const] : [])]);
  const bad = searches.filter(([r, m]) => !okVerdict(r, m));
  out.push({
    name: `explore timers: verdicts as expected (buggy: use-after-free in timer/tN; fixed: clean), N ≤ ${maxN}, reduced and unreduced`,
    value: `${searches.length - bad.length}/${searches.length}${bad.length ? ` (differ: ${bad.map(([r]) => `${r.variant} N=${r.n}`).join(', ')})` : ''}`,
    target: 'all', ok: bad.length === 0,
  });
  for (const r of rows.filter((x) => x.n === 4 && x.plain)) {
    const f = r.plain!.states / r.reduced.states;
    out.push({
      name: `explore timers: reduction at N = 4, ${r.variant}`,
      value: `${num(r.plain!.states)} → ${num(r.reduced.states)} states (${f.toFixed(0)}×); ${sec(r.plain!.ms)} → ${sec(r.reduced.ms)}`,
      ...(r.variant === 'fixed' ? { target: '≥ 10×', ok: f >= 10 } : {}),
    });
  }
  for (const r of rows.filter((x) => x.n === maxN)) {
    out.push({ name: `explore timers: ${r.variant}, N = ${maxN}, full space`, value: `${num(r.reduced.states)} states, ${sec(r.reduced.ms)}` });
  }
  return out;
}
