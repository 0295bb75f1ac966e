// One scenario per statement of language.md §4 (and the fine points of §8 that fix their
// step counts), each asserting the exact effect the spec's table gives.

import { describe, expect, it } from 'vitest';
import { BASE, eventsOf, faultOf, kinds, lineOf, replay, run, runSteps, trace } from './helpers';

const MS = 1_000_000;

describe('open', () => {
  it('takes a drm reference and, with fops_owner (default yes), a module reference', () => {
    const src = BASE + `
thread app {
  open f on card
  sleep 1ms
}`;
    const mid = runSteps(src, 1);
    expect(mid.final.drm.card).toEqual({ refcount: 2, unplugged: false, freed: false });
    expect(mid.final.modules.m).toEqual({ state: 'live', refcount: 1 });
    const r = run(src);
    // exit closes the file again
    expect(r.faults).toEqual([]);
    expect(r.final.drm.card.refcount).toBe(1);
    expect(r.final.modules.m.refcount).toBe(0);
    expect(eventsOf(r, 'open')).toHaveLength(1);
  });

  it('with fops_owner: no pins nothing in the module', () => {
    const src = `
module m
device d
driver drv in m binds d { fops_owner: no }
drm card on d
thread app {
  open f on card
  sleep 1ms
}`;
    const mid = runSteps(src, 1);
    expect(mid.final.drm.card.refcount).toBe(2);
    expect(mid.final.modules.m.refcount).toBe(0);
  });

  it('on an unplugged drm gives ENODEV; later uses of the file are EBADF events', () => {
    const src = BASE + `
thread app {
  unplug card
  open f on card
  ioctl f { log "inside" }
  close f
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const open = eventsOf(r, 'open');
    expect(open).toHaveLength(1);
    expect(open[0].text).toMatch(/ENODEV/);
    expect(open[0].line).toBe(lineOf(src, 'open f').line);
    expect(eventsOf(r, 'ioctl')[0].text).toMatch(/EBADF/);
    expect(eventsOf(r, 'log')).toHaveLength(0);
    const close = eventsOf(r, 'close');
    expect(close).toHaveLength(1);
    expect(close[0].text).toMatch(/EBADF/);
    expect(close[0].line).toBe(lineOf(src, 'close f').line);
    expect(r.final.drm.card).toEqual({ refcount: 1, unplugged: true, freed: false });
    expect(r.final.modules.m.refcount).toBe(0);
  });

  it('on a drm freed after its unplug gives ENODEV, not use-after-free', () => {
    const src = BASE + `
thread app {
  unbind d
  open f on card
}`;
    const r = run(src);
    expect(r.final.drm.card).toEqual({ refcount: 0, unplugged: true, freed: true });
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'open')[0].text).toMatch(/ENODEV/);
  });

  it('while the module is going: try_module_get fails (ENODEV) and the +1 is undone', () => {
    const src = BASE + `
on remove drv { sleep 1ms }
thread admin { rmmod m }
thread app {
  open f on card
  close f
}`;
    // admin: rmmod (going) and stands in remove's sleep; app then opens.
    const mid = runSteps(src, 2);
    expect(mid.final.modules.m.state).toBe('going');
    expect(mid.final.drm.card.refcount).toBe(1);
    expect(mid.final.modules.m.refcount).toBe(0);
    const ev = eventsOf(mid, 'open', 'app');
    expect(ev).toHaveLength(1);
    expect(ev[0].text).toMatch(/try_module_get/);
    expect(ev[0].text).toMatch(/ENODEV/);
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'close', 'app')[0].text).toMatch(/EBADF/);
    // the custom remove did not unplug; the binding's reference was the last one
    expect(r.final.drm.card).toEqual({ refcount: 0, unplugged: false, freed: true });
    expect(r.final.modules.m).toEqual({ state: 'gone', refcount: 0 });
  });

  it('while the module is gone (drm still alive, not unplugged) is code-after-unload', () => {
    const src = BASE + `
on remove drv { log "remove without unplug" }
thread holder {
  get card
  sleep 5ms
  put card
}
thread admin { rmmod m }
thread late {
  sleep 1ms
  open f on card
}`;
    const r = run(src);
    expect(kinds(r)).toEqual(['code-after-unload']);
    const f = faultOf(r, 'code-after-unload');
    expect(f).toMatchObject({ thread: 'late', ...lineOf(src, 'open f on card'), time_ns: 1 * MS });
    // the last put runs no driver code (no `on release`): no further fault (fine point 6)
    expect(r.final.drm.card).toEqual({ refcount: 0, unplugged: false, freed: true });
  });
});

describe('close', () => {
  it('runs `on close`, then the put, then the fops owner module_put', () => {
    const src = BASE + `
on close drv { log "driver close" }
thread app {
  open f on card
  close f
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const t = trace(r).filter((e) => !e.startsWith('refcount-zero') && !e.startsWith('exit'));
    expect(t.map((e) => e.split(':')[0])).toEqual(['open', 'close', 'close', 'log', 'put', 'module_put']);
    expect(t[3]).toBe('log:driver close');
    expect(r.final.drm.card.refcount).toBe(1);
    expect(r.final.modules.m.refcount).toBe(0);
    // open 1, close 2 (stands at the handler's first statement), log 3 (then put, module put, exit)
    expect(r.steps).toBe(3);
  });

  it('with the module gone (fops_owner: no) is code-after-unload at the close', () => {
    const src = `
module m
device d
driver drv in m binds d { fops_owner: no }
drm card on d
thread app {
  open f on card
  sleep 1ms
  close f
}
thread admin { rmmod m }`;
    const r = run(src);
    expect(r.final.modules.m.state).toBe('gone');
    expect(kinds(r)).toEqual(['code-after-unload']);
    expect(faultOf(r, 'code-after-unload')).toMatchObject({ thread: 'app', ...lineOf(src, 'close f'), time_ns: MS });
    // an oops: the file stays open, its reference held
    expect(r.final.drm.card).toEqual({ refcount: 1, unplugged: true, freed: false });
  });

  it('after a forced rmmod is code-after-unload', () => {
    const src = BASE + `
thread app {
  open f on card
  sleep 1ms
  close f
}
thread admin { rmmod m force }`;
    const r = run(src);
    expect(eventsOf(r, 'rmmod')[0].text).not.toMatch(/EWOULDBLOCK/);
    expect(r.final.modules.m).toEqual({ state: 'gone', refcount: 1 });
    expect(kinds(r)).toEqual(['code-after-unload']);
    expect(faultOf(r, 'code-after-unload')).toMatchObject({ thread: 'app', ...lineOf(src, 'close f') });
  });
});

describe('ioctl', () => {
  it('runs its body as driver code, one step per statement', () => {
    const src = BASE + `
thread app {
  open f on card
  ioctl f { log "a" log "b" }
  close f
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'log').map((e) => e.text)).toEqual(['a', 'b']);
    expect(eventsOf(r, 'log').map((e) => e.step)).toEqual([3, 4]);
    expect(eventsOf(r, 'ioctl')[0].step).toBe(2);
    expect(r.steps).toBe(5);
  });

  it('on an unplugged drm gives ENODEV and skips the body', () => {
    const src = BASE + `
thread app {
  open f on card
  unplug card
  ioctl f { log "inside" }
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'ioctl')[0].text).toMatch(/ENODEV/);
    expect(eventsOf(r, 'log')).toEqual([]);
  });

  it('checks module gone before unplugged (fine point 4)', () => {
    const src = `
module m
device d
driver drv in m binds d { fops_owner: no }
drm card on d
thread app {
  open f on card
  sleep 1ms
  ioctl f { log "inside" }
}
thread admin { rmmod m }`;
    const r = run(src);
    expect(r.final.drm.card.unplugged).toBe(true);
    expect(kinds(r)).toEqual(['code-after-unload']);
    expect(faultOf(r, 'code-after-unload')).toMatchObject({ thread: 'app', ...lineOf(src, 'ioctl f'), time_ns: MS });
  });

  it('on a freed (never unplugged) drm is use-after-free', () => {
    const src = BASE + `
thread app {
  open f on card
  put card
  put card
  ioctl f { log "inside" }
}`;
    const r = run(src);
    expect(r.final.drm.card.freed).toBe(true);
    expect(kinds(r)).toEqual(['use-after-free']);
    expect(faultOf(r, 'use-after-free')).toMatchObject({ thread: 'app', ...lineOf(src, 'ioctl f') });
  });

  it('in a module whose code is gone is code-after-unload at the statement inside the body', () => {
    // rmmod (fops_owner: no, so it succeeds) while the ioctl body sleeps: the body's next
    // statement is unloaded code. (Ambiguity: the sleep's completion itself is not flagged;
    // the fault is at the statement that runs next, at the same virtual time.)
    const src = `
module m
device d
driver drv in m binds d { fops_owner: no }
drm card on d
thread app {
  open f on card
  ioctl f {
    sleep 1ms
    log "after"
  }
}
thread admin {
  sleep 500us
  rmmod m
}`;
    const r = run(src);
    expect(kinds(r)).toEqual(['code-after-unload']);
    expect(faultOf(r, 'code-after-unload')).toMatchObject({ thread: 'app', ...lineOf(src, 'log "after"'), time_ns: MS });
  });
});

describe('get / put', () => {
  it('get and put are ±1 and the reference is the thread\'s (no leak after put)', () => {
    const src = BASE + `
thread app {
  get card
  get card
  put card
  sleep 1ms
  put card
}`;
    const mid = runSteps(src, 3);
    expect(mid.final.drm.card.refcount).toBe(2);
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(r.final.drm.card.refcount).toBe(1);
    expect(eventsOf(r, 'get').map((e) => e.text)).toEqual(['card 1→2', 'card 2→3']);
  });

  it('a put reaching 0 runs `on release`, frees the drmm data, frees the drm, then drops the module ref (drm_holds_module)', () => {
    const src = `
module m
device d
driver drv in m binds d { drm_holds_module: yes }
drm card on d
data priv drmm on card
data other devm on d
on release card { use priv log "release" }
thread app {
  unbind d
}`;
    const start = runSteps(src, 0);
    expect(start.final.modules.m.refcount).toBe(1);
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(r.final.drm.card).toEqual({ refcount: 0, unplugged: true, freed: true });
    expect(r.final.data).toEqual({ priv: { freed: true }, other: { freed: true } });
    expect(r.final.modules.m).toEqual({ state: 'live', refcount: 0 });
    expect(r.final.devices.d).toEqual({ present: true, bound: null });
    const t = trace(r).filter((e) => !e.startsWith('exit'));
    const i = (p: string) => t.findIndex((e) => e.startsWith(p));
    expect(i('log:release')).toBeGreaterThan(i('refcount-zero:card'));
    expect(i('release:drmm data priv freed')).toBeGreaterThan(i('log:release'));
    expect(i('release:card freed')).toBeGreaterThan(i('release:drmm data priv freed'));
    expect(i('module_put:m 1→0')).toBeGreaterThan(i('release:card freed'));
    // unbind 1 (stands at `use priv`), use 2, log 3 (the rest follows in that step)
    expect(r.steps).toBe(3);
  });

  it('a put reaching 0 without drm_holds_module leaves the module count alone', () => {
    const src = BASE + `
thread app { put card }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(r.final.drm.card).toEqual({ refcount: 0, unplugged: false, freed: true });
    expect(r.final.modules.m.refcount).toBe(0);
  });

  it('get and put of a freed drm are use-after-free', () => {
    const g = BASE + `
thread app {
  unbind d
  get card
}`;
    const rg = run(g);
    expect(kinds(rg)).toEqual(['use-after-free']);
    expect(faultOf(rg, 'use-after-free')).toMatchObject({ thread: 'app', ...lineOf(g, 'get card') });
    const p = BASE + `
thread app {
  unbind d
  put card
}`;
    const rp = run(p);
    expect(kinds(rp)).toEqual(['use-after-free']);
    expect(faultOf(rp, 'use-after-free')).toMatchObject({ thread: 'app', ...lineOf(p, 'put card') });
  });
});

describe('initial state (§3)', () => {
  it('modules start live with one reference per drm of a drm_holds_module driver; devices bound; drms at 1', () => {
    const src = `
module m
module other
device d
device e
driver drv in m binds d { drm_holds_module: yes }
driver drv2 in other binds e
drm card on d
drm card2 on d
drm card3 on e
revocable bar on d
fence job on d
data st devm on d
work w in drv { log "w" }
mutex mu
thread app { log "x" }`;
    const r = runSteps(src, 0);
    expect(r.final).toEqual({
      modules: { m: { state: 'live', refcount: 2 }, other: { state: 'live', refcount: 0 } },
      devices: { d: { present: true, bound: 'drv' }, e: { present: true, bound: 'drv2' } },
      drm: {
        card: { refcount: 1, unplugged: false, freed: false },
        card2: { refcount: 1, unplugged: false, freed: false },
        card3: { refcount: 1, unplugged: false, freed: false },
      },
      revocables: { bar: { revoked: false } },
      fences: { job: { state: 'idle' } },
      data: { st: { freed: false } },
      works: { w: { state: 'idle' } },
      mutexes: { mu: { holder: null } },
    });
    expect(r.time_ns).toBe(0);
    expect(r.steps).toBe(0);
  });

  it('with drm_holds_module, rmmod is EWOULDBLOCK until the drms are released', () => {
    const src = `
module m
device d
driver drv in m binds d { drm_holds_module: yes }
drm card on d
thread admin {
  rmmod m
  unbind d
  rmmod m
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const ev = eventsOf(r, 'rmmod');
    expect(ev[0].text).toMatch(/EWOULDBLOCK/);
    expect(ev[1].text).not.toMatch(/EWOULDBLOCK/);
    expect(r.final.modules.m).toEqual({ state: 'gone', refcount: 0 });
  });
});

describe('try_module_get / module_put', () => {
  it('+1 while live, −1 on put', () => {
    const src = BASE + `
thread app {
  try_module_get m
  sleep 1ms
  module_put m
}`;
    expect(runSteps(src, 1).final.modules.m.refcount).toBe(1);
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(r.final.modules.m.refcount).toBe(0);
  });

  it('fails (an event, no reference, no leak) once the module is not live', () => {
    const src = BASE + `
thread app {
  rmmod m
  try_module_get m
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(r.final.modules.m).toEqual({ state: 'gone', refcount: 0 });
    const ev = eventsOf(r, 'try_module_get');
    expect(ev).toHaveLength(1);
    expect(ev[0].text).toMatch(/fails/);
  });

  it('fails while the module is going', () => {
    const src = BASE + `
on remove drv { sleep 1ms }
thread admin { rmmod m }
thread app { try_module_get m }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'try_module_get', 'app')[0].text).toMatch(/going/);
    expect(r.final.modules.m.refcount).toBe(0);
  });
});

describe('enter', () => {
  it('runs the else block on an unplugged drm', () => {
    const src = BASE + `
thread app {
  unplug card
  enter card { log "body" } else { log "else" }
  enter card { log "body2" }
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'log').map((e) => e.text)).toEqual(['else']);
  });

  it('makes the thread an SRCU reader: unplug elsewhere waits until the section ends', () => {
    const src = BASE + `
thread app {
  enter card {
    log "in"
    log "still in"
  }
  log "out"
}
thread hp { unplug card }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    // app: enter 1; hp: unplug blocks 2; app: log 3, log 4 (leaves the section);
    // hp completes 5; app log "out" 6
    const done = r.events.find((e) => e.kind === 'unplug' && e.thread === 'hp');
    expect(done?.step).toBe(5);
    expect(r.steps).toBe(6);
    expect(r.final.drm.card.unplugged).toBe(true);
  });

  it('on a freed drm is use-after-free', () => {
    const src = BASE + `
thread app {
  put card
  enter card { log "x" }
}`;
    const r = run(src);
    expect(kinds(r)).toEqual(['use-after-free']);
    expect(faultOf(r, 'use-after-free')).toMatchObject({ ...lineOf(src, 'enter card') });
  });
});

describe('access', () => {
  it('runs the else block once revoked', () => {
    const src = BASE + `
revocable bar on d
thread app {
  access bar { log "body" } else { log "else1" }
  revoke bar
  access bar { log "body" } else { log "else2" }
  access bar { log "body" }
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'log').map((e) => e.text)).toEqual(['body', 'else2']);
  });

  it('makes the thread an RCU reader of r: revoke elsewhere waits', () => {
    const src = BASE + `
revocable bar on d
thread app {
  access bar {
    read bar
    read bar
  }
}
thread hp { revoke bar }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const rev = r.events.find((e) => e.kind === 'revoke' && e.thread === 'hp');
    // app access 1, hp revoke blocks 2, app read 3, read 4 (leaves), hp completes 5
    expect(rev?.step).toBe(5);
    expect(r.final.revocables.bar.revoked).toBe(true);
  });
});

describe('unplug', () => {
  it('sets unplugged and waits for SRCU readers of any drm device', () => {
    const src = BASE + `
drm card2 on d
thread app {
  enter card2 {
    sleep 1ms
  }
}
thread hp {
  unplug card
  log "unplugged"
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const log = eventsOf(r, 'log', 'hp')[0];
    expect(log.time_ns).toBe(MS);
    expect(r.final.drm.card.unplugged).toBe(true);
    expect(r.final.drm.card2.unplugged).toBe(false);
  });

  it('inside its own enter is a deadlock', () => {
    const src = BASE + `
thread app {
  enter card {
    unplug card
  }
}`;
    const r = run(src);
    expect(kinds(r)).toEqual(['deadlock']);
    const f = faultOf(r, 'deadlock');
    expect(f).toMatchObject({ thread: 'app', ...lineOf(src, 'unplug card'), time_ns: 0 });
    expect(f.message).toMatch(/app/);
    expect(f.message).toMatch(/own/);
    expect(r.final.drm.card.unplugged).toBe(true);
  });
});

describe('revoke', () => {
  it('revokes once; revoking again does nothing', () => {
    const src = BASE + `
revocable bar on d
thread app {
  revoke bar
  revoke bar
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(r.final.revocables.bar.revoked).toBe(true);
    expect(eventsOf(r, 'revoked')).toHaveLength(1);
    expect(r.steps).toBe(2);
  });
});

describe('hotunplug', () => {
  it('marks the device absent, its pending fences never complete, then unbinds', () => {
    const src = BASE + `
revocable bar on d
fence job on d takes 2ms
thread app {
  submit job
  hotunplug d
  wait job timeout 5ms
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(r.final.devices.d).toEqual({ present: false, bound: null });
    expect(r.final.fences.job.state).toBe('pending');
    expect(r.final.drm.card).toEqual({ refcount: 0, unplugged: true, freed: true });
    expect(r.final.revocables.bar.revoked).toBe(true);
    expect(eventsOf(r, 'timeout')).toHaveLength(1);
    expect(eventsOf(r, 'complete')).toHaveLength(0);
    expect(r.time_ns).toBe(5 * MS);
  });
});

describe('unbind', () => {
  it('the default remove unplugs each drm of the device', () => {
    const src = BASE + `
drm card2 on d
device other
driver drv2 in m binds other
drm card3 on other
thread app { unbind d }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(r.final.drm.card.unplugged).toBe(true);
    expect(r.final.drm.card2.unplugged).toBe(true);
    expect(r.final.drm.card3.unplugged).toBe(false);
    expect(r.final.devices.d.bound).toBeNull();
    expect(r.final.devices.other.bound).toBe('drv2');
  });

  it('devres release: remove, then revoke each revocable, free each devm data, put each drm binding ref', () => {
    const src = BASE + `
drm card2 on d
revocable bar0 on d
revocable bar1 on d
data st devm on d
data st2 devm on d
data dd drmm on card
thread app { unbind d }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const t = trace(r).filter((e) => /^(unplugged|revoked|devres|release|put):/.test(e));
    const tags = t.map((e) => {
      const m = e.match(/^(\w+):.*?(card2|card|bar0|bar1|st2|st|dd|d unbound)/);
      return m ? `${m[1]} ${m[2]}` : e;
    });
    expect(tags).toEqual([
      'unplugged card', 'unplugged card2',
      'revoked bar0', 'revoked bar1',
      'devres st', 'devres st2',
      'put card', 'release dd', 'release card',
      'put card2', 'release card2',
      'devres d unbound',
    ]);
    expect(r.final.data).toEqual({ st: { freed: true }, st2: { freed: true }, dd: { freed: true } });
    expect(r.steps).toBe(1);
  });

  it('a custom remove replaces the default unplug', () => {
    const src = BASE + `
on remove drv { log "remove" }
thread app { unbind d }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(r.final.drm.card).toEqual({ refcount: 0, unplugged: false, freed: true });
    expect(eventsOf(r, 'log')[0].text).toBe('remove');
    // unbind 1 (stands at the handler's log), log 2
    expect(r.steps).toBe(2);
  });

  it('of an unbound device does nothing; during another thread\'s unbind waits, then does nothing', () => {
    const src = BASE + `
on remove drv { sleep 1ms }
thread a { unbind d }
thread b {
  unbind d
  log "b done"
}
thread c {
  sleep 2ms
  unbind d
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'remove')).toHaveLength(2); // one `remove` note for unbind, one for the handler
    expect(eventsOf(r, 'remove').every((e) => e.thread === 'a')).toBe(true);
    expect(eventsOf(r, 'log', 'b')[0].time_ns).toBe(MS);
    expect(r.final.devices.d.bound).toBeNull();
    expect(eventsOf(r, 'release')).toHaveLength(1);
  });
});

describe('rmmod', () => {
  it('unbinds every device of the module, then the module is gone', () => {
    const src = BASE + `
device d2
driver drv2 in m binds d2
drm card2 on d2
thread admin { rmmod m }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(r.final.modules.m).toEqual({ state: 'gone', refcount: 0 });
    expect(r.final.devices.d.bound).toBeNull();
    expect(r.final.devices.d2.bound).toBeNull();
    expect(r.final.drm.card.freed).toBe(true);
    expect(r.final.drm.card2.freed).toBe(true);
    expect(eventsOf(r, 'module-gone')).toHaveLength(1);
  });

  it('with references held fails with EWOULDBLOCK (an event, not a fault)', () => {
    const src = BASE + `
thread app {
  open f on card
  rmmod m
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'rmmod')[0].text).toMatch(/EWOULDBLOCK/);
    expect(r.final.modules.m).toEqual({ state: 'live', refcount: 0 });
    expect(r.final.devices.d.bound).toBe('drv');
  });

  it('force skips the count check', () => {
    const src = BASE + `
thread app {
  try_module_get m
  rmmod m force
  module_put m
}`;
    const r = run(src);
    expect(r.final.modules.m).toEqual({ state: 'gone', refcount: 0 });
    expect(r.faults).toEqual([]);
  });

  it('of a going module is EBUSY, of a gone one ENOENT', () => {
    const src = BASE + `
on remove drv { sleep 1ms }
thread a {
  rmmod m
  rmmod m
}
thread b { rmmod m }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'rmmod', 'b')[0].text).toMatch(/EBUSY/);
    const a = eventsOf(r, 'rmmod', 'a');
    expect(a).toHaveLength(2);
    expect(a[1].text).toMatch(/ENOENT/);
    expect(r.final.modules.m.state).toBe('gone');
  });
});

describe('submit / wait / poll / signal', () => {
  it('submit: pending, completing at now + takes; wait then returns', () => {
    const src = BASE + `
fence job on d takes 3ms
thread app {
  submit job
  wait job
  log "done"
}`;
    const mid = runSteps(src, 2);
    expect(mid.final.fences.job.state).toBe('pending');
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(r.final.fences.job.state).toBe('signalled');
    expect(eventsOf(r, 'log')[0].time_ns).toBe(3 * MS);
    // submit 1, wait blocks 2, wait completes 3, log 4
    expect(r.steps).toBe(4);
    expect(r.time_ns).toBe(3 * MS);
  });

  it('default takes is 1ms', () => {
    const r = run(BASE + `
fence job on d
thread app {
  submit job
  wait job
}`);
    expect(r.time_ns).toBe(MS);
  });

  it('submit with the device gone: never completes', () => {
    const src = BASE + `
fence job on d
thread app {
  hotunplug d
  submit job
  wait job timeout 2ms
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(r.final.fences.job.state).toBe('pending');
    expect(r.time_ns).toBe(2 * MS);
  });

  it('submit of a pending fence changes nothing; of a completed one makes it pending again', () => {
    const src = BASE + `
fence job on d takes 2ms
thread app {
  submit job
  sleep 1ms
  submit job
  wait job
  log "first"
  submit job
  wait job
  log "second"
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'log').map((e) => e.time_ns)).toEqual([2 * MS, 4 * MS]);
  });

  it('wait with a timeout gives ETIMEDOUT after t; the fence still completes later', () => {
    const src = BASE + `
fence job on d takes 5ms
thread app {
  submit job
  wait job timeout 1ms
  log "after"
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const to = eventsOf(r, 'timeout');
    expect(to).toHaveLength(1);
    expect(to[0].text).toMatch(/ETIMEDOUT/);
    expect(to[0].time_ns).toBe(MS);
    expect(eventsOf(r, 'log')[0].time_ns).toBe(MS);
    expect(r.final.fences.job.state).toBe('signalled');
    expect(r.time_ns).toBe(5 * MS);
  });

  it('wait on an idle fence waits for a signal (fine point 5)', () => {
    const src = BASE + `
fence job on d
thread app {
  wait job
  log "woken"
}
thread drv_thread {
  sleep 2ms
  signal job
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'log')[0].time_ns).toBe(2 * MS);
    expect(r.final.fences.job.state).toBe('signalled');
  });

  it('signal error completes the fence with -ENODEV; a completed fence stays as it is', () => {
    const src = BASE + `
fence job on d
fence job2 on d
thread app {
  submit job
  signal job error
  signal job
  wait job
  signal job2
  signal job2 error
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(r.final.fences.job.state).toBe('error');
    expect(r.final.fences.job2.state).toBe('signalled');
    expect(eventsOf(r, 'signal')[0].text).toMatch(/ENODEV/);
    // wait on an errored fence does not block: 6 statements, 6 steps
    expect(r.steps).toBe(6);
  });

  it('poll is scheduled like wait (the clock moves to its completion)', () => {
    const src = BASE + `
fence job on d takes 4ms
thread app {
  submit job
  poll job
  log "done"
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'log')[0].time_ns).toBe(4 * MS);
    expect(eventsOf(r, 'poll')).toHaveLength(1);
    expect(r.steps).toBe(4);
  });

  it('poll with a timeout gives ETIMEDOUT', () => {
    const src = BASE + `
fence job on d
thread app {
  hotunplug d
  submit job
  poll job timeout 3ms
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const to = eventsOf(r, 'timeout');
    expect(to).toHaveLength(1);
    expect(to[0].text).toMatch(/ETIMEDOUT/);
    expect(to[0].time_ns).toBe(3 * MS);
  });

  it('poll never sleeps: inside access it is not sleep-in-atomic, wait is', () => {
    const src = BASE + `
revocable bar on d
fence job on d
thread app {
  submit job
  access bar {
    poll job timeout 1ms
  }
}`;
    expect(run(src).faults).toEqual([]);
    const w = src.replace('poll job timeout 1ms', 'wait job timeout 1ms');
    const r = run(w);
    expect(kinds(r)).toEqual(['sleep-in-atomic']);
  });
});

describe('read / write', () => {
  it('outside access while live is fine; inside access is fine', () => {
    const src = BASE + `
revocable bar on d
thread app {
  read bar
  write bar
  access bar { read bar write bar }
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'read')).toHaveLength(2);
    expect(eventsOf(r, 'write')).toHaveLength(2);
  });

  it('a timer read gives the clock', () => {
    const src = BASE + `
revocable bar on d
timer tm on bar
thread app {
  sleep 3ms
  read tm
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const ev = eventsOf(r, 'read')[0];
    expect(ev.text).toMatch(/3000000/);
    expect(ev.time_ns).toBe(3 * MS);
  });

  it('a read of a device that is gone returns all ones (an event)', () => {
    const src = BASE + `
revocable bar on d
thread app {
  access bar {
    read bar
    read bar
  }
}
thread hp {
  log "before"
  hotunplug d
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const reads = eventsOf(r, 'read');
    expect(reads).toHaveLength(2);
    expect(reads[0].text).not.toMatch(/ffffffff/);
    expect(reads[1].text).toMatch(/0xffffffff/);
  });
});

describe('use', () => {
  it('touches live data quietly', () => {
    const r = run(BASE + `
data st devm on d
thread app { use st }`);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'use')).toHaveLength(1);
  });
});

describe('queue / flush / cancel', () => {
  it('queue runs the work on kworker/<work>, its start a step of its own', () => {
    const src = BASE + `
work w in drv { log "in work" }
thread app { queue w after 2ms }`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const kw = eventsOf(r, 'kworker');
    expect(kw).toHaveLength(1);
    expect(kw[0].thread).toBe('kworker/w');
    expect(kw[0].time_ns).toBe(2 * MS);
    expect(kw[0].step).toBe(2);
    const log = eventsOf(r, 'log')[0];
    expect(log.thread).toBe('kworker/w');
    expect(log.step).toBe(3);
    expect(r.final.works.w.state).toBe('idle');
  });

  it('queue of a pending work does nothing; of a running one, it runs again once it returns', () => {
    const src = BASE + `
work w in drv {
  sleep 1ms
  log "in work"
}
thread app {
  queue w after 1ms
  queue w
  sleep 1500us
  queue w
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const q = eventsOf(r, 'queue');
    expect(q).toHaveLength(3);
    expect(q[1].text).toMatch(/false/);
    // at 1.5ms the work runs (it started at 1ms): PENDING was cleared, so it is queued again
    expect(q[2].text).toMatch(/queued/);
    expect(eventsOf(r, 'kworker')).toHaveLength(2);
    expect(eventsOf(r, 'log')).toHaveLength(2);
  });

  it('flush waits until the work is neither pending nor running', () => {
    const src = BASE + `
work w in drv {
  sleep 1ms
  log "work done"
}
thread app {
  queue w after 1ms
  flush w
  log "flushed"
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const flushed = eventsOf(r, 'log', 'app')[0];
    const wd = eventsOf(r, 'log', 'kworker/w')[0];
    expect(flushed.time_ns).toBe(2 * MS);
    expect(flushed.step).toBeGreaterThan(wd.step);
  });

  it('flush of an idle work returns at once', () => {
    const r = run(BASE + `
work w in drv { log "x" }
thread app { flush w }`);
    expect(r.steps).toBe(1);
    expect(eventsOf(r, 'kworker')).toHaveLength(0);
  });

  it('cancel takes a pending work off the queue', () => {
    const src = BASE + `
work w in drv { log "in work" }
thread app {
  queue w after 1ms
  cancel w
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'kworker')).toHaveLength(0);
    expect(eventsOf(r, 'log')).toHaveLength(0);
    expect(r.final.works.w.state).toBe('idle');
    expect(r.steps).toBe(2);
    expect(r.time_ns).toBe(0);
  });

  it('cancel waits until a running work is done', () => {
    const src = BASE + `
work w in drv {
  sleep 2ms
  log "in work"
}
thread app {
  queue w
  sleep 1ms
  cancel w
  log "cancelled"
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'log', 'app')[0].time_ns).toBe(2 * MS);
    expect(eventsOf(r, 'log', 'kworker/w')).toHaveLength(1);
  });
});

describe('sleep', () => {
  it('in run mode moves virtual time and costs two steps', () => {
    const src = BASE + `
thread app {
  sleep 250us
  log "awake"
}`;
    const r = run(src);
    expect(r.time_ns).toBe(250_000);
    expect(eventsOf(r, 'log')[0]).toMatchObject({ step: 3, time_ns: 250_000 });
    expect(r.steps).toBe(3);
  });

  it('in explore mode is one step that does nothing', () => {
    const src = BASE + `
thread app {
  sleep 250us
  log "awake"
}`;
    const r = replay(src, ['app', 'app']);
    expect(r.steps).toBe(2);
    expect(r.time_ns).toBe(0);
    expect(eventsOf(r, 'log')).toHaveLength(1);
  });
});

describe('lock / unlock', () => {
  it('lock takes a free mutex, waits for a held one', () => {
    const src = BASE + `
mutex mu
thread a {
  lock mu
  sleep 1ms
  unlock mu
}
thread b {
  lock mu
  log "b has it"
  unlock mu
}`;
    const mid = runSteps(src, 1);
    expect(mid.final.mutexes.mu.holder).toBe('a');
    const r = run(src);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'log', 'b')[0].time_ns).toBe(MS);
    expect(r.final.mutexes.mu.holder).toBeNull();
  });
});

describe('repeat / log', () => {
  it('repeat runs its body n times, one step per statement plus one for the repeat', () => {
    const src = BASE + `
thread app {
  repeat 3 { log "x" }
}`;
    const r = run(src);
    expect(eventsOf(r, 'log').map((e) => e.text)).toEqual(['x', 'x', 'x']);
    expect(r.steps).toBe(4);
  });

  it('log is an event with the text', () => {
    const src = BASE + `
thread app { log "hello world" }`;
    const r = run(src);
    expect(eventsOf(r, 'log')).toEqual([
      { step: 1, time_ns: 0, thread: 'app', line: lineOf(src, 'log').line, kind: 'log', text: 'hello world' },
    ]);
  });
});

describe('handlers, kworkers and thread exit', () => {
  it('a handler frame runs on the calling thread, one step per statement', () => {
    const src = BASE + `
on close drv {
  log "a"
  log "b"
}
thread app {
  open f on card
  close f
}`;
    const r = run(src);
    expect(eventsOf(r, 'log').map((e) => [e.thread, e.step])).toEqual([['app', 3], ['app', 4]]);
    expect(r.steps).toBe(4);
  });

  it('a work that starts after its module is gone is code-after-unload at the work declaration', () => {
    const src = BASE + `
work w in drv {
  log "late"
}
thread app {
  queue w after 1ms
  rmmod m
}`;
    const r = run(src);
    expect(kinds(r)).toEqual(['code-after-unload']);
    expect(faultOf(r, 'code-after-unload')).toMatchObject({
      thread: 'kworker/w', ...lineOf(src, 'work w in drv'), time_ns: MS,
    });
    expect(eventsOf(r, 'log')).toHaveLength(0);
    // an oopsed kworker leaves its work running (fine point 7)
    expect(r.final.works.w.state).toBe('running');
  });

  it('thread exit closes still-open files in opening order', () => {
    const src = BASE + `
drm card2 on d
on close drv { log "close" }
thread app {
  open g on card2
  open f on card
}`;
    const r = run(src);
    expect(r.faults).toEqual([]);
    const puts = eventsOf(r, 'put').map((e) => e.text);
    expect(puts).toHaveLength(2);
    expect(puts[0]).toMatch(/card2/);
    expect(puts[1]).toMatch(/\(card\)/);
    expect(r.final.drm.card.refcount).toBe(1);
    expect(r.final.drm.card2.refcount).toBe(1);
    expect(r.final.modules.m.refcount).toBe(0);
    // the exit-time closes are reported at the `open`s
    const closes = eventsOf(r, 'close').filter((e) => !/runs on/.test(e.text));
    expect(closes.map((e) => e.line)).toEqual([lineOf(src, 'open g').line, lineOf(src, 'open f').line]);
  });
});
