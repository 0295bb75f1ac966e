// The interrupt line (version 2): `raise` (the device interrupts) and `free_irq`. Its
// handler runs on `irq/<i>`, started by the kernel (startWork) as a kworker is; the devres
// release frees a devm IRQ (teardown.ts, Op.FreeIrq).

import type { Kernel } from '../kernel';
import type { With } from '../program';
import { WorkSt, type Loc, type ThreadState } from '../state';
import { DONE, type Res } from '../step';
import { at, type StmtGroup } from './api';

/** The operands of its statements (program.ts `Operands`). */
export type IrqOperands = With<'raise' | 'free_irq', { work: number }>;

/**
 * free_irq of IRQ x: freed, then waits until its handler is neither pending nor running
 * (synchronize_irq). `devres`: the devres release, which skips an IRQ already freed.
 */
export function freeIrq(k: Kernel, i: number, t: ThreadState, x: number, loc: Loc, devres: boolean): Res {
  const w = k.s.works[x];
  const name = k.p.works[x].name;
  if (w.off) {
    if (!devres) k.note(i, loc.line, 'free_irq', `trying to free already-free IRQ ${name}`);
    return DONE;
  }
  w.off = true;
  k.note(i, loc.line, devres ? 'devres' : 'free_irq', `${devres ? 'devres ' : ''}free_irq(${name}): later raises do nothing`);
  if (w.state === WorkSt.Idle) return DONE;
  return k.block(t, 'synchronize_irq', x, loc);
}

export const IRQ_STMTS = {
  raise: {
    lower: (s, cx) => ({ kind: s.kind, work: cx.idx('irq', s.target.name) }),
    exec(k, i, _t, _f, st) {
      const s = k.s;
      const cb = k.p.works[st.work];
      const w = s.works[st.work];
      const why = !s.devices[cb.device]?.present ? 'the device is gone'
        : w.off ? 'the IRQ is freed'
        : w.state === WorkSt.Pending || w.state === WorkSt.RunningPending ? 'its handler is already pending'
        : '';
      if (why) {
        k.note(i, st.line, st.kind, `interrupt ${cb.name} does nothing: ${why}`);
        return DONE;
      }
      w.state = w.state === WorkSt.Running ? WorkSt.RunningPending : WorkSt.Pending;
      w.startAt = s.clock;
      k.note(i, st.line, st.kind, `interrupt ${cb.name}: its handler is pending`);
      return DONE;
    },
    footprint(a, f, st) {
      if (st.work < 0) return;
      f.rw(a.L.work(st.work));
      const dev = a.p.works[st.work].device;
      if (dev >= 0) f.read(a.L.devPresent(dev));
    },
    stops: () => false,
    object: (st) => at('irq', st.work),
  },
  free_irq: {
    lower: (s, cx) => ({ kind: s.kind, work: cx.idx('irq', s.target.name) }),
    exec: (k, i, t, _f, st) => freeIrq(k, i, t, st.work, st, false),
    footprint(a, f, st) { if (st.work >= 0) f.rw(a.L.work(st.work)); },
    stops: () => false,
    object: (st) => at('irq', st.work),
  },
} satisfies StmtGroup<'raise' | 'free_irq'>;
