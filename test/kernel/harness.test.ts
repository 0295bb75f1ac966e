// The harness's timeouts follow the kernel: a KASAN or lockdep tree runs several times
// slower under TCG, and drm-release-after-rmmod hit the stock kernel's limits there.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slowdown, type KernelTree } from '../../kernel/harness';

const tree = (config: [string, string][]): KernelTree => ({
  release: 'r', image: 'i', buildDir: 'b', drmKo: null, config: new Map(config), append: [], source: 's',
} as KernelTree);

describe('slowdown', () => {
  it('is 1 on the stock kernel and 3 on a KASAN or lockdep tree', () => {
    expect(slowdown(tree([['CONFIG_SOFTLOCKUP_DETECTOR', 'y']]))).toBe(1);
    expect(slowdown(tree([['CONFIG_KASAN', 'y']]))).toBe(3);
    expect(slowdown(tree([['CONFIG_PROVE_LOCKING', 'y']]))).toBe(3);
  });
  it('stretches the runner\'s stall, overall and hung-task windows too (its fifth argument)', () => {
    const run = readFileSync(join(__dirname, '../../kernel/c/lt_run.c'), 'utf8');
    expect(run).toMatch(/now\(\) - last > 20 \* slow/);
    expect(run).toMatch(/now\(\) - t0 > 120 \* slow/);
    expect(run).toMatch(/window \* slow/);
    expect(readFileSync(join(__dirname, '../../kernel/c/init.sh'), 'utf8')).toMatch(/lt_drv\.ko \$\(cat \/window\)/);
  });
});
