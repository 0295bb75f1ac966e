// What the debugger can say about each object of a scenario: its fields (the counts and
// flags that the variables view shows, that expressions compare and that data breakpoints
// watch) and who holds it. One table serves all three, so a name in the variables view is
// always a valid expression and a valid data breakpoint.

import { FENCE_STATE_NAMES, MODULE_STATE_NAMES, WORK_STATE_NAMES, type Kernel } from '../runtime/kernel';
import { CALLBACK_THREAD, type CallbackKind, type Program } from '../runtime/program';
import { WorkSt, type CodeFrame, type ThreadState } from '../runtime/state';

export type Value = number | boolean | string;

/** How a field's value reads and compares: `time` is a number of ns shown as a duration. */
export type FieldType = 'number' | 'time' | 'bool' | 'enum';

export type ObjectKind =
  | 'module' | 'device' | 'driver' | 'drm' | 'revocable' | 'ptimer' | 'fence' | 'data' | 'work' | 'mutex' | 'thread'
  // version 2
  | 'timer' | 'irq' | 'kref' | 'spinlock' | 'completion' | 'cdev' | 'attr';

export interface FieldDef {
  name: string;
  type: FieldType;
  /** the symbols an enum field may take (for checking `nova.state == gonee`) */
  values?: (p: Program) => readonly string[];
  get: (k: Kernel, x: number) => Value;
}

export const KIND_LABEL: Record<ObjectKind, string> = {
  module: 'module', device: 'device', driver: 'driver', drm: 'drm device', revocable: 'revocable',
  ptimer: 'ptimer', fence: 'fence', data: 'driver data', work: 'work item', mutex: 'mutex', thread: 'thread',
  timer: 'kernel timer', irq: 'irq', kref: 'kref', spinlock: 'spinlock', completion: 'completion', cdev: 'char device',
  attr: 'sysfs attribute',
};

export type ThreadStatusName = 'ready' | 'blocked' | 'idle' | 'done' | 'oops';
export const THREAD_STATUSES: readonly ThreadStatusName[] = ['ready', 'blocked', 'idle', 'done', 'oops'];

/** Thread status as a user reads it: a thread waiting for something that does not hold yet is blocked. */
export function threadStatus(k: Kernel, i: number): ThreadStatusName {
  const t = k.s.threads[i];
  if (t.status === 'ready') return t.wait && !k.waitOver(i, t.wait) ? 'blocked' : 'ready';
  return t.status;
}

/** The thread a callback runs on: `kworker/<w>`, `timer/<t>`, `irq/<i>`. */
export const callbackThread = (p: Program, w: number): string => `${CALLBACK_THREAD[p.works[w].kind]}/${p.works[w].name}`;

export function threadNames(p: Program): string[] {
  return [...p.threads.map((t) => t.name), ...p.works.map((_, w) => callbackThread(p, w))];
}

/** A callback's `state` as a user names it (a re-queue, re-arm or raise during a run shows in `pending`). */
export const CALLBACK_STATES = ['idle', 'pending', 'running'] as const;
const callbackState = (st: WorkSt): (typeof CALLBACK_STATES)[number] =>
  st === WorkSt.Idle ? 'idle' : st === WorkSt.Pending ? 'pending' : 'running';
/** pending: queued, armed or raised, and not started yet (also while a previous run goes on) */
const isPending = (st: WorkSt): boolean => st === WorkSt.Pending || st === WorkSt.RunningPending;
const isRunning = (st: WorkSt): boolean => st === WorkSt.Running || st === WorkSt.RunningPending;

/** The threads inside an attribute's show(), with the line of the `show` (kernfs active references). */
export function attrReaders(k: Kernel, a: number): Reader[] {
  return sectionReaders(k, 'show', a, 'show');
}

/** Why thread i is in atomic context (language.md §9), in a few words, or null. */
export function atomicReason(k: Kernel, i: number): string | null {
  const a = k.atomicContext(k.s.threads[i]);
  if (!a) return null;
  switch (a.object.kind) {
    case 'revocable': return `inside access ${a.object.name} (RCU read-side section)`;
    case 'spinlock': return `holds spinlock ${a.object.name}`;
    case 'timer': return `timer callback ${a.object.name} (softirq)`;
    case 'irq': return `handler of irq ${a.object.name} (hard IRQ, not threaded)`;
    default: return a.object.name;
  }
}

const threadOrNone = (p: Program): string[] => [...threadNames(p), 'none'];

export const FIELDS: Record<ObjectKind, FieldDef[]> = {
  module: [
    { name: 'state', type: 'enum', values: () => MODULE_STATE_NAMES, get: (k, x) => MODULE_STATE_NAMES[k.s.modules[x].state] },
    { name: 'refcount', type: 'number', get: (k, x) => k.s.modules[x].refs },
  ],
  device: [
    { name: 'present', type: 'bool', get: (k, x) => k.s.devices[x].present },
    { name: 'bound', type: 'bool', get: (k, x) => k.s.devices[x].bound },
    { name: 'unbinding', type: 'bool', get: (k, x) => k.s.devices[x].unbinder >= 0 },
  ],
  drm: [
    { name: 'refcount', type: 'number', get: (k, x) => k.s.drms[x].refs },
    { name: 'unplugged', type: 'bool', get: (k, x) => k.s.drms[x].unplugged },
    { name: 'freed', type: 'bool', get: (k, x) => k.s.drms[x].freed },
    { name: 'releasing', type: 'bool', get: (k, x) => k.s.drms[x].releasing },
    { name: 'readers', type: 'number', get: (k, x) => srcuReaders(k, x).length },
  ],
  revocable: [
    { name: 'revoked', type: 'bool', get: (k, x) => k.s.revocables[x].revoked },
    { name: 'readers', type: 'number', get: (k, x) => rcuReaders(k, x).length },
  ],
  data: [{ name: 'freed', type: 'bool', get: (k, x) => k.s.data[x].freed }],
  work: [
    { name: 'state', type: 'enum', values: () => WORK_STATE_NAMES, get: (k, x) => WORK_STATE_NAMES[k.s.works[x].state] },
    { name: 'disabled', type: 'bool', get: (k, x) => k.s.works[x].off },
  ],
  // version 2. A timer, an IRQ and a work share one state (Program.works): the fields name it
  // in each one's own terms.
  timer: [
    { name: 'state', type: 'enum', values: () => CALLBACK_STATES, get: (k, x) => callbackState(k.s.works[x].state) },
    { name: 'armed', type: 'bool', get: (k, x) => isPending(k.s.works[x].state) },
    { name: 'running', type: 'bool', get: (k, x) => isRunning(k.s.works[x].state) },
    { name: 'disabled', type: 'bool', get: (k, x) => k.s.works[x].off },
  ],
  irq: [
    { name: 'state', type: 'enum', values: () => CALLBACK_STATES, get: (k, x) => callbackState(k.s.works[x].state) },
    { name: 'pending', type: 'bool', get: (k, x) => isPending(k.s.works[x].state) },
    { name: 'running', type: 'bool', get: (k, x) => isRunning(k.s.works[x].state) },
    { name: 'freed', type: 'bool', get: (k, x) => k.s.works[x].off },
  ],
  kref: [
    { name: 'refcount', type: 'number', get: (k, x) => k.s.krefs[x].refs },
    { name: 'releasing', type: 'bool', get: (k, x) => k.s.krefs[x].releasing },
    { name: 'freed', type: 'bool', get: (k, x) => k.s.krefs[x].freed },
  ],
  spinlock: [
    { name: 'locked', type: 'bool', get: (k, x) => k.s.spinlocks[x].holder >= 0 },
    {
      name: 'holder', type: 'enum', values: threadOrNone,
      get: (k, x) => { const h = k.s.spinlocks[x].holder; return h >= 0 ? k.s.threads[h].name : 'none'; },
    },
    { name: 'waiters', type: 'number', get: (k, x) => waiters(k, (kind, y) => kind === 'spin' && y === x).length },
  ],
  completion: [
    { name: 'done', type: 'bool', get: (k, x) => k.s.completions[x].done },
    { name: 'waiters', type: 'number', get: (k, x) => waiters(k, (kind, y) => kind === 'completion' && y === x).length },
  ],
  cdev: [
    { name: 'deleted', type: 'bool', get: (k, x) => k.s.cdevs[x].deleted },
    { name: 'files', type: 'number', get: (k, x) => cdevFiles(k, x).length },
  ],
  attr: [
    { name: 'removed', type: 'bool', get: (k, x) => k.s.attrs[x].removed },
    { name: 'readers', type: 'number', get: (k, x) => k.s.attrs[x].active },
    { name: 'draining', type: 'bool', get: (k, x) => attrDrainer(k, x) !== null },
  ],
  fence: [
    { name: 'state', type: 'enum', values: () => FENCE_STATE_NAMES, get: (k, x) => FENCE_STATE_NAMES[k.s.fences[x].state] },
  ],
  mutex: [
    { name: 'locked', type: 'bool', get: (k, x) => k.s.mutexes[x].holder >= 0 },
    {
      name: 'holder', type: 'enum', values: threadOrNone,
      get: (k, x) => { const h = k.s.mutexes[x].holder; return h >= 0 ? k.s.threads[h].name : 'none'; },
    },
  ],
  thread: [
    { name: 'status', type: 'enum', values: () => THREAD_STATUSES, get: (k, i) => threadStatus(k, i) },
    { name: 'line', type: 'number', get: (k, i) => k.position(k.s.threads[i])?.line ?? 0 },
    { name: 'files', type: 'number', get: (k, i) => k.s.threads[i].files.filter((f) => f.st === 0).length },
    { name: 'refs', type: 'number', get: (k, i) => k.s.threads[i].refs.length },
    { name: 'locks', type: 'number', get: (k, i) => k.s.mutexes.filter((m) => m.holder === i).length },
    { name: 'srcu', type: 'number', get: (k, i) => k.s.threads[i].srcu },
    { name: 'rcu', type: 'number', get: (k, i) => k.s.threads[i].rcu.length },
    { name: 'atomic', type: 'bool', get: (k, i) => k.atomicContext(k.s.threads[i]) !== null },
    { name: 'spinlocks', type: 'number', get: (k, i) => k.s.threads[i].spinlocks.length },
  ],
  driver: [],
  ptimer: [],
};

export interface NamedObject { kind: ObjectKind; x: number; name: string }

const CALLBACK_KINDS: readonly CallbackKind[] = ['work', 'timer', 'irq'];

/** A declared object or a thread (callback threads by their `kworker/<w>`, `timer/<t>`, `irq/<i>` name). */
export function lookupObject(p: Program, name: string): NamedObject | null {
  const e = p.names.get(name);
  if (e) {
    const kind = e[0] as ObjectKind;
    // callbacks share one table (Program.works), in declaration order: not their kind's count
    if ((CALLBACK_KINDS as readonly string[]).includes(kind)) {
      const w = p.works.findIndex((wk) => wk.kind === kind && wk.name === name);
      return w >= 0 ? { kind, x: w, name } : null;
    }
    return { kind, x: e[1], name };
  }
  const slash = name.indexOf('/');
  if (slash > 0) {
    const prefix = name.slice(0, slash);
    const w = p.works.findIndex((wk) => CALLBACK_THREAD[wk.kind] === prefix && wk.name === name.slice(slash + 1));
    if (w >= 0) return { kind: 'thread', x: p.threads.length + w, name };
  }
  return null;
}

// ---------------------------------------------------------------- holders and readers

export interface Holder {
  /** binding: the device binding's reference; file: an open file; get: a thread's drm_dev_get;
   *  try_module_get: a thread's module reference; drm: a drm device with drm_holds_module;
   *  creator: a kref's first reference (kref_init), owned by no thread */
  kind: 'binding' | 'file' | 'get' | 'try_module_get' | 'drm' | 'creator';
  thread?: string;
  file?: string;
  drm?: string;
  /** version 2: the char device of a file */
  cdev?: string;
  line?: number;
  text: string;
}

export interface Reader { thread: string; line: number; text: string }

function moduleOfDrm(p: Program, x: number): number {
  return p.drivers[p.drms[x]?.driver]?.module ?? -1;
}

export function drmHolders(k: Kernel, x: number): Holder[] {
  const { p, s } = k;
  const out: Holder[] = [];
  if (s.drms[x].bindingRef && !s.drms[x].freed) {
    const dev = p.devices[p.drms[x].device]?.name ?? '?';
    out.push({ kind: 'binding', text: `the binding of ${dev} (dropped by the devres release at unbind)` });
  }
  for (const t of s.threads) {
    for (const f of t.files) {
      if (f.st === 0 && f.drm === x) {
        out.push({ kind: 'file', thread: t.name, file: f.name, line: f.open.line, text: `file ${f.name} of ${t.name} (opened at line ${f.open.line})` });
      }
    }
    for (const r of t.refs) {
      if (r.kind === 'drm' && r.x === x) out.push({ kind: 'get', thread: t.name, line: r.stmt.line, text: `${t.name}: get at line ${r.stmt.line}` });
    }
  }
  return out;
}

export function moduleHolders(k: Kernel, m: number): Holder[] {
  const { p, s } = k;
  const out: Holder[] = [];
  for (const t of s.threads) {
    for (const f of t.files) {
      if (f.st !== 0 || !f.holdsModule) continue;
      if (f.drm >= 0 && moduleOfDrm(p, f.drm) === m) {
        out.push({
          kind: 'file', thread: t.name, file: f.name, drm: p.drms[f.drm].name, line: f.open.line,
          text: `file ${f.name} on ${p.drms[f.drm].name} of ${t.name} (fops owner, opened at line ${f.open.line})`,
        });
      } else if (f.cdev >= 0 && p.drivers[p.cdevs[f.cdev]?.driver]?.module === m) {
        // version 2: a char device's file (its fops are the driver's)
        out.push({
          kind: 'file', thread: t.name, file: f.name, cdev: p.cdevs[f.cdev].name, line: f.open.line,
          text: `file ${f.name} on ${p.cdevs[f.cdev].name} of ${t.name} (fops owner, opened at line ${f.open.line})`,
        });
      }
    }
    for (const r of t.refs) {
      if (r.kind === 'module' && r.x === m) {
        out.push({ kind: 'try_module_get', thread: t.name, line: r.stmt.line, text: `${t.name}: try_module_get at line ${r.stmt.line}` });
      }
    }
  }
  p.drms.forEach((d, x) => {
    const drv = p.drivers[d.driver];
    if (drv?.drmHoldsModule && drv.module === m && !s.drms[x].freed) {
      out.push({ kind: 'drm', drm: d.name, text: `drm device ${d.name} (drm_holds_module, until its release)` });
    }
  });
  return out;
}

/** The statement that pushed frame `fi` (the frame below keeps its pc on it). */
function pusherLine(t: ThreadState, fi: number): number {
  for (let j = fi - 1; j >= 0; j--) {
    const f = t.frames[j];
    if (f.t === 0) return f.block.stmts[f.pc]?.line ?? 0;
    return f.origin.line;
  }
  return 0;
}

function sectionReaders(k: Kernel, role: 'enter' | 'access' | 'show', x: number, verb: string): Reader[] {
  const out: Reader[] = [];
  for (const t of k.s.threads) {
    t.frames.forEach((f, fi) => {
      if (f.t === 0 && f.role === role && f.guard === x) {
        const line = pusherLine(t, fi);
        out.push({ thread: t.name, line, text: `${t.name} (${verb} at line ${line}${t.status === 'oops' ? ', oopsed inside' : ''})` });
      }
    });
  }
  return out;
}

/** Threads inside an `enter x` section (SRCU readers of drm_unplug_srcu, on x). */
export function srcuReaders(k: Kernel, x: number): Reader[] {
  return sectionReaders(k, 'enter', x, 'enter');
}

/** Threads inside an `access r` section (RCU readers of r). */
export function rcuReaders(k: Kernel, r: number): Reader[] {
  return sectionReaders(k, 'access', r, 'access');
}

/** The open files of a cdev: [thread, file]. */
export function cdevFiles(k: Kernel, c: number): { thread: string; file: string; line: number }[] {
  const out: { thread: string; file: string; line: number }[] = [];
  for (const t of k.s.threads) for (const f of t.files) if (f.st === 0 && f.cdev === c) out.push({ thread: t.name, file: f.name, line: f.open.line });
  return out;
}

/** The thread whose unbind waits for attribute a's readers to leave (the kernfs drain), or null. */
export function attrDrainer(k: Kernel, a: number): string | null {
  const dev = k.p.attrs[a]?.device;
  if (!k.s.attrs[a]?.removed) return null;
  const i = k.s.threads.findIndex((t, j) => t.status === 'ready' && t.wait?.kind === 'attr' && t.wait.x === dev && !k.waitOver(j, t.wait));
  return i >= 0 ? k.s.threads[i].name : null;
}

/** The holders of a kref: its creator's reference while no thread owns it, then each thread's get. */
export function krefHolders(k: Kernel, o: number): Holder[] {
  const { p, s } = k;
  const out: Holder[] = [];
  let held = 0;
  for (const t of s.threads) {
    for (const r of t.refs) {
      if (r.kind === 'kref' && r.x === o) {
        held++;
        out.push({ kind: 'get', thread: t.name, line: r.stmt.line, text: `${t.name}: kref_get at line ${r.stmt.line}` });
      }
    }
  }
  // References nobody took with `get`: the creator's (kref_init), until a put drops it.
  const unowned = s.krefs[o].refs - held;
  if (unowned > 0 && !s.krefs[o].freed) {
    const info = p.krefs[o];
    const dev = p.devices[p.drivers[info.driver]?.device]?.name ?? '?';
    const who = info.devm ? `dropped by the devres release at the unbind of ${dev}` : 'owned by no thread: a put drops it';
    out.unshift({ kind: 'creator', text: unowned > 1 ? `${unowned} references nobody took with get (kref_init's, ${who})` : `the creator's reference (kref_init; ${who})` });
  }
  return out;
}

/** Threads blocked on something, with what they wait for, filtered by a predicate on the wait. */
export function waiters(k: Kernel, pred: (kind: string, x: number) => boolean): string[] {
  const out: string[] = [];
  k.s.threads.forEach((t, i) => {
    if (t.status === 'ready' && t.wait && !k.waitOver(i, t.wait) && pred(t.wait.kind, t.wait.x)) out.push(t.name);
  });
  return out;
}

// ---------------------------------------------------------------- frames

export interface FrameView {
  name: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** index into the thread's frames */
  index: number;
  /** a sourceless frame (thread exit) */
  label: boolean;
}

/** Code frames (and a thread's exit when nothing else is left), innermost first. */
export function visibleFrames(k: Kernel, i: number): FrameView[] {
  const t = k.s.threads[i];
  const out: FrameView[] = [];
  for (let fi = t.frames.length - 1; fi >= 0; fi--) {
    const f = t.frames[fi];
    if (f.t === 1) {
      // Sourceless work (devres release, frees) shows through its statement below, except
      // at thread exit, which has nothing below it.
      if (fi === 0) out.push({ name: `${t.name} exits (${f.label === 'exit' ? 'closes its files' : f.label})`, line: f.origin.line, column: f.origin.column, index: fi, label: true });
      continue;
    }
    const st = f.block.stmts[f.pc];
    let line = st?.line ?? f.block.range.end.line;
    let column = st?.column ?? f.block.range.end.column;
    if (out.length === 0 && t.wait) {
      line = t.wait.loc.line;
      column = t.wait.loc.column;
    }
    out.push({ name: frameName(k, t, fi, f), line, column, endLine: st?.endLine, endColumn: st?.endColumn, index: fi, label: false });
  }
  return out;
}

function frameName(k: Kernel, t: ThreadState, fi: number, f: CodeFrame): string {
  const p = k.p;
  const below = fi > 0 ? t.frames[fi - 1] : null;
  const pusher = below && below.t === 0 ? below.block.stmts[below.pc] : null;
  switch (f.role) {
    case 'body': return t.name;
    case 'work': {
      const cb = p.works[t.work];
      return cb ? `${cb.kind === 'irq' ? 'handler of irq' : cb.kind} ${cb.name}` : 'work ?';
    }
    case 'handler': return f.handler ? `${f.handler.event} (${f.handler.target})` : 'handler';
    case 'ioctl': return `ioctl ${pusher?.kind === 'ioctl' ? pusher.fileName : ''}`.trim();
    case 'enter': return `enter ${p.drms[f.guard]?.name ?? ''}`.trim();
    case 'access': return `access ${p.revocables[f.guard]?.name ?? ''}`.trim();
    case 'show': return `show ${p.attrs[f.guard]?.name ?? ''}`.trim();
    case 'else': {
      const g = pusher?.kind === 'enter' ? p.drms[pusher.drm]?.name : pusher?.kind === 'access' ? p.revocables[pusher.revocable]?.name : '';
      return pusher ? `else of ${pusher.kind} ${g}` : 'else';
    }
    case 'repeat': {
      const n = pusher?.kind === 'repeat' ? pusher.count : 0;
      return `repeat ${n} (iteration ${n - f.repeatLeft + 1})`;
    }
  }
}

/** How deep a thread is, counting only the frames the user sees. */
export function codeDepth(t: ThreadState): number {
  let d = 0;
  for (const f of t.frames) if (f.t === 0) d++;
  return d;
}
