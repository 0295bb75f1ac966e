// Copy-on-write successor states. A step of thread i writes only thread i's own state and
// the shared tables (modules, devices, drm devices, fences, …); a `timeout:<t>` event only
// thread t's wait; a `complete:<fence>` event only the fence. So a successor copies the
// shared tables (small) and the one thread that moves, and shares every other thread with
// its parent. States kept by the explorer are never written again, so sharing is safe; the
// `paranoid` option of the explorer checks it (each expanded state's key is recomputed
// after its successors were made).

import type { CodeFrame, Frame, KernelState, ThreadState } from '../runtime/state';

function cloneFrame(f: Frame): Frame {
  if (f.t === 0) {
    const c: CodeFrame = {
      t: 0, block: f.block, pc: f.pc, role: f.role, guard: f.guard, repeatLeft: f.repeatLeft,
      mod: f.mod, handler: f.handler, caller: f.caller,
    };
    return c;
  }
  return { t: 1, ops: f.ops, i: f.i, origin: f.origin, label: f.label };
}

export function cloneThreadFast(t: ThreadState): ThreadState {
  const frames: Frame[] = new Array(t.frames.length);
  for (let k = 0; k < frames.length; k++) frames[k] = cloneFrame(t.frames[k]);
  const w = t.wait;
  return {
    name: t.name,
    work: t.work,
    status: t.status,
    frames,
    wait: w ? { kind: w.kind, x: w.x, until: w.until, hasTimeout: w.hasTimeout, timedOut: w.timedOut, self: w.self, loc: w.loc } : null,
    files: t.files.map((f) => ({ scope: f.scope, slot: f.slot, name: f.name, drm: f.drm, cdev: f.cdev, st: f.st, holdsModule: f.holdsModule, open: f.open })),
    refs: t.refs.slice(),
    srcu: t.srcu,
    rcu: t.rcu.slice(),
    spinlocks: t.spinlocks.slice(),
    exiting: t.exiting,
  };
}

/** A copy of `s` in which only thread `mover` (-1: none) may be written. Faults start empty. */
export function successorState(s: KernelState, mover: number): KernelState {
  const threads = s.threads.slice();
  if (mover >= 0) threads[mover] = cloneThreadFast(threads[mover]);
  return {
    clock: s.clock,
    steps: s.steps,
    modules: s.modules.map((m) => ({ state: m.state, refs: m.refs })),
    devices: s.devices.map((d) => ({ present: d.present, bound: d.bound, unbinder: d.unbinder })),
    drms: s.drms.map((d) => ({ refs: d.refs, unplugged: d.unplugged, freed: d.freed, releasing: d.releasing, bindingRef: d.bindingRef })),
    revocables: s.revocables.map((r) => ({ revoked: r.revoked })),
    data: s.data.map((d) => ({ freed: d.freed })),
    works: s.works.map((w) => ({ state: w.state, startAt: w.startAt, off: w.off, cancelling: w.cancelling, flushRuns: w.flushRuns })),
    fences: s.fences.map((f) => ({ state: f.state, completeAt: f.completeAt, live: f.live })),
    mutexes: s.mutexes.map((m) => ({ holder: m.holder, lockStmt: m.lockStmt })),
    cdevs: s.cdevs.map((c) => ({ deleted: c.deleted })),
    attrs: s.attrs.map((a) => ({ removed: a.removed, active: a.active })),
    spinlocks: s.spinlocks.map((m) => ({ holder: m.holder, lockStmt: m.lockStmt })),
    completions: s.completions.map((c) => ({ done: c.done })),
    krefs: s.krefs.map((o) => ({ refs: o.refs, freed: o.freed, releasing: o.releasing })),
    threads,
    order: s.order.slice(),
    rr: s.rr,
    faults: [],
    ended: s.ended,
    eventCount: s.eventCount,
  };
}
