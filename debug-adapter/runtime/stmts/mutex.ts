// The mutex: `lock` (sleeps while another thread holds it) and `unlock`. On a spinlock
// (version 2) they spin instead: stmts/sync.ts.

import type { With } from '../program';
import { DONE } from '../step';
import { at, type StmtGroup } from './api';
import { lockSpinlock, unlockSpinlock } from './sync';

/** The operands of its statements (program.ts `Operands`). */
export type MutexOperands = With<'lock' | 'unlock', { mutex: number; /** version 2: a spinlock target, else -1 */ spinlock: number }>;

export const MUTEX_STMTS = {
  lock: {
    lower: (s, cx) => ({ kind: s.kind, mutex: cx.idx('mutex', s.target.name), spinlock: cx.idx('spinlock', s.target.name) }),
    exec(k, i, t, _f, st) {
      if (st.spinlock >= 0) return lockSpinlock(k, i, t, st.spinlock, st);
      const m = k.s.mutexes[st.mutex];
      if (m.holder === -1) {
        m.holder = i;
        m.lockStmt = st.id;
        if (k.recording) k.note(i, st.line, st.kind, `${k.p.mutexes[st.mutex].name} locked`);
        return DONE;
      }
      return k.block(t, 'mutex', st.mutex, st);
    },
    footprint(a, f, st) {
      if (st.mutex >= 0) f.rw(a.L.mutex(st.mutex));
      if (st.spinlock >= 0) f.rw(a.L.spinlock(st.spinlock));
    },
    stops: (s, _t, _i, st) => (st.spinlock >= 0 ? s.spinlocks[st.spinlock] : s.mutexes[st.mutex]).holder !== -1,
    object: (st) => at('spinlock', st.spinlock) ?? at('mutex', st.mutex),
  },
  unlock: {
    lower: (s, cx) => ({ kind: s.kind, mutex: cx.idx('mutex', s.target.name), spinlock: cx.idx('spinlock', s.target.name) }),
    exec(k, i, t, _f, st) {
      if (st.spinlock >= 0) return unlockSpinlock(k, i, t, st.spinlock, st);
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
    footprint(a, f, st) {
      if (st.mutex >= 0) f.rw(a.L.mutex(st.mutex));
      if (st.spinlock >= 0) f.rw(a.L.spinlock(st.spinlock));
    },
    stops: () => false,
    object: (st) => at('spinlock', st.spinlock) ?? at('mutex', st.mutex),
  },
} satisfies StmtGroup<'lock' | 'unlock'>;
