// The inline adapter the extension runs (client/inlineAdapter.ts), driven in-process through
// the vscode.DebugAdapter interface (handleMessage / onDidSendMessage) as
// DebugAdapterInlineImplementation does: each `lifetime/state` event carries the whole
// timeline, and it follows stepping, step back and a different step after it. The same
// events then go through SessionTimeline, the Lifetimes view's model.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, describe, expect, it } from 'vitest';
import { InlineLifetimeSession } from '../../client/inlineAdapter';
import { SessionTimeline, stateObjects, type StateEventBody } from '../../client/logic/stateTimeline';
import type { Timeline } from '../../debug-adapter/timeline/model';
import { DEADLOCK } from './helpers';

class Driver {
  readonly session = new InlineLifetimeSession();
  private seq = 1;
  private waiting = new Map<number, (r: DebugProtocol.Response) => void>();
  readonly events: DebugProtocol.Event[] = [];
  private eventWaiters: { name: string; resolve: (e: DebugProtocol.Event) => void }[] = [];

  constructor() {
    this.session.onDidSendMessage((m) => {
      const msg = m as DebugProtocol.ProtocolMessage;
      if (msg.type === 'response') {
        const r = msg as DebugProtocol.Response;
        this.waiting.get(r.request_seq)?.(r);
      } else if (msg.type === 'event') {
        const e = msg as DebugProtocol.Event;
        this.events.push(e);
        const i = this.eventWaiters.findIndex((w) => w.name === e.event);
        if (i >= 0) this.eventWaiters.splice(i, 1)[0].resolve(e);
      }
    });
  }

  request(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    const p = new Promise<DebugProtocol.Response>((resolve) => this.waiting.set(seq, resolve));
    this.session.handleMessage({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    return p;
  }

  next(name: string): Promise<DebugProtocol.Event> {
    return new Promise((resolve) => this.eventWaiters.push({ name, resolve }));
  }

  async state(command: string, args?: unknown): Promise<StateEventBody> {
    const e = this.next('lifetime/state');
    const r = await this.request(command, args);
    expect(r.success, r.message).toBe(true);
    return (await e).body as StateEventBody;
  }
}

let drivers: Driver[] = [];
afterEach(async () => {
  for (const d of drivers) await d.request('disconnect', {}).catch(() => {});
  drivers = [];
});

async function start(text = DEADLOCK): Promise<{ d: Driver; first: StateEventBody }> {
  const dir = mkdtempSync(join(tmpdir(), 'lifetime-client-'));
  const program = join(dir, 'deadlock.lifetime');
  writeFileSync(program, text);
  const d = new Driver();
  drivers.push(d);
  const init = d.next('initialized');
  await d.request('initialize', { adapterID: 'lifetime', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  await init;
  const first = d.next('lifetime/state');
  await Promise.all([d.request('configurationDone'), d.request('launch', { program, stopOnEntry: true })]);
  return { d, first: (await first).body as StateEventBody };
}

const card0 = (tl: Timeline) => {
  const i = tl.lanes.findIndex((l) => l.name === 'card0');
  return tl.samples.map((s) => s.objects[i].count);
};

describe('the inline adapter sends the whole timeline with each stop', () => {
  it('follows steps, step back, and another step after it', async () => {
    const { d, first } = await start();
    expect(first.reason).toBe('entry');
    expect(first.timeline?.samples).toHaveLength(1);
    expect(first.timeline?.current).toBe(0);

    // the app opens card0: 1 → 2
    let s = await d.state('stepIn', { threadId: 1 });
    expect(s.step).toBe(1);
    expect(card0(s.timeline!)).toEqual([1, 2]);
    s = await d.state('stepIn', { threadId: 1 });
    s = await d.state('stepIn', { threadId: 1 });
    const forward = s.timeline!;
    expect(forward.current).toBe(s.step);

    // step back: the current stop moves back, what came after stays on the timeline
    const back = await d.state('stepBack', { threadId: 1 });
    expect(back.step).toBeLessThan(s.step!);
    expect(back.timeline!.current).toBe(back.step);
    expect(back.timeline!.samples.length).toBe(forward.samples.length);

    // continue to the end: the deadlock is on the timeline, on the fence's lane
    const e = d.next('terminated');
    const stop = d.next('lifetime/state');
    await d.request('continue', { threadId: 1 });
    const end = (await stop).body as StateEventBody;
    const tl = end.timeline!;
    expect(tl.faults.map((f) => f.kind)).toEqual(['deadlock']);
    expect(tl.lanes[tl.faults[0].lane].name).toBe('job');
    void e;
  });

  it('the Lifetimes view model uses that timeline, or builds one from the stops without it', async () => {
    const { d, first } = await start();
    const full = new SessionTimeline('deadlock');
    const stops = new SessionTimeline('deadlock');
    const feed = (b: StateEventBody) => {
      full.update(b);
      const { timeline: _t, ...rest } = b;
      stops.update(rest);
    };
    feed(first);
    feed(await d.state('stepIn', { threadId: 1 }));
    feed(await d.state('stepIn', { threadId: 1 }));
    feed(await d.state('stepBack', { threadId: 1 }));
    const a = full.timeline()!;
    const b = stops.timeline()!;
    expect(a.current).toBe(full.last?.step);
    expect(b.current).toBe(a.current);
    expect(a.current).toBeGreaterThan(0);
    // every stop here is one step: both show the same counts
    expect(card0(b)).toEqual(card0(a).slice(0, card0(b).length));
    expect(b.lanes.map((l) => l.name)).toEqual(expect.arrayContaining(['nova', 'gpu0', 'card0', 'job', 'app', 'hotplug']));
    const objs = stateObjects(first);
    expect(objs.find((x) => x.lane.name === 'card0')?.obj).toEqual({ state: 'live', count: 1, holders: ['binding'], readers: [] });
    expect(objs.find((x) => x.lane.name === 'app')?.obj.state).toBe('running');
  });

  it('builds version-2 lanes from the stops: timers and irqs on their own lanes, not as work items', async () => {
    const { d } = await start(readFileSync(join(__dirname, '../debug-adapter/fixtures/timer.lifetime'), 'utf8'));
    // app steps into its ioctl: open, ioctl, get obj, lock lk; it holds the spinlock and a cdev file
    let b: StateEventBody = {};
    for (let k = 0; k < 4; k++) b = await d.state('stepIn', { threadId: 1 });
    const objs = stateObjects(b);
    const lane = (name: string) => objs.find((x) => x.lane.name === name);
    expect(lane('blink')?.lane.kind).toBe('timer');
    expect(lane('irq0')?.lane.kind).toBe('irq');
    expect(objs.filter((x) => x.lane.kind === 'work')).toEqual([]);
    expect(lane('obj')?.obj).toMatchObject({ state: 'live', count: 2, holders: ['initial (kref_init)', 'app: kref_get'] });
    expect(lane('lk')?.obj).toMatchObject({ state: 'held', holders: ['app'] });
    expect(lane('ctl')?.obj).toMatchObject({ state: 'registered', holders: ['app: file f'] });
    expect(lane('armed')?.obj.state).toBe('not done');
    expect(lane('app')?.obj.holders).toEqual(expect.arrayContaining(['file f on ctl', 'spinlock lk']));
  });
});
