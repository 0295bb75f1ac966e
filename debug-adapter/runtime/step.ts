// What the kernel and the per-object statement modules (stmts/*.ts) share about a step:
// how a statement or op ends, and the frames it pushes. Apart from kernel.ts so that the
// statement modules need only its type.

import type { CBlock, CStmt, HandlerInfo } from './program';
import type { CodeFrame, Loc, NativeFrame, NativeOp } from './state';

/** The item finished; the thread goes on after it. */
export const DONE = 0;
/** It pushed a frame; the thread goes on in that frame. */
export const PUSHED = 1;
/** The thread blocked (its `wait` is set). */
export const BLOCKED = 2;
/** The thread oopsed or ended: nothing more runs in this step. */
export const OOPS = 3;
export type Res = typeof DONE | typeof PUSHED | typeof BLOCKED | typeof OOPS;

// A frame pushed by a statement or an op finishes by popping into its parent, which then
// advances past the item that pushed it (advanceTop): one rule for code and native frames.

export function codeFrame(block: CBlock, role: CodeFrame['role'], mod: number, handler: HandlerInfo | null, caller: CStmt | null): CodeFrame {
  return { t: 0, block, pc: 0, role, guard: -1, repeatLeft: 0, mod, handler, caller };
}

export function nativeFrame(ops: NativeOp[], origin: Loc, label: string): NativeFrame {
  return { t: 1, ops, i: 0, origin, label };
}
