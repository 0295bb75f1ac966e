// The scenario family of ../shared/bench/spin/*.pml, written as generated `.lifetime`
// scenarios, so that `lifetime explore` and Spin check the same driver on one machine.
//
// Mapping (docs/explorer.md, "The benchmark family", has the full table):
//
//   lifetime.pml                         .lifetime
//   ----------------------------------   ------------------------------------------------
//   proctype user(id) × N                thread user1 … userN
//     open: try_module_get + kref++        open f on card0   (fops owner: module +1, drm +1)
//     ioctl: drm_dev_enter, try_access,    ioctl f { enter card0 { access bar0 { write bar0
//            doorbell, job[id] = 1                      submit jobI } … } }
//     dma_fence_wait[_timeout]             wait jobI [timeout 1ms]   (inside `enter`)
//     close: drm_dev_put, module_put       close f           (the language's __fput order)
//   proctype unplug                      thread hotplug { hotunplug gpu0 }: device gone,
//                                        default remove = drm_dev_unplug (waits for SRCU),
//                                        devres: revoke bar0 (waits for RCU), put the binding
//   proctype irq                         the GPU's own `complete:jobI` events: a pending
//                                        fence of a present device completes at any point
//   proctype unload                      thread admin { rmmod nova }
//   assert(mod_loaded) in release        on release card0 { … }: driver code → a run with
//                                        nova gone is `code-after-unload`
//   BUG_FENCE_NO_TIMEOUT                 `wait jobI` without timeout
//   BUG_PUT_ORDER                        `fops_owner: no`: the file does not hold the module
//                                        across its final drm_dev_put (the language fixes
//                                        close's own order, so the early module_put is the
//                                        missing owner reference)

export type FamilyVariant = 'buggy' | 'deadlock' | 'putorder' | 'fixed';

export const FAMILY_VARIANTS: readonly FamilyVariant[] = ['buggy', 'deadlock', 'putorder', 'fixed'];

/** What both tools must conclude for a variant: the set of verdicts. */
export type Verdict = 'deadlock' | 'release-after-unload' | 'clean';

export function expectedVerdicts(v: FamilyVariant): Verdict[] {
  switch (v) {
    case 'buggy': return ['deadlock', 'release-after-unload'];
    case 'deadlock': return ['deadlock'];
    case 'putorder': return ['release-after-unload'];
    case 'fixed': return ['clean'];
  }
}

/** Our fault kinds → the benchmark's verdicts (anything else is reported as itself). */
export function verdictOfKind(kind: string): string {
  if (kind === 'deadlock') return 'deadlock';
  if (kind === 'code-after-unload') return 'release-after-unload';
  return kind;
}

function bugs(v: FamilyVariant): { noTimeout: boolean; putOrder: boolean } {
  return { noTimeout: v === 'buggy' || v === 'deadlock', putOrder: v === 'buggy' || v === 'putorder' };
}

/** The N-user scenario of lifetime.pml / lifetime_fixed.pml. */
export function familyScenario(n: number, variant: FamilyVariant): string {
  if (!Number.isInteger(n) || n < 1) throw new Error(`family: N must be a positive integer, got ${n}`);
  const b = bugs(variant);
  const out: string[] = [];
  out.push(`scenario "lifetime.pml family, N = ${n}, ${variant}"`);
  out.push('');
  out.push('module nova');
  out.push('device gpu0');
  out.push(`driver nova_drm in nova binds gpu0 { fops_owner: ${b.putOrder ? 'no' : 'yes'} }`);
  out.push('drm card0 on gpu0');
  out.push('revocable bar0 on gpu0');
  for (let i = 1; i <= n; i++) out.push(`fence job${i} on gpu0`);
  out.push('');
  out.push('on release card0 {');
  out.push('  log "nova: free the driver\'s private data"   // module code');
  out.push('}');
  for (let i = 1; i <= n; i++) {
    out.push('');
    out.push(`thread user${i} {`);
    out.push('  open f on card0');
    out.push('  ioctl f {');
    out.push('    enter card0 {');
    out.push('      access bar0 {');
    out.push('        write bar0');
    out.push(`        submit job${i}`);
    out.push('      }');
    out.push(`      wait job${i}${b.noTimeout ? '' : ' timeout 1ms'}`);
    out.push('    }');
    out.push('  }');
    out.push('  close f');
    out.push('}');
  }
  out.push('');
  out.push('thread hotplug "PCI surprise removal" {');
  out.push('  hotunplug gpu0');
  out.push('}');
  out.push('');
  out.push('thread admin {');
  out.push('  rmmod nova');
  out.push('}');
  out.push('');
  if (b.noTimeout) out.push('expect explore deadlock');
  if (b.putOrder) out.push('expect explore code-after-unload');
  if (!b.noTimeout && !b.putOrder) out.push('expect explore clean');
  return out.join('\n') + '\n';
}

/** deadlock_a.pml: one ioctl waiting on its fence under drm_dev_enter, hot-unplug, irq. */
export function deadlockAScenario(fix: boolean): string {
  return `scenario "deadlock_a.pml${fix ? ' -DFIX' : ''}"

module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
fence job on gpu0

thread ioctl_client {
  open f on card0
  ioctl f {
    enter card0 {
      submit job
      wait job${fix ? ' timeout 1ms' : ''}
    }
  }
  close f
}

thread hotplug {
  hotunplug gpu0
}

expect explore ${fix ? 'clean' : 'deadlock'}
`;
}
