// Driver data (devm_ or drmm_ managed memory): `use`. It is freed by the devres release
// at unbind (devm) or by its drm device's release (drmm).

import type { With } from '../program';
import { DONE } from '../step';
import { at, type StmtGroup } from './api';

/** The operands of its statements (program.ts `Operands`). */
export type DataOperands = With<'use', { data: number }>;

export const DATA_STMTS = {
  use: {
    lower: (s, cx) => ({ kind: s.kind, data: cx.idx('data', s.target.name) }),
    exec(k, i, t, _f, st) {
      const s = k.s, p = k.p;
      const d = s.data[st.data];
      const info = p.data[st.data];
      if (d.freed) {
        const why = info.managed === 'devm'
          ? `devm data is freed by the devres release at unbind of ${p.devices[info.owner]?.name}`
          : `drmm data is freed when ${p.drms[info.owner]?.name} is released`;
        return k.useAfterFree(i, t, st, k.obj('data', st.data), `${t.name} uses ${info.name}, which was freed (${why})`);
      }
      if (k.recording) k.note(i, st.line, st.kind, `uses ${info.name}`);
      return DONE;
    },
    footprint(a, f, st) { if (st.data >= 0) f.read(a.L.data(st.data)); },
    stops: (s, _t, _i, st) => s.data[st.data].freed,
    object: (st) => at('data', st.data),
  },
} satisfies StmtGroup<'use'>;
