// The drm device (drm_device): its kref (`get`, `put`, the final put's release), its
// SRCU read sections (`enter`) and `unplug`.

import { SELF_SRCU } from '../../explorer/footprint';
import type { CBlock, With } from '../program';
import type { Kernel } from '../kernel';
import { Op, type Loc, type NativeOp, type ThreadState } from '../state';
import { DONE, OOPS, PUSHED, codeFrame, nativeFrame, type Res } from '../step';
import { at, type StmtGroup } from './api';
import { getKref, krefGetFP, krefPutFP, putKrefStmt } from './kref';

/** The operands of its statements (program.ts `Operands`). */
export type DrmOperands =
  | With<'get' | 'put', { drm: number; /** version 2: a kref target, else -1 */ kref: number }>
  | With<'unplug', { drm: number }>
  | With<'enter', { drm: number; body: CBlock }>;

/** A drm_dev_put: may run the release callback (pushed as frames). */
export function putDrm(k: Kernel, i: number, t: ThreadState, x: number, origin: Loc, what: string): Res {
  const s = k.s;
  const p = k.p;
  const d = s.drms[x];
  const name = p.drms[x].name;
  if (d.freed) return k.useAfterFree(i, t, origin, k.obj('drm', x), `${what} on ${name}, which was freed`);
  if (d.refs === 0) {
    k.fault('refcount-underflow', i, origin, `${what} on ${name} while its count is already 0 (its release is running)`, [k.obj('drm', x)]);
    return DONE;
  }
  d.refs--;
  if (k.recording) k.note(i, origin.line, 'put', `${what}(${name}): ${name} ${d.refs + 1}→${d.refs}`);
  if (d.refs > 0) return DONE;
  d.releasing = true;
  k.note(i, origin.line, 'refcount-zero', `${name} refcount reached 0: release`);
  const rel = p.drms[x].release;
  const ops: NativeOp[] = [];
  if (rel) ops.push({ op: Op.CallHandler, x: p.handlers.indexOf(rel) });
  ops.push({ op: Op.ReleaseDone, x });
  t.frames.push(nativeFrame(ops, origin, `release ${name}`));
  return PUSHED;
}

/** drm_dev_unplug, from the statement or from a default remove. */
export function unplugDrm(k: Kernel, i: number, t: ThreadState, x: number, origin: Loc): Res {
  const s = k.s;
  const d = s.drms[x];
  const name = k.p.drms[x].name;
  if (d.freed) return k.useAfterFree(i, t, origin, k.obj('drm', x), `drm_dev_unplug on ${name}, which was freed`);
  if (!d.unplugged) {
    d.unplugged = true;
    k.note(i, origin.line, 'unplugged', `drm_dev_unplug(${name}): unplugged; new opens and ioctls get ENODEV`);
  }
  if (t.srcu > 0) return k.block(t, 'srcu', x, origin, -1, false, true);
  for (let j = 0; j < s.threads.length; j++) {
    if (j !== i && s.threads[j].srcu > 0) return k.block(t, 'srcu', x, origin);
  }
  return DONE;
}

export const DRM_STMTS = {
  get: {
    lower: (s, cx) => ({ kind: s.kind, drm: cx.idx('drm', s.target.name), kref: cx.idx('kref', s.target.name) }),
    exec(k, i, t, _f, st) {
      if (st.kref >= 0) return getKref(k, i, t, st.kref, st);
      const d = k.s.drms[st.drm];
      const name = k.p.drms[st.drm].name;
      if (d.freed) return k.useAfterFree(i, t, st, k.obj('drm', st.drm), `drm_dev_get on ${name}, which was freed`);
      if (d.releasing) return k.useAfterFree(i, t, st, k.obj('drm', st.drm), `drm_dev_get on ${name} while its release is running (refcount already 0)`);
      d.refs++;
      t.refs.push({ kind: 'drm', x: st.drm, stmt: st });
      if (k.recording) k.note(i, st.line, 'get', `${name} ${d.refs - 1}→${d.refs}`);
      return DONE;
    },
    footprint(a, f, st) {
      if (st.drm >= 0) f.read(a.L.drmFree(st.drm)).incr(a.L.drmRef(st.drm));
      if (st.kref >= 0) krefGetFP(a, f, st.kref);
    },
    stops: (s, _t, _i, st) => {
      const d = st.kref >= 0 ? s.krefs[st.kref] : s.drms[st.drm];
      return d.freed || d.releasing;
    },
    object: (st) => at('kref', st.kref) ?? at('drm', st.drm),
  },
  put: {
    lower: (s, cx) => ({ kind: s.kind, drm: cx.idx('drm', s.target.name), kref: cx.idx('kref', s.target.name) }),
    exec(k, i, t, _f, st) {
      if (st.kref >= 0) return putKrefStmt(k, i, t, st.kref, st);
      const j = t.refs.findLastIndex((r) => r.kind === 'drm' && r.x === st.drm);
      const r = putDrm(k, i, t, st.drm, st, 'drm_dev_put');
      if (r !== OOPS && j >= 0) t.refs.splice(j, 1);
      return r;
    },
    footprint(a, f, st, deep) {
      if (st.drm >= 0) a.putDrmFP(f, st.drm, 1, deep);
      if (st.kref >= 0) krefPutFP(a, f, st.kref, deep);
    },
    // a put of a freed kref oopses; one reaching 0 may run its release in the same step (as for a drm)
    stops: (s, _t, _i, st) => st.kref >= 0 && s.krefs[st.kref].freed,
    object: (st) => at('kref', st.kref) ?? at('drm', st.drm),
  },
  enter: {
    lower(s, cx) {
      const drm = cx.idx('drm', s.target.name);
      return { kind: s.kind, drm, body: cx.block(s.body), elseBody: s.elseBody ? cx.block(s.elseBody) : null };
    },
    exec(k, i, t, f, st) {
      const s = k.s, p = k.p;
      const d = s.drms[st.drm];
      if (d.freed) return k.useAfterFree(i, t, st, k.obj('drm', st.drm), `drm_dev_enter on ${p.drms[st.drm].name}, which was freed`);
      if (d.unplugged) {
        if (k.recording) k.note(i, st.line, st.kind, `drm_dev_enter(${p.drms[st.drm].name}) fails: unplugged`);
        if (st.elseBody) {
          t.frames.push(codeFrame(st.elseBody, 'else', f.mod, null, null));
          return PUSHED;
        }
        return DONE;
      }
      t.srcu++;
      if (k.recording) k.note(i, st.line, st.kind, `drm_dev_enter(${p.drms[st.drm].name}): SRCU read section`);
      t.frames.push({ ...codeFrame(st.body!, 'enter', f.mod, null, null), guard: st.drm });
      return PUSHED;
    },
    footprint(a, f, st) { if (st.drm >= 0) f.read(a.L.drmFree(st.drm), a.L.drmUnpl(st.drm)).write(SELF_SRCU); },
    stops(s, _t, _i, st) {
      const d = s.drms[st.drm];
      if (d.freed) return true;
      if (d.unplugged) return !!st.elseBody && st.elseBody.stmts.length > 0;
      return st.body!.stmts.length > 0;
    },
    object: (st) => at('drm', st.drm),
  },
  unplug: {
    lower: (s, cx) => ({ kind: s.kind, drm: cx.idx('drm', s.target.name) }),
    exec: (k, i, t, _f, st) => unplugDrm(k, i, t, st.drm, st),
    footprint(a, f, st) { if (st.drm >= 0) a.unplugFP(f, st.drm); },
    stops(s, t, i, st) {
      if (s.drms[st.drm].freed || t.srcu > 0) return true;
      for (let j = 0; j < s.threads.length; j++) if (j !== i && s.threads[j].srcu > 0) return true;
      return false;
    },
    object: (st) => at('drm', st.drm),
  },
} satisfies StmtGroup<'get' | 'put' | 'enter' | 'unplug'>;
