// Version 2 (language.md §9): the sysfs attribute, `attr a on d { … }`, and `show a` (a
// read of its file). A thread inside the block holds a kernfs active reference; the unbind
// of d removes the attribute and drains those references before remove() runs
// (teardown.ts, Op.RemoveAttr and Op.DrainAttrs; the wait is waits.ts's `attr`).

import { SELF_LOCAL } from '../../explorer/footprint';
import type { Kernel } from '../kernel';
import type { With } from '../program';
import type { Loc, ThreadState } from '../state';
import { DONE, PUSHED, codeFrame, type Res } from '../step';
import { at, type StmtGroup } from './api';

/** The operands of its statements (program.ts `Operands`). */
export type AttrOperands = With<'show', { attr: number }>;

/** Whether thread t is inside the show() of an attribute of device dev (holds an active reference). */
export function insideShowOf(k: Kernel, t: ThreadState, dev: number): boolean {
  return t.frames.some((f) => f.t === 0 && f.role === 'show' && k.p.attrs[f.guard]?.device === dev);
}

/** The unbind's first step for attribute a: removed, so new reads get ENODEV (kernfs_remove deactivates it). */
export function removeAttr(k: Kernel, i: number, a: number, origin: Loc): Res {
  const st = k.s.attrs[a];
  if (st.removed) return DONE;
  st.removed = true;
  if (k.recording) k.note(i, origin.line, 'devres', `sysfs attribute ${k.p.attrs[a].name} removed`);
  return DONE;
}

/** kernfs_drain: waits until no thread is inside a show() of an attribute of dev; the unbinder inside one waits on itself. */
export function drainAttrs(k: Kernel, _i: number, t: ThreadState, dev: number, origin: Loc): Res {
  const self = insideShowOf(k, t, dev);
  let busy = self;
  k.p.attrs.forEach((a, j) => { if (a.device === dev && k.s.attrs[j].active > 0) busy = true; });
  if (!busy) return DONE;
  return k.block(t, 'attr', dev, origin, -1, false, self);
}

export const ATTR_STMTS = {
  show: {
    lower: (s, cx) => ({ kind: s.kind, attr: cx.idx('attr', s.target.name) }),
    exec(k, i, t, _f, st) {
      if (st.attr < 0) return DONE;
      const s = k.s, p = k.p;
      const a = s.attrs[st.attr];
      const info = p.attrs[st.attr];
      if (a.removed) {
        k.note(i, st.line, st.kind, `read of ${info.name}: ENODEV (the attribute was removed)`);
        return DONE;
      }
      if (k.recording) k.note(i, st.line, st.kind, `${info.name} show() runs, holding a kernfs active reference`);
      if (info.body.stmts.length === 0) return DONE;
      a.active++;
      t.frames.push({ ...codeFrame(info.body, 'show', info.module, null, null), guard: st.attr });
      return PUSHED;
    },
    footprint(a, f, st, deep) {
      if (st.attr < 0) return;
      const L = a.L;
      f.read(L.attrRm(st.attr)).rw(L.attrAct(st.attr), SELF_LOCAL);
      if (deep) f.or(a.attrDeep(st.attr));
    },
    stops: () => false, // it pushes show() only for a non-empty block, which the lowered statement does not know: the tail is counted
    object: (st) => at('attr', st.attr),
  },
} satisfies StmtGroup<'show'>;
