// Version 2 (language.md §9): char devices (`cdev`, open/ioctl/close on their files,
// `unregister`), sysfs attributes (`attr`, `show`) and the version-2 unbind order (the
// attribute drain before remove; cdev_del in the default remove).

import { describe, expect, it } from 'vitest';
import { eventsOf, exploreSrc, faultOf, kinds, lineOf, replay, run, trace } from './helpers';

const UART = `
module uart
device uart0
driver uart_drv in uart binds uart0
data port devm on uart0
cdev tty on uart0
`;

describe('cdev files', () => {
  it('open takes a module reference with fops_owner; close drops it after on close', () => {
    const src = UART + `
on close uart_drv { log "release" }
thread app {
  open f on tty
  close f
}
thread admin {
  rmmod uart
}
`;
    const r = run(src);
    expect(kinds(r)).toEqual([]);
    // app opened first (round-robin), so the rmmod found the module in use
    expect(eventsOf(r, 'rmmod', 'admin')[0].text).toMatch(/EWOULDBLOCK|in use/);
    const t = trace(r, 'app');
    const close = t.findIndex((x) => x.startsWith('close:'));
    const handler = t.findIndex((x) => x.startsWith('log:release'));
    expect(close).toBeGreaterThanOrEqual(0);
    expect(handler).toBeGreaterThan(close);
    expect(r.kernel.s.modules[0].refs).toBe(0);
  });

  it('open of a deleted cdev is ENXIO, and later uses of the file are skipped', () => {
    const src = UART + `
thread admin {
  unregister tty
}
thread late {
  sleep 1ms
  open g on tty
  ioctl g { use port }
  close g
}
`;
    const r = run(src);
    expect(kinds(r)).toEqual([]);
    expect(eventsOf(r, 'open', 'late')[0].text).toMatch(/ENXIO/);
    expect(eventsOf(r, 'ioctl', 'late')[0].text).toMatch(/EBADF/);
    expect(r.kernel.s.modules[0].refs).toBe(0);
  });

  it('an ioctl after cdev_del and the devres release runs driver code: use-after-free on devm data', () => {
    const src = UART + `
on remove uart_drv { unregister tty }
thread app {
  open f on tty
  sleep 2ms
  ioctl f { use port }
  close f
}
thread admin {
  sleep 1ms
  unbind uart0
}
`;
    const r = run(src);
    expect(kinds(r)).toEqual(['use-after-free']);
    expect(faultOf(r, 'use-after-free')).toMatchObject({ thread: 'app', ...lineOf(src, 'use port'), time_ns: 2_000_000 });
  });

  it('the default remove unregisters each cdev of the device (no drm device needed)', () => {
    const src = UART + `
thread admin { unbind uart0 }
thread late { sleep 1ms open g on tty }
`;
    const r = run(src);
    expect(r.kernel.s.cdevs[0].deleted).toBe(true);
    expect(eventsOf(r, 'unregister', 'admin')).toHaveLength(1);
    expect(eventsOf(r, 'open', 'late')[0].text).toMatch(/ENXIO/);
  });

  it('unregister of a deleted cdev does nothing; it sleeps, so inside access it is sleep-in-atomic', () => {
    const src = UART + `
revocable bar on uart0
thread a {
  access bar { unregister tty }
  unregister tty
}
`;
    const r = run(src);
    expect(kinds(r)).toEqual(['sleep-in-atomic']);
    expect(faultOf(r, 'sleep-in-atomic')).toMatchObject({ thread: 'a', ...lineOf(src, 'unregister tty') });
    expect(eventsOf(r, 'unregister', 'a')[1].text).toMatch(/already deleted/);
  });

  it('open, ioctl and close with the module gone are code-after-unload (fops_owner: no)', () => {
    const src = `
module uart
device uart0
driver uart_drv in uart binds uart0 { fops_owner: no }
cdev tty on uart0
thread app {
  open f on tty
  sleep 2ms
  ioctl f { log "x" }
}
thread admin {
  sleep 1ms
  rmmod uart
}
`;
    const r = run(src);
    expect(kinds(r)).toEqual(['code-after-unload']);
    expect(faultOf(r, 'code-after-unload')).toMatchObject({ thread: 'app', ...lineOf(src, 'ioctl f') });
  });

  it('try_module_get failing while the module is going gives ENODEV, with no module reference', () => {
    const src = UART + `
attr a on uart0 { log "in show" }
thread admin {
  rmmod uart
}
thread app {
  open f on tty
}
`;
    // explore: some schedule opens while rmmod is under way (the module going)
    const r = exploreSrc(src);
    expect(r.faults).toEqual([]);
    expect(r.complete).toBe(true);
  });
});

describe('sysfs attributes', () => {
  const PANEL = `
module panel
device panel0
driver panel_drv in panel binds panel0
data priv devm on panel0
mutex mode_lock
`;

  it('show runs the block as driver code holding an active reference, then drops it', () => {
    const src = PANEL + `
attr brightness on panel0 {
  use priv
  log "print"
}
thread reader { show brightness }
`;
    const r = run(src);
    expect(kinds(r)).toEqual([]);
    expect(trace(r, 'reader').filter((x) => x.startsWith('show:') || x.startsWith('log:'))).toEqual([
      expect.stringMatching(/^show:brightness show\(\) runs/), 'log:print',
    ]);
    expect(r.kernel.s.attrs[0].active).toBe(0);
  });

  it('show of a removed attribute is ENODEV and runs nothing', () => {
    const src = PANEL + `
attr brightness on panel0 { use priv }
thread admin { unbind panel0 }
thread reader { sleep 1ms show brightness }
`;
    const r = run(src);
    expect(kinds(r)).toEqual([]);
    expect(eventsOf(r, 'show', 'reader')[0].text).toMatch(/ENODEV/);
    expect(r.kernel.s.attrs[0].removed).toBe(true);
  });

  it('the unbind waits for a thread inside show (sleeping there) before remove runs', () => {
    const src = PANEL + `
attr slow on panel0 {
  sleep 2ms
  use priv
}
on remove panel_drv { log "remove" }
thread reader { show slow }
thread admin { sleep 1ms unbind panel0 }
`;
    const r = run(src);
    expect(kinds(r)).toEqual([]);
    // remove ran only after the show returned at 2ms: priv was still live when used
    const rm = r.events.find((e) => e.kind === 'log' && e.text === 'remove')!;
    expect(rm.time_ns).toBe(2_000_000);
  });

  it('unbind under a lock that show takes: deadlock naming both threads', () => {
    const src = PANEL + `
attr brightness on panel0 {
  lock mode_lock
  unlock mode_lock
}
thread reader { show brightness }
thread admin {
  lock mode_lock
  unbind panel0
  unlock mode_lock
}
`;
    const r = run(src);
    expect(kinds(r)).toEqual(['deadlock']);
    const f = faultOf(r, 'deadlock');
    expect(f.blocked).toEqual(['reader', 'admin']);
    expect(f.message).toMatch(/admin waits in the unbind of panel0 for the attribute show\(\) of reader/);
  });

  it('an unbind from inside the device\'s own attribute waits for itself: deadlock', () => {
    const src = PANEL + `
attr detach on panel0 { unbind panel0 }
thread user { show detach }
`;
    const r = run(src);
    expect(kinds(r)).toEqual(['deadlock']);
    expect(faultOf(r, 'deadlock')).toMatchObject({ thread: 'user', ...lineOf(src, 'unbind panel0'), blocked: ['user'] });
    expect(faultOf(r, 'deadlock').message).toMatch(/itself inside/);
  });

  it('an attribute of another device does not hold up the unbind', () => {
    const src = PANEL + `
device other0
driver other_drv in panel binds other0
attr detach on other0 { unbind panel0 }
thread user { show detach }
`;
    const r = run(src);
    expect(kinds(r)).toEqual([]);
  });

  it('explore: the drain deadlock is found, and its witness replays', () => {
    const src = PANEL + `
attr brightness on panel0 { lock mode_lock unlock mode_lock }
thread reader { show brightness }
thread admin { lock mode_lock unbind panel0 unlock mode_lock }
`;
    const r = exploreSrc(src);
    expect(r.complete).toBe(true);
    const f = r.faults.find((x) => x.kind === 'deadlock')!;
    expect(f).toBeDefined();
    const rp = replay(src, f.schedule);
    expect(kinds(rp)).toContain('deadlock');
  });
});

describe('the version-2 unbind order', () => {
  it('attributes drained, then remove (drm unplug, then cdev_del), then devres (revoke, devm data, drm put), then unbound', () => {
    const src = `
module m
device d
driver drv in m binds d
drm card on d
revocable bar on d
data st devm on d
cdev c on d
attr a on d { log "show" }
thread admin { unbind d }
`;
    const r = run(src);
    expect(kinds(r)).toEqual([]);
    const order = r.events.filter((e) => e.thread === 'admin').map((e) => e.kind + ':' + e.text);
    const at = (re: RegExp) => order.findIndex((x) => re.test(x));
    const steps = [/attribute a removed/, /^unplugged:/, /cdev_del\(c\)/, /^revoked:/, /devm data st freed/, /drm_dev_put\(card\)/, /d unbound/];
    const idx = steps.map(at);
    expect(idx.every((x) => x >= 0), JSON.stringify(order, null, 1)).toBe(true);
    expect([...idx].sort((x, y) => x - y)).toEqual(idx);
  });
});

describe('expectations name callback threads by prefix', () => {
  it('`expect … in kworker/w` resolves to the kworker thread', () => {
    const src = `
module m
device d
driver drv in m binds d
data st devm on d
work w in drv { use st }
thread t {
  unbind d
  queue w
}
expect use-after-free in kworker/w
`;
    const r = run(src);
    expect(kinds(r)).toEqual(['use-after-free']);
    expect(r.met).toBe(true);
    expect(r.expectations[0]).toMatchObject({ met: true, thread: 'kworker/w' });
  });

  it('a callback name that is not the faulting thread is not met', () => {
    const src = `
module m
device d
driver drv in m binds d
data st devm on d
work w in drv { log "w" }
thread t {
  unbind d
  use st
  queue w
}
expect use-after-free in kworker/w
`;
    const r = run(src);
    expect(r.met).toBe(false);
  });
});
