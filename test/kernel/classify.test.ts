// The serial-log classifier, on logs of real runs (test/kernel/logs: Debian 6.1.0-57 in
// QEMU TCG, saved with `lifetime kernel --log`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agreement } from '../../kernel/cli';
import { classify, features, notObservable, oopsKind } from '../../kernel/classify';

const log = (name: string) => readFileSync(join(__dirname, 'logs', name), 'utf8');

describe('classify', () => {
  it('reads the hung tasks of the unplug deadlock as a deadlock of both threads', () => {
    const c = classify(log('conformance-04.log'), ['app', 'hotplug']);
    expect(c.faults.map((f) => [f.kind, f.thread])).toEqual([['deadlock', 'app'], ['deadlock', 'hotplug']]);
    expect(c.faults[1].log[0]).toMatch(/INFO: task hotplug:\d+ blocked for more than 2 seconds/);
    expect(c.faults[1].log.join('\n')).toMatch(/drm_dev_unplug/);
    expect(c.release).toBe('6.1.0-57-amd64');
    expect(c.end).toEqual({ why: 'blocked', step: 7, of: 7 });
  });

  it('finds nothing in a clean run, and the end of the schedule', () => {
    const c = classify(log('conformance-05.log'), ['app', 'hotplug']);
    expect(c.faults).toEqual([]);
    expect(c.end?.why).toBe('done');
  });

  it('reads RCU\'s voluntary-switch warning as sleep-in-atomic', () => {
    const c = classify(log('conformance-08.log'), ['worker']);
    expect(c.faults.map((f) => [f.kind, f.thread])).toEqual([['sleep-in-atomic', 'worker']]);
  });

  it('reads a fault at lt_mmio_write on the unmapped BAR as unguarded-mmio (the RIP line is kept)', () => {
    const c = classify(log('conformance-12.log'), ['app', 'admin']);
    expect(c.faults.map((f) => [f.kind, f.thread])).toEqual([['unguarded-mmio', 'app']]);
    expect(c.faults[0].log.some((l) => /RIP: 0010:lt_mmio_write/.test(l))).toBe(true);
  });

  it('reads an oops as code after unload when the runner\'s own output cuts through the report', () => {
    // bug-drm-pagemap-provider-module's witness: the consumer's last put calls the release
    // of the unloaded lt_drv while the admin prints "rmmod: ok" on the same console, in the
    // middle of the oops (before its "[last unloaded: lt_drv]")
    const c = classify(log('pagemap-rmmod-interleaved.log'), ['consumer', 'admin']);
    expect(c.faults.map((f) => [f.kind, f.thread])).toEqual([['code-after-unload', 'consumer']]);
    expect(c.faults[0].log.some((l) => /LT-USER/.test(l))).toBe(false);
  });

  it('reads an oops with a long unreliable call trace as code after unload', () => {
    // drm-release-after-rmmod's witness: the unwinder cannot start from a RIP in freed
    // module text and prints every "? …" guess on the stack before "[last unloaded: lt_drv]"
    const c = classify(log('release-after-rmmod-long-trace.log'), ['app', 'admin']);
    expect(c.faults.map((f) => [f.kind, f.thread])).toEqual([['code-after-unload', 'app']]);
    expect(c.faults[0].log.join('\n')).toMatch(/supervisor instruction fetch/);
  });

  it('tells code after unload from a use after free, and keeps an unknown oops', () => {
    const unloaded = [
      'BUG: unable to handle page fault for address: ffffffffc066b3b8',
      '#PF: supervisor read access in kernel mode',
      'Modules linked in: lt_core(OE) drm [last unloaded: lt_drv(OE)]',
      'RIP: 0010:filp_close+0x1d/0x80',
    ];
    expect(oopsKind(unloaded)).toBe('code-after-unload');
    expect(oopsKind(['general protection fault, probably for non-canonical address 0x6b6b6b6b6b6b6b6b: 0000 [#1] PREEMPT SMP NOPTI', 'RIP: 0010:lt_use_data+0x5/0x10 [lt_core]'])).toBe('use-after-free');
    expect(oopsKind(['BUG: kernel NULL pointer dereference, address: 0000000000000000'])).toBe('use-after-free');
    expect(oopsKind(['BUG: unable to handle page fault for address: ffff888012345678', 'RIP: 0010:something+0x1/0x2'])).toBe('oops');
  });

  it('maps the module count\'s BUG at rmmod and WARN in module_put to refcount-underflow', () => {
    const bug = classify('[   5.1] kernel BUG at kernel/module/main.c:769!\n[   5.1] CPU: 0 PID: 9 Comm: admin Tainted: G\n', ['admin']);
    expect(bug.faults.map((f) => [f.kind, f.thread])).toEqual([['refcount-underflow', 'admin']]);
    const warn = classify('[   5.1] WARNING: CPU: 1 PID: 9 at kernel/module/main.c:857 module_put+0x4f/0x60\n', []);
    expect(warn.faults.map((f) => f.kind)).toEqual(['refcount-underflow']);
    const ref = classify('[   5.1] refcount_t: underflow; use-after-free.\n', []);
    expect(ref.faults.map((f) => f.kind)).toEqual(['refcount-underflow']);
  });

  it('calls a spinning poll a hang, not also a deadlock of the threads behind it', () => {
    const c = classify([
      '[ 9.0] INFO: task hotplug:97 blocked for more than 2 seconds.',
      '[ 9.5] watchdog: BUG: soft lockup - CPU#1 stuck for 4s! [app:96]',
    ].join('\n'), ['app', 'hotplug']);
    expect(c.faults.map((f) => [f.kind, f.thread])).toEqual([['hang', 'app']]);
  });

  it('keeps apart what a thread does after its use after free (the model\'s thread stops there)', () => {
    const c = classify([
      '[ 4.59] refcount_t: addition on 0; use-after-free.',
      '[ 4.59] WARNING: CPU: 1 PID: 97 at lib/refcount.c:25 refcount_warn_saturate+0x97/0x110',
      '[ 4.59] CPU: 1 PID: 97 Comm: opener Tainted: G           OE      6.1.0-57-amd64 #1',
      '[ 4.74] refcount_t: underflow; use-after-free.',
      '[ 4.74] WARNING: CPU: 1 PID: 97 at lib/refcount.c:28 refcount_warn_saturate+0xba/0x110',
      '[ 4.74] CPU: 1 PID: 97 Comm: opener Tainted: G           OE      6.1.0-57-amd64 #1',
      '[ 4.80] refcount_t: underflow; use-after-free.',
      '[ 4.80] WARNING: CPU: 0 PID: 98 at lib/refcount.c:28 refcount_warn_saturate+0xba/0x110',
      '[ 4.80] CPU: 0 PID: 98 Comm: teardown Tainted: G           OE      6.1.0-57-amd64 #1',
    ].join('\n'), ['opener', 'teardown']);
    expect(c.faults.map((f) => [f.kind, f.thread])).toEqual([['use-after-free', 'opener'], ['refcount-underflow', 'teardown']]);
    expect(c.followOn.map((f) => [f.kind, f.thread])).toEqual([['refcount-underflow', 'opener']]);
  });

  it('ignores what happens after the run ended', () => {
    const c = classify('LT-END why=done step=3 of 3 threads_done=1 of 1\n[ 9.0] BUG: kernel NULL pointer dereference, address: 0000000000000008\n', []);
    expect(c.faults).toEqual([]);
  });
});

describe('agreement', () => {
  // Debian's stock config, as far as it matters here
  const stock = notObservable(features(new Map([['CONFIG_SOFTLOCKUP_DETECTOR', 'y']])));
  it('holds when the kernel saw exactly the observable kinds the model found', () => {
    expect(agreement(['deadlock'], ['deadlock'], stock).agree).toBe(true);
    expect(agreement(['use-after-free', 'leak'], ['use-after-free'], stock)).toEqual({
      agree: true, notObservable: [{ kind: 'leak', why: expect.stringMatching(/task exits/) }],
    });
  });
  it('fails on a kind either side lacks', () => {
    expect(agreement(['deadlock'], [], stock).agree).toBe(false);
    expect(agreement([], ['oops'], stock).agree).toBe(false);
    expect(agreement(['code-after-unload'], ['code-after-unload', 'use-after-free'], stock).agree).toBe(false);
  });
  it('lists hang as not observable on a kernel without the soft-lockup watchdog (the first debug tree: x86_64_defconfig)', () => {
    const debug = notObservable(features(new Map([['CONFIG_KASAN', 'y'], ['CONFIG_PROVE_LOCKING', 'y']])));
    expect(agreement(['hang'], [], debug)).toEqual({
      agree: true, notObservable: [{ kind: 'hang', why: expect.stringMatching(/CONFIG_SOFTLOCKUP_DETECTOR/) }],
    });
    expect(stock.has('hang')).toBe(false);
    // what that kernel does see is the hung task behind the spinning reader (§8.8 folds it into the hang)
    expect(agreement(['hang'], ['deadlock'], debug).agree).toBe(true);
    expect(agreement(['hang'], ['deadlock'], stock).agree).toBe(false);
  });
  it('never lets the required kinds be unobservable', () => {
    for (const k of ['deadlock', 'code-after-unload', 'use-after-free', 'refcount-underflow', 'sleep-in-atomic'] as const) {
      expect(stock.has(k)).toBe(false);
    }
  });
});
