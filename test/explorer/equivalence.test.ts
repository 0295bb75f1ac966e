// The reductions (partial-order reduction, symmetry, forgetting dead state) change how
// many states are explored, never what is found: the same fault sites (kind, thread and
// statement), the same threads blocked in some deadlock, the same completeness, with
// reduction on and off (summary() in helpers.ts).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore, type ExploreOptions } from '../../debug-adapter/explorer/explore';
import { familyScenario } from '../../bench/spin/family';
import { HAS_SHARED, noteMissingShared } from '../shared';
import { conformanceCases, familyCases, familyLikeArb, program, sampleCases, scenarioArb, summary, tryProgram, uapiArb, type Case } from './helpers';

noteMissingShared();

const ONE_AT_A_TIME: [string, ExploreOptions][] = [
  ['partial-order reduction only', { reduction: false, por: true }],
  ['symmetry only', { reduction: false, symmetry: true }],
  ['forgetting dead state only', { reduction: false, forget: true }],
];

function checkCase(c: Case, strictlyFewer: boolean): void {
  const p = program(c.text, c.name);
  const plain = explore(p, { reduction: false });
  const reduced = explore(p, { paranoid: true });
  expect(plain.complete).toBe(true);
  expect(summary(reduced)).toEqual(summary(plain));
  if (strictlyFewer) expect(reduced.states).toBeLessThan(plain.states);
  else expect(reduced.states).toBeLessThanOrEqual(plain.states);
  for (const [, o] of ONE_AT_A_TIME) {
    const r = explore(p, { ...o, paranoid: true });
    expect(summary(r)).toEqual(summary(plain));
    expect(r.states).toBeLessThanOrEqual(plain.states);
  }
}

describe.skipIf(!HAS_SHARED)('reduction on and off agree: conformance scenarios', () => {
  for (const c of HAS_SHARED ? conformanceCases() : []) it(c.name, () => checkCase(c, false));
});

const SAMPLES = sampleCases();
describe.skipIf(SAMPLES.length === 0)('reduction on and off agree: samples', () => {
  for (const c of SAMPLES) it(c.name, () => checkCase(c, false));
});

describe('reduction on and off agree: the benchmark family, with fewer states', () => {
  for (const c of familyCases(3)) it(c.name, () => checkCase(c, !c.name.startsWith('deadlock_a')));

  it('N = 3, fixed: at least 10× fewer states with reduction than without', () => {
    const p = program(familyScenario(3, 'fixed'));
    const plain = explore(p, { reduction: false });
    const reduced = explore(p);
    expect(plain.states / reduced.states).toBeGreaterThanOrEqual(10);
  });
});

// EXPLORER_RUNS and EXPLORER_SEED run more (or other) cases
const runs = (n: number) => ({ numRuns: Number(process.env.EXPLORER_RUNS ?? n), seed: process.env.EXPLORER_SEED ? Number(process.env.EXPLORER_SEED) : undefined });

function agree(text: string): void {
  const p = tryProgram(text);
  fc.pre(p !== null);
  const plain = explore(p!, { reduction: false, maxStates: 20_000 });
  fc.pre(plain.complete);
  const reduced = explore(p!, { paranoid: true });
  expect(summary(reduced)).toEqual(summary(plain));
  expect(reduced.states).toBeLessThanOrEqual(plain.states);
  expect(summary(explore(p!, { reduction: false, por: true }))).toEqual(summary(plain));
  // the stubborn sets computed pair by pair (the path for more than 31 entities) agree too
  expect(summary(explore(p!, { pairwise: true }))).toEqual(summary(plain));
}

describe('reduction on and off agree: found by the random scenarios', () => {
  // A deadlock names the first blocked thread in the order callbacks first started, so
  // two first starts must not commute: partial-order reduction once missed
  // "deadlock in timer/kt" here (seed -390698726).
  it('two callbacks whose start order names the deadlocked thread', () => {
    checkCase({ name: 'start-order', text: `module m
device d
driver drv in m binds d
drm card on d
mutex mx
timer kt in drv { lock mx }
irq iq on d { lock mx free_irq iq }
thread t1 {
  raise iq
  open f on card
  ioctl f { arm kt after 1ms }
}
` }, false);
  });
});

describe('reduction on and off agree: random scenarios', () => {
  it('small generated scenarios (handlers, work items that may requeue each other, copies of a thread)', () => {
    fc.assert(fc.property(scenarioArb, agree), runs(150));
  });
  it('generated variations of the benchmark family (counts, unbinds held up by drm_dev_enter)', () => {
    fc.assert(fc.property(familyLikeArb, agree), runs(40));
  });
  it('generated version-2 uAPI scenarios (cdev files after cdev_del, attribute drains at unbind)', () => {
    fc.assert(fc.property(uapiArb, agree), runs(80));
  });
});
