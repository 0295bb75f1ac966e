// The work item (work_struct on a kworker): `queue`, `flush`, `cancel` (also of a kernel
// timer: timer_delete_sync / timer_delete). A callback starting is the kernel's
// (startWork), not a statement. The queue/cancel helpers serve timers and IRQs too
// (stmts/timer.ts, stmts/irq.ts): the three kinds of callback share one table.

import { formatDuration } from '../../../grammar/ast';
import type { Kernel } from '../kernel';
import type { With } from '../program';
import { WORK_STATE_NAMES, WorkSt, type Loc, type ThreadState } from '../state';
import { DONE, type Res } from '../step';
import { at, type StmtGroup } from './api';

/** The operands of its statements (program.ts `Operands`). */
export type WorkOperands =
  | With<'queue', { work: number; afterNs: number }>
  | With<'flush', { work: number }>
  | With<'cancel', { work: number; nosync: boolean; timer: boolean }>;

/**
 * queue_work / mod_timer of callback x: pending, to start at now + afterNs, once a run in
 * progress has returned (PENDING is cleared before the callback runs, so it may re-queue
 * or re-arm itself). `retime`: a timer already pending is re-timed (mod_timer); a work
 * already pending stays as it is (queue_work returns false).
 */
export function enqueue(k: Kernel, i: number, loc: Loc, x: number, afterNs: number, retime: boolean, what: string): void {
  const w = k.s.works[x];
  const name = k.p.works[x].name;
  if (w.off || w.cancelling > 0) {
    k.note(i, loc.line, 'queue', `${what}(${name}) does nothing: ${w.off ? 'disabled' : 'a sync cancel is under way'}`);
    return;
  }
  if (w.state === WorkSt.Pending || w.state === WorkSt.RunningPending) {
    if (!retime) {
      k.note(i, loc.line, 'queue', `${what}(${name}) returns false: already ${WORK_STATE_NAMES[w.state]}`);
      return;
    }
  } else {
    w.state = w.state === WorkSt.Running ? WorkSt.RunningPending : WorkSt.Pending;
  }
  w.startAt = k.s.clock + afterNs;
  k.note(i, loc.line, 'queue', `${name} ${retime ? 'armed' : 'queued'}${k.mode === 'run' ? `, starts at ${formatDuration(w.startAt)}` : ''}`);
}

/** Takes a pending x off the queue (cancel_work, timer_delete); a run in progress goes on. */
export function dequeue(k: Kernel, i: number, loc: Loc, x: number): void {
  const w = k.s.works[x];
  if (w.state !== WorkSt.Pending && w.state !== WorkSt.RunningPending) return;
  w.state = w.state === WorkSt.Pending ? WorkSt.Idle : WorkSt.Running;
  k.note(i, loc.line, 'cancel', `${k.p.works[x].name} taken off the queue`);
}

/** cancel_work_sync / timer_delete_sync: dequeues x, then waits until it is not running (queue/arm meanwhile do nothing). */
export function cancelSync(k: Kernel, i: number, t: ThreadState, loc: Loc, x: number): Res {
  dequeue(k, i, loc, x);
  const w = k.s.works[x];
  if (w.state !== WorkSt.Running) return DONE;
  w.cancelling++;
  return k.block(t, 'cancel', x, loc);
}

export const WORK_STMTS = {
  queue: {
    lower: (s, cx) => ({ kind: s.kind, work: cx.idx('work', s.target.name), afterNs: s.after?.ns ?? 0 }),
    exec(k, i, _t, _f, st) {
      enqueue(k, i, st, st.work, st.afterNs, false, 'queue_work');
      return DONE;
    },
    footprint(a, f, st) { if (st.work >= 0) f.rw(a.L.work(st.work)); },
    stops: () => false,
    object: (st) => at('work', st.work),
  },
  flush: {
    lower: (s, cx) => ({ kind: s.kind, work: cx.idx('work', s.target.name) }),
    exec(k, _i, t, _f, st) {
      const w = k.s.works[st.work];
      // the run in progress and the pending start, as they stand now
      const runs = w.state === WorkSt.Idle ? 0 : w.state === WorkSt.RunningPending ? 2 : 1;
      if (runs === 0) return DONE;
      w.flushRuns = Math.max(w.flushRuns, runs);
      return k.block(t, 'flush', st.work, st);
    },
    footprint(a, f, st) { if (st.work >= 0) f.rw(a.L.work(st.work)); },
    stops: (s, _t, _i, st) => s.works[st.work].state !== WorkSt.Idle,
    object: (st) => at('work', st.work),
  },
  cancel: {
    lower(s, cx) {
      const timer = cx.p.names.get(s.target.name)?.[0] === 'timer';
      return { kind: s.kind, work: cx.idx(timer ? 'timer' : 'work', s.target.name), nosync: s.nosync, timer };
    },
    exec(k, i, t, _f, st) {
      if (st.nosync) {
        dequeue(k, i, st, st.work);
        return DONE;
      }
      return cancelSync(k, i, t, st, st.work);
    },
    footprint(a, f, st) { if (st.work >= 0) f.rw(a.L.work(st.work)); },
    stops: () => false,
    object: (st) => at(st.timer ? 'timer' : 'work', st.work),
  },
} satisfies StmtGroup<'queue' | 'flush' | 'cancel'>;
