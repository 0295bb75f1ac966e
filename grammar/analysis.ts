// Name resolution and the static errors of language.md §2 (all but `syntax`).
//
// Every identifier that names something is resolved once, here, into `Symbols`; the runtime
// and the language server (definition, references, rename, hover) read that instead of
// resolving names again. The analysis never throws, whatever tree the parser recovered:
// placeholder idents (name "") and durations/counts with empty text are skipped, as their
// syntax error is already reported.

import {
  CALLBACK_PREFIX,
  FAULT_KINDS,
  MAX_DURATION_NS,
  bodyOf,
  MAX_REPEAT,
  walkStmts,
  type Block,
  type Decl,
  type Diagnostic,
  type DriverDecl,
  type Duration,
  type ExpectDecl,
  type FileNode,
  type HandlerDecl,
  type Ident,
  type NameKind,
  type NamedDecl,
  type OpenStmt,
  type Range,
  type Stmt,
  type StmtKind,
} from './ast';
import { STMT_KINDS, targetKinds, targetRow } from './statements';
import { isRecovered } from './parser';

export interface SymbolRef {
  ident: Ident;
  /** a declaration's name, or the file name of an `open` */
  isDeclaration: boolean;
  /** the kind of what the name resolved to (even when it is the wrong kind for its place) */
  kind: NameKind | undefined;
  /** what the name resolved to: a top-level declaration, or for files the first `open` of that name in the body */
  decl: NamedDecl | OpenStmt | undefined;
}

export interface Symbols {
  /** the first declaration of each top-level name */
  byName: Map<string, NamedDecl>;
  /** every declaration of each top-level name, duplicates included, in source order */
  declarations: Map<string, NamedDecl[]>;
  /** every name occurrence in the file, sorted by position (driver option names are not names) */
  refs: SymbolRef[];
  /** the name at `offset` (its end included, so a cursor just after a name finds it) */
  refAt(offset: number): SymbolRef | undefined;
  /** the resolution of one identifier node of the tree */
  refOf(ident: Ident): SymbolRef | undefined;
  /**
   * every occurrence of the name `decl` declares, its declaration(s) included; for a file,
   * every `open`, `close` and `ioctl` of that name in the body
   */
  referencesTo(decl: NamedDecl | OpenStmt): SymbolRef[];
  /** the `open`s of a body (thread, handler, work; or any block), by file name, in source order */
  fileOpens(body: Block): Map<string, OpenStmt[]>;
  /** the thread, handler or work whose body contains a statement */
  ownerOf(stmt: Stmt): Decl | undefined;
}

export interface Analysis {
  file: FileNode;
  /** static errors (not `syntax`), sorted by position */
  diagnostics: Diagnostic[];
  symbols: Symbols;
}

/** Statements that name a target. */
export type TargetedStmtKind = Exclude<StmtKind, 'sleep' | 'repeat' | 'log'>;

/** What each statement's name must be (from the statement table: read/write take a revocable or a timer). */
export const STMT_TARGET_KINDS = Object.fromEntries(
  STMT_KINDS.filter((k) => !targetRow(k, 'none')).map((k) => [k, targetKinds(k) as NameKind[]]),
) as unknown as Readonly<Record<TargetedStmtKind, readonly NameKind[]>>;

/** How messages name each kind, with its article. */
export const KIND_LABEL: Readonly<Record<NameKind, string>> = {
  module: 'a module',
  device: 'a device',
  driver: 'a driver',
  drm: 'a drm device',
  revocable: 'a revocable',
  ptimer: 'a ptimer',
  timer: 'a timer',
  irq: 'an irq',
  kref: 'a kref',
  spinlock: 'a spinlock',
  completion: 'a completion',
  cdev: 'a cdev',
  attr: 'an attribute',
  fence: 'a fence',
  data: 'driver data',
  work: 'a work item',
  mutex: 'a mutex',
  thread: 'a thread',
  file: 'a file',
};

// How messages name each statement's place (built once, not per statement).
const PLACE = Object.fromEntries(Object.keys(STMT_TARGET_KINDS).map((k) => [k, `\`${k}\``])) as Record<keyof typeof STMT_TARGET_KINDS, string>;

export const DRIVER_OPTIONS = ['fops_owner', 'drm_holds_module'] as const;

const NAMED_KINDS = new Set<string>(
  Object.keys({
    module: 1, device: 1, driver: 1, drm: 1, revocable: 1, ptimer: 1, fence: 1, data: 1, work: 1, mutex: 1, thread: 1,
    timer: 1, irq: 1, kref: 1, spinlock: 1, completion: 1, cdev: 1, attr: 1,
  } satisfies Record<NamedDecl['kind'], 1>),
);

export function isNamedDecl(d: Decl): d is NamedDecl {
  return NAMED_KINDS.has(d.kind);
}

function err(code: string, message: string, range: Range): Diagnostic {
  return { code, severity: 'error', message, range };
}

function at(r: Range): string {
  return `${r.start.line}:${r.start.column}`;
}

function kindsLabel(kinds: readonly NameKind[]): string {
  return kinds.map((k) => KIND_LABEL[k]).join(' or ');
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

const emptyOpens: Map<string, OpenStmt[]> = new Map();

/**
 * One declaration's share of the analysis, with what it read from the rest of the file, so
 * that the next analysis of an edited file reuses it when none of that changed (the editor's
 * parser keeps the node of an unchanged declaration: grammar/chunks.ts). Its diagnostics and
 * refs point at the declaration's own nodes, which move in place with it; message texts
 * that name positions are checked here instead.
 */
interface Lookup {
  name: string;
  decl: NamedDecl | undefined;
  line: number;
  column: number;
  named: boolean;
}

interface DeclResult {
  diagnostics: Diagnostic[];
  refs: SymbolRef[];
  opens: [Block, Map<string, OpenStmt[]>][];
  canonical: [OpenStmt, OpenStmt][];
  /**
   * the top-level names it looked up: what each resolved to, and where that was declared
   * then, when a message names that place
   */
  lookups: Lookup[];
  /** the declaration's line then, and whether a message names a position inside it */
  line: number;
  localPositions: boolean;
  /** the `did you mean` counter when it started, and how many times it counted */
  suggestFrom: number;
  suggestCalls: number;
  /** the generation of the set of top-level names it searched for a `did you mean`, if it did */
  namesGen: number | undefined;
  /** a handler: the earlier handler of the same kind and target it found (or none) */
  handler?: { key: string; first: HandlerDecl | undefined; at: string };
}

/**
 * Per-declaration results kept between analyses of the same document. `analyze(file)`
 * without one starts from nothing, so `lifetime check` and the editor run the same code;
 * a test compares the two after random edits.
 */
export class AnalysisCache {
  results = new WeakMap<Decl, DeclResult>();
  namesKey = '';
  namesGen = 0;
  /** how many declarations the last analysis reused (for tests and the bench) */
  reused = 0;
}

/** Whether the counter-bound `did you mean` gives the same answers from another start. */
function sameSuggestions(from: number, to: number, calls: number): boolean {
  return calls === 0 || from === to || (from >= MAX_SUGGESTIONS && to >= MAX_SUGGESTIONS) || (from + calls <= MAX_SUGGESTIONS && to + calls <= MAX_SUGGESTIONS);
}

/** Bounded: a file of thousands of unknown names must not cost names × declarations. */
const MAX_SUGGESTIONS = 100;

class Analyzer {
  readonly diagnostics: Diagnostic[] = [];
  readonly byName = new Map<string, NamedDecl>();
  readonly declarations = new Map<string, NamedDecl[]>();
  /**
   * each declaration's result, in source order: its refs and opens are gathered only when
   * someone asks (the diagnostics need neither, and an edit of one declaration of a large
   * file should not cost a walk over every name of it)
   */
  readonly parts: DeclResult[] = [];
  /** the declaration being analysed, and the names it looked up so far */
  private cur!: DeclResult;
  private readonly seen = new Map<string, Lookup>();

  constructor(
    readonly file: FileNode,
    private readonly cache: AnalysisCache,
  ) {}

  run(): void {
    const decls = Array.isArray(this.file.decls) ? this.file.decls : [];
    for (const d of decls) {
      if (!d || !isNamedDecl(d) || !d.name || d.name.name === '') continue;
      const list = this.declarations.get(d.name.name);
      if (list) list.push(d);
      else {
        this.declarations.set(d.name.name, [d]);
        this.byName.set(d.name.name, d);
      }
    }
    for (const [name, list] of this.declarations) {
      if (list.length < 2) continue;
      for (const d of list) {
        // At most three others named, so that a file of many duplicates stays linear.
        const others = [];
        for (const o of list) {
          if (o === d) continue;
          if (others.length === 3) {
            others.push(`${list.length - 4} more`);
            break;
          }
          others.push(`${KIND_LABEL[o.kind]} at ${at(o.name.range)}`);
        }
        this.diagnostics.push(err('duplicate-name', `\`${name}\` is declared more than once: also as ${others.join(', ')}`, d.name.range));
      }
    }
    const cache = this.cache;
    let namesKey = '';
    for (const [name, d] of this.byName) namesKey += `${d.kind} ${name}\n`;
    if (namesKey !== cache.namesKey) {
      cache.namesKey = namesKey;
      cache.namesGen++;
    }
    const handlers = new Map<string, HandlerDecl>();
    let reused = 0;
    for (const d of decls) {
      if (!d) continue;
      let r = cache.results.get(d);
      if (r && this.reusable(d, r, handlers)) {
        reused++;
        if (r.handler && !r.handler.first) handlers.set(r.handler.key, d as HandlerDecl);
        r.suggestFrom = this.suggestions;
        this.suggestions += r.suggestCalls;
      } else {
        r = {
          diagnostics: [], refs: [], opens: [], canonical: [], lookups: [], line: d.range?.start.line ?? 0,
          localPositions: false, suggestFrom: this.suggestions, suggestCalls: 0, namesGen: undefined,
        };
        this.cur = r;
        this.seen.clear();
        this.decl(d, handlers);
        r.suggestCalls = this.suggestions - r.suggestFrom;
        cache.results.set(d, r);
      }
      for (const x of r.diagnostics) this.diagnostics.push(x);
      this.parts.push(r);
    }
    cache.reused = reused;
  }

  /** Whether nothing a declaration's last analysis read has changed. */
  private reusable(d: Decl, r: DeclResult, handlers: Map<string, HandlerDecl>): boolean {
    if (r.localPositions && r.line !== d.range.start.line) return false;
    if (r.namesGen !== undefined && r.namesGen !== this.cache.namesGen) return false;
    if (!sameSuggestions(r.suggestFrom, this.suggestions, r.suggestCalls)) return false;
    for (let i = 0; i < r.lookups.length; i++) {
      const l = r.lookups[i]!;
      const now = this.byName.get(l.name);
      if (now !== l.decl || (l.named && now && (now.name.range.start.line !== l.line || now.name.range.start.column !== l.column))) return false;
    }
    if (r.handler) {
      const first = handlers.get(r.handler.key);
      if (first !== r.handler.first || (first && at(first.range) !== r.handler.at)) return false;
    }
    return true;
  }

  /** A top-level name, looked up and remembered as something this declaration depends on. */
  private lookup(name: string): NamedDecl | undefined {
    const d = this.byName.get(name);
    if (!this.seen.has(name)) {
      const l: Lookup = { name, decl: d, line: d?.name.range.start.line ?? 0, column: d?.name.range.start.column ?? 0, named: false };
      this.seen.set(name, l);
      this.cur.lookups.push(l);
    }
    return d;
  }

  /** A message names where top-level `name` is declared. */
  private named(name: string): void {
    const l = this.seen.get(name);
    if (l) l.named = true;
    else this.cur.localPositions = true;
  }

  private push(d: Diagnostic): void {
    this.cur.diagnostics.push(d);
  }

  private addRef(ident: Ident, isDeclaration: boolean, kind: NameKind | undefined, decl: NamedDecl | OpenStmt | undefined): SymbolRef {
    const r: SymbolRef = { ident, isDeclaration, kind, decl };
    this.cur.refs.push(r);
    return r;
  }

  private decl(d: Decl, handlers: Map<string, HandlerDecl>): void {
    if (isNamedDecl(d) && d.name && d.name.name !== '') this.addRef(d.name, true, d.kind, d);
    switch (d.kind) {
      case 'module':
      case 'device':
      case 'mutex':
      case 'spinlock':
      case 'completion':
        return;
      case 'driver':
        this.name(d.module, ['module'], '`driver … in`');
        this.name(d.device, ['device'], '`driver … binds`');
        this.options(d);
        return;
      case 'drm':
      case 'revocable':
      case 'cdev':
        this.name(d.device, ['device'], `\`${d.kind} … on\``);
        return;
      case 'ptimer':
        this.name(d.revocable, ['revocable'], d.deprecatedForm ? '`timer … on`' : '`ptimer … on`');
        return;
      case 'timer':
        this.name(d.driver, ['driver'], '`timer … in`');
        this.body(d.body);
        return;
      case 'irq':
      case 'attr':
        this.name(d.device, ['device'], `\`${d.kind} … on\``);
        this.body(d.body);
        return;
      case 'kref':
        this.name(d.driver, ['driver'], '`kref … in`');
        return;
      case 'fence':
        this.name(d.device, ['device'], '`fence … on`');
        if (d.takes) this.duration(d.takes, '`takes`');
        return;
      case 'data':
        if (isRecovered(d)) this.name(d.owner, ['device', 'drm'], '`data … on`');
        else if (d.managed === 'drmm') this.name(d.owner, ['drm'], '`data … drmm on`');
        else if (d.managed === 'devm') this.name(d.owner, ['device'], '`data … devm on`');
        return;
      case 'work':
        this.name(d.driver, ['driver'], '`work … in`');
        this.body(d.body);
        return;
      case 'handler': {
        // A recovered handler's event is a guess: its target may be either kind, and it
        // takes no part in the one-handler-per-target check.
        const kinds: NameKind[] = isRecovered(d) ? ['driver', 'drm', 'kref'] : d.event === 'release' ? ['drm', 'kref'] : ['driver'];
        this.name(d.target, kinds, `\`on ${d.event}\``);
        if (d.target && d.target.name !== '' && !isRecovered(d)) {
          // Reported on the second (and any later) handler only: the first one is the
          // handler that counts, the later ones are the mistake.
          const key = `${d.event} ${d.target.name}`;
          const first = handlers.get(key);
          this.cur.handler = { key, first, at: first ? at(first.range) : '' };
          if (first) {
            this.push(
              err(
                'bad-handler',
                `a second \`on ${d.event} ${d.target.name}\` handler (the first is at ${at(first.range)}): one handler of each kind per target`,
                { start: d.range.start, end: d.target.range.end },
              ),
            );
          } else handlers.set(key, d);
        }
        this.body(d.body);
        return;
      }
      case 'thread':
        this.body(d.body);
        return;
      case 'expect':
        this.expect(d);
        return;
    }
  }

  private options(d: DriverDecl): void {
    const seen = new Map<string, Ident>();
    for (const o of d.options ?? []) {
      if (!o || !o.name || o.name.name === '') continue;
      const name = o.name.name;
      if (!(DRIVER_OPTIONS as readonly string[]).includes(name)) {
        this.push(err('bad-option', `unknown driver option \`${name}\`: the options are \`fops_owner\` and \`drm_holds_module\``, o.name.range));
        continue;
      }
      const first = seen.get(name);
      if (first) {
        this.cur.localPositions = true;
        this.push(err('bad-option', `option \`${name}\` is given twice (first at ${at(first.range)})`, o.name.range));
      } else seen.set(name, o.name);
    }
  }

  // An outcome that is neither `clean` nor a fault kind of §5 is `bad-value` (the token is a
  // valid FAULT lexically; its value is what is wrong). `expect clean in T` is `bad-value` on
  // `T` too: the parser accepts it so that `T` still resolves for the editor.
  private expect(d: ExpectDecl): void {
    if (d.outcome !== '' && d.outcome !== 'clean' && !(FAULT_KINDS as readonly string[]).includes(d.outcome)) {
      this.push(
        err('bad-value', `unknown outcome \`${d.outcome}\`: expected \`clean\` or a fault kind (${FAULT_KINDS.join(', ')})`, d.outcomeRange),
      );
    }
    if (d.thread) {
      if (d.outcome === 'clean' && d.thread.name !== '') {
        this.push(err('bad-value', '`expect clean` takes no thread: a clean run has no fault to be in a thread', d.thread.range));
      }
      if (isRecovered(d)) return; // an unknown callback prefix: its syntax error says it
      if (d.callback) this.name(d.thread, [CALLBACK_PREFIX[d.callback.prefix]], `\`expect … in ${d.callback.prefix}/\``);
      else this.name(d.thread, ['thread'], '`expect … in`');
    }
  }

  private duration(dur: Duration, what: string): void {
    if (!dur || dur.text === '') return;
    if (!(dur.ns > 0)) this.push(err('bad-value', `${what} needs a duration greater than 0, not \`${dur.text}\``, dur.range));
    else if (dur.ns > MAX_DURATION_NS) {
      this.push(err('bad-value', `\`${dur.text}\` is too long for ${what}: durations are at most 1000s`, dur.range));
    }
  }

  // One walk per body: `open`s are collected as they come, and the names that may be files
  // (`close`/`ioctl` and names not declared at top level) wait until the whole body is seen,
  // since a file name is local to all of its body, textually before the `open` too.
  private body(body: Block): void {
    if (!body || !Array.isArray(body.stmts)) return;
    const opens = new Map<string, OpenStmt[]>();
    const pending: (() => void)[] = [];
    this.cur.opens.push([body, opens]);
    walkStmts(body, (s) => {
      if (!s) return;
      if (s.kind === 'open' && s.file && s.file.name !== '') {
        const list = opens.get(s.file.name);
        if (list) list.push(s);
        else opens.set(s.file.name, [s]);
      }
      this.stmt(s, opens, pending);
    });
    for (const list of opens.values()) for (const o of list) this.cur.canonical.push([o, list[0]!]);
    for (const p of pending) p();
  }

  private stmt(s: Stmt, opens: Map<string, OpenStmt[]>, pending: (() => void)[]): void {
    switch (s.kind) {
      case 'sleep':
        this.duration(s.duration, '`sleep`');
        return;
      case 'repeat':
        if (s.count && s.count.text !== '' && !(s.count.value >= 1 && s.count.value <= MAX_REPEAT)) {
          this.push(err('bad-value', `\`repeat ${s.count.text}\`: the count must be from 1 to 1,000,000`, s.count.range));
        }
        return;
      case 'log':
        return;
      case 'open': {
        if (s.file && s.file.name !== '') {
          const name = s.file.name;
          this.addRef(s.file, true, 'file', opens.get(name)?.[0] ?? s);
          const top = this.lookup(name);
          if (top) {
            this.named(name);
            this.push(
              err('duplicate-name', `file \`${name}\` has the name of ${KIND_LABEL[top.kind]} declared at ${at(top.name.range)}`, s.file.range),
            );
          }
        }
        this.name(s.target, STMT_TARGET_KINDS.open, '`open … on`', opens, pending);
        return;
      }
      case 'close':
        this.deferFile(s.target, '`close`', opens, pending);
        return;
      case 'ioctl':
        this.deferFile(s.file, '`ioctl`', opens, pending);
        return;
      case 'wait':
      case 'poll':
        this.name(s.target, STMT_TARGET_KINDS[s.kind], PLACE[s.kind], opens, pending);
        if (s.timeout) this.duration(s.timeout, `\`${s.kind} … timeout\``);
        return;
      case 'queue':
      case 'arm':
        this.name(s.target, STMT_TARGET_KINDS[s.kind], PLACE[s.kind], opens, pending);
        if (s.after) this.duration(s.after, `\`${s.kind} … after\``);
        return;
      default:
        this.name(s.target, STMT_TARGET_KINDS[s.kind], PLACE[s.kind], opens, pending);
    }
  }

  /** A top-level name of one of `kinds` (a body's file of that name is the wrong kind). */
  private name(
    id: Ident | undefined,
    kinds: readonly NameKind[],
    place: string,
    opens?: Map<string, OpenStmt[]>,
    pending?: (() => void)[],
  ): void {
    if (!id || typeof id.name !== 'string' || id.name === '') return;
    const d = this.lookup(id.name);
    if (d) {
      this.addRef(id, false, d.kind, d);
      if (!kinds.includes(d.kind)) {
        this.named(id.name);
        this.wrongKind(id, kinds, place, d.kind, d.name.range);
      }
      return;
    }
    // Unresolved for now; maybe a file of the body, opened later in it. The ref takes its
    // place in `refs` now (so they stay in source order) and is filled in once the body is walked.
    const ref = this.addRef(id, false, undefined, undefined);
    const resolve = (): void => {
      const file = opens?.get(id.name)?.[0];
      if (file) {
        ref.kind = 'file';
        ref.decl = file;
        this.cur.localPositions = true;
        this.wrongKind(id, kinds, place, 'file', file.file.range);
        return;
      }
      this.push(err('unknown-name', `unknown name \`${id.name}\`: nothing declares it${this.suggest(id.name, kinds)}`, id.range));
    };
    if (pending) pending.push(resolve);
    else resolve();
  }

  // `close f` / `ioctl f`: a file opened in the same body. A top-level name there is
  // `wrong-kind` rather than `unknown-name`: the name exists, it just is not a file.
  private deferFile(id: Ident | undefined, place: string, opens: Map<string, OpenStmt[]>, pending: (() => void)[]): void {
    if (!id || typeof id.name !== 'string' || id.name === '') return;
    const ref = this.addRef(id, false, undefined, undefined);
    pending.push(() => this.fileName(ref, place, opens));
  }

  private fileName(ref: SymbolRef, place: string, opens: Map<string, OpenStmt[]>): void {
    const id = ref.ident;
    const file = opens.get(id.name)?.[0];
    if (file) {
      ref.kind = 'file';
      ref.decl = file;
      return;
    }
    const d = this.lookup(id.name);
    if (d) {
      ref.kind = d.kind;
      ref.decl = d;
      this.named(id.name);
      this.wrongKind(id, ['file'], place, d.kind, d.name.range);
      return;
    }
    const hint = ++this.suggestions > MAX_SUGGESTIONS ? undefined : [...opens.keys()].find((n) => editDistance(n, id.name) <= 2);
    this.push(
      err('unknown-name', `unknown file \`${id.name}\`: no \`open ${id.name} on …\` in this body${hint ? ` (did you mean \`${hint}\`?)` : ''}`, id.range),
    );
  }

  private wrongKind(id: Ident, kinds: readonly NameKind[], place: string, actual: NameKind, declRange: Range): void {
    this.push(
      err('wrong-kind', `${place} needs ${kindsLabel(kinds)}, but \`${id.name}\` is ${KIND_LABEL[actual]} (declared at ${at(declRange)})`, id.range),
    );
  }

  private suggestions = 0;

  private suggest(name: string, kinds: readonly NameKind[]): string {
    if (++this.suggestions > MAX_SUGGESTIONS) return '';
    this.cur.namesGen = this.cache.namesGen;
    let best: string | undefined;
    let bestDist = 3;
    for (const [n, d] of this.byName) {
      if (!kinds.includes(d.kind)) continue;
      const dist = editDistance(n, name);
      if (dist < bestDist) {
        best = n;
        bestDist = dist;
      }
    }
    return best ? ` (did you mean \`${best}\`?)` : '';
  }
}

function makeSymbols(a: Analyzer): Symbols {
  let sorted: SymbolRef[] | undefined;
  const allRefs = (): SymbolRef[] => {
    if (sorted) return sorted;
    const refs: SymbolRef[] = [];
    for (const p of a.parts) for (const r of p.refs) refs.push(r);
    // Mostly in source order already (the walk follows the text); sort only if not.
    for (let i = 1; i < refs.length; i++) {
      if (refs[i - 1]!.ident.range.start.offset > refs[i]!.ident.range.start.offset) {
        refs.sort((x, y) => x.ident.range.start.offset - y.ident.range.start.offset);
        break;
      }
    }
    sorted = refs;
    return refs;
  };
  let opensByBody: Map<Block, Map<string, OpenStmt[]>> | undefined;
  let canonicalOpen: Map<OpenStmt, OpenStmt> | undefined;
  const openIndex = () => {
    if (!opensByBody || !canonicalOpen) {
      opensByBody = new Map();
      canonicalOpen = new Map();
      for (const p of a.parts) {
        for (const [b, o] of p.opens) opensByBody.set(b, o);
        for (const [o, c] of p.canonical) canonicalOpen.set(o, c);
      }
    }
    return { opensByBody, canonicalOpen };
  };
  // Built on first use: the CLI and the runtime never ask.
  let byDecl: Map<NamedDecl | OpenStmt, SymbolRef[]> | undefined;
  let byIdent: Map<Ident, SymbolRef> | undefined;
  let owners: Map<Stmt, Decl> | undefined;
  const extraOpens = new WeakMap<Block, Map<string, OpenStmt[]>>();
  return {
    byName: a.byName,
    declarations: a.declarations,
    get refs() {
      return allRefs();
    },
    refAt(offset: number): SymbolRef | undefined {
      const refs = allRefs();
      let lo = 0;
      let hi = refs.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (refs[mid]!.ident.range.start.offset <= offset) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const r = found >= 0 ? refs[found] : undefined;
      return r && offset <= r.ident.range.end.offset ? r : undefined;
    },
    refOf(ident: Ident): SymbolRef | undefined {
      if (!byIdent) {
        byIdent = new Map();
        for (const r of allRefs()) byIdent.set(r.ident, r);
      }
      return byIdent.get(ident);
    },
    referencesTo(decl: NamedDecl | OpenStmt): SymbolRef[] {
      if (!byDecl) {
        byDecl = new Map();
        for (const r of allRefs()) {
          if (!r.decl) continue;
          const list = byDecl.get(r.decl);
          if (list) list.push(r);
          else byDecl.set(r.decl, [r]);
        }
      }
      const key = decl.kind === 'open' ? (openIndex().canonicalOpen.get(decl) ?? decl) : decl;
      return byDecl.get(key) ?? [];
    },
    fileOpens(body: Block): Map<string, OpenStmt[]> {
      const known = openIndex().opensByBody.get(body) ?? extraOpens.get(body);
      if (known) return known;
      if (!body || !Array.isArray(body.stmts)) return emptyOpens;
      const opens = new Map<string, OpenStmt[]>();
      walkStmts(body, (s) => {
        if (s && s.kind === 'open' && s.file && s.file.name !== '') {
          const list = opens.get(s.file.name);
          if (list) list.push(s);
          else opens.set(s.file.name, [s]);
        }
      });
      extraOpens.set(body, opens);
      return opens;
    },
    ownerOf(stmt: Stmt): Decl | undefined {
      if (!owners) {
        owners = new Map();
        for (const d of a.file.decls ?? []) {
          const body = d && bodyOf(d);
          if (body && Array.isArray(body.stmts)) walkStmts(body, (s) => owners!.set(s, d));
        }
      }
      return owners.get(stmt);
    },
  };
}

/** Resolves names and finds the static errors of `file`. Never throws. */
export function analyze(file: FileNode, cache: AnalysisCache = new AnalysisCache()): Analysis {
  const a = new Analyzer(file, cache);
  try {
    a.run();
  } catch (e) {
    // A tree the parser cannot produce; report rather than crash the editor or the CLI.
    a.diagnostics.push(
      err('syntax', `internal analysis error: ${e instanceof Error ? e.message : String(e)}`, file?.range ?? {
        start: { line: 1, column: 1, offset: 0 },
        end: { line: 1, column: 1, offset: 0 },
      }),
    );
  }
  a.diagnostics.sort((x, y) => x.range.start.offset - y.range.start.offset);
  return { file, diagnostics: a.diagnostics, symbols: makeSymbols(a) };
}
