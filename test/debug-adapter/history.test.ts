// Going back in time: step back and reverse continue return to exactly the earlier state;
// the schedule taken can be saved as a witness and replayed by a later launch.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAdapter } from './build';
import {
  HAVE_CONFORMANCE, T, client, cont, conformance, fixture, frames, launch, lineOf, next, reverseContinue, snapshot, stepBack, stepIn,
  type Client,
} from './helpers';
import type { LifetimeStateJson } from '../../debug-adapter/debugger/model';
import { explore } from '../../debug-adapter/explorer/explore';
import { programOf } from './helpers';

const LOOP = fixture('loop.lifetime');
const HANDLER = fixture('handler.lifetime');

let dc: Client;
beforeAll(() => buildAdapter(), 120_000);
afterEach(async () => { await dc?.stop(); });

/** Everything a user sees at a stop: both scopes expanded, every thread's stack. */
async function view(threadId: number) {
  const th = (await dc.threadsRequest()).body.threads;
  const stacks = await Promise.all(th.map(async (t) => [t.name, await frames(dc, t.id)]));
  return { ...(await snapshot(dc, threadId)), stacks: Object.fromEntries(stacks) };
}

const lastState = (): Omit<LifetimeStateJson, 'reason'> => {
  const { reason: _r, ...rest } = dc.states.at(-1) as LifetimeStateJson;
  return rest;
};

describe('step back and reverse continue', () => {
  it('step back retraces each step exactly (variables, stacks, state)', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER, stopOnEntry: true });
    const seen = [await view(1)];
    const states = [lastState()];
    // an interleaving built by hand, each step one statement of one thread (hotplug's sleep
    // blocks it; app ends with its close)
    const forward = [1, 1, 2, 1, 1];
    for (const t of forward) {
      await next(dc, t);
      seen.push(await view(1));
      states.push(lastState());
    }
    expect(seen.at(-1)!.thread.status).toBe('done');
    // back along the same threads, last step first
    const order = [...forward].reverse();
    for (let n = 0; n < order.length; n++) {
      const s = await stepBack(dc, order[n]);
      expect(s?.reason).toMatch(/step|entry/);
      expect(await view(1)).toEqual(seen[seen.length - 2 - n]);
      expect(lastState()).toEqual(states[states.length - 2 - n]);
    }
    expect((await stepBack(dc, 1))?.reason).toBe('entry'); // nothing left to undo
  }, T);

  it('step back over a handler returns before the statement that called it', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER }, { breakpoints: [{ line: lineOf(HANDLER, 'hotunplug gpu0') }] });
    const before = await view(2);
    await next(dc, 2); // runs remove (nova_drm) and the devres release
    expect(await dc.evaluateRequest({ expression: 'gpu0.bound' }).then((r) => r.body.result)).toBe('false');
    await stepBack(dc, 2);
    expect(await view(2)).toEqual(before);
    // into the handler, then back out of it one statement at a time
    await stepIn(dc, 2);
    const inHandler = await view(2);
    await next(dc, 2);
    await stepBack(dc, 2);
    expect(await view(2)).toEqual(inHandler);
  }, T);

  it('reverse continue goes back to the previous breakpoint hit, and forward again to the same states', async () => {
    dc = await client();
    const line = lineOf(LOOP, 'unlock lk');
    await launch(dc, { program: LOOP }, { breakpoints: [{ line }] });
    const hits = [await view(1)];
    for (let n = 0; n < 3; n++) {
      expect((await cont(dc))?.reason).toBe('breakpoint');
      hits.push(await view(1));
    }
    expect(hits[3].stacks.app[0].name).toBe('repeat 50 (iteration 4)');
    for (let n = 2; n >= 0; n--) {
      const s = await reverseContinue(dc);
      expect(s?.reason).toBe('breakpoint');
      expect(await view(1)).toEqual(hits[n]);
    }
    // before the first hit there is none: the start of the history
    expect((await reverseContinue(dc))?.reason).toBe('entry');
    expect((await view(1)).lifetimes.step).toBe('0');
    // and forward again, through the same states
    for (let n = 0; n < 3; n++) {
      await cont(dc);
      expect(await view(1)).toEqual(hits[n]);
    }
  }, T);

  it('reverse continue stops where a fault happened, in the same state', async () => {
    dc = await client();
    const file = fixture('leak.lifetime');
    const first = await launch(dc, { program: file }, { breakpoints: [{ line: lineOf(file, 'log "after the leak"') }] });
    expect(first).toMatchObject({ reason: 'exception', threadId: 1 });
    expect(first?.text).toMatch(/^leak/);
    const atFault = await view(1);
    expect(await cont(dc)).toMatchObject({ reason: 'breakpoint', threadId: 2 });
    const back = await reverseContinue(dc, 2);
    expect(back).toMatchObject({ reason: 'exception', threadId: 1 });
    expect(back?.text).toBe(first?.text);
    expect(await view(1)).toEqual(atFault);
    expect((await dc.exceptionInfoRequest({ threadId: 1 })).body.exceptionId).toBe('leak');
  }, T);

  it('reverse continue stops at the change of a data breakpoint', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER }, { breakpoints: [{ line: lineOf(HANDLER, 'log "gpu0 is gone"') }] });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'card0.refcount' }] });
    // The step that brought hotplug here dropped the binding's reference (1 → 0): that change
    // is where we are, not before. The one before is app's close (2 → 1), then its put (3 → 2).
    const s = await reverseContinue(dc, 2);
    expect(s).toMatchObject({ reason: 'data breakpoint', threadId: 1, text: 'card0.refcount: 2 → 1' });
    expect(await dc.evaluateRequest({ expression: 'app.files' }).then((r) => r.body.result)).toBe('0');
    const s2 = await reverseContinue(dc, 2);
    expect(s2?.text).toBe('card0.refcount: 3 → 2');
    expect((await frames(dc, 1))[0].line).toBe(lineOf(HANDLER, 'close f'));
  }, T);
});

describe('witnesses', () => {
  it('saves a hand-built run-mode interleaving and replays it to the same state', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER, stopOnEntry: true });
    for (const t of [2, 1, 2, 1]) await next(dc, t); // hotplug first, then app; hotplug wakes at 1ms
    const dir = mkdtempSync(join(tmpdir(), 'lifetime-witness-'));
    const path = join(dir, 'w.json');
    const r = await dc.customRequest('lifetime/saveWitness', { path });
    const body = r.body as { schedule: string[]; path: string; mode: string };
    expect(body.path).toBe(path);
    expect(body.mode).toBe('run');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(body.schedule);
    expect(body.schedule).toContain('advance:1ms');
    const saved = lastState();
    const savedView = await view(1);
    await dc.stop();

    dc = await client();
    const stop = await launch(dc, { program: HANDLER, schedule: path });
    expect(stop?.reason).toBe('end of witness');
    expect(lastState()).toEqual(saved);
    expect(await view(1)).toEqual(savedView);
    // past the witness, the default schedule goes on to the end
    expect(await cont(dc)).toBeNull();
  }, T);

  it.skipIf(!HAVE_CONFORMANCE)('replays an explore witness with explore semantics and saves it back', async () => {
    const file = conformance('05-fail-fences-before-unplug.lifetime');
    const f = explore(programOf(file)).faults.find((x) => x.kind === 'deadlock')!;
    dc = await client();
    const stop = await launch(dc, { program: file, schedule: f.schedule, stopOnEntry: true });
    expect(stop?.reason).toBe('entry');
    const s = await cont(dc);
    expect(s?.text).toMatch(/^deadlock/);
    const r = await dc.customRequest('lifetime/saveWitness', { path: join(mkdtempSync(join(tmpdir(), 'lifetime-witness-')), 'x.json') });
    expect((r.body as { schedule: string[]; mode: string })).toMatchObject({ schedule: f.schedule, mode: 'explore' });
    expect((dc.states.at(-1) as LifetimeStateJson).mode).toBe('explore');
  }, T);

  it('stepping off the witness says so; continue then follows the default schedule', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER, schedule: ['app', 'app'], stopOnEntry: true });
    await next(dc, 2); // the witness says app: this leaves it
    expect(dc.outputs.map((o) => o.output).join('')).toMatch(/left the witness at its entry 1/);
    expect(await cont(dc)).toBeNull();
  }, T);
});
