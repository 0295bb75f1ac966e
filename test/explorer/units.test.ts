// The explorer's parts: copy-on-write successor states, the byte-string state set, the
// symmetric state encoding, footprints and the symmetry classes.

import { describe, expect, it } from 'vitest';
import { Kernel } from '../../debug-adapter/runtime/kernel';
import { cloneState, type KernelState } from '../../debug-adapter/runtime/state';
import { exploreChoices, takeChoice } from '../../debug-adapter/runtime/schedule';
import { successorState } from '../../debug-adapter/explorer/clone';
import { StateSet } from '../../debug-adapter/explorer/stateset';
import { Analysis } from '../../debug-adapter/explorer/analysis';
import { Encoder } from '../../debug-adapter/explorer/encode';
import { conflicts, FP, SELF_SRCU, ANY_SRCU } from '../../debug-adapter/explorer/footprint';
import { familyScenario } from '../../bench/spin/family';
import { explore } from '../../debug-adapter/explorer/explore';
import { program, summary } from './helpers';

/** Walks a few schedules of the buggy family and yields the states met. */
function* states(n: number): Generator<{ k: Kernel; s: KernelState }> {
  const p = program(familyScenario(n, 'buggy'));
  for (let seed = 0; seed < 20; seed++) {
    const k = new Kernel(p, { mode: 'explore', maxEvents: 0 });
    for (let step = 0; step < 40; step++) {
      const cs = exploreChoices(k);
      if (!cs.length) break;
      takeChoice(k, cs[(seed * 7 + step * 3) % cs.length]);
      yield { k, s: k.s };
    }
  }
}

describe('successorState', () => {
  it('is a copy of every field cloneState copies (kernel state layout drift shows here)', () => {
    for (const { s } of states(2)) {
      for (let mover = -1; mover < s.threads.length; mover++) {
        const a = successorState(s, mover);
        const b = cloneState(s);
        b.faults = [];
        expect(a).toEqual(b);
        if (mover >= 0) expect(a.threads[mover]).not.toBe(s.threads[mover]);
        expect(a.modules[0]).not.toBe(s.modules[0]);
      }
    }
  });
});

describe('StateSet', () => {
  it('adds and finds byte strings, growing, with a full comparison behind equal hashes', () => {
    const set = new StateSet(4);
    const keys: Uint8Array[] = [];
    for (let i = 0; i < 5000; i++) keys.push(Uint8Array.from([i & 255, (i >> 8) & 255, 7, i % 3]));
    keys.forEach((k, i) => expect(set.add(k, k.length)).toBe(i));
    keys.forEach((k, i) => expect(set.find(k, k.length)).toBe(i));
    keys.forEach((k) => expect(set.add(k, k.length)).toBe(-1));
    expect(set.size).toBe(5000);
    // a prefix is another key
    expect(set.find(keys[3], 3)).toBe(-1);
  });
});

describe('the symmetric encoding', () => {
  it('gives a state and its permutation of interchangeable threads one key', () => {
    const p = program(familyScenario(3, 'fixed'));
    const A = new Analysis(p);
    expect(A.classes.map((c) => c.members.map((i) => p.threads[i].name))).toEqual([['user1', 'user2', 'user3']]);
    const enc = new Encoder(A, { symmetry: true, forget: true });
    const key = (sched: string[]) => {
      const k = new Kernel(p, { mode: 'explore', maxEvents: 0 });
      for (const c of sched) expect(takeChoice(k, c)).toBe(true);
      const ids = new Int32Array(k.s.threads.length).fill(-1);
      enc.fillIds(k.s, ids);
      const e = enc.encode(k.s, null, ids);
      return Array.from(e.buf.subarray(0, e.len)).join(',');
    };
    const a = key(['user1', 'user1', 'user1', 'user1', 'user1', 'user2']);
    const b = key(['user3', 'user3', 'user3', 'user3', 'user3', 'user1']);
    const c = key(['user2', 'user2', 'user2', 'user2', 'user2', 'user1']);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(key(['user1', 'user1'])).not.toBe(key(['user1', 'user2']));
  });

  it('without symmetry, the permutation is another state', () => {
    const p = program(familyScenario(2, 'fixed'));
    const enc = new Encoder(new Analysis(p), { symmetry: false, forget: false });
    const key = (sched: string[]) => {
      const k = new Kernel(p, { mode: 'explore', maxEvents: 0 });
      for (const c of sched) takeChoice(k, c);
      const ids = new Int32Array(k.s.threads.length).fill(-1);
      enc.fillIds(k.s, ids);
      const e = enc.encode(k.s, null, ids);
      return Array.from(e.buf.subarray(0, e.len)).join(',');
    };
    expect(key(['user1'])).not.toBe(key(['user2']));
  });
});

describe('footprints', () => {
  it('two threads entering their own read sections commute; one of them and drm_dev_unplug do not', () => {
    const p = program(familyScenario(1, 'fixed'));
    const A = new Analysis(p);
    const enter = new FP(A.L).write(SELF_SRCU);
    const unplug = new FP(A.L).read(ANY_SRCU);
    const pos = new Uint32Array(A.L.cwords);
    expect(conflicts(enter, 0, enter, 1, pos)).toBe(false);
    expect(conflicts(enter, 0, unplug, 1, pos)).toBe(true);
    expect(conflicts(unplug, 1, enter, 0, pos)).toBe(true);
  });

  it('increments commute; a decrement commutes only while the counter stays above zero', () => {
    const p = program(familyScenario(1, 'fixed'));
    const A = new Analysis(p);
    const c = A.L.drmRef(0);
    const inc = new FP(A.L).incr(c);
    const dec = new FP(A.L).decr(c, 1);
    const zero = new Uint32Array(A.L.cwords);
    const positive = new Uint32Array(A.L.cwords);
    positive[c >>> 5] |= 1 << (c & 31);
    expect(conflicts(inc, 0, inc, 1, zero)).toBe(false);
    expect(conflicts(inc, 0, dec, 1, zero)).toBe(true);
    expect(conflicts(inc, 0, dec, 1, positive)).toBe(false);
    expect(conflicts(dec, 0, dec, 1, positive)).toBe(false);
  });

  it('threads that differ in more than their private fences are not interchangeable', () => {
    const p = program(`module m
device d
driver drv in m binds d
drm card on d
fence a on d
fence b on d
fence c on d takes 2ms
thread t1 { submit a wait a }
thread t2 { submit b wait b }
thread t3 { submit c wait c }
thread t4 { submit a }
`);
    const A = new Analysis(p);
    // a is shared by t1 and t4, c takes longer: only t2 is alone... and t1's fence is shared
    expect(A.classes).toEqual([]);
    const q = program(`module m
device d
driver drv in m binds d
drm card on d
fence a on d
fence b on d
thread t1 { submit a wait a }
thread t2 { submit b wait b }
`);
    expect(new Analysis(q).classes.map((c) => c.members)).toEqual([[0, 1]]);
  });
});

describe('version-2 objects in the reductions', () => {
  it('an unbind whose remove() has statements: its first step stops there, the devres release is its future', () => {
    const p = program(`module m
device d
driver drv in m binds d
data st devm on d
cdev c on d
timer ka in drv { use st }
on remove drv { unregister c disable ka }
thread hp { unbind d }
`);
    const A = new Analysis(p);
    const unbind = p.stmts.find((st) => st.kind === 'unbind')!;
    const freeSt = new FP(A.L).write(A.L.data(0));
    const touchesSt = (f: FP) => conflicts(f, 0, freeSt, 1, new Uint32Array(A.L.cwords));
    // the step runs the kernel's sequence up to remove() (its statements are steps of their own) ...
    expect(touchesSt(A.shallow[unbind.id])).toBe(false);
    // ... and everything the unbind will do, the devres free of st included, is in its future
    expect(touchesSt(A.deep[unbind.id])).toBe(true);
  });

  it('callbacks that can never wait: their first starts commute (the start order names no deadlocked thread)', () => {
    const text = `module m
device d
driver drv in m binds d
data st devm on d
mutex mx
timer ka in drv { use st }
timer kb in drv { use st }
timer kc in drv { log "c" }
timer kw in drv { lock mx unlock mx }
thread t1 { arm ka arm kb arm kc }
`;
    const p = program(text);
    const A = new Analysis(p);
    expect(A.cbMayWait).toEqual([false, false, false, true]);
    const plain = explore(p, { reduction: false });
    const por = explore(p, { reduction: false, por: true });
    expect(summary(por)).toEqual(summary(plain));
    // three starts in any order reach the same states: one order suffices (23 states when
    // every first start wrote the start order)
    expect(por.states).toBeLessThanOrEqual(10);
  });

  it('threads that arm different timers are not interchangeable, even with identical callbacks; those that arm the same one are', () => {
    const p = program(`module m
device d
driver drv in m binds d
data st devm on d
timer ka in drv { use st }
timer kb in drv { use st }
thread a1 { arm ka }
thread a2 { arm kb }
thread b1 { arm ka after 1ms log "b" }
thread b2 { arm ka after 1ms log "b" }
`);
    expect(new Analysis(p).classes.map((c) => c.members.map((i) => p.threads[i].name))).toEqual([['b1', 'b2']]);
  });

  it('threads that name the same version-2 objects are interchangeable: fewer states with symmetry, the same findings', () => {
    const p = program(`module m
device d
driver drv in m binds d
data st devm on d
spinlock sl
completion cp
kref ko in drv
timer ka in drv { use st complete cp }
thread u1 { get ko lock sl use st unlock sl arm ka wait cp timeout 1ms put ko }
thread u2 { get ko lock sl use st unlock sl arm ka wait cp timeout 1ms put ko }
thread u3 { get ko lock sl use st unlock sl arm ka wait cp timeout 1ms put ko }
thread hp { unbind d }
`);
    expect(new Analysis(p).classes.map((c) => c.members.map((i) => p.threads[i].name))).toEqual([['u1', 'u2', 'u3']]);
    const plain = explore(p, { reduction: false });
    const sym = explore(p, { reduction: false, symmetry: true });
    expect(summary(sym)).toEqual(summary(plain));
    expect(summary(plain).pairs).toContain('use-after-free in timer/ka');
    expect(sym.states * 3).toBeLessThan(plain.states);
  });

  it('two timers whose callbacks differ stay apart: the fault is found on the one whose callback faults, with and without reductions', () => {
    const p = program(`module m
device d
driver drv in m binds d
data st devm on d
timer ka in drv { use st }
timer kb in drv { log "kb" }
thread u1 { arm ka }
thread u2 { arm kb }
thread hp { unbind d }
`);
    expect(new Analysis(p).classes).toEqual([]);
    const reduced = explore(p);
    const plain = explore(p, { reduction: false });
    expect(summary(reduced)).toEqual(summary(plain));
    expect(summary(reduced).pairs).toEqual(['use-after-free in timer/ka']);
    expect(reduced.states).toBeLessThan(plain.states);
  });
});
