// What the debugger can say about each object of a scenario: its fields (the counts and
// flags that the variables view shows, that expressions compare and that data breakpoints
// watch) and who holds it. One table serves all three, so a name in the variables view is
// always a valid expression and a valid data breakpoint.

import { FENCE_STATE_NAMES, MODULE_STATE_NAMES, WORK_STATE_NAMES, type Kernel } from '../runtime/kernel';
import type { Program } from '../runtime/program';
import type { CodeFrame, ThreadState } from '../runtime/state';

export type Value = number | boolean | string;

/** How a field's value reads and compares: `time` is a number of ns shown as a duration. */
export type FieldType = 'number' | 'time' | 'bool' | 'enum';

export type ObjectKind =
  | 'module' | 'device' | 'driver' | 'drm' | 'revocable' | 'ptimer' | 'fence' | 'data' | 'work' | 'mutex' | 'thread';

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
};

export type ThreadStatusName = 'ready' | 'blocked' | 'idle' | 'done' | 'oops';
export const THREAD_STATUSES: readonly ThreadStatusName[] = ['ready', 'blocked', 'idle', 'done', 'oops'];

/** Thread status as a user reads it: a thread waiting for something that does not hold yet is blocked. */
export function threadStatus(k: Kernel, i: number): ThreadStatusName {
  const t = k.s.threads[i];
  if (t.status === 'ready') return t.wait && !k.waitOver(i, t.wait) ? 'blocked' : 'ready';
  return t.status;
}

export function threadNames(p: Program): string[] {
  return [...p.threads.map((t) => t.name), ...p.works.map((w) => `kworker/${w.name}`)];
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
  ],
  driver: [],
  ptimer: [],
};

export interface NamedObject { kind: ObjectKind; x: number; name: string }

/** A declared object or a thread (kworkers by their `kworker/<work>` name). */
export function lookupObject(p: Program, name: string): NamedObject | null {
  const e = p.names.get(name);
  if (e) return { kind: e[0] as ObjectKind, x: e[1], name };
  if (name.startsWith('kworker/')) {
    const w = p.works.findIndex((wk) => wk.name === name.slice(8));
    if (w >= 0) return { kind: 'thread', x: p.threads.length + w, name };
  }
  return null;
}

// ---------------------------------------------------------------- holders and readers

export interface Holder {
  /** binding: the device binding's reference; file: an open file; get: a thread's drm_dev_get;
   *  try_module_get: a thread's module reference; drm: a drm device with drm_holds_module */
  kind: 'binding' | 'file' | 'get' | 'try_module_get' | 'drm';
  thread?: string;
  file?: string;
  drm?: string;
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
      if (f.st === 0 && f.holdsModule && moduleOfDrm(p, f.drm) === m) {
        out.push({
          kind: 'file', thread: t.name, file: f.name, drm: p.drms[f.drm].name, line: f.open.line,
          text: `file ${f.name} on ${p.drms[f.drm].name} of ${t.name} (fops owner, opened at line ${f.open.line})`,
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

function sectionReaders(k: Kernel, role: 'enter' | 'access', x: number, verb: string): Reader[] {
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
    case 'work': return `work ${p.works[t.work]?.name ?? '?'}`;
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
