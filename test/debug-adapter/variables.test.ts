// The variables view (Lifetimes and Thread scopes) after each step, with holders and
// readers; stable references; evaluate; the lifetime/state event.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildAdapter } from './build';
import {
  T, client, cont, evaluate, fixture, launch, lineOf, next, scopes, snapshot, tree, type Client, v,
} from './helpers';
import type { LifetimeStateJson } from '../../debug-adapter/debugger/model';

const HANDLER = fixture('handler.lifetime');
const ACCESS = fixture('access.lifetime');
const FENCE = fixture('fence.lifetime');

let dc: Client;
beforeAll(() => buildAdapter(), 120_000);
afterEach(async () => { await dc?.stop(); });


describe('variables', () => {
  it('show every object and what each step changes, with who holds each reference', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER, stopOnEntry: true });
    let s = await snapshot(dc, 1);
    expect(Object.keys(s.lifetimes)).toEqual(['clock', 'step', 'nova', 'gpu0', 'card0', 'bar0', 'faults']);
    expect(v(s.lifetimes, 'card0')).toBe('refcount 1');
    expect(v(s.lifetimes, 'card0', 'refcount', '1')).toMatch(/the binding of gpu0/);
    expect(v(s.lifetimes, 'nova')).toBe('live, refcount 0');
    expect(v(s.lifetimes, 'gpu0')).toBe('present, bound to nova_drm');
    expect(v(s.lifetimes, 'bar0')).toBe('live');
    expect(v(s.thread, 'files')).toBe('0');

    await next(dc, 1); // open f on card0
    s = await snapshot(dc, 1);
    expect(v(s.lifetimes, 'card0')).toBe('refcount 2');
    expect(v(s.lifetimes, 'card0', 'refcount', '2')).toMatch(/file f of app/);
    expect(v(s.lifetimes, 'nova')).toBe('live, refcount 1');
    expect(v(s.lifetimes, 'nova', 'refcount', '1')).toMatch(/file f on card0 of app \(fops owner/);
    expect(v(s.thread, 'files')).toBe('1');
    expect(v(s.thread, 'files', 'f')).toMatch(/open on card0 \(pins module nova\)/);

    await next(dc, 1); // get card0
    s = await snapshot(dc, 1);
    expect(v(s.lifetimes, 'card0')).toBe('refcount 3');
    expect(v(s.lifetimes, 'card0', 'refcount', '3')).toBe(`app: get at line ${lineOf(HANDLER, 'get card0')}`);
    expect(v(s.thread, 'refs')).toBe('1');

    await next(dc, 1); // put card0
    s = await snapshot(dc, 1);
    expect(v(s.lifetimes, 'card0')).toBe('refcount 2');
    expect(v(s.thread, 'refs')).toBe('0');

    await next(dc, 1); // close f
    s = await snapshot(dc, 1);
    expect(v(s.lifetimes, 'card0')).toBe('refcount 1');
    expect(v(s.lifetimes, 'nova')).toBe('live, refcount 0');
    expect(v(s.thread, 'files', 'f')).toMatch(/closed/);
  }, T);

  it('keep their variablesReference from stop to stop (so the client marks changes)', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER, stopOnEntry: true });
    const refsAt = async () => {
      const sc = await scopes(dc, 1);
      const vars = (await dc.variablesRequest({ variablesReference: sc.lifetimes })).body.variables;
      return { sc, objects: Object.fromEntries(vars.map((x) => [x.name, x.variablesReference])) };
    };
    const a = await refsAt();
    await next(dc, 1);
    await next(dc, 2);
    const b = await refsAt();
    expect(b).toEqual(a);
    expect(a.objects.card0).toBeGreaterThan(0);
  }, T);

  it('name RCU and SRCU readers, lock holders, and the thread\'s sections', async () => {
    dc = await client();
    await launch(dc, { program: ACCESS }, { breakpoints: [{ line: lineOf(ACCESS, 'read bar0') }, { line: lineOf(ACCESS, 'log "inside"') }] });
    let s = await snapshot(dc, 1);
    expect(v(s.lifetimes, 'bar0')).toBe('live, 1 reader');
    expect(v(s.lifetimes, 'bar0', 'readers', 'app')).toBe(`app (access at line ${lineOf(ACCESS, 'access bar0')})`);
    expect(v(s.lifetimes, 'lk')).toBe('held by app');
    expect(v(s.lifetimes, 'lk', 'holder')).toBe(`app (locked at line ${lineOf(ACCESS, 'lock lk')})`);
    expect(v(s.thread, 'rcu')).toBe('1 (bar0)');
    expect(v(s.thread, 'locks')).toBe('1 (lk)');
    expect(v(s.thread, 'sections', 'access bar0 (RCU)')).toBe(`since line ${lineOf(ACCESS, 'access bar0')}`);
    expect(await evaluate(dc, 'bar0.readers == 1 && lk.holder == app && app.rcu == 1')).toBe('true');

    await cont(dc);
    s = await snapshot(dc, 1);
    expect(v(s.lifetimes, 'bar0')).toBe('live');
    expect(v(s.lifetimes, 'card0', 'readers')).toBe('1 (app)');
    expect(v(s.lifetimes, 'card0', 'readers', 'app')).toBe(`app (enter at line ${lineOf(ACCESS, 'enter card0')})`);
    expect(v(s.thread, 'srcu')).toBe('1');
    expect(v(s.thread, 'sections')).toBe('enter card0 (SRCU)');
  }, T);

  it('the Thread scope says what a blocked thread waits for', async () => {
    dc = await client();
    await launch(dc, { program: FENCE }, { breakpoints: [{ line: lineOf(FENCE, 'sleep 3ms') }] });
    await next(dc, 1); // open
    await next(dc, 1); // submit
    await next(dc, 1); // wait job: blocks
    const s = await snapshot(dc, 1);
    expect(v(s.thread, 'status')).toBe('blocked');
    expect(v(s.thread, 'waits for')).toBe('waits for fence job');
    expect(v(s.lifetimes, 'job')).toBe('pending, completes at 2ms');
    expect(v(s.lifetimes, 'job', 'waiters')).toBe('app');
  }, T);
});

describe('evaluate', () => {
  it('answers the expressions of conditions, at each stop', async () => {
    dc = await client();
    await launch(dc, { program: FENCE, stopOnEntry: true });
    const at = async () => Object.fromEntries(await Promise.all([
      'card0.refcount == 1', 'gpu0.present', 'nova.state == gone', 'bar0.revoked', 'job.state == pending',
      'clock >= 2ms', '!gpu0.bound || nova.refcount > 0', 'card0.refcount', 'clock', 'job.state', 'nova.state != live',
    ].map(async (e) => [e, await evaluate(dc, e)])));
    expect(await at()).toEqual({
      'card0.refcount == 1': 'true', 'gpu0.present': 'true', 'nova.state == gone': 'false', 'bar0.revoked': 'false',
      'job.state == pending': 'false', 'clock >= 2ms': 'false', '!gpu0.bound || nova.refcount > 0': 'false',
      'card0.refcount': '1', 'clock': '0', 'job.state': 'idle', 'nova.state != live': 'false',
    });
    await dc.setBreakpointsRequest({ source: { path: FENCE }, breakpoints: [{ line: lineOf(FENCE, 'close f') }, { line: lineOf(FENCE, 'rmmod nova') }] });
    await cont(dc);
    expect(await at()).toMatchObject({
      'card0.refcount == 1': 'false', 'job.state == pending': 'false', 'job.state': 'signalled', 'clock >= 2ms': 'true',
      'clock': '2ms (2000000 ns)', '!gpu0.bound || nova.refcount > 0': 'true',
    });
    await cont(dc); // before rmmod: gpu0 unbound, bar0 revoked, card0 freed
    await next(dc, 2); // rmmod nova
    expect(await at()).toMatchObject({
      'nova.state == gone': 'true', 'bar0.revoked': 'true', 'gpu0.present': 'true', '!gpu0.bound || nova.refcount > 0': 'true',
      'nova.state != live': 'true', 'card0.refcount': '0',
    });
  }, T);

  it('an object evaluates to its summary and expands; errors are clear messages', async () => {
    dc = await client();
    await launch(dc, { program: FENCE, stopOnEntry: true });
    const r = await dc.evaluateRequest({ expression: 'card0', context: 'hover' });
    expect(r.body.result).toBe('refcount 1');
    expect(r.body.variablesReference).toBeGreaterThan(0);
    const t = await tree(dc, r.body.variablesReference, 0);
    expect(t.refcount).toBe('1');
    const app = await dc.evaluateRequest({ expression: 'app', context: 'repl' });
    expect(app.body.result).toBe(`ready at line ${lineOf(FENCE, 'open f on card0')}`);
    const err = async (e: string) => dc.evaluateRequest({ expression: e, context: 'repl' }).then(() => 'no error', (x: Error) => x.message);
    expect(await err('nova.state == gonee')).toBe('gonee is not a value of nova.state (live, going, gone)');
    expect(await err('card9.refcount')).toBe('unknown name card9');
    expect(await err('card0.refcount ==')).toMatch(/ends too early/);
    expect(await err('card0.refcount = 1')).toMatch(/use == to compare/);
    expect(await err('job.state > 1')).toMatch(/compares numbers or durations/);
    expect(await err('clock >= 2 parsecs')).toMatch(/unexpected/);
    expect(await err('(gpu0.present')).toMatch(/missing \)/);
    // the adapter is still there
    expect(await evaluate(dc, 'gpu0.present')).toBe('true');
  }, T);
});

describe('lifetime/state event', () => {
  it('carries objects with counts, flags and holders, the clock, positions and faults at each stop', async () => {
    dc = await client();
    await launch(dc, { program: HANDLER }, { breakpoints: [{ line: lineOf(HANDLER, 'put card0') }] });
    const st = dc.states.at(-1) as LifetimeStateJson;
    expect(st.reason).toBe('breakpoint');
    expect(st.mode).toBe('run');
    expect(st.objects.drm.card0).toMatchObject({ refcount: 3, unplugged: false, freed: false });
    expect(st.objects.drm.card0.holders.map((h) => h.kind)).toEqual(['binding', 'file', 'get']);
    expect(st.objects.modules.nova).toMatchObject({ state: 'live', refcount: 1 });
    expect(st.objects.devices.gpu0).toEqual({ present: true, bound: 'nova_drm', unbinding: null });
    expect(st.threads.map((t) => [t.id, t.name, t.status, t.line])).toEqual([
      [1, 'app', 'ready', lineOf(HANDLER, 'put card0')], [2, 'hotplug', 'blocked', lineOf(HANDLER, 'sleep 1ms')],
    ]);
    expect(st.threads[1].waitsFor).toBe('sleeping until 1ms');
    expect(st.faults).toEqual([]);
    expect(st.time_ns).toBe(0);
    // also on request
    const r = await dc.customRequest('lifetime/state');
    expect((r.body as LifetimeStateJson).objects.drm.card0.refcount).toBe(3);
  }, T);
});
