// The mutex: `lock` (sleeps while another thread holds it) and `unlock`.

import type { With } from '../program';
import { DONE } from '../step';
import { at, type StmtGroup } from './api';

/** The operands of its statements (program.ts `Operands`). */
export type MutexOperands = With<'lock' | 'unlock', { mutex: number }>;

export const MUTEX_STMTS = {
  lock: {
    lower: (s, cx) => ({ kind: s.kind, mutex: cx.idx('mutex', s.target.name) }),
    exec(k, i, t, _f, st) {
      const m = k.s.mutexes[st.mutex];
      if (m.holder === -1) {
        m.holder = i;
        m.lockStmt = st.id;
        if (k.recording) k.note(i, st.line, st.kind, `${k.p.mutexes[st.mutex].name} locked`);
        return DONE;
      }
      return k.block(t, 'mutex', st.mutex, st);
    },
    footprint(a, f, st) { if (st.mutex >= 0) f.rw(a.L.mutex(st.mutex)); },
    stops: (s, _t, _i, st) => s.mutexes[st.mutex].holder !== -1,
    object: (st) => at('mutex', st.mutex),
  },
  unlock: {
    lower: (s, cx) => ({ kind: s.kind, mutex: cx.idx('mutex', s.target.name) }),
    exec(k, i, t, _f, st) {
      const s = k.s;
      const m = s.mutexes[st.mutex];
      if (m.holder !== i) {
        const h = m.holder >= 0 ? `it is held by ${s.threads[m.holder].name}` : 'it is not locked';
        k.fault('bad-unlock', i, st, `${t.name} unlocks mutex ${k.p.mutexes[st.mutex].name}, but ${h}`, [k.obj('mutex', st.mutex)]);
        return DONE;
      }
      m.holder = -1;
      m.lockStmt = -1;
      if (k.recording) k.note(i, st.line, st.kind, `${k.p.mutexes[st.mutex].name} unlocked`);
      return DONE;
    },
    footprint(a, f, st) { if (st.mutex >= 0) f.rw(a.L.mutex(st.mutex)); },
    stops: () => false,
    object: (st) => at('mutex', st.mutex),
  },
} satisfies StmtGroup<'lock' | 'unlock'>;
