// Schedule choices, the words of a witness (tools.md): a thread name (it takes a step),
// `complete:<fence>` (the GPU signals a fence), `timeout:<thread>` (a wait gives
// ETIMEDOUT) and, in a run-mode witness the debugger saves, `advance:<time>` (the clock
// moves to its next timed event). Every place that reads or writes one goes through here.

import { formatDuration, parseDurationText } from '../../grammar/ast';
import { assertNever } from '../../grammar/never';

export type Choice =
  | { kind: 'step'; thread: string }
  | { kind: 'complete'; fence: string }
  | { kind: 'timeout'; thread: string }
  | { kind: 'advance'; ns: number };

/** A choice as a witness writes it. */
export function formatChoice(c: Choice): string {
  switch (c.kind) {
    case 'step': return c.thread;
    case 'complete': return `complete:${c.fence}`;
    case 'timeout': return `timeout:${c.thread}`;
    case 'advance': return `advance:${formatDuration(c.ns)}`;
    default: return assertNever(c);
  }
}

/**
 * A choice from its text; null for `advance:` with something other than a duration.
 * (Thread names never contain `:`, so a word with one is always an event.)
 */
export function parseChoice(text: string): Choice | null {
  const colon = text.indexOf(':');
  if (colon < 0) return { kind: 'step', thread: text };
  const what = text.slice(colon + 1);
  switch (text.slice(0, colon)) {
    case 'complete': return { kind: 'complete', fence: what };
    case 'timeout': return { kind: 'timeout', thread: what };
    case 'advance': {
      const ns = parseDurationText(what);
      return ns === null ? null : { kind: 'advance', ns };
    }
    default: return { kind: 'step', thread: text };
  }
}
