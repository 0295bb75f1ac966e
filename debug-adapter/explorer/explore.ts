// The explorer (language.md §6 explore mode): every schedule of a scenario, breadth first
// so that the first witness found for a fault is a shortest one in the explored graph, with
// each distinct state expanded once. Three reductions shrink the graph without losing a
// fault site (kind, thread, statement), a deadlock, a hang or a leak (docs/explorer.md):
//
//   - partial-order reduction: a persistent (stubborn) set of transitions per state
//     instead of all of them (por.ts);
//   - symmetry: interchangeable threads are one, by a canonical state encoding
//     (encode.ts); faults found on one are carried over to the others by permuting the
//     witness, which is then replayed to check it;
//   - forgetting dead state: finished threads, fences nobody will look at again, closed
//     files nothing can find (encode.ts).
//
// States are kept as compact byte strings in a hash set (stateset.ts); only the frontier
// keeps whole kernel states.

import { Kernel } from '../runtime/kernel';
import type { FaultKind } from '../../grammar/ast';
import type { Program } from '../runtime/program';
import { cloneState, type Fault, type KernelState, type ThreadState } from '../runtime/state';
import { successorState } from './clone';
import { judge, settle, type ExpectationResult, type StopKind } from '../runtime/expectations';
import { Analysis } from './analysis';
import { Coverage, type Unreached } from './coverage';
import { Encoder } from './encode';
import { Reducer } from './por';
import { StateSet } from './stateset';
import { mapSchedule, permForFirst, renaming, replayWitness, swap } from './witness';

export interface ExploreOptions {
  /** stop after this many distinct states (default 2,000,000) */
  maxStates?: number;
  /** stop when the heap grows past this (default 4 GiB) */
  maxMemoryBytes?: number;
  /** stop after this much wall-clock time (default: no limit) */
  maxTimeMs?: number;
  onProgress?: (p: { states: number; statesPerSecond: number; depth: number }) => void;
  /** milliseconds between progress reports */
  progressEveryMs?: number;
  /** checked between states: return true to stop early (cancellation: `stopped` is "interrupted") */
  shouldStop?: () => boolean;
  /**
   * All reductions (default true). `false` explores the plain state graph; the three
   * options below (each defaulting to this one) switch one reduction at a time.
   */
  reduction?: boolean;
  /** partial-order reduction (persistent sets) */
  por?: boolean;
  /** symmetry between interchangeable threads */
  symmetry?: boolean;
  /** forgetting dead state (finished threads, unused fences, closed files) */
  forget?: boolean;
  /** self-check for tests: every expanded state must keep its key while its successors are made */
  paranoid?: boolean;
  /** internal (tests): compute conflicts pair by pair instead of by bit masks */
  pairwise?: boolean;
  /** called when a fault at a new site (kind, thread, statement) is found, as it is found */
  onFault?: (f: { kind: FaultKind; thread: string }) => void;
}

export interface ExploreFault {
  kind: FaultKind;
  thread: string;
  line: number;
  column: number;
  message: string;
  schedule: string[];
  /** the other threads' positions when the fault happened */
  others: { thread: string; line: number; column: number }[];
  /** a deadlock: every blocked thread (`expect deadlock in T` holds when T is among them) */
  blocked?: string[];
}

export interface ExploreResult {
  complete: boolean;
  /** what stopped an incomplete search (null when complete) */
  stopped: StopKind | null;
  /** the same, for people ("stopped at --max-states 100"; empty when complete) */
  stopReason: string;
  states: number;
  transitions: number;
  maxDepth: number;
  faults: ExploreFault[];
  /** after a complete search: the runs of statements no schedule started (coverage.ts); absent otherwise */
  unreached?: Unreached[];
}

export interface ExploreJson {
  file: string;
  mode: 'explore';
  complete: boolean;
  /** set when the search was stopped before its end (tools.md §1) */
  stopped?: StopKind;
  states: number;
  transitions: number;
  /** null: inconclusive (a bound stopped the search and nothing found so far settles it) */
  met: boolean | null;
  faults: Omit<ExploreFault, 'others'>[];
  expectations: ExpectationResult[];
  /** after a complete search only (tools.md §1; `endColumn` and `blockedAt` are extra) */
  unreached?: Unreached[];
}

export type { Unreached };

const DEFAULT_MAX_STATES = 2_000_000;
const DEFAULT_MAX_MEMORY = 4 * 1024 * 1024 * 1024;

/** A fault kind reported when the run ends (on the first of several threads), not by a step. */
const AT_END = new Set(['deadlock', 'hang']);

interface Found {
  kind: FaultKind;
  thread: string;
  schedule: string[];
  atEnd: boolean;
  /** what the exploring kernel saw (used when a replay cannot confirm it) */
  fault: Fault;
  others: ExploreFault['others'];
}

export function explore(p: Program, opts: ExploreOptions = {}): ExploreResult {
  const search = startExplore(p, opts);
  search.advance(Infinity);
  return search.result();
}

/**
 * A search that runs in slices: `advance(until)` expands states until the search ends
 * (true) or the clock passes `until` (false; call it again to go on). A caller that must
 * stay responsive (the CLI sees Ctrl-C and draws its progress line between slices) runs it
 * this way; the result is the same as one `explore` call.
 */
export interface ExploreSearch {
  advance(until: number): boolean;
  result(): ExploreResult;
}

export function startExplore(p: Program, opts: ExploreOptions = {}): ExploreSearch {
  const maxStates = opts.maxStates ?? DEFAULT_MAX_STATES;
  const maxMem = opts.maxMemoryBytes ?? DEFAULT_MAX_MEMORY;
  const red = opts.reduction ?? true;
  const usePor = opts.por ?? red;
  const forget = opts.forget ?? red;
  const A = new Analysis(p);
  const useSym = (opts.symmetry ?? red) && A.classes.length > 0;
  const k = new Kernel(p, { mode: 'explore', maxEvents: 0 });
  const enc = new Encoder(A, { symmetry: useSym, forget });
  const R = new Reducer(A, k, forget);
  if (opts.pairwise) R.useIndex = false;
  const seen = new StateSet();
  const cov = new Coverage(p);
  const T = k.s.threads.length;
  const Q = p.fences.length;
  const dead = new Uint8Array(p.fences.length);
  // the cycle proviso is needed only where the state graph may have cycles
  const proviso = usePor && A.mayCycle;

  // parent links of every stored state, for witnesses
  let parents = new Int32Array(1 << 12);
  let via = new Int32Array(1 << 12);
  const names: string[] = [];
  const nameId = new Map<string, number>();
  const intern = (s: string) => {
    let id = nameId.get(s);
    if (id === undefined) {
      id = names.length;
      names.push(s);
      nameId.set(s, id);
    }
    return id;
  };
  const link = (id: number, parent: number, choice: number) => {
    if (id >= parents.length) {
      const np = new Int32Array(parents.length * 2);
      np.set(parents);
      parents = np;
      const nv = new Int32Array(via.length * 2);
      nv.set(via);
      via = nv;
    }
    parents[id] = parent;
    via[id] = choice;
  };
  const witness = (id: number, last?: number): string[] => {
    const out: string[] = [];
    for (let n = id; n > 0; n = parents[n]) out.push(names[via[n]]);
    out.reverse();
    if (last !== undefined) out.push(names[last]);
    return out;
  };

  // one fault per site: kind, thread and statement (tools.md §1), as `run` reports them
  const found = new Map<string, Found>();
  const keyOf = (f: { kind: string; thread: string; line: number; column: number }) => `${f.kind}\u0000${f.thread}\u0000${f.line}:${f.column}`;
  // `expect deadlock in T` holds when T is among the blocked threads of some deadlock: every
  // thread blocked in some deadlock gets a witness (a deadlock beyond the first of its key)
  const extras: Found[] = [];
  const covered = new Set<string>();
  const cover = (fd: Found) => {
    for (const b of fd.fault.blocked ?? []) covered.add(b);
  };
  // the images already made of a site, so that a site reached in many states is carried
  // over (and replayed) once per target
  const imaged = new Set<string>();

  /** Keeps a witness, confirmed by replay, of a fault carried over by a permutation. */
  const image = (f: Fault, nth: number, sched: () => string[], perm: number[], atEnd: boolean, thread: string | null, memo: string): Found | null => {
    if (imaged.has(memo)) return null;
    imaged.add(memo);
    const mapped = mapSchedule(sched(), renaming(A, perm));
    // a fault of a step is carried to the same step of the image (the nth of its kind on that
    // thread in that step: a handler run by the step may fault too); one at the end is the
    // only one of its kind there
    const r = replayWitness(p, mapped, f.kind, thread, atEnd, atEnd ? undefined : { step: f.step, nth });
    if (!r) return null; // cannot happen if the classes are right; the image is then simply not claimed
    const fd: Found = {
      kind: f.kind, thread: r.fault.thread, schedule: r.schedule, atEnd: false, fault: r.fault,
      others: positions(r.kernel, r.fault.thread),
    };
    const key = keyOf(r.fault);
    if (!found.has(key)) {
      found.set(key, fd);
      opts.onFault?.({ kind: fd.kind, thread: fd.thread });
    } else if (f.kind === 'deadlock' && (r.fault.blocked ?? []).some((b) => !covered.has(b))) extras.push(fd);
    else return fd;
    cover(fd);
    return fd;
  };

  /** Records a fault found by the search, and its images under symmetry. */
  const record = (f: Fault, nth: number, schedule: () => string[], atEnd: boolean, endSet: number[] | null) => {
    const key = keyOf(f);
    let sched: string[] | null = null;
    const blocked = f.blocked ?? [];
    if (!found.has(key) || blocked.some((b) => !covered.has(b))) {
      sched = schedule();
      const fd: Found = { kind: f.kind, thread: f.thread, schedule: sched, atEnd, fault: f, others: positions(k, f.thread) };
      if (!found.has(key)) {
        found.set(key, fd);
        opts.onFault?.({ kind: f.kind, thread: f.thread });
      } else extras.push(fd);
      cover(fd);
    }
    if (!useSym) return;
    const lazy = () => (sched ??= schedule());
    const ti = k.s.threads.findIndex((t) => t.name === f.thread);
    if (atEnd && endSet) {
      // an image's site depends on where every named thread stands, not only the first
      const end = `${key}\u0000${endSet.map((x) => { const pos = k.position(k.s.threads[x]); return `${x}@${pos?.line}:${pos?.column}`; }).join(',')}`;
      // the first of the threads a deadlock or hang names may be another one in a permutation
      for (const x of endSet) {
        if (A.classOf[x] >= 0) continue;
        const name = k.s.threads[x].name;
        const perm = permForFirst(A, T, endSet, x);
        if (perm) image(f, nth, lazy, perm, true, name, `${end}\u0000first\u0000${x}`);
      }
      for (const c of A.classes) {
        for (const x of c.members) {
          const name = p.threads[x].name;
          // x first, standing where each blocked member of its class stands: every site of x
          for (const from of c.members.filter((m) => endSet.includes(m))) {
            const perm = permForFirst(A, T, endSet, x, from);
            if (perm) image(f, nth, lazy, perm, true, name, `${end}\u0000first\u0000${x}\u0000${from}`);
          }
          // a deadlock that blocks x: swap x with a blocked member of its class
          if (f.kind === 'deadlock' && !covered.has(name) && !endSet.includes(x)) {
            const b = c.members.find((m) => endSet.includes(m));
            if (b !== undefined) image(f, nth, lazy, swap(T, b, x), true, null, `${end}\u0000blocks\u0000${blocked.join(',')}\u0000${x}`);
          }
        }
      }
    } else if (ti >= 0 && A.classOf[ti] >= 0) {
      for (const x of A.classes[A.classOf[ti]].members) {
        const name = p.threads[x].name;
        if (x === ti) continue;
        image(f, nth, lazy, swap(T, ti, x), false, name, `${key}\u0000to\u0000${x}`);
      }
    }
  };

  const choiceIds = Array.from({ length: R.E }, (_, e) => intern(R.choiceName(e)));
  const init = k.s;
  init.faults = [];
  const ids0 = new Int32Array(T).fill(-1);
  enc.fillIds(init, ids0);
  R.ids = ids0;
  if (forget) R.deadFences(dead);
  // the dead fences of each stored state, Q per state
  let deadStore = new Uint8Array(Math.max(1, Q) * 1024);
  deadStore.set(dead, 0);
  const baseDead = new Uint8Array(Q);
  const e0 = enc.encode(init, dead, ids0);
  seen.add(e0.buf, e0.len);
  link(0, -1, -1);
  const queue: (KernelState | undefined)[] = [init];
  // the numbers of each stored state's threads' own parts (Encoder.fillIds), T per state
  let idStore = new Int32Array(Math.max(1, T) * 1024);
  idStore.set(ids0, 0);
  const scratchIds = new Int32Array(T);
  const baseIds = new Int32Array(T);
  const depths: number[] = [0];
  let transitions = 0;
  let maxDepth = 0;
  let stopped: StopKind | null = null;
  let stopReason = '';
  const started = Date.now();
  const deadline = opts.maxTimeMs !== undefined ? started + opts.maxTimeMs : Infinity;
  let lastReport = started;

  let head = 0;
  const advance = (until: number): boolean => {
    for (; head < queue.length; head++) {
      const base = queue[head]!;
      for (let i = 0; i < T; i++) baseIds[i] = idStore[head * T + i];
      for (let q = 0; q < Q; q++) baseDead[q] = deadStore[head * Q + q];
      queue[head] = undefined; // let the expanded state be collected
      const depth = depths[head];
      k.s = base;
      R.ids = baseIds;
      R.knownDead = forget ? baseDead : null;
      const { all, reduced } = R.choose(!usePor);
      if (all.length === 0) {
        // a final state: deadlock, hang, or the end of every thread
        cov.final(base);
        const s = cloneState(base);
        s.faults = [];
        k.s = s;
        k.finish();
        if (s.faults.length) {
          const endSet = endThreads(k);
          for (const f of s.faults) record(f, 0, () => witness(head), AT_END.has(f.kind), endSet);
        }
        continue;
      }
      let revisited = false;
      const expand = (list: readonly number[]) => {
        for (const e of list) {
          const choice = choiceIds[e];
          const mover = e < T ? e : e >= T + Q ? e - T - Q : -1;
          const s = successorState(base, mover);
          k.s = s;
          if (e < T) {
            cov.before(base, e);
            k.step(e);
            cov.after(s, e);
          } else k.fireEvent(names[choice]);
          transitions++;
          if (s.faults.length) s.faults.forEach((f, j) => record(f, nthOf(s.faults, j), () => witness(head, choice), false, null));
          k.s = s;
          const ids = scratchIds;
          for (let i = 0; i < T; i++) ids[i] = baseIds[i];
          if (mover >= 0) ids[mover] = -1;
          enc.fillIds(s, ids);
          R.ids = ids;
          if (forget) R.deadFencesAfter(dead, baseDead, mover, e >= T && e < T + Q ? e - T : -1);
          const key = enc.encode(s, dead, ids);
          const id = seen.add(key.buf, key.len);
          if (id < 0) {
            revisited = true;
            continue;
          }
          link(id, head, choice);
          queue.push(s);
          if ((id + 1) * T > idStore.length) {
            const grown = new Int32Array(idStore.length * 2);
            grown.set(idStore);
            idStore = grown;
          }
          idStore.set(ids, id * T);
          if ((id + 1) * Q > deadStore.length) {
            const grown = new Uint8Array(deadStore.length * 2);
            grown.set(deadStore);
            deadStore = grown;
          }
          deadStore.set(dead, id * Q);
          depths.push(depth + 1);
          if (depth + 1 > maxDepth) maxDepth = depth + 1;
        }
      };
      expand(reduced);
      if (proviso && revisited && reduced.length < all.length) {
        // BFS cycle proviso: a reduced state whose successor was seen before is expanded fully
        expand(all.filter((e) => !reduced.includes(e)));
      }
      if (opts.paranoid) {
        k.s = base;
        const fresh = new Int32Array(T).fill(-1);
        enc.fillIds(base, fresh);
        R.ids = fresh;
        if (forget) {
          R.deadFences(dead);
          for (let q = 0; q < Q; q++) if (dead[q] !== baseDead[q]) throw new Error(`explorer: state ${head}: fence ${q} dead flag kept wrong`);
        }
        const again = enc.encode(base, dead, fresh);
        if (seen.find(again.buf, again.len) !== head) throw new Error(`explorer: state ${head} changed while its successors were made`);
      }
      if (seen.size >= maxStates) {
        stopped = 'max-states';
        stopReason = `stopped at --max-states ${maxStates}`;
        break;
      }
      if ((head & 255) === 0) {
        if (opts.shouldStop?.()) {
          stopped = 'interrupted';
          stopReason = 'interrupted';
          break;
        }
        // process.memoryUsage() reads /proc: every 1,024 states is enough for a bound in MB
        const mu = (head & 1023) === 0 ? process.memoryUsage() : null;
        if (mu && mu.heapUsed + mu.arrayBuffers > maxMem) {
          stopped = 'max-memory';
          stopReason = `stopped at the memory bound (${Math.round(maxMem / 1048576)} MB)`;
          break;
        }
        const now = Date.now();
        if (now > deadline) {
          stopped = 'max-time';
          stopReason = `stopped at the time bound (${fmtMs(opts.maxTimeMs!)})`;
          break;
        }
        if (opts.onProgress && now - lastReport >= (opts.progressEveryMs ?? 200)) {
          lastReport = now;
          opts.onProgress({ states: seen.size, statesPerSecond: seen.size / Math.max(0.001, (now - started) / 1000), depth });
        }
        if (now > until) {
          head++; // this state is expanded: the next slice starts after it
          return false;
        }
      }
    }
    return true;
  };

  const result = (): ExploreResult => {
    // Confirm each witness by replaying it as `run --schedule` would; a deadlock's witness is
    // finished with the completions the reduced search left out.
    const faults: ExploreFault[] = [];
    for (const fd of [...found.values(), ...extras]) {
      let f = fd.fault;
      let schedule = fd.schedule;
      let others = fd.others;
      if (fd.atEnd) {
        const r = replayWitness(p, fd.schedule, fd.kind, fd.thread, true);
        if (r) {
          f = r.fault;
          schedule = r.schedule;
          others = positions(r.kernel, fd.thread);
        }
      }
      const out: ExploreFault = { kind: fd.kind, thread: fd.thread, line: f.line, column: f.column, message: f.message, schedule, others };
      if (f.blocked) out.blocked = f.blocked.slice();
      faults.push(out);
    }
    const complete = stopped === null;
    return {
      complete,
      stopped,
      stopReason,
      states: seen.size,
      transitions,
      maxDepth,
      faults,
      ...(complete ? { unreached: cov.unreached(useSym ? A : null) } : {}),
    };
  };
  return { advance, result };
}

/** How many faults of the same kind on the same thread come before faults[j] (in one step). */
function nthOf(faults: readonly Fault[], j: number): number {
  let n = 0;
  for (let i = 0; i < j; i++) if (faults[i].kind === faults[j].kind && faults[i].thread === faults[j].thread) n++;
  return n;
}

/** The threads a final state's deadlock or hang names (the first of them is reported). */
function endThreads(k: Kernel): number[] {
  const s = k.s;
  const order = k.endOrder();
  const spinners = order.filter((i) => k.spins(s.threads[i]) && !k.waitOver(i, s.threads[i].wait!));
  if (spinners.length) return spinners;
  return order.filter((i) => k.isBlocked(i));
}

export function exploreJson(file: string, p: Program, r: ExploreResult): ExploreJson {
  const v = settle(judge(p, 'explore', r.faults), r.complete);
  return {
    file,
    mode: 'explore',
    complete: r.complete,
    ...(r.stopped ? { stopped: r.stopped } : {}),
    states: r.states,
    transitions: r.transitions,
    met: v.met,
    faults: r.faults.map(({ others: _others, ...f }) => f),
    expectations: v.expectations,
    ...(r.unreached ? { unreached: r.unreached.map((u) => ({ ...u })) } : {}),
  };
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`;
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
 * A canonical text of everything that decides the future of a state (the plain key, kept
 * for callers that want a readable one; the explorer itself uses encode.ts).
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
  for (const w of s.works) parts.push(w.state, +w.off, w.cancelling, w.flushRuns);
  for (const f of s.fences) parts.push(f.state, +f.live);
  for (const m of s.mutexes) parts.push(m.holder, m.lockStmt);
  parts.push('|');
  for (const c of s.cdevs) parts.push(+c.deleted);
  for (const a of s.attrs) parts.push(+a.removed, a.active);
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
  for (const f of t.files) parts.push(`f${f.scope}.${f.slot}.${f.drm}.${f.cdev}.${f.st}.${+f.holdsModule}.${f.open.id}`);
  for (const r of t.refs) parts.push(`r${r.kind}.${r.x}.${r.stmt.id}`);
  return parts.join(';');
}
