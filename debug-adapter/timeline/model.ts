// The timeline of a scenario's lifetimes: one lane per object (module, device, drm device,
// revocable, driver data, work item, fence, mutex) and per thread, sampled after the steps
// that changed something. Pure and protocol-free: the debug adapter's Lifetimes view, the
// extension's webview and `lifetime run --svg` all build and draw the same model.
//
// A `Timeline` is plain JSON (it crosses the DAP custom event and the webview boundary).
// Each sample holds, for every lane, the object's state word, its count where it has one,
// who holds references to it and who is inside it (readers, waiters). Samples are kept only
// where something changed (or a fault happened), so a 10,000-step `repeat` stays small; a
// sample covers the steps `fromStep..step` and lists what happened in them.

import type { KernelEvent } from '../runtime/kernel';
import type { Program } from '../runtime/program';
import type { Fault, KernelState, ThreadState } from '../runtime/state';
import { WAITS } from '../runtime/waits';

export type LaneKind = 'module' | 'device' | 'drm' | 'revocable' | 'data' | 'work' | 'fence' | 'mutex' | 'thread';

export interface Lane {
  kind: LaneKind;
  name: string;
  /** a short description: `on gpu0`, `devm on gpu0`, `in nova`, the thread's description */
  detail: string;
}

export interface ObjectSample {
  /** a state word: live, going, gone, bound, unplugged, freed, revoked, pending, blocked… */
  state: string;
  /** the reference count, for modules and drm devices */
  count?: number;
  /** who holds a reference: `binding`, `app: file f`, `app: get`, `card0` (a drm holding its module) */
  holders: string[];
  /** who is inside or waiting: SRCU/RCU readers, threads waiting on a fence, what a thread waits for */
  readers: string[];
}

/** One thing that happened: a kernel event as the runtime records it, or (`event`) a line of the debug console. */
export type Action = Omit<KernelEvent, 'kind'> & { kind: KernelEvent['kind'] | 'event' };

export interface Sample {
  /** the first step this sample covers (after the previous sample) */
  fromStep: number;
  /** the state after this step */
  step: number;
  time_ns: number;
  /** parallel to `Timeline.lanes` */
  objects: ObjectSample[];
  /** what happened in steps fromStep..step (at most MAX_ACTIONS, `more` counts the rest) */
  actions: Action[];
  more?: number;
}

/** A fault on the timeline: the kernel's fault, with the lane it is drawn on. */
export type TimelineFault = Pick<Fault, 'kind' | 'thread' | 'line' | 'column' | 'time_ns' | 'step' | 'message'> & {
  /** the lane of the first object it concerns that has one, else its thread's; -1: none */
  lane: number;
};

export interface Timeline {
  version: 1;
  scenario: string;
  file?: string;
  lanes: Lane[];
  samples: Sample[];
  faults: TimelineFault[];
  /** the run has ended (no more samples will come) */
  ended: boolean;
  /** the step the debugger stands at, when drawn for a debug session */
  current?: number;
}

export const MAX_ACTIONS = 12;

const MODULE_STATES = ['live', 'going', 'gone'];
const FENCE_STATES = ['idle', 'pending', 'signalled', 'error'];
const WORK_STATES = ['idle', 'pending', 'running'];

/** The lanes of a program: objects in declaration order by kind, then the threads. */
export function timelineLanes(p: Program): Lane[] {
  const lanes: Lane[] = [];
  const devName = (d: number) => p.devices[d]?.name ?? '?';
  for (const m of p.modules) lanes.push({ kind: 'module', name: m.name, detail: 'module' });
  p.devices.forEach((d) => {
    const drv = p.drivers[d.driver];
    lanes.push({ kind: 'device', name: d.name, detail: drv ? `device, ${drv.name}` : 'device' });
  });
  for (const d of p.drms) lanes.push({ kind: 'drm', name: d.name, detail: `drm on ${devName(d.device)}` });
  for (const r of p.revocables) lanes.push({ kind: 'revocable', name: r.name, detail: `revocable on ${devName(r.device)}` });
  for (const d of p.data) {
    const owner = d.managed === 'devm' ? devName(d.owner) : p.drms[d.owner]?.name ?? '?';
    lanes.push({ kind: 'data', name: d.name, detail: `${d.managed} on ${owner}` });
  }
  for (const w of p.works) lanes.push({ kind: 'work', name: w.name, detail: `work in ${p.drivers[w.driver]?.name ?? '?'}` });
  for (const f of p.fences) lanes.push({ kind: 'fence', name: f.name, detail: `fence on ${devName(f.device)}` });
  for (const m of p.mutexes) lanes.push({ kind: 'mutex', name: m.name, detail: 'mutex' });
  for (const t of p.threads) lanes.push({ kind: 'thread', name: t.name, detail: t.description || 'thread' });
  for (const w of p.works) lanes.push({ kind: 'thread', name: `kworker/${w.name}`, detail: `runs work ${w.name}` });
  return lanes;
}

/** One sample of every lane's object, from a kernel state. */
export function sampleObjects(p: Program, s: KernelState): ObjectSample[] {
  const out: ObjectSample[] = [];
  const th = s.threads;
  const fileHolders = (drm: number): string[] => {
    const h: string[] = [];
    for (const t of th) for (const f of t.files) if (f.st === 0 && f.drm === drm) h.push(`${t.name}: file ${f.name}`);
    return h;
  };
  const refHolders = (kind: 'drm' | 'module', x: number, how: string): string[] => {
    const h: string[] = [];
    for (const t of th) for (const r of t.refs) if (r.kind === kind && r.x === x) h.push(`${t.name}: ${how}`);
    return h;
  };

  // modules
  p.modules.forEach((_, m) => {
    const ms = s.modules[m];
    const holders: string[] = [];
    for (const t of th) {
      for (const f of t.files) {
        if (f.st === 0 && f.holdsModule && moduleOfDrm(p, f.drm) === m) holders.push(`${t.name}: file ${f.name} (fops owner)`);
      }
    }
    holders.push(...refHolders('module', m, 'try_module_get'));
    p.drms.forEach((d, k) => {
      const drv = p.drivers[d.driver];
      if (drv && drv.module === m && drv.drmHoldsModule && !s.drms[k].freed) holders.push(`${d.name} (drm_holds_module)`);
    });
    out.push({ state: MODULE_STATES[ms.state] ?? String(ms.state), count: ms.refs, holders, readers: [] });
  });

  // devices
  p.devices.forEach((d, k) => {
    const ds = s.devices[k];
    let state = ds.unbinder >= 0 ? 'unbinding' : ds.bound ? 'bound' : 'unbound';
    if (!ds.present) state = ds.bound || ds.unbinder >= 0 ? `removed, ${state}` : 'removed';
    const readers = ds.unbinder >= 0 ? [`${th[ds.unbinder]?.name ?? '?'}: unbinds`] : [];
    const drv = p.drivers[d.driver];
    out.push({ state, holders: ds.bound && drv ? [`driver ${drv.name}`] : [], readers });
  });

  // drm devices
  p.drms.forEach((_, k) => {
    const ds = s.drms[k];
    const state = ds.freed ? 'freed' : ds.releasing ? 'releasing' : ds.unplugged ? 'unplugged' : 'live';
    const holders = [
      ...(ds.bindingRef && !ds.freed ? ['binding'] : []),
      ...fileHolders(k),
      ...refHolders('drm', k, 'drm_dev_get'),
    ];
    out.push({ state, count: ds.refs, holders, readers: guardReaders(th, 'enter', k) });
  });

  // revocables
  p.revocables.forEach((_, k) => {
    out.push({ state: s.revocables[k].revoked ? 'revoked' : 'live', holders: [], readers: rcuReaders(th, k) });
  });

  // driver data
  p.data.forEach((_, k) => out.push({ state: s.data[k].freed ? 'freed' : 'live', holders: [], readers: [] }));

  // work items
  p.works.forEach((_, k) => {
    const ws = s.works[k];
    const state = WORK_STATES[ws.state] ?? String(ws.state);
    const readers: string[] = [];
    for (const t of th) {
      if (t.wait && (t.wait.kind === 'flush' || t.wait.kind === 'cancel') && t.wait.x === k) readers.push(`${t.name}: ${t.wait.kind}`);
    }
    out.push({ state, holders: [], readers });
  });

  // fences
  p.fences.forEach((_, k) => {
    const fs = s.fences[k];
    const readers: string[] = [];
    for (const t of th) {
      if (t.wait && (t.wait.kind === 'fence' || t.wait.kind === 'poll') && t.wait.x === k) {
        readers.push(`${t.name}: ${t.wait.kind === 'poll' ? 'polls' : 'waits'}`);
      }
    }
    out.push({ state: FENCE_STATES[fs.state] ?? String(fs.state), holders: [], readers });
  });

  // mutexes
  p.mutexes.forEach((_, k) => {
    const ms = s.mutexes[k];
    const holder = ms.holder >= 0 ? th[ms.holder]?.name ?? '?' : null;
    const readers: string[] = [];
    for (const t of th) if (t.wait?.kind === 'mutex' && t.wait.x === k) readers.push(`${t.name}: waits`);
    out.push({ state: holder ? 'held' : 'free', holders: holder ? [holder] : [], readers });
  });

  // threads (declared, then kworkers: the order of KernelState.threads)
  th.forEach((t) => out.push(threadSample(p, t)));
  return out;
}

function threadSample(p: Program, t: ThreadState): ObjectSample {
  let state: string;
  const readers: string[] = [];
  if (t.status === 'ready' && t.wait) {
    state = t.wait.kind === 'sleep' ? 'sleeping' : t.wait.kind === 'poll' ? 'spinning' : 'blocked';
    readers.push(describeWait(p, t));
  } else state = t.status === 'ready' ? 'running' : t.status;
  const holders: string[] = [];
  for (const f of t.files) if (f.st === 0) holders.push(`file ${f.name} on ${p.drms[f.drm]?.name ?? '?'}`);
  for (const r of t.refs) holders.push(r.kind === 'drm' ? `${p.drms[r.x]?.name ?? '?'} (get)` : `${p.modules[r.x]?.name ?? '?'} (module ref)`);
  if (t.srcu > 0) readers.push('in drm_dev_enter');
  for (const r of t.rcu) readers.push(`in access ${p.revocables[r]?.name ?? '?'}`);
  return { state, holders, readers };
}

function describeWait(p: Program, t: ThreadState): string {
  const w = t.wait!;
  return WAITS[w.kind].brief(p, w);
}

function moduleOfDrm(p: Program, drm: number): number {
  const d = p.drms[drm];
  const drv = d ? p.drivers[d.driver] : undefined;
  return drv ? drv.module : -1;
}

function guardReaders(th: ThreadState[], role: 'enter' | 'access', x: number): string[] {
  const r: string[] = [];
  for (const t of th) {
    if (t.frames.some((f) => f.t === 0 && f.role === role && f.guard === x)) r.push(`${t.name}: ${role === 'enter' ? 'drm_dev_enter' : 'access'}`);
  }
  return r;
}

function rcuReaders(th: ThreadState[], x: number): string[] {
  return th.filter((t) => t.rcu.includes(x)).map((t) => `${t.name}: access`);
}

export function sameObjects(a: readonly ObjectSample[], b: readonly ObjectSample[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.state !== y.state || x.count !== y.count || !sameList(x.holders, y.holders) || !sameList(x.readers, y.readers)) return false;
  }
  return true;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * The lane a fault is drawn on: that of the first object it concerns that has a lane (the
 * kernel names them: a fault through a timer names the timer's revocable), else the
 * faulting thread's.
 */
export function faultLane(lanes: readonly Lane[], f: Pick<FaultInput, 'thread' | 'objects'>): number {
  for (const o of f.objects ?? []) {
    const i = lanes.findIndex((l) => l.kind === o.kind && l.name === o.name);
    if (i >= 0) return i;
  }
  return lanes.findIndex((l) => l.kind === 'thread' && l.name === f.thread);
}


/** A fault as it comes in: from the kernel (with its step) or from a stop's state (without). */
export type FaultInput = Pick<Fault, 'kind' | 'thread' | 'line' | 'column' | 'time_ns' | 'message'> &
  Partial<Pick<Fault, 'step' | 'objects'>>;

/** One state to add to a timeline: what every lane looks like after `step`. */
export interface StateInput {
  step: number;
  time_ns: number;
  /** parallel to the builder's lanes (missing entries: the object is not shown yet) */
  objects: ObjectSample[];
  /** every fault so far */
  faults: readonly FaultInput[];
  ended: boolean;
}

/**
 * Builds a timeline from states as they come: call `addState` with the state after each
 * step (or each debugger stop) and the events of the steps since the previous call.
 * - A state equal to the one already on the timeline at its step (a step back, or forward
 *   again the same way) only moves `current`: the later samples stay, drawn as the future.
 * - A different state at a step already recorded (a step back, then another step) cuts the
 *   samples after it off first: the timeline shows one history, the current one.
 * - Consecutive states that look the same are one sample covering several steps.
 */
export class TimelineBuilder {
  readonly lanes: Lane[];
  protected samples: Sample[] = [];
  protected faults: TimelineFault[] = [];
  protected ended = false;
  /** The step of the last state added (the debugger's current stop). */
  current = 0;

  constructor(
    readonly scenario: string,
    lanes: Lane[],
    readonly file?: string,
    
  ) {
    this.lanes = lanes.slice();
  }

  /** Adds a lane (a kworker that started, say) unless one of that kind and name exists; returns its index. */
  ensureLane(l: Lane): number {
    const i = this.lanes.findIndex((x) => x.kind === l.kind && x.name === l.name);
    if (i >= 0) return i;
    this.lanes.push(l);
    return this.lanes.length - 1;
  }

  addState(x: StateInput, events: readonly Action[] = []): void {
    const { objects } = x;
    this.current = x.step;
    const at = sampleIndexAt({ samples: this.samples }, x.step);
    const here = at >= 0 ? this.samples[at] : undefined;
    const known = this.faults.filter((g) => g.step <= x.step);
    if (here && here.step >= x.step && sameObjects(here.objects, objects) && sameFaultSet(known, x.faults)) {
      // A state already on the timeline.
      if (here.step === x.step) appendActions(here, events.filter((e) => !here.actions.some((a) => sameAction(a, e))));
      this.ended = x.ended || (this.ended && at < this.samples.length - 1);
      return;
    }
    // Another history from here on: drop what lies after this step.
    if (here && here.step >= x.step) {
      this.samples.length = at + 1;
      if (here.fromStep < x.step) here.step = x.step - 1;
      else this.samples.pop();
    } else this.samples.length = at + 1;
    const last = this.samples[this.samples.length - 1];
    this.faults = known.filter((g) => x.faults.some((f) => sameFault(g, f)));
    const newFaults = x.faults.filter((f) => !this.faults.some((g) => sameFault(g, f)));
    for (const f of newFaults) {
      this.faults.push({
        kind: f.kind, thread: f.thread, line: f.line, column: f.column, time_ns: f.time_ns, message: f.message,
        step: f.step ?? x.step, lane: faultLane(this.lanes, f),
      });
    }
    this.ended = x.ended;
    const actions = events.filter((e) => !last || e.step > last.step);
    if (last && sameObjects(last.objects, objects) && newFaults.length === 0 && last.time_ns === x.time_ns) {
      // nothing visible changed: widen the last sample over this step
      last.step = x.step;
      appendActions(last, actions);
      return;
    }
    const sample: Sample = { fromStep: last ? last.step + 1 : x.step, step: x.step, time_ns: x.time_ns, objects: objects.slice(), actions: [] };
    appendActions(sample, actions);
    this.samples.push(sample);
  }

  timeline(current: number | undefined = this.current): Timeline {
    return {
      version: 1,
      scenario: this.scenario,
      file: this.file,
      lanes: this.lanes.slice(),
      samples: this.samples.map((x) => ({ ...x, actions: x.actions.slice() })),
      faults: this.faults.slice(),
      ended: this.ended,
      current,
    };
  }
}

/** A TimelineBuilder fed with kernel states (the CLI's whole-run recording, a debugger's history). */
export class TimelineRecorder extends TimelineBuilder {
  constructor(readonly p: Program, file?: string) {
    super(p.scenario, timelineLanes(p), file);
  }

  add(s: KernelState, events: readonly Action[] = []): void {
    this.addState({ step: s.steps, time_ns: s.clock, objects: sampleObjects(this.p, s), faults: s.faults, ended: s.ended }, events);
  }
}

function sameFault(a: { kind: string; thread: string; line: number; column: number }, b: { kind: string; thread: string; line: number; column: number }): boolean {
  return a.kind === b.kind && a.thread === b.thread && a.line === b.line && a.column === b.column;
}

function sameFaultSet(a: readonly TimelineFault[], b: readonly FaultInput[]): boolean {
  return a.length === b.length && b.every((f) => a.some((g) => sameFault(g, f)));
}

function sameAction(a: Action, b: Action): boolean {
  return a.step === b.step && a.thread === b.thread && a.kind === b.kind && a.text === b.text;
}

function appendActions(s: Sample, actions: readonly Action[]): void {
  for (const a of actions) {
    if (s.actions.length < MAX_ACTIONS) s.actions.push({ step: a.step, time_ns: a.time_ns, thread: a.thread, line: a.line, kind: a.kind, text: a.text });
    else s.more = (s.more ?? 0) + 1;
  }
}

/** The index of the sample that shows the state at `step` (the last one starting at or before it), -1: none. */
export function sampleIndexAt(tl: Pick<Timeline, 'samples'>, step: number): number {
  let best = -1;
  for (let i = 0; i < tl.samples.length; i++) {
    if (tl.samples[i].fromStep <= step) best = i;
    else break;
  }
  return best;
}
