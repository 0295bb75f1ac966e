// Version 2: a driver object with an embedded kref (language.md §9): `get`, `put` and `use`
// on a kref, as on a drm device (§4, §8.6): the put that reaches 0 runs `on release o`
// (code of the driver's module), then the object is freed. `get`/`put` of drm devices and
// `use` of data dispatch here when their target is a kref (stmts/drm.ts, stmts/data.ts).

import type { Analysis } from '../../explorer/analysis';
import type { FP } from '../../explorer/footprint';
import type { Kernel } from '../kernel';
import { Op, type Loc, type NativeOp, type ThreadState } from '../state';
import { DONE, OOPS, PUSHED, nativeFrame, type Res } from '../step';
import type { CStmt } from '../program';

/** kref_get: +1, the reference is the thread's; on a freed object or during its release: use-after-free. */
export function getKref(k: Kernel, i: number, t: ThreadState, o: number, st: CStmt): Res {
  const d = k.s.krefs[o];
  const name = k.p.krefs[o].name;
  if (d.freed) return k.useAfterFree(i, t, st, k.obj('kref', o), `kref_get on ${name}, which was freed`);
  if (d.releasing) return k.useAfterFree(i, t, st, k.obj('kref', o), `kref_get on ${name} while its release is running (refcount already 0)`);
  d.refs++;
  t.refs.push({ kind: 'kref', x: o, stmt: st });
  if (k.recording) k.note(i, st.line, 'get', `${name} ${d.refs - 1}→${d.refs}`);
  return DONE;
}

/** kref_put (from a statement or the devres release): the put reaching 0 pushes the release as frames. */
export function putKref(k: Kernel, i: number, t: ThreadState, o: number, origin: Loc, what: string): Res {
  const d = k.s.krefs[o];
  const info = k.p.krefs[o];
  if (d.freed) return k.useAfterFree(i, t, origin, k.obj('kref', o), `${what} on ${info.name}, which was freed`);
  if (d.refs === 0) {
    k.fault('refcount-underflow', i, origin, `${what} on ${info.name} while its count is already 0 (its release is running)`, [k.obj('kref', o)]);
    return DONE;
  }
  d.refs--;
  if (k.recording) k.note(i, origin.line, 'put', `${what}(${info.name}): ${info.name} ${d.refs + 1}→${d.refs}`);
  if (d.refs > 0) return DONE;
  d.releasing = true;
  k.note(i, origin.line, 'refcount-zero', `${info.name} refcount reached 0: release`);
  const ops: NativeOp[] = [];
  if (info.release) ops.push({ op: Op.CallHandler, x: k.p.handlers.indexOf(info.release) });
  ops.push({ op: Op.KrefReleaseDone, x: o });
  t.frames.push(nativeFrame(ops, origin, `release ${info.name}`));
  return PUSHED;
}

/** The `put` statement on a kref: drops the thread's most recent reference on it, if any. */
export function putKrefStmt(k: Kernel, i: number, t: ThreadState, o: number, st: CStmt): Res {
  const j = t.refs.findLastIndex((r) => r.kind === 'kref' && r.x === o);
  const r = putKref(k, i, t, o, st, 'kref_put');
  if (r !== OOPS && j >= 0) t.refs.splice(j, 1);
  return r;
}

/** `use o`: a freed object is use-after-free (during its release it is still there). */
export function useKref(k: Kernel, i: number, t: ThreadState, o: number, st: CStmt): Res {
  const name = k.p.krefs[o].name;
  if (k.s.krefs[o].freed) return k.useAfterFree(i, t, st, k.obj('kref', o), `${t.name} uses ${name}, which was freed (its last kref_put released it)`);
  if (k.recording) k.note(i, st.line, 'use', `uses ${name}`);
  return DONE;
}

/** The release of kref o is over: the object is freed. */
export function krefReleaseDone(k: Kernel, i: number, o: number, origin: Loc): Res {
  const d = k.s.krefs[o];
  d.freed = true;
  d.releasing = false;
  k.note(i, origin.line, 'release', `${k.p.krefs[o].name} freed`);
  return DONE;
}

/**
 * Footprints. A kref's count is one plain resource with its freed flag (not a counter of
 * the reduction): every get, put and use of one object depend on each other, which is
 * sound and enough for the few krefs scenarios have.
 */
export function krefPutFP(a: Analysis, f: FP, o: number, deep: boolean): void {
  const info = a.p.krefs[o];
  f.rw(a.L.kref(o));
  if (info.release) {
    if (info.release.module >= 0) f.read(a.L.mGone(info.release.module));
    if (deep) f.or(a.handlerDeep(info.release));
  }
}

export function krefGetFP(a: Analysis, f: FP, o: number): void {
  f.rw(a.L.kref(o));
}

export function krefUseFP(a: Analysis, f: FP, o: number): void {
  f.read(a.L.kref(o));
}
