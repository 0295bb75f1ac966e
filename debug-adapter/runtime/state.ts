// The simulated kernel's mutable state (language.md §3), as plain data: small objects and
// arrays of numbers, with references only to the immutable compiled program. Copying it
// (`cloneState`) is how the debugger keeps history and the explorer branches.

import type { FaultKind } from '../../grammar/ast';
import type { CBlock, CStmt, HandlerInfo, ObjKind } from './program';

export const enum ModState { Live = 0, Going = 1, Gone = 2 }
export const enum FenceSt { Idle = 0, Pending = 1, Signalled = 2, Error = 3 }
/** A callback's state (work, kernel timer, IRQ handler); RunningPending: re-queued, re-armed or raised while it runs. */
export const enum WorkSt { Idle = 0, Pending = 1, Running = 2, RunningPending = 3 }

/** The states' names, by their numbers above (events, the report, the variables view). */
export const MODULE_STATE_NAMES = ['live', 'going', 'gone'] as const;
export const FENCE_STATE_NAMES = ['idle', 'pending', 'signalled', 'error'] as const;
export const WORK_STATE_NAMES = ['idle', 'pending', 'running', 'running, pending again'] as const;

export interface ModuleState { state: ModState; refs: number }
export interface DeviceState { present: boolean; bound: boolean; /** thread unbinding it, or -1 */ unbinder: number }
export interface DrmState {
  refs: number;
  unplugged: boolean;
  freed: boolean;
  /** count reached 0, release not finished */
  releasing: boolean;
  /** the binding's reference has not been dropped yet */
  bindingRef: boolean;
}
export interface RevocableState { revoked: boolean }
export interface DataState { freed: boolean }
/** version 2: a char device node (cdev_add at probe, cdev_del by `unregister`) */
export interface CdevState { deleted: boolean }
/** version 2: a sysfs attribute, and its kernfs active references (threads inside its show) */
export interface AttrState { removed: boolean; active: number }
export interface WorkState {
  state: WorkSt;
  startAt: number;
  /** disabled (disable_work_sync, timer_shutdown_sync) or, for an IRQ, freed: queue/arm/raise do nothing */
  off: boolean;
  /** threads inside a sync cancel or disable of it: no queue or arm has effect meanwhile */
  cancelling: number;
  /** run ends the flushes under way still wait for (flush_work: the run in progress and the pending start) */
  flushRuns: number;
}
export interface FenceState {
  state: FenceSt;
  /** run mode: when it completes; -1 never */
  completeAt: number;
  /** submitted while its device was present, not hot-unplugged since */
  live: boolean;
}
export interface MutexState { holder: number; lockStmt: number }
/** Version 2: a spinlock_t, held like a mutex but waited for by spinning. */
export type SpinlockState = MutexState;
/** Version 2: a struct completion (complete_all: stays done). */
export interface CompletionState { done: boolean }
/** Version 2: a driver object with an embedded kref. */
export interface KrefState {
  refs: number;
  freed: boolean;
  /** count reached 0, release not finished */
  releasing: boolean;
}

export type FrameRole = 'body' | 'handler' | 'ioctl' | 'work' | 'enter' | 'access' | 'else' | 'repeat' | 'show';

export interface CodeFrame {
  t: 0;
  block: CBlock;
  pc: number;
  role: FrameRole;
  /** the drm (enter), revocable (access) or attribute (show) this frame guards, or -1 */
  guard: number;
  repeatLeft: number;
  /** the module whose code this is, or -1 for a thread's own code */
  mod: number;
  handler: HandlerInfo | null;
  /** the statement that called into this frame (handlers), for stack display */
  caller: CStmt | null;
}

export interface NativeOp { op: Op; x: number }

/** The parts of a statement that have no source: devres release, frees, puts. */
export interface NativeFrame {
  t: 1;
  ops: readonly NativeOp[];
  i: number;
  /** the statement faults of these ops are reported at */
  origin: Loc;
  label: string;
}

export type Frame = CodeFrame | NativeFrame;

export const enum Op {
  CallHandler, Unplug, Revoke, FreeData, PutBinding, PutDrm, ModulePutOwner, Unbind, UnbindDone,
  ReleaseDone, ModuleGone, CloseAtExit, ExitDone,
  // version 2 (language.md §9): the attribute drain before remove, cdev_del in the default remove
  RemoveAttr, DrainAttrs, UnregisterCdev,
  /** version 2: the devres release drops a devm kref's first reference; the release of a kref is over */
  PutKref, KrefReleaseDone,
  // version 2: the devres release frees a devm IRQ (free_irq, synchronize_irq)
  FreeIrq,
}

export type WaitKind =
  | 'sleep' | 'fence' | 'poll' | 'srcu' | 'rcu' | 'mutex' | 'flush' | 'cancel' | 'unbind'
  | 'attr' | 'spin' | 'completion' | 'synchronize_irq';

export interface Wait {
  kind: WaitKind;
  x: number;
  /** sleep end, or the timeout's deadline (run mode); -1 none */
  until: number;
  hasTimeout: boolean;
  timedOut: boolean;
  /** waits on itself (unplug inside its own enter): never ends */
  self: boolean;
  loc: Loc;
}

export interface FileState {
  scope: number;
  slot: number;
  name: string;
  /** the drm device it is open on, or -1 (a cdev file) */
  drm: number;
  /** version 2: the cdev it is open on, or -1 (a drm file) */
  cdev: number;
  /** 0 open, 1 closed, 2 failed to open */
  st: 0 | 1 | 2;
  holdsModule: boolean;
  open: CStmt;
}

export interface HeldRef { kind: 'drm' | 'module' | 'kref'; x: number; stmt: CStmt }

export type ThreadStatus = 'ready' | 'idle' | 'done' | 'oops';

export interface ThreadState {
  name: string;
  /** -1 for a declared thread, the callback's index in Program.works for a callback thread (kworker, timer, irq) */
  work: number;
  status: ThreadStatus;
  frames: Frame[];
  wait: Wait | null;
  files: FileState[];
  refs: HeldRef[];
  /** nesting depth of `enter` sections (SRCU) */
  srcu: number;
  /** revocables of the enclosing `access` sections, outermost first (RCU) */
  rcu: number[];
  /** version 2: the spinlocks it holds, in locking order (atomic context: its own to know, not a read of shared state) */
  spinlocks: number[];
  exiting: boolean;
}

export interface Loc { line: number; column: number }

/** An object a fault concerns: the timeline draws the fault on its lane. */
export interface FaultObject { kind: ObjKind; name: string }

export interface Fault {
  kind: FaultKind;
  thread: string;
  line: number;
  column: number;
  time_ns: number;
  message: string;
  step: number;
  /** a deadlock: every blocked thread (`expect deadlock in T` holds when T is among them) */
  blocked?: string[];
  /** the objects it concerns, the one it is drawn on first */
  objects: readonly FaultObject[];
}

export interface KernelState {
  clock: number;
  steps: number;
  modules: ModuleState[];
  devices: DeviceState[];
  drms: DrmState[];
  revocables: RevocableState[];
  data: DataState[];
  works: WorkState[];
  fences: FenceState[];
  mutexes: MutexState[];
  cdevs: CdevState[];
  attrs: AttrState[];
  spinlocks: SpinlockState[];
  completions: CompletionState[];
  krefs: KrefState[];
  threads: ThreadState[];
  /** run-mode turn order: declared threads, then kworkers by first start */
  order: number[];
  /** run mode: where in `order` the round-robin goes on */
  rr: number;
  faults: Fault[];
  /** set once the run has ended (deadlock, hang, horizon, all done) */
  ended: boolean;
  eventCount: number;
}

export function cloneThread(t: ThreadState): ThreadState {
  return {
    name: t.name,
    work: t.work,
    status: t.status,
    frames: t.frames.map((f) => ({ ...f })),
    wait: t.wait ? { ...t.wait } : null,
    files: t.files.map((f) => ({ ...f })),
    refs: t.refs.slice(),
    srcu: t.srcu,
    rcu: t.rcu.slice(),
    spinlocks: t.spinlocks.slice(),
    exiting: t.exiting,
  };
}

export function cloneState(s: KernelState): KernelState {
  return {
    clock: s.clock,
    steps: s.steps,
    modules: s.modules.map((m) => ({ ...m })),
    devices: s.devices.map((d) => ({ ...d })),
    drms: s.drms.map((d) => ({ ...d })),
    revocables: s.revocables.map((r) => ({ ...r })),
    data: s.data.map((d) => ({ ...d })),
    works: s.works.map((w) => ({ ...w })),
    fences: s.fences.map((f) => ({ ...f })),
    mutexes: s.mutexes.map((m) => ({ ...m })),
    cdevs: s.cdevs.map((c) => ({ ...c })),
    attrs: s.attrs.map((a) => ({ ...a })),
    spinlocks: s.spinlocks.map((m) => ({ ...m })),
    completions: s.completions.map((c) => ({ ...c })),
    krefs: s.krefs.map((o) => ({ ...o })),
    threads: s.threads.map(cloneThread),
    order: s.order.slice(),
    rr: s.rr,
    faults: s.faults.slice(),
    ended: s.ended,
    eventCount: s.eventCount,
  };
}
