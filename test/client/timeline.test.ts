import { describe, expect, it } from 'vitest';
import type { FaultKind } from '../../grammar/ast';
import { Kernel } from '../../debug-adapter/runtime/kernel';
import { runOne } from '../../debug-adapter/runtime/schedule';
import {
  faultLane, recordRun, sampleIndexAt, timelineLanes, TimelineBuilder, TimelineRecorder,
  type Lane, type ObjectSample, type Timeline,
} from '../../debug-adapter/timeline';
import { CLEAN, DEADLOCK, program } from './helpers';

const lane = (tl: Timeline, name: string) => tl.lanes.findIndex((l) => l.name === name);
/** The distinct "count state" values a lane goes through, in order. */
function history(tl: Timeline, name: string): string[] {
  const i = lane(tl, name);
  const out: string[] = [];
  for (const s of tl.samples) {
    const o = s.objects[i];
    const v = `${o.count ?? ''} ${o.state}`.trim();
    if (out[out.length - 1] !== v) out.push(v);
  }
  return out;
}

describe('timeline lanes', () => {
  it('one lane per object, by kind, then the threads and kworkers', () => {
    const p = program(CLEAN);
    expect(timelineLanes(p).map((l) => `${l.kind}:${l.name}`)).toEqual([
      'module:nova', 'device:gpu0', 'drm:card0', 'revocable:bar0', 'data:regs', 'data:ctx', 'thread:app', 'thread:admin',
    ]);
    expect(timelineLanes(p).find((l) => l.name === 'ctx')?.detail).toBe('drmm on card0');
  });
});

describe('recordRun: the default schedule, one sample per change', () => {
  const tl = recordRun(program(CLEAN), { file: 'clean.lifetime' });

  it('follows each object through its lifetime', () => {
    expect(history(tl, 'card0')).toEqual(['1 live', '2 live', '1 unplugged', '0 freed']);
    expect(history(tl, 'nova')).toEqual(['0 live', '1 live', '0 live', '0 gone']);
    expect(history(tl, 'gpu0')).toEqual(['bound', 'unbound']);
    expect(history(tl, 'bar0')).toEqual(['live', 'revoked']);
    expect(history(tl, 'regs')).toEqual(['live', 'freed']);
    expect(history(tl, 'ctx')).toEqual(['live', 'freed']);
    expect(tl.faults).toEqual([]);
    expect(tl.ended).toBe(true);
    expect(tl.current).toBeUndefined();
  });

  it('names who holds each reference', () => {
    const i = lane(tl, 'card0');
    const held = tl.samples.map((s) => s.objects[i].holders.join(', '));
    expect(held).toContain('binding, app: file f');
    expect(held).toContain('app: file f');
    const m = lane(tl, 'nova');
    expect(tl.samples.some((s) => s.objects[m].holders.includes('app: file f (fops owner)'))).toBe(true);
  });

  it('samples cover consecutive steps, in order, with the clock', () => {
    let next = 0;
    for (const s of tl.samples) {
      expect(s.fromStep).toBe(next);
      expect(s.step).toBeGreaterThanOrEqual(s.fromStep);
      next = s.step + 1;
    }
    expect(tl.samples[tl.samples.length - 1].time_ns).toBe(3_000_000);
    expect(tl.samples.flatMap((s) => s.actions).some((a) => a.kind === 'rmmod')).toBe(true);
  });

  it('marks a fault on the lane of what it is about, at its step', () => {
    const d = recordRun(program(DEADLOCK));
    expect(d.faults).toHaveLength(1);
    const f = d.faults[0];
    expect(f.kind).toBe('deadlock');
    expect(d.lanes[f.lane].name).toBe('job');
    expect(sampleIndexAt(d, f.step)).toBe(d.samples.length - 1);
    expect(history(d, 'app')).toEqual(['running', 'blocked']);
  });

  it('replays a witness with explore semantics', () => {
    const p = program(DEADLOCK);
    const d = recordRun(p, { schedule: ['hotplug', 'app', 'app', 'app', 'app', 'app', 'hotplug', 'hotplug'] });
    expect(d.faults.map((f) => f.kind)).toEqual(['deadlock']);
  });

  it('stays small on long runs', () => {
    const p = program(`module m
device d
driver dr in m binds d
drm c on d
thread t { repeat 5000 { get c put c } }
expect clean`);
    const big = recordRun(p);
    // 10,000 steps, but only the count going 1→2→1 changes: columns alternate, the rest merge
    expect(big.samples[big.samples.length - 1].step).toBeGreaterThanOrEqual(10_000);
    expect(JSON.stringify(big).length).toBeLessThan(20_000_000);
  });
});

describe('fault lanes', () => {
  it('code after unload goes on the module, an unbind fault on what it touched', () => {
    const lanes: Lane[] = [
      { kind: 'module', name: 'nova', detail: '' }, { kind: 'drm', name: 'card0', detail: '' }, { kind: 'thread', name: 'app', detail: '' },
    ];
    // the objects the kernel names, first first; none: the thread's lane
    expect(faultLane(lanes, { thread: 'app', objects: [{ kind: 'module', name: 'nova' }, { kind: 'drm', name: 'card0' }] })).toBe(0);
    expect(faultLane(lanes, { thread: 'app', objects: [{ kind: 'work', name: 'none' }, { kind: 'drm', name: 'card0' }] })).toBe(1);
    expect(faultLane(lanes, { thread: 'app', objects: [] })).toBe(2);
    const p = program(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
thread helper { get card0 put card0 put card0 }
thread admin { sleep 1ms unbind gpu0 }
expect use-after-free`);
    const tl = recordRun(p);
    expect(tl.faults.map((f) => [f.kind, tl.lanes[f.lane].name])).toContainEqual(['use-after-free', 'card0']);
  });
});

describe('TimelineBuilder: the debugger goes back and forth', () => {
  const o = (state: string, count?: number): ObjectSample[] => [{ state, count, holders: [], readers: [] }];
  const lanes: Lane[] = [{ kind: 'drm', name: 'card0', detail: '' }];
  const add = (b: TimelineBuilder, step: number, state: string, count: number, faults: { step?: number; kind: FaultKind }[] = []) =>
    b.addState({ step, time_ns: 0, objects: o(state, count), faults: faults.map((f) => ({ thread: 't', line: 1, column: 1, time_ns: 0, message: 'card0', objects: [{ kind: 'drm' as const, name: 'card0' }], ...f })), ended: false });

  it('a step back to a known state only moves the current step: the future stays', () => {
    const b = new TimelineBuilder('s', lanes);
    add(b, 0, 'live', 1);
    add(b, 1, 'live', 2);
    add(b, 2, 'unplugged', 2);
    add(b, 1, 'live', 2);
    const tl = b.timeline();
    expect(tl.current).toBe(1);
    expect(tl.samples.map((s) => s.objects[0].state + s.objects[0].count)).toEqual(['live1', 'live2', 'unplugged2']);
  });

  it('a different step after a step back cuts the old future off', () => {
    const b = new TimelineBuilder('s', lanes);
    add(b, 0, 'live', 1);
    add(b, 1, 'live', 2);
    add(b, 2, 'unplugged', 2, [{ kind: 'deadlock', step: 2 }]);
    add(b, 1, 'live', 2);
    add(b, 2, 'live', 3);
    const tl = b.timeline();
    expect(tl.samples.map((s) => s.objects[0].count)).toEqual([1, 2, 3]);
    expect(tl.faults).toEqual([]);
    expect(tl.current).toBe(2);
  });

  it('unchanged steps widen one sample; faults without a step get the stop\'s', () => {
    const b = new TimelineBuilder('s', lanes);
    add(b, 0, 'live', 1);
    add(b, 1, 'live', 2);
    add(b, 2, 'live', 2);
    add(b, 3, 'live', 2);
    add(b, 4, 'freed', 0, [{ kind: 'use-after-free' }]);
    const tl = b.timeline();
    expect(tl.samples.map((s) => [s.fromStep, s.step])).toEqual([[0, 0], [1, 3], [4, 4]]);
    expect(tl.faults[0]).toMatchObject({ kind: 'use-after-free', step: 4, lane: 0 });
    expect(sampleIndexAt(tl, 2)).toBe(1);
    expect(sampleIndexAt(tl, 99)).toBe(2);
  });

  it('the recorder fed step by step equals recordRun', () => {
    const p = program(CLEAN);
    const k = new Kernel(p, { mode: 'run', maxEvents: 0 });
    const rec = new TimelineRecorder(p);
    rec.add(k.s);
    while (runOne(k)) rec.add(k.s);
    rec.add(k.s);
    const a = rec.timeline();
    const b = recordRun(p);
    expect(a.samples.map((s) => [s.fromStep, s.step, s.objects])).toEqual(b.samples.map((s) => [s.fromStep, s.step, s.objects]));
  });
});
