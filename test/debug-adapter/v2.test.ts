// Version 2 in the debugger (tools.md §4): timers, irqs, krefs, spinlocks, completions,
// cdevs and attributes in the Lifetimes scope; atomic context and the spinlocks held in the
// Thread scope; their fields in expressions and data breakpoints; the `callback` filter.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildAdapter } from './build';
import {
  HAVE_CONFORMANCE, T, act, client, conformance, cont, evaluate, fixture, frames, launch, lineOf, next, scopes, snapshot, threadId, type Client, v,
} from './helpers';
import type { LifetimeStateJson } from '../../debug-adapter/debugger/model';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from './build';

const TIMER = fixture('timer.lifetime');
const SAMPLES = resolve(ROOT, 'samples/v2');
const ATTR_DEADLOCK = resolve(SAMPLES, 'bug-usb-port-disable-attr-deadlock.lifetime');
const UIO = resolve(SAMPLES, 'bug-uio-file-outlives-unregister.lifetime');

let dc: Client;
beforeAll(() => buildAdapter(), 120_000);
afterEach(async () => { await dc?.stop(); });


const lastState = (): LifetimeStateJson => dc.states[dc.states.length - 1] as LifetimeStateJson;

describe('version 2: the Lifetimes and Thread scopes', () => {
  it('a breakpoint in a timer callback stops on timer/<t>, the timer armed then running', async () => {
    dc = await client();
    const armLine = lineOf(TIMER, 'unlock lk');
    const cbLine = lineOf(TIMER, 'get obj', 0);
    const stop = await launch(dc, { program: TIMER }, { breakpoints: [{ line: armLine }, { line: cbLine }] });
    expect(stop).toMatchObject({ reason: 'breakpoint', threadId: 1 });
    let s = await snapshot(dc, 1);
    expect(Object.keys(s.lifetimes)).toEqual(['clock', 'step', 'blinker', 'led0', 'priv', 'blink', 'irq0', 'obj', 'lk', 'armed', 'ctl', 'faults']);
    expect(v(s.lifetimes, 'priv')).toBe('live (kzalloc)');
    expect(v(s.lifetimes, 'priv', 'managed')).toBe('kzalloc (owned by nobody: only free frees it)');
    expect(v(s.lifetimes, 'blink')).toBe('armed, fires at 2ms');
    expect(v(s.lifetimes, 'blink', 'armed')).toBe('true');
    expect(v(s.lifetimes, 'blink', 'fires at')).toBe('2ms');
    expect(v(s.lifetimes, 'blink', 'running')).toBe('false');
    expect(v(s.lifetimes, 'irq0')).toBe('requested');
    expect(v(s.lifetimes, 'ctl')).toBe('registered, 1 open file');
    expect(v(s.lifetimes, 'ctl', 'files')).toBe('1 (f of app)');
    expect(v(s.lifetimes, 'armed')).toBe('not done, 1 waiter');
    expect(v(s.lifetimes, 'armed', 'waiters')).toBe('1 (hw)');

    const second = await cont(dc);
    expect(second).toMatchObject({ reason: 'breakpoint' });
    const tb = await threadId(dc, 'timer/blink');
    expect(second?.threadId).toBe(tb);
    expect((await frames(dc, tb))[0]).toEqual({ name: 'timer blink', line: cbLine, column: 3 });
    s = await snapshot(dc, tb);
    expect(v(s.lifetimes, 'blink')).toBe('running on timer/blink');
    expect(v(s.lifetimes, 'blink', 'state')).toBe('running');
    expect(v(s.lifetimes, 'blink', 'armed')).toBe('false');
    expect(v(s.lifetimes, 'blink', 'callback')).toBe(`timer/blink: ready at line ${cbLine}`);
    expect(v(s.lifetimes, 'armed')).toBe('done');
    expect(v(s.lifetimes, 'irq0')).toBe('requested');
    expect(v(s.thread, 'atomic')).toBe('true (timer callback blink (softirq))');
    expect(v(s.thread, 'timer')).toBe('blink: running on timer/blink');
    expect(lastState().objects.timers.blink).toEqual({ state: 'running', armed: false, running: true, disabled: false, firesAt_ns: null });
  }, T);

  it('a kref\'s count and holders, a spinlock\'s holder, atomic context and the spinlocks held', async () => {
    dc = await client();
    await launch(dc, { program: TIMER }, { breakpoints: [{ line: lineOf(TIMER, 'arm blink') }] });
    const s = await snapshot(dc, 1);
    expect(v(s.lifetimes, 'obj')).toBe('refcount 2');
    expect(v(s.lifetimes, 'obj', 'refcount', '1')).toBe('the creator\'s reference (kref_init; owned by no thread: a put drops it)');
    expect(v(s.lifetimes, 'obj', 'refcount', '2')).toBe(`app: kref_get at line ${lineOf(TIMER, 'get obj', 1)}`);
    expect(v(s.lifetimes, 'obj', 'holders')).toBe('creator, app');
    expect(v(s.lifetimes, 'lk')).toBe('held by app');
    expect(v(s.lifetimes, 'lk', 'holder')).toBe(`app (locked at line ${lineOf(TIMER, '    lock lk')})`);
    expect(v(s.lifetimes, 'blinker', 'refcount', '1')).toMatch(/^file f on ctl of app \(fops owner/);
    expect(v(s.thread, 'atomic')).toBe('true (holds spinlock lk)');
    expect(v(s.thread, 'spinlocks')).toBe('1 (lk)');
    expect(v(s.thread, 'spinlocks', 'lk')).toBe(`locked at line ${lineOf(TIMER, '    lock lk')} (atomic context until unlock)`);
    expect(v(s.thread, 'refs', '1')).toBe(`obj: kref_get at line ${lineOf(TIMER, 'get obj', 1)}`);
    expect(v(s.thread, 'files', 'f')).toMatch(/^open on ctl \(pins module blinker\)/);
    const st = lastState();
    expect(st.objects.krefs.obj).toMatchObject({ refcount: 2, freed: false });
    expect(st.objects.spinlocks.lk).toMatchObject({ holder: 'app', waiters: [] });
    expect(st.threads[0]).toMatchObject({ spinlocks: ['lk'], atomic: 'holds spinlock lk' });
    expect(st.threads[0].files[0]).toMatchObject({ name: 'f', drm: null, cdev: 'ctl', state: 'open' });

    await next(dc, 1); // arm
    await next(dc, 1); // unlock
    const after = await snapshot(dc, 1);
    expect(v(after.thread, 'atomic')).toBe('false');
    expect(v(after.thread, 'spinlocks')).toBe('0');
    expect(v(after.lifetimes, 'lk')).toBe('free');
  }, T);

  it('evaluate and conditions read the new fields', async () => {
    dc = await client();
    await launch(dc, { program: TIMER }, { breakpoints: [{ line: lineOf(TIMER, 'get obj', 0), condition: 'blink.running && obj.refcount == 1' }] });
    const tb = await threadId(dc, 'timer/blink');
    const exprs = [
      'blink.armed', 'blink.state == running', 'blink.disabled', 'obj.refcount', 'obj.freed', 'lk.holder == none', 'lk.locked',
      'armed.done', 'armed.waiters', 'ctl.files', 'ctl.deleted', 'irq0.freed', 'irq0.pending', 'timer/blink.atomic', 'app.spinlocks',
      'hw.atomic', 'clock',
    ];
    const got = Object.fromEntries(await Promise.all(exprs.map(async (e) => [e, await evaluate(dc, e)])));
    expect(got).toEqual({
      'blink.armed': 'false', 'blink.state == running': 'true', 'blink.disabled': 'false', 'obj.refcount': '1', 'obj.freed': 'false',
      'lk.holder == none': 'true', 'lk.locked': 'false', 'armed.done': 'true', 'armed.waiters': '0', 'ctl.files': '0', 'ctl.deleted': 'false',
      'irq0.freed': 'false', 'irq0.pending': 'false', 'timer/blink.atomic': 'true', 'app.spinlocks': '0', 'hw.atomic': 'false',
      'clock': '2ms (2000000 ns)',
    });
    expect((await frames(dc, tb))[0].name).toBe('timer blink');
    await expect(dc.evaluateRequest({ expression: 'blink.fired', context: 'watch' }))
      .rejects.toThrow('blink is a kernel timer; its fields are state, armed, running, disabled');
    await expect(dc.evaluateRequest({ expression: 'obj.state', context: 'watch' }))
      .rejects.toThrow('obj is a kref; its fields are refcount, releasing, freed');
  }, T);

  it('an attribute\'s readers and the unbind that drains them', async () => {
    dc = await client();
    const stop = await launch(dc, { program: ATTR_DEADLOCK });
    expect(stop).toMatchObject({ reason: 'exception' });
    expect(stop?.text).toMatch(/^deadlock: /);
    const s = await snapshot(dc, stop!.threadId!);
    const attr = Object.keys(s.lifetimes).find((n) => /inside show/.test(v(s.lifetimes, n)))!;
    expect(attr).toBeDefined();
    expect(v(s.lifetimes, attr)).toMatch(/^removed, 1 thread inside show, \S+ drains it$/);
    expect(v(s.lifetimes, attr, 'readers')).toMatch(/^1 \(\S+\)$/);
    expect(v(s.lifetimes, attr, 'draining')).toMatch(/^true \(\S+ waits in the unbind for the readers to leave\)$/);
    expect(await evaluate(dc, `${attr}.readers == 1 && ${attr}.draining && ${attr}.removed`)).toBe('true');
  }, T);

  it.skipIf(!HAVE_CONFORMANCE)('a devm kref: the devres release drops the creator\'s reference', async () => {
    const file = conformance('v2/32-kref-release-after-rmmod.lifetime');
    dc = await client();
    await launch(dc, { program: file, stopOnEntry: true });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'job.refcount' }] });
    expect(await cont(dc)).toMatchObject({ reason: 'data breakpoint', threadId: 1, text: 'job.refcount: 1 → 2' });
    let s = await snapshot(dc, 1);
    expect(v(s.lifetimes, 'job', 'refcount', '1')).toBe('the creator\'s reference (kref_init; dropped by the devres release at the unbind of gpu0)');
    expect(v(s.lifetimes, 'job', 'refcount', '2')).toBe(`importer: kref_get at line ${lineOf(file, 'get job')}`);
    expect(await cont(dc)).toMatchObject({ reason: 'data breakpoint', threadId: 2, text: 'job.refcount: 2 → 1' });
    s = await snapshot(dc, 1);
    expect(v(s.lifetimes, 'job', 'holders')).toBe('importer');
  }, T);

  it('a deleted cdev keeps its open files', async () => {
    dc = await client();
    await launch(dc, { program: UIO, stopOnEntry: true });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: `${cdevOf(UIO)}.deleted` }] });
    const stop = await cont(dc);
    expect(stop).toMatchObject({ reason: 'data breakpoint', text: `${cdevOf(UIO)}.deleted: false → true` });
    const s = await snapshot(dc, stop!.threadId!);
    expect(v(s.lifetimes, cdevOf(UIO))).toMatch(/^deleted \(cdev_del\), 1 open file$/);
  }, T);
});

/** The first cdev a sample declares. */
function cdevOf(path: string): string {
  const m = /^cdev (\w+) on/m.exec(readFileSync(path, 'utf8'));
  if (!m) throw new Error(`${path} declares no cdev`);
  return m[1];
}

describe('version 2: stepping a callback thread', () => {
  it('once its callback is done, a step says its timer is not armed', async () => {
    dc = await client();
    const stop = await launch(dc, { program: TIMER }, { breakpoints: [{ line: lineOf(TIMER, 'put obj', 0) }] });
    const tb = await threadId(dc, 'timer/blink');
    expect(stop?.threadId).toBe(tb);
    await next(dc, tb); // put obj: the callback ends
    const s = await snapshot(dc, tb);
    expect(v(s.lifetimes, 'blink')).toBe('idle');
    expect(v(s.thread, 'status')).toBe('idle');
    expect(await next(dc, tb)).toMatchObject({ reason: 'step', threadId: tb, text: 'timer/blink is idle: its timer is not armed' });
  }, T);
});

describe('version 2: the callback filter and data breakpoints', () => {
  it('is announced, off by default, and stops when a callback starts, naming it', async () => {
    dc = await client();
    const init = await dc.initializeRequest();
    const filters = init.body?.exceptionBreakpointFilters ?? [];
    expect(filters.find((f) => f.filter === 'callback')).toMatchObject({ default: false });
    await dc.stop();

    dc = await client();
    const none = await launch(dc, { program: TIMER });
    expect(none).toBeNull(); // clean run, no stop without the filter

    await dc.stop();
    dc = await client();
    const stop = await launch(dc, { program: TIMER }, { filters: ['callback'] });
    const irq = await threadId(dc, 'irq/irq0');
    expect(stop).toMatchObject({ reason: 'exception', threadId: irq, text: 'callback: handler of irq irq0 starts on irq/irq0' });
    const info = await dc.exceptionInfoRequest({ threadId: irq });
    expect(info.body).toMatchObject({ exceptionId: 'callback', breakMode: 'userUnhandled' });
    expect((await frames(dc, irq))[0]).toMatchObject({ name: 'handler of irq irq0', line: lineOf(TIMER, 'log "irq"') });
    const s2 = await cont(dc);
    const tb = await threadId(dc, 'timer/blink');
    expect(s2).toMatchObject({ reason: 'exception', threadId: tb, text: 'callback: timer blink starts on timer/blink' });
    expect((await frames(dc, tb))[0].line).toBe(lineOf(TIMER, 'get obj', 0));
    expect(await act(dc, () => dc.continueRequest({ threadId: tb }))).toBeNull();
  }, T);

  it('stops on a work item\'s start too', async () => {
    dc = await client();
    const stop = await launch(dc, { program: fixture('work.lifetime') }, { filters: ['callback'] });
    const kw = await threadId(dc, 'kworker/retire');
    expect(stop).toMatchObject({ reason: 'exception', threadId: kw, text: 'callback: work retire starts on kworker/retire' });
  }, T);

  it('on a kref\'s count and a timer\'s flag', async () => {
    dc = await client();
    await launch(dc, { program: TIMER, stopOnEntry: true });
    const sc = await scopes(dc, 1);
    const vars = (await dc.variablesRequest({ variablesReference: sc.lifetimes })).body.variables;
    const obj = vars.find((x) => x.name === 'obj')!;
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: obj.variablesReference, name: 'refcount' });
    expect(info.body).toMatchObject({ dataId: 'obj.refcount', accessTypes: ['write'] });
    const blink = vars.find((x) => x.name === 'blink')!;
    const armed = await dc.dataBreakpointInfoRequest({ variablesReference: blink.variablesReference, name: 'armed' });
    expect(armed.body.dataId).toBe('blink.armed');
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'obj.refcount' }, { dataId: 'blink.armed' }] });
    expect(set.body.breakpoints.map((b) => b.verified)).toEqual([true, true]);
    expect(await cont(dc)).toMatchObject({ reason: 'data breakpoint', threadId: 1, text: 'obj.refcount: 1 → 2' });
    expect(await cont(dc)).toMatchObject({ reason: 'data breakpoint', threadId: 1, text: 'blink.armed: false → true' });
    expect(await cont(dc)).toMatchObject({ reason: 'data breakpoint', threadId: 1, text: 'obj.refcount: 2 → 1' });
    const started = await cont(dc);
    const tb = await threadId(dc, 'timer/blink');
    expect(started).toMatchObject({ reason: 'data breakpoint', threadId: tb, text: 'blink.armed: true → false' });
    expect(await cont(dc)).toMatchObject({ reason: 'data breakpoint', threadId: tb, text: 'obj.refcount: 1 → 2' });
  }, T);
});
