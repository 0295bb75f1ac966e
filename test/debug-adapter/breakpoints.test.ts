// Breakpoints of every kind, data breakpoints and the exception filters.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildAdapter } from './build';
import {
  HAVE_CONFORMANCE, T, client, consoleText, cont, conformance, evaluate, fixture, frames, launch, lineOf, scopes,
  type Client,
} from './helpers';

const LOOP = fixture('loop.lifetime');
const HANDLER = fixture('handler.lifetime');

let dc: Client;
beforeAll(() => buildAdapter(), 120_000);
afterEach(async () => { await dc?.stop(); });

describe('line breakpoints', () => {
  it('are verified on statement lines, move from a blank line to the next statement, and stay unverified elsewhere', async () => {
    dc = await client();
    await dc.initializeRequest();
    const blank = lineOf(HANDLER, 'get card0') + 1; // the empty line inside app's body
    const r = await dc.setBreakpointsRequest({
      source: { path: HANDLER },
      breakpoints: [
        { line: lineOf(HANDLER, 'get card0') }, { line: blank }, { line: lineOf(HANDLER, 'module nova') },
        { line: lineOf(HANDLER, 'thread app') }, { line: lineOf(HANDLER, 'expect clean') }, { line: 999 },
      ],
    });
    const [onStmt, moved, onDecl, onHeader, onExpect, past] = r.body.breakpoints;
    expect(onStmt).toMatchObject({ verified: true, line: lineOf(HANDLER, 'get card0'), column: 3 });
    expect(moved).toMatchObject({ verified: true, line: lineOf(HANDLER, 'put card0') });
    expect(onDecl.verified).toBe(false);
    expect(onDecl.message).toMatch(/no statement/);
    // the line that opens a body moves to its first statement, as a function breakpoint would
    expect(onHeader).toMatchObject({ verified: true, line: lineOf(HANDLER, 'open f on card0') });
    expect(onExpect.verified).toBe(false);
    expect(past.verified).toBe(false);
  }, T);

  it('stop before the statement runs, in whichever thread reaches it', async () => {
    dc = await client();
    const line = lineOf(HANDLER, 'put card0');
    const stop = await launch(dc, { program: HANDLER }, { breakpoints: [{ line }] });
    expect(stop).toMatchObject({ reason: 'breakpoint', threadId: 1 });
    expect(stop?.hitBreakpointIds?.length).toBe(1);
    expect((await frames(dc, 1))[0].line).toBe(line);
    expect(await evaluate(dc, 'card0.refcount')).toBe('3'); // binding + file + get: the put has not run
  }, T);

  it('a condition stops only where it holds', async () => {
    dc = await client();
    const line = lineOf(LOOP, 'put card0');
    const stop = await launch(dc, { program: LOOP }, { breakpoints: [{ line, condition: 'card0.refcount == 3 && step > 100' }] });
    expect(stop?.reason).toBe('breakpoint');
    expect(Number(await evaluate(dc, 'step'))).toBeGreaterThan(100);
    expect(await evaluate(dc, 'card0.refcount')).toBe('3');
  }, T);

  it('a hit count stops on the Nth hit', async () => {
    dc = await client();
    const line = lineOf(LOOP, 'lock lk');
    const stop = await launch(dc, { program: LOOP }, { breakpoints: [{ line, hitCondition: '3' }] });
    expect(stop?.reason).toBe('breakpoint');
    expect((await frames(dc, 1)).map((f) => [f.name, f.line])).toEqual([['repeat 50 (iteration 3)', line], ['app', line - 2]]);
    // "3" means from the 3rd hit on: it keeps stopping
    expect(await cont(dc)).toMatchObject({ reason: 'breakpoint', threadId: 1 });
    expect((await frames(dc, 1))[0].name).toBe('repeat 50 (iteration 4)');
  }, T);

  it('"%N" and "==N" hit counts', async () => {
    dc = await client();
    const line = lineOf(LOOP, 'unlock lk');
    await launch(dc, { program: LOOP }, { breakpoints: [{ line, hitCondition: '%20' }, { line: line + 1, hitCondition: '==7' }] });
    expect((await frames(dc, 1))[0]).toMatchObject({ name: 'repeat 50 (iteration 7)', line: line + 1 });
    expect(await cont(dc)).toMatchObject({ reason: 'breakpoint' });
    expect((await frames(dc, 1))[0]).toMatchObject({ name: 'repeat 50 (iteration 20)', line });
    expect(await cont(dc)).toMatchObject({ reason: 'breakpoint' });
    expect((await frames(dc, 1))[0]).toMatchObject({ name: 'repeat 50 (iteration 40)', line });
    expect(await cont(dc)).toBeNull();
  }, T);

  it('a log point prints its message with {expressions} and does not stop', async () => {
    dc = await client();
    const line = lineOf(LOOP, 'put card0');
    const term = dc.waitForEvent('terminated', 20_000);
    const stop = await launch(dc, { program: LOOP }, { breakpoints: [{ line, logMessage: 'put: {card0.refcount} refs, lk {lk.holder}, {app.status}, {{literal}}' }] });
    expect(stop).toBeNull();
    await term;
    const logs = dc.outputs.filter((o) => o.output.startsWith('put: '));
    expect(logs).toHaveLength(50);
    expect(logs[0].output).toBe('put: 3 refs, lk none, ready, {literal}\n');
    expect(logs[0].line).toBe(line);
  }, T);

  it('a bad condition leaves the breakpoint unverified with the reason', async () => {
    dc = await client();
    await dc.initializeRequest();
    const line = lineOf(LOOP, 'put card0');
    const r = await dc.setBreakpointsRequest({
      source: { path: LOOP },
      breakpoints: [
        { line, condition: 'card0.refcont == 1' },
        { line, condition: 'nova.state == gonee' },
        { line, condition: 'card0.refcount' },
        { line, hitCondition: 'often' },
        { line, logMessage: 'value {card9.refcount}' },
      ],
    });
    const m = r.body.breakpoints.map((b) => [b.verified, b.message]);
    expect(m[0]).toEqual([false, expect.stringMatching(/card0 is a drm device; its fields are refcount/)]);
    expect(m[1]).toEqual([false, expect.stringMatching(/gonee is not a value of nova\.state \(live, going, gone\)/)]);
    expect(m[2]).toEqual([false, expect.stringMatching(/not true or false/)]);
    expect(m[3]).toEqual([false, expect.stringMatching(/hit count "often"/)]);
    expect(m[4]).toEqual([false, expect.stringMatching(/unknown name card9/)]);
  }, T);

  it('breakpoints set while stopped take effect; cleared ones do not stop', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER, stopOnEntry: true });
    const line = lineOf(HANDLER, 'log "gpu0 is gone"');
    await dc.setBreakpointsRequest({ source: { path: HANDLER }, breakpoints: [{ line }] });
    expect(await cont(dc)).toMatchObject({ reason: 'breakpoint', threadId: 2 });
    await dc.setBreakpointsRequest({ source: { path: HANDLER }, breakpoints: [] });
    expect(await cont(dc)).toBeNull();
  }, T);
});

describe('data breakpoints', () => {
  it('on a count from the variables view: stop when it changes', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER, stopOnEntry: true });
    const sc = await scopes(dc, 1);
    const vars = (await dc.variablesRequest({ variablesReference: sc.lifetimes })).body.variables;
    const card0 = vars.find((v) => v.name === 'card0')!;
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: card0.variablesReference, name: 'refcount' });
    expect(info.body).toMatchObject({ dataId: 'card0.refcount', accessTypes: ['write'] });
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId! }] });
    expect(set.body.breakpoints[0].verified).toBe(true);
    const s1 = await cont(dc);
    expect(s1).toMatchObject({ reason: 'data breakpoint', threadId: 1, text: 'card0.refcount: 1 → 2' });
    expect((await frames(dc, 1))[0].line).toBe(lineOf(HANDLER, 'get card0')); // the open just ran
    const s2 = await cont(dc);
    expect(s2?.text).toBe('card0.refcount: 2 → 3');
  }, T);

  it('on a flag, with a condition; and what cannot be watched says why', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER, stopOnEntry: true });
    const sc = await scopes(dc, 1);
    const vars = (await dc.variablesRequest({ variablesReference: sc.lifetimes })).body.variables;
    const gpu0 = vars.find((v) => v.name === 'gpu0')!;
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: gpu0.variablesReference, name: 'present' });
    expect(info.body.dataId).toBe('gpu0.present');
    const bad = await dc.dataBreakpointInfoRequest({ variablesReference: gpu0.variablesReference, name: 'driver' });
    expect(bad.body.dataId).toBeNull();
    const byName = await dc.dataBreakpointInfoRequest({ name: 'bar0.revoked' });
    expect(byName.body.dataId).toBe('bar0.revoked');
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'gpu0.present' }, { dataId: 'bar0.revoked', condition: 'clock >= 1ms' }] });
    const s = await cont(dc);
    expect(s).toMatchObject({ reason: 'data breakpoint', threadId: 2, text: 'gpu0.present: true → false' });
    const s2 = await cont(dc);
    expect(s2?.text).toBe('bar0.revoked: false → true');
  }, T);

  it('on a thread variable (its open files)', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER, stopOnEntry: true });
    const sc = await scopes(dc, 1);
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: sc.thread, name: 'files' });
    expect(info.body.dataId).toBe('app.files');
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'app.files' }] });
    expect((await cont(dc))?.text).toBe('app.files: 0 → 1');
    expect((await cont(dc))?.text).toBe('app.files: 1 → 0');
  }, T);
});

describe('exception filters', () => {
  it('fault is on by default; the stop names the fault and exceptionInfo says where', async () => {
    dc = await client();
    const stop = await launch(dc, { program: fixture('leak.lifetime') });
    expect(stop).toMatchObject({ reason: 'exception', threadId: 1 });
    expect(stop?.text).toMatch(/^leak: app ends holding a reference to card0/);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    expect(info.body).toMatchObject({ exceptionId: 'leak', breakMode: 'always' });
    expect(info.body.details?.stackTrace).toContain(`leak.lifetime:${lineOf(fixture('leak.lifetime'), 'get card0')}:3`);
  }, T);

  it('with fault off, a faulty run goes to its end without stopping', async () => {
    dc = await client();
    const exited = dc.waitForEvent('exited', 20_000);
    const stop = await launch(dc, { program: fixture('leak.lifetime') }, { filters: [] });
    expect(stop).toBeNull();
    expect((await exited).body.exitCode).toBe(1); // `expect clean` not met
    expect(consoleText(dc)).toMatch(/leak\.lifetime:\d+:3: leak in app/);
  }, T);

  it('revoke: an unplug, then a revoke, each a stop naming the event', async () => {
    dc = await client();
    const stop = await launch(dc, { program: HANDLER }, { filters: ['revoke'] });
    expect(stop).toMatchObject({ reason: 'exception', threadId: 2 });
    expect(stop?.text).toMatch(/^revoke: drm_dev_unplug\(card0\): unplugged/);
    expect((await dc.exceptionInfoRequest({ threadId: 2 })).body.exceptionId).toBe('revoke');
    // the unplug is the handler's last statement: its step also ran the devres release
    // (bar0 revoked), so hotplug is back in its body; the revoke is the next stop
    expect((await frames(dc, 2))[0].name).toBe('hotplug');
    const s2 = await cont(dc);
    expect(s2?.text).toMatch(/^revoke: bar0 revoked/);
    expect(await cont(dc)).toBeNull();
  }, T);

  it('refcount-zero and module-unload', async () => {
    dc = await client();
    const stop = await launch(dc, { program: LOOP }, { filters: ['refcount-zero', 'module-unload'] });
    expect(stop?.reason).toBe('exception');
    expect(stop?.text).toMatch(/^refcount-zero: (module nova refcount reached 0|card0 refcount reached 0)/);
    const texts = [stop!.text!];
    for (let s = await cont(dc); s; s = await cont(dc)) texts.push(s.text!);
    expect(texts.some((t) => t.startsWith('module-unload: module nova is gone'))).toBe(true);
    expect(texts.some((t) => t.startsWith('refcount-zero: card0 refcount reached 0'))).toBe(true);
  }, T);

  it.skipIf(!HAVE_CONFORMANCE)('a deadlock stops on the first blocked thread, with every thread where it waits', async () => {
    dc = await client();
    const file = conformance('14-lock-vs-unplug.lifetime');
    const stop = await launch(dc, { program: file });
    expect(stop?.reason).toBe('exception');
    expect(stop?.text).toMatch(/^deadlock: /);
    const th = (await dc.threadsRequest()).body.threads;
    for (const t of th) {
      const f = await frames(dc, t.id);
      expect(f.length).toBeGreaterThan(0);
    }
    expect(await cont(dc)).toBeNull();
  }, T);

  it('unknown filters are reported, known ones kept', async () => {
    dc = await client();
    await dc.initializeRequest();
    const r = await dc.setExceptionBreakpointsRequest({ filters: ['fault', 'all'] });
    expect(r.body?.breakpoints?.map((b) => b.verified)).toEqual([true, false]);
  }, T);
});
