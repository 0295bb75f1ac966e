// The explorer side by side with Spin (issue: explorer), on the scenario family of
// ../shared/bench/spin: the Promela models there, and the same driver written as generated
// `.lifetime` scenarios (bench/spin/family.ts). For N = 1..6 and each variant, in one run:
// states, transitions and time to verdict of both tools, the ratios, and whether the
// verdicts agree. Prints a markdown table; returns the rows `npm run bench` shows.
//
// Ours: "time to verdict" is the exhaustive exploration, in process (parse, check, lower,
// explore: every fault kind found and the search complete); "CLI" is `node bin/lifetime.js
// explore FILE --json` end to end, process start included; "first fault" is when the
// first fault was found. Spin: end to end is spin -a + gcc + pan; "search" is pan alone. On
// a buggy model pan stops at its first error (as its README measures it); on the fixed one
// it searches the whole space.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compile } from '../grammar';
import { lower } from '../debug-adapter/runtime/program';
import { explore, type ExploreResult } from '../debug-adapter/explorer/explore';
import { deadlockAScenario, expectedVerdicts, FAMILY_VARIANTS, familyScenario, verdictOfKind, type FamilyVariant } from './spin/family';
import { ensureSpin, modelDir, SpinRunner, spinModel, type SpinResult } from './spin/spin';
import type { BenchRow } from './table';

export interface BenchExploreOptions {
  /** largest N (default 6) */
  maxN?: number;
  /** runs per measurement, medians reported (default 3) */
  repeat?: number;
  /** the unreduced search is run for N up to this (default 4: the state-count target is at N = 4) */
  plainUpToN?: number;
  /** skip Spin (or it is skipped by itself when it cannot be installed) */
  noSpin?: boolean;
  /** where to print the table (default console.log) */
  print?: (line: string) => void;
}

interface Ours {
  verdicts: string[];
  states: number;
  transitions: number;
  complete: boolean;
  /** in-process time to the complete verdict, ms */
  ms: number;
  /** time to the first fault, ms (NaN: none) */
  firstMs: number;
  /** `lifetime explore FILE --json` end to end, ms (NaN: not run) */
  cliMs: number;
}

interface Row {
  model: string;
  n: number | null;
  expected: string[];
  ours: Ours;
  plain: { states: number; complete: boolean } | null;
  spin: SpinResult | null;
  spinNote: string;
}

const median = (xs: number[]) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

function repoRoot(): string {
  for (const d of [process.cwd(), resolve(__dirname, '..'), resolve(__dirname, '../..')]) {
    if (existsSync(join(d, 'bin/lifetime.js'))) return d;
  }
  return process.cwd();
}

function runOurs(text: string, file: string, repeat: number, bin: string | null): Ours {
  let last: ExploreResult | null = null;
  const times: number[] = [];
  const firsts: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    let first = NaN;
    const a = compile(text);
    if (a.diagnostics.length) throw new Error(`generated scenario has static errors: ${a.diagnostics[0].message}`);
    const p = lower(a.file);
    last = explore(p, { onFault: () => { if (Number.isNaN(first)) first = performance.now() - t0; } });
    times.push(performance.now() - t0);
    firsts.push(first);
  }
  const r = last!;
  const clis: number[] = [];
  if (bin) {
    for (let k = 0; k < repeat; k++) {
      const t0 = performance.now();
      const out = spawnSync(process.execPath, [bin, 'explore', file, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      clis.push(performance.now() - t0);
      const j = JSON.parse(out.stdout) as { faults: { kind: string }[] };
      const v = [...new Set(j.faults.map((f) => verdictOfKind(f.kind)))].sort();
      const mine = [...new Set(r.faults.map((f) => verdictOfKind(f.kind)))].sort();
      if (v.join() !== mine.join()) throw new Error(`${file}: the CLI found ${v.join(', ')}, in process ${mine.join(', ')}`);
    }
  }
  const verdicts = [...new Set(r.faults.map((f) => verdictOfKind(f.kind)))].sort();
  return {
    verdicts: verdicts.length ? verdicts : ['clean'], states: r.states, transitions: r.transitions, complete: r.complete,
    ms: median(times), firstMs: median(firsts), cliMs: median(clis),
  };
}

export async function benchExplore(o: BenchExploreOptions = {}): Promise<BenchRow[]> {
  const print = o.print ?? ((l: string) => console.log(l));
  const maxN = o.maxN ?? 6;
  const repeat = Math.max(1, o.repeat ?? 3);
  const plainUpTo = o.plainUpToN ?? 4;
  const root = repoRoot();
  const bin = existsSync(join(root, 'dist/cli.js')) ? join(root, 'bin/lifetime.js') : null;

  // Spin
  let spinNote = '';
  let runner: SpinRunner | null = null;
  if (o.noSpin) spinNote = 'Spin columns skipped (--no-spin)';
  else {
    const models = modelDir();
    if (!models) spinNote = 'Spin columns skipped: the models (../shared/bench/spin) are not there';
    else {
      const why = ensureSpin((s) => print(s));
      if (why) spinNote = why;
      else runner = new SpinRunner(models);
    }
  }
  const spin = (model: string, defines: string[]): SpinResult | null => {
    if (!runner) return null;
    const runs: SpinResult[] = [];
    for (let r = 0; r < repeat; r++) runs.push(runner.run(model, defines));
    const m = (f: (x: SpinResult) => number) => median(runs.map(f));
    return { ...runs[0], spinMs: m((x) => x.spinMs), gccMs: m((x) => x.gccMs), panMs: m((x) => x.panMs), e2eMs: m((x) => x.e2eMs) };
  };

  const tmp = mkdtempSync(join(tmpdir(), 'lifetime-family-'));
  const rows: Row[] = [];
  try {
    const cases: { model: string; n: number | null; text: string; expected: string[]; spinModel: { model: string; defines: string[] } }[] = [
      { model: 'deadlock_a', n: null, text: deadlockAScenario(false), expected: ['deadlock'], spinModel: { model: 'deadlock_a.pml', defines: [] } },
      { model: 'deadlock_a -DFIX', n: null, text: deadlockAScenario(true), expected: ['clean'], spinModel: { model: 'deadlock_a.pml', defines: ['-DFIX'] } },
    ];
    for (let n = 1; n <= maxN; n++) {
      for (const v of FAMILY_VARIANTS) {
        cases.push({ model: v, n, text: familyScenario(n, v), expected: expectedVerdicts(v), spinModel: spinModel(v as FamilyVariant, n) });
      }
    }
    // warm the JIT once, as a long-running tool (the language server) is
    runOurs(familyScenario(2, 'buggy'), '', 1, null);
    for (const c of cases) {
      const file = join(tmp, `${c.model.replace(/\W+/g, '_')}-${c.n ?? 1}.lifetime`);
      writeFileSync(file, c.text);
      const ours = runOurs(c.text, file, repeat, bin);
      let plain: Row['plain'] = null;
      if (c.n !== null && c.n <= plainUpTo) {
        const r = explore(lower(compile(c.text).file), { reduction: false, maxStates: 5_000_000 });
        plain = { states: r.states, complete: r.complete };
      }
      rows.push({ model: c.model, n: c.n, expected: c.expected, ours, plain, spin: spin(c.spinModel.model, c.spinModel.defines), spinNote });
      print(`  measured ${c.model}${c.n ? ` N=${c.n}` : ''}: ours ${ours.states} states ${(ours.ms / 1000).toFixed(2)} s` +
        (rows[rows.length - 1].spin ? `, Spin ${rows[rows.length - 1].spin!.states} states ${(rows[rows.length - 1].spin!.e2eMs / 1000).toFixed(2)} s` : ''));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    runner?.dispose();
  }

  printSideBySide(rows, print, spinNote, repeat);
  return summaryRows(rows, maxN);
}

const s = (ms: number) => (Number.isNaN(ms) ? '—' : `${(ms / 1000).toFixed(2)} s`);
const n = (x: number) => (Number.isNaN(x) ? '—' : x.toLocaleString('en'));

/** Whether both tools reached the same verdict (on a buggy model pan stops at one error). */
function agrees(r: Row): boolean | null {
  if (!r.spin) return null;
  const ours = r.ours.verdicts;
  if (!r.ours.complete) return false;
  if (ours.join() !== [...r.expected].sort().join()) return false;
  return r.expected.length > 1 ? ours.includes(r.spin.verdict) : ours.join() === r.spin.verdict;
}

function printSideBySide(rows: Row[], print: (l: string) => void, spinNote: string, repeat: number): void {
  print('');
  print(`## Explorer side by side with Spin (${cpus().length} cores, load ${loadavg()[0].toFixed(1)}, medians of ${repeat})`);
  print('');
  if (spinNote) print(`> ${spinNote}`);
  const head = ['model', 'N', 'ours: verdict', 'Spin: verdict', 'agree', 'ours: states', 'unreduced', 'reduction', 'ours: transitions',
    'Spin: states', 'Spin: transitions', 'ours: time to verdict', 'ours: first fault', 'ours: CLI', 'Spin: end to end', 'Spin: search',
    'Spin e2e / ours', 'Spin e2e / ours CLI', 'Spin search / ours'];
  print(`| ${head.join(' | ')} |`);
  print(`|${head.map((_, i) => (i < 5 ? ':--' : '--:')).join('|')}|`);
  for (const r of rows) {
    const a = agrees(r);
    const sp = r.spin;
    const ratio = (x: number, y: number) => (Number.isNaN(x) || Number.isNaN(y) || y <= 0 ? '—' : `${(x / y).toFixed(1)}×`);
    print(`| ${[
      r.model, r.n ?? '—', r.ours.verdicts.join(' + ') + (r.ours.complete ? '' : ' (incomplete)'), sp ? sp.verdict + (r.expected.length > 1 || sp.verdict !== 'clean' ? ' (first error)' : '') : '—',
      a === null ? '—' : a ? 'yes' : '**NO**',
      n(r.ours.states), r.plain ? n(r.plain.states) + (r.plain.complete ? '' : '+') : '—', r.plain ? ratio(r.plain.states, r.ours.states) : '—', n(r.ours.transitions),
      sp ? n(sp.states) : '—', sp ? n(sp.transitions) : '—',
      s(r.ours.ms), s(r.ours.firstMs), s(r.ours.cliMs), sp ? s(sp.e2eMs) : '—', sp ? s(sp.panMs) : '—',
      sp ? ratio(sp.e2eMs, r.ours.ms) : '—', sp ? ratio(sp.e2eMs, r.ours.cliMs) : '—', sp ? ratio(sp.panMs, r.ours.ms) : '—',
    ].join(' | ')} |`);
  }
  print('');
}

function summaryRows(rows: Row[], maxN: number): BenchRow[] {
  const out: BenchRow[] = [];
  const withSpin = rows.filter((r) => r.spin);
  const disagree = withSpin.filter((r) => agrees(r) === false);
  out.push({
    name: 'explore vs Spin: verdicts agree (all models, N ≤ ' + maxN + ')',
    value: withSpin.length ? `${withSpin.length - disagree.length}/${withSpin.length}${disagree.length ? ` (differ: ${disagree.map((r) => `${r.model} N=${r.n}`).join(', ')})` : ''}` : 'Spin not run',
    target: 'all', ok: withSpin.length ? disagree.length === 0 : undefined,
  });
  const slower = withSpin.filter((r) => r.ours.ms >= r.spin!.e2eMs);
  out.push({
    name: 'explore: time to verdict below Spin end to end (every model, N ≤ ' + maxN + ')',
    value: withSpin.length
      ? `${withSpin.length - slower.length}/${withSpin.length}; worst ratio ${Math.min(...withSpin.map((r) => r.spin!.e2eMs / r.ours.ms)).toFixed(1)}×${slower.length ? ` (slower: ${slower.map((r) => `${r.model} N=${r.n}`).join(', ')})` : ''}`
      : 'Spin not run',
    target: 'all', ok: withSpin.length ? slower.length === 0 : undefined,
  });
  const fixedMax = rows.find((r) => r.model === 'fixed' && r.n === maxN);
  if (fixedMax) {
    out.push({
      name: `explore: fixed model, N = ${maxN}, full space`,
      value: `${n(fixedMax.ours.states)} states, ${s(fixedMax.ours.ms)}` + (fixedMax.spin ? ` (Spin: ${n(fixedMax.spin.states)} states, ${s(fixedMax.spin.e2eMs)} end to end, ${s(fixedMax.spin.panMs)} search)` : ''),
    });
  }
  for (const r of rows.filter((x) => x.n === 4 && x.plain)) {
    const f = r.plain!.states / r.ours.states;
    out.push({ name: `explore: reduction at N = 4, ${r.model}`, value: `${n(r.plain!.states)} → ${n(r.ours.states)} states (${f.toFixed(0)}×)`, target: '≥ 10×', ok: f >= 10 });
  }
  return out;
}
