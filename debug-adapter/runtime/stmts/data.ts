// Driver data (devm_ or drmm_ managed memory, or version 2's kzalloc'd `data d`): `use`
// and `free` (kfree). Managed data is freed by the devres release at unbind (devm) or by its
// drm device's release (drmm); after a `free` of it, that release is a double-free
// (kernel.ts, Op.FreeData and Op.ReleaseDone). `use` of a kref object: stmts/kref.ts.

import { assertNever } from '../../../grammar/never';
import type { Program, With } from '../program';
import { DONE } from '../step';
import { at, type StmtGroup } from './api';
import { krefUseFP, useKref } from './kref';

/** The operands of its statements (program.ts `Operands`). */
export type DataOperands =
  | With<'use', { data: number; /** version 2: a kref target, else -1 */ kref: number }>
  | With<'free', { data: number }>;

/** Why data is freed, for a use-after-free message. */
function whyFreed(p: Program, x: number): string {
  const info = p.data[x];
  switch (info.managed) {
    case 'devm': return `devm data is freed by the devres release at unbind of ${p.devices[info.owner]?.name}, or by free`;
    case 'drmm': return `drmm data is freed when ${p.drms[info.owner]?.name} is released, or by free`;
    case 'kzalloc': return 'kzalloc\'d data is freed by free';
    default: return assertNever(info.managed);
  }
}

export const DATA_STMTS = {
  use: {
    lower: (s, cx) => ({ kind: s.kind, data: cx.idx('data', s.target.name), kref: cx.idx('kref', s.target.name) }),
    exec(k, i, t, _f, st) {
      if (st.kref >= 0) return useKref(k, i, t, st.kref, st);
      const s = k.s, p = k.p;
      const d = s.data[st.data];
      const info = p.data[st.data];
      if (d.freed) {
        return k.useAfterFree(i, t, st, k.obj('data', st.data), `${t.name} uses ${info.name}, which was freed (${whyFreed(p, st.data)})`);
      }
      if (k.recording) k.note(i, st.line, st.kind, `uses ${info.name}`);
      return DONE;
    },
    footprint(a, f, st) {
      if (st.data >= 0) f.read(a.L.data(st.data));
      if (st.kref >= 0) krefUseFP(a, f, st.kref);
    },
    stops: (s, _t, _i, st) => (st.kref >= 0 ? s.krefs[st.kref] : s.data[st.data]).freed,
    object: (st) => at('kref', st.kref) ?? at('data', st.data),
  },
  free: {
    lower: (s, cx) => ({ kind: s.kind, data: cx.idx('data', s.target.name) }),
    exec(k, i, t, _f, st) {
      const d = k.s.data[st.data];
      const info = k.p.data[st.data];
      if (d.freed) {
        // not an oops: kfree of freed memory corrupts the allocator later, the thread goes on
        k.fault('double-free', i, st, `${t.name} frees ${info.name}, which was already freed (${whyFreed(k.p, st.data)})`, [k.obj('data', st.data)]);
        return DONE;
      }
      d.freed = true;
      if (k.recording) {
        k.note(i, st.line, st.kind, info.managed === 'kzalloc'
          ? `kfree(${info.name})`
          : `kfree(${info.name}): ${info.managed} data, whose ${info.managed === 'devm' ? 'devres' : 'drmm'} release will free it again`);
      }
      return DONE;
    },
    footprint(a, f, st) { if (st.data >= 0) f.rw(a.L.data(st.data)); },
    stops: () => false,
    object: (st) => at('data', st.data),
  },
} satisfies StmtGroup<'use' | 'free'>;
