// Lowers a checked syntax tree into the immutable tables the simulated kernel runs on:
// every object gets an index, every statement its resolved target index and a compiled
// block. The kernel state then holds only small numbers, so it can be copied and hashed
// cheaply (the debugger's history and the explorer both depend on that).

import {
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
  SLEEPING_STMTS,
} from '../../grammar/ast';

export type ObjKind =
  | 'module' | 'device' | 'driver' | 'drm' | 'revocable' | 'timer' | 'fence' | 'data' | 'work' | 'mutex' | 'thread';

export interface CStmt {
  kind: StmtKind;
  /** index into the table of the target's kind (-1 when unresolved) */
  a: number;
  /** second operand: `open`'s drm index; a read/write through a timer: 1 */
  b: number;
  /** durations: sleep, wait/poll timeout, queue after (-1: none) */
  ns: number;
  /** repeat count */
  n: number;
  /** rmmod force, signal error */
  flag: boolean;
  /** the file's slot in its body scope (open/close/ioctl) */
  fileSlot: number;
  text: string;
  sleeps: boolean;
  body: CBlock | null;
  elseBody: CBlock | null;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  ast: Stmt;
  id: number;
}

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
export interface DataInfo { name: string; managed: 'devm' | 'drmm'; owner: number; range: Range }
export interface WorkInfo { name: string; driver: number; module: number; body: CBlock; line: number; column: number; range: Range }
export interface MutexInfo { name: string; range: Range }
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

/** Where each declaration kind lives in Program. */
function tableOf(kind: ObjKind): keyof Program {
  switch (kind) {
    case 'module': return 'modules';
    case 'device': return 'devices';
    case 'driver': return 'drivers';
    case 'drm': return 'drms';
    case 'revocable': return 'revocables';
    case 'timer': return 'timers';
    case 'fence': return 'fences';
    case 'data': return 'data';
    case 'work': return 'works';
    case 'mutex': return 'mutexes';
    case 'thread': return 'threads';
  }
}

const TARGET_KIND: Partial<Record<StmtKind, ObjKind>> = {
  get: 'drm', put: 'drm', try_module_get: 'module', module_put: 'module', enter: 'drm',
  access: 'revocable', unplug: 'drm', revoke: 'revocable', hotunplug: 'device', unbind: 'device',
  rmmod: 'module', submit: 'fence', wait: 'fence', poll: 'fence', signal: 'fence', use: 'data',
  queue: 'work', flush: 'work', cancel: 'work', lock: 'mutex', unlock: 'mutex',
};

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
    return e && e[0] === kind ? e[1] : -1;
  };

  const p: Program = {
    scenario: file.scenario?.value ?? '',
    modules: [], devices: [], drivers: [], drms: [], revocables: [], timers: [], fences: [],
    data: [], works: [], mutexes: [], threads: [], handlers: [], expects: [], blocks: [], stmts: [],
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
      case 'timer': p.timers.push({ name: d.name.name, revocable: idx('revocable', d.revocable.name), range: d.range }); break;
      case 'fence': p.fences.push({ name: d.name.name, device: idx('device', d.device.name), takesNs: d.takes?.ns ?? DEFAULT_FENCE_NS, range: d.range }); break;
      case 'data':
        p.data.push({ name: d.name.name, managed: d.managed, owner: idx(d.managed === 'devm' ? 'device' : 'drm', d.owner.name), range: d.range });
        break;
      case 'mutex': p.mutexes.push({ name: d.name.name, range: d.range }); break;
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

  const lowerer = new Lowerer(p, idx);
  // Second pass: code. Blocks get ids in source order.
  for (const d of file.decls) {
    if (d.kind === 'thread') {
      const body = lowerer.body(d.body);
      p.threads.push({ name: d.name.name, description: d.description?.value ?? '', body, range: d.range });
    } else if (d.kind === 'work') {
      const drv = idx('driver', d.driver.name);
      const body = lowerer.body(d.body);
      p.works.push({
        name: d.name.name, driver: drv, module: p.drivers[drv]?.module ?? -1, body,
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
        if (drm) {
          h.module = p.drivers[drm.driver]?.module ?? -1;
          drm.release ??= h;
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
    mode: d.mode, outcome: d.outcome, thread: d.thread?.name ?? null,
    line: d.range.start.line, column: d.range.start.column,
  };
}

class Lowerer {
  private scope = -1;
  private fileSlots = new Map<string, number>();

  constructor(private p: Program, private idx: (k: ObjKind, n: string) => number) {}

  /** A body (thread, handler, work) opens a scope for file names. */
  body(b: Block): CBlock {
    const saved = [this.scope, this.fileSlots] as const;
    this.scope = this.p.blocks.length;
    this.fileSlots = new Map();
    const cb = this.block(b);
    [this.scope, this.fileSlots] = saved;
    return cb;
  }

  private block(b: Block): CBlock {
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
    const c: CStmt = {
      kind: s.kind, a: -1, b: -1, ns: -1, n: 0, flag: false, fileSlot: -1, text: '',
      sleeps: SLEEPING_STMTS.has(s.kind), body: null, elseBody: null,
      line: s.range.start.line, column: s.range.start.column,
      endLine: s.range.end.line, endColumn: s.range.end.column, ast: s, id: this.p.stmts.length,
    };
    this.p.stmts.push(c);
    this.p.stmtLines.add(c.line);
    const tk = TARGET_KIND[s.kind];
    switch (s.kind) {
      case 'open':
        c.fileSlot = this.slot(s.file.name);
        c.text = s.file.name;
        c.a = this.idx('drm', s.target.name);
        break;
      case 'close':
        c.fileSlot = this.slot(s.target.name);
        c.text = s.target.name;
        break;
      case 'ioctl':
        c.fileSlot = this.slot(s.file.name);
        c.text = s.file.name;
        c.body = this.block(s.body);
        break;
      case 'read':
      case 'write': {
        const r = this.idx('revocable', s.target.name);
        if (r >= 0) c.a = r;
        else {
          const t = this.idx('timer', s.target.name);
          c.a = this.p.timers[t]?.revocable ?? -1;
          c.b = t >= 0 ? 1 : -1;
        }
        c.text = s.target.name;
        break;
      }
      case 'enter':
      case 'access':
        c.a = this.idx(tk!, s.target.name);
        c.body = this.block(s.body);
        c.elseBody = s.elseBody ? this.block(s.elseBody) : null;
        break;
      case 'rmmod':
        c.a = this.idx('module', s.target.name);
        c.flag = s.force;
        break;
      case 'wait':
      case 'poll':
        c.a = this.idx('fence', s.target.name);
        c.ns = s.timeout?.ns ?? -1;
        break;
      case 'signal':
        c.a = this.idx('fence', s.target.name);
        c.flag = s.error;
        break;
      case 'queue':
        c.a = this.idx('work', s.target.name);
        c.ns = s.after?.ns ?? 0;
        break;
      case 'sleep':
        c.ns = s.duration.ns;
        break;
      case 'repeat':
        c.n = s.count.value;
        c.body = this.block(s.body);
        break;
      case 'log':
        c.text = s.text.value;
        break;
      default:
        c.a = this.idx(tk!, s.target.name);
        break;
    }
    return c;
  }
}

export function objectNameTable(p: Program, kind: ObjKind): { name: string }[] {
  return p[tableOf(kind)] as { name: string }[];
}

export type { Decl };
