// Expectations (language.md §7): does what a mode found match what the file says?

import type { Program } from './program';

export interface FoundFault {
  kind: string;
  thread: string;
  /** a deadlock's blocked threads */
  blocked?: string[];
}

/** Whether a fault happened on thread T (for a deadlock: T is among the blocked threads). */
export function onThread(f: FoundFault, t: string): boolean {
  return f.thread === t || (f.blocked?.includes(t) ?? false);
}

export interface ExpectationResult {
  line: number;
  expect: string;
  thread?: string;
  mode: 'run' | 'explore' | 'both';
  /** null: not settled, as the run or search was stopped before its end */
  met: boolean | null;
}

export interface Verdict {
  met: boolean;
  expectations: ExpectationResult[];
  /** kinds found that no expectation names, and kinds expected but not found */
  unexpected: string[];
  missing: string[];
}

export function judge(p: Program, mode: 'run' | 'explore', faults: readonly FoundFault[]): Verdict {
  const mine = p.expects.filter((e) => e.mode === 'both' || e.mode === mode);
  const found = new Set(faults.map((f) => f.kind));
  const expected = new Set(mine.filter((e) => e.outcome !== 'clean').map((e) => e.outcome));
  const expectations: ExpectationResult[] = mine.map((e) => {
    let met: boolean;
    if (e.outcome === 'clean') met = faults.length === 0;
    else met = faults.some((f) => f.kind === e.outcome && (e.thread === null || onThread(f, e.thread)));
    const r: ExpectationResult = { line: e.line, expect: e.outcome, mode: e.mode, met };
    if (e.thread) r.thread = e.thread;
    return r;
  });
  const unexpected = [...found].filter((k) => !expected.has(k));
  const missing = [...expected].filter((k) => !found.has(k));
  // With no expectation for a mode, it is met when that mode finds no fault.
  const met = unexpected.length === 0 && missing.length === 0 && expectations.every((e) => e.met);
  return { met, expectations, unexpected, missing };
}

/**
 * What stopped a run or a search before its end (tools.md §1): the expectations are then
 * unsettled, the result inconclusive.
 */
export type StopKind = 'max-steps' | 'max-states' | 'max-memory' | 'max-time' | 'interrupted';

export const STOP_KINDS = ['max-steps', 'max-states', 'max-memory', 'max-time', 'interrupted'] as const satisfies readonly StopKind[];

export interface Settled {
  /** null: inconclusive */
  met: boolean | null;
  expectations: ExpectationResult[];
}

/**
 * The verdict of a run or search, complete or not. What a stopped one found stays found:
 * a fault that no expectation allows already fails it (met: false), an expectation of a
 * fault already seen is met, and everything else is unsettled (null), never a pass.
 */
export function settle(v: Verdict, complete: boolean): Settled {
  if (complete) return { met: v.met, expectations: v.expectations };
  const expectations = v.expectations.map((e) => ({ ...e, met: e.met && e.expect !== 'clean' ? true : e.expect === 'clean' && !e.met ? false : null }));
  return { met: v.unexpected.length ? false : null, expectations };
}
