// The timeline of a scenario's lifetimes: one lane per object (module, device, drm device,
// revocable, driver data, work item, fence, mutex; version 2's cdev, attribute, kref, kernel
// timer, IRQ, spinlock, completion) and per thread (callback threads too), sampled after the steps
// that changed something. Pure and protocol-free: the debug adapter's Lifetimes view, the
// extension's webview and `lifetime run --svg` all build and draw the same model.
//
// A `Timeline` is plain JSON (it crosses the DAP custom event and the webview boundary).
// Each sample holds, for every lane, the object's state word, its count where it has one,
// who holds references to it and who is inside it (readers, waiters). Samples are kept only
// where something changed (or a fault happened), so a 10,000-step `repeat` stays small; a
// sample covers the steps `fromStep..step` and lists what happened in them.

import { formatDuration } from '../../grammar/ast';
import { assertNever } from '../../grammar/never';
import { targetRow, type TargetKey, type TargetRow } from '../../grammar/statements';
import type { KernelEvent } from '../runtime/kernel';
import { CALLBACK_THREAD, objectName, stmtObject, type CallbackKind, type CStmt, type ObjRef, type Program, type WorkInfo } from '../runtime/program';
import {
  FENCE_STATE_NAMES, MODULE_STATE_NAMES, WORK_STATE_NAMES, WorkSt,
  type Fault, type FileState, type HeldRef, type KernelState, type Loc, type ThreadState, type WaitKind,
} from '../runtime/state';
import { WAITS } from '../runtime/waits';

export type LaneKind =
  | 'module' | 'device' | 'drm' | 'cdev' | 'attr' | 'revocable' | 'data' | 'kref' | 'work' | 'timer' | 'irq' | 'fence'
  | 'mutex' | 'spinlock' | 'completion' | 'thread';

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

/** Where the states come from: run mode has a clock (fire times are shown), explore mode abstracts time away. */
export type TimelineMode = 'run' | 'explore';

/** What a sample is taken from. */
interface SampleCx { p: Program; s: KernelState; mode: TimelineMode }

/** One kind of lane: its objects (their lanes, with each one's index in the kernel state) and a sample of one. */
interface LaneSource {
  lanes(p: Program): { lane: Lane; x: number }[];
  sample(c: SampleCx, x: number): ObjectSample;
}

/** The order lanes are drawn in: objects by kind (a device's nodes under it, callbacks together), then threads. */
export const LANE_ORDER: readonly LaneKind[] = [
  'module', 'device', 'drm', 'cdev', 'attr', 'revocable', 'data', 'kref', 'work', 'timer', 'irq', 'fence',
  'mutex', 'spinlock', 'completion', 'thread',
];

const devName = (p: Program, d: number) => p.devices[d]?.name ?? '?';
const drvName = (p: Program, d: number) => p.drivers[d]?.name ?? '?';
const threadName = (s: KernelState, i: number) => s.threads[i]?.name ?? '?';

/** The callbacks of one kind with their index in Program.works (work items, timers and IRQs share that table). */
function callbacks(p: Program, kind: CallbackKind): { w: WorkInfo; x: number }[] {
  const out: { w: WorkInfo; x: number }[] = [];
  p.works.forEach((w, x) => { if (w.kind === kind) out.push({ w, x }); });
  return out;
}

/** The threads blocked in a wait of `kind` on object x, each as `name: what`. */
function waiters(s: KernelState, kind: WaitKind, x: number, what: string): string[] {
  const out: string[] = [];
  for (const t of s.threads) if (t.wait?.kind === kind && t.wait.x === x) out.push(`${t.name}: ${what}`);
  return out;
}

/** A time for a state word: run mode only (in explore mode a pending callback may start at any later point). */
function at(c: SampleCx, ns: number): string {
  return c.mode === 'run' ? ` at ${formatDuration(ns, true)}` : '';
}

const LANE_SOURCES = {
  module: {
    lanes: (p) => p.modules.map((m, x) => ({ lane: { kind: 'module', name: m.name, detail: 'module' }, x })),
    sample({ p, s }, m) {
      const ms = s.modules[m];
      const holders: string[] = [];
      for (const t of s.threads) {
        for (const f of t.files) if (f.st === 0 && f.holdsModule && fileModule(p, f) === m) holders.push(`${t.name}: file ${f.name} (fops owner)`);
      }
      holders.push(...refHolders(s, 'module', m, 'try_module_get'));
      p.drms.forEach((d, k) => {
        const drv = p.drivers[d.driver];
        if (drv && drv.module === m && drv.drmHoldsModule && !s.drms[k].freed) holders.push(`${d.name} (drm_holds_module)`);
      });
      return { state: MODULE_STATE_NAMES[ms.state] ?? String(ms.state), count: ms.refs, holders, readers: [] };
    },
  },
  device: {
    lanes: (p) => p.devices.map((d, x) => ({ lane: { kind: 'device', name: d.name, detail: d.driver >= 0 ? `device, ${drvName(p, d.driver)}` : 'device' }, x })),
    sample({ p, s }, k) {
      const ds = s.devices[k];
      let state = ds.unbinder >= 0 ? 'unbinding' : ds.bound ? 'bound' : 'unbound';
      if (!ds.present) state = ds.bound || ds.unbinder >= 0 ? `removed, ${state}` : 'removed';
      const readers = ds.unbinder >= 0 ? [`${threadName(s, ds.unbinder)}: unbinds`] : [];
      const drv = p.drivers[p.devices[k].driver];
      return { state, holders: ds.bound && drv ? [`driver ${drv.name}`] : [], readers };
    },
  },
  drm: {
    lanes: (p) => p.drms.map((d, x) => ({ lane: { kind: 'drm', name: d.name, detail: `drm on ${devName(p, d.device)}` }, x })),
    sample({ s }, k) {
      const ds = s.drms[k];
      const state = ds.freed ? 'freed' : ds.releasing ? 'releasing' : ds.unplugged ? 'unplugged' : 'live';
      const holders = [
        ...(ds.bindingRef && !ds.freed ? ['binding'] : []),
        ...fileHolders(s, (f) => f.drm === k),
        ...refHolders(s, 'drm', k, 'drm_dev_get'),
      ];
      return { state, count: ds.refs, holders, readers: guardReaders(s.threads, 'enter', k) };
    },
  },
  // version 2: a char device node and the files open on it (which outlive cdev_del)
  cdev: {
    lanes: (p) => p.cdevs.map((c, x) => ({ lane: { kind: 'cdev', name: c.name, detail: `cdev on ${devName(p, c.device)}` }, x })),
    sample: ({ s }, k) => ({ state: s.cdevs[k].deleted ? 'deleted' : 'registered', holders: fileHolders(s, (f) => f.cdev === k), readers: [] }),
  },
  // version 2: a sysfs attribute, the threads inside its show() and the unbind draining them
  attr: {
    lanes: (p) => p.attrs.map((a, x) => ({ lane: { kind: 'attr', name: a.name, detail: `attr on ${devName(p, a.device)}` }, x })),
    sample({ p, s }, k) {
      const inside = guardReaders(s.threads, 'show', k);
      const drains = s.attrs[k].removed ? waiters(s, 'attr', p.attrs[k].device, 'drains (unbind)') : [];
      const state = !s.attrs[k].removed ? 'present' : drains.length && inside.length ? 'draining' : 'removed';
      return { state, holders: [], readers: [...inside, ...drains] };
    },
  },
  revocable: {
    lanes: (p) => p.revocables.map((r, x) => ({ lane: { kind: 'revocable', name: r.name, detail: `revocable on ${devName(p, r.device)}` }, x })),
    sample: ({ s }, k) => ({ state: s.revocables[k].revoked ? 'revoked' : 'live', holders: [], readers: rcuReaders(s.threads, k) }),
  },
  data: {
    lanes: (p) => p.data.map((d, x) => {
      const detail = d.managed === 'kzalloc' ? 'kzalloc, freed by free'
        : `${d.managed} on ${d.managed === 'devm' ? devName(p, d.owner) : p.drms[d.owner]?.name ?? '?'}`;
      return { lane: { kind: 'data', name: d.name, detail }, x };
    }),
    sample: ({ s }, k) => ({ state: s.data[k].freed ? 'freed' : 'live', holders: [], readers: [] }),
  },
  // version 2: a refcounted driver object; the creator's reference is nobody's until someone puts it
  kref: {
    lanes: (p) => p.krefs.map((o, x) => ({ lane: { kind: 'kref', name: o.name, detail: `kref in ${drvName(p, o.driver)}${o.devm ? ', devm' : ''}` }, x })),
    sample({ p, s }, k) {
      const os = s.krefs[k];
      const held = refHolders(s, 'kref', k, 'kref_get');
      const initial = os.freed ? 0 : os.refs - held.length;
      const holders = initial > 0 ? [`${p.krefs[k].devm ? 'initial (devm)' : 'initial'}${initial > 1 ? ` ×${initial}` : ''}`, ...held] : held;
      return { state: os.freed ? 'freed' : os.releasing ? 'releasing' : 'live', count: os.refs, holders, readers: [] };
    },
  },
  work: {
    lanes: (p) => callbacks(p, 'work').map(({ w, x }) => ({ lane: { kind: 'work', name: w.name, detail: `work in ${drvName(p, w.driver)}` }, x })),
    sample({ s }, k) {
      const ws = s.works[k];
      const word = WORK_STATE_NAMES[ws.state] ?? String(ws.state);
      const state = ws.off ? (ws.state === WorkSt.Idle ? 'disabled' : `${word} (disabled)`) : word;
      return { state, holders: [], readers: [...waiters(s, 'flush', k, 'flush'), ...waiters(s, 'cancel', k, 'cancel')] };
    },
  },
  // version 2: a kernel timer (mod_timer, timer_delete_sync, timer_shutdown_sync)
  timer: {
    lanes: (p) => callbacks(p, 'timer').map(({ w, x }) => ({ lane: { kind: 'timer', name: w.name, detail: `timer in ${drvName(p, w.driver)}` }, x })),
    sample(c, k) {
      const ws = c.s.works[k];
      let state: string;
      switch (ws.state) {
        case WorkSt.Idle: state = ws.off ? 'shut down' : 'idle'; break;
        case WorkSt.Pending: state = `armed, fires${at(c, ws.startAt)}`; break;
        case WorkSt.Running: state = ws.off ? 'running (shut down)' : 'running'; break;
        case WorkSt.RunningPending: state = `running, re-armed${at(c, ws.startAt)}`; break;
        default: return assertNever(ws.state);
      }
      return { state, holders: [], readers: waiters(c.s, 'cancel', k, ws.off ? 'shuts down' : 'cancel') };
    },
  },
  // version 2: an interrupt line and its handler (request_irq, raise, free_irq + synchronize_irq)
  irq: {
    lanes: (p) => callbacks(p, 'irq').map(({ w, x }) => ({
      lane: { kind: 'irq', name: w.name, detail: `irq on ${devName(p, w.device)}${w.atomic ? '' : ', threaded'}${w.devm ? ', devm' : ''}` }, x,
    })),
    sample({ s }, k) {
      const ws = s.works[k];
      const freed = ws.off ? ' (freed)' : '';
      let state: string;
      switch (ws.state) {
        case WorkSt.Idle: state = ws.off ? 'freed' : 'requested'; break;
        case WorkSt.Pending: state = `raised${freed}`; break;
        case WorkSt.Running: state = `handler running${freed}`; break;
        case WorkSt.RunningPending: state = `handler running, raised again${freed}`; break;
        default: return assertNever(ws.state);
      }
      return { state, holders: [], readers: waiters(s, 'synchronize_irq', k, 'free_irq') };
    },
  },
  fence: {
    lanes: (p) => p.fences.map((f, x) => ({ lane: { kind: 'fence', name: f.name, detail: `fence on ${devName(p, f.device)}` }, x })),
    sample({ s }, k) {
      const readers: string[] = [];
      for (const t of s.threads) {
        if (t.wait && (t.wait.kind === 'fence' || t.wait.kind === 'poll') && t.wait.x === k) readers.push(`${t.name}: ${t.wait.kind === 'poll' ? 'polls' : 'waits'}`);
      }
      return { state: FENCE_STATE_NAMES[s.fences[k].state] ?? String(s.fences[k].state), holders: [], readers };
    },
  },
  mutex: {
    lanes: (p) => p.mutexes.map((m, x) => ({ lane: { kind: 'mutex', name: m.name, detail: 'mutex' }, x })),
    sample: ({ s }, k) => lockSample(s, s.mutexes[k].holder, waiters(s, 'mutex', k, 'waits')),
  },
  // version 2: spin_lock; a thread that holds it is in atomic context
  spinlock: {
    lanes: (p) => p.spinlocks.map((m, x) => ({ lane: { kind: 'spinlock', name: m.name, detail: 'spinlock' }, x })),
    sample: ({ s }, k) => lockSample(s, s.spinlocks[k].holder, waiters(s, 'spin', k, 'spins')),
  },
  // version 2: struct completion (complete_all: stays done)
  completion: {
    lanes: (p) => p.completions.map((m, x) => ({ lane: { kind: 'completion', name: m.name, detail: 'completion' }, x })),
    sample: ({ s }, k) => ({ state: s.completions[k].done ? 'done' : 'not done', holders: [], readers: waiters(s, 'completion', k, 'waits') }),
  },
  // declared threads, then the callback threads (kworker/<w>, timer/<t>, irq/<i>): the order of KernelState.threads
  thread: {
    lanes: (p) => [
      ...p.threads.map((t, x) => ({ lane: { kind: 'thread' as const, name: t.name, detail: t.description || 'thread' }, x })),
      ...p.works.map((w, j) => ({ lane: { kind: 'thread' as const, name: `${CALLBACK_THREAD[w.kind]}/${w.name}`, detail: callbackDetail(w) }, x: p.threads.length + j })),
    ],
    sample: ({ p, s }, x) => threadSample(p, s.threads[x]),
  },
} satisfies Record<LaneKind, LaneSource>;

function callbackDetail(w: WorkInfo): string {
  switch (w.kind) {
    case 'work': return `runs work ${w.name}`;
    case 'timer': return `callback of timer ${w.name}, atomic`;
    case 'irq': return `handler of irq ${w.name}, ${w.atomic ? 'hard IRQ, atomic' : 'threaded'}`;
    default: return assertNever(w.kind);
  }
}

function lockSample(s: KernelState, holder: number, readers: string[]): ObjectSample {
  return { state: holder >= 0 ? 'held' : 'free', holders: holder >= 0 ? [threadName(s, holder)] : [], readers };
}

/** The lanes of a program, with the index of each one's object in the kernel state (computed once per program). */
const laneCache = new WeakMap<Program, { kind: LaneKind; lane: Lane; x: number }[]>();
function programLanes(p: Program): { kind: LaneKind; lane: Lane; x: number }[] {
  let ls = laneCache.get(p);
  if (!ls) {
    ls = LANE_ORDER.flatMap((kind) => (LANE_SOURCES[kind] as LaneSource).lanes(p).map((e) => ({ kind, ...e })));
    laneCache.set(p, ls);
  }
  return ls;
}

/** The lanes of a program: objects in declaration order by kind (LANE_ORDER), then the threads. */
export function timelineLanes(p: Program): Lane[] {
  return programLanes(p).map((e) => ({ ...e.lane }));
}

/** One sample of every lane's object, from a kernel state. */
export function sampleObjects(p: Program, s: KernelState, mode: TimelineMode = 'run'): ObjectSample[] {
  const c: SampleCx = { p, s, mode };
  return programLanes(p).map((e) => (LANE_SOURCES[e.kind] as LaneSource).sample(c, e.x));
}

function fileHolders(s: KernelState, on: (f: FileState) => boolean): string[] {
  const h: string[] = [];
  for (const t of s.threads) for (const f of t.files) if (f.st === 0 && on(f)) h.push(`${t.name}: file ${f.name}`);
  return h;
}

function refHolders(s: KernelState, kind: HeldRef['kind'], x: number, how: string): string[] {
  const h: string[] = [];
  for (const t of s.threads) for (const r of t.refs) if (r.kind === kind && r.x === x) h.push(`${t.name}: ${how}`);
  return h;
}

/** The module whose code a file's operations are (a drm device's or a cdev's driver's). */
function fileModule(p: Program, f: FileState): number {
  const drv = p.drivers[f.cdev >= 0 ? p.cdevs[f.cdev]?.driver ?? -1 : p.drms[f.drm]?.driver ?? -1];
  return drv ? drv.module : -1;
}

function fileTarget(p: Program, f: FileState): string {
  return (f.cdev >= 0 ? p.cdevs[f.cdev]?.name : p.drms[f.drm]?.name) ?? '?';
}

function threadSample(p: Program, t: ThreadState): ObjectSample {
  let state: string;
  const readers: string[] = [];
  if (t.status === 'ready' && t.wait) {
    state = t.wait.kind === 'sleep' ? 'sleeping' : spinsIn(p, t) ? 'spinning' : 'blocked';
    readers.push(describeWait(p, t));
  } else state = t.status === 'ready' ? 'running' : t.status;
  const holders: string[] = [];
  for (const f of t.files) if (f.st === 0) holders.push(`file ${f.name} on ${fileTarget(p, f)}`);
  for (const r of t.refs) {
    switch (r.kind) {
      case 'drm': holders.push(`${p.drms[r.x]?.name ?? '?'} (get)`); break;
      case 'kref': holders.push(`${p.krefs[r.x]?.name ?? '?'} (get)`); break;
      case 'module': holders.push(`${p.modules[r.x]?.name ?? '?'} (module ref)`); break;
      default: assertNever(r.kind);
    }
  }
  for (const l of t.spinlocks) holders.push(`${p.spinlocks[l]?.name ?? '?'} (spinlock)`);
  if (t.srcu > 0) readers.push('in drm_dev_enter');
  for (const r of t.rcu) readers.push(`in access ${p.revocables[r]?.name ?? '?'}`);
  for (const f of t.frames) if (f.t === 0 && f.role === 'show') readers.push(`in show ${p.attrs[f.guard]?.name ?? '?'}`);
  return { state, holders, readers };
}

function describeWait(p: Program, t: ThreadState): string {
  const w = t.wait!;
  return WAITS[w.kind].brief(p, w);
}

function guardReaders(th: ThreadState[], role: 'enter' | 'access' | 'show', x: number): string[] {
  const r: string[] = [];
  const how = { enter: 'drm_dev_enter', access: 'access', show: 'show' }[role];
  for (const t of th) {
    if (t.frames.some((f) => f.t === 0 && f.role === role && f.guard === x)) r.push(`${t.name}: ${how}`);
  }
  return r;
}

function rcuReaders(th: ThreadState[], x: number): string[] {
  return th.filter((t) => t.rcu.includes(x)).map((t) => `${t.name}: access`);
}

// ------------------------------------------------------------------ statements (grammar/statements.ts)

/** The program's statements by position (faults and waits carry a line and a column). */
const stmtCache = new WeakMap<Program, Map<string, CStmt>>();
function stmtAt(p: Program, loc: Loc): CStmt | undefined {
  let m = stmtCache.get(p);
  if (!m) {
    m = new Map();
    for (const st of p.stmts) if (st) m.set(`${st.line}:${st.column}`, st);
    stmtCache.set(p, m);
  }
  return m.get(`${loc.line}:${loc.column}`);
}

/** The statement table's row of a lowered statement, for the kind its target resolved to. */
function stmtRow(p: Program, st: CStmt): TargetRow | undefined {
  let key: TargetKey;
  const ast = st.ast;
  if (st.kind === 'close' || st.kind === 'ioctl') key = 'file';
  else if ('target' in ast && ast.target) key = (p.names.get(ast.target.name)?.[0] ?? 'none') as TargetKey;
  else key = 'none';
  return targetRow(st.kind, key);
}

/** The object a file statement is about: the drm device or cdev its file was opened on, in the same body. */
function fileObject(p: Program, st: CStmt & { fileSlot: number }): ObjRef | null {
  const scopeOf = (x: CStmt) => p.blocks.find((b) => b.stmts.includes(x))?.scope;
  const scope = scopeOf(st);
  const open = p.stmts.find((o) => o?.kind === 'open' && o.fileSlot === st.fileSlot && scopeOf(o) === scope);
  if (!open || open.kind !== 'open') return null;
  return open.cdev >= 0 ? { kind: 'cdev', index: open.cdev } : open.drm >= 0 ? { kind: 'drm', index: open.drm } : null;
}

/**
 * The lane of the statement at `loc`, as the statement table says (`lane`): its target's
 * object, the object its file was opened on, a ptimer's revocable, or its thread's (-1).
 */
export function stmtLane(p: Program, lanes: readonly Lane[], loc: Loc): number {
  const st = stmtAt(p, loc);
  const row = st && stmtRow(p, st);
  if (!st || !row) return -1;
  let o: ObjRef | null;
  switch (row.lane) {
    // stmtObject already gives a read through a ptimer as its revocable
    case 'target':
    case 'ptimer-revocable': o = stmtObject(st); break;
    case 'file': o = 'fileSlot' in st ? fileObject(p, st) : null; break;
    case 'thread': return -1;
    default: return assertNever(row.lane);
  }
  const name = o && objectName(p, o);
  return name ? lanes.findIndex((l) => l.kind === o!.kind && l.name === name) : -1;
}

/** Whether a thread's wait spins rather than sleeps (the statement it waits in says, by its target). */
function spinsIn(p: Program, t: ThreadState): boolean {
  const st = t.wait && stmtAt(p, t.wait.loc);
  return Boolean(st && stmtRow(p, st)?.blocks === 'spins');
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
 * kernel names them: a fault through a timer names the timer's revocable); with none (a
 * fault from a stop's state carries no objects), the lane the statement table gives the
 * statement it is reported at, when the program is known; else the faulting thread's.
 */
export function faultLane(lanes: readonly Lane[], f: Pick<FaultInput, 'thread' | 'objects'> & Partial<Loc>, p?: Program): number {
  for (const o of f.objects ?? []) {
    const i = lanes.findIndex((l) => l.kind === o.kind && l.name === o.name);
    if (i >= 0) return i;
  }
  const i = p && f.line !== undefined && f.column !== undefined ? stmtLane(p, lanes, { line: f.line, column: f.column }) : -1;
  if (i >= 0) return i;
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
    /** the program, when known: a fault that names no object is drawn on its statement's lane */
    readonly program?: Program,
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
        step: f.step ?? x.step, lane: faultLane(this.lanes, f, this.program),
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
  constructor(readonly p: Program, file?: string, readonly mode: TimelineMode = 'run') {
    super(p.scenario, timelineLanes(p), file, p);
  }

  add(s: KernelState, events: readonly Action[] = []): void {
    this.addState({ step: s.steps, time_ns: s.clock, objects: sampleObjects(this.p, s, this.mode), faults: s.faults, ended: s.ended }, events);
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
