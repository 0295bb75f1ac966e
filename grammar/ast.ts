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

export interface TimerDecl extends Node {
  kind: 'timer';
  name: Ident;
  revocable: Ident;
}

export interface FenceDecl extends Node {
  kind: 'fence';
  name: Ident;
  device: Ident;
  /** `takes` as written, if any; the default is 1ms */
  takes?: Duration;
}

export interface DataDecl extends Node {
  kind: 'data';
  name: Ident;
  managed: 'devm' | 'drmm';
  /** a device for devm, a drm device for drmm */
  owner: Ident;
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
  /** a driver for remove/close, a drm device for release */
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
  thread?: Ident;
}

/** Declarations that introduce a name (everything but handlers and expectations). */
export type NamedDecl =
  | ModuleDecl
  | DeviceDecl
  | DriverDecl
  | DrmDecl
  | RevocableDecl
  | TimerDecl
  | FenceDecl
  | DataDecl
  | WorkDecl
  | MutexDecl
  | ThreadDecl;

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
  | 'cancel'
  | 'lock'
  | 'unlock';

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

export interface QueueStmt extends StmtBase {
  kind: 'queue';
  target: Ident;
  after?: Duration;
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

/** The body of a declaration that has code (thread, handler, work), if any. */
export function bodyOf(d: Decl): Block | undefined {
  return d.kind === 'thread' || d.kind === 'handler' || d.kind === 'work' ? d.body : undefined;
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

