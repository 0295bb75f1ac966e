// Line breakpoints (with conditions, hit counts and log points), data breakpoints and the
// exception filters. Protocol-free: the session translates to and from DAP.

import { basename } from 'node:path';
import type { Kernel } from '../runtime/kernel';
import type { Program } from '../runtime/program';
import {
  compileCondition, compileExpr, compileLogMessage, formatValue, renderLog,
  type Compiled, type LogPart,
} from './expr';
import type { Value } from './objects';

export interface LineBreakpointSpec {
  line: number;
  column?: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface LineBreakpoint {
  id: number;
  /** the line asked for */
  requested: number;
  /** where it sits (a statement's line), or null when unverified */
  line: number | null;
  column: number | null;
  message?: string;
  condition: Compiled | null;
  hit: HitCondition | null;
  log: LogPart[] | null;
  hits: number;
  spec: LineBreakpointSpec;
}

export interface HitCondition { op: '>=' | '==' | '>' | '<' | '<=' | '%'; n: number }

/**
 * `N` (the Nth hit and every one after, as VS Code's Node and Chrome debuggers read it), `==N`,
 * `>N`, `>=N`, `<N`, `<=N`, `%N` (every Nth).
 */
export function parseHitCondition(text: string): HitCondition {
  const m = /^\s*(>=|<=|==|=|>|<|%)?\s*([0-9][0-9_]*)\s*$/.exec(text);
  if (!m) throw new Error(`hit count ${JSON.stringify(text)}: expected a number, optionally after ==, >, >=, <, <= or %`);
  const n = Number(m[2].replace(/_/g, ''));
  const op = (m[1] === '=' ? '==' : m[1] ?? '>=') as HitCondition['op'];
  if (op === '%' && n === 0) throw new Error('hit count %0: the modulus must be at least 1');
  return { op, n };
}

function hitMatches(h: HitCondition, hits: number): boolean {
  switch (h.op) {
    case '>=': return hits >= h.n;
    case '==': return hits === h.n;
    case '>': return hits > h.n;
    case '<': return hits < h.n;
    case '<=': return hits <= h.n;
    case '%': return hits % h.n === 0;
  }
}

/** Where a breakpoint asked for at `line` sits: that line if it holds a statement, else the
 *  next statement line of the same body; null (with why) otherwise. */
export function placeBreakpoint(p: Program, line: number): { line: number; column: number } | { why: string } {
  const first = (l: number) => p.stmts.filter((s) => s.line === l).sort((a, b) => a.column - b.column)[0];
  if (p.stmtLines.has(line)) return { line, column: first(line).column };
  const bodies = [...p.threads.map((t) => t.body), ...p.works.map((w) => w.body), ...p.handlers.map((h) => h.body)];
  const body = bodies.find((b) => b.range.start.line <= line && line <= b.range.end.line);
  if (!body) return { why: 'no statement on this line (breakpoints go on statements inside a thread, handler or work body)' };
  const next = p.stmts
    .filter((s) => s.line > line && s.line <= body.range.end.line && inRange(s.line, s.column, body.range))
    .sort((a, b) => a.line - b.line || a.column - b.column)[0];
  if (!next) return { why: 'no statement on or after this line in its body' };
  return { line: next.line, column: next.column };
}

function inRange(line: number, column: number, r: Program['blocks'][number]['range']): boolean {
  const after = line > r.start.line || (line === r.start.line && column >= r.start.column);
  const before = line < r.end.line || (line === r.end.line && column < r.end.column);
  return after && before;
}

export interface Hit {
  /** stop here (false: a log point, or a hit count not reached) */
  stop: boolean;
  bp: LineBreakpoint;
}

export class Breakpoints {
  private nextId = 1;
  private byPath = new Map<string, LineBreakpoint[]>();
  /** the launched program's breakpoints by line, for the per-step check */
  private active = new Map<number, LineBreakpoint[]>();
  private programPath: string | null = null;

  /** Sets the breakpoints of one file, placed and checked against that file's program. */
  set(path: string, specs: LineBreakpointSpec[], p: Program | null, why?: string): LineBreakpoint[] {
    const old = this.byPath.get(path) ?? [];
    const list = specs.map((spec) => {
      const prev = old.find((b) => b.requested === spec.line && sameSpec(b.spec, spec));
      const bp = this.make(spec, p, why, prev?.id);
      if (prev) bp.hits = prev.hits;
      return bp;
    });
    this.byPath.set(path, list);
    if (path === this.programPath) this.index(list);
    return list;
  }

  private make(spec: LineBreakpointSpec, p: Program | null, why: string | undefined, id?: number): LineBreakpoint {
    const bp: LineBreakpoint = {
      id: id ?? this.nextId++, requested: spec.line, line: null, column: null, condition: null, hit: null, log: null, hits: 0, spec,
    };
    if (!p) {
      bp.message = why ?? 'cannot read this file';
      return bp;
    }
    const at = Number.isInteger(spec.line) ? placeBreakpoint(p, spec.line) : { why: 'not a line number' };
    if ('why' in at) {
      bp.message = at.why;
      return bp;
    }
    try {
      if (spec.condition?.trim()) bp.condition = compileCondition(spec.condition, p);
      if (spec.hitCondition?.trim()) bp.hit = parseHitCondition(spec.hitCondition);
      if (spec.logMessage !== undefined && spec.logMessage !== '') bp.log = compileLogMessage(spec.logMessage, p);
    } catch (e) {
      bp.message = spec.condition && !bp.condition && !(e as Error).message.startsWith('hit count') && !(e as Error).message.startsWith('log message')
        ? `condition: ${(e as Error).message}` : (e as Error).message;
      return bp;
    }
    bp.line = at.line;
    bp.column = at.column;
    return bp;
  }

  /** The launched program: re-places every breakpoint of its file; others no longer apply. */
  attach(path: string, p: Program): { changed: { path: string; bp: LineBreakpoint }[] } {
    this.programPath = path;
    const changed: { path: string; bp: LineBreakpoint }[] = [];
    for (const [file, list] of this.byPath) {
      const fresh = list.map((b) => {
        const nb = file === path ? this.make(b.spec, p, undefined, b.id) : { ...b, line: null, column: null, message: `not the scenario being debugged (${basename(path)})` };
        if (nb.line !== b.line || nb.message !== b.message) changed.push({ path: file, bp: nb });
        return nb;
      });
      this.byPath.set(file, fresh);
    }
    this.index(this.byPath.get(path) ?? []);
    return { changed };
  }

  private index(list: LineBreakpoint[]): void {
    this.active.clear();
    for (const b of list) {
      if (b.line === null) continue;
      const a = this.active.get(b.line);
      if (a) a.push(b);
      else this.active.set(b.line, [b]);
    }
  }

  get any(): boolean {
    return this.active.size > 0;
  }

  resetHits(): void {
    for (const list of this.byPath.values()) for (const b of list) b.hits = 0;
  }

  /**
   * A thread is about to run the statement at `line`: the breakpoints there whose condition
   * holds count a hit. `count` false (reverse scans) checks without counting or logging.
   */
  check(line: number, k: Kernel, count: boolean, log: (text: string, bp: LineBreakpoint) => void): Hit | null {
    const list = this.active.get(line);
    if (!list) return null;
    let result: Hit | null = null;
    for (const bp of list) {
      let ok: boolean;
      try {
        ok = bp.condition ? Boolean(bp.condition.eval(k)) : true;
      } catch (e) {
        // Conditions are checked when set; should one still fail, stop and say so.
        log(`breakpoint at line ${bp.line}: condition failed: ${(e as Error).message}`, bp);
        ok = true;
      }
      if (!ok) continue;
      if (count) bp.hits++;
      const hitOk = bp.hit ? (count ? hitMatches(bp.hit, bp.hits) : true) : true;
      if (!hitOk) continue;
      if (bp.log) {
        if (count) {
          let text: string;
          try {
            text = renderLog(bp.log, k);
          } catch (e) {
            text = `<log message failed: ${(e as Error).message}>`;
          }
          log(text, bp);
        }
        result ??= { stop: false, bp };
        continue;
      }
      result = { stop: true, bp };
    }
    return result;
  }
}

function sameSpec(a: LineBreakpointSpec, b: LineBreakpointSpec): boolean {
  return a.condition === b.condition && a.hitCondition === b.hitCondition && a.logMessage === b.logMessage;
}

// ---------------------------------------------------------------- data breakpoints

export interface DataBreakpoint {
  spec: DataBreakpointSpec;
  dataId: string;
  expr: Compiled;
  condition: Compiled | null;
  hit: HitCondition | null;
  hits: number;
  last: Value;
}

export interface DataBreakpointSpec { dataId: string; condition?: string; hitCondition?: string }

/** What can be watched: a single field (`card0.refcount`), `clock` or `step`. */
export function dataInfo(expr: string, p: Program): { dataId: string; description: string } | { why: string } {
  try {
    const c = compileExpr(expr, p);
    if (!c.isField) return { why: `${expr} is not a count or flag of an object` };
    return { dataId: c.text, description: `${c.text} changes` };
  } catch (e) {
    return { why: (e as Error).message };
  }
}

export class DataBreakpoints {
  list: DataBreakpoint[] = [];

  set(specs: DataBreakpointSpec[], p: Program, k: Kernel | null): { verified: boolean; message?: string; dataId: string }[] {
    const old = this.list;
    this.list = [];
    return specs.map((s) => {
      try {
        const expr = compileExpr(String(s.dataId), p);
        if (!expr.isField) throw new Error(`${s.dataId} is not a count or flag of an object`);
        const condition = s.condition?.trim() ? compileCondition(s.condition, p) : null;
        const hit = s.hitCondition?.trim() ? parseHitCondition(s.hitCondition) : null;
        const prev = old.find((d) => d.dataId === s.dataId);
        this.list.push({ spec: s, dataId: s.dataId, expr, condition, hit, hits: prev?.hits ?? 0, last: k ? expr.eval(k) : 0 });
        return { verified: true, dataId: s.dataId };
      } catch (e) {
        return { verified: false, message: (e as Error).message, dataId: String(s.dataId) };
      }
    });
  }

  /** A new run (restart): checked again against the program, hit counts from zero. */
  renew(p: Program, k: Kernel): void {
    const specs = this.list.map((d) => d.spec);
    this.list = [];
    this.set(specs, p, k);
  }

  /** Records the current values: changes are counted from here. */
  baseline(k: Kernel): void {
    for (const d of this.list) d.last = d.expr.eval(k);
  }

  /** After an action: the first watched value that changed (and passes its condition). */
  check(k: Kernel, count: boolean): { bp: DataBreakpoint; from: string; to: string } | null {
    let found: { bp: DataBreakpoint; from: string; to: string } | null = null;
    for (const d of this.list) {
      const v = d.expr.eval(k);
      if (v === d.last) continue;
      const from = formatValue(d.last, d.expr.type);
      d.last = v;
      if (found) continue;
      if (d.condition && !d.condition.eval(k)) continue;
      if (count) d.hits++;
      if (d.hit && count && !hitMatches(d.hit, d.hits)) continue;
      found = { bp: d, from, to: formatValue(v, d.expr.type) };
    }
    return found;
  }
}

// ---------------------------------------------------------------- exception filters

export const EXCEPTION_FILTERS = [
  { filter: 'fault', label: 'Faults', description: 'Stop on every fault (deadlock, use-after-free, code-after-unload, …)', default: true },
  { filter: 'revoke', label: 'Revoke / unplug', description: 'Stop when a revocable is revoked or a drm device is unplugged', default: false },
  { filter: 'refcount-zero', label: 'Refcount reaches zero', description: 'Stop when a drm device, module or kref count reaches 0', default: false },
  { filter: 'module-unload', label: 'Module unload', description: 'Stop when a module becomes gone', default: false },
  {
    filter: 'callback', label: 'Callback starts',
    description: 'Stop when a timer callback, an IRQ handler or a work item starts on its thread (timer/<t>, irq/<i>, kworker/<w>)', default: false,
  },
] as const;

export type FilterName = (typeof EXCEPTION_FILTERS)[number]['filter'];

/** Kernel event kinds → the filter that stops on them. */
export const EVENT_FILTER: Record<string, FilterName> = {
  unplugged: 'revoke',
  revoked: 'revoke',
  'refcount-zero': 'refcount-zero',
  'module-gone': 'module-unload',
  // the start of a callback on its thread (Kernel.startWork; a start in a gone module is a fault instead)
  kworker: 'callback',
};
