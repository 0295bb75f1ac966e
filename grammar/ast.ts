// The typed syntax tree of a `.lifetime` file (language.md §1–2).
//
// Invariants every consumer relies on:
// - every node has a `range`; lines and columns are 1-based, `end` is exclusive, offsets
//   are 0-based UTF-16 indices into the text (what JavaScript strings and LSP count);
// - a node the parser had to recover from may miss children (an `Ident` with name ""),
//   but never has `undefined` where the type says a value is present;
// - durations are integer nanoseconds.

export interface Position {
  /** 1-based line */
  line: number;
  /** 1-based column (UTF-16 units) */
  column: number;
  /** 0-based offset into the text */
  offset: number;
}

export interface Range {
  start: Position;
  /** exclusive */
  end: Position;
}

export interface Node {
  range: Range;
}

export interface Ident extends Node {
  name: string;
}

export interface StringLit extends Node {
  /** the unescaped value */
  value: string;
}

export interface Duration extends Node {
  ns: number;
  /** as written, `250us` */
  text: string;
}

export interface IntLit extends Node {
  value: number;
  text: string;
}

export interface Block extends Node {
  stmts: Stmt[];
}

// ---------------------------------------------------------------- declarations

export interface ModuleDecl extends Node {
  kind: 'module';
  name: Ident;
}

export interface DeviceDecl extends Node {
  kind: 'device';
  name: Ident;
}

export type DriverOptionName = 'fops_owner' | 'drm_holds_module';

export interface DriverOption extends Node {
  /** as written; the analysis reports unknown ones */
  name: Ident;
  value: boolean;
  valueRange: Range;
}

export interface DriverDecl extends Node {
  kind: 'driver';
  name: Ident;
  module: Ident;
  device: Ident;
  options: DriverOption[];
}

export interface DrmDecl extends Node {
  kind: 'drm';
  name: Ident;
  device: Ident;
}

export interface RevocableDecl extends Node {
  kind: 'revocable';
  name: Ident;
  device: Ident;
}

/** The GPU's timer register (PTIMER) in a revocable BAR: `ptimer NAME on REVOCABLE`. */
export interface PtimerDecl extends Node {
  kind: 'ptimer';
  name: Ident;
  revocable: Ident;
  /** written in the version-1 form `timer NAME on REVOCABLE` (lint deprecated-ptimer) */
  deprecatedForm: boolean;
  /** range of the leading keyword (`ptimer`, or `timer` in the deprecated form) */
  keywordRange: Range;
}

/** Version 2: a kernel timer (timer_list / hrtimer) of a driver; the body is its callback. */
export interface TimerDecl extends Node {
  kind: 'timer';
  name: Ident;
  driver: Ident;
  body: Block;
}

/** Version 2: an interrupt line of a device, requested at probe; the body is its handler. */
export interface IrqDecl extends Node {
  kind: 'irq';
  name: Ident;
  device: Ident;
  /** `threaded`: request_threaded_irq, the handler may sleep */
  threaded: boolean;
  /** `devm`: devm_request_irq, freed by the devres release at unbind */
  devm: boolean;
  body: Block;
}

/** Version 2: a driver object with an embedded kref (its release is `on release NAME`). */
export interface KrefDecl extends Node {
  kind: 'kref';
  name: Ident;
  driver: Ident;
  /** `devm`: the devres release of the driver's device drops the creator's reference */
  devm: boolean;
}

/** Version 2: `spinlock NAME`. */
export interface SpinlockDecl extends Node {
  kind: 'spinlock';
  name: Ident;
}

/** Version 2: `completion NAME` (struct completion, complete_all semantics). */
export interface CompletionDecl extends Node {
  kind: 'completion';
  name: Ident;
}

/** Version 2: a character device node of the driver that binds `device`. */
export interface CdevDecl extends Node {
  kind: 'cdev';
  name: Ident;
  device: Ident;
}

/** Version 2: a sysfs attribute of the driver that binds `device`; the body is show(). */
export interface AttrDecl extends Node {
  kind: 'attr';
  name: Ident;
  device: Ident;
  body: Block;
}

export interface FenceDecl extends Node {
  kind: 'fence';
  name: Ident;
  device: Ident;
  /** `takes` as written, if any; the default is 1ms */
  takes?: Duration;
}

/** `devm`/`drmm`: freed by a release; `kzalloc` (version 2, `data NAME`): only by `free`. */
export type DataManaged = 'devm' | 'drmm' | 'kzalloc';

export interface DataDecl extends Node {
  kind: 'data';
  name: Ident;
  managed: DataManaged;
  /** a device for devm, a drm device for drmm; none for kzalloc'd data */
  owner?: Ident;
}

export interface WorkDecl extends Node {
  kind: 'work';
  name: Ident;
  driver: Ident;
  body: Block;
}

export interface MutexDecl extends Node {
  kind: 'mutex';
  name: Ident;
}

export type HandlerEvent = 'remove' | 'close' | 'release';

export interface HandlerDecl extends Node {
  kind: 'handler';
  event: HandlerEvent;
  eventRange: Range;
  /** a driver for remove/close, a drm device or (version 2) a kref for release */
  target: Ident;
  body: Block;
}

export interface ThreadDecl extends Node {
  kind: 'thread';
  name: Ident;
  description?: StringLit;
  body: Block;
}

export type ExpectMode = 'run' | 'explore' | 'both';

export interface ExpectDecl extends Node {
  kind: 'expect';
  mode: ExpectMode;
  /** 'clean' or a fault kind as written (the analysis checks it names one of §5) */
  outcome: string;
  outcomeRange: Range;
  /** the thread, or for a callback thread (`timer/t`) the object whose callback it is */
  thread?: Ident;
  /** version 2: the prefix of a callback thread's name (`kworker/w`, `timer/t`, `irq/i`) */
  callback?: { prefix: CallbackPrefix; range: Range };
}

/** The prefixes of callback threads' names, and the kind of object each names. */
export const CALLBACK_PREFIX = { kworker: 'work', timer: 'timer', irq: 'irq' } as const satisfies Record<string, NameKind>;
export type CallbackPrefix = keyof typeof CALLBACK_PREFIX;

/** The thread an expectation names, as the runtime names threads (`app`, `timer/watchdog`). */
export function expectThreadName(d: ExpectDecl): string | undefined {
  if (!d.thread) return undefined;
  return d.callback ? `${d.callback.prefix}/${d.thread.name}` : d.thread.name;
}

/** Declarations that introduce a name (everything but handlers and expectations). */
export type NamedDecl =
  | ModuleDecl
  | DeviceDecl
  | DriverDecl
  | DrmDecl
  | RevocableDecl
  | PtimerDecl
  | FenceDecl
  | DataDecl
  | WorkDecl
  | MutexDecl
  | ThreadDecl
  | TimerDecl
  | IrqDecl
  | KrefDecl
  | SpinlockDecl
  | CompletionDecl
  | CdevDecl
  | AttrDecl;

export type Decl = NamedDecl | HandlerDecl | ExpectDecl;

export type DeclKind = Decl['kind'];

/** Kinds a name can have; `file` is the local name an `open` introduces. */
export type NameKind = NamedDecl['kind'] | 'file';

export interface FileNode extends Node {
  scenario?: StringLit;
  decls: Decl[];
}

// ---------------------------------------------------------------- statements

interface StmtBase extends Node {
  /** range of the leading keyword */
  keywordRange: Range;
}

/** Statements of the form `KEYWORD IDENT`. */
export type SimpleOp =
  | 'close'
  | 'get'
  | 'put'
  | 'try_module_get'
  | 'module_put'
  | 'unplug'
  | 'revoke'
  | 'hotunplug'
  | 'unbind'
  | 'submit'
  | 'read'
  | 'write'
  | 'use'
  | 'flush'
  | 'lock'
  | 'unlock'
  // version 2
  | 'disable'
  | 'raise'
  | 'free_irq'
  | 'complete'
  | 'free'
  | 'unregister'
  | 'show';

export interface SimpleStmt extends StmtBase {
  kind: SimpleOp;
  target: Ident;
}

export interface OpenStmt extends StmtBase {
  kind: 'open';
  file: Ident;
  target: Ident;
}

export interface IoctlStmt extends StmtBase {
  kind: 'ioctl';
  file: Ident;
  body: Block;
}

export interface GuardStmt extends StmtBase {
  kind: 'enter' | 'access';
  target: Ident;
  body: Block;
  elseBody?: Block;
  /** range of the `else` keyword (with elseBody) */
  elseRange?: Range;
}

export interface RmmodStmt extends StmtBase {
  kind: 'rmmod';
  target: Ident;
  force: boolean;
}

export interface WaitStmt extends StmtBase {
  kind: 'wait' | 'poll';
  target: Ident;
  timeout?: Duration;
}

export interface SignalStmt extends StmtBase {
  kind: 'signal';
  target: Ident;
  error: boolean;
}

/** `queue w [after D]`, and (version 2) `arm t [after D]` (mod_timer). */
export interface QueueStmt extends StmtBase {
  kind: 'queue' | 'arm';
  target: Ident;
  after?: Duration;
}

/** `cancel w` (cancel_work_sync), `cancel t` (timer_delete_sync); `nosync`: version 2. */
export interface CancelStmt extends StmtBase {
  kind: 'cancel';
  target: Ident;
  /** `nosync`: timer_delete / cancel_work, no wait for a running callback */
  nosync: boolean;
}

export interface SleepStmt extends StmtBase {
  kind: 'sleep';
  duration: Duration;
}

export interface RepeatStmt extends StmtBase {
  kind: 'repeat';
  count: IntLit;
  body: Block;
}

export interface LogStmt extends StmtBase {
  kind: 'log';
  text: StringLit;
}

export type Stmt =
  | SimpleStmt
  | OpenStmt
  | IoctlStmt
  | GuardStmt
  | RmmodStmt
  | WaitStmt
  | SignalStmt
  | QueueStmt
  | CancelStmt
  | SleepStmt
  | RepeatStmt
  | LogStmt;

export type StmtKind = Stmt['kind'];

/** Every statement keyword, in the order of the grammar (the statement table's order). */
export { STMT_KINDS } from './statements';

/** The blocks nested directly in a statement, in source order. */
export function childBlocks(s: Stmt): Block[] {
  switch (s.kind) {
    case 'ioctl':
    case 'repeat':
      return [s.body];
    case 'enter':
    case 'access':
      return s.elseBody ? [s.body, s.elseBody] : [s.body];
    default:
      return [];
  }
}

/** Visits every statement of a block, nested ones included, in source order. */
export function walkStmts(block: Block, visit: (s: Stmt, parents: readonly Stmt[]) => void, parents: Stmt[] = []): void {
  for (const s of block.stmts) {
    visit(s, parents);
    const inner = childBlocks(s);
    if (inner.length) {
      parents.push(s);
      for (const b of inner) walkStmts(b, visit, parents);
      parents.pop();
    }
  }
}

/** The body of a declaration that has code (thread, handler, work, timer, irq, attr), if any. */
export function bodyOf(d: Decl): Block | undefined {
  switch (d.kind) {
    case 'thread':
    case 'handler':
    case 'work':
    case 'timer':
    case 'irq':
    case 'attr':
      return d.body;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- diagnostics

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export type StaticErrorCode =
  | 'syntax'
  | 'unknown-name'
  | 'wrong-kind'
  | 'duplicate-name'
  | 'bad-option'
  | 'bad-value'
  | 'bad-handler';

export interface Diagnostic {
  /** a static error code of language.md §2 or a lint code of tools.md §3 */
  code: string;
  severity: Severity;
  message: string;
  range: Range;
}

/** Fault kinds of language.md §5. */
export const FAULT_KINDS = [
  'deadlock',
  'hang',
  'code-after-unload',
  'use-after-free',
  'double-free',
  'refcount-underflow',
  'sleep-in-atomic',
  'unguarded-mmio',
  'bad-unlock',
  'leak',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export const NS_PER: Record<'ns' | 'us' | 'ms' | 's', number> = { ns: 1, us: 1_000, ms: 1_000_000, s: 1_000_000_000 };

const DURATION_TEXT = /^([0-9][0-9_]*)(ns|us|ms|s)$/;

/**
 * A duration written as the language writes it (`250us`, `1_000ms`; a bare `0` too), in
 * nanoseconds, or null. Every place that reads a duration from a user (flags, launch
 * arguments, witnesses, settings) goes through this one function.
 */
export function parseDurationText(text: string): number | null {
  const t = text.trim();
  if (t === '0') return 0;
  const ns = durationValue(t);
  return Number.isSafeInteger(ns) ? ns : null;
}

/**
 * The nanoseconds of a duration token as written, however large (the analysis reports one
 * above the maximum), or NaN when the text is not a duration.
 */
export function durationValue(text: string): number {
  const m = DURATION_TEXT.exec(text);
  return m ? Number(m[1].replace(/_/g, '')) * NS_PER[m[2] as keyof typeof NS_PER] : NaN;
}

/**
 * A duration for people: the largest unit that divides it (`250us`, `2s`), `0`, or `never`
 * for a negative one. `approx`: a value of a millisecond or more that no unit divides, in
 * milliseconds to three places (the timeline's axis); else exact, in nanoseconds.
 */
export function formatDuration(ns: number, approx = false): string {
  if (ns < 0) return 'never';
  if (ns === 0) return '0';
  if (ns % 1_000_000_000 === 0) return `${ns / 1_000_000_000}s`;
  if (ns % 1_000_000 === 0) return `${ns / 1_000_000}ms`;
  if (ns % 1_000 === 0) return `${ns / 1_000}us`;
  if (approx && ns >= 1_000_000) return `${(ns / 1_000_000).toFixed(3)}ms`;
  return `${ns}ns`;
}

/** The largest duration the language accepts (bad-value above it). */
export const MAX_DURATION_NS = 1000 * NS_PER.s;
export const MAX_REPEAT = 1_000_000;
export const DEFAULT_FENCE_NS = NS_PER.ms;

