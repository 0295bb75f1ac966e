// Every witness replays (replaySchedule: what `lifetime run --schedule` does) to a fault
// of the same kind, on the same thread, at the same line and column — for every shared
// conformance scenario, every sample (globbed when the test runs) and the benchmark
// family; with reduction on (witnesses found in the reduced graph, some carried over to
// another thread by symmetry) and off.

import { describe, expect, it } from 'vitest';
import { explore, type ExploreOptions } from '../../debug-adapter/explorer/explore';
import { replaySchedule } from '../../debug-adapter/runtime/schedule';
import { HAS_SHARED, noteMissingShared } from '../shared';
import { conformanceCases, familyCases, program, sampleCases, type Case } from './helpers';

noteMissingShared();

function checkWitnesses(c: Case, o: ExploreOptions): void {
  const p = program(c.text, c.name);
  const r = explore(p, o);
  for (const f of r.faults) {
    const k = replaySchedule(p, f.schedule);
    const same = k.s.faults.find((g) => g.kind === f.kind && g.thread === f.thread);
    expect(same, `${c.name}: ${f.kind} in ${f.thread} by ${JSON.stringify(f.schedule)}`).toBeDefined();
    expect({ line: same!.line, column: same!.column }).toEqual({ line: f.line, column: f.column });
    if (f.blocked) expect(same!.blocked).toEqual(f.blocked);
  }
}

describe.skipIf(!HAS_SHARED)('witnesses replay: conformance scenarios', () => {
  for (const c of HAS_SHARED ? conformanceCases() : []) {
    it(`${c.name} (reduced)`, () => checkWitnesses(c, {}));
    it(`${c.name} (plain)`, () => checkWitnesses(c, { reduction: false }));
  }
});

const SAMPLES = sampleCases();
describe.skipIf(SAMPLES.length === 0)('witnesses replay: samples', () => {
  for (const c of SAMPLES) {
    it(`${c.name} (reduced)`, () => checkWitnesses(c, {}));
    it(`${c.name} (plain)`, () => checkWitnesses(c, { reduction: false }));
  }
});

describe('witnesses replay: the benchmark family', () => {
  for (const c of familyCases(3)) it(c.name, () => checkWitnesses(c, {}));
});
