// What an explore report means for the user (tools.md §1): met, not met, inconclusive, or
// not explored. One home for the rule, so that the notification, the output channel and
// the code lens never disagree: a search stopped by a bound is never a pass.

import { STOP_KINDS, type StopKind } from '../../debug-adapter/runtime/expectations';
import type { ExploreReport } from './witness';

export type ExploreVerdict = 'met' | 'not-met' | 'inconclusive' | 'static-errors';

export const STOP_CAUSE_TEXT = {
  'max-steps': 'the step bound',
  'max-states': 'the state bound',
  'max-memory': 'the memory bound',
  'max-time': 'the time limit',
  interrupted: 'an interruption',
} as const satisfies Record<StopKind, string>;

function isStopKind(s: unknown): s is StopKind {
  return (STOP_KINDS as readonly unknown[]).includes(s);
}

/**
 * Why the search stopped early: the report's `stopped` when it has one, else read from the
 * explorer's own words (`stopped at --max-states N`, `… the memory bound …`, the worker's
 * `… time limit …`); undefined for a complete search.
 */
export function stopCause(r: Pick<ExploreReport, 'complete' | 'stopped' | 'stopReason'>): StopKind | undefined {
  if (r.complete) return undefined;
  if (isStopKind(r.stopped)) return r.stopped;
  const why = r.stopReason ?? '';
  if (/max-states|state bound/i.test(why)) return 'max-states';
  if (/memory/i.test(why)) return 'max-memory';
  if (/time/i.test(why)) return 'max-time';
  if (/steps/i.test(why)) return 'max-steps';
  return 'interrupted';
}

/** Whether some fault found is one that no explore-mode expectation allows. */
function hasUnallowedFault(r: ExploreReport): boolean {
  const allowed = new Set(r.expectations.map((e) => e.expect).filter((k) => k !== 'clean'));
  return r.faults.some((f) => !allowed.has(f.kind));
}

/**
 * The verdict. A complete search is met or not; an incomplete one is inconclusive unless
 * a fault that no expectation allows was already found (then not met), whatever `met`
 * says: explorers before tools.md §1's update answered `met: true` for a bounded search.
 */
export function exploreVerdict(r: ExploreReport): ExploreVerdict {
  if (r.diagnostics) return 'static-errors';
  if (r.complete) return r.met ? 'met' : 'not-met';
  if (r.met === null || r.met === undefined) return 'inconclusive';
  return hasUnallowedFault(r) ? 'not-met' : 'inconclusive';
}

/** The words for a verdict, as the summary lines end. */
export function verdictWords(r: ExploreReport): string {
  const v = exploreVerdict(r);
  switch (v) {
    case 'met':
      return 'expectations met';
    case 'not-met':
      return 'expectations NOT met';
    case 'inconclusive': {
      const c = stopCause(r);
      return `inconclusive: stopped at ${c ? STOP_CAUSE_TEXT[c] : 'a bound'} before every schedule was tried`;
    }
    case 'static-errors':
      return 'not explored: the file has static errors';
    default:
      return v satisfies never;
  }
}

/** The title of the code lens that keeps an exploration's result over its scenario. */
export function exploreLensTitle(r: ExploreReport): string {
  const v = exploreVerdict(r);
  const states = `${r.states?.toLocaleString('en-US') ?? 0} states`;
  switch (v) {
    case 'met':
      return `$(pass) Explored: expectations met (${states})`;
    case 'not-met':
      return `$(error) Explored: expectations not met (${states})`;
    case 'inconclusive': {
      const c = stopCause(r);
      return `$(question) Explored: inconclusive, stopped at ${c ?? 'a bound'} (${states})`;
    }
    case 'static-errors':
      return '$(error) Not explored: static errors';
    default:
      return v satisfies never;
  }
}

/** The 0-based line of the `scenario` declaration (where the server puts its lenses), else 0. */
export function scenarioLine(text: string): number {
  const m = /^[ \t]*scenario\b/m.exec(text);
  return m ? text.slice(0, m.index).split('\n').length - 1 : 0;
}

/** What `lifetime run`'s exit code says (tools.md §1): 0 met, 1 not met, 3 inconclusive, else an error. */
export function runExitVerdict(code: number | null): Exclude<ExploreVerdict, 'static-errors'> | 'error' {
  switch (code) {
    case 0:
      return 'met';
    case 1:
      return 'not-met';
    case 3:
      return 'inconclusive';
    default:
      return 'error';
  }
}
