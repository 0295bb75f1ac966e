// The work item (work_struct on a kworker): `queue`, `flush`, `cancel`. Its kworker
// starting is the kernel's (startWork), not a statement.

import { formatDuration } from '../../../grammar/ast';
import type { With } from '../program';
import { WORK_STATE_NAMES, WorkSt } from '../state';
import { DONE } from '../step';
import { at, type StmtGroup } from './api';

/** The operands of its statements (program.ts `Operands`). */
export type WorkOperands =
  | With<'queue', { work: number; afterNs: number }>
  | With<'flush' | 'cancel', { work: number }>;

export const WORK_STMTS = {
  queue: {
    lower: (s, cx) => ({ kind: s.kind, work: cx.idx('work', s.target.name), afterNs: s.after?.ns ?? 0 }),
    exec(k, i, _t, _f, st) {
      const s = k.s, p = k.p;
      const w = s.works[st.work];
      if (w.state !== WorkSt.Idle) {
        k.note(i, st.line, st.kind, `queue_work(${p.works[st.work].name}) returns false: already ${WORK_STATE_NAMES[w.state]}`);
        return DONE;
      }
      w.state = WorkSt.Pending;
      w.startAt = s.clock + st.afterNs;
      k.note(i, st.line, st.kind, `${p.works[st.work].name} queued${k.mode === 'run' ? `, starts at ${formatDuration(w.startAt)}` : ''}`);
      return DONE;
    },
    footprint(a, f, st) { if (st.work >= 0) f.rw(a.L.work(st.work)); },
    stops: () => false,
    object: (st) => at('work', st.work),
  },
  flush: {
    lower: (s, cx) => ({ kind: s.kind, work: cx.idx('work', s.target.name) }),
    exec(k, _i, t, _f, st) {
      if (k.s.works[st.work].state === WorkSt.Idle) return DONE;
      return k.block(t, 'flush', st.work, st);
    },
    footprint(a, f, st) { if (st.work >= 0) f.read(a.L.work(st.work)); },
    stops: (s, _t, _i, st) => s.works[st.work].state !== WorkSt.Idle,
    object: (st) => at('work', st.work),
  },
  cancel: {
    lower: (s, cx) => ({ kind: s.kind, work: cx.idx('work', s.target.name) }),
    exec(k, i, t, _f, st) {
      const w = k.s.works[st.work];
      if (w.state === WorkSt.Pending) {
        w.state = WorkSt.Idle;
        k.note(i, st.line, st.kind, `${k.p.works[st.work].name} taken off the queue`);
      }
      if (w.state === WorkSt.Running) return k.block(t, 'cancel', st.work, st);
      return DONE;
    },
    footprint(a, f, st) { if (st.work >= 0) f.rw(a.L.work(st.work)); },
    stops: () => false,
    object: (st) => at('work', st.work),
  },
} satisfies StmtGroup<'queue' | 'flush' | 'cancel'>;
