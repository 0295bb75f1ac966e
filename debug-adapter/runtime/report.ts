// The machine-readable shapes of tools.md §1 for a run, built from a finished kernel.

import { FENCE_STATE_NAMES, Kernel, MODULE_STATE_NAMES, WORK_STATE_NAMES, type KernelEvent } from './kernel';
import { judge, type ExpectationResult, type StopKind } from './expectations';
import type { Fault } from './state';

/** A fault in the JSON of tools.md §1: the kernel's fault, without its step and objects. */
export type FaultJson = Pick<Fault, 'kind' | 'thread' | 'line' | 'column' | 'time_ns' | 'message' | 'blocked'>;

export interface FinalState {
  modules: Record<string, { state: string; refcount: number }>;
  devices: Record<string, { present: boolean; bound: string | null }>;
  drm: Record<string, { refcount: number; unplugged: boolean; freed: boolean }>;
  revocables: Record<string, { revoked: boolean }>;
  fences: Record<string, { state: string }>;
  data: Record<string, { freed: boolean }>;
  works: Record<string, { state: string }>;
  mutexes: Record<string, { holder: string | null }>;
}

export interface RunJson {
  file: string;
  mode: 'run';
  outcome: 'clean' | 'faults';
  faults: FaultJson[];
  expectations: ExpectationResult[];
  /** null: inconclusive (a bound stopped the run before its end) */
  met: boolean | null;
  /** false when `--max-steps` or Ctrl-C stopped the run (tools.md §1) */
  complete?: boolean;
  stopped?: StopKind;
  steps: number;
  time_ns: number;
  final: FinalState;
  events: KernelEvent[];
  /** set when the run replayed a witness */
  schedule?: string[];
}

export function faultJson(k: Kernel): FaultJson[] {
  return k.s.faults.map((f) => ({
    kind: f.kind, thread: f.thread, line: f.line, column: f.column, time_ns: f.time_ns, message: f.message,
    ...(f.blocked ? { blocked: f.blocked } : {}),
  }));
}

export function finalState(k: Kernel): FinalState {
  const { p, s } = k;
  const rec = <T, U>(names: { name: string }[], vals: T[], f: (v: T, i: number) => U): Record<string, U> => {
    const out: Record<string, U> = {};
    names.forEach((n, i) => { out[n.name] = f(vals[i], i); });
    return out;
  };
  return {
    modules: rec(p.modules, s.modules, (m) => ({ state: MODULE_STATE_NAMES[m.state], refcount: m.refs })),
    devices: rec(p.devices, s.devices, (d, i) => ({
      present: d.present, bound: d.bound ? p.drivers[p.devices[i].driver]?.name ?? null : null,
    })),
    drm: rec(p.drms, s.drms, (d) => ({ refcount: d.refs, unplugged: d.unplugged, freed: d.freed })),
    revocables: rec(p.revocables, s.revocables, (r) => ({ revoked: r.revoked })),
    fences: rec(p.fences, s.fences, (f) => ({ state: FENCE_STATE_NAMES[f.state] })),
    data: rec(p.data, s.data, (d) => ({ freed: d.freed })),
    works: rec(p.works, s.works, (w) => ({ state: WORK_STATE_NAMES[w.state] })),
    mutexes: rec(p.mutexes, s.mutexes, (m) => ({ holder: m.holder >= 0 ? s.threads[m.holder].name : null })),
  };
}

/** The run report; `judgeAs` picks whose expectations a replayed witness is judged by. */
export function runJson(file: string, k: Kernel, judgeAs: 'run' | 'explore' = 'run'): RunJson {
  const faults = faultJson(k);
  const v = judge(k.p, judgeAs, faults);
  return {
    file,
    mode: 'run',
    outcome: faults.length ? 'faults' : 'clean',
    faults,
    expectations: v.expectations,
    met: v.met,
    steps: k.s.steps,
    time_ns: k.s.clock,
    final: finalState(k),
    events: k.events,
  };
}
