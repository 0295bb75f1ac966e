// The GPU fence (dma_fence): `submit`, `wait`, `poll`, `signal`. Its completion by the
// hardware is an event of the kernel (fireDue, fireEvent), not a statement.

import { formatDuration } from '../../../grammar/ast';
import { TIMED } from '../../explorer/footprint';
import type { With } from '../program';
import { FENCE_STATE_NAMES, FenceSt } from '../state';
import { DONE } from '../step';
import { at, type StmtGroup, type StmtSemantics } from './api';
import { waitCompletion, waitCompletionFP } from './sync';

/** The operands of its statements (program.ts `Operands`). */
export type FenceOperands =
  | With<'submit', { fence: number }>
  | With<'wait', { fence: number; /** -1: none */ timeoutNs: number; /** version 2: a completion target, else -1 */ completion: number }>
  | With<'poll', { fence: number; /** -1: none */ timeoutNs: number }>
  | With<'signal', { fence: number; error: boolean }>;

/** `wait` sleeps and `poll` spins until the fence completes, or its timeout; `wait` on a completion: stmts/sync.ts. */
function waitStmt<K extends 'wait' | 'poll'>(): StmtSemantics<K> {
  const completion = (st: { kind: K }) => (st.kind === 'wait' ? (st as unknown as { completion: number }).completion : -1);
  return {
    lower: (s, cx) => ({
      kind: s.kind, fence: cx.idx('fence', s.target.name), timeoutNs: s.timeout?.ns ?? -1,
      ...(s.kind === 'wait' ? { completion: cx.idx('completion', s.target.name) } : {}),
    }) as never,
    exec(k, i, t, _f, st) {
      const c = completion(st);
      if (c >= 0) return waitCompletion(k, i, t, c, st.timeoutNs, st);
      const s = k.s;
      const fe = s.fences[st.fence];
      if (fe.state >= FenceSt.Signalled) {
        k.note(i, st.line, st.kind, `fence ${k.p.fences[st.fence].name} already ${FENCE_STATE_NAMES[fe.state]}`);
        return DONE;
      }
      const hasTimeout = st.timeoutNs >= 0;
      return k.block(t, st.kind === 'wait' ? 'fence' : 'poll', st.fence, st, hasTimeout ? s.clock + st.timeoutNs : -1, hasTimeout);
    },
    footprint(a, f, st) {
      const c = completion(st);
      if (c >= 0) waitCompletionFP(a.L, f, c, st.timeoutNs);
      if (st.fence < 0) return;
      f.read(a.L.fst(st.fence));
      if (st.timeoutNs >= 0) f.read(TIMED);
    },
    stops: (s, _t, _i, st) => {
      const c = completion(st);
      return c >= 0 ? !s.completions[c].done : s.fences[st.fence].state < FenceSt.Signalled;
    },
    object: (st) => at('completion', completion(st)) ?? at('fence', st.fence),
  };
}

export const FENCE_STMTS = {
  submit: {
    lower: (s, cx) => ({ kind: s.kind, fence: cx.idx('fence', s.target.name) }),
    exec(k, i, _t, _f, st) {
      const s = k.s, p = k.p;
      const fe = s.fences[st.fence];
      const info = p.fences[st.fence];
      if (fe.state === FenceSt.Pending) {
        k.note(i, st.line, st.kind, `fence ${info.name} is already pending`);
        return DONE;
      }
      fe.state = FenceSt.Pending;
      fe.live = s.devices[info.device]?.present ?? false;
      fe.completeAt = fe.live ? s.clock + info.takesNs : -1;
      if (k.recording) {
        k.note(i, st.line, st.kind, fe.live
          ? `fence ${info.name} pending${k.mode === 'run' ? `, completes at ${formatDuration(fe.completeAt)}` : ''}`
          : `fence ${info.name} pending, but ${p.devices[info.device]?.name} is gone: it never completes`);
      }
      return DONE;
    },
    footprint(a, f, st) {
      if (st.fence < 0) return;
      const L = a.L;
      f.rw(L.fst(st.fence)).write(L.flive(st.fence));
      if (a.p.fences[st.fence].device >= 0) f.read(L.devPresent(a.p.fences[st.fence].device));
    },
    stops: () => false,
    object: (st) => at('fence', st.fence),
  },
  wait: waitStmt<'wait'>(),
  poll: waitStmt<'poll'>(),
  signal: {
    lower: (s, cx) => ({ kind: s.kind, fence: cx.idx('fence', s.target.name), error: s.error }),
    exec(k, i, _t, _f, st) {
      const fe = k.s.fences[st.fence];
      const name = k.p.fences[st.fence].name;
      if (fe.state <= FenceSt.Pending) {
        fe.state = st.error ? FenceSt.Error : FenceSt.Signalled;
        fe.completeAt = -1;
        k.note(i, st.line, st.kind, `fence ${name} ${st.error ? 'completed with -ENODEV' : 'signalled'}`);
      } else {
        k.note(i, st.line, st.kind, `fence ${name} already ${FENCE_STATE_NAMES[fe.state]}`);
      }
      return DONE;
    },
    footprint(a, f, st) { if (st.fence >= 0) f.rw(a.L.fst(st.fence)); },
    stops: () => false,
    object: (st) => at('fence', st.fence),
  },
} satisfies StmtGroup<'submit' | 'wait' | 'poll' | 'signal'>;
