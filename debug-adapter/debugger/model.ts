// The variables view and the `lifetime/state` event: what the state looks like to a user.
// Every expandable node has a key that depends only on names (`L/card0`, `T/app/files`), so
// the session can give it the same variablesReference at every stop and the client marks
// what changed.

import { FENCE_STATE_NAMES, MODULE_STATE_NAMES, WORK_STATE_NAMES, type Kernel } from '../runtime/kernel';
import { formatDuration } from '../../grammar/ast';
import { FenceSt, WorkSt, type Fault, type FileState, type HeldRef } from '../runtime/state';
import { objectName, type DataInfo, type Program } from '../runtime/program';
import {
  FIELDS, atomicReason, attrDrainer, attrReaders, callbackThread, cdevFiles, drmHolders, krefHolders, lookupObject, moduleHolders,
  rcuReaders, srcuReaders, threadStatus, visibleFrames, waiters,
  type Holder, type ObjectKind, type Reader,
} from './objects';

export interface VarNode {
  name: string;
  value: string;
  type?: string;
  /** set when the node expands */
  key?: string;
  /** the expression that evaluates to it (watch, data breakpoints) */
  evaluateName?: string;
}

export const LIFETIMES_KEY = 'L';
export const FAULTS_KEY = 'F';
export const threadKey = (name: string): string => `T/${name}`;

type Table =
  | 'modules' | 'devices' | 'drms' | 'revocables' | 'data' | 'works' | 'fences' | 'mutexes'
  | 'krefs' | 'spinlocks' | 'completions' | 'cdevs' | 'attrs';

/** The Lifetimes scope's objects, in this order; timers and irqs are the `works` of their kind. */
const OBJECT_KINDS: { kind: ObjectKind; table: Table }[] = [
  { kind: 'module', table: 'modules' },
  { kind: 'device', table: 'devices' },
  { kind: 'drm', table: 'drms' },
  { kind: 'revocable', table: 'revocables' },
  { kind: 'data', table: 'data' },
  { kind: 'work', table: 'works' },
  { kind: 'fence', table: 'fences' },
  { kind: 'mutex', table: 'mutexes' },
  // version 2
  { kind: 'timer', table: 'works' },
  { kind: 'irq', table: 'works' },
  { kind: 'kref', table: 'krefs' },
  { kind: 'spinlock', table: 'spinlocks' },
  { kind: 'completion', table: 'completions' },
  { kind: 'cdev', table: 'cdevs' },
  { kind: 'attr', table: 'attrs' },
];

/** The objects of one kind: name and index in its table (the callbacks of that kind only). */
function objectsOf(p: Program, kind: ObjectKind, table: Table): { name: string; x: number }[] {
  const out: { name: string; x: number }[] = [];
  (p[table] as { name: string; kind?: string }[]).forEach((o, x) => {
    if (table !== 'works' || o.kind === kind) out.push({ name: o.name, x });
  });
  return out;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** A timer's fire time, or an IRQ's / work's start, for a pending callback: run mode only. */
function pendingAt(k: Kernel, x: number): string {
  return k.mode === 'run' ? formatDuration(k.s.works[x].startAt) : 'any time (explore)';
}

export function objectSummary(k: Kernel, kind: ObjectKind, x: number): string {
  const { p, s } = k;
  switch (kind) {
    case 'module': return `${MODULE_STATE_NAMES[s.modules[x].state]}, refcount ${s.modules[x].refs}`;
    case 'device': {
      const d = s.devices[x];
      const drv = p.drivers[p.devices[x].driver]?.name;
      return `${d.present ? 'present' : 'gone'}, ${d.bound ? `bound to ${drv}` : 'unbound'}${d.unbinder >= 0 ? `, being unbound by ${s.threads[d.unbinder].name}` : ''}`;
    }
    case 'drm': {
      const d = s.drms[x];
      const flags = [d.unplugged && 'unplugged', d.releasing && 'releasing', d.freed && 'freed'].filter(Boolean);
      return `refcount ${d.refs}${flags.length ? `, ${flags.join(', ')}` : ''}`;
    }
    case 'revocable': {
      const n = rcuReaders(k, x).length;
      return `${s.revocables[x].revoked ? 'revoked' : 'live'}${n ? `, ${n} reader${n > 1 ? 's' : ''}` : ''}`;
    }
    case 'data': {
      const info = p.data[x];
      return `${s.data[x].freed ? 'freed' : 'live'} (${dataOwner(p, info)})`;
    }
    case 'work': {
      const w = s.works[x];
      return w.state === WorkSt.Pending && k.mode === 'run' ? `pending, starts at ${formatDuration(w.startAt)}` : WORK_STATE_NAMES[w.state];
    }
    case 'fence': {
      const f = s.fences[x];
      if (f.state !== FenceSt.Pending) return FENCE_STATE_NAMES[f.state];
      if (k.mode === 'explore') return f.live ? 'pending' : 'pending, never completes (device gone)';
      return f.completeAt >= 0 ? `pending, completes at ${formatDuration(f.completeAt)}` : 'pending, never completes (device gone)';
    }
    case 'mutex': {
      const h = s.mutexes[x].holder;
      return h >= 0 ? `held by ${s.threads[h].name}` : 'free';
    }
    case 'timer': {
      const w = s.works[x];
      const off = w.off ? ', shut down' : '';
      switch (w.state) {
        case WorkSt.Idle: return w.off ? 'shut down (arms do nothing)' : 'idle';
        case WorkSt.Pending: return `armed, fires at ${pendingAt(k, x)}${off}`;
        case WorkSt.Running: return `running on timer/${p.works[x].name}${off}`;
        case WorkSt.RunningPending: return `running on timer/${p.works[x].name}, armed again (fires at ${pendingAt(k, x)})${off}`;
      }
      return '';
    }
    case 'irq': {
      const w = s.works[x];
      const req = w.off ? 'freed' : 'requested';
      switch (w.state) {
        case WorkSt.Idle: return req;
        case WorkSt.Pending: return `${req}, handler pending`;
        case WorkSt.Running: return `${req}, handler running on irq/${p.works[x].name}`;
        case WorkSt.RunningPending: return `${req}, handler running on irq/${p.works[x].name}, raised again`;
      }
      return '';
    }
    case 'kref': {
      const o = s.krefs[x];
      const flags = [o.releasing && 'releasing', o.freed && 'freed'].filter(Boolean);
      return `refcount ${o.refs}${flags.length ? `, ${flags.join(', ')}` : ''}`;
    }
    case 'spinlock': {
      const h = s.spinlocks[x].holder;
      const n = waiters(k, (kind, y) => kind === 'spin' && y === x).length;
      return `${h >= 0 ? `held by ${s.threads[h].name}` : 'free'}${n ? `, ${plural(n, 'thread')} spinning` : ''}`;
    }
    case 'completion': {
      const n = waiters(k, (kind, y) => kind === 'completion' && y === x).length;
      return `${s.completions[x].done ? 'done' : 'not done'}${n ? `, ${plural(n, 'waiter')}` : ''}`;
    }
    case 'cdev': {
      const n = cdevFiles(k, x).length;
      return `${s.cdevs[x].deleted ? 'deleted (cdev_del)' : 'registered'}${n ? `, ${plural(n, 'open file')}` : ''}`;
    }
    case 'attr': {
      const a = s.attrs[x];
      const drain = attrDrainer(k, x);
      return `${a.removed ? 'removed' : 'present'}${a.active ? `, ${plural(a.active, 'thread')} inside show` : ''}${drain ? `, ${drain} drains it` : ''}`;
    }
    case 'thread': return threadSummary(k, x);
    default: return '';
  }
}

function threadSummary(k: Kernel, i: number): string {
  const t = k.s.threads[i];
  const st = threadStatus(k, i);
  const pos = k.position(t);
  if (st === 'blocked') return `blocked at line ${pos?.line}: ${k.describeWait(t.wait!)}`;
  if (st === 'ready') return pos ? `ready at line ${pos.line}` : 'ready';
  if (st === 'idle') return `idle (its ${t.work >= 0 ? (k.p.works[t.work].kind === 'irq' ? 'handler' : k.p.works[t.work].kind === 'timer' ? 'callback' : 'work') : 'work'} is not running)`;
  if (st === 'oops') return `oopsed at line ${pos?.line ?? '?'}`;
  return 'exited';
}

const THREAD_SUBS = ['files', 'refs', 'locks', 'spinlocks', 'sections'];

/** The children of a key, or null when the key names nothing (any more). */
export function children(k: Kernel, key: string): VarNode[] | null {
  if (key === LIFETIMES_KEY) return lifetimes(k);
  if (key === FAULTS_KEY) return faults(k);
  const parts = key.split('/');
  if (parts[0] === 'L') return objectChildren(k, parts[1], parts[2]);
  if (parts[0] === 'T') {
    // kworker names hold a slash: kworker/<work>
    const rest = parts.slice(1);
    const sub = rest.length > 1 && THREAD_SUBS.includes(rest[rest.length - 1]) ? rest.pop() : undefined;
    const i = k.threadIndex(rest.join('/'));
    return i < 0 ? null : threadChildren(k, i, sub);
  }
  return null;
}

function lifetimes(k: Kernel): VarNode[] {
  const { p, s } = k;
  const out: VarNode[] = [
    { name: 'clock', value: k.mode === 'explore' ? 'untimed (explore semantics)' : formatDuration(s.clock), type: 'time', evaluateName: 'clock' },
    { name: 'step', value: String(s.steps), type: 'number', evaluateName: 'step' },
  ];
  for (const { kind, table } of OBJECT_KINDS) {
    for (const o of objectsOf(p, kind, table)) {
      out.push({ name: o.name, value: objectSummary(k, kind, o.x), type: kind, key: `L/${o.name}`, evaluateName: o.name });
    }
  }
  out.push({ name: 'faults', value: s.faults.length ? s.faults.map((f) => f.kind).join(', ') : 'none', type: 'faults', key: s.faults.length ? FAULTS_KEY : undefined });
  return out;
}

function faults(k: Kernel): VarNode[] {
  return k.s.faults.map((f, n) => ({
    name: `${n + 1}`, value: `${f.kind} in ${f.thread} at line ${f.line}:${f.column}, ${formatDuration(f.time_ns)}: ${f.message}`, type: f.kind,
  }));
}

function field(k: Kernel, kind: ObjectKind, obj: string, x: number, name: string, extra: Partial<VarNode> = {}): VarNode {
  const def = FIELDS[kind].find((f) => f.name === name)!;
  const v = def.get(k, x);
  return { name, value: def.type === 'time' ? formatDuration(v as number) : String(v), type: def.type, evaluateName: `${obj}.${name}`, ...extra };
}

function holderNodes(hs: Holder[]): VarNode[] {
  if (!hs.length) return [{ name: '(none)', value: 'nobody holds a reference' }];
  return hs.map((h, n) => ({ name: `${n + 1}`, value: h.text, type: h.kind }));
}

function readerNodes(rs: Reader[]): VarNode[] {
  return rs.map((r) => ({ name: r.thread, value: r.text }));
}

function objectChildren(k: Kernel, name: string | undefined, sub: string | undefined): VarNode[] | null {
  if (!name) return null;
  const o = lookupObject(k.p, name);
  if (!o || o.kind === 'thread') return null;
  const { p, s } = k;
  const x = o.x;
  const key = `L/${name}`;
  switch (o.kind) {
    case 'module': {
      const hs = moduleHolders(k, x);
      if (sub === 'refcount') return holderNodes(hs);
      return [
        field(k, 'module', name, x, 'state'),
        field(k, 'module', name, x, 'refcount', { key: `${key}/refcount` }),
        { name: 'holders', value: hs.length ? hs.map((h) => h.thread ?? h.drm ?? h.kind).join(', ') : 'none' },
        { name: 'drivers', value: p.drivers.filter((d) => d.module === x).map((d) => d.name).join(', ') || 'none' },
      ];
    }
    case 'device': {
      const d = s.devices[x];
      const drv = p.drivers[p.devices[x].driver];
      return [
        field(k, 'device', name, x, 'present'),
        field(k, 'device', name, x, 'bound'),
        { name: 'driver', value: drv ? `${drv.name}${d.bound ? '' : ' (unbound)'}` : 'none' },
        field(k, 'device', name, x, 'unbinding', d.unbinder >= 0 ? { value: `true (by ${s.threads[d.unbinder].name})` } : {}),
      ];
    }
    case 'drm': {
      const hs = drmHolders(k, x);
      const rs = srcuReaders(k, x);
      if (sub === 'refcount') return holderNodes(hs);
      if (sub === 'readers') return readerNodes(rs);
      const drv = p.drivers[p.drms[x].driver];
      return [
        field(k, 'drm', name, x, 'refcount', { key: `${key}/refcount` }),
        field(k, 'drm', name, x, 'unplugged'),
        field(k, 'drm', name, x, 'releasing'),
        field(k, 'drm', name, x, 'freed'),
        { name: 'holders', value: hs.length ? hs.map((h) => h.thread ?? h.kind).join(', ') : 'none' },
        field(k, 'drm', name, x, 'readers', rs.length ? { key: `${key}/readers`, value: `${rs.length} (${rs.map((r) => r.thread).join(', ')})` } : {}),
        { name: 'device', value: p.devices[p.drms[x].device]?.name ?? '?' },
        { name: 'driver', value: drv ? `${drv.name}${drv.drmHoldsModule ? ' (drm_holds_module)' : ''}` : 'none' },
      ];
    }
    case 'revocable': {
      const rs = rcuReaders(k, x);
      if (sub === 'readers') return readerNodes(rs);
      return [
        field(k, 'revocable', name, x, 'revoked'),
        field(k, 'revocable', name, x, 'readers', rs.length ? { key: `${key}/readers`, value: `${rs.length} (${rs.map((r) => r.thread).join(', ')})` } : {}),
        { name: 'device', value: p.devices[p.revocables[x].device]?.name ?? '?' },
      ];
    }
    case 'data': {
      const info = p.data[x];
      const how = info.managed === 'devm' ? 'freed at unbind' : info.managed === 'drmm' ? 'freed with its drm device' : 'owned by nobody: only free frees it';
      return [
        field(k, 'data', name, x, 'freed'),
        { name: 'managed', value: `${dataOwner(p, info)} (${how})` },
      ];
    }
    case 'work': {
      const w = s.works[x];
      const kw = k.threadIndex(callbackThread(p, x));
      return [
        field(k, 'work', name, x, 'state'),
        field(k, 'work', name, x, 'disabled'),
        { name: 'starts at', value: w.state === WorkSt.Pending ? (k.mode === 'run' ? formatDuration(w.startAt) : 'any time (explore)') : '-' },
        { name: 'kworker', value: kw >= 0 ? `${callbackThread(p, x)}: ${threadSummary(k, kw)}` : '?' },
        { name: 'module', value: p.modules[p.works[x].module]?.name ?? '?' },
      ];
    }
    case 'timer': {
      const w = s.works[x];
      const th = callbackThread(p, x);
      const pending = w.state === WorkSt.Pending || w.state === WorkSt.RunningPending;
      return [
        field(k, 'timer', name, x, 'state'),
        field(k, 'timer', name, x, 'armed'),
        { name: 'fires at', value: pending ? pendingAt(k, x) : '-' },
        field(k, 'timer', name, x, 'running'),
        field(k, 'timer', name, x, 'disabled', w.off ? { value: 'true (timer_shutdown_sync: later arms do nothing)' } : {}),
        { name: 'callback', value: `${th}: ${threadSummary(k, k.threadIndex(th))}` },
        { name: 'driver', value: `${p.drivers[p.works[x].driver]?.name ?? '?'} (module ${p.modules[p.works[x].module]?.name ?? '?'}; atomic context)` },
      ];
    }
    case 'irq': {
      const w = s.works[x];
      const th = callbackThread(p, x);
      const cb = p.works[x];
      return [
        field(k, 'irq', name, x, 'state'),
        field(k, 'irq', name, x, 'pending'),
        field(k, 'irq', name, x, 'running'),
        field(k, 'irq', name, x, 'freed', { value: w.off ? 'true (later raises do nothing)' : 'false (requested)' }),
        { name: 'handler', value: `${th}: ${threadSummary(k, k.threadIndex(th))}` },
        { name: 'device', value: `${p.devices[cb.device]?.name ?? '?'}${cb.devm ? ' (devm_request_irq: freed by the devres release)' : ''}` },
        { name: 'context', value: cb.atomic ? 'hard IRQ (atomic)' : 'threaded (may sleep)' },
      ];
    }
    case 'kref': {
      const hs = krefHolders(k, x);
      if (sub === 'refcount') return holderNodes(hs);
      const info = p.krefs[x];
      return [
        field(k, 'kref', name, x, 'refcount', { key: `${key}/refcount` }),
        field(k, 'kref', name, x, 'releasing'),
        field(k, 'kref', name, x, 'freed'),
        { name: 'holders', value: hs.length ? hs.map((h) => h.thread ?? h.kind).join(', ') : 'none' },
        { name: 'release', value: info.release ? `on release ${info.name} (module ${p.modules[info.module]?.name ?? '?'})` : 'none' },
        { name: 'driver', value: `${p.drivers[info.driver]?.name ?? '?'}${info.devm ? ' (devm: the devres release drops the first reference)' : ''}` },
      ];
    }
    case 'spinlock': {
      const m = s.spinlocks[x];
      const ws = waiters(k, (kind, y) => kind === 'spin' && y === x);
      return [
        field(k, 'spinlock', name, x, 'locked'),
        field(k, 'spinlock', name, x, 'holder', m.holder >= 0 ? { value: `${s.threads[m.holder].name} (locked at line ${p.stmts[m.lockStmt]?.line ?? '?'})` } : {}),
        field(k, 'spinlock', name, x, 'waiters', ws.length ? { value: `${ws.length} (${ws.join(', ')}, spinning)` } : {}),
      ];
    }
    case 'completion': {
      const ws = waiters(k, (kind, y) => kind === 'completion' && y === x);
      return [
        field(k, 'completion', name, x, 'done'),
        field(k, 'completion', name, x, 'waiters', ws.length ? { value: `${ws.length} (${ws.join(', ')})` } : {}),
      ];
    }
    case 'cdev': {
      const fs = cdevFiles(k, x);
      if (sub === 'files') return fs.map((f) => ({ name: `${f.thread}: ${f.file}`, value: `opened at line ${f.line}` }));
      return [
        field(k, 'cdev', name, x, 'deleted', s.cdevs[x].deleted ? { value: 'true (cdev_del: new opens fail, open files keep working)' } : {}),
        field(k, 'cdev', name, x, 'files', fs.length ? { key: `${key}/files`, value: `${fs.length} (${fs.map((f) => `${f.file} of ${f.thread}`).join(', ')})` } : {}),
        { name: 'device', value: p.devices[p.cdevs[x].device]?.name ?? '?' },
        { name: 'driver', value: p.drivers[p.cdevs[x].driver]?.name ?? 'none' },
      ];
    }
    case 'attr': {
      const rs = attrReaders(k, x);
      if (sub === 'readers') return readerNodes(rs);
      const drain = attrDrainer(k, x);
      return [
        field(k, 'attr', name, x, 'removed'),
        field(k, 'attr', name, x, 'readers', rs.length ? { key: `${key}/readers`, value: `${rs.length} (${rs.map((r) => r.thread).join(', ')})` } : {}),
        field(k, 'attr', name, x, 'draining', drain ? { value: `true (${drain} waits in the unbind for the readers to leave)` } : {}),
        { name: 'device', value: p.devices[p.attrs[x].device]?.name ?? '?' },
      ];
    }
    case 'fence': {
      const f = s.fences[x];
      const ws = waiters(k, (kind, y) => (kind === 'fence' || kind === 'poll') && y === x);
      return [
        field(k, 'fence', name, x, 'state'),
        { name: 'completes at', value: f.state !== FenceSt.Pending ? '-' : k.mode === 'explore' ? (f.live ? 'any time (explore)' : 'never') : f.completeAt >= 0 ? formatDuration(f.completeAt) : 'never (device gone)' },
        { name: 'waiters', value: ws.length ? ws.join(', ') : 'none' },
        { name: 'device', value: `${p.devices[p.fences[x].device]?.name ?? '?'} (takes ${formatDuration(p.fences[x].takesNs)})` },
      ];
    }
    case 'mutex': {
      const m = s.mutexes[x];
      const ws = waiters(k, (kind, y) => kind === 'mutex' && y === x);
      return [
        field(k, 'mutex', name, x, 'locked'),
        field(k, 'mutex', name, x, 'holder', m.holder >= 0 ? { value: `${s.threads[m.holder].name} (locked at line ${p.stmts[m.lockStmt]?.line ?? '?'})` } : {}),
        { name: 'waiters', value: ws.length ? ws.join(', ') : 'none' },
      ];
    }
    default:
      return null;
  }
}

function threadChildren(k: Kernel, i: number, sub: string | undefined): VarNode[] {
  const { p, s } = k;
  const t = s.threads[i];
  const name = t.name;
  const key = threadKey(name);
  const open = t.files.filter((f) => f.st === 0);
  const locks = s.mutexes.map((m, x) => ({ m, x })).filter(({ m }) => m.holder === i);
  const sections: VarNode[] = [];
  t.frames.forEach((f, fi) => {
    if (f.t !== 0 || (f.role !== 'enter' && f.role !== 'access')) return;
    const below = t.frames[fi - 1];
    const line = below && below.t === 0 ? below.block.stmts[below.pc]?.line : undefined;
    const what = f.role === 'enter' ? `enter ${p.drms[f.guard]?.name} (SRCU)` : `access ${p.revocables[f.guard]?.name} (RCU)`;
    sections.push({ name: what, value: `since line ${line ?? '?'}` });
  });
  switch (sub) {
    case 'files':
      return t.files.map((f) => {
        const on = fileTarget(k, f);
        const mod = f.drm >= 0 ? p.drivers[p.drms[f.drm].driver]?.module : p.drivers[p.cdevs[f.cdev]?.driver]?.module;
        return {
          name: f.name,
          value: f.st === 0
            ? `open on ${on}${f.holdsModule ? ` (pins module ${p.modules[mod ?? -1]?.name})` : ''}, opened at line ${f.open.line}`
            : f.st === 1 ? `closed (was on ${on})` : `failed to open ${on} (${f.drm >= 0 ? 'ENODEV' : 'ENXIO or ENODEV'})`,
        };
      });
    case 'refs':
      return t.refs.map((r, n) => ({
        name: `${n + 1}`,
        value: r.kind === 'drm' ? `${p.drms[r.x].name}: get at line ${r.stmt.line}`
          : r.kind === 'kref' ? `${p.krefs[r.x].name}: kref_get at line ${r.stmt.line}`
          : `${p.modules[r.x].name}: try_module_get at line ${r.stmt.line}`,
      }));
    case 'locks':
      return locks.map(({ m, x }) => ({ name: p.mutexes[x].name, value: `locked at line ${p.stmts[m.lockStmt]?.line ?? '?'}` }));
    case 'spinlocks':
      return t.spinlocks.map((x) => ({ name: p.spinlocks[x].name, value: `locked at line ${p.stmts[s.spinlocks[x].lockStmt]?.line ?? '?'} (atomic context until unlock)` }));
    case 'sections':
      return sections;
  }
  const st = threadStatus(k, i);
  const pos = k.position(t);
  const out: VarNode[] = [
    { name: 'status', value: st, type: 'enum', evaluateName: `${name}.status` },
    { name: 'waits for', value: t.wait && st === 'blocked' ? k.describeWait(t.wait) : t.wait ? `${k.describeWait(t.wait)} (over: its next step completes it)` : 'nothing' },
    { name: 'line', value: String(pos?.line ?? 0), type: 'number', evaluateName: `${name}.line` },
    { name: 'files', value: `${open.length}`, type: 'number', evaluateName: `${name}.files`, key: t.files.length ? `${key}/files` : undefined },
    { name: 'refs', value: `${t.refs.length}`, type: 'number', evaluateName: `${name}.refs`, key: t.refs.length ? `${key}/refs` : undefined },
    { name: 'locks', value: `${locks.length}${locks.length ? ` (${locks.map(({ x }) => p.mutexes[x].name).join(', ')})` : ''}`, type: 'number', evaluateName: `${name}.locks`, key: locks.length ? `${key}/locks` : undefined },
    { name: 'srcu', value: `${t.srcu}`, type: 'number', evaluateName: `${name}.srcu` },
    { name: 'rcu', value: `${t.rcu.length}${t.rcu.length ? ` (${t.rcu.map((r) => p.revocables[r].name).join(', ')})` : ''}`, type: 'number', evaluateName: `${name}.rcu` },
    { name: 'sections', value: sections.length ? sections.map((x) => x.name).join(', ') : 'none', key: sections.length ? `${key}/sections` : undefined },
  ];
  // atomic context and why (an access block; version 2: a spinlock, an atomic callback); the spinlocks held
  {
    const why = atomicReason(k, i);
    out.push(
      { name: 'atomic', value: why ? `true (${why})` : 'false', type: 'bool', evaluateName: `${name}.atomic` },
      {
        name: 'spinlocks', value: `${t.spinlocks.length}${t.spinlocks.length ? ` (${t.spinlocks.map((x) => p.spinlocks[x].name).join(', ')})` : ''}`,
        type: 'number', evaluateName: `${name}.spinlocks`, key: t.spinlocks.length ? `${key}/spinlocks` : undefined,
      },
    );
  }
  if (t.work >= 0) {
    const cb = p.works[t.work];
    out.push({ name: cb.kind, value: `${cb.name}: ${objectSummary(k, cb.kind, t.work)}` });
  }
  else if (p.threads[i]?.description) out.push({ name: 'description', value: p.threads[i].description });
  return out;
}

/** How driver data is allocated: `devm on gpu0`, `drmm on card0`, or (version 2) `kzalloc`. */
function dataOwner(p: Program, info: DataInfo): string {
  switch (info.managed) {
    case 'devm': return `devm on ${p.devices[info.owner]?.name ?? '?'}`;
    case 'drmm': return `drmm on ${p.drms[info.owner]?.name ?? '?'}`;
    case 'kzalloc': return 'kzalloc';
  }
}

/** What a file is open on: a drm device or (version 2) a char device. */
function fileTarget(k: Kernel, f: FileState): string {
  return f.drm >= 0 ? k.p.drms[f.drm]?.name ?? '?' : k.p.cdevs[f.cdev]?.name ?? '?';
}

// ---------------------------------------------------------------- lifetime/state event

export interface ThreadStateJson {
  id: number;
  name: string;
  status: string;
  line: number | null;
  column: number | null;
  frames: { name: string; line: number; column: number }[];
  waitsFor: string | null;
  /** drm: the drm device it is open on, cdev (version 2) the char device; the other is null */
  files: { name: string; drm: string | null; cdev: string | null; state: 'open' | 'closed' | 'failed'; holdsModule: boolean; line: number }[];
  refs: { kind: HeldRef['kind']; target: string; line: number }[];
  locks: string[];
  /** version 2: the spinlocks it holds, in locking order */
  spinlocks: string[];
  /** why it is in atomic context, or null */
  atomic: string | null;
  srcu: string[];
  rcu: string[];
}

export interface LifetimeStateJson {
  reason: string;
  mode: 'run' | 'explore';
  /** actions in the history (thread steps and clock advances) */
  position: number;
  /** kernel steps */
  step: number;
  time_ns: number;
  clock: string;
  ended: boolean;
  objects: {
    modules: Record<string, { state: string; refcount: number; holders: Holder[] }>;
    devices: Record<string, { present: boolean; bound: string | null; unbinding: string | null }>;
    drm: Record<string, { refcount: number; unplugged: boolean; freed: boolean; releasing: boolean; holders: Holder[]; readers: Reader[] }>;
    revocables: Record<string, { revoked: boolean; readers: Reader[] }>;
    data: Record<string, { managed: DataInfo['managed']; freed: boolean }>;
    works: Record<string, { state: string; startsAt_ns: number | null }>;
    fences: Record<string, { state: string; completesAt_ns: number | null; waiters: string[] }>;
    mutexes: Record<string, { holder: string | null; line: number | null; waiters: string[] }>;
    // version 2 (`works` above lists every callback, timers and irqs included, by its work state)
    timers: Record<string, { state: string; armed: boolean; running: boolean; disabled: boolean; firesAt_ns: number | null }>;
    irqs: Record<string, { freed: boolean; state: string; pending: boolean; running: boolean }>;
    krefs: Record<string, { refcount: number; releasing: boolean; freed: boolean; holders: Holder[] }>;
    spinlocks: Record<string, { holder: string | null; line: number | null; waiters: string[] }>;
    completions: Record<string, { done: boolean; waiters: string[] }>;
    cdevs: Record<string, { deleted: boolean; files: { thread: string; file: string; line: number }[] }>;
    attrs: Record<string, { removed: boolean; readers: Reader[]; drainedBy: string | null }>;
  };
  threads: ThreadStateJson[];
  faults: Pick<Fault, 'kind' | 'thread' | 'line' | 'column' | 'time_ns' | 'message' | 'objects'>[];
}

export function isThreadVisible(k: Kernel, i: number): boolean {
  const t = k.s.threads[i];
  return t.work < 0 || t.status !== 'idle' || k.s.order.includes(i);
}

export function stateJson(k: Kernel, reason: string, position: number): LifetimeStateJson {
  const { p, s } = k;
  const rec = <T>(names: { name: string }[], f: (x: number) => T): Record<string, T> => {
    const out: Record<string, T> = {};
    names.forEach((n, x) => { out[n.name] = f(x); });
    return out;
  };
  const recOf = <T>(kind: 'timer' | 'irq', f: (x: number) => T): Record<string, T> => {
    const out: Record<string, T> = {};
    for (const o of objectsOf(p, kind, 'works')) out[o.name] = f(o.x);
    return out;
  };
  const threads: ThreadStateJson[] = [];
  s.threads.forEach((t, i) => {
    if (!isThreadVisible(k, i)) return;
    const pos = k.position(t);
    threads.push({
      id: i + 1,
      name: t.name,
      status: threadStatus(k, i),
      line: pos?.line ?? null,
      column: pos?.column ?? null,
      frames: visibleFrames(k, i).map((f) => ({ name: f.name, line: f.line, column: f.column })),
      waitsFor: t.wait && t.status === 'ready' ? k.describeWait(t.wait) : null,
      files: t.files.map((f) => ({
        name: f.name, drm: f.drm >= 0 ? p.drms[f.drm].name : null, cdev: f.cdev >= 0 ? p.cdevs[f.cdev].name : null,
        state: f.st === 0 ? 'open' : f.st === 1 ? 'closed' : 'failed', holdsModule: f.holdsModule, line: f.open.line,
      })),
      refs: t.refs.map((r) => ({ kind: r.kind, target: objectName(p, { kind: r.kind, index: r.x }) ?? '?', line: r.stmt.line })),
      locks: s.mutexes.flatMap((m, x) => (m.holder === i ? [p.mutexes[x].name] : [])),
      spinlocks: t.spinlocks.map((x) => p.spinlocks[x].name),
      atomic: atomicReason(k, i),
      srcu: t.frames.flatMap((f) => (f.t === 0 && f.role === 'enter' ? [p.drms[f.guard]?.name ?? '?'] : [])),
      rcu: t.rcu.map((r) => p.revocables[r].name),
    });
  });
  return {
    reason,
    mode: k.mode,
    position,
    step: s.steps,
    time_ns: s.clock,
    clock: formatDuration(s.clock),
    ended: s.ended,
    objects: {
      modules: rec(p.modules, (x) => ({ state: MODULE_STATE_NAMES[s.modules[x].state], refcount: s.modules[x].refs, holders: moduleHolders(k, x) })),
      devices: rec(p.devices, (x) => ({
        present: s.devices[x].present,
        bound: s.devices[x].bound ? p.drivers[p.devices[x].driver]?.name ?? null : null,
        unbinding: s.devices[x].unbinder >= 0 ? s.threads[s.devices[x].unbinder].name : null,
      })),
      drm: rec(p.drms, (x) => ({
        refcount: s.drms[x].refs, unplugged: s.drms[x].unplugged, freed: s.drms[x].freed, releasing: s.drms[x].releasing,
        holders: drmHolders(k, x), readers: srcuReaders(k, x),
      })),
      revocables: rec(p.revocables, (x) => ({ revoked: s.revocables[x].revoked, readers: rcuReaders(k, x) })),
      data: rec(p.data, (x) => ({ managed: p.data[x].managed, freed: s.data[x].freed })),
      works: rec(p.works, (x) => ({
        state: WORK_STATE_NAMES[s.works[x].state],
        startsAt_ns: s.works[x].state === WorkSt.Pending && k.mode === 'run' ? s.works[x].startAt : null,
      })),
      fences: rec(p.fences, (x) => ({
        state: FENCE_STATE_NAMES[s.fences[x].state],
        completesAt_ns: s.fences[x].state === FenceSt.Pending && s.fences[x].completeAt >= 0 && k.mode === 'run' ? s.fences[x].completeAt : null,
        waiters: waiters(k, (kind, y) => (kind === 'fence' || kind === 'poll') && y === x),
      })),
      mutexes: rec(p.mutexes, (x) => ({
        holder: s.mutexes[x].holder >= 0 ? s.threads[s.mutexes[x].holder].name : null,
        line: s.mutexes[x].holder >= 0 ? p.stmts[s.mutexes[x].lockStmt]?.line ?? null : null,
        waiters: waiters(k, (kind, y) => kind === 'mutex' && y === x),
      })),
      timers: recOf('timer', (x) => {
        const f = (n: string) => FIELDS.timer.find((d) => d.name === n)!.get(k, x);
        return {
          state: f('state') as string, armed: f('armed') as boolean, running: f('running') as boolean, disabled: f('disabled') as boolean,
          firesAt_ns: f('armed') && k.mode === 'run' ? s.works[x].startAt : null,
        };
      }),
      irqs: recOf('irq', (x) => {
        const f = (n: string) => FIELDS.irq.find((d) => d.name === n)!.get(k, x);
        return { freed: f('freed') as boolean, state: f('state') as string, pending: f('pending') as boolean, running: f('running') as boolean };
      }),
      krefs: rec(p.krefs, (x) => ({ refcount: s.krefs[x].refs, releasing: s.krefs[x].releasing, freed: s.krefs[x].freed, holders: krefHolders(k, x) })),
      spinlocks: rec(p.spinlocks, (x) => ({
        holder: s.spinlocks[x].holder >= 0 ? s.threads[s.spinlocks[x].holder].name : null,
        line: s.spinlocks[x].holder >= 0 ? p.stmts[s.spinlocks[x].lockStmt]?.line ?? null : null,
        waiters: waiters(k, (kind, y) => kind === 'spin' && y === x),
      })),
      completions: rec(p.completions, (x) => ({ done: s.completions[x].done, waiters: waiters(k, (kind, y) => kind === 'completion' && y === x) })),
      cdevs: rec(p.cdevs, (x) => ({ deleted: s.cdevs[x].deleted, files: cdevFiles(k, x) })),
      attrs: rec(p.attrs, (x) => ({ removed: s.attrs[x].removed, readers: attrReaders(k, x), drainedBy: attrDrainer(k, x) })),
    },
    threads,
    faults: s.faults.map((f) => ({ kind: f.kind, thread: f.thread, line: f.line, column: f.column, time_ns: f.time_ns, message: f.message, objects: f.objects })),
  };
}

