// Version-2 statements (language.md §9) that parse and check but that the runtime does not
// simulate yet. Every tool asks program.ts `notSimulated` first and refuses such a file with
// one line; lowering one throws, so nothing ever runs it wrongly. Each kind leaves this group
// for its object's module when its semantics land.

import type { Range, StmtKind } from '../../../grammar/ast';
import type { StmtGroup, StmtSemantics } from './api';

export class NotSimulatedError extends Error {
  constructor(readonly what: string, readonly range: Range) {
    super(notSimulatedMessage(what));
  }
}

/** `version 2 \`arm\` is not simulated yet`: the one line every tool prints (after `file:line:col: `). */
export function notSimulatedMessage(what: string): string {
  return `version 2 \`${what}\` is not simulated yet`;
}

const refused = <K extends StmtKind>(): StmtSemantics<K> => ({
  lower(s) {
    throw new NotSimulatedError(s.kind, s.keywordRange);
  },
  // Never reached: nothing lowers to these kinds.
  exec() {
    throw new Error('unreachable: a version-2 statement was lowered');
  },
  footprint() {},
  stops: () => true,
  object: () => null,
});

export type UnsimulatedKind = 'complete' | 'free' | 'unregister' | 'show';

export const UNSIMULATED_STMTS = {
  complete: refused(),
  free: refused(),
  unregister: refused(),
  show: refused(),
} satisfies StmtGroup<UnsimulatedKind>;
