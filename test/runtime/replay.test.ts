// Explore-mode replay (language.md §6, fine point 3): a witness of thread names,
// `complete:<fence>` and `timeout:<thread>` reproduces a fault exactly; a choice that
// cannot be taken throws a ScheduleError that says which and what could be taken.

import { describe, expect, it } from 'vitest';
import { ScheduleError } from '../../debug-adapter/runtime/schedule';
import { BASE, eventsOf, exploreSrc, faultOf, kinds, lineOf, replay, run } from './helpers';

const MAIL = BASE + `
fence job on d
thread app {
  open f on card
  ioctl f {
    enter card {
      submit job
      wait job
    }
  }
  close f
}
thread hp {
  hotunplug d
}
`;

describe('explore and replay', () => {
  it('explore finds the deadlock the default run misses; its witness replays to the same fault', () => {
    // in run mode hp unplugs before the ioctl enters: ENODEV, no deadlock
    expect(run(MAIL).faults).toEqual([]);
    const ex = exploreSrc(MAIL);
    expect(ex.complete).toBe(true);
    const dl = ex.faults.find((f) => f.kind === 'deadlock');
    expect(dl).toBeDefined();
    expect(dl).toMatchObject({ thread: 'app', ...lineOf(MAIL, 'wait job') });
    const r = replay(MAIL, dl!.schedule);
    expect(kinds(r)).toEqual(['deadlock']);
    expect(faultOf(r, 'deadlock')).toMatchObject({ thread: 'app', line: dl!.line, column: dl!.column, message: dl!.message });
  });

  it('a hand-written witness: thread names only', () => {
    const r = replay(MAIL, ['app', 'app', 'app', 'app', 'app', 'hp']);
    expect(kinds(r)).toEqual(['deadlock']);
    expect(faultOf(r, 'deadlock').message).toMatch(/app waits for fence job.*hp waits in drm_dev_unplug/);
    expect(r.steps).toBe(6);
  });

  it('complete:<fence> completes a pending fence', () => {
    const src = BASE + `
fence job on d takes 5ms
thread app {
  submit job
  wait job
  log "done"
}`;
    const r = replay(src, ['app', 'app', 'complete:job', 'app', 'app']);
    expect(r.faults).toEqual([]);
    expect(eventsOf(r, 'complete')).toHaveLength(1);
    expect(eventsOf(r, 'log')).toHaveLength(1);
    expect(r.final.fences.job.state).toBe('signalled');
    expect(r.time_ns).toBe(0);
    // an event choice is no step
    expect(r.steps).toBe(4);
  });

  it('timeout:<thread> makes its wait time out; the next step completes it with ETIMEDOUT', () => {
    const src = BASE + `
fence job on d
thread app {
  submit job
  wait job timeout 5ms
  log "after"
}`;
    const r = replay(src, ['app', 'app', 'timeout:app', 'app']);
    const to = eventsOf(r, 'timeout');
    expect(to).toHaveLength(1);
    expect(to[0].text).toMatch(/ETIMEDOUT/);
    expect(to[0].step).toBe(3);
    expect(r.final.fences.job.state).toBe('pending');
  });

  it('a timeout replays the hang-free path of a poll, and leaving it out leaves a hang', () => {
    const src = BASE + `
fence job on d
thread app {
  hotunplug d
  submit job
  poll job
}`;
    const r = replay(src, ['app', 'app', 'app']);
    expect(kinds(r)).toEqual(['hang']);
    expect(faultOf(r, 'hang')).toMatchObject({ thread: 'app', ...lineOf(src, 'poll job') });
  });

  it('reproduces a code-after-unload on a kworker from a witness naming kworker/<work>', () => {
    const src = BASE + `
work w in drv { log "late" }
thread app {
  queue w after 1ms
  rmmod m
}`;
    const ex = exploreSrc(src);
    const cau = ex.faults.find((f) => f.kind === 'code-after-unload');
    expect(cau).toMatchObject({ thread: 'kworker/w', ...lineOf(src, 'work w in drv') });
    expect(cau!.schedule).toContain('kworker/w');
    const r = replay(src, cau!.schedule);
    expect(faultOf(r, 'code-after-unload')).toMatchObject({ thread: 'kworker/w', ...lineOf(src, 'work w in drv') });
    // the other order is clean
    const clean = replay(src, ['app', 'kworker/w', 'kworker/w', 'app']);
    expect(clean.faults).toEqual([]);
  });

  it('explore: a wait with a timeout may time out at any point', () => {
    const src = BASE + `
fence job on d
data st devm on d
thread app {
  submit job
  wait job timeout 1s
  use st
}
thread hp { unbind d }`;
    const ex = exploreSrc(src);
    expect(ex.faults.map((f) => f.kind)).toEqual(['use-after-free']);
    const r = replay(src, ex.faults[0].schedule);
    expect(kinds(r)).toEqual(['use-after-free']);
  });

  it('explore stops at a state bound and says so', () => {
    const ex = exploreSrc(MAIL, { maxStates: 5 });
    expect(ex.complete).toBe(false);
    expect(ex.stopReason).toMatch(/max-states 5/);
  });

  it('explore of a scenario with no bug finds nothing and is complete', () => {
    const ex = exploreSrc(BASE + `
thread app {
  open f on card
  ioctl f { enter card { log "x" } }
  close f
}
thread hp { unbind d }`);
    expect(ex.complete).toBe(true);
    expect(ex.faults).toEqual([]);
    expect(ex.states).toBeGreaterThan(5);
  });

  describe('ScheduleError', () => {
    const src = BASE + `
fence job on d
thread app {
  submit job
  wait job
}`;

    it('for an unknown thread, naming the entry and what could be taken', () => {
      expect(() => replay(src, ['nobody'])).toThrow(ScheduleError);
      expect(() => replay(src, ['nobody'])).toThrow(/entry 1 \("nobody"\).*possible: app/);
    });

    it('for a blocked thread', () => {
      expect(() => replay(src, ['app', 'app', 'app'])).toThrow(/entry 3 \("app"\) cannot be taken here; possible: complete:job/);
    });

    it('for complete: of a fence that is not pending', () => {
      expect(() => replay(src, ['complete:job'])).toThrow(/entry 1 \("complete:job"\)/);
    });

    it('for complete: of a fence submitted after its device was hot-unplugged (fine point 3)', () => {
      const hp = BASE + `
fence job on d
thread app {
  hotunplug d
  submit job
  wait job
}`;
      expect(() => replay(hp, ['app', 'app', 'app', 'complete:job'])).toThrow(ScheduleError);
    });

    it('for complete: of a fence whose device was hot-unplugged after the submit (fine point 3)', () => {
      const hp = BASE + `
fence job on d
thread app {
  submit job
  hotunplug d
}`;
      expect(() => replay(hp, ['app', 'complete:job'])).not.toThrow();
      expect(() => replay(hp, ['app', 'app', 'complete:job'])).toThrow(ScheduleError);
    });

    it('for timeout: of a thread whose wait has no timeout', () => {
      expect(() => replay(src, ['app', 'app', 'timeout:app'])).toThrow(/entry 3 \("timeout:app"\)/);
    });
  });
});
