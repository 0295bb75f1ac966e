// The explorer (language.md §6, §7; tools.md §1): exhaustive unless a bound stops it, the
// conformance files' explore expectations, the benchmark family's verdicts.

import { describe, expect, it } from 'vitest';
import { explore, exploreJson, startExplore } from '../../debug-adapter/explorer/explore';
import { replaySchedule } from '../../debug-adapter/runtime/schedule';
import { expectedVerdicts, familyScenario, FAMILY_VARIANTS, verdictOfKind, deadlockAScenario } from '../../bench/spin/family';
import { TIMER_FAMILY_VARIANTS, timerFamilyExpected, timerFamilyScenario } from '../../bench/timer-family';
import { HAS_SHARED, noteMissingShared } from '../shared';
import { conformanceCases, program } from './helpers';

noteMissingShared();

describe.skipIf(!HAS_SHARED)('conformance scenarios in explore mode', () => {
  for (const c of HAS_SHARED ? conformanceCases() : []) {
    it(`${c.name}: expectations met, exploration complete`, () => {
      const p = program(c.text, c.name);
      const j = exploreJson(c.name, p, explore(p));
      expect({ met: j.met, complete: j.complete, faults: j.faults.map((f) => `${f.kind} in ${f.thread}`) })
        .toMatchObject({ met: true, complete: true });
    });
  }
});

const CLEAN = `
module m
device d
driver drv in m binds d
drm card on d
revocable bar on d
fence job on d
thread app {
  open f on card
  ioctl f {
    enter card {
      access bar { write bar submit job }
      wait job timeout 1ms
    }
  }
  close f
}
thread app2 {
  open f on card
  ioctl f { enter card { access bar { read bar } } }
  close f
}
thread hp { hotunplug d }
`;

describe('explore', () => {
  it('a fault-free scenario: complete and clean', () => {
    const p = program(CLEAN);
    const r = explore(p);
    expect(r.complete).toBe(true);
    expect(r.stopReason).toBe('');
    expect(r.faults).toEqual([]);
    expect(r.states).toBeGreaterThan(5);
    expect(r.transitions).toBeGreaterThanOrEqual(r.states - 1);
    const j = exploreJson('clean.lifetime', p, r);
    expect(j).toMatchObject({ file: 'clean.lifetime', mode: 'explore', complete: true, met: true, faults: [] });
  });

  it('a state bound stops it: complete false, with the reason', () => {
    const p = program(familyScenario(4, 'fixed'));
    const r = explore(p, { maxStates: 50 });
    expect(r.complete).toBe(false);
    expect(r.stopReason).toMatch(/max-states 50/);
    expect(r.stopped).toBe('max-states');
    expect(r.states).toBeGreaterThanOrEqual(50);
    expect(exploreJson('f.lifetime', p, r).complete).toBe(false);
    // the plain search too
    expect(explore(p, { maxStates: 50, reduction: false }).complete).toBe(false);
  });

  it('a memory bound and cancellation stop it too', () => {
    const p = program(familyScenario(3, 'fixed'));
    const m = explore(p, { maxMemoryBytes: 1 });
    expect(m.complete).toBe(false);
    expect(m.stopReason).toMatch(/memory bound/);
    expect(m.stopped).toBe('max-memory');
    const c = explore(p, { shouldStop: () => true });
    expect(c.complete).toBe(false);
    expect(c.stopped).toBe('interrupted');
    const t = explore(p, { maxTimeMs: 0 });
    expect(t.complete).toBe(false);
    expect(t.stopped).toBe('max-time');
    expect(t.stopReason).toMatch(/time bound/);
  });

  it('an incomplete search is inconclusive (met null) unless a fault no expectation allows was found', () => {
    const p = program(familyScenario(3, 'fixed').replace(/^expect .*$/gm, '') + 'expect explore clean\n');
    const j = exploreJson('f.lifetime', p, explore(p, { maxStates: 20 }));
    expect(j).toMatchObject({ complete: false, stopped: 'max-states', met: null });
    expect(j.expectations.every((e) => e.met === null)).toBe(true);
    const bad = program(familyScenario(2, 'buggy').replace(/^expect .*$/gm, '') + 'expect explore clean\n');
    const r = explore(bad, { maxStates: 400 });
    expect(r.complete).toBe(false);
    expect(r.faults.length).toBeGreaterThan(0);
    expect(exploreJson('b.lifetime', bad, r).met).toBe(false);
  });

  it('reports every fault site: one per kind, thread and statement, each with its own witness', () => {
    // a hot-unplug use-after-free at `get card` in one schedule and at `use priv` in another
    const p = program(`module m
device d
driver drv in m binds d
drm card on d
data priv devm on d
on remove drv { unplug card }
thread app {
  get card
  use priv
  put card
}
thread admin { hotunplug d }
`);
    const r = explore(p);
    const sites = r.faults.filter((f) => f.kind === 'use-after-free').map((f) => `${f.thread} ${f.line}:${f.column}`).sort();
    expect(sites).toEqual(['app 8:3', 'app 9:3']);
    for (const f of r.faults) {
      const k = replaySchedule(p, f.schedule);
      expect(k.s.faults).toContainEqual(expect.objectContaining({ kind: f.kind, thread: f.thread, line: f.line, column: f.column }));
    }
  });

  it('reports progress', () => {
    const seen: number[] = [];
    explore(program(familyScenario(3, 'putorder')), { onProgress: (x) => seen.push(x.states), progressEveryMs: 0 });
    expect(seen.length).toBeGreaterThan(0);
  });

  it('a search run in slices (the CLI between two looks at Ctrl-C) ends as one call does', () => {
    for (const v of ['buggy', 'fixed'] as const) {
      const p = program(familyScenario(3, v));
      const whole = explore(p);
      const search = startExplore(p);
      let slices = 1;
      // a slice whose end has passed stops at the next check (every 256 states)
      while (!search.advance(Date.now() - 1)) slices++;
      const sliced = search.result();
      expect(slices).toBeGreaterThan(2);
      expect(sliced).toEqual(whole);
    }
  });

  it('each fault comes with a witness and the other threads\' positions', () => {
    const p = program(familyScenario(2, 'buggy'));
    const r = explore(p);
    expect([...new Set(r.faults.map((f) => `${f.kind} in ${f.thread}`))].sort()).toEqual([
      'code-after-unload in user1', 'code-after-unload in user2', 'deadlock in user1', 'deadlock in user2',
    ]);
    // one fault per site
    expect(new Set(r.faults.map((f) => `${f.kind} ${f.thread} ${f.line}:${f.column}`)).size).toBe(r.faults.length);
    for (const f of r.faults) {
      expect(f.schedule.length).toBeGreaterThan(0);
      expect(f.others.every((o) => o.thread !== f.thread)).toBe(true);
    }
    const dl = r.faults.find((f) => f.kind === 'deadlock')!;
    expect(dl.blocked).toContain(dl.thread);
  });

  it('`expect deadlock in T` holds for a thread blocked in some deadlock, first or not', () => {
    const p = program(deadlockAScenario(false) + 'expect explore deadlock in hotplug\n');
    const j = exploreJson('a.lifetime', p, explore(p));
    expect(j.faults.some((f) => f.kind === 'deadlock' && f.thread === 'ioctl_client')).toBe(true);
    expect(j.met).toBe(true);
  });
});

describe('the benchmark family (bench/spin/family.ts)', () => {
  for (let n = 1; n <= 3; n++) {
    for (const v of FAMILY_VARIANTS) {
      it(`${v}, N = ${n}: the verdicts of the Promela model, on every user`, () => {
        const p = program(familyScenario(n, v));
        const r = explore(p);
        expect(r.complete).toBe(true);
        const verdicts = [...new Set(r.faults.map((f) => verdictOfKind(f.kind)))].sort();
        const want = expectedVerdicts(v).filter((x) => x !== 'clean').sort();
        expect(verdicts).toEqual(want);
        for (const kind of new Set(r.faults.map((f) => f.kind))) {
          for (let u = 1; u <= n; u++) expect(r.faults.some((f) => f.kind === kind && f.thread === `user${u}`)).toBe(true);
        }
        expect(exploreJson('family.lifetime', p, r).met).toBe(true);
      });
    }
  }
  it('deadlock_a.pml: deadlock; with -DFIX: clean', () => {
    expect(explore(program(deadlockAScenario(false))).faults.map((f) => f.kind)).toContain('deadlock');
    expect(explore(program(deadlockAScenario(true))).faults).toEqual([]);
  });
});

describe('the version-2 timer family (bench/timer-family.ts)', () => {
  const pairs = (r: ReturnType<typeof explore>) => [...new Set(r.faults.map((f) => `${f.kind} in ${f.thread}`))].sort();
  for (let n = 1; n <= 4; n++) {
    for (const v of TIMER_FAMILY_VARIANTS) {
      it(`${v}, N = ${n}: ${v === 'buggy' ? `use-after-free in timer/t${n} (the timer remove forgets)` : 'clean'}, expectations met`, () => {
        const p = program(timerFamilyScenario(n, v));
        const r = explore(p);
        expect(r.complete).toBe(true);
        expect(pairs(r)).toEqual(timerFamilyExpected(n, v));
        expect(exploreJson('timers.lifetime', p, r).met).toBe(true);
      });
    }
  }

  it('fixed, N = 4: at least 10× fewer states with reduction than without, the same verdict', () => {
    const p = program(timerFamilyScenario(4, 'fixed'));
    const plain = explore(p, { reduction: false });
    const reduced = explore(p);
    expect(plain.complete && reduced.complete).toBe(true);
    expect(pairs(plain)).toEqual([]);
    expect(pairs(reduced)).toEqual([]);
    expect(plain.states / reduced.states).toBeGreaterThanOrEqual(10);
  }, 300_000);
});
