// Run-mode scheduling (language.md §6, fine points 1 and 2): declared threads take turns in
// declaration order, kworkers after them by first start (ties by declaration), and the
// clock jumps to the next timed event when no thread can run.

import { describe, expect, it } from 'vitest';
import { BASE, eventsOf, run } from './helpers';

const MS = 1_000_000;

function logs(r: ReturnType<typeof run>): string[] {
  return eventsOf(r, 'log').map((e) => e.text);
}

describe('run-mode scheduling', () => {
  it('runnable threads take turns, one step each, in declaration order', () => {
    const r = run(BASE + `
thread c0 { log "a1" log "a2" }
thread c1 { log "b1" log "b2" log "b3" }
thread c2 { log "c1" }`);
    expect(logs(r)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'b3']);
    expect(eventsOf(r, 'log').map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a blocked thread loses its turns until what it waits for holds', () => {
    const r = run(BASE + `
mutex mu
thread a {
  lock mu
  log "a1"
  log "a2"
  unlock mu
}
thread b {
  lock mu
  log "b1"
}
thread c {
  log "c1"
  log "c2"
  log "c3"
}`);
    // a lock 1, b blocks 2, c1 3, a1 4, c2 5, a2 6, c3 7, a unlock 8, b completes 9, b1 10
    expect(eventsOf(r, 'log').map((e) => `${e.text}@${e.step}`)).toEqual(
      ['c1@3', 'a1@4', 'c2@5', 'a2@6', 'c3@7', 'b1@10']);
    expect(r.steps).toBe(10);
  });

  it('kworkers take their turns after the declared threads', () => {
    const r = run(BASE + `
work w in drv { log "w" }
thread app {
  queue w
  log "a1"
  log "a2"
}
thread other {
  log "o1"
  log "o2"
}`);
    const t = r.events.filter((e) => e.kind === 'log' || e.kind === 'kworker' || e.kind === 'queue')
      .map((e) => `${e.thread}:${e.kind === 'log' ? e.text : e.kind}`);
    expect(t).toEqual([
      'app:queue', 'other:o1', 'kworker/w:kworker',
      'app:a1', 'other:o2', 'kworker/w:w',
      'app:a2',
    ]);
  });

  it('kworkers are ordered by first start, not by declaration', () => {
    const r = run(BASE + `
work w1 in drv {
  sleep 1ms
  log "w1"
}
work w2 in drv {
  sleep 2ms
  log "w2"
}
thread app {
  queue w2 after 1ms
  queue w1 after 2ms
}`);
    // both wake at 3ms; w2 started first, so it goes first
    expect(eventsOf(r, 'log').map((e) => `${e.thread}:${e.text}@${e.time_ns}`)).toEqual([
      `kworker/w2:w2@${3 * MS}`, `kworker/w1:w1@${3 * MS}`,
    ]);
  });

  it('kworkers starting at the same time go in declaration order', () => {
    const r = run(BASE + `
work w1 in drv { log "w1" }
work w2 in drv { log "w2" }
thread app {
  queue w2 after 1ms
  queue w1 after 1ms
}`);
    expect(eventsOf(r, 'kworker').map((e) => e.thread)).toEqual(['kworker/w1', 'kworker/w2']);
    expect(logs(r)).toEqual(['w1', 'w2']);
  });

  it('when no thread can run, the clock moves to the next timed event', () => {
    const r = run(BASE + `
fence job on d takes 5ms
work w in drv { log "work" }
thread a {
  sleep 3ms
  log "a"
}
thread b {
  sleep 1ms
  log "b"
  queue w after 1ms
  submit job
  wait job
  log "fence"
}
thread c {
  wait job timeout 4ms
  log "c timed out"
}`);
    expect(eventsOf(r, 'log').map((e) => `${e.text}@${e.time_ns / MS}`)).toEqual([
      'b@1', 'work@2', 'a@3', 'c timed out@4', 'fence@6',
    ]);
    expect(r.time_ns).toBe(6 * MS);
  });

  it('after the clock moves, turns start again from the first declared thread', () => {
    const r = run(BASE + `
thread a {
  sleep 2ms
  log "a"
}
thread b {
  sleep 1ms
  log "b1"
  sleep 1ms
  log "b2"
}`);
    const t = r.events.filter((e) => e.kind === 'log').map((e) => `${e.text}@${e.step}`);
    // 1ms: b completes 3, b1 4, sleep 5; 2ms: a completes 6, b completes 7, a 8, b2 9
    expect(t).toEqual(['b1@4', 'a@8', 'b2@9']);
  });

  it('events carry the virtual time and step they happened in', () => {
    const r = run(BASE + `
thread a {
  sleep 1ms
  log "x"
}`);
    expect(eventsOf(r, 'log')[0]).toMatchObject({ step: 3, time_ns: MS, thread: 'a' });
  });
});
