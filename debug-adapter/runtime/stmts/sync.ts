// Version 2: the spinlock (`lock`/`unlock` on a spinlock: stmts/mutex.ts dispatches here)
// and the completion (`complete`; `wait` on a completion: stmts/fence.ts dispatches here).

import { TIMED, type FP, type Layout } from '../../explorer/footprint';
import type { Kernel } from '../kernel';
import type { CStmt, With } from '../program';
import type { ThreadState } from '../state';
import { DONE, type Res } from '../step';
import { at, type StmtGroup } from './api';

/** The operands of its statements (program.ts `Operands`). */
export type SyncOperands = With<'complete', { completion: number }>;

/** spin_lock: spins while another thread holds it; the thread's own lock again spins forever (AA deadlock). */
export function lockSpinlock(k: Kernel, i: number, t: ThreadState, x: number, st: CStmt): Res {
  const m = k.s.spinlocks[x];
  if (m.holder === -1) {
    m.holder = i;
    m.lockStmt = st.id;
    t.spinlocks.push(x);
    if (k.recording) k.note(i, st.line, 'lock', `${k.p.spinlocks[x].name} locked (atomic context until unlock)`);
    return DONE;
  }
  return k.block(t, 'spin', x, st, -1, false, m.holder === i);
}

/** spin_unlock: of a spinlock the thread does not hold, bad-unlock. */
export function unlockSpinlock(k: Kernel, i: number, t: ThreadState, x: number, st: CStmt): Res {
  const s = k.s;
  const m = s.spinlocks[x];
  if (m.holder !== i) {
    const h = m.holder >= 0 ? `it is held by ${s.threads[m.holder].name}` : 'it is not locked';
    k.fault('bad-unlock', i, st, `${t.name} unlocks spinlock ${k.p.spinlocks[x].name}, but ${h}`, [k.obj('spinlock', x)]);
    return DONE;
  }
  m.holder = -1;
  m.lockStmt = -1;
  t.spinlocks.splice(t.spinlocks.lastIndexOf(x), 1);
  if (k.recording) k.note(i, st.line, 'unlock', `${k.p.spinlocks[x].name} unlocked`);
  return DONE;
}

/** wait_for_completion[_timeout]: blocks until done (at once if it is). */
export function waitCompletion(k: Kernel, i: number, t: ThreadState, x: number, timeoutNs: number, st: CStmt): Res {
  if (k.s.completions[x].done) {
    if (k.recording) k.note(i, st.line, 'wait', `completion ${k.p.completions[x].name} already done`);
    return DONE;
  }
  const hasTimeout = timeoutNs >= 0;
  return k.block(t, 'completion', x, st, hasTimeout ? k.s.clock + timeoutNs : -1, hasTimeout);
}

export function waitCompletionFP(L: Layout, f: FP, x: number, timeoutNs: number): void {
  f.read(L.completion(x));
  if (timeoutNs >= 0) f.read(TIMED);
}

export const SYNC_STMTS = {
  complete: {
    lower: (s, cx) => ({ kind: s.kind, completion: cx.idx('completion', s.target.name) }),
    exec(k, i, _t, _f, st) {
      const c = k.s.completions[st.completion];
      const name = k.p.completions[st.completion].name;
      if (k.recording) k.note(i, st.line, st.kind, c.done ? `completion ${name} already done` : `complete_all(${name}): every waiter wakes`);
      c.done = true;
      return DONE;
    },
    footprint(a, f, st) { if (st.completion >= 0) f.write(a.L.completion(st.completion)); },
    stops: () => false,
    object: (st) => at('completion', st.completion),
  },
} satisfies StmtGroup<'complete'>;
