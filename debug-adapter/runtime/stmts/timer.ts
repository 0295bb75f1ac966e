// The kernel timer (timer_list / hrtimer, version 2): `arm` (mod_timer), and `disable` of a
// timer or a work item (timer_shutdown_sync / disable_work_sync). Its callback runs on
// `timer/<t>`, started by the kernel (startWork) as a kworker is; `cancel` is in work.ts.

import type { With } from '../program';
import { DONE } from '../step';
import { at, type StmtGroup } from './api';
import { cancelSync, enqueue } from './work';

/** The operands of its statements (program.ts `Operands`). */
export type TimerOperands =
  | With<'arm', { work: number; afterNs: number }>
  | With<'disable', { work: number; timer: boolean }>;

export const TIMER_STMTS = {
  arm: {
    lower: (s, cx) => ({ kind: s.kind, work: cx.idx('timer', s.target.name), afterNs: s.after?.ns ?? 0 }),
    exec(k, i, _t, _f, st) {
      enqueue(k, i, st, st.work, st.afterNs, true, 'mod_timer');
      return DONE;
    },
    footprint(a, f, st) { if (st.work >= 0) f.rw(a.L.work(st.work)); },
    stops: () => false,
    object: (st) => at('timer', st.work),
  },
  disable: {
    lower(s, cx) {
      const timer = cx.p.names.get(s.target.name)?.[0] === 'timer';
      return { kind: s.kind, work: cx.idx(timer ? 'timer' : 'work', s.target.name), timer };
    },
    exec(k, i, t, _f, st) {
      const w = k.s.works[st.work];
      if (!w.off) {
        w.off = true;
        k.note(i, st.line, st.kind, `${k.p.works[st.work].name} disabled: later ${st.timer ? 'arms' : 'queues'} do nothing`);
      }
      return cancelSync(k, i, t, st, st.work);
    },
    footprint(a, f, st) { if (st.work >= 0) f.rw(a.L.work(st.work)); },
    stops: () => false,
    object: (st) => at(st.timer ? 'timer' : 'work', st.work),
  },
} satisfies StmtGroup<'arm' | 'disable'>;
