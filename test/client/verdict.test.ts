import { describe, expect, it } from 'vitest';
import { exploreLensTitle, exploreVerdict, runExitVerdict, scenarioLine, stopCause } from '../../client/logic/verdict';
import type { ExploreReport } from '../../client/logic/witness';

const BASE: ExploreReport = {
  file: 'a.lifetime', mode: 'explore', complete: true, states: 1234, transitions: 5678, met: true,
  faults: [{ kind: 'deadlock', thread: 'app', line: 18, column: 7, message: 'app waits for fence job', schedule: ['app'] }],
  expectations: [{ line: 30, expect: 'deadlock', met: true }],
};

describe('the verdict of an exploration', () => {
  it('is met or not met after a complete search', () => {
    expect(exploreVerdict(BASE)).toBe('met');
    expect(exploreVerdict({ ...BASE, met: false })).toBe('not-met');
    expect(exploreLensTitle(BASE)).toBe('$(pass) Explored: expectations met (1,234 states)');
  });

  it('is inconclusive when a bound stopped the search (tools.md §1: complete false, met null, stopped)', () => {
    const r: ExploreReport = { ...BASE, complete: false, met: null, stopped: 'max-states', states: 100 };
    expect(exploreVerdict(r)).toBe('inconclusive');
    expect(exploreLensTitle(r)).toBe('$(question) Explored: inconclusive, stopped at max-states (100 states)');
    expect(exploreLensTitle(r)).not.toMatch(/met/);
  });

  it('is never met when incomplete, even from an explorer that still answers met: true', () => {
    const r: ExploreReport = { ...BASE, complete: false, met: true, stopReason: 'stopped at --max-states 100' };
    expect(exploreVerdict(r)).toBe('inconclusive');
    expect(stopCause(r)).toBe('max-states');
    expect(stopCause({ complete: false, stopReason: 'stopped at the memory bound (64 MB)' })).toBe('max-memory');
    expect(stopCause({ complete: false, stopReason: 'stopped at the time limit (60 s)' })).toBe('max-time');
    expect(stopCause({ complete: false, stopReason: 'cancelled' })).toBe('interrupted');
    expect(stopCause({ complete: true })).toBeUndefined();
  });

  it('is not met when incomplete but a fault no expectation allows was already found', () => {
    const leak = { ...BASE.faults[0], kind: 'leak' as const };
    expect(exploreVerdict({ ...BASE, complete: false, met: false, faults: [leak], stopped: 'max-states' })).toBe('not-met');
    // an expected fault found so far settles nothing
    expect(exploreVerdict({ ...BASE, complete: false, met: false, stopped: 'max-states' })).toBe('inconclusive');
  });

  it('is "static errors" when the file was not explored', () => {
    expect(exploreVerdict({ ...BASE, diagnostics: [] })).toBe('static-errors');
  });
});

describe('the result lens', () => {
  it('sits on the scenario line, as the server\'s Run | Explore | Debug', () => {
    expect(scenarioLine('// a comment\n\nscenario "x"\nmodule m\n')).toBe(2);
    expect(scenarioLine('module m\n')).toBe(0);
  });
});

describe('Run Scenario\'s verdict', () => {
  it('reads the CLI\'s exit code: 3 is inconclusive, not an error and not a pass', () => {
    expect([0, 1, 3, 2, null].map(runExitVerdict)).toEqual(['met', 'not-met', 'inconclusive', 'error', 'error']);
  });
});
