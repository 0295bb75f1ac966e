// Version 2's sync and memory objects (language.md §9): spinlocks, completions, krefs and
// kzalloc'd data with `free`; one case per effect and per fault, in run mode, and the
// explore-mode ones (`timeout:<thread>` on a completion, every order of a kref's puts).

import { describe, expect, it } from 'vitest';
import { BASE, eventsOf, exploreSrc, faultOf, kinds, lineOf, replay, run } from './helpers';

const MS = 1_000_000;

describe('spinlock', () => {
  const SPIN = `
spinlock s
thread a {
  lock s
  sleep 2ms
  unlock s
}
thread b {
  lock s
  log "b has it"
  unlock s
}
`;

  it('lock spins while another thread holds it, then takes it once released', () => {
    const r = run(SPIN);
    expect(kinds(r)).toEqual(['sleep-in-atomic']); // a sleeps while holding it
    const got = eventsOf(r, 'log', 'b')[0];
    expect(got.time_ns).toBe(2 * MS);
  });

  it('holding a spinlock is atomic context: a sleeping statement is sleep-in-atomic, recorded at it', () => {
    const r = run(SPIN);
    const f = faultOf(r, 'sleep-in-atomic');
    expect(f).toMatchObject({ thread: 'a', ...lineOf(SPIN, 'sleep 2ms') });
    expect(f.message).toMatch(/holds spinlock s/);
  });

  it('after unlock the thread is no longer atomic', () => {
    const r = run(`spinlock s\nmutex mx\nthread a {\n  lock s\n  unlock s\n  lock mx\n  unlock mx\n}\n`);
    expect(kinds(r)).toEqual([]);
  });

  it('a spinning lock does not sleep: lock inside access is no fault', () => {
    const src = BASE + `revocable bar on d\nspinlock s\nthread a {\n  access bar {\n    lock s\n    unlock s\n  }\n}\n`;
    expect(kinds(run(src))).toEqual([]);
  });

  it('lock while holding it is a deadlock (AA), not sleep-in-atomic', () => {
    const src = `spinlock s\nthread a {\n  lock s\n  lock s\n  unlock s\n}\n`;
    const r = run(src);
    expect(kinds(r)).toEqual(['deadlock']);
    const f = faultOf(r, 'deadlock');
    expect(f).toMatchObject({ thread: 'a', ...lineOf(src, 'lock s', 2) }); // (the first is in `spinlock s`)
    expect(f.message).toMatch(/spinlock s, which it holds itself/);
    expect(kinds(exploreSrc(src))).toEqual(['deadlock']);
  });

  it('two threads taking two spinlocks in opposite orders: deadlock naming both', () => {
    const src = `spinlock s1\nspinlock s2\nthread a {\n  lock s1\n  lock s2\n  unlock s2\n  unlock s1\n}\nthread b {\n  lock s2\n  lock s1\n  unlock s1\n  unlock s2\n}\n`;
    expect(kinds(run(src))).toEqual(['deadlock']);
    const x = exploreSrc(src);
    expect(x.faults.map((f) => f.kind)).toEqual(['deadlock']);
  });

  it('unlock of a spinlock not held is bad-unlock, and the thread goes on', () => {
    const src = `spinlock s\nthread a {\n  unlock s\n  log "after"\n}\n`;
    const r = run(src);
    expect(faultOf(r, 'bad-unlock')).toMatchObject({ thread: 'a', ...lineOf(src, 'unlock s') });
    expect(eventsOf(r, 'log', 'a')).toHaveLength(1);
  });

  it('held at thread exit is a leak, reported at the lock', () => {
    const src = `spinlock s\nthread a {\n  lock s\n}\n`;
    const r = run(src);
    expect(faultOf(r, 'leak')).toMatchObject({ thread: 'a', ...lineOf(src, 'lock s', 1) });
    expect(faultOf(r, 'leak').message).toMatch(/spinlock s/);
  });
});

describe('completion', () => {
  it('wait blocks until complete, and stays done (complete_all): a later wait does not block', () => {
    const src = `completion c\nthread w {\n  wait c\n  log "woke"\n  wait c\n  log "again"\n}\nthread s {\n  sleep 1ms\n  complete c\n}\n`;
    const r = run(src);
    expect(kinds(r)).toEqual([]);
    expect(eventsOf(r, 'log', 'w').map((e) => e.time_ns)).toEqual([MS, MS]);
  });

  it('wait with a timeout gives ETIMEDOUT after it, an event, not a fault', () => {
    const src = `completion c\nthread w {\n  wait c timeout 2ms\n  log "after"\n}\n`;
    const r = run(src);
    expect(kinds(r)).toEqual([]);
    const t = eventsOf(r, 'timeout', 'w')[0];
    expect(t.time_ns).toBe(2 * MS);
    expect(t.text).toMatch(/ETIMEDOUT/);
  });

  it('a wait that nothing completes is a deadlock', () => {
    const src = `completion c\nthread w {\n  wait c\n}\n`;
    const r = run(src);
    expect(faultOf(r, 'deadlock').message).toMatch(/waits for completion c/);
  });

  it('wait sleeps: inside access it is sleep-in-atomic', () => {
    const src = BASE + `revocable bar on d\ncompletion c\nthread a {\n  complete c\n  access bar {\n    wait c\n  }\n}\n`;
    expect(faultOf(run(src), 'sleep-in-atomic')).toMatchObject({ thread: 'a', ...lineOf(src, 'wait c') });
  });

  it('explore: a timeout:<thread> choice times the wait out; replaying it gives ETIMEDOUT', () => {
    const src = `completion c\nthread w {\n  wait c timeout 2ms\n  log "after"\n}\nthread s {\n  complete c\n}\n`;
    const r = replay(src, ['w', 'timeout:w', 'w']);
    expect(eventsOf(r, 'timeout', 'w')).toHaveLength(1);
    const ok = replay(src, ['w', 's', 'w']);
    expect(eventsOf(ok, 'timeout', 'w')).toHaveLength(0);
    const x = exploreSrc(src);
    expect(x.complete).toBe(true);
    expect(x.faults).toEqual([]);
  });
});

describe('kref', () => {
  const KREF = BASE + `kref obj in drv
on release obj { log "obj_release" }
`;

  it('starts at 1 (the creator\'s, owned by no thread): a put reaching 0 runs the release, then frees it', () => {
    const src = KREF + `thread a {\n  get obj\n  put obj\n  put obj\n  use obj\n}\n`;
    const r = run(src);
    expect(eventsOf(r, 'log', 'a').map((e) => e.text)).toEqual(['obj_release']);
    expect(faultOf(r, 'use-after-free')).toMatchObject({ thread: 'a', ...lineOf(src, 'use obj') });
    expect(kinds(r)).toEqual(['use-after-free']); // the creator's put is no one's: no leak, no underflow
  });

  it('get or put of a freed object is use-after-free', () => {
    const src = KREF + `thread a {\n  put obj\n  get obj\n}\n`;
    expect(faultOf(run(src), 'use-after-free')).toMatchObject({ ...lineOf(src, 'get obj') });
    const src2 = KREF + `thread a {\n  put obj\n  put obj\n}\n`;
    expect(faultOf(run(src2), 'use-after-free')).toMatchObject({ ...lineOf(src2, 'put obj', 1) });
  });

  it('a put while its release runs is refcount-underflow; a get then is use-after-free (§8.6)', () => {
    const src = BASE + `kref obj in drv\non release obj { put obj }\nthread a {\n  put obj\n}\n`;
    expect(kinds(run(src))).toEqual(['refcount-underflow']);
    const src2 = BASE + `kref obj in drv\non release obj { get obj }\nthread a {\n  put obj\n}\n`;
    expect(kinds(run(src2))).toEqual(['use-after-free']);
  });

  it('a reference taken and not put is a leak at the get', () => {
    const src = KREF + `thread a {\n  get obj\n}\n`;
    const r = run(src);
    expect(faultOf(r, 'leak')).toMatchObject({ thread: 'a', ...lineOf(src, 'get obj') });
    expect(faultOf(r, 'leak').message).toMatch(/kref_get without kref_put/);
  });

  it('kref_put never sleeps: inside access no fault', () => {
    const src = KREF + `revocable bar on d\nthread a {\n  get obj\n  access bar {\n    put obj\n  }\n}\n`;
    expect(kinds(run(src))).toEqual([]);
  });

  it('the release is code of the driver\'s module: after rmmod it is code-after-unload at the put', () => {
    const src = KREF + `thread a {\n  get obj\n  sleep 1ms\n  put obj\n  put obj\n}\nthread admin {\n  rmmod m\n}\n`;
    // a's put of its own reference leaves 1 (the creator's), its second put releases it
    const r = run(src);
    expect(faultOf(r, 'code-after-unload')).toMatchObject({ thread: 'a', ...lineOf(src, 'put obj', 1) });
  });

  it('devm: the devres release puts the creator\'s reference after revoking revocables, before freeing devm data', () => {
    const src = BASE + `revocable bar on d\ndata st devm on d\nkref obj in drv devm\non release obj { use st }\nthread admin {\n  unbind d\n}\n`;
    const r = run(src);
    expect(kinds(r)).toEqual([]); // the release ran while st was still live
    const order = r.events.filter((e) => /revoked|obj_|release|devm data/.test(e.text) || e.kind === 'revoked' || e.kind === 'refcount-zero').map((e) => e.kind);
    expect(order.indexOf('revoked')).toBeLessThan(order.indexOf('refcount-zero'));
    expect(order.indexOf('refcount-zero')).toBeLessThan(order.indexOf('devres'));
  });

  it('devm, held by another thread: the release runs at its last put, in a gone module after rmmod', () => {
    const src = BASE + `kref obj in drv devm\non release obj { log "rel" }\nthread holder {\n  get obj\n  sleep 2ms\n  put obj\n}\nthread admin {\n  sleep 1ms\n  rmmod m\n}\n`;
    const r = run(src);
    expect(faultOf(r, 'code-after-unload')).toMatchObject({ thread: 'holder', ...lineOf(src, 'put obj') });
    // in some schedule the holder's get comes after the devres put freed it
    const x = exploreSrc(src);
    expect(new Set(x.faults.map((f) => f.kind))).toEqual(new Set(['code-after-unload', 'use-after-free']));
  });
});

describe('data and free', () => {
  it('plain data lives until free; use after it is use-after-free', () => {
    const src = BASE + `data p\nthread a {\n  use p\n  free p\n  use p\n}\n`;
    const r = run(src);
    expect(faultOf(r, 'use-after-free')).toMatchObject({ thread: 'a', ...lineOf(src, 'use p', 1) });
    expect(faultOf(r, 'use-after-free').message).toMatch(/freed by free/);
  });

  it('plain data survives unbind (no devres entry)', () => {
    const src = BASE + `data p\nthread a {\n  unbind d\n  use p\n}\n`;
    expect(kinds(run(src))).toEqual([]);
  });

  it('free of freed data is double-free at the second free, not an oops: the thread goes on', () => {
    const src = BASE + `data p\nthread a {\n  free p\n  free p\n  log "goes on"\n}\n`;
    const r = run(src);
    expect(kinds(r)).toEqual(['double-free']);
    expect(faultOf(r, 'double-free')).toMatchObject({ thread: 'a', ...lineOf(src, 'free p', 1) });
    expect(eventsOf(r, 'log', 'a')).toHaveLength(1);
  });

  it('devm data freed by free: the devres release frees it again, double-free at the unbind, and the release goes on', () => {
    const src = BASE + `data st devm on d\nrevocable bar on d\nthread a {\n  free st\n  unbind d\n  read bar\n}\n`;
    const r = run(src);
    expect(kinds(r)).toEqual(['double-free', 'unguarded-mmio']); // the revoke still happened; unbind finished
    expect(faultOf(r, 'double-free')).toMatchObject({ thread: 'a', ...lineOf(src, 'unbind d') });
  });

  it('drmm data freed by free: the drm device\'s final put frees it again, double-free at that put', () => {
    const src = BASE + `data st drmm on card\nthread a {\n  free st\n  unbind d\n}\n`;
    const r = run(src);
    expect(faultOf(r, 'double-free')).toMatchObject({ thread: 'a', ...lineOf(src, 'unbind d') });
    expect(faultOf(r, 'double-free').message).toMatch(/release of card/);
  });

  it('explore: a free racing the devres release is a double-free in some order, on either thread', () => {
    const src = BASE + `data st devm on d\nthread a {\n  free st\n}\nthread admin {\n  unbind d\n}\n`;
    const x = exploreSrc(src);
    expect(new Set(x.faults.map((f) => `${f.kind} ${f.thread}`))).toEqual(new Set(['double-free a', 'double-free admin']));
  });
});
