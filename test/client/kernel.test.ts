// Run on Linux's pure logic: the notes set beside each model fault, the verdict line, and
// when the command is offered.
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelNotes, kernelToolAvailable, kernelVerdict, type KernelReport } from '../../client/logic/kernel';

const report = (over: Partial<KernelReport> = {}): KernelReport => ({
  file: 'a.lifetime',
  model: { faults: [
    { kind: 'use-after-free', thread: 'app', line: 10, column: 3, message: 'use of freed dsi' },
    { kind: 'leak', thread: 'app', line: 4, column: 3, message: 'card0 still held' },
  ] },
  kernel: {
    release: '6.1.0-57-amd64', accel: 'tcg', wall_ms: 20000,
    faults: [{ kind: 'use-after-free', thread: 'app', log: ['general protection fault, probably for non-canonical address 0x6b6b6b6b6b6b6b6b', 'RIP: 0010:lt_use_data+0x5/0x10 [lt_core]'] }],
    not_observable: [{ kind: 'leak', why: 'no kmemleak' }],
  },
  agree: true,
  ...over,
});

describe('Run on Linux', () => {
  it('puts the kernel\'s log lines beside the model\'s fault of the same kind', () => {
    const [uaf, leak] = kernelNotes(report());
    expect([uaf.line, uaf.column, uaf.agree]).toEqual([10, 3, true]);
    expect(uaf.message).toContain('model: use-after-free in app: use of freed dsi');
    expect(uaf.message).toContain('0x6b6b6b6b6b6b6b6b');
    expect(leak.message).toContain('cannot observe leak: no kmemleak');
  });

  it('marks a model fault the kernel did not show', () => {
    const r = report({ kernel: { ...report().kernel!, faults: [] }, agree: false });
    expect(kernelNotes(r)[0]).toMatchObject({ agree: false, message: expect.stringContaining('did not show use-after-free') });
    expect(kernelVerdict(r, 'a.lifetime')).toBe('a.lifetime: the kernel DISAGREES: model use-after-free, leak; Linux 6.1.0-57-amd64: clean');
  });

  it('says why there is no verdict', () => {
    const r = report({ agree: null, no_verdict: 'QEMU did not finish within its hard timeout (180 s)' });
    expect(kernelVerdict(r, 'a.lifetime')).toMatch(/no verdict from the kernel \(QEMU did not finish/);
    const nr = report({ kernel: null, agree: null, not_replayable: { step: 4, thread: 'rust_ioctl', line: 26, column: 5, why: 'inside an access block' } });
    expect(kernelVerdict(nr, 'b.lifetime')).toBe('b.lifetime: not replayable on the kernel (step 4): inside an access block');
    expect(kernelNotes(nr)).toEqual([]);
  });

  it('is offered only with QEMU and gcc on the PATH, or as root with apt-get', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-path-'));
    const tool = (n: string) => { writeFileSync(join(dir, n), '#!/bin/sh\n'); chmodSync(join(dir, n), 0o755); };
    expect(kernelToolAvailable({ PATH: dir }, 'linux', 1000)).toBe(false);
    tool('qemu-system-x86_64');
    expect(kernelToolAvailable({ PATH: dir }, 'linux', 1000)).toBe(false);
    tool('gcc');
    expect(kernelToolAvailable({ PATH: dir }, 'linux', 1000)).toBe(process.arch === 'x64');
    expect(kernelToolAvailable({ PATH: dir }, 'darwin', 1000)).toBe(false);
    const root = mkdtempSync(join(tmpdir(), 'lt-path-'));
    writeFileSync(join(root, 'apt-get'), '');
    expect(kernelToolAvailable({ PATH: root }, 'linux', 0)).toBe(process.arch === 'x64');
    expect(kernelToolAvailable({ PATH: root }, 'linux', 1000)).toBe(false);
  });
});
