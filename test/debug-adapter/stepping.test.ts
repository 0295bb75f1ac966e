// Threads, stacks and stepping: a handler frame over the statement that triggered it, step
// in / out / over it, stepping a thread that must wait, kworkers that appear when they start.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildAdapter } from './build';
import {
  HAVE_CONFORMANCE, T, act, client, consoleText, cont, conformance, fixture, frames, launch, lineOf, next, stepIn, stepOut, threadId,
  type Client,
} from './helpers';

const HANDLER = fixture('handler.lifetime');
const L = (needle: string, nth = 0) => lineOf(HANDLER, needle, nth);

let dc: Client;
beforeAll(() => buildAdapter(), 120_000);
afterEach(async () => { await dc?.stop(); });

describe('threads and stacks', () => {
  it('lists the declared threads with stable ids; stops on entry at each first statement', async () => {
    dc = await client();
    const stop = await launch(dc, { program: HANDLER, stopOnEntry: true });
    expect(stop).toMatchObject({ reason: 'entry', threadId: 1 });
    const th = (await dc.threadsRequest()).body.threads;
    expect(th).toEqual([{ id: 1, name: 'app' }, { id: 2, name: 'hotplug' }]);
    const app = await frames(dc, 1);
    expect(app).toEqual([{ name: 'app', line: L('open f on card0'), column: 3 }]);
    const st = await dc.stackTraceRequest({ threadId: 2 });
    expect(st.body.stackFrames[0].source?.path).toBe(HANDLER);
    // ids stay the same after steps
    await next(dc, 2);
    expect((await dc.threadsRequest()).body.threads).toEqual(th);
  }, T);

  it('a handler frame sits over the statement that triggered it', async () => {
    dc = await client();
    const stop = await launch(dc, { program: HANDLER }, { breakpoints: [{ line: L('hotunplug gpu0') }] });
    expect(stop).toMatchObject({ reason: 'breakpoint', threadId: 2 });
    expect(await frames(dc, 2)).toEqual([{ name: 'hotplug', line: L('hotunplug gpu0'), column: 3 }]);
    const s = await stepIn(dc, 2);
    expect(s).toMatchObject({ reason: 'step', threadId: 2 });
    expect(await frames(dc, 2)).toEqual([
      { name: 'remove (nova_drm)', line: L('log "remove starts"'), column: 3 },
      { name: 'hotplug', line: L('hotunplug gpu0'), column: 3 },
    ]);
    // next inside the handler stays in it
    await next(dc, 2);
    expect((await frames(dc, 2)).map((f) => [f.name, f.line])).toEqual([
      ['remove (nova_drm)', L('unplug card0')], ['hotplug', L('hotunplug gpu0')],
    ]);
    // step out: the handler returns, the devres release runs, hotplug is at its next statement
    await stepOut(dc, 2);
    expect(await frames(dc, 2)).toEqual([{ name: 'hotplug', line: L('log "gpu0 is gone"'), column: 3 }]);
    expect(consoleText(dc)).toMatch(/hotplug\s+gpu0 unbound/);
  }, T);

  it('next steps over the handler', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER }, { breakpoints: [{ line: L('hotunplug gpu0') }] });
    const s = await next(dc, 2);
    expect(s).toMatchObject({ reason: 'step', threadId: 2 });
    expect(await frames(dc, 2)).toEqual([{ name: 'hotplug', line: L('log "gpu0 is gone"'), column: 3 }]);
    expect(consoleText(dc)).toMatch(/remove \(nova_drm\) runs on hotplug/);
  }, T);

  it.skipIf(!HAVE_CONFORMANCE)('ioctl and enter blocks are frames; step in enters them, step out leaves', async () => {
    const file = conformance('05-fail-fences-before-unplug.lifetime');
    dc = await client();
    await launch(dc, { program: file, stopOnEntry: true });
    await next(dc, 1); // open
    await stepIn(dc, 1); // ioctl → into its body
    expect((await frames(dc, 1)).map((f) => f.name)).toEqual(['ioctl f', 'app']);
    await stepIn(dc, 1); // enter → into the SRCU section
    const f = await frames(dc, 1);
    expect(f.map((x) => x.name)).toEqual(['enter card0', 'ioctl f', 'app']);
    expect(f[0].line).toBe(lineOf(file, 'submit job'));
    expect(f[1].line).toBe(lineOf(file, 'enter card0'));
    expect(f[2].line).toBe(lineOf(file, 'ioctl f {'));
    // step out of enter: `enter` is the ioctl's last statement, and leaving a block belongs
    // to the step that ends its last statement, so both frames pop: app is at close f
    await stepOut(dc, 1);
    expect(await frames(dc, 1)).toEqual([{ name: 'app', line: lineOf(file, 'close f'), column: 3 }]);
  }, T);

  it('stepping a blocked thread runs the default schedule until it can go on', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER, stopOnEntry: true });
    await next(dc, 2); // sleep 1ms: hotplug blocks
    const f = await frames(dc, 2);
    expect(f[0].name).toMatch(/^hotplug — sleeping until 1ms/);
    expect(f[0].line).toBe(L('sleep 1ms'));
    expect(await dc.evaluateRequest({ expression: 'hotplug.status' }).then((r) => r.body.result)).toBe('blocked');
    // stepping it again: app runs meanwhile, the clock moves to 1ms, then hotplug wakes
    await next(dc, 2);
    expect(await frames(dc, 2)).toEqual([{ name: 'hotplug', line: L('hotunplug gpu0'), column: 3 }]);
    expect(await dc.evaluateRequest({ expression: 'clock' }).then((r) => r.body.result)).toMatch(/^1ms/);
    expect(consoleText(dc)).toMatch(/app\s+f = open\(card0\)/);
  }, T);

  it('stepping a thread that has exited says so and stays', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER }, { breakpoints: [{ line: L('log "gpu0 is gone"') }] });
    // app has exited by now (it ran at time 0)
    expect(await dc.evaluateRequest({ expression: 'app.status' }).then((r) => r.body.result)).toBe('done');
    const s = await next(dc, 1);
    expect(s).toMatchObject({ reason: 'step', threadId: 1, text: 'app has exited' });
    expect((await frames(dc, 1))[0].name).toMatch(/app exited/);
  }, T);

  it('a kworker thread appears once its work starts, with a work frame', async () => {
    dc = await client();
    const file = fixture('work.lifetime');
    const started = dc.waitForEvent('thread', 20_000);
    await launch(dc, { program: file, stopOnEntry: true });
    expect((await dc.threadsRequest()).body.threads.map((t) => t.name)).toEqual(['app']);
    await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: lineOf(file, 'get card0') }] });
    const s = await cont(dc);
    expect((await started).body).toMatchObject({ reason: 'started' });
    expect((await dc.threadsRequest()).body.threads.map((t) => t.name)).toEqual(['app', 'kworker/retire']);
    const kw = await threadId(dc, 'kworker/retire');
    expect(s).toMatchObject({ reason: 'breakpoint', threadId: kw });
    expect(await frames(dc, kw)).toEqual([{ name: 'work retire', line: lineOf(file, 'get card0'), column: 3 }]);
  }, T);

  it('continue runs to the end; terminated follows the faults and the verdict', async () => {
    dc = await client();
    const exited = dc.waitForEvent('exited', 20_000);
    const term = dc.waitForEvent('terminated', 20_000);
    const stop = await launch(dc, { program: HANDLER });
    expect(stop).toBeNull();
    await term;
    expect((await exited).body.exitCode).toBe(0);
    const out = consoleText(dc);
    expect(out).toMatch(/^\s+0\s+app\s+f = open\(card0\): card0 1→2/m);
    expect(out).toMatch(/^\s+1ms\s+hotplug\s+gpu0 is gone$/m);
    expect(out).toMatch(/no faults/);
    expect(out).toMatch(/expectations \(run\): met/);
  }, T);

  it('with singleThread, a blocked thread is not moved by running the others', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER, stopOnEntry: true });
    await next(dc, 2); // hotplug sleeps
    const s = await act(dc, () => dc.nextRequest({ threadId: 2, singleThread: true }));
    expect(s).toMatchObject({ reason: 'step', threadId: 2 });
    expect(s?.text).toMatch(/hotplug cannot run now \(sleeping until 1ms\)/);
    expect(await dc.evaluateRequest({ expression: 'app.line' }).then((r) => r.body.result)).toBe(String(L('open f on card0')));
  }, T);
});
