// The revocable (a Rust Devres<T>, say an MMIO BAR): its RCU read sections (`access`),
// `revoke`, and MMIO through it (`read`, `write`, directly or through a timer in it).

import { SELF_RCU } from '../../explorer/footprint';
import type { Kernel } from '../kernel';
import type { CBlock, CStmtOf, With } from '../program';
import type { Loc, ThreadState } from '../state';
import { DONE, OOPS, PUSHED, codeFrame, type Res } from '../step';
import { at, type StmtGroup, type StmtSemantics } from './api';

/** The operands of its statements (program.ts `Operands`). */
export type RevocableOperands =
  | With<'access', { revocable: number; body: CBlock }>
  | With<'revoke', { revocable: number }>
  /** MMIO on a revocable, directly or through a timer in it (`ptimer`, -1: directly); `name` as written */
  | With<'read' | 'write', { revocable: number; ptimer: number; name: string }>;

/** Revocable::revoke, from the statement or from the devres release. */
export function revoke(k: Kernel, i: number, t: ThreadState, r: number, origin: Loc): Res {
  const s = k.s;
  const rv = s.revocables[r];
  if (rv.revoked) return DONE;
  rv.revoked = true;
  k.note(i, origin.line, 'revoked', `${k.p.revocables[r].name} revoked: try_access now fails`);
  for (const th of s.threads) if (th.rcu.includes(r)) return k.block(t, 'rcu', r, origin);
  return DONE;
}

function mmio(k: Kernel, i: number, t: ThreadState, st: CStmtOf<'read' | 'write'>): Res {
  const s = k.s;
  const p = k.p;
  const r = st.revocable;
  const rinfo = p.revocables[r];
  const dev = s.devices[rinfo.device];
  const verb = st.kind === 'read' ? 'reads' : 'writes';
  if (t.rcu.includes(r) || !s.revocables[r].revoked) {
    if (k.recording) {
      let text = `${verb} ${st.name}`;
      if (!dev?.present && st.kind === 'read') text += ': 0xffffffff (the device is gone)';
      else if (st.ptimer >= 0 && st.kind === 'read') text += ` = ${s.clock} ns`;
      k.note(i, st.line, st.kind, text);
    }
    return DONE;
  }
  k.fault('unguarded-mmio', i, st,
    `${t.name} ${verb} ${st.name} outside \`access ${rinfo.name}\`, but ${rinfo.name} was revoked: the BAR is unmapped`, [k.obj('revocable', r)]);
  k.oops(t);
  return OOPS;
}

/** `read` and `write`: the same but for the event's text. */
function mmioStmt<K extends 'read' | 'write'>(): StmtSemantics<K> {
  return {
    lower(s, cx) {
      const r = cx.idx('revocable', s.target.name);
      const t = r >= 0 ? -1 : cx.idx('ptimer', s.target.name);
      return { kind: s.kind, revocable: r >= 0 ? r : cx.p.timers[t]?.revocable ?? -1, ptimer: t, name: s.target.name } as CStmtOf<K>;
    },
    exec: (k, i, t, _f, st) => mmio(k, i, t, st),
    footprint(a, f, st) { if (st.revocable >= 0) f.read(a.L.rev(st.revocable)); },
    stops: (s, t, _i, st) => !t.rcu.includes(st.revocable) && s.revocables[st.revocable].revoked,
    object: (st) => at('revocable', st.revocable),
  };
}

export const REVOCABLE_STMTS = {
  access: {
    lower(s, cx) {
      const revocable = cx.idx('revocable', s.target.name);
      return { kind: s.kind, revocable, body: cx.block(s.body), elseBody: s.elseBody ? cx.block(s.elseBody) : null };
    },
    exec(k, i, t, f, st) {
      const s = k.s, p = k.p;
      const r = s.revocables[st.revocable];
      if (r.revoked) {
        if (k.recording) k.note(i, st.line, st.kind, `try_access(${p.revocables[st.revocable].name}) = None: revoked`);
        if (st.elseBody) {
          t.frames.push(codeFrame(st.elseBody, 'else', f.mod, null, null));
          return PUSHED;
        }
        return DONE;
      }
      t.rcu.push(st.revocable);
      if (k.recording) k.note(i, st.line, st.kind, `try_access(${p.revocables[st.revocable].name}): RCU read section`);
      t.frames.push({ ...codeFrame(st.body!, 'access', f.mod, null, null), guard: st.revocable });
      return PUSHED;
    },
    footprint(a, f, st) { if (st.revocable >= 0) f.read(a.L.rev(st.revocable)).write(SELF_RCU); },
    stops(s, _t, _i, st) {
      if (s.revocables[st.revocable].revoked) return !!st.elseBody && st.elseBody.stmts.length > 0;
      return st.body!.stmts.length > 0;
    },
    object: (st) => at('revocable', st.revocable),
  },
  revoke: {
    lower: (s, cx) => ({ kind: s.kind, revocable: cx.idx('revocable', s.target.name) }),
    exec: (k, i, t, _f, st) => revoke(k, i, t, st.revocable, st),
    footprint(a, f, st) { if (st.revocable >= 0) a.revokeFP(f, st.revocable); },
    stops(s, _t, _i, st) {
      if (s.revocables[st.revocable].revoked) return false;
      for (const th of s.threads) if (th.rcu.includes(st.revocable)) return true;
      return false;
    },
    object: (st) => at('revocable', st.revocable),
  },
  read: mmioStmt<'read'>(),
  write: mmioStmt<'write'>(),
} satisfies StmtGroup<'access' | 'revoke' | 'read' | 'write'>;
