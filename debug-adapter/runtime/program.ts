// Lowers a checked syntax tree into the immutable tables the simulated kernel runs on:
// every object gets an index, every statement its resolved target index and a compiled
// block. The kernel state then holds only small numbers, so it can be copied and hashed
// cheaply (the debugger's history and the explorer both depend on that).

import {
  expectThreadName,
  type Block,
  type Decl,
  type ExpectDecl,
  type FileNode,
  type HandlerEvent,
  type NamedDecl,
  type Range,
  type Stmt,
  type StmtKind,
  DEFAULT_FENCE_NS,
  type CallbackPrefix,
} from '../../grammar/ast';
import { stmtBlocking, targetKinds, targetRow, type TargetKey } from '../../grammar/statements';
import { STMT_SEMANTICS, semantics, type LowerCx } from './stmts';
import type { DataOperands } from './stmts/data';
import type { DeviceOperands } from './stmts/device';
import type { DrmOperands } from './stmts/drm';
import type { FenceOperands } from './stmts/fence';
import type { FileOperands } from './stmts/file';
import type { ModuleOperands } from './stmts/module';
import type { MutexOperands } from './stmts/mutex';
import type { RevocableOperands } from './stmts/revocable';
import type { SyncOperands } from './stmts/sync';
import type { ThreadOperands } from './stmts/thread';
import type { WorkOperands } from './stmts/work';
import type { CdevOperands } from './stmts/cdev';
import type { AttrOperands } from './stmts/attr';
import type { TimerOperands } from './stmts/timer';
import type { IrqOperands } from './stmts/irq';

export type ObjKind =
  | 'module' | 'device' | 'driver' | 'drm' | 'revocable' | 'ptimer' | 'fence' | 'data' | 'work' | 'mutex' | 'thread'
  | 'cdev' | 'attr' | 'kref' | 'spinlock' | 'completion'
  // version 2: kernel timers and IRQs are indexed, as work items are, in Program.works
  | 'timer' | 'irq';

/** What every lowered statement has. Object operands are indices into the program's tables (-1: unresolved). */
export interface CStmtBase {
  id: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** may sleep on its target (the statement table's row for the resolved target kind) */
  sleeps: boolean;
  /** the blocks it opens (ioctl, enter, access, repeat), else null */
  body: CBlock | null;
  elseBody: CBlock | null;
  ast: Stmt;
}

/** A file name of a body: its slot in the body's scope, and its name as written. */
export interface FileOperand { fileSlot: number; fileName: string }

/** Statements of kinds K with operands O: one member of the union per kind (so `kind` narrows). */
export type With<K extends StmtKind, O> = K extends StmtKind ? { kind: K } & O : never;

/** A statement's kind and its operands, by name: each object's module (stmts/*.ts) declares its own. */
export type Operands =
  | FileOperands | DrmOperands | ModuleOperands | RevocableOperands | DeviceOperands | FenceOperands | DataOperands
  | WorkOperands | MutexOperands | ThreadOperands | CdevOperands | AttrOperands | SyncOperands | TimerOperands | IrqOperands;

/** A lowered statement: its kind and its operands, by name. */
export type CStmt = CStmtBase & Operands;

/** The lowered statement of kind K. */
export type CStmtOf<K extends StmtKind> = CStmt & { kind: K };

export interface CBlock {
  id: number;
  stmts: CStmt[];
  /** the body (thread/handler/work) whose file names this block sees */
  scope: number;
  range: Range;
}

export interface ModuleInfo { name: string; initialRefs: number; range: Range }
export interface DeviceInfo { name: string; driver: number; range: Range }
export interface DriverInfo {
  name: string; module: number; device: number; fopsOwner: boolean; drmHoldsModule: boolean;
  remove: HandlerInfo | null; close: HandlerInfo | null; range: Range;
}
export interface DrmInfo { name: string; device: number; driver: number; release: HandlerInfo | null; range: Range }
export interface RevocableInfo { name: string; device: number; range: Range }
export interface TimerInfo { name: string; revocable: number; range: Range }
export interface FenceInfo { name: string; device: number; takesNs: number; range: Range }
/** `kzalloc` (version 2): owned by nobody, freed only by `free` (owner -1). */
export interface DataInfo { name: string; managed: 'devm' | 'drmm' | 'kzalloc'; owner: number; range: Range }
/** What runs a callback thread: a work item (kworker), a kernel timer's callback, an IRQ handler (§9). */
export type CallbackKind = 'work' | 'timer' | 'irq';
/** The prefix of its thread's name (`kworker/w`, `timer/t`, `irq/i`). */
export const CALLBACK_THREAD = { work: 'kworker', timer: 'timer', irq: 'irq' } as const satisfies Record<CallbackKind, CallbackPrefix>;
/**
 * A callback: work item, kernel timer or IRQ, in declaration order (one table, so the kworker
 * machinery — its thread, state, footprint, encoding — serves all three).
 */
export interface WorkInfo {
  name: string; driver: number; module: number; body: CBlock; line: number; column: number; range: Range;
  kind: CallbackKind;
  /** runs in atomic context: a timer callback, a non-threaded IRQ handler */
  atomic: boolean;
  /** an IRQ's device (its `raise` needs it present), else -1 */
  device: number;
  /** an IRQ requested with devm_request_irq: the devres release frees it */
  devm: boolean;
}
export interface MutexInfo { name: string; range: Range }
/** version 2: a char device node of the driver that binds `device` */
export interface CdevInfo { name: string; device: number; driver: number; range: Range }
/** version 2: a sysfs attribute of the driver that binds `device`; `body` is its show() */
export interface AttrInfo { name: string; device: number; driver: number; module: number; body: CBlock; line: number; column: number; range: Range }
export interface SpinlockInfo { name: string; range: Range }
export interface CompletionInfo { name: string; range: Range }
/** Version 2: a refcounted driver object; `devm`: the devres release of its driver's device drops its first reference. */
export interface KrefInfo { name: string; driver: number; module: number; devm: boolean; release: HandlerInfo | null; range: Range }
export interface ThreadInfo { name: string; description: string; body: CBlock; range: Range }
export interface HandlerInfo {
  event: HandlerEvent; target: string; module: number; body: CBlock; line: number; column: number; range: Range;
}
export interface ExpectInfo {
  mode: 'run' | 'explore' | 'both'; outcome: string; thread: string | null; line: number; column: number;
}

export interface Program {
  scenario: string;
  modules: ModuleInfo[];
  devices: DeviceInfo[];
  drivers: DriverInfo[];
  drms: DrmInfo[];
  revocables: RevocableInfo[];
  timers: TimerInfo[];
  fences: FenceInfo[];
  data: DataInfo[];
  works: WorkInfo[];
  mutexes: MutexInfo[];
  cdevs: CdevInfo[];
  attrs: AttrInfo[];
  spinlocks: SpinlockInfo[];
  completions: CompletionInfo[];
  krefs: KrefInfo[];
  threads: ThreadInfo[];
  handlers: HandlerInfo[];
  expects: ExpectInfo[];
  blocks: CBlock[];
  stmts: CStmt[];
  /** name → [kind, index] of every top-level declaration */
  names: Map<string, [ObjKind, number]>;
  /** lines that hold the start of a statement (for breakpoints) */
  stmtLines: Set<number>;
}

/**
 * Builds the program. Expects a file without static errors; unresolved names become -1 so
 * that even a broken file lowers without throwing (the kernel treats -1 as "no object").
 */
export function lower(file: FileNode): Program {
  const names = new Map<string, [ObjKind, number]>();
  const counts: Record<string, number> = {};
  for (const d of file.decls) {
    if (d.kind === 'handler' || d.kind === 'expect') continue;
    const k = d.kind as ObjKind;
    const i = counts[k] ?? 0;
    counts[k] = i + 1;
    if (!names.has(d.name.name)) names.set(d.name.name, [k, i]);
  }
  const idx = (kind: ObjKind, name: string): number => {
    const e = names.get(name);
    if (!e || e[0] !== kind) return -1;
    // callbacks share one table, in declaration order
    if (kind === 'work' || kind === 'timer' || kind === 'irq') return p.works.findIndex((w) => w.kind === kind && w.name === name);
    return e[1];
  };

  const p: Program = {
    scenario: file.scenario?.value ?? '',
    modules: [], devices: [], drivers: [], drms: [], revocables: [], timers: [], fences: [],
    data: [], works: [], mutexes: [], cdevs: [], attrs: [], spinlocks: [], completions: [], krefs: [], threads: [], handlers: [], expects: [], blocks: [], stmts: [],
    names, stmtLines: new Set(),
  };

  const named = file.decls.filter((d): d is NamedDecl => d.kind !== 'handler' && d.kind !== 'expect');
  // First pass: objects without code.
  for (const d of named) {
    switch (d.kind) {
      case 'module': p.modules.push({ name: d.name.name, initialRefs: 0, range: d.range }); break;
      case 'device': p.devices.push({ name: d.name.name, driver: -1, range: d.range }); break;
      case 'driver': {
        let fopsOwner = true;
        let drmHoldsModule = false;
        for (const o of d.options) {
          if (o.name.name === 'fops_owner') fopsOwner = o.value;
          if (o.name.name === 'drm_holds_module') drmHoldsModule = o.value;
        }
        p.drivers.push({
          name: d.name.name, module: idx('module', d.module.name), device: idx('device', d.device.name),
          fopsOwner, drmHoldsModule, remove: null, close: null, range: d.range,
        });
        break;
      }
      case 'drm': p.drms.push({ name: d.name.name, device: idx('device', d.device.name), driver: -1, release: null, range: d.range }); break;
      case 'revocable': p.revocables.push({ name: d.name.name, device: idx('device', d.device.name), range: d.range }); break;
      case 'ptimer': p.timers.push({ name: d.name.name, revocable: idx('revocable', d.revocable.name), range: d.range }); break;
      case 'fence': p.fences.push({ name: d.name.name, device: idx('device', d.device.name), takesNs: d.takes?.ns ?? DEFAULT_FENCE_NS, range: d.range }); break;
      case 'data': {
        const owner = d.managed === 'kzalloc' ? -1 : idx(d.managed === 'devm' ? 'device' : 'drm', d.owner?.name ?? '');
        p.data.push({ name: d.name.name, managed: d.managed, owner, range: d.range });
        break;
      }
      case 'mutex': p.mutexes.push({ name: d.name.name, range: d.range }); break;
      case 'cdev': p.cdevs.push({ name: d.name.name, device: idx('device', d.device.name), driver: -1, range: d.range }); break;
      case 'spinlock': p.spinlocks.push({ name: d.name.name, range: d.range }); break;
      case 'completion': p.completions.push({ name: d.name.name, range: d.range }); break;
      case 'kref': {
        const drv = idx('driver', d.driver.name);
        p.krefs.push({ name: d.name.name, driver: drv, module: -1, devm: d.devm, release: null, range: d.range });
        break;
      }
      default: break;
    }
  }
  // A device is bound by the first driver that names it (every driver has probed).
  p.drivers.forEach((drv, i) => {
    const dev = p.devices[drv.device];
    if (dev && dev.driver < 0) dev.driver = i;
  });
  for (const drm of p.drms) {
    drm.driver = p.devices[drm.device]?.driver ?? -1;
    const drv = p.drivers[drm.driver];
    if (drv?.drmHoldsModule && p.modules[drv.module]) p.modules[drv.module].initialRefs++;
  }
  for (const o of p.krefs) o.module = p.drivers[o.driver]?.module ?? -1;

  for (const c of p.cdevs) c.driver = p.devices[c.device]?.driver ?? -1;

  // The callbacks, before any code is lowered (a thread may name a timer declared after it).
  const cbBodies: Block[] = [];
  for (const d of file.decls) {
    if (d.kind !== 'work' && d.kind !== 'timer' && d.kind !== 'irq') continue;
    const dev = d.kind === 'irq' ? idx('device', d.device.name) : -1;
    const drv = d.kind === 'irq' ? p.devices[dev]?.driver ?? -1 : idx('driver', d.driver.name);
    p.works.push({
      name: d.name.name, driver: drv, module: p.drivers[drv]?.module ?? -1, body: null as unknown as CBlock,
      line: d.range.start.line, column: d.range.start.column, range: d.range,
      kind: d.kind, atomic: d.kind === 'timer' || (d.kind === 'irq' && !d.threaded), device: dev,
      devm: d.kind === 'irq' && d.devm,
    });
    cbBodies.push(d.body);
  }
  let cb = 0;

  const lowerer = new Lowerer(p, idx);
  // Second pass: code. Blocks get ids in source order.
  for (const d of file.decls) {
    if (d.kind === 'thread') {
      const body = lowerer.body(d.body);
      p.threads.push({ name: d.name.name, description: d.description?.value ?? '', body, range: d.range });
    } else if (d.kind === 'work' || d.kind === 'timer' || d.kind === 'irq') {
      p.works[cb].body = lowerer.body(cbBodies[cb]);
      cb++;
    } else if (d.kind === 'attr') {
      const dev = idx('device', d.device.name);
      const drv = p.devices[dev]?.driver ?? -1;
      const body = lowerer.body(d.body);
      p.attrs.push({
        name: d.name.name, device: dev, driver: drv, module: p.drivers[drv]?.module ?? -1, body,
        line: d.range.start.line, column: d.range.start.column, range: d.range,
      });
    } else if (d.kind === 'handler') {
      const body = lowerer.body(d.body);
      const h: HandlerInfo = {
        event: d.event, target: d.target.name, module: -1, body,
        line: d.range.start.line, column: d.range.start.column, range: d.range,
      };
      p.handlers.push(h);
      if (d.event === 'release') {
        const drm = p.drms[idx('drm', d.target.name)];
        const kref = p.krefs[idx('kref', d.target.name)];
        if (drm) {
          h.module = p.drivers[drm.driver]?.module ?? -1;
          drm.release ??= h;
        } else if (kref) {
          h.module = kref.module;
          kref.release ??= h;
        }
      } else {
        const drv = p.drivers[idx('driver', d.target.name)];
        if (drv) {
          h.module = drv.module;
          if (d.event === 'remove') drv.remove ??= h;
          else drv.close ??= h;
        }
      }
    } else if (d.kind === 'expect') {
      p.expects.push(lowerExpect(d));
    }
  }
  return p;
}

function lowerExpect(d: ExpectDecl): ExpectInfo {
  return {
    mode: d.mode, outcome: d.outcome, thread: expectThreadName(d) ?? null,
    line: d.range.start.line, column: d.range.start.column,
  };
}

class Lowerer implements LowerCx {
  private scope = -1;
  private fileSlots = new Map<string, number>();

  constructor(readonly p: Program, readonly idx: (k: ObjKind, n: string) => number) {}

  /** A body (thread, handler, work) opens a scope for file names. */
  body(b: Block): CBlock {
    const saved = [this.scope, this.fileSlots] as const;
    this.scope = this.p.blocks.length;
    this.fileSlots = new Map();
    const cb = this.block(b);
    [this.scope, this.fileSlots] = saved;
    return cb;
  }

  block(b: Block): CBlock {
    const cb: CBlock = { id: this.p.blocks.length, stmts: [], scope: this.scope, range: b.range };
    this.p.blocks.push(cb);
    for (const s of b.stmts) cb.stmts.push(this.stmt(s));
    return cb;
  }

  private slot(name: string): number {
    let s = this.fileSlots.get(name);
    if (s === undefined) {
      s = this.fileSlots.size;
      this.fileSlots.set(name, s);
    }
    return s;
  }

  private stmt(s: Stmt): CStmt {
    const base = {
      id: this.p.stmts.length, line: s.range.start.line, column: s.range.start.column,
      endLine: s.range.end.line, endColumn: s.range.end.column, sleeps: false,
      body: null as CBlock | null, elseBody: null as CBlock | null, ast: s,
    };
    this.p.stmts.push(base as CStmt); // its id is its place; filled in below, blocks after it
    this.p.stmtLines.add(base.line);
    const c = Object.assign(base, this.operands(s)) as CStmt;
    c.sleeps = stmtBlocking(s, this.targetKind(s)) === 'sleeps';
    this.p.stmts[c.id] = c;
    return c;
  }

  /** The kind of what a statement's target names (the statement table's key). */
  private targetKind(s: Stmt): TargetKey {
    switch (s.kind) {
      case 'close':
      case 'ioctl': return 'file';
      case 'sleep':
      case 'repeat':
      case 'log': return 'none';
      default: {
        // a name of a kind the statement does not take is a static error: lower as its first kind
        const k = this.p.names.get(s.target.name)?.[0];
        return k && targetRow(s.kind, k) ? k : targetKinds(s.kind)[0];
      }
    }
  }

  file(name: string): FileOperand {
    return { fileSlot: this.slot(name), fileName: name };
  }

  private operands(s: Stmt): Operands & Partial<CStmtBase> {
    return (STMT_SEMANTICS[s.kind].lower as (s: Stmt, cx: LowerCx) => Operands & Partial<CStmtBase>)(s, this);
  }
}

/** An object of the program: its kind and its index in that kind's table. */
export interface ObjRef { kind: ObjKind; index: number }

/**
 * The object a statement names (for `read`/`write` through a timer: the timer's revocable,
 * whose BAR the register is in), or null: file statements name a file, not an object.
 */
export function stmtObject(st: CStmt): ObjRef | null {
  return semantics(st.kind).object(st);
}

/** The name of an object of the program. */
export function objectName(p: Program, o: ObjRef): string | undefined {
  const table: Record<ObjKind, readonly { name: string }[]> = {
    module: p.modules, device: p.devices, driver: p.drivers, drm: p.drms, revocable: p.revocables, ptimer: p.timers,
    fence: p.fences, data: p.data, work: p.works, mutex: p.mutexes, thread: p.threads,
    cdev: p.cdevs, attr: p.attrs,
    kref: p.krefs, spinlock: p.spinlocks, completion: p.completions,
    timer: p.works, irq: p.works,
  };
  return table[o.kind][o.index]?.name;
}

export type { Decl };
