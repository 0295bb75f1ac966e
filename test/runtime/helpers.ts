// Helpers for the runtime tests: compile a scenario text (failing loudly on any syntax or
// static error, so a typo in a test never turns into a silently different scenario), run
// it in run mode, replay an explore witness, or explore it.

import { parse } from '../../grammar/parser';
import { analyze } from '../../grammar/analysis';
import { lower, type Program } from '../../debug-adapter/runtime/program';
import { Kernel, type KernelEvent } from '../../debug-adapter/runtime/kernel';
import { replaySchedule, runDefault, runOne } from '../../debug-adapter/runtime/schedule';
import { runJson, type FaultJson, type RunJson } from '../../debug-adapter/runtime/report';
import { explore, type ExploreOptions, type ExploreResult } from '../../debug-adapter/explorer/explore';

export interface RunOptions {
  horizonNs?: number;
  maxEvents?: number;
}

export type RunResult = RunJson & { kernel: Kernel };

function fmtDiag(d: { code: string; message: string; range: { start: { line: number; column: number } } }): string {
  return `${d.range.start.line}:${d.range.start.column} ${d.code}: ${d.message}`;
}

/** Parses, checks names and lowers `src`; throws with every diagnostic when it has any. */
export function compileSrc(src: string): Program {
  const parsed = parse(src);
  if (parsed.diagnostics.length) {
    throw new Error(`test scenario has syntax errors:\n${parsed.diagnostics.map(fmtDiag).join('\n')}\n--- source ---\n${src}`);
  }
  const an = analyze(parsed.file);
  if (an.diagnostics.length) {
    throw new Error(`test scenario has static errors:\n${an.diagnostics.map(fmtDiag).join('\n')}\n--- source ---\n${src}`);
  }
  return lower(parsed.file);
}

/** Runs the default (run-mode) schedule; the report of tools.md §1 plus the kernel. */
export function run(src: string, opts: RunOptions = {}): RunResult {
  const p = compileSrc(src);
  const k = runDefault(p, opts);
  return { ...runJson('test.lifetime', k), kernel: k };
}

/** Replays a witness with explore semantics; throws ScheduleError on a choice it cannot take. */
export function replay(src: string, schedule: readonly string[]): RunResult {
  const p = compileSrc(src);
  const k = replaySchedule(p, schedule);
  return { ...runJson('test.lifetime', k, 'explore'), kernel: k };
}

export function exploreSrc(src: string, opts: ExploreOptions = {}): ExploreResult {
  return explore(compileSrc(src), opts);
}

// ---------------------------------------------------------------- small query helpers

export function kinds(r: { faults: readonly { kind: string }[] }): string[] {
  return r.faults.map((f) => f.kind);
}

export function faultOf(r: { faults: readonly FaultJson[] }, kind: string): FaultJson {
  const f = r.faults.find((x) => x.kind === kind);
  if (!f) throw new Error(`no ${kind} fault; faults: ${JSON.stringify(r.faults, null, 1)}`);
  return f;
}

/** Events of the given kind (and thread, if given). */
export function eventsOf(r: { events: readonly KernelEvent[] }, kind: string, thread?: string): KernelEvent[] {
  return r.events.filter((e) => e.kind === kind && (thread === undefined || e.thread === thread));
}

/** `kind:text` of every event, for order checks. */
export function trace(r: { events: readonly KernelEvent[] }, thread?: string): string[] {
  return r.events.filter((e) => thread === undefined || e.thread === thread).map((e) => `${e.kind}:${e.text}`);
}

/** 1-based line of the first line of `src` containing `needle` (and its column, 1-based). */
export function lineOf(src: string, needle: string, nth = 0): { line: number; column: number } {
  const lines = src.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    const c = lines[i].indexOf(needle);
    if (c >= 0) {
      if (seen === nth) return { line: i + 1, column: c + 1 };
      seen++;
    }
  }
  throw new Error(`"${needle}" not in the source`);
}

/** A standard prelude: module m, device d bound by driver drv, drm card on d. */
export const BASE = `
module m
device d
driver drv in m binds d
drm card on d
`;

/**
 * Runs the default schedule for at most `steps` thread steps (clock moves in between do
 * not count), then returns the report of the state reached: for looking at a state in the
 * middle of a run.
 */
export function runSteps(src: string, steps: number, opts: RunOptions = {}): RunResult {
  const p = compileSrc(src);
  const k = new Kernel(p, { ...opts, mode: 'run' });
  while (k.s.steps < steps && runOne(k));
  return { ...runJson('test.lifetime', k), kernel: k };
}
