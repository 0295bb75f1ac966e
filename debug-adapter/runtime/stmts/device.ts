// The device and its binding to a driver: `hotunplug` (surprise removal) and `unbind`
// (remove(), then the devres release: teardown.ts's sequence).

import type { Kernel } from '../kernel';
import type { With } from '../program';
import { FenceSt, type Loc, type ThreadState } from '../state';
import { DONE, PUSHED, nativeFrame, type Res } from '../step';
import { unbindOps } from '../teardown';
import { at, type StmtGroup } from './api';

/** The operands of its statements (program.ts `Operands`). */
export type DeviceOperands = With<'hotunplug' | 'unbind', { device: number }>;

/** The unbind of device dev, from the statement, a hot-unplug or an rmmod. */
export function unbind(k: Kernel, i: number, t: ThreadState, dev: number, origin: Loc): Res {
  const s = k.s;
  const p = k.p;
  const d = s.devices[dev];
  if (d.unbinder >= 0 && d.unbinder !== i) return k.block(t, 'unbind', dev, origin);
  if (!d.bound || d.unbinder === i) return DONE;
  d.unbinder = i;
  const drv = p.drivers[p.devices[dev].driver];
  const ops = unbindOps(p, dev);
  const dflt = p.cdevs.some((c) => c.device === dev) ? 'drm_dev_unplug, cdev_del' : 'drm_dev_unplug';
  k.note(i, origin.line, 'remove', `unbind ${p.devices[dev].name}: ${drv.remove ? `${drv.name}'s remove` : `default remove (${dflt})`}, then the devres release`);
  t.frames.push(nativeFrame(ops, origin, `unbind ${p.devices[dev].name}`));
  return PUSHED;
}

export const DEVICE_STMTS = {
  hotunplug: {
    lower: (s, cx) => ({ kind: s.kind, device: cx.idx('device', s.target.name) }),
    exec(k, i, t, _f, st) {
      const s = k.s, p = k.p;
      const d = s.devices[st.device];
      d.present = false;
      s.fences.forEach((fe, q) => {
        if (p.fences[q].device === st.device && fe.state === FenceSt.Pending) {
          fe.completeAt = -1;
          fe.live = false;
        }
      });
      k.note(i, st.line, st.kind, `${p.devices[st.device].name} is gone: its pending fences never complete, its reads return all ones`);
      return unbind(k, i, t, st.device, st);
    },
    footprint(a, f, st, deep) {
      if (st.device < 0) return;
      const L = a.L;
      f.write(L.devPresent(st.device));
      a.p.fences.forEach((q, k) => { if (q.device === st.device) f.read(L.fst(k)).write(L.flive(k)); });
      a.unbindFP(f, st.device, deep);
    },
    stops: () => false,
    object: (st) => at('device', st.device),
  },
  unbind: {
    lower: (s, cx) => ({ kind: s.kind, device: cx.idx('device', s.target.name) }),
    exec: (k, i, t, _f, st) => unbind(k, i, t, st.device, st),
    footprint(a, f, st, deep) { if (st.device >= 0) a.unbindFP(f, st.device, deep); },
    stops: () => false,
    object: (st) => at('device', st.device),
  },
} satisfies StmtGroup<'hotunplug' | 'unbind'>;
