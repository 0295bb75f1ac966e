// The module: its refcount (`try_module_get`, `module_put`, the puts of a file's fops
// owner and of a drm device that holds its module) and its unload (`rmmod`).

import { FP } from '../../explorer/footprint';
import type { Kernel } from '../kernel';
import type { With } from '../program';
import { ModState, MODULE_STATE_NAMES, Op, type Loc, type NativeOp } from '../state';
import { DONE, PUSHED, nativeFrame } from '../step';
import { at, type StmtGroup } from './api';

/** The operands of its statements (program.ts `Operands`). */
export type ModuleOperands =
  | With<'try_module_get' | 'module_put', { module: number }>
  | With<'rmmod', { module: number; force: boolean }>;

/** A module_put, from the statement or from a native op. */
export function modulePut(k: Kernel, i: number, m: number, origin: Loc, what: string): void {
  const mod = k.s.modules[m];
  const name = k.p.modules[m].name;
  if (mod.refs === 0) {
    k.fault('refcount-underflow', i, origin, `${what}(${name}) below zero`, [k.obj('module', m)]);
    return;
  }
  mod.refs--;
  if (k.recording) k.note(i, origin.line, 'module_put', `${name} ${mod.refs + 1}→${mod.refs}`);
  if (mod.refs === 0) k.note(i, origin.line, 'refcount-zero', `module ${name} refcount reached 0`);
}

export const MODULE_STMTS = {
  try_module_get: {
    lower: (s, cx) => ({ kind: s.kind, module: cx.idx('module', s.target.name) }),
    exec(k, i, t, _f, st) {
      const m = k.s.modules[st.module];
      if (m.state === ModState.Live) {
        m.refs++;
        t.refs.push({ kind: 'module', x: st.module, stmt: st });
        if (k.recording) k.note(i, st.line, st.kind, `${k.p.modules[st.module].name} ${m.refs - 1}→${m.refs}`);
      } else {
        k.note(i, st.line, st.kind, `try_module_get(${k.p.modules[st.module].name}) fails: the module is ${MODULE_STATE_NAMES[m.state]}`);
      }
      return DONE;
    },
    footprint(a, f, st) { if (st.module >= 0) f.read(a.L.mLive(st.module)).incr(a.L.modRef(st.module)); },
    stops: () => false,
    object: (st) => at('module', st.module),
  },
  module_put: {
    lower: (s, cx) => ({ kind: s.kind, module: cx.idx('module', s.target.name) }),
    exec(k, i, t, _f, st) {
      const j = t.refs.findLastIndex((r) => r.kind === 'module' && r.x === st.module);
      if (j >= 0) t.refs.splice(j, 1);
      modulePut(k, i, st.module, st, 'module_put');
      return DONE;
    },
    footprint(a, f, st) { if (st.module >= 0) f.decr(a.L.modRef(st.module), 1); },
    stops: () => false,
    object: (st) => at('module', st.module),
  },
  rmmod: {
    lower: (s, cx) => ({ kind: s.kind, module: cx.idx('module', s.target.name), force: s.force }),
    exec(k, i, t, _f, st) {
      const s = k.s;
      const p = k.p;
      const m = s.modules[st.module];
      const name = p.modules[st.module].name;
      if (m.state === ModState.Gone) {
        k.note(i, st.line, 'rmmod', `rmmod ${name}: ENOENT (not loaded)`);
        return DONE;
      }
      if (m.state === ModState.Going) {
        k.note(i, st.line, 'rmmod', `rmmod ${name}: EBUSY (already being removed)`);
        return DONE;
      }
      if (!st.force && m.refs > 0) { // a forced rmmod does not look at the count (nor does its footprint)
        k.note(i, st.line, 'rmmod', `rmmod ${name}: EWOULDBLOCK, module is in use (refcount ${m.refs})`);
        return DONE;
      }
      m.state = ModState.Going;
      k.note(i, st.line, 'rmmod', `rmmod ${name}${st.force ? ' --force (taints the kernel)' : ''}: going, unbinding its devices`);
      const ops: NativeOp[] = [];
      p.devices.forEach((d, x) => {
        if (d.driver >= 0 && p.drivers[d.driver].module === st.module) ops.push({ op: Op.Unbind, x });
      });
      ops.push({ op: Op.ModuleGone, x: st.module });
      t.frames.push(nativeFrame(ops, st, `rmmod ${name}`));
      return PUSHED;
    },
    footprint(a, f, st, deep) {
      if (st.module < 0) return;
      const L = a.L, p = a.p;
      f.read(L.mLive(st.module), L.mGone(st.module));
      const rest = new FP(L).write(L.mLive(st.module));
      p.devices.forEach((d, k) => {
        if (d.driver >= 0 && p.drivers[d.driver].module === st.module) a.unbindFP(rest, k, deep);
      });
      rest.onZero(L.guardGone(st.module), new FP(L).write(L.mGone(st.module)));
      if (st.force) f.or(rest);
      else f.testZero(L.modRef(st.module)).onZero(L.modRef(st.module), rest);
    },
    stops: () => false,
    object: (st) => at('module', st.module),
  },
} satisfies StmtGroup<'try_module_get' | 'module_put' | 'rmmod'>;
