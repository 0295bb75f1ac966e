import { describe, expect, it } from 'vitest';
import { explorationStatusView } from '../../client/logic/explorationStatus';

const uri = 'file:///a.lifetime';

describe('the background exploration in the status bar', () => {
  it('shows progress while it runs', () => {
    expect(explorationStatusView({ uri, version: 1, state: 'running' })!.text).toBe('$(sync~spin) Exploring schedules…');
  });

  it('says what it found once done', () => {
    expect(explorationStatusView({ uri, version: 1, state: 'done', complete: true, states: 40, faults: 1 })!.text).toBe('$(warning) Explored: 1 fault');
    expect(explorationStatusView({ uri, version: 1, state: 'done', complete: true, states: 40, faults: 0 })!.text).toBe('$(check) Explored: no fault');
  });

  it('never calls a bounded search clean', () => {
    const v = explorationStatusView({ uri, version: 1, state: 'done', complete: false, states: 200_000, faults: 0, stopReason: 'stopped after 2000 ms' })!;
    expect(v.text).toBe('$(question) Explored: inconclusive, no fault so far');
    expect(v.tooltip).toMatch(/stopped after 2000 ms\) after 200,000 states/);
  });

  it('goes away when an edit cancels it', () => {
    expect(explorationStatusView({ uri, version: 2, state: 'cancelled' })).toBeUndefined();
  });
});
