// A KASAN + lockdep kernel for `lifetime kernel --kernel TREE`, built from Debian's
// linux-source package with the recipe of ../shared/kernel (kernel/debug-kernel.sh) and
// cached. It takes about 30 minutes on 2 cores; the stock kernel is what CI uses.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, HarnessError, KERNEL_PIN, sourceDir } from './harness';

/** Builds (or finds) the cached debug kernel tree and returns its path. */
export function buildDebugKernel(log: (s: string) => void): string {
  const tree = join(cacheRoot(), `debug-${KERNEL_PIN.kbuild}`, `linux-source-${KERNEL_PIN.kbuild}`);
  if (existsSync(join(tree, 'arch/x86/boot/bzImage'))) return tree;
  // debug-kernel.sh configures a tree once; a rerun after an interrupted build resumes it
  if (existsSync(join(tree, '.lt-configured'))) log(`resuming the build of the KASAN + lockdep kernel in ${tree}…`);
  else log(`building a KASAN + lockdep kernel in ${tree} (about 30 minutes on 2 idle cores)…`);
  const script = join(sourceDir(), '..', 'debug-kernel.sh');
  const r = spawnSync('bash', [script, join(cacheRoot(), `debug-${KERNEL_PIN.kbuild}`), KERNEL_PIN.kbuild], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 || !existsSync(join(tree, 'arch/x86/boot/bzImage'))) throw new HarnessError(`building the debug kernel failed (exit ${r.status})`);
  return tree;
}
