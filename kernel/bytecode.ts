// Lowers a checked `.lifetime` tree to the program the kernel backend runs (the word
// format of kernel/c/lt_abi.h): objects, blocks, statements, and (added by turns.ts) the
// model's step order. What the backend does not cover is refused with its line and
// column, never skipped.

import { maySleep } from '../grammar/statements';
import type {
  Block, DataDecl, Decl, DriverDecl, FileNode, HandlerDecl, NamedDecl, Range, Stmt, StmtKind, ThreadDecl, WorkDecl,
} from '../grammar/ast';

/** The numbers of lt_abi.h; a unit test reads the header and checks them. */
export const LT_MAGIC = 0x4c54494d;
export const LT_VERSION = 1;
export const HDR = [
  'MAGIC', 'VERSION', 'NSTMT', 'NBLOCK', 'NBLOCKWORDS', 'NTHREAD', 'NWORK', 'NFENCE', 'NMUTEX', 'NREV',
  'NPTIMER', 'NDATA', 'NDRM', 'NTURN', 'FOPS_OWNER', 'DRM_HOLDS_MODULE', 'REMOVE_BLOCK', 'CLOSE_BLOCK',
  'RELEASE_BLOCK', 'NSLOT',
] as const;
export const OPS = [
  'OPEN', 'CLOSE', 'IOCTL', 'GET', 'PUT', 'TRY_MODULE_GET', 'MODULE_PUT', 'ENTER', 'ACCESS', 'UNPLUG', 'REVOKE',
  'HOTUNPLUG', 'UNBIND', 'RMMOD', 'SUBMIT', 'WAIT', 'POLL', 'SIGNAL', 'READ', 'WRITE', 'USE', 'QUEUE', 'FLUSH',
  'CANCEL', 'SLEEP', 'LOCK', 'UNLOCK', 'REPEAT', 'LOG',
] as const;
export const PHASES = ['RUN', 'BLOCK', 'COMPLETE', 'OOPS', 'START', 'START_OOPS', 'FENCE', 'TIMEOUT'] as const;
export type Phase = (typeof PHASES)[number];
export const STMT_WORDS = 8;
export const TURN_WORDS = 5;
export const EVENT_TID = 1000;
/** Limits of lt_core.c (LT_MAX) */
export const MAX_OBJECTS = 16;

const OPCODE = Object.fromEntries(OPS.map((o, i) => [o.toLowerCase(), i])) as Record<StmtKind, number>;

/** Statements the userspace runner does as syscalls: only at a thread's top level. */
export const SYSCALL_STMTS: ReadonlySet<StmtKind> = new Set<StmtKind>(['open', 'close', 'ioctl', 'unbind', 'hotunplug', 'rmmod']);

/** Blocking statements the interpreter runs itself: their completing step is a turn. */
export const DIRECT_WAITS: ReadonlySet<StmtKind> = new Set<StmtKind>(['wait', 'poll', 'lock', 'flush', 'cancel', 'unplug', 'revoke']);

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
  /** inside an `access` block (an RCU read section): no turn may wait there */
  atomic: boolean;
}

export interface Lowered {
  /** the program without turns (turns.ts appends them) */
  header: number[];
  threads: number[];
  works: number[];
  ptimers: number[];
  data: number[];
  blocks: number[];
  blockWords: number[];
  stmts: number[];
  /** declared thread names, in order; kworkers follow as kworker/<work> */
  threadNames: string[];
  workNames: string[];
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
  // version 2 objects the simulator runs but the kernel backend does not model yet
  for (const d of decls) {
    if (d.kind === 'cdev' || d.kind === 'attr' || d.kind === 'kref' || d.kind === 'spinlock' || d.kind === 'completion') refuse(d.range, `version 2 \`${d.kind}\` is not covered by the kernel backend yet`);
    if (d.kind === 'data' && d.managed === 'kzalloc') refuse(d.range, `version 2 \`data ${d.name.name}\` (kzalloc) is not covered by the kernel backend yet`);
    if (d.kind === 'timer' || d.kind === 'irq') refuse(d.range, `a ${d.kind === 'timer' ? 'kernel timer' : 'IRQ'} is not covered by the kernel backend yet`);
  }
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
      const where = owner.kind === 'thread' ? 'inside an enter or access block of a thread' : `in ${owner.kind === 'work' ? 'a work item' : owner.kind === 'handler' ? `an on ${owner.event} handler` : 'an ioctl'}`;
      refuse(s.keywordRange, `\`${s.kind}\` ${where} is not covered by the kernel backend (it runs there as a syscall of a scenario thread)`);
    }
    const w = [OPCODE[s.kind], s.range.start.line, s.range.start.column, -1, -1, -1, -1, maySleep(s.kind) ? 1 : 0];
    const slotOf = (name: string): number => {
      let n = slots.get(name);
      if (n === undefined) { n = slots.size; slots.set(name, n); }
      return n;
    };
    switch (s.kind) {
      case 'open': w[3] = slotOf(s.file.name); w[4] = 0; break;
      case 'close': w[3] = slotOf(s.target.name); break;
      case 'ioctl': w[3] = slotOf(s.file.name); w[4] = newBlock(s.body, owner, true, false, slots); break;
      case 'get': case 'put': case 'unplug':
        if (named.get(target(s))?.kind !== 'drm') refuse(s.target.range, `\`${s.kind}\` of a ${named.get(target(s))?.kind ?? 'name'} is not covered by the kernel backend`);
        w[3] = 0; break;
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
      case 'submit': case 'wait': case 'poll': case 'signal':
        w[3] = index('fence', s.target.name);
        w[4] = s.kind === 'signal' ? (s.error ? 1 : 0) : s.kind === 'submit' ? 0 : ('timeout' in s && s.timeout) ? 1 : 0; break;
      case 'read': case 'write': {
        const d = named.get(s.target.name);
        w[3] = d?.kind === 'ptimer' ? 1 : 0;
        w[4] = d?.kind === 'ptimer' ? index('ptimer', s.target.name) : index('revocable', s.target.name); break;
      }
      case 'use': w[3] = index('data', s.target.name); break;
      case 'queue': case 'flush': case 'cancel':
        if (s.kind === 'cancel' && s.nosync) refuse(s.keywordRange, '`cancel … nosync` is not covered by the kernel backend yet');
        w[3] = index('work', s.target.name); break;
      case 'arm': case 'disable': case 'raise': case 'free_irq': case 'complete': case 'free': case 'unregister': case 'show':
        refuse(s.keywordRange, `\`${s.kind}\` is not covered by the kernel backend yet`); // lowerForKernel refuses their objects first
      case 'lock': case 'unlock': w[3] = index('mutex', s.target.name); break;
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

  const bodyBlock = (d: ThreadDecl | WorkDecl | HandlerDecl, kernel: boolean): number => newBlock(d.body, d, kernel, false, new Map());
  const threads = (of('thread') as ThreadDecl[]).map((t) => bodyBlock(t, false));
  const works = (of('work') as WorkDecl[]).map((w) => bodyBlock(w, true));
  const handler = (ev: HandlerDecl['event']): number => {
    const h = handlers.find((x) => x.event === ev);
    return h ? bodyBlock(h, true) : -1;
  };
  const removeBlock = handler('remove');
  const closeBlock = handler('close');
  const releaseBlock = handler('release');

  // Blocks in id order; a block's statements are lowered (and may add blocks) before its words are laid out.
  const table: { start: number; len: number }[] = [];
  for (let k = 0; k < pending.length; k++) {
    const b = pending[k];
    const ids = b.block.stmts.map((s) => lowerStmt(s, b.owner, b.kernel, b.atomic, b.slots));
    table[b.id] = { start: blockWords.length, len: ids.length };
    blockWords.push(...ids);
  }
  for (const t of table) blocks.push(t.start, t.len);

  const data = (of('data') as DataDecl[]).map((d) => (d.managed === 'drmm' ? 1 : 0));
  const ptimers = of('ptimer').map((t) => index('revocable', t.revocable.name));
  const header = new Array<number>(HDR.length).fill(0);
  const set = (name: (typeof HDR)[number], v: number) => { header[HDR.indexOf(name)] = v; };
  set('MAGIC', LT_MAGIC);
  set('VERSION', LT_VERSION);
  set('NSTMT', stmts.length / STMT_WORDS);
  set('NBLOCK', table.length);
  set('NBLOCKWORDS', blockWords.length);
  set('NTHREAD', threads.length);
  set('NWORK', works.length);
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
    header, threads, works, ptimers, data, blocks, blockWords, stmts,
    threadNames: (of('thread') as ThreadDecl[]).map((t) => t.name.name),
    workNames: (of('work') as WorkDecl[]).map((w) => w.name.name),
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
  return Int32Array.from([...header, ...l.threads, ...l.works, ...l.ptimers, ...l.data, ...l.blocks, ...l.blockWords, ...l.stmts, ...tw]);
}
