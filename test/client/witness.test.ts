import { describe, expect, it } from 'vitest';
import {
  EXPLORE_ACTION_ITEMS, exploreActions, exploreSummary, formatExploreReport, parseWitnessText, reportWitnesses, WitnessError, witnessFileName, witnessFileText,
  type ExploreReport,
} from '../../client/logic/witness';

const REPORT: ExploreReport = {
  file: 'a.lifetime', mode: 'explore', complete: true, states: 1234, transitions: 5678, met: true,
  faults: [
    { kind: 'deadlock', thread: 'app', line: 18, column: 7, message: 'app waits for fence job', schedule: ['app', 'hotplug', 'app'] },
    { kind: 'leak', thread: 'helper', line: 9, column: 3, message: 'helper ends holding card0', schedule: ['helper'] },
  ],
  expectations: [{ line: 30, expect: 'deadlock', met: true }],
};

describe('parseWitnessText', () => {
  it('reads a plain array of choices', () => {
    expect(parseWitnessText('["app","complete:job","timeout:app"]')).toEqual([{ schedule: ['app', 'complete:job', 'timeout:app'], label: 'witness of 3 choices' }]);
  });

  it('reads one fault or a saved witness', () => {
    const [w] = parseWitnessText(witnessFileText('/x/a.lifetime', REPORT.faults[0]));
    expect(w).toEqual({ schedule: ['app', 'hotplug', 'app'], label: 'deadlock in app at line 18', kind: 'deadlock', line: 18 });
  });

  it('reads every witness of an explore report', () => {
    const ws = parseWitnessText(JSON.stringify(REPORT));
    expect(ws.map((w) => w.label)).toEqual(['deadlock in app at line 18', 'leak in helper at line 9']);
    expect(reportWitnesses(REPORT)).toEqual(ws);
  });

  it('says what is wrong with anything else', () => {
    expect(() => parseWitnessText('{', 'w.json')).toThrow(WitnessError);
    expect(() => parseWitnessText('{', 'w.json')).toThrow(/w\.json is not JSON/);
    expect(() => parseWitnessText('[]')).toThrow(/empty schedule/);
    expect(() => parseWitnessText('[1,2]')).toThrow(/holds no schedule/);
    expect(() => parseWitnessText('{"faults":[]}')).toThrow(/without any fault/);
    expect(() => parseWitnessText('"app"')).toThrow(/holds no schedule/);
  });
});

describe('witness files', () => {
  it('are named after the scenario and the fault, without clobbering', () => {
    expect(witnessFileName('/w/hot.lifetime', 'deadlock')).toBe('hot.deadlock.witness.json');
    expect(witnessFileName('/w/hot.lifetime', undefined)).toBe('hot.witness.witness.json');
    const taken = new Set(['hot.deadlock.witness.json', 'hot.deadlock-2.witness.json']);
    expect(witnessFileName('/w/hot.lifetime', 'deadlock', (n) => taken.has(n))).toBe('hot.deadlock-3.witness.json');
    expect(witnessFileName('C:\\w\\x.lifetime', 'a/b')).toBe('x.a_b.witness.json');
  });

  it('hold the schedule where `lifetime run --schedule` finds it', () => {
    const v = JSON.parse(witnessFileText('/w/a.lifetime', REPORT.faults[0]));
    expect(v.schedule).toEqual(['app', 'hotplug', 'app']);
    expect(v.kind).toBe('deadlock');
  });
});

describe('explore report in the output channel', () => {
  it('lists each fault with its witness, then a summary', () => {
    const lines = formatExploreReport(REPORT, 'a.lifetime', 2500);
    expect(lines[0]).toBe('a.lifetime:18:7: error: app waits for fence job [deadlock] (thread app)');
    expect(lines[1]).toBe('  witness 1 (3 choices): ["app","hotplug","app"]');
    expect(lines[lines.length - 1]).toBe('explore: deadlock, leak over 1,234 states, 5,678 transitions in 2.5 s; expectations met');
  });

  it('says which expectation failed after a complete search', () => {
    const r: ExploreReport = { ...REPORT, met: false, faults: [], expectations: [{ line: 3, expect: 'deadlock', met: false, thread: 'app' }] };
    const lines = formatExploreReport(r, 'a.lifetime');
    expect(lines).toContain('  expect deadlock in app (line 3) not met');
    expect(lines[lines.length - 2]).toMatch(/; expectations NOT met$/);
    expect(exploreSummary(r, 'a.lifetime')).toBe('a.lifetime: no fault in any schedule over 1,234 states; expectations not met.');
  });

  it('calls a search stopped by a bound inconclusive, never met or not met', () => {
    // the shape of tools.md §1, and the older one (met: true or false although incomplete)
    for (const met of [null, true, false]) {
      const r: ExploreReport = {
        ...REPORT, complete: false, stopped: 'max-time', stopReason: 'stopped at the time limit (60 s)', met, faults: [],
        expectations: [{ line: 3, expect: 'deadlock', met: false, thread: 'app' }],
      };
      const lines = formatExploreReport(r, 'a.lifetime');
      expect(lines).toContain('exploration incomplete: stopped at the time limit (60 s); the result covers only the states visited');
      expect(lines[lines.length - 1]).toMatch(/^explore: no fault so far over 1,234 states, 5,678 transitions \(incomplete\); inconclusive: stopped at the time limit before every schedule was tried$/);
      expect(lines.join('\n')).not.toMatch(/expectations (NOT )?met|not met/);
      expect(exploreSummary(r, 'a.lifetime')).toBe('a.lifetime: inconclusive: stopped at the time limit after 1,234 states (no fault so far); not every schedule was tried.');
    }
  });

  it('reports static errors instead of a result', () => {
    const r = { ...REPORT, diagnostics: [{ code: 'unknown-name', severity: 'error', line: 2, column: 3, message: 'nothing declares x' }] };
    expect(formatExploreReport(r, 'a.lifetime')).toEqual(['a.lifetime:2:3: error: nothing declares x [unknown-name]', 'a.lifetime: not explored: 1 static error']);
    expect(exploreSummary(r, 'a.lifetime')).toMatch(/static errors/);
  });
});

describe('what the Explore notification offers', () => {
  it('one pick list of the witnesses\' actions, whose labels are never cut', () => {
    expect(exploreActions(REPORT)).toEqual(['debug', 'replay', 'save', 'output']);
    expect(exploreActions({ ...REPORT, faults: [] })).toEqual(['output']);
    for (const a of exploreActions(REPORT)) expect(EXPLORE_ACTION_ITEMS[a].label).toMatch(/^\$\([a-z-]+\) [A-Z]/);
  });
});
