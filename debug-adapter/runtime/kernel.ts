// The simulated kernel: executes one step of one thread at a time (language.md §4, §8).
//
// A step runs exactly one source statement of the thread (or completes the one it blocked
// in, or starts a kworker), then everything that has no source and follows from it — the
// devres release, frees, module puts, leaving finished blocks — until the thread is at its
// next source statement, blocks, ends or oopses. Who steps when is decided outside: by the
// run scheduler (schedule.ts), the debugger, or the explorer. The kernel never looks at the
// wall clock and has no randomness, so a sequence of choices always replays exactly.

import { formatDuration, type FaultKind, type HandlerEvent, type StmtKind } from '../../grammar/ast';
import { assertNever } from '../../grammar/never';
import { formatChoice, parseChoice } from './choice';
import { BLOCKED, DONE, OOPS, PUSHED, codeFrame, nativeFrame, type Res } from './step';
import { semantics } from './stmts';
import { unplugDrm, putDrm } from './stmts/drm';
import { closeFile, findFile } from './stmts/file';
import { modulePut } from './stmts/module';
import { revoke } from './stmts/revocable';
import { krefReleaseDone, putKref } from './stmts/kref';
import { unbind } from './stmts/device';
import { unregisterCdev } from './stmts/cdev';
import { drainAttrs, removeAttr } from './stmts/attr';
import { freeIrq } from './stmts/irq';
import { WAITS } from './waits';
import {
  CALLBACK_THREAD,
  type CStmt,
  type ObjKind,
  type Program,
  objectName,
  stmtObject,
} from './program';
import {
  type CodeFrame,
  type Fault,
  type FaultObject,
  type Frame,
  type KernelState,
  type Loc,
  type NativeFrame,
  type NativeOp,
  type ThreadState,
  type Wait,
  type WaitKind,
  FenceSt,
  ModState,
  Op,
  WorkSt,
  cloneState,
} from './state';

export type Mode = 'run' | 'explore';

/**
 * What an event records: the statement keyword, a handler that runs, or a sourceless
 * action (devres, exit, kworker, complete, timeout, fault), or one of the notifications the
 * debugger's exception filters stop on (unplugged, revoked, refcount-zero, module-gone).
 */
export type EventKind =
  | StmtKind | HandlerEvent | 'devres' | 'exit' | 'kworker' | 'complete' | 'timeout' | 'fault'
  | 'unplugged' | 'revoked' | 'refcount-zero' | 'module-gone';

export interface KernelEvent {
  step: number;
  time_ns: number;
  thread: string;
  line: number;
  kind: EventKind;
  text: string;
}

export interface KernelOptions {
  mode: Mode;
  /** virtual-time horizon in ns (run mode) */
  horizonNs?: number;
  /** keep at most this many events in `events` (they are still counted) */
  maxEvents?: number;
  /** called for every event, kept or not */
  onEvent?: (e: KernelEvent) => void;
}

export const DEFAULT_HORIZON_NS = 10_000_000_000;

export { FENCE_STATE_NAMES, MODULE_STATE_NAMES, WORK_STATE_NAMES } from './state';

export class Kernel {
  readonly mode: Mode;
  readonly horizon: number;
  s: KernelState;
  events: KernelEvent[] = [];
  private maxEvents: number;
  private onEvent?: (e: KernelEvent) => void;
  private curLine = 0;

  constructor(readonly p: Program, opts: KernelOptions) {
    this.mode = opts.mode;
    this.horizon = opts.horizonNs ?? DEFAULT_HORIZON_NS;
    this.maxEvents = opts.maxEvents ?? 10_000;
    this.onEvent = opts.onEvent;
    this.s = Kernel.initialState(p);
  }

  static initialState(p: Program): KernelState {
    const threads: ThreadState[] = p.threads.map((t) => ({
      name: t.name, work: -1, status: 'ready', frames: [codeFrame(t.body, 'body', -1, null, null)],
      wait: null, files: [], refs: [], srcu: 0, rcu: [], spinlocks: [], exiting: false,
    }));
    p.works.forEach((w, i) => threads.push({
      name: `${CALLBACK_THREAD[w.kind]}/${w.name}`, work: i, status: 'idle', frames: [], wait: null, files: [], refs: [],
      srcu: 0, rcu: [], spinlocks: [], exiting: false,
    }));
    return {
      clock: 0,
      steps: 0,
      modules: p.modules.map((m) => ({ state: ModState.Live, refs: m.initialRefs })),
      devices: p.devices.map((d) => ({ present: true, bound: d.driver >= 0, unbinder: -1 })),
      drms: p.drms.map(() => ({ refs: 1, unplugged: false, freed: false, releasing: false, bindingRef: true })),
      revocables: p.revocables.map(() => ({ revoked: false })),
      data: p.data.map(() => ({ freed: false })),
      works: p.works.map(() => ({ state: WorkSt.Idle, startAt: 0, off: false, cancelling: 0, flushRuns: 0 })),
      fences: p.fences.map(() => ({ state: FenceSt.Idle, completeAt: -1, live: false })),
      mutexes: p.mutexes.map(() => ({ holder: -1, lockStmt: -1 })),
      cdevs: p.cdevs.map(() => ({ deleted: false })),
      attrs: p.attrs.map(() => ({ removed: false, active: 0 })),
      spinlocks: p.spinlocks.map(() => ({ holder: -1, lockStmt: -1 })),
      completions: p.completions.map(() => ({ done: false })),
      // the creator's reference, owned by no thread
      krefs: p.krefs.map(() => ({ refs: 1, freed: false, releasing: false })),
      threads,
      order: p.threads.map((_, i) => i),
      rr: 0,
      faults: [],
      ended: false,
      eventCount: 0,
    };
  }

  // ------------------------------------------------------------------ snapshots

  snapshot(): KernelState {
    return cloneState(this.s);
  }

  /** Restores a snapshot; events recorded after it are dropped. */
  restore(snap: KernelState): void {
    this.s = cloneState(snap);
    if (this.events.length > snap.eventCount) this.events.length = snap.eventCount;
  }

  // ------------------------------------------------------------------ queries

  threadIndex(name: string): number {
    return this.s.threads.findIndex((t) => t.name === name);
  }

  /** Whether thread i can take a step now. */
  canStep(i: number): boolean {
    const t = this.s.threads[i];
    if (t.status === 'idle') {
      const w = this.s.works[t.work];
      return w.state === WorkSt.Pending && (this.mode === 'explore' || this.s.clock >= w.startAt);
    }
    if (t.status !== 'ready') return false;
    return t.wait === null || this.waitOver(i, t.wait);
  }

  /** Whether what a blocked thread waits for holds now. */
  waitOver(i: number, w: Wait): boolean {
    return WAITS[w.kind].over(this, i, w);
  }

  /** A thread spinning in a `poll` (busy, not asleep). */
  spins(t: ThreadState): boolean {
    return t.status === 'ready' && t.wait?.kind === 'poll';
  }

  isBlocked(i: number): boolean {
    const t = this.s.threads[i];
    return t.status === 'ready' && t.wait !== null && !this.waitOver(i, t.wait);
  }

  /** The source position a thread is at (its current statement), if any. */
  position(t: ThreadState): Loc | null {
    if (t.wait) return t.wait.loc;
    for (let k = t.frames.length - 1; k >= 0; k--) {
      const f = t.frames[k];
      if (f.t === 0) {
        const st = f.block.stmts[f.pc];
        if (st) return st;
      } else return f.origin;
    }
    return null;
  }

  /** What a blocked thread waits for, in words. */
  describeWait(w: Wait): string {
    return WAITS[w.kind].describe(this, w);
  }

  srcuReaders(except: number): string[] {
    return this.s.threads.filter((t, j) => j !== except && t.srcu > 0).map((t) => t.name);
  }

  rcuReaders(r: number): string[] {
    return this.s.threads.filter((t) => t.rcu.includes(r)).map((t) => t.name);
  }

  // ------------------------------------------------------------------ stepping

  /** Takes one step of thread i; the caller checked canStep(i). */
  step(i: number): void {
    const s = this.s;
    const t = s.threads[i];
    s.steps++;
    if (t.status === 'idle') {
      this.startWork(i, t);
    } else if (t.wait) {
      const w = t.wait;
      t.wait = null;
      this.curLine = w.loc.line;
      this.completeWait(i, w);
      this.advanceTop(t);
      this.unwind(i, t);
    } else if (t.frames.length === 0) {
      this.unwind(i, t);
    } else {
      const f = t.frames[t.frames.length - 1] as CodeFrame;
      const st = f.block.stmts[f.pc];
      this.curLine = st.line;
      const r = this.exec(i, t, f, st);
      if (r === DONE) f.pc++;
      if (r === BLOCKED || r === OOPS) return;
      this.unwind(i, t);
    }
  }

  /** Run mode: ETIMEDOUT and fence completions due at the current time. */
  fireDue(): void {
    const s = this.s;
    s.fences.forEach((f, q) => {
      if (f.state === FenceSt.Pending && f.completeAt >= 0 && f.completeAt <= s.clock) {
        f.state = FenceSt.Signalled;
        f.completeAt = -1;
        this.note(-1, 0, 'complete', `fence ${this.p.fences[q].name} signalled by the GPU`);
      }
    });
    s.threads.forEach((t, i) => {
      const w = t.wait;
      if (w && w.hasTimeout && !w.timedOut && w.until >= 0 && w.until <= s.clock && !this.waitOver(i, w)) {
        w.timedOut = true;
      }
    });
  }

  /** Run mode: the earliest timed event after now, or -1. */
  nextEventTime(): number {
    const s = this.s;
    let best = Infinity;
    for (const t of s.threads) {
      const w = t.wait;
      if (t.status !== 'ready' || !w) continue;
      if (w.kind === 'sleep' && w.until > s.clock) best = Math.min(best, w.until);
      if (w.hasTimeout && !w.timedOut && w.until > s.clock) best = Math.min(best, w.until);
    }
    for (const f of s.fences) if (f.state === FenceSt.Pending && f.completeAt > s.clock) best = Math.min(best, f.completeAt);
    for (const w of s.works) if (w.state === WorkSt.Pending && w.startAt > s.clock) best = Math.min(best, w.startAt);
    return best === Infinity ? -1 : best;
  }

  /** Explore mode: the events that may happen next, besides thread steps. */
  eventChoices(): string[] {
    const out: string[] = [];
    this.s.fences.forEach((f, q) => {
      if (f.state === FenceSt.Pending && f.live) out.push(formatChoice({ kind: 'complete', fence: this.p.fences[q].name }));
    });
    this.s.threads.forEach((t, i) => {
      const w = t.wait;
      if (t.status === 'ready' && w && w.hasTimeout && !w.timedOut && !this.waitOver(i, w)) out.push(formatChoice({ kind: 'timeout', thread: t.name }));
    });
    return out;
  }

  /** Explore mode: a fence completes, or a wait times out. */
  fireEvent(choice: string): boolean {
    const s = this.s;
    const c = parseChoice(choice);
    if (c?.kind === 'complete') {
      const q = this.p.fences.findIndex((f) => f.name === c.fence);
      const f = s.fences[q];
      if (!f || f.state !== FenceSt.Pending || !f.live) return false;
      f.state = FenceSt.Signalled;
      this.note(-1, 0, 'complete', `fence ${this.p.fences[q].name} signalled by the GPU`);
      return true;
    }
    if (c?.kind === 'timeout') {
      const i = this.threadIndex(c.thread);
      const t = s.threads[i];
      const w = t?.wait;
      if (!w || !w.hasTimeout || w.timedOut || this.waitOver(i, w)) return false;
      w.timedOut = true;
      return true;
    }
    return false;
  }

  /**
   * Called when nothing can step and no timed event is pending: records the deadlock or
   * hang, if any, and ends the run.
   */
  finish(): void {
    const s = this.s;
    if (s.ended) return;
    s.ended = true;
    const order = this.endOrder();
    const spinner = order.find((i) => this.spins(s.threads[i]) && !this.waitOver(i, s.threads[i].wait!));
    if (spinner !== undefined) {
      const t = s.threads[spinner];
      if (this.mode === 'run') s.clock = Math.max(s.clock, this.horizon);
      const w = t.wait!;
      this.fault('hang', spinner, w.loc,
        `${t.name} busy-waits on fence ${this.p.fences[w.x].name}, which can never complete: ` +
        `the GPU is gone and the poll has no timeout`, [this.obj('fence', w.x)]);
      return;
    }
    const blocked = order.filter((i) => this.isBlocked(i));
    if (blocked.length) {
      const first = s.threads[blocked[0]];
      const who = blocked.map((i) => `${s.threads[i].name} ${this.describeWait(s.threads[i].wait!)}`).join('; ');
      this.fault('deadlock', blocked[0], first.wait!.loc, who, this.waitObjects(first.wait!));
      const f = s.faults[s.faults.length - 1];
      if (f?.kind === 'deadlock') f.blocked = blocked.map((i) => s.threads[i].name);
    }
  }

  /** Declared threads in declaration order, then kworkers in the order they first started. */
  endOrder(): number[] {
    const s = this.s;
    const rest = s.threads.map((_, i) => i).filter((i) => !s.order.includes(i));
    return [...s.order, ...rest];
  }

  /** Run mode: stop at the horizon (fine point 10). */
  stopAtHorizon(): void {
    const s = this.s;
    const spinner = this.endOrder().find((i) => this.spins(s.threads[i]));
    s.clock = Math.max(s.clock, this.horizon);
    if (spinner !== undefined) {
      const t = s.threads[spinner];
      this.fault('hang', spinner, t.wait!.loc,
        `${t.name} still busy-waits on fence ${this.p.fences[t.wait!.x].name} at the horizon (${formatDuration(this.horizon)})`,
        [this.obj('fence', t.wait!.x)]);
    }
    s.ended = true;
  }

  // ------------------------------------------------------------------ internals

  private startWork(i: number, t: ThreadState): void {
    const s = this.s;
    const wi = this.p.works[t.work];
    if (!s.order.includes(i)) s.order.push(i);
    s.works[t.work].state = WorkSt.Running;
    t.status = 'ready';
    t.exiting = false;
    t.frames = [codeFrame(wi.body, 'work', wi.module, null, null)];
    this.curLine = wi.line;
    if (wi.module >= 0 && s.modules[wi.module].state === ModState.Gone) {
      const how = { work: 'queued work must be cancelled', timer: 'an armed timer must be cancelled or shut down', irq: 'a requested IRQ must be freed' }[wi.kind];
      this.fault('code-after-unload', i, wi,
        `${wi.kind} ${wi.name} starts on ${t.name}, but its module ${this.p.modules[wi.module].name} is gone: ` +
        `its code was freed (${how} in remove or module_exit)`, [this.obj('module', wi.module)]);
      this.oops(t);
      return;
    }
    this.note(i, wi.line, 'kworker', `${wi.kind === 'irq' ? 'handler of irq' : wi.kind} ${wi.name} starts`);
    this.unwind(i, t);
  }

  /**
   * After a statement or op finished: leave finished blocks, run sourceless ops, until the
   * thread stands at its next source statement, blocks, ends or oopses.
   */
  private unwind(i: number, t: ThreadState): void {
    for (;;) {
      if (t.status !== 'ready' || t.wait) return;
      const f = t.frames[t.frames.length - 1];
      if (!f) {
        if (t.exiting) {
          // the exit ops ran to completion
          return;
        }
        this.beginExit(i, t);
        continue;
      }
      if (f.t === 0) {
        if (f.pc < f.block.stmts.length) {
          // driver code of a module that went away meanwhile (forced rmmod): the statement
          // about to run is code after unload — reported when it runs.
          return;
        }
        this.leaveFrame(t, f);
        if (f.role === 'repeat' && f.repeatLeft > 1) {
          f.repeatLeft--;
          f.pc = 0;
          t.frames.push(f);
          continue;
        }
        this.advanceTop(t);
        continue;
      }
      if (f.i >= f.ops.length) {
        t.frames.pop();
        this.advanceTop(t);
        continue;
      }
      const r = this.runOp(i, t, f, f.ops[f.i]);
      if (r === DONE) f.i++;
      else if (r === BLOCKED || r === OOPS) return;
    }
  }

  /** Pops a finished code frame and undoes what entering it did. */
  private leaveFrame(t: ThreadState, f: CodeFrame): void {
    t.frames.pop();
    if (f.role === 'enter') t.srcu--;
    else if (f.role === 'access') t.rcu.pop();
    else if (f.role === 'show') this.s.attrs[f.guard].active--; // kernfs_put_active
  }

  /** The item the top frame was at is finished. */
  private advanceTop(t: ThreadState): void {
    const f = t.frames[t.frames.length - 1];
    if (!f) return;
    if (f.t === 0) f.pc++;
    else f.i++;
  }

  private beginExit(i: number, t: ThreadState): void {
    t.exiting = true;
    const ops: NativeOp[] = [];
    t.files.forEach((f, k) => {
      if (f.st === 0) ops.push({ op: Op.CloseAtExit, x: k });
    });
    ops.push({ op: Op.ExitDone, x: 0 });
    const pos = t.work >= 0 ? this.p.works[t.work] : this.p.threads[i]?.range.end ?? { line: 0, column: 0 };
    t.frames.push(nativeFrame(ops, pos, 'exit'));
  }

  private exitDone(i: number, t: ThreadState): void {
    const s = this.s;
    for (const r of t.refs) {
      const what = objectName(this.p, { kind: r.kind, index: r.x }) ?? '?';
      const how = r.kind === 'drm' ? 'drm_dev_get without drm_dev_put'
        : r.kind === 'kref' ? 'kref_get without kref_put' : 'try_module_get without module_put';
      this.fault('leak', i, r.stmt, `${t.name} ends holding a reference to ${what} taken here (${how})`, [this.obj(r.kind, r.x)]);
    }
    s.spinlocks.forEach((m, k) => {
      if (m.holder === i) {
        const st = this.p.stmts[m.lockStmt];
        this.fault('leak', i, st, `${t.name} ends holding spinlock ${this.p.spinlocks[k].name} locked here`, [this.obj('spinlock', k)]);
      }
    });
    s.mutexes.forEach((m, k) => {
      if (m.holder === i) {
        const st = this.p.stmts[m.lockStmt];
        this.fault('leak', i, st, `${t.name} ends holding mutex ${this.p.mutexes[k].name} locked here`, [this.obj('mutex', k)]);
      }
    });
    t.frames = [];
    t.exiting = false;
    if (t.work >= 0) {
      const w = s.works[t.work];
      // re-queued, re-armed or raised while it ran: it runs again
      w.state = w.state === WorkSt.RunningPending ? WorkSt.Pending : WorkSt.Idle;
      if (w.flushRuns > 0) w.flushRuns--;
      t.status = 'idle';
      t.files = [];
      t.refs = [];
      this.note(i, this.p.works[t.work].line, 'exit', `${this.p.works[t.work].kind} ${this.p.works[t.work].name} done`);
    } else {
      t.status = 'done';
      // the thread's closing brace, not the last line it ran (which may be in a handler)
      this.note(i, this.p.threads[i]?.range.end.line ?? this.curLine, 'exit', `${t.name} exits`);
    }
  }

  /** An object of the program, as a fault names it. */
  obj(kind: ObjKind, index: number): FaultObject {
    return { kind, name: objectName(this.p, { kind, index }) ?? '' };
  }

  /** The object a statement is about: its target's, or the drm device of its file. */
  private stmtObjects(t: ThreadState, f: CodeFrame, st: CStmt): FaultObject[] {
    if (st.kind === 'close' || st.kind === 'ioctl') {
      const fl = findFile(t, f, st.fileSlot);
      return fl ? [fl.cdev >= 0 ? this.obj('cdev', fl.cdev) : this.obj('drm', fl.drm)] : [];
    }
    const o = stmtObject(st);
    return o ? [this.obj(o.kind, o.index)] : [];
  }

  /** What a blocked thread waits on, as a fault names it. */
  private waitObjects(w: Wait): FaultObject[] {
    return WAITS[w.kind].objects(this, w);
  }

  oops(t: ThreadState): void {
    t.status = 'oops';
  }

  // ------------------------------------------------------------------ faults and events

  fault(kind: FaultKind, i: number, loc: Loc, message: string, objects: readonly FaultObject[]): void {
    const s = this.s;
    const thread = i >= 0 ? s.threads[i].name : '';
    // The same fault at the same place on the same thread is reported once (a repeat loop
    // would otherwise report it on every iteration).
    if (s.faults.some((f) => f.kind === kind && f.thread === thread && f.line === loc.line && f.column === loc.column)) return;
    s.faults = [...s.faults, { kind, thread, line: loc.line, column: loc.column, time_ns: s.clock, message, step: s.steps, objects }];
    this.note(i, loc.line, 'fault', `${kind}: ${message}`);
  }

  /** Records an event (the debug console, the CLI timeline, the debugger's filters). */
  note(i: number, line: number, kind: EventKind, text: string): void {
    const s = this.s;
    s.eventCount++;
    if (this.events.length >= this.maxEvents && !this.onEvent) return;
    const e: KernelEvent = {
      step: s.steps, time_ns: s.clock, thread: i >= 0 ? s.threads[i].name : '', line: line || this.curLine, kind, text,
    };
    if (this.events.length < this.maxEvents) this.events.push(e);
    this.onEvent?.(e);
  }

  /** Whether events are being kept (skip building their text otherwise). */
  get recording(): boolean {
    return this.onEvent !== undefined || this.events.length < this.maxEvents;
  }

  // ------------------------------------------------------------------ statements
  // Each statement kind runs in its object's module (stmts/*.ts); the helpers they share
  // (faults, events, blocking, useAfterFree, …) are the kernel's public methods.

  /** Thread t blocks in a wait (the statement modules' way to sleep, spin or wait). */
  block(t: ThreadState, kind: WaitKind, x: number, loc: Loc, until = -1, hasTimeout = false, self = false): Res {
    t.wait = { kind, x, until, hasTimeout, timedOut: false, self, loc };
    return BLOCKED;
  }

  private exec(i: number, t: ThreadState, f: CodeFrame, st: CStmt): Res {
    const s = this.s;
    const p = this.p;
    // Driver code of a module that is gone: the statement itself is code after unload.
    if (f.mod >= 0 && s.modules[f.mod].state === ModState.Gone) {
      this.fault('code-after-unload', i, st,
        `${t.name} runs \`${st.kind}\` in code of module ${p.modules[f.mod].name}, which is gone`, [this.obj('module', f.mod)]);
      this.oops(t);
      return OOPS;
    }
    if (st.sleeps) {
      const atomic = this.atomicContext(t);
      if (atomic) {
        this.fault('sleep-in-atomic', i, st, `\`${st.kind}\` may sleep, but ${t.name} ${atomic.why} where sleeping is not allowed`,
          [...this.stmtObjects(t, f, st), atomic.object]);
      }
    }
    return semantics(st.kind).exec(this, i, t, f, st);
  }

  /**
   * Whether thread t is in atomic context (language.md §9), and why: inside an `access`
   * block (RCU), holding a spinlock, or (version 2's callbacks) running a timer callback or
   * a non-threaded IRQ handler, and anything those call. The one test `sleep-in-atomic` asks.
   */
  atomicContext(t: ThreadState): { why: string; object: FaultObject } | null {
    const p = this.p;
    if (t.rcu.length > 0) {
      const rv = t.rcu[t.rcu.length - 1];
      return {
        why: `is inside \`access ${p.revocables[rv].name}\`, an RCU read-side section (Revocable guard),`,
        object: this.obj('revocable', rv),
      };
    }
    const held = t.spinlocks.length > 0 ? t.spinlocks[t.spinlocks.length - 1] : -1;
    if (held >= 0) return { why: `holds spinlock ${p.spinlocks[held].name} (spin_lock disables preemption),`, object: this.obj('spinlock', held) };
    const cb = t.work >= 0 ? p.works[t.work] : undefined;
    if (cb?.atomic) {
      const ctx = cb.kind === 'timer' ? 'a timer callback (softirq context)' : 'a hard IRQ handler (not threaded)';
      return { why: `runs ${ctx},`, object: this.obj(cb.kind === 'timer' ? 'timer' : 'irq', t.work) };
    }
    return null;
  }

  private completeWait(i: number, w: Wait): void {
    WAITS[w.kind].complete(this, i, w);
  }

  useAfterFree(i: number, t: ThreadState, loc: Loc, freed: FaultObject, message: string): Res {
    this.fault('use-after-free', i, loc, message, [freed]);
    this.oops(t);
    return OOPS;
  }

  codeAfterUnload(i: number, t: ThreadState, loc: Loc, m: number, what: string): Res {
    this.fault('code-after-unload', i, loc, `${what}: module ${this.p.modules[m].name} is gone, its code was freed`, [this.obj('module', m)]);
    this.oops(t);
    return OOPS;
  }

  moduleOfDrm(x: number): number {
    const drm = this.p.drms[x];
    return this.p.drivers[drm?.driver]?.module ?? -1;
  }

  driverOfDrm(x: number) {
    return this.p.drivers[this.p.drms[x]?.driver];
  }

  // ------------------------------------------------------------------ sourceless ops

  private runOp(i: number, t: ThreadState, f: NativeFrame, op: NativeOp): Res {
    const s = this.s;
    const p = this.p;
    const origin = f.origin;
    switch (op.op) {
      case Op.CallHandler: {
        const h = p.handlers[op.x];
        if (h.module >= 0 && s.modules[h.module].state === ModState.Gone) {
          return this.codeAfterUnload(i, t, origin, h.module, `the ${h.event} callback of ${h.target} is called`);
        }
        this.note(i, origin.line, h.event, `${h.event} (${h.target}) runs on ${t.name}`);
        if (h.body.stmts.length === 0) return DONE;
        t.frames.push(codeFrame(h.body, 'handler', h.module, h, origin as CStmt));
        return PUSHED;
      }
      case Op.Unplug: return unplugDrm(this, i, t, op.x, origin);
      case Op.Revoke: return revoke(this, i, t, op.x, origin);
      case Op.FreeData:
        if (s.data[op.x].freed) {
          // freed by hand (kfree of devm memory): the devres entry frees it again; the release goes on
          this.fault('double-free', i, origin,
            `the devres release frees devm data ${p.data[op.x].name} again: it was already freed with free (kfree of devm memory; use devm_kfree or nothing)`,
            [this.obj('data', op.x)]);
          return DONE;
        }
        s.data[op.x].freed = true;
        this.note(i, origin.line, 'devres', `devm data ${p.data[op.x].name} freed`);
        return DONE;
      case Op.PutKref:
        return putKref(this, i, t, op.x, origin, 'devres kref_put');
      case Op.KrefReleaseDone:
        return krefReleaseDone(this, i, op.x, origin);
      case Op.PutBinding: {
        if (!s.drms[op.x].bindingRef) return DONE;
        s.drms[op.x].bindingRef = false;
        return putDrm(this, i, t, op.x, origin, 'devres drm_dev_put');
      }
      case Op.PutDrm: {
        return putDrm(this, i, t, op.x, origin, 'drm_dev_put');
      }
      case Op.ModulePutOwner:
        modulePut(this, i, op.x, origin, 'module_put (fops owner)');
        return DONE;
      case Op.Unbind: {
        return unbind(this, i, t, op.x, origin);
      }
      case Op.UnbindDone: {
        const d = s.devices[op.x];
        d.bound = false;
        d.unbinder = -1;
        this.note(i, origin.line, 'devres', `${p.devices[op.x].name} unbound`);
        return DONE;
      }
      case Op.ReleaseDone: {
        const x = op.x;
        const d = s.drms[x];
        p.data.forEach((dd, k) => {
          if (dd.managed !== 'drmm' || dd.owner !== x) return;
          if (s.data[k].freed) {
            this.fault('double-free', i, origin,
              `the release of ${p.drms[x].name} frees drmm data ${dd.name} again: it was already freed with free (kfree of drmm memory)`,
              [this.obj('data', k)]);
            return;
          }
          s.data[k].freed = true;
          this.note(i, origin.line, 'release', `drmm data ${dd.name} freed`);
        });
        d.freed = true;
        d.releasing = false;
        this.note(i, origin.line, 'release', `${p.drms[x].name} freed`);
        const drv = this.driverOfDrm(x);
        if (drv?.drmHoldsModule && drv.module >= 0) modulePut(this, i, drv.module, origin, `${p.drms[x].name} drops its module reference`);
        return DONE;
      }
      case Op.ModuleGone:
        s.modules[op.x].state = ModState.Gone;
        this.note(i, origin.line, 'module-gone', `module ${p.modules[op.x].name} is gone: its code is freed`);
        return DONE;
      case Op.CloseAtExit: {
        const fl = t.files[op.x];
        return closeFile(this, i, t, null, null, fl.open, fl);
      }
      case Op.FreeIrq: return freeIrq(this, i, t, op.x, origin, true);
      case Op.ExitDone:
        this.exitDone(i, t);
        return OOPS; // the thread is finished: nothing more to unwind
      case Op.RemoveAttr: return removeAttr(this, i, op.x, origin);
      case Op.DrainAttrs: return drainAttrs(this, i, t, op.x, origin);
      case Op.UnregisterCdev: return unregisterCdev(this, i, op.x, origin);
      default:
        return assertNever(op.op);
    }
  }
}

export type { Frame, Fault };
