// The sourceless sequences of teardown, built once: the kernel runs them as native frames
// and the explorer's footprints are computed from the same lists, so the two cannot drift.

import type { Program } from './program';
import { Op, type NativeOp } from './state';

/**
 * The unbind of device `dev` (language.md §4, and §9 "Unbind and the devres release, in
 * version 2"), in this order:
 * 1. the driver's sysfs attributes of `dev` are removed, then drained (no thread left
 *    inside their show());
 * 2. the driver's `remove`, or the default one: drm_dev_unplug of each drm device, then
 *    cdev_del of each cdev;
 * 3. the devres release: free_irq of each devm irq, revoke each revocable, put the first
 *    reference of each devm kref, free each devm data, put the binding's reference of each
 *    drm device (each group in declaration order);
 * 4. the device is unbound.
 * A version-1 program has no attributes, cdevs, irqs or krefs: its sequence is §4's.
 */
export function unbindOps(p: Program, dev: number): NativeOp[] {
  const drv = p.drivers[p.devices[dev]?.driver];
  const ops: NativeOp[] = [];
  // (1) kernfs: remove the attributes, then drain their active references
  let attrs = false;
  p.attrs.forEach((a, k) => { if (a.device === dev) { ops.push({ op: Op.RemoveAttr, x: k }); attrs = true; } });
  if (attrs) ops.push({ op: Op.DrainAttrs, x: dev });
  // (2) remove()
  if (drv?.remove) ops.push({ op: Op.CallHandler, x: p.handlers.indexOf(drv.remove) });
  else {
    p.drms.forEach((m, k) => { if (m.device === dev) ops.push({ op: Op.Unplug, x: k }); });
    p.cdevs.forEach((c, k) => { if (c.device === dev) ops.push({ op: Op.UnregisterCdev, x: k }); });
  }
  // (3) the devres release: devm IRQs are freed first
  p.works.forEach((w, k) => { if (w.kind === 'irq' && w.devm && w.device === dev) ops.push({ op: Op.FreeIrq, x: k }); });
  p.revocables.forEach((r, k) => { if (r.device === dev) ops.push({ op: Op.Revoke, x: k }); });
  // version 2 (§9): the first reference of each devm kref of the driver that binds dev
  const drvIx = p.devices[dev]?.driver ?? -1;
  p.krefs.forEach((o, k) => { if (o.devm && drvIx >= 0 && o.driver === drvIx) ops.push({ op: Op.PutKref, x: k }); });
  p.data.forEach((d, k) => { if (d.managed === 'devm' && d.owner === dev) ops.push({ op: Op.FreeData, x: k }); });
  p.drms.forEach((m, k) => { if (m.device === dev) ops.push({ op: Op.PutBinding, x: k }); });
  ops.push({ op: Op.UnbindDone, x: dev });
  return ops;
}
