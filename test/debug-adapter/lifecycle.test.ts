// Restart, pause, terminate and disconnect — also in the middle of a long run.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAdapter } from './build';
import { T, WAIT, act, client, cont, evaluate, fixture, frames, launch, lineOf, next, type Client } from './helpers';

const HANDLER = fixture('handler.lifetime');
const LONG = fixture('long.lifetime');
const FLOOD = fixture('flood.lifetime');

let dc: Client;
beforeAll(() => buildAdapter(), 120_000);
afterEach(async () => { await dc?.stop(); });

function adapterProcess(c: Client): ChildProcess {
  return (c as unknown as { _adapterProcess: ChildProcess })._adapterProcess;
}

/** Launches without waiting for a stop: the long runs only stop when told to. */
async function start(c: Client, program: string): Promise<void> {
  const initialized = c.waitForEvent('initialized', WAIT);
  await c.initializeRequest();
  await initialized;
  const out = c.waitForEvent('output', WAIT);
  await Promise.all([c.configurationDoneRequest(), c.launchRequest({ program } as never)]);
  await out;
}

function exitOf(p: ChildProcess): Promise<number | null> {
  if (p.exitCode !== null) return Promise.resolve(p.exitCode);
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error('the adapter did not exit')), WAIT);
    p.once('exit', (code) => { clearTimeout(t); res(code); });
  });
}

describe('lifecycle', () => {
  it('restart starts over from the initial state, keeping the breakpoints', async () => {
    dc = await client();
    const line = lineOf(HANDLER, 'put card0');
    await launch(dc, { program: HANDLER, stopOnEntry: true }, { breakpoints: [{ line }] });
    expect(await cont(dc)).toMatchObject({ reason: 'breakpoint' });
    await next(dc, 1);
    await next(dc, 2);
    expect(await evaluate(dc, 'clock')).toMatch(/^1ms/);
    const s = await act(dc, () => dc.restartRequest({}));
    expect(s).toMatchObject({ reason: 'entry', threadId: 1 });
    expect(await evaluate(dc, 'card0.refcount')).toBe('1');
    expect(await evaluate(dc, 'step')).toBe('0');
    expect(await frames(dc, 1)).toEqual([{ name: 'app', line: lineOf(HANDLER, 'open f on card0'), column: 3 }]);
    expect(await cont(dc)).toMatchObject({ reason: 'breakpoint' });
    expect((await frames(dc, 1))[0].line).toBe(line);
  }, T);

  it('restart re-reads the file: an edit takes effect, a broken edit is an error and the session stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifetime-restart-'));
    const file = join(dir, 's.lifetime');
    copyFileSync(HANDLER, file);
    dc = await client();
    await launch(dc, { program: file, stopOnEntry: true });
    writeFileSync(file, 'module m\nthread only {\n  log "edited"\n}\n');
    expect(await act(dc, () => dc.restartRequest({}))).toMatchObject({ reason: 'entry' });
    expect((await dc.threadsRequest()).body.threads.map((t) => t.name)).toEqual(['only']);
    writeFileSync(file, 'module m\nthread only {\n  log\n}\n');
    await expect(dc.restartRequest({})).rejects.toThrow(/s\.lifetime:\d+:\d+: .*\[syntax\]/);
    // still debugging the last good version
    expect((await dc.threadsRequest()).body.threads.map((t) => t.name)).toEqual(['only']);
  }, T);

  it('pause stops a long run where it is; the stop is inspectable', async () => {
    dc = await client();
    await start(dc, LONG);
    const s = await act(dc, () => dc.pauseRequest({ threadId: 1 }));
    expect(s?.reason).toBe('pause');
    const step = Number(await evaluate(dc, 'step'));
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThan(3_000_000);
    const f = await frames(dc, s!.threadId!);
    expect(f[0].name).toMatch(/^repeat 1000000 \(iteration \d+\)$/);
    // pausing while stopped is harmless
    expect(await act(dc, () => dc.pauseRequest({ threadId: 1 }))).toMatchObject({ reason: 'pause' });
    // and the run goes on from there
    const again = await act(dc, async () => {
      await dc.continueRequest({ threadId: 1 });
      await new Promise((r) => setTimeout(r, 100));
      await dc.pauseRequest({ threadId: 1 });
    });
    expect(again?.reason).toBe('pause');
    expect(Number(await evaluate(dc, 'step'))).toBeGreaterThan(step);
  }, T);

  it('disconnect in the middle of a run ends the adapter cleanly', async () => {
    dc = undefined as unknown as Client; // this one ends by itself
    const c = await client();
    await start(c, LONG);
    const proc = adapterProcess(c);
    await c.disconnectRequest({});
    expect(await exitOf(proc)).toBe(0);
  }, T);

  it('a continue that floods the console still answers threads, pause and disconnect', async () => {
    dc = undefined as unknown as Client; // this one ends by itself
    const c = await client();
    const proc = adapterProcess(c);
    const outputBytes = () => c.outputs.reduce((n, o) => n + o.output.length, 0);
    /** Resolves once the client has received `n` more bytes of console text. */
    const received = (n: number) => {
      const want = outputBytes() + n;
      return new Promise<void>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`only ${outputBytes()} bytes of output`)), WAIT);
        const check = () => (outputBytes() >= want ? (clearTimeout(t), res()) : setTimeout(check, 20));
        check();
      });
    };
    try {
      await start(c, FLOOD);
      await received(4_000_000);
      expect((await c.threadsRequest()).body.threads.map((t) => t.name)).toEqual(['chatty']);
      const s = await act(c, () => c.pauseRequest({ threadId: 1 }));
      expect(s?.reason).toBe('pause');
      await c.continueRequest({ threadId: 1 });
      await received(2_000_000);
      await c.disconnectRequest({});
      expect(await exitOf(proc)).toBe(0);
    } finally {
      if (proc.exitCode === null) proc.kill();
    }
  }, T);

  it('terminate ends the session with terminated', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER, stopOnEntry: true });
    const term = dc.waitForEvent('terminated', WAIT);
    await dc.terminateRequest({});
    await term;
    await expect(dc.continueRequest({ threadId: 1 })).rejects.toThrow(/ended/);
  }, T);

  it('a client that never sends configurationDone still gets its run', async () => {
    dc = await client();
    await dc.initializeRequest();
    const term = dc.waitForEvent('terminated', WAIT);
    await dc.launchRequest({ program: HANDLER } as never);
    await term;
  }, T);
});
