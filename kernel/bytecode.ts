// Lowers a checked `.lifetime` tree to the program the kernel backend runs (the word
// format of kernel/c/lt_abi.h): objects, blocks, statements, and (added by turns.ts) the
// model's step order. What the backend does not cover is refused with its line and
// column, never skipped.

import { stmtBlocking, type TargetKey } from '../grammar/statements';
import type {
  AttrDecl, Block, DataDecl, Decl, DriverDecl, FileNode, HandlerDecl, IrqDecl, KrefDecl, NamedDecl, Range, Stmt, StmtKind, ThreadDecl, TimerDecl, WorkDecl,
} from '../grammar/ast';

/** The numbers of lt_abi.h; a unit test reads the header and checks them. */
export const LT_MAGIC = 0x4c54494d;
export const LT_VERSION = 2;
export const HDR = [
  'MAGIC', 'VERSION', 'NSTMT', 'NBLOCK', 'NBLOCKWORDS', 'NTHREAD', 'NWORK', 'NFENCE', 'NMUTEX', 'NREV',
  'NPTIMER', 'NDATA', 'NDRM', 'NTURN', 'FOPS_OWNER', 'DRM_HOLDS_MODULE', 'REMOVE_BLOCK', 'CLOSE_BLOCK',
  'RELEASE_BLOCK', 'NSLOT', 'NKREF', 'NSPIN', 'NCOMP', 'NCDEV', 'NATTR',
] as const;
export const OPS = [
  'OPEN', 'CLOSE', 'IOCTL', 'GET', 'PUT', 'TRY_MODULE_GET', 'MODULE_PUT', 'ENTER', 'ACCESS', 'UNPLUG', 'REVOKE',
  'HOTUNPLUG', 'UNBIND', 'RMMOD', 'SUBMIT', 'WAIT', 'POLL', 'SIGNAL', 'READ', 'WRITE', 'USE', 'QUEUE', 'FLUSH',
  'CANCEL', 'SLEEP', 'LOCK', 'UNLOCK', 'REPEAT', 'LOG',
  // version 2
  'ARM', 'DISABLE', 'RAISE', 'FREE_IRQ', 'COMPLETE', 'FREE', 'UNREGISTER', 'SHOW',
] as const;
/** A callback's kind (the WRK table's second word), in Program.works order. */
export const CB_KINDS = ['WORK', 'TIMER', 'IRQ'] as const;
/** The WRK table's third word: an IRQ's flags. */
export const CB_THREADED = 1;
export const CB_DEVM = 2;
/** What a statement's target is, where one opcode serves several kinds (its sixth word). */
export const TARGETS = ['DRM', 'KREF', 'MUTEX', 'SPIN', 'FENCE', 'COMP', 'WORK', 'TIMER', 'DATA', 'CDEV', 'IRQ'] as const;
export const TARGET = Object.fromEntries(TARGETS.map((t, i) => [t, i])) as Record<(typeof TARGETS)[number], number>;
export const PHASES = ['RUN', 'BLOCK', 'COMPLETE', 'OOPS', 'START', 'START_OOPS', 'FENCE', 'TIMEOUT'] as const;
export type Phase = (typeof PHASES)[number];
export const STMT_WORDS = 8;
export const TURN_WORDS = 5;
export const EVENT_TID = 1000;
/** Limits of lt_core.c (LT_MAX) */
export const MAX_OBJECTS = 16;

const OPCODE = Object.fromEntries(OPS.map((o, i) => [o.toLowerCase(), i])) as Record<StmtKind, number>;

/** Statements the userspace runner does as syscalls: only at a thread's top level. */
export const SYSCALL_STMTS: ReadonlySet<StmtKind> = new Set<StmtKind>(['open', 'close', 'ioctl', 'unbind', 'hotunplug', 'rmmod', 'show']);

/** Blocking statements the interpreter runs itself: their completing step is a turn. */
export const DIRECT_WAITS: ReadonlySet<StmtKind> = new Set<StmtKind>(['wait', 'poll', 'lock', 'flush', 'cancel', 'disable', 'free_irq', 'unplug', 'revoke']);

export class NotCovered extends Error {
  constructor(readonly line: number, readonly column: number, message: string) {
    super(message);
  }
}

export interface StmtInfo {
  stmt: Stmt;
  index: number;
  /** the declaration whose body holds it */
  owner: Decl;
  /** inside an `access` block (an RCU read section) or a timer callback: no turn may wait there */
  atomic: boolean;
}

export interface Lowered {
  /** the program without turns (turns.ts appends them) */
  header: number[];
  threads: number[];
  /** per callback (Program.works order): its block, its CB_KINDS index, its flags (IRQs) */
  works: number[];
  /** per kref: its release block (or -1), 1 when devm */
  krefs: number[];
  /** per sysfs attribute: its show block */
  attrs: number[];
  ptimers: number[];
  data: number[];
  blocks: number[];
  blockWords: number[];
  stmts: number[];
  /** declared thread names, in order; callback threads follow (kworker/<w>, timer/<t>) */
  threadNames: string[];
  callbackNames: string[];
  fenceNames: string[];
  /** statement table by "line:column" */
  byPos: Map<string, StmtInfo>;
}

export const posKey = (line: number, column: number): string => `${line}:${column}`;

function refuse(r: Range, message: string): never {
  throw new NotCovered(r.start.line, r.start.column, message);
}

/** Lowers a tree without static errors; throws NotCovered for what the backend lacks. */
export function lowerForKernel(file: FileNode): Lowered {
  const decls = file.decls;
  const of = <K extends Decl['kind']>(k: K) => decls.filter((d): d is Extract<Decl, { kind: K }> => d.kind === k);
  const one = (k: 'module' | 'device' | 'driver' | 'drm', what: string) => {
    const ds = of(k);
    if (ds.length > 1) refuse(ds[1].range, `a second ${what} is not covered by the kernel backend yet (one ${what} per scenario)`);
  };
  one('module', 'module');
  one('device', 'device');
  one('driver', 'driver');
  one('drm', 'drm device');
  const named = new Map<string, NamedDecl>();
  for (const d of decls) if (d.kind !== 'handler' && d.kind !== 'expect') named.set(d.name.name, d);
  const index = (k: Decl['kind'], name: string): number => of(k).findIndex((d) => 'name' in d && d.name.name === name);
  const limit = (k: Decl['kind'], what: string) => {
    const ds = of(k);
    if (ds.length > MAX_OBJECTS) refuse(ds[MAX_OBJECTS].range, `more than ${MAX_OBJECTS} ${what} are not covered by the kernel backend`);
  };
  limit('thread', 'threads');
  limit('work', 'work items');
  limit('fence', 'fences');
  limit('mutex', 'mutexes');
  limit('revocable', 'revocables');
  limit('data', 'data objects');
  limit('kref', 'krefs');
  limit('spinlock', 'spinlocks');
  limit('completion', 'completions');
  limit('cdev', 'char devices');
  limit('attr', 'sysfs attributes');
  // Program.works: work items, timers (and IRQs) in declaration order, one index space
  const callbacks = decls.filter((d): d is WorkDecl | TimerDecl | IrqDecl => d.kind === 'work' || d.kind === 'timer' || d.kind === 'irq');
  if (callbacks.length > MAX_OBJECTS) refuse(callbacks[MAX_OBJECTS].range, `more than ${MAX_OBJECTS} work items, timers and IRQs are not covered by the kernel backend`);
  const callbackIndex = (name: string): number => callbacks.findIndex((d) => d.name.name === name);
  const driver = of('driver')[0] as DriverDecl | undefined;
  const opt = (n: string, dflt: boolean) => driver?.options.find((o) => o.name.name === n)?.value ?? dflt;
  const handlers = of('handler') as HandlerDecl[];

  const blocks: number[] = [];
  const blockWords: number[] = [];
  const stmts: number[] = [];
  const byPos = new Map<string, StmtInfo>();
  const pending: { block: Block; owner: Decl; kernel: boolean; atomic: boolean; slots: Map<string, number>; id: number }[] = [];
  let nBlocks = 0;
  const newBlock = (block: Block, owner: Decl, kernel: boolean, atomic: boolean, slots: Map<string, number>): number => {
    const id = nBlocks++;
    pending.push({ block, owner, kernel, atomic, slots, id });
    return id;
  };

  const target = (s: Stmt): string => ('target' in s ? s.target.name : '');
  const lowerStmt = (s: Stmt, owner: Decl, kernel: boolean, atomic: boolean, slots: Map<string, number>): number => {
    if (kernel && SYSCALL_STMTS.has(s.kind)) {
      const where = owner.kind === 'thread' ? 'inside an enter or access block of a thread'
        : `in ${owner.kind === 'work' ? 'a work item' : owner.kind === 'timer' ? 'a timer callback' : owner.kind === 'irq' ? 'an IRQ handler' : owner.kind === 'attr' ? 'an attribute\'s show' : owner.kind === 'handler' ? `an on ${owner.event} handler` : 'an ioctl'}`;
      refuse(s.keywordRange, `\`${s.kind}\` ${where} is not covered by the kernel backend (it runs there as a syscall of a scenario thread)`);
    }
    const tk: TargetKey = s.kind === 'open' ? named.get(s.target.name)?.kind ?? 'none'
      : s.kind === 'close' || s.kind === 'ioctl' ? 'file' : 'target' in s ? named.get(s.target.name)?.kind ?? 'none' : 'none';
    // the statement sleeps on this target (language.md §4, §9): lt_core sleeps for real first in atomic context
    const w = [OPCODE[s.kind], s.range.start.line, s.range.start.column, -1, -1, -1, -1, stmtBlocking(s, tk) === 'sleeps' ? 1 : 0];
    const slotOf = (name: string): number => {
      let n = slots.get(name);
      if (n === undefined) { n = slots.size; slots.set(name, n); }
      return n;
    };
    const byKind = (what: Partial<Record<string, (typeof TARGETS)[number]>>): void => {
      const k = named.get(target(s))?.kind ?? 'name';
      const t = what[k];
      if (!t) refuse('target' in s ? s.target.range : s.range, `\`${s.kind}\` of a ${k} is not covered by the kernel backend`);
      w[5] = TARGET[t];
      w[3] = t === 'DRM' ? 0 : t === 'WORK' || t === 'TIMER' || t === 'IRQ' ? callbackIndex(target(s)) : index(k as Decl['kind'], target(s));
    };
    switch (s.kind) {
      case 'open': w[3] = slotOf(s.file.name); w[4] = tk === 'cdev' ? 1 + index('cdev', s.target.name) : 0; break;
      case 'close': w[3] = slotOf(s.target.name); break;
      case 'ioctl': w[3] = slotOf(s.file.name); w[4] = newBlock(s.body, owner, true, false, slots); break;
      case 'get': case 'put': byKind({ drm: 'DRM', kref: 'KREF' }); break;
      case 'unplug': byKind({ drm: 'DRM' }); break;
      case 'try_module_get': case 'module_put': w[3] = 0; break;
      case 'enter':
        w[3] = 0; w[4] = newBlock(s.body, owner, true, atomic, slots);
        w[5] = s.elseBody ? newBlock(s.elseBody, owner, true, atomic, slots) : -1; break;
      case 'access':
        w[3] = index('revocable', s.target.name); w[4] = newBlock(s.body, owner, true, true, slots);
        w[5] = s.elseBody ? newBlock(s.elseBody, owner, true, atomic, slots) : -1; break;
      case 'revoke': w[3] = index('revocable', s.target.name); break;
      case 'hotunplug': case 'unbind': w[3] = 0; break;
      case 'rmmod': w[3] = s.force ? 1 : 0; break;
      case 'submit': case 'poll': case 'signal':
        w[3] = index('fence', s.target.name);
        w[4] = s.kind === 'signal' ? (s.error ? 1 : 0) : s.kind === 'submit' ? 0 : ('timeout' in s && s.timeout) ? 1 : 0; break;
      case 'wait': byKind({ fence: 'FENCE', completion: 'COMP' }); w[4] = s.timeout ? 1 : 0; break;
      case 'complete': byKind({ completion: 'COMP' }); break;
      case 'read': case 'write': {
        const d = named.get(s.target.name);
        w[3] = d?.kind === 'ptimer' ? 1 : 0;
        w[4] = d?.kind === 'ptimer' ? index('ptimer', s.target.name) : index('revocable', s.target.name); break;
      }
      case 'use': byKind({ data: 'DATA', kref: 'KREF' }); break;
      case 'queue': case 'flush': byKind({ work: 'WORK' }); break;
      case 'arm': byKind({ timer: 'TIMER' }); break;
      case 'cancel': byKind({ work: 'WORK', timer: 'TIMER' }); w[4] = s.nosync ? 1 : 0; break;
      case 'disable':
        // timer_shutdown_sync() came in Linux 6.2 and Debian's 6.1.y has it (backported to
        // 6.1 stable, exported by the pinned kernel); disable_work_sync() came in 6.10 and
        // Linux 6.1 has nothing like it
        if (tk !== 'timer') refuse(s.keywordRange, '`disable` of a work item is disable_work_sync(), which Linux 6.1 does not have (added in Linux 6.10): not covered by the kernel backend');
        byKind({ timer: 'TIMER' }); break;
      case 'free': {
        const d = named.get(s.target.name);
        if (d?.kind === 'data' && d.managed !== 'kzalloc') {
          refuse(s.keywordRange, `\`free\` of ${d.managed} data (a kfree of managed memory, freed again by its release) is not covered by the kernel backend: the real double kfree would corrupt the slab, and Linux 6.1 with slub_debug=P does not report it`);
        }
        byKind({ data: 'DATA' }); break;
      }
      case 'unregister': byKind({ cdev: 'CDEV' }); break;
      case 'raise': case 'free_irq': byKind({ irq: 'IRQ' }); break;
      case 'show': w[3] = index('attr', s.target.name); break;
      case 'lock': case 'unlock':
        byKind({ mutex: 'MUTEX', spinlock: 'SPIN' });
        // a thread's top-level statements are separate syscalls: a spinlock may not be held
        // back to user space between them (it runs in kernel code: a handler, ioctl, callback)
        if (w[5] === TARGET.SPIN && !kernel) refuse(s.keywordRange, `\`${s.kind}\` of a spinlock at a thread's top level is not covered by the kernel backend (each top-level statement is a syscall; a spinlock cannot be held across them): take it inside an ioctl or a callback`);
        break;
      case 'repeat': w[3] = s.count.value; w[4] = newBlock(s.body, owner, kernel, atomic, slots); break;
      case 'sleep': case 'log': break;
      default: {
        const never: never = s;
        refuse((never as Stmt).range, `\`${(never as Stmt).kind}\` is not covered by the kernel backend`);
      }
    }
    const idx = stmts.length / STMT_WORDS;
    stmts.push(...w);
    byPos.set(posKey(s.range.start.line, s.range.start.column), { stmt: s, index: idx, owner, atomic });
    return idx;
  };

  const bodyBlock = (d: ThreadDecl | WorkDecl | TimerDecl | IrqDecl | AttrDecl | HandlerDecl, kernel: boolean, atomic = false): number => newBlock(d.body, d, kernel, atomic, new Map());
  const threads = (of('thread') as ThreadDecl[]).map((t) => bodyBlock(t, false));
  // a timer callback (softirq) and a hard IRQ handler are atomic: no turn may wait inside them
  const works = callbacks.flatMap((d) => {
    const atomic = d.kind === 'timer' || (d.kind === 'irq' && !d.threaded);
    const kind = CB_KINDS.indexOf(d.kind === 'timer' ? 'TIMER' : d.kind === 'irq' ? 'IRQ' : 'WORK');
    const flags = d.kind === 'irq' ? (d.threaded ? CB_THREADED : 0) | (d.devm ? CB_DEVM : 0) : 0;
    return [bodyBlock(d, true, atomic), kind, flags];
  });
  const isKref = (h: HandlerDecl) => named.get(h.target.name)?.kind === 'kref';
  const handler = (ev: HandlerDecl['event']): number => {
    const h = handlers.find((x) => x.event === ev && !isKref(x));
    return h ? bodyBlock(h, true) : -1;
  };
  const removeBlock = handler('remove');
  const closeBlock = handler('close');
  const releaseBlock = handler('release');
  const attrs = (of('attr') as AttrDecl[]).map((a) => bodyBlock(a, true));
  const krefs = (of('kref') as KrefDecl[]).flatMap((k) => {
    const h = handlers.find((x) => x.event === 'release' && x.target.name === k.name.name);
    return [h ? bodyBlock(h, true) : -1, k.devm ? 1 : 0];
  });

  // Blocks in id order; a block's statements are lowered (and may add blocks) before its words are laid out.
  const table: { start: number; len: number }[] = [];
  for (let k = 0; k < pending.length; k++) {
    const b = pending[k];
    const ids = b.block.stmts.map((s) => lowerStmt(s, b.owner, b.kernel, b.atomic, b.slots));
    table[b.id] = { start: blockWords.length, len: ids.length };
    blockWords.push(...ids);
  }
  for (const t of table) blocks.push(t.start, t.len);

  const data = (of('data') as DataDecl[]).map((d) => (d.managed === 'drmm' ? 1 : d.managed === 'kzalloc' ? 2 : 0));
  const ptimers = of('ptimer').map((t) => index('revocable', t.revocable.name));
  const header = new Array<number>(HDR.length).fill(0);
  const set = (name: (typeof HDR)[number], v: number) => { header[HDR.indexOf(name)] = v; };
  set('MAGIC', LT_MAGIC);
  set('VERSION', LT_VERSION);
  set('NSTMT', stmts.length / STMT_WORDS);
  set('NBLOCK', table.length);
  set('NBLOCKWORDS', blockWords.length);
  set('NTHREAD', threads.length);
  set('NWORK', callbacks.length);
  set('NKREF', krefs.length / 2);
  set('NSPIN', of('spinlock').length);
  set('NCOMP', of('completion').length);
  set('NCDEV', of('cdev').length);
  set('NATTR', attrs.length);
  set('NFENCE', of('fence').length);
  set('NMUTEX', of('mutex').length);
  set('NREV', of('revocable').length);
  set('NPTIMER', ptimers.length);
  set('NDATA', data.length);
  set('NDRM', of('drm').length);
  set('FOPS_OWNER', opt('fops_owner', true) ? 1 : 0);
  set('DRM_HOLDS_MODULE', opt('drm_holds_module', false) ? 1 : 0);
  set('REMOVE_BLOCK', removeBlock);
  set('CLOSE_BLOCK', closeBlock);
  set('RELEASE_BLOCK', releaseBlock);
  return {
    header, threads, works, krefs, attrs, ptimers, data, blocks, blockWords, stmts,
    threadNames: (of('thread') as ThreadDecl[]).map((t) => t.name.name),
    callbackNames: callbacks.map((d) => `${d.kind === 'work' ? 'kworker' : d.kind}/${d.name.name}`),
    fenceNames: of('fence').map((f) => (f as Extract<Decl, { kind: 'fence' }>).name.name),
    byPos,
  };
}

export interface TurnWord { tid: number; phase: Phase; line: number; column: number; arg: number }

/** The program's words, turns included, as lt_core and lt_run read them. */
export function programWords(l: Lowered, turns: readonly TurnWord[]): Int32Array {
  const header = l.header.slice();
  header[HDR.indexOf('NTURN')] = turns.length;
  const tw = turns.flatMap((t) => [t.tid, PHASES.indexOf(t.phase), t.line, t.column, t.arg]);
  return Int32Array.from([...header, ...l.threads, ...l.works, ...l.krefs, ...l.attrs, ...l.ptimers, ...l.data, ...l.blocks, ...l.blockWords, ...l.stmts, ...tw]);
}
