// The version-2 benchmark family (issue 10): a driver whose users arm kernel timers through
// a char device, with an IRQ, torn down by an unbind. One generator, used by the bench
// (bench/explore.ts) and by the explorer tests (test/explorer/helpers.ts).
//
//   N user threads     open node; ioctl f { arm t<i> }; close f   (each its own timer)
//   timer t<i>         callback: use priv       (devm data, freed by the devres release)
//   irq irq0 threaded  handler:  use priv       (not devm: remove must free it)
//   thread hw          raise irq0               (the device interrupts)
//   thread hotplug     unbind dev0              (remove, then the devres release frees priv)
//
// `fixed`: remove unregisters the node, disables every timer (timer_shutdown_sync: waits for
// a running callback, later arms do nothing) and frees the IRQ (waits for its handler), so
// nothing touches priv after it is freed: clean. `buggy`: remove forgets the last timer, so
// t<N>, armed before or after the unbind, fires on freed priv: use-after-free in timer/t<N>.

export type TimerFamilyVariant = 'buggy' | 'fixed';

export const TIMER_FAMILY_VARIANTS: readonly TimerFamilyVariant[] = ['buggy', 'fixed'];

/** The fault sites' (kind in thread) pairs the variant must give, or [] for clean. */
export function timerFamilyExpected(n: number, v: TimerFamilyVariant): string[] {
  return v === 'buggy' ? [`use-after-free in timer/t${n}`] : [];
}

/** The N-user scenario of the version-2 family. */
export function timerFamilyScenario(n: number, variant: TimerFamilyVariant): string {
  if (!Number.isInteger(n) || n < 1) throw new Error(`timer family: N must be a positive integer, got ${n}`);
  const out: string[] = [];
  out.push(`scenario "version-2 timer family, N = ${n}, ${variant}"`);
  out.push('');
  out.push('module tdrv');
  out.push('device dev0');
  out.push('driver tdrv_drv in tdrv binds dev0');
  out.push('data priv devm on dev0');
  out.push('cdev node on dev0');
  out.push('');
  for (let i = 1; i <= n; i++) out.push(`timer t${i} in tdrv_drv { use priv }`);
  out.push('irq irq0 on dev0 threaded { use priv }');
  out.push('');
  out.push('on remove tdrv_drv {');
  out.push('  unregister node');
  for (let i = 1; i <= n; i++) {
    if (variant === 'buggy' && i === n) out.push(`  // forgets t${i}`);
    else out.push(`  disable t${i}`);
  }
  out.push('  free_irq irq0');
  out.push('}');
  for (let i = 1; i <= n; i++) {
    out.push('');
    out.push(`thread user${i} {`);
    out.push('  open f on node');
    out.push(`  ioctl f { arm t${i} }`);
    out.push('  close f');
    out.push('}');
  }
  out.push('');
  out.push('thread hw "the device interrupts" {');
  out.push('  raise irq0');
  out.push('}');
  out.push('');
  out.push('thread hotplug {');
  out.push('  unbind dev0');
  out.push('}');
  out.push('');
  out.push(variant === 'buggy' ? `expect explore use-after-free in timer/t${n}` : 'expect explore clean');
  return out.join('\n') + '\n';
}
