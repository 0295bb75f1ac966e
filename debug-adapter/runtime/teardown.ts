// The sourceless sequences of teardown, built once: the kernel runs them as native frames
// and the explorer's footprints are computed from the same lists, so the two cannot drift.

import type { Program } from './program';
import { Op, type NativeOp } from './state';

/**
 * The unbind of device `dev` (language.md §3): the driver's `remove` (or the default one,
 * drm_dev_unplug of its drm devices), then the devres release (revocables revoked, devm
 * data freed, the binding's reference of each drm device put, each group in declaration
 * order), then the device is unbound.
 */
export function unbindOps(p: Program, dev: number): NativeOp[] {
  const drv = p.drivers[p.devices[dev]?.driver];
  const ops: NativeOp[] = [];
  if (drv?.remove) ops.push({ op: Op.CallHandler, x: p.handlers.indexOf(drv.remove) });
  else p.drms.forEach((m, k) => { if (m.device === dev) ops.push({ op: Op.Unplug, x: k }); });
  // devres, version 2 (language.md §9): devm IRQs are freed first
  p.works.forEach((w, k) => { if (w.kind === 'irq' && w.devm && w.device === dev) ops.push({ op: Op.FreeIrq, x: k }); });
  p.revocables.forEach((r, k) => { if (r.device === dev) ops.push({ op: Op.Revoke, x: k }); });
  p.data.forEach((d, k) => { if (d.managed === 'devm' && d.owner === dev) ops.push({ op: Op.FreeData, x: k }); });
  p.drms.forEach((m, k) => { if (m.device === dev) ops.push({ op: Op.PutBinding, x: k }); });
  ops.push({ op: Op.UnbindDone, x: dev });
  return ops;
}
