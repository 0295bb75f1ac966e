// A read-only index of one parsed scenario for the lint rules: declarations by name, the
// relations between them (which driver binds which device, which drm lives on it), and
// every statement with the compound statements that enclose it.
//
// It tolerates whatever the parser recovered: nodes with empty names are skipped, and
// names that resolve to nothing (or to the wrong kind) simply do not take part.

import { maySleep, stmtBlocking, targetRow, type TargetKey, type TargetRow } from '../../grammar/statements';
import type {
  AttrDecl,
  Block,
  CdevDecl,
  DataDecl,
  DriverDecl,
  DrmDecl,
  FileNode,
  HandlerDecl,
  HandlerEvent,
  Ident,
  IrqDecl,
  NamedDecl,
  Stmt,
  ThreadDecl,
  TimerDecl,
  WorkDecl,
} from '../../grammar/ast';
import { SourceText } from './text';

/** A declaration that holds code (version 2: timer callbacks, IRQ handlers, attribute blocks). */
export type CodeDecl = ThreadDecl | HandlerDecl | WorkDecl | TimerDecl | IrqDecl | AttrDecl;

/** A compound statement around a statement; `inElse` when in its `else` block. */
export interface Frame {
  stmt: Stmt;
  inElse: boolean;
}

export interface StmtSite {
  stmt: Stmt;
  /** enclosing compound statements, outermost first */
  frames: readonly Frame[];
  owner: CodeDecl;
}

export function named(id: Ident | undefined | null): id is Ident {
  return !!id && typeof id.name === 'string' && id.name !== '';
}

export class Model {
  readonly src: SourceText;
  /** first declaration of each name (duplicates are a static error reported elsewhere) */
  readonly decls = new Map<string, NamedDecl>();
  readonly drivers: DriverDecl[] = [];
  readonly drms: DrmDecl[] = [];
  readonly datas: DataDecl[] = [];
  readonly works: WorkDecl[] = [];
  readonly timers: TimerDecl[] = [];
  readonly irqs: IrqDecl[] = [];
  readonly cdevs: CdevDecl[] = [];
  readonly handlers: HandlerDecl[] = [];
  readonly threads: ThreadDecl[] = [];
  readonly code: CodeDecl[] = [];
  /** every statement of every body, in source order of bodies then statements */
  readonly sites: StmtSite[] = [];

  constructor(
    readonly file: FileNode,
    text: string,
  ) {
    this.src = new SourceText(text);
    for (const d of file?.decls ?? []) {
      if (!d) continue;
      if (d.kind !== 'handler' && d.kind !== 'expect') {
        if (!named(d.name)) continue;
        if (!this.decls.has(d.name.name)) this.decls.set(d.name.name, d);
      }
      switch (d.kind) {
        case 'driver':
          this.drivers.push(d);
          break;
        case 'drm':
          this.drms.push(d);
          break;
        case 'data':
          this.datas.push(d);
          break;
        case 'work':
          this.works.push(d);
          this.code.push(d);
          break;
        case 'timer':
          this.timers.push(d);
          this.code.push(d);
          break;
        case 'irq':
          this.irqs.push(d);
          this.code.push(d);
          break;
        case 'attr':
          this.code.push(d);
          break;
        case 'cdev':
          this.cdevs.push(d);
          break;
        case 'handler':
          this.handlers.push(d);
          this.code.push(d);
          break;
        case 'thread':
          this.threads.push(d);
          this.code.push(d);
          break;
        default:
          break;
      }
    }
    for (const c of this.code) for (const x of this.sitesOf(c)) this.sites.push(x);
  }

  /** The statements of one declaration's body, as in `sites`. */
  sitesOf(c: CodeDecl): readonly StmtSite[] {
    let sites = SITES.get(c);
    if (!sites) {
      sites = [];
      collect(c.body, c, [], sites);
      SITES.set(c, sites);
    }
    return sites;
  }

  get<K extends NamedDecl['kind']>(id: Ident | undefined, kind: K): Extract<NamedDecl, { kind: K }> | undefined {
    if (!named(id)) return undefined;
    const d = this.decls.get(id.name);
    return d && d.kind === kind ? (d as Extract<NamedDecl, { kind: K }>) : undefined;
  }

  drmsOfDevice(device: string): DrmDecl[] {
    return this.drms.filter((x) => named(x.name) && x.device?.name === device);
  }

  cdevsOfDevice(device: string): CdevDecl[] {
    return this.cdevs.filter((x) => named(x.name) && x.device?.name === device);
  }

  driversOfDevice(device: string): DriverDecl[] {
    return this.drivers.filter((d) => named(d.name) && d.device?.name === device);
  }

  /** The first handler of `event` for `target` (two are a bad-handler error). */
  handler(event: HandlerEvent, target: string): HandlerDecl | undefined {
    return this.handlers.find((h) => h.event === event && h.target?.name === target);
  }

  /** The revocable a `read`/`write` target stands for: itself, or a timer's revocable. */
  revocableOf(id: Ident): string | undefined {
    const r = this.get(id, 'revocable');
    if (r) return r.name.name;
    const t = this.get(id, 'ptimer');
    return t && named(t.revocable) && this.get(t.revocable, 'revocable') ? t.revocable.name : undefined;
  }

  /** The kind of what a statement's target names (`file` for file statements, `none` without one). */
  private targetKey(s: Stmt): TargetKey | undefined {
    if (s.kind === 'ioctl' || s.kind === 'close') return 'file';
    const t = targetOf(s);
    if (!t) return 'none';
    return named(t) ? this.decls.get(t.name)?.kind : undefined;
  }

  /**
   * The statement table's row for a statement on what its target names (the file's row for
   * file statements); undefined when the name does not resolve to a kind it takes.
   */
  row(s: Stmt): TargetRow | undefined {
    const k = this.targetKey(s);
    return k ? targetRow(s.kind, k) : undefined;
  }

  /**
   * Whether a statement may sleep: on its target's kind (`cancel … nosync` never waits), or
   * on any kind when that is unknown.
   */
  sleeps(s: Stmt): boolean {
    const k = this.targetKey(s);
    const b = k ? stmtBlocking(s, k) : undefined;
    if (b) return b === 'sleeps';
    return !(s.kind === 'cancel' && s.nosync) && maySleep(s.kind);
  }

  /** Statements anywhere in any body that satisfy `pred`. */
  anyStmt(pred: (s: Stmt) => boolean): boolean {
    return this.sites.some((x) => pred(x.stmt));
  }

  /** Driver code: an ioctl body, a handler, work, timer, IRQ or attribute body (language.md §3, §9). */
  isDriverCode(site: StmtSite): boolean {
    return site.owner.kind !== 'thread' || site.frames.some((f) => f.stmt.kind === 'ioctl');
  }
}

// The sites of a body depend on its own tree only, so they are kept per declaration node:
// the editor's incremental parser reuses the node of an unchanged declaration (moved in
// place), and an edit of one thread of a 1,000-thread file walks that thread only.
const SITES = new WeakMap<CodeDecl, StmtSite[]>();

/** Every statement of `block` at any depth, in source order. */
export function stmtsOf(block: Block | undefined): Stmt[] {
  const out: StmtSite[] = [];
  collect(block, undefined as unknown as CodeDecl, [], out);
  return out.map((x) => x.stmt);
}

// `frames` is never changed once made: the sites of one block share it (a copy per
// statement was most of the model's allocations on a file of a thousand threads).
function collect(block: Block | undefined, owner: CodeDecl, frames: readonly Frame[], out: StmtSite[]): void {
  for (const s of block?.stmts ?? []) {
    if (!s) continue;
    out.push({ stmt: s, frames, owner });
    switch (s.kind) {
      case 'ioctl':
      case 'repeat':
        collect(s.body, owner, [...frames, { stmt: s, inElse: false }], out);
        break;
      case 'enter':
      case 'access':
        collect(s.body, owner, [...frames, { stmt: s, inElse: false }], out);
        if (s.elseBody) collect(s.elseBody, owner, [...frames, { stmt: s, inElse: true }], out);
        break;
      default:
        break;
    }
  }
}

/** The identifier a simple-shaped statement names (not `open`'s file, `ioctl`'s file or `sleep`/`log`). */
export function targetOf(s: Stmt): Ident | undefined {
  switch (s.kind) {
    case 'ioctl':
    case 'sleep':
    case 'repeat':
    case 'log':
      return undefined;
    default:
      return s.target;
  }
}
