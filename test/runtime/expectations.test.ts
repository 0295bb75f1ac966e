// Expectations (language.md §7) as judged on run and replay reports.

import { describe, expect, it } from 'vitest';
import { BASE, replay, run } from './helpers';

const LEAKY = BASE + `
thread a { get card }
`;

describe('expectations', () => {
  it('with none, a mode is met when it finds no fault', () => {
    expect(run(BASE + 'thread a { log "x" }').met).toBe(true);
    expect(run(LEAKY).met).toBe(false);
  });

  it('`expect clean` needs no fault at all', () => {
    expect(run(BASE + 'thread a { log "x" }\nexpect clean').met).toBe(true);
    const r = run(LEAKY + 'expect clean');
    expect(r.met).toBe(false);
    expect(r.expectations).toEqual([expect.objectContaining({ expect: 'clean', met: false })]);
  });

  it('the set of kinds found must equal the set expected', () => {
    expect(run(LEAKY + 'expect leak').met).toBe(true);
    const both = BASE + `
mutex mu
thread a {
  get card
  unlock mu
}
`;
    expect(run(both + 'expect leak').met).toBe(false);
    expect(run(both + 'expect leak\nexpect bad-unlock').met).toBe(true);
    expect(run(LEAKY + 'expect leak\nexpect bad-unlock').met).toBe(false);
  });

  it('`in T` needs such a fault on T', () => {
    expect(run(LEAKY + 'expect leak in a').met).toBe(true);
    const src = LEAKY + 'thread b { log "b" }\nexpect leak in b';
    expect(run(src).met).toBe(false);
  });

  it('`expect run` applies to run mode only, `expect explore` to explore mode only', () => {
    expect(run(LEAKY + 'expect explore clean').met).toBe(false);
    expect(run(LEAKY + 'expect run leak\nexpect explore clean').met).toBe(true);
    const r = run(LEAKY + 'expect run leak\nexpect explore clean');
    expect(r.expectations.map((e) => e.expect)).toEqual(['leak']);
    // a replayed witness is judged by the explore expectations
    expect(replay(LEAKY + 'expect run clean\nexpect explore leak', ['a']).met).toBe(true);
  });
});
