// Version 2 (language.md §9): the char device node, `cdev c on d`: registered at probe
// (cdev_add), deleted by `unregister c` (cdev_del) or by the default remove. Its files are
// opened, closed and ioctl'd in file.ts; what cdev_del leaves alone is exactly those files.

import type { Kernel } from '../kernel';
import type { With } from '../program';
import type { Loc } from '../state';
import { DONE, type Res } from '../step';
import { at, type StmtGroup } from './api';

/** The operands of its statements (program.ts `Operands`). */
export type CdevOperands = With<'unregister', { cdev: number }>;

/** cdev_del of c, from `unregister c` or the default remove: new opens fail, open files stay. */
export function unregisterCdev(k: Kernel, i: number, c: number, at: Loc): Res {
  const st = k.s.cdevs[c];
  const name = k.p.cdevs[c].name;
  if (st.deleted) {
    if (k.recording) k.note(i, at.line, 'unregister', `cdev_del(${name}): already deleted, nothing to do`);
    return DONE;
  }
  st.deleted = true;
  if (k.recording) k.note(i, at.line, 'unregister', `cdev_del(${name}): new opens fail with ENXIO; files already open keep working`);
  return DONE;
}

export const CDEV_STMTS = {
  unregister: {
    lower: (s, cx) => ({ kind: s.kind, cdev: cx.idx('cdev', s.target.name) }),
    exec: (k, i, _t, _f, st) => (st.cdev >= 0 ? unregisterCdev(k, i, st.cdev, st) : DONE),
    footprint(a, f, st) { if (st.cdev >= 0) f.rw(a.L.cdevDel(st.cdev)); },
    stops: () => false,
    object: (st) => at('cdev', st.cdev),
  },
} satisfies StmtGroup<'unregister'>;
