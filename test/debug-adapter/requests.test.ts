// Every request answered correctly (issue 11): a step naming a thread that does not exist,
// breakpoints in a file that is not the program, an unsupported `goto`, a step at the end
// of a deadlocked run.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAdapter } from './build';
import { T, act, client, consoleText, cont, evaluate, fixture, frames, launch, lineOf, next, stepBack, type Client } from './helpers';

const HANDLER = fixture('handler.lifetime');
const DEADLOCK = fixture('deadlock.lifetime');
const LOOP = fixture('loop.lifetime');

let dc: Client;
beforeAll(() => buildAdapter(), 120_000);
afterEach(async () => { await dc?.stop(); });

describe('requests naming a thread', () => {
  it('next, stepIn, stepOut and stepBack with a thread id that does not exist are errors; nothing moves', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER, stopOnEntry: true });
    const before = await evaluate(dc, 'step');
    for (const threadId of [999, -1, 0, 'x', 1.5, undefined] as unknown as number[]) {
      await expect(dc.nextRequest({ threadId }), `next ${threadId}`).rejects.toThrow(/no thread .*: the threads are 1 app, 2 hotplug/);
      await expect(dc.stepInRequest({ threadId }), `stepIn ${threadId}`).rejects.toThrow(/no thread/);
      await expect(dc.stepOutRequest({ threadId }), `stepOut ${threadId}`).rejects.toThrow(/no thread/);
      await expect(dc.stepBackRequest({ threadId }), `stepBack ${threadId}`).rejects.toThrow(/no thread/);
    }
    expect(await evaluate(dc, 'step')).toBe(before);
    // a real id still steps
    expect(await next(dc, 2)).toMatchObject({ reason: 'step', threadId: 2 });
  }, T);
});

describe('breakpoints', () => {
  it('a breakpoint in a file that is not the program is unverified, with a message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifetime-bp-'));
    const other = join(dir, 'other.lifetime');
    copyFileSync(HANDLER, other);
    dc = await client();
    await launch(dc, { program: HANDLER, stopOnEntry: true });
    const r = await dc.setBreakpointsRequest({ source: { path: other }, breakpoints: [{ line: lineOf(other, 'put card0') }] });
    expect(r.body.breakpoints).toHaveLength(1);
    expect(r.body.breakpoints[0].verified).toBe(false);
    expect(r.body.breakpoints[0].message).toMatch(/not the scenario being debugged \(handler\.lifetime\)/);
    // and it never stops the run
    expect(await cont(dc)).toBeNull();
  }, T);

  it('breakpoints sent once launch has named the program are judged against it too', async () => {
    dc = await client();
    const initialized = dc.waitForEvent('initialized');
    await dc.initializeRequest();
    await initialized;
    const launched = dc.launchRequest({ program: HANDLER } as never);
    const r = await dc.setBreakpointsRequest({ source: { path: LOOP }, breakpoints: [{ line: lineOf(LOOP, 'lock lk') }] });
    expect(r.body.breakpoints[0]).toMatchObject({ verified: false, message: expect.stringMatching(/not the scenario being debugged/) });
    const own = await dc.setBreakpointsRequest({ source: { path: HANDLER }, breakpoints: [{ line: lineOf(HANDLER, 'put card0') }] });
    expect(own.body.breakpoints[0].verified).toBe(true);
    const stop = act(dc, async () => { await dc.configurationDoneRequest(); await launched; });
    expect(await stop).toMatchObject({ reason: 'breakpoint' });
  }, T);
});

describe('unsupported requests', () => {
  it('goto and gotoTargets are errors that say what to use instead', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER, stopOnEntry: true });
    await expect(dc.gotoRequest({ threadId: 1, targetId: 1 })).rejects.toThrow(/goto is not supported.*step back.*reverse continue/);
    await expect(dc.send('gotoTargets', { source: { path: HANDLER }, line: 3 })).rejects.toThrow(/not supported/);
    await expect(dc.send('setVariable', { variablesReference: 1, name: 'clock', value: '5' })).rejects.toThrow(/read-only/);
    // the session is unharmed
    expect(await next(dc, 1)).toMatchObject({ reason: 'step' });
  }, T);
});

describe('the end of a deadlocked run', () => {
  it('next at the deadlock stays stopped at the fault and says why; continue ends the session', async () => {
    dc = await client();
    const stop = await launch(dc, { program: DEADLOCK });
    expect(stop).toMatchObject({ reason: 'exception' });
    expect(stop?.text).toMatch(/^deadlock: /);
    const where = await frames(dc, stop!.threadId!);
    for (const thread of [stop!.threadId!, 1, 2]) {
      const again = await next(dc, thread);
      expect(again, `next on thread ${thread}`).toMatchObject({ reason: 'exception', threadId: stop!.threadId });
      expect(again?.text).toMatch(/^deadlock: /);
    }
    expect(consoleText(dc)).toMatch(/the run is over: step back, reverse continue or restart/);
    expect(await frames(dc, stop!.threadId!)).toEqual(where);
    // still debuggable: step back works
    expect(await stepBack(dc, stop!.threadId!)).toMatchObject({ reason: 'step' });
    // and forward again to the fault, then continue ends it
    expect((await cont(dc))?.text).toMatch(/^deadlock: /);
    expect(await cont(dc)).toBeNull();
  }, T);
});
