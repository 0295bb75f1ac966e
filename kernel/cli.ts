// `lifetime kernel FILE [--schedule WITNESS] [--json] [--kernel TREE]`: runs the scenario
// on a real Linux kernel in QEMU and sets the kernel's verdict beside the model's.
// Exit: 0 they agree, 1 they do not, 2 usage / static errors / a construct the backend
// does not cover / not replayable / no QEMU or compiler, 3 the kernel run gave no verdict.

import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { compile } from '../grammar';
import type { FaultKind } from '../grammar/ast';
import { lower } from '../debug-adapter/runtime/program';
import { ScheduleError } from '../debug-adapter/runtime/schedule';
import { runJson, type RunJson } from '../debug-adapter/runtime/report';
import { readScenario, readSchedule, UsageError } from '../cli/files';
import { lowerForKernel, NotCovered, programWords } from './bytecode';
import { classify, features, notObservable, type Classified, type KernelFault, type NotObservable } from './classify';
import { boot, build, debianKernel, ensureTools, HarnessError, ToolMissing, treeKernel, type KernelTree } from './harness';
import { traceModel, type NotReplayable } from './turns';
import { buildDebugKernel } from './debugKernel';

export const KERNEL_USAGE = `usage: lifetime kernel FILE [options]
       lifetime kernel --build-debug-kernel

Runs the scenario on a real Linux kernel in QEMU (Debian's stock kernel, or TREE) and
compares the kernel's faults with the model's.

options:
  --schedule FILE    replay a witness (a JSON array of choices) instead of the default run
  --json             machine-readable output on stdout
  --kernel TREE      a built kernel tree (KASAN, lockdep…) instead of Debian's stock kernel
  --log FILE         write the whole serial log to FILE
  --timeout SECONDS  QEMU's hard timeout (default 180; 540 on a KASAN or lockdep kernel)
  --build-debug-kernel  build a KASAN + lockdep kernel from Debian's linux-source (~30 min
                     on 2 cores), cache it and print its path for --kernel

exit: 0 the kernel agrees with the model, 1 it does not, 2 usage error, static errors, a
construct the backend does not cover or a witness it cannot replay, or no QEMU/compiler,
3 the kernel run gave no verdict`;

export interface KernelJson {
  file: string;
  model: RunJson;
  kernel: {
    release: string;
    source: string;
    accel: 'kvm' | 'tcg';
    wall_ms: number;
    faults: KernelFault[];
    not_observable: NotObservable[];
    end: Classified['end'];
    /** set when the guest stopped before the end of the run, after showing faults */
    ended_early?: string;
    /** faults of a thread after its first oops-kind fault (the model's thread stops there) */
    follow_on: KernelFault[];
  } | null;
  agree: boolean | null;
  not_replayable?: NotReplayable;
  no_verdict?: string;
}

interface Opts { file?: string; schedule?: string; json: boolean; kernel?: string; log?: string; timeout?: number; buildDebug: boolean }

// The same strict option parser as the other commands (node:util parseArgs).
const OPTIONS = {
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  schedule: { type: 'string' },
  kernel: { type: 'string' },
  log: { type: 'string' },
  timeout: { type: 'string' },
  'build-debug-kernel': { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

function parse(argv: string[]): Opts {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const flag = /'(-[^']*)'/.exec((e as Error).message)?.[1] ?? '';
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`kernel: unknown option ${flag.replace(/=.*$/, '')}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = flag.split(' ')[0];
      throw new UsageError(/does not take an argument/.test((e as Error).message) ? `${name} takes no value` : `${name} needs a value`);
    }
    throw new UsageError(`kernel: ${(e as Error).message}`);
  }
  const { values: v, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError('kernel takes exactly one FILE');
  const o: Opts = { file: positionals[0], schedule: v.schedule, json: v.json ?? false, kernel: v.kernel, log: v.log, buildDebug: v['build-debug-kernel'] ?? false };
  if (v.timeout !== undefined) {
    const n = Number(v.timeout);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError('--timeout: expected a number of seconds');
    o.timeout = n;
  }
  return o;
}

const shown = (f: string) => {
  const r = relative(process.cwd(), f);
  return r && !r.startsWith('..') ? r : f;
};

/** The agreement of issue 12: the kernel's kinds equal the model's, restricted to what it can observe. */
export function agreement(model: readonly string[], kernel: readonly string[], unobservable: ReadonlyMap<FaultKind, string>) {
  const m = new Set(model);
  const k = new Set(kernel);
  // language.md §8.8: threads blocked behind a spinning poll are part of its hang, not a
  // deadlock of their own. A kernel without the soft-lockup watchdog cannot see the spin,
  // only the hung tasks behind it: when the model's hang is unobservable, those are it.
  if (m.has('hang') && unobservable.has('hang') && !m.has('deadlock')) k.delete('deadlock');
  const expected = [...m].filter((x) => !unobservable.has(x as FaultKind));
  const agree = expected.length === k.size && expected.every((x) => k.has(x));
  const notObs = [...m].filter((x) => unobservable.has(x as FaultKind)).map((x) => ({ kind: x as FaultKind, why: unobservable.get(x as FaultKind)! }));
  return { agree, notObservable: notObs };
}

export function kernelMain(argv: string[], write: (s: string) => void, err: (s: string) => void): number {
  if (argv.includes('-h') || argv.includes('--help')) { write(KERNEL_USAGE); return 0; }
  const o = parse(argv);
  const progress = (s: string) => { if (!o.json || process.stderr.isTTY) err(`lifetime kernel: ${s}`); };
  if (o.buildDebug) {
    ensureTools(progress);
    write(buildDebugKernel(progress));
    return 0;
  }
  if (!o.file) throw new UsageError('kernel needs a FILE');
  const file = o.file;
  const text = readScenario(file);
  const analysis = compile(text);
  if (analysis.diagnostics.length) {
    for (const d of analysis.diagnostics) err(`${shown(file)}:${d.range.start.line}:${d.range.start.column}: error: ${d.message} [${d.code}]`);
    err(`${shown(file)}: not run: static errors`);
    return 2;
  }
  let lowered;
  try {
    lowered = lowerForKernel(analysis.file);
  } catch (e) {
    if (e instanceof NotCovered) {
      err(`${shown(file)}:${e.line}:${e.column}: not covered by the kernel backend: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const schedule = o.schedule ? readSchedule(o.schedule) : undefined;
  const p = lower(analysis.file);
  let traced;
  try {
    traced = traceModel(p, lowered, schedule);
  } catch (e) {
    if (e instanceof ScheduleError) throw new UsageError(`${o.schedule}: ${e.message}`);
    throw e;
  }
  const model = runJson(file, traced.kernel, schedule ? 'explore' : 'run');
  if (schedule) model.schedule = schedule;
  const result: KernelJson = { file, model, kernel: null, agree: null };
  if (traced.notReplayable) {
    const n = traced.notReplayable;
    result.not_replayable = n;
    if (o.json) write(JSON.stringify(result, null, 2));
    err(`${shown(file)}:${n.line}:${n.column}: not replayable on the kernel: ${n.why}`);
    return 2;
  }
  try {
    ensureTools(progress);
  } catch (e) {
    if (e instanceof ToolMissing) { err(e.message); return 2; }
    throw e;
  }
  let tree: KernelTree | undefined;
  if (o.kernel) {
    try {
      tree = treeKernel(o.kernel);
    } catch (e) {
      if (e instanceof HarnessError) throw new UsageError(`--kernel ${e.message}`);
      throw e;
    }
  }
  let run;
  try {
    tree ??= debianKernel(progress);
    const built = build(tree, progress);
    progress(`booting ${tree.release} in QEMU…`);
    run = boot(tree, built, programWords(lowered, traced.turns), [...lowered.threadNames, ...lowered.callbackNames], { timeoutS: o.timeout });
  } catch (e) {
    if (e instanceof HarnessError) { err(`lifetime kernel: ${e.message}`); return 3; }
    throw e;
  }
  if (o.log) writeFileSync(o.log, run.log);
  const cls: Classified = classify(run.log, lowered.threadNames);
  const unobservable = notObservable(features(tree.config));
  const kinds = cls.faults.map((f) => f.kind);
  const { agree, notObservable: notObs } = agreement(model.faults.map((f) => f.kind), kinds, unobservable);
  result.kernel = {
    release: cls.release ?? tree.release, source: tree.source, accel: run.accel, wall_ms: run.wallMs,
    faults: cls.faults, not_observable: notObs, end: cls.end, follow_on: cls.followOn,
  };
  let noVerdict: string | null = null;
  if (!cls.end && cls.faults.length) {
    // the guest died (or hung) after faulting: the faults it printed are its verdict
    result.kernel.ended_early = run.timedOut ? 'QEMU\'s hard timeout' : 'the guest stopped (a panic or a reboot) before the end of the run';
  } else if (!cls.end) {
    noVerdict = run.timedOut ? `QEMU did not finish within its hard timeout (${run.timeoutS} s)`
      : cls.failures.length ? cls.failures.join('; ') : 'the scenario did not run to its end (no LT-END in the serial log)';
  } else if ((cls.end.why === 'stalled' || cls.end.why === 'limit') && cls.faults.length === 0) {
    noVerdict = `the kernel stopped following the model's steps at step ${cls.end.step} of ${cls.end.of}${cls.desync.length ? ` (${cls.desync[0]})` : ''}`;
  }
  if (noVerdict) {
    result.no_verdict = noVerdict;
    if (o.json) write(JSON.stringify(result, null, 2));
    else printHuman(write, file, p.scenario, result);
    err(`${shown(file)}: no verdict from the kernel: ${noVerdict}`);
    return 3;
  }
  result.agree = agree;
  if (o.json) write(JSON.stringify(result, null, 2));
  else printHuman(write, file, p.scenario, result);
  return agree ? 0 : 1;
}

function kindsText(kinds: string[]): string {
  return kinds.length ? [...new Set(kinds)].join(', ') : 'clean';
}

function printHuman(write: (s: string) => void, file: string, scenario: string | undefined, r: KernelJson): void {
  write(`${shown(file)}${scenario ? `: ${scenario}` : ''}`);
  write(`model:  ${kindsText(r.model.faults.map((f) => f.kind))}`);
  for (const f of r.model.faults) write(`  ${shown(file)}:${f.line}:${f.column}: ${f.kind} in ${f.thread}: ${f.message}`);
  const k = r.kernel!;
  write(`kernel: ${kindsText(k.faults.map((f) => f.kind))}  (${k.release}, ${k.accel.toUpperCase()}, ${(k.wall_ms / 1000).toFixed(1)} s)`);
  for (const f of k.faults) {
    write(`  ${f.kind}${f.thread ? ` in ${f.thread}` : ''}:`);
    for (const l of f.log.slice(0, 8)) write(`    | ${l}`);
  }
  for (const n of k.not_observable) write(`not observable on this kernel: ${n.kind}: ${n.why}`);
  for (const f of k.follow_on) write(`after its oops, ${f.thread} went on in the kernel: ${f.log[0]} (the model's thread stops at the oops)`);
  if (k.ended_early) write(`the run did not reach its end (${k.ended_early}); the verdict is the faults shown until then`);
  if (r.no_verdict) write(`no verdict: ${r.no_verdict}`);
  else write(r.agree ? 'agree' : 'DISAGREE');
}

