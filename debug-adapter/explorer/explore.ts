// The explorer (language.md §6 explore mode): every schedule of a scenario, breadth first so
// that the first witness found for a fault is a shortest one, with visited states hashed so
// that each distinct kernel state is expanded once.

import { Kernel } from '../runtime/kernel';
import type { Program } from '../runtime/program';
import { exploreChoices, takeChoice } from '../runtime/schedule';
import type { KernelState, ThreadState } from '../runtime/state';
import { judge, type ExpectationResult } from '../runtime/expectations';

export interface ExploreOptions {
  /** stop after this many distinct states (default 2,000,000) */
  maxStates?: number;
  /** stop when the heap grows past this (default 4 GiB) */
  maxMemoryBytes?: number;
  onProgress?: (p: { states: number; statesPerSecond: number; depth: number }) => void;
  /** milliseconds between progress reports */
  progressEveryMs?: number;
  /** checked between states: return true to stop early (cancellation) */
  shouldStop?: () => boolean;
}

export interface ExploreFault {
  kind: string;
  thread: string;
  line: number;
  column: number;
  message: string;
  schedule: string[];
  /** the other threads' positions when the fault happened */
  others: { thread: string; line: number; column: number }[];
  /** deadlock only: every blocked thread */
  blocked?: string[];
}

export interface ExploreResult {
  complete: boolean;
  stopReason: string;
  states: number;
  transitions: number;
  maxDepth: number;
  faults: ExploreFault[];
}

export interface ExploreJson {
  file: string;
  mode: 'explore';
  complete: boolean;
  states: number;
  transitions: number;
  met: boolean;
  faults: Omit<ExploreFault, 'others'>[];
  expectations: ExpectationResult[];
}

const DEFAULT_MAX_STATES = 2_000_000;
const DEFAULT_MAX_MEMORY = 4 * 1024 * 1024 * 1024;

export function explore(p: Program, opts: ExploreOptions = {}): ExploreResult {
  const maxStates = opts.maxStates ?? DEFAULT_MAX_STATES;
  const maxMem = opts.maxMemoryBytes ?? DEFAULT_MAX_MEMORY;
  const k = new Kernel(p, { mode: 'explore', maxEvents: 0 });
  const init = k.snapshot();
  const seen = new Set<string>([stateKey(init)]);
  // Parent links of every node, for witnesses; the queue holds only the frontier's states.
  const parents: number[] = [-1];
  const choices: string[] = [''];
  const queue: { id: number; state: KernelState; depth: number }[] = [{ id: 0, state: init, depth: 0 }];
  const found = new Map<string, ExploreFault>();
  let transitions = 0;
  let maxDepth = 0;
  let stopReason = '';
  const started = Date.now();
  let lastReport = started;

  const witness = (id: number, last?: string): string[] => {
    const out: string[] = [];
    for (let n = id; n > 0; n = parents[n]) out.push(choices[n]);
    out.reverse();
    if (last !== undefined) out.push(last);
    return out;
  };
  const record = (before: number, sched: () => string[]) => {
    const fs = k.s.faults;
    for (let j = before; j < fs.length; j++) {
      const f = fs[j];
      // A deadlock is told apart by its set of blocked threads: `expect deadlock in T`
      // holds when T is among them in some schedule.
      const key = `${f.kind}\u0000${f.thread}\u0000${f.blocked?.join(',') ?? ''}`;
      if (found.has(key)) continue;
      found.set(key, {
        kind: f.kind, thread: f.thread, line: f.line, column: f.column, message: f.message, schedule: sched(),
        others: positions(k, f.thread),
        ...(f.blocked ? { blocked: f.blocked } : {}),
      });
    }
  };

  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    queue[head] = undefined as never; // let the expanded state be collected
    k.restore(node.state);
    const cs = exploreChoices(k);
    if (cs.length === 0) {
      const before = k.s.faults.length;
      k.finish();
      record(before, () => witness(node.id));
      continue;
    }
    for (const c of cs) {
      k.restore(node.state);
      const before = k.s.faults.length;
      takeChoice(k, c);
      transitions++;
      if (k.s.faults.length > before) record(before, () => witness(node.id, c));
      const key = stateKey(k.s);
      if (seen.has(key)) continue;
      seen.add(key);
      const id = parents.length;
      parents.push(node.id);
      choices.push(c);
      const depth = node.depth + 1;
      if (depth > maxDepth) maxDepth = depth;
      queue.push({ id, state: k.snapshot(), depth });
    }
    if (seen.size >= maxStates) {
      stopReason = `stopped at --max-states ${maxStates}`;
      break;
    }
    if ((head & 1023) === 0) {
      if (opts.shouldStop?.()) {
        stopReason = 'cancelled';
        break;
      }
      if (process.memoryUsage().heapUsed > maxMem) {
        stopReason = `stopped at the memory bound (${Math.round(maxMem / 1048576)} MB)`;
        break;
      }
      const now = Date.now();
      if (opts.onProgress && now - lastReport >= (opts.progressEveryMs ?? 200)) {
        lastReport = now;
        opts.onProgress({ states: seen.size, statesPerSecond: seen.size / Math.max(0.001, (now - started) / 1000), depth: node.depth });
      }
    }
  }
  return {
    complete: stopReason === '',
    stopReason,
    states: seen.size,
    transitions,
    maxDepth,
    faults: [...found.values()],
  };
}

export function exploreJson(file: string, p: Program, r: ExploreResult): ExploreJson {
  const v = judge(p, 'explore', r.faults);
  return {
    file,
    mode: 'explore',
    complete: r.complete,
    states: r.states,
    transitions: r.transitions,
    met: v.met,
    faults: r.faults.map(({ others: _others, ...f }) => f),
    expectations: v.expectations,
  };
}

function positions(k: Kernel, except: string): ExploreFault['others'] {
  const out: ExploreFault['others'] = [];
  for (const t of k.s.threads) {
    if (t.name === except) continue;
    const pos = k.position(t);
    if (pos && (t.status === 'ready' || t.status === 'oops')) out.push({ thread: t.name, line: pos.line, column: pos.column });
  }
  return out;
}

/**
 * A canonical text of everything that decides the future of a state. Left out: the fault
 * list (faults are recorded when found), step and event counts, the clock and the run-mode
 * turn order, which explore mode never reads.
 */
export function stateKey(s: KernelState): string {
  const parts: (string | number)[] = [];
  for (const m of s.modules) parts.push(m.state, m.refs);
  parts.push('|');
  for (const d of s.devices) parts.push(+d.present, +d.bound, d.unbinder);
  parts.push('|');
  for (const d of s.drms) parts.push(d.refs, +d.unplugged, +d.freed, +d.releasing, +d.bindingRef);
  parts.push('|');
  for (const r of s.revocables) parts.push(+r.revoked);
  for (const d of s.data) parts.push(+d.freed);
  parts.push('|');
  for (const w of s.works) parts.push(w.state);
  for (const f of s.fences) parts.push(f.state, +f.live);
  for (const m of s.mutexes) parts.push(m.holder, m.lockStmt);
  for (const t of s.threads) parts.push('#', threadKey(t));
  return parts.join(',');
}

function threadKey(t: ThreadState): string {
  const parts: (string | number)[] = [t.status, t.srcu, t.rcu.join('.'), +t.exiting];
  for (const f of t.frames) {
    if (f.t === 0) parts.push(`c${f.block.id}:${f.pc}:${f.repeatLeft}:${f.guard}:${f.role}`);
    else parts.push(`n${f.ops.map((o) => `${o.op}.${o.x}`).join('/')}:${f.i}:${f.origin.line}.${f.origin.column}`);
  }
  const w = t.wait;
  if (w) parts.push(`w${w.kind}:${w.x}:${+w.timedOut}:${+w.self}:${+w.hasTimeout}:${w.loc.line}.${w.loc.column}`);
  for (const f of t.files) parts.push(`f${f.scope}.${f.slot}.${f.drm}.${f.st}.${+f.holdsModule}.${f.open.id}`);
  for (const r of t.refs) parts.push(`r${r.kind}.${r.x}.${r.stmt.id}`);
  return parts.join(';');
}
