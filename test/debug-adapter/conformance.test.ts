// Every conformance scenario under the debugger: continuing from stop to stop shows exactly
// the faults that `lifetime run` finds (each a stop of reason `exception` naming the fault),
// then the expectations and `terminated`. Each explore witness, replayed through the
// `schedule` launch argument, stops on the fault it leads to.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { runDefault } from '../../debug-adapter/runtime/schedule';
import { explore } from '../../debug-adapter/explorer/explore';
import { buildAdapter } from './build';
import { CONFORMANCE, HAVE_CONFORMANCE, T, client, consoleText, cont, conformance, launch, programOf, type Client } from './helpers';

const files = HAVE_CONFORMANCE ? readdirSync(CONFORMANCE).filter((f) => f.endsWith('.lifetime')).sort() : [];
if (!HAVE_CONFORMANCE) console.log(`conformance scenarios not found at ${CONFORMANCE}: those cases are skipped`);

let dc: Client | undefined;
beforeAll(() => buildAdapter(), 120_000);
// each client is stopped once: stopping a stopped one can wait for a process already gone
afterEach(async () => {
  const c = dc;
  dc = undefined;
  await c?.stop();
});

/** Continues from stop to stop until the end; the exception stops' texts. */
async function exceptionStops(first: Awaited<ReturnType<typeof launch>>): Promise<string[]> {
  const texts: string[] = [];
  let stop = first;
  for (let n = 0; stop && n < 50; n++) {
    expect(stop.reason).toBe('exception');
    texts.push(stop.text ?? '');
    stop = await cont(dc!, stop.threadId);
  }
  return texts;
}

describe.skipIf(!HAVE_CONFORMANCE)('conformance scenarios', () => {
  it.each(files.length ? files : ['(none)'])('%s: run mode stops on each fault, then terminates', async (file) => {
    const path = conformance(file);
    const expected = runDefault(programOf(path)).s.faults.map((f) => f.kind);
    dc = await client();
    const exited = dc.waitForEvent('exited', 20_000);
    const stops = await exceptionStops(await launch(dc, { program: path }));
    expect(stops.map((t) => t.split(':')[0])).toEqual(expected);
    expect((await exited).body.exitCode).toBe(0); // every conformance file meets its expectations
    const out = consoleText(dc);
    expect(out).toMatch(/expectations \(run\): met/);
    for (const kind of expected) expect(out).toMatch(new RegExp(`${file.replace(/\./g, '\\.')}:\\d+:\\d+: ${kind} in `));
  }, T);

  it.each(files.length ? files : ['(none)'])('%s: each explore witness replays to its fault', async (file) => {
    const path = conformance(file);
    const found = explore(programOf(path)).faults;
    for (const f of found) {
      dc = await client();
      const stops = await exceptionStops(await launch(dc, { program: path, schedule: f.schedule }));
      expect(stops.map((t) => t.split(':')[0])).toContain(f.kind);
      const c = dc;
      dc = undefined;
      await c.stop();
    }
  }, T);
});
