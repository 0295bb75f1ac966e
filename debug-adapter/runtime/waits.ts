// The waits a thread can block in, one entry per kind: when it is over, what it says, what
// completing it does, what it concerns, what it reads (the explorer's footprint), who holds
// it up, and its code in the explorer's state encoding. Checked against WaitKind: a new
// wait kind missing here fails `tsc` (it used to encode as "no wait" and merge states).

import { formatDuration } from '../../grammar/ast';
import { ANY_RCU, ANY_SRCU, SELF_LOCAL, type FP, type Layout } from '../explorer/footprint';
import type { Kernel } from './kernel';
import type { CStmt, CallbackKind, ObjKind, Program } from './program';
import { FENCE_STATE_NAMES, FenceSt, WorkSt, type FaultObject, type KernelState, type Wait, type WaitKind } from './state';

export interface WaitSpec {
  /** whether what thread i waits for holds now */
  over(k: Kernel, i: number, w: Wait): boolean;
  /** what the blocked thread waits for, in words (deadlock messages, the debugger) */
  describe(k: Kernel, w: Wait): string;
  /** the same, short, for the timeline */
  brief(p: Program, w: Wait): string;
  /** what the step that ends the wait does (the statement it blocked in completes) */
  complete(k: Kernel, i: number, w: Wait): void;
  /** the object it waits on, as a fault names it */
  objects(k: Kernel, w: Wait): FaultObject[];
  /** what a step ending it reads, and what enables it (the explorer's footprint) */
  reads(f: FP, L: Layout, w: Wait): void;
  /**
   * For waits that end only when some threads leave what they hold (a read section, a
   * mutex, an unbind): puts them in `out`, thread e itself when it waits on itself. Never
   * enabled again when one of them is stuck; one of them must move first. null: the wait
   * ends on what some step writes (the explorer decides from footprints).
   */
  holders: ((s: KernelState, e: number, w: Wait, out: number[]) => void) | null;
  /** its code in the explorer's state encoding: distinct per kind, never 0's meaning "no wait" */
  code: number;
}

const fenceName = (p: Program, w: Wait) => p.fences[w.x]?.name ?? '?';

/** `wait` and `poll` on a fence: over when it is signalled or errored, or timed out. */
function fenceWait(code: number, stmt: 'wait' | 'poll'): WaitSpec {
  return {
    over: (k, _i, w) => k.s.fences[w.x].state >= FenceSt.Signalled || w.timedOut,
    describe: (k, w) => stmt === 'wait' ? `waits for fence ${k.p.fences[w.x].name}` : `spins polling fence ${k.p.fences[w.x].name}`,
    brief: (p, w) => `${stmt === 'wait' ? 'waits for' : 'polls'} fence ${fenceName(p, w)}${w.hasTimeout ? ' (timeout)' : ''}`,
    complete(k, i, w) {
      const fe = k.s.fences[w.x];
      if (fe.state >= FenceSt.Signalled) k.note(i, w.loc.line, stmt, `fence ${k.p.fences[w.x].name} ${FENCE_STATE_NAMES[fe.state]}`);
      else k.note(i, w.loc.line, 'timeout', `${stmt} on ${k.p.fences[w.x].name}: ETIMEDOUT`);
    },
    objects: (k, w) => [k.obj('fence', w.x)],
    reads(f, L, w) {
      f.read(L.fst(w.x));
      if (w.hasTimeout) f.read(SELF_LOCAL);
    },
    holders: null,
    code,
  };
}

/** `flush` of a work item: over when the runs it waits for have ended; `cancel` (and `disable`) of a work or timer: when it is not running. */
function workWait(code: number, short: 'flush' | 'cancel'): WaitSpec {
  const fn = (k: Kernel | Program, x: number): string => {
    const w = ('p' in k ? k.p : k).works[x];
    if (short === 'flush') return 'flush_work';
    return w?.kind === 'timer' ? 'timer_delete_sync' : 'cancel_work_sync';
  };
  return {
    over: short === 'flush' ? (k, _i, w) => k.s.works[w.x].flushRuns === 0 : (k, _i, w) => k.s.works[w.x].state !== WorkSt.Running,
    describe: (k, w) => `${k.p.works[w.x].kind === 'timer' && short === 'cancel' ? 'spins' : 'waits'} in ${fn(k, w.x)} for ${k.p.works[w.x].name}`,
    brief: (p, w) => `waits in ${short} ${p.works[w.x]?.name ?? '?'}`,
    complete(k, i, w) {
      // the sync cancel is over: queue and arm have effect again
      if (short === 'cancel') k.s.works[w.x].cancelling--;
      k.note(i, w.loc.line, short, 'done waiting');
    },
    objects: (k, w) => [k.obj(CALLBACK_OBJ[k.p.works[w.x].kind], w.x)],
    reads: (f, L, w) => { if (short === 'cancel') f.rw(L.work(w.x)); else f.read(L.work(w.x)); },
    holders: null,
    code,
  };
}

/** The object kind of a callback, as faults name it. */
const CALLBACK_OBJ = { work: 'work', timer: 'timer', irq: 'irq' } as const satisfies Record<CallbackKind, ObjKind>;

export const WAITS: Readonly<Record<WaitKind, WaitSpec>> = {
  sleep: {
    over: (k, _i, w) => k.mode === 'explore' || k.s.clock >= w.until,
    describe: (_k, w) => `sleeping until ${formatDuration(w.until)}`,
    brief: () => 'sleeps',
    complete: () => {},
    objects: () => [],
    reads: () => {},
    holders: null,
    code: 0,
  },
  fence: fenceWait(1, 'wait'),
  poll: fenceWait(2, 'poll'),
  srcu: {
    over(k, i, w) {
      if (w.self) return false;
      const ts = k.s.threads;
      for (let j = 0; j < ts.length; j++) if (j !== i && ts[j].srcu > 0) return false;
      return true;
    },
    describe: (k, w) => w.self
      ? 'waits in drm_dev_unplug for its own drm_dev_enter section'
      : `waits in drm_dev_unplug for the drm_dev_enter sections of ${k.srcuReaders(-1).join(', ')}`,
    brief: (_p, w) => w.self ? 'waits in drm_dev_unplug for itself' : 'waits in drm_dev_unplug for SRCU readers',
    complete: (k, i, w) => k.note(i, w.loc.line, 'unplug', 'synchronize_srcu done: no drm_dev_enter section is left'),
    objects: (k, w) => [k.obj('drm', w.x)],
    reads: (f, _L, w) => { if (!w.self) f.read(ANY_SRCU); },
    holders(s, e, w, out) {
      if (w.self) { out.push(e); return; } // its own section: never
      for (let j = 0; j < s.threads.length; j++) if (j !== e && s.threads[j].srcu > 0) out.push(j);
    },
    code: 3,
  },
  rcu: {
    over(k, _i, w) {
      for (const t of k.s.threads) if (t.rcu.includes(w.x)) return false;
      return true;
    },
    describe: (k, w) => `waits in revoke of ${k.p.revocables[w.x].name} for the RCU readers ${k.rcuReaders(w.x).join(', ')}`,
    brief: (p, w) => `waits in revoke ${p.revocables[w.x]?.name ?? '?'} for RCU readers`,
    complete: (k, i, w) => k.note(i, w.loc.line, 'revoke', `synchronize_rcu done: ${k.p.revocables[w.x].name} has no readers left`),
    objects: (k, w) => [k.obj('revocable', w.x)],
    reads: (f) => { f.read(ANY_RCU); },
    holders(s, _e, w, out) {
      for (let j = 0; j < s.threads.length; j++) if (s.threads[j].rcu.includes(w.x)) out.push(j);
    },
    code: 4,
  },
  mutex: {
    over: (k, _i, w) => k.s.mutexes[w.x].holder === -1,
    describe(k, w) {
      const h = k.s.mutexes[w.x].holder;
      return `waits for mutex ${k.p.mutexes[w.x].name}${h >= 0 ? ` held by ${k.s.threads[h].name}` : ''}`;
    },
    brief: (p, w) => `waits for mutex ${p.mutexes[w.x]?.name ?? '?'}`,
    complete(k, i, w) {
      k.s.mutexes[w.x].holder = i;
      k.s.mutexes[w.x].lockStmt = (w.loc as CStmt).id;
      k.note(i, w.loc.line, 'lock', `${k.p.mutexes[w.x].name} locked`);
    },
    objects: (k, w) => [k.obj('mutex', w.x)],
    reads: (f, L, w) => { f.rw(L.mutex(w.x)); },
    holders(s, _e, w, out) {
      const h = s.mutexes[w.x].holder;
      if (h >= 0) out.push(h);
    },
    code: 5,
  },
  flush: workWait(6, 'flush'),
  cancel: workWait(7, 'cancel'),
  unbind: {
    over: (k, _i, w) => k.s.devices[w.x].unbinder === -1,
    describe: (k, w) => `waits for the unbind of ${k.p.devices[w.x].name} by another thread`,
    brief: (p, w) => `waits for the unbind of ${p.devices[w.x]?.name ?? '?'}`,
    complete: (k, i, w) => k.note(i, w.loc.line, 'unbind', 'done waiting'),
    objects: (k, w) => [k.obj('device', w.x)],
    reads: (f, L, w) => { f.read(L.devBind(w.x)); },
    holders(s, _e, w, out) {
      const u = s.devices[w.x].unbinder;
      if (u >= 0) out.push(u);
    },
    code: 8,
  },
  // version 2: the unbind's kernfs drain of device x's attributes (language.md §9, step 1)
  attr: {
    over(k, _i, w) {
      if (w.self) return false;
      const as = k.p.attrs;
      for (let a = 0; a < as.length; a++) if (as[a].device === w.x && k.s.attrs[a].active > 0) return false;
      return true;
    },
    describe(k, w) {
      const inside = k.s.threads.filter((t) => t.frames.some((f) => f.t === 0 && f.role === 'show' && k.p.attrs[f.guard]?.device === w.x));
      const who = inside.map((t) => t.name).join(', ');
      return w.self
        ? `waits in the unbind of ${k.p.devices[w.x].name} for the attribute show() it is itself inside (kernfs drain of its own active reference)`
        : `waits in the unbind of ${k.p.devices[w.x].name} for the attribute show() of ${who} (kernfs drain)`;
    },
    brief: (p, w) => `waits in the unbind of ${p.devices[w.x]?.name ?? '?'} for attribute readers`,
    complete: (k, i, w) => k.note(i, w.loc.line, 'unbind', `kernfs drain done: no thread is inside a show() of ${k.p.devices[w.x].name}'s attributes`),
    objects(k, w) {
      const out: FaultObject[] = [];
      k.p.attrs.forEach((a, j) => { if (a.device === w.x) out.push(k.obj('attr', j)); });
      return out.length ? out : [k.obj('device', w.x)];
    },
    reads(f, L, w) {
      // the attributes of every device: a wait names its device, the layout its attributes
      if (w.self) return;
      for (let a = 0; a < L.n.attrs; a++) f.read(L.attrAct(a));
    },
    // the explorer decides from footprints (the drain reads every attribute's active count)
    holders: null,
    code: 9,
  },
  // version 2: spin_lock spins (a wait that does not sleep); on a spinlock it holds itself, forever
  spin: {
    over: (k, _i, w) => !w.self && k.s.spinlocks[w.x].holder === -1,
    describe(k, w) {
      if (w.self) return `spins in spin_lock for spinlock ${k.p.spinlocks[w.x].name}, which it holds itself`;
      const h = k.s.spinlocks[w.x].holder;
      return `spins for spinlock ${k.p.spinlocks[w.x].name}${h >= 0 ? ` held by ${k.s.threads[h].name}` : ''}`;
    },
    brief: (p, w) => `spins for spinlock ${p.spinlocks[w.x]?.name ?? '?'}${w.self ? ' (its own)' : ''}`,
    complete(k, i, w) {
      k.s.spinlocks[w.x].holder = i;
      k.s.spinlocks[w.x].lockStmt = (w.loc as CStmt).id;
      k.s.threads[i].spinlocks.push(w.x);
      k.note(i, w.loc.line, 'lock', `${k.p.spinlocks[w.x].name} locked (atomic context until unlock)`);
    },
    objects: (k, w) => [k.obj('spinlock', w.x)],
    reads: (f, L, w) => { f.rw(L.spinlock(w.x)); },
    holders(s, e, w, out) {
      if (w.self) { out.push(e); return; }
      const h = s.spinlocks[w.x].holder;
      if (h >= 0) out.push(h);
    },
    code: 10,
  },
  completion: {
    over: (k, _i, w) => k.s.completions[w.x].done || w.timedOut,
    describe: (k, w) => `waits for completion ${k.p.completions[w.x].name}`,
    brief: (p, w) => `waits for completion ${p.completions[w.x]?.name ?? '?'}${w.hasTimeout ? ' (timeout)' : ''}`,
    complete(k, i, w) {
      if (k.s.completions[w.x].done) k.note(i, w.loc.line, 'wait', `completion ${k.p.completions[w.x].name} done`);
      else k.note(i, w.loc.line, 'timeout', `wait on ${k.p.completions[w.x].name}: ETIMEDOUT`);
    },
    objects: (k, w) => [k.obj('completion', w.x)],
    reads(f, L, w) {
      f.read(L.completion(w.x));
      if (w.hasTimeout) f.read(SELF_LOCAL);
    },
    holders: null,
    code: 11,
  },
  synchronize_irq: {
    over: (k, _i, w) => k.s.works[w.x].state === WorkSt.Idle,
    describe: (k, w) => `waits in free_irq (synchronize_irq) for the handler of ${k.p.works[w.x].name}`,
    brief: (p, w) => `waits in free_irq ${p.works[w.x]?.name ?? '?'}`,
    complete: (k, i, w) => k.note(i, w.loc.line, 'free_irq', `synchronize_irq done: ${k.p.works[w.x].name} has no handler left`),
    objects: (k, w) => [k.obj('irq', w.x)],
    reads: (f, L, w) => { f.read(L.work(w.x)); },
    holders: null,
    code: 12,
  },
} satisfies Record<WaitKind, WaitSpec>;
