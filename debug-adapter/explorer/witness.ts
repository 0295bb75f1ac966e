// Witnesses: replaying a schedule exactly as `lifetime run --schedule` does, finishing a
// witness of a deadlock or hang with the completions of fences the reduced search had
// forgotten, and carrying a witness over to an interchangeable thread (symmetry).

import { formatChoice, parseChoice } from '../runtime/choice';
import { Kernel } from '../runtime/kernel';
import type { Program } from '../runtime/program';
import { exploreChoices, replaySchedule, takeChoice } from '../runtime/schedule';
import type { Fault } from '../runtime/state';
import type { Analysis } from './analysis';

/** A permutation of thread indices (within symmetry classes), with their private fences. */
export type Perm = number[];

/** The names a permutation renames: threads, their timeouts, their private fences' completions. */
export function renaming(A: Analysis, perm: Perm): Map<string, string> {
  const p = A.p;
  const m = new Map<string, string>();
  perm.forEach((to, from) => {
    if (to === from) return;
    const a = p.threads[from].name, b = p.threads[to].name;
    m.set(a, b);
    m.set(formatChoice({ kind: 'timeout', thread: a }), formatChoice({ kind: 'timeout', thread: b }));
    const fa = A.threadShapes[from].privateFences, fb = A.threadShapes[to].privateFences;
    const complete = (q: number) => formatChoice({ kind: 'complete', fence: p.fences[q].name });
    fa.forEach((q, k) => m.set(complete(q), complete(fb[k])));
  });
  return m;
}

export function mapSchedule(schedule: readonly string[], names: Map<string, string>): string[] {
  return schedule.map((c) => names.get(c) ?? c);
}

/** The transposition of threads a and b (members of one class). */
export function swap(T: number, a: number, b: number): Perm {
  const perm = Array.from({ length: T }, (_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return perm;
}

/**
 * A permutation under which the first thread (in declaration order) of the set `R` of
 * threads a deadlock or hang names is `x`, or null when no permutation of the classes
 * does that. Within x's class one member of R goes to x and the others to the last places;
 * in every other class the members of R go to the last places (so that x, when it is in
 * no class, may come first). `from`: which member of R in x's class goes to x (default the
 * first): x then stands where that one stood, so each choice gives the fault another site.
 */
export function permForFirst(A: Analysis, T: number, R: readonly number[], x: number, from?: number): Perm | null {
  const cx = A.classOf[x];
  if (cx < 0 && !R.includes(x)) return null; // a thread outside every class stays what it is
  const perm = Array.from({ length: T }, (_, i) => i);
  const inR = new Set(R);
  for (let c = 0; c < A.classes.length; c++) {
    const mem = A.classes[c].members;
    const B = mem.filter((i) => inR.has(i));
    if (c === cx && from !== undefined && B.includes(from)) B.unshift(...B.splice(B.indexOf(from), 1));
    const U = mem.filter((i) => !inR.has(i));
    let targets: number[];
    if (c === cx) {
      if (!B.length) return null;
      const tail = [...mem].reverse().filter((i) => i !== x).slice(0, B.length - 1);
      targets = [x, ...tail];
    } else {
      targets = [...mem].reverse().slice(0, B.length);
    }
    const rest = mem.filter((i) => !targets.includes(i));
    B.forEach((b, j) => { perm[b] = targets[j]; });
    U.forEach((u, j) => { perm[u] = rest[j]; });
  }
  const declared = A.p.threads.length;
  let first = -1;
  for (const r of R) {
    const img = perm[r];
    if (first < 0) first = img;
    else if (img < declared && (first >= declared || img < first)) first = img;
  }
  return first === x ? perm : null;
}

export interface Replayed {
  schedule: string[];
  kernel: Kernel;
  fault: Fault;
}

/**
 * Replays a witness and finds the fault (kind, thread) on it (thread null: any thread; `at`:
 * the nth such fault of that step, to tell apart faults of one thread at several statements). For a fault at the end of
 * the run (deadlock, hang), the witness is first finished: the reduced search forgets
 * fences no thread will look at again, so their completions may still be possible here;
 * taking them changes nothing else. The result is checked with replaySchedule itself.
 */
export function replayWitness(p: Program, schedule: readonly string[], kind: string, thread: string | null, atEnd: boolean, at?: { step: number; nth: number }): Replayed | null {
  const out = schedule.slice();
  if (atEnd) {
    const k = new Kernel(p, { mode: 'explore', maxEvents: 0 });
    for (const c of out) if (!takeChoice(k, c)) return null;
    for (let guard = 0; guard < 10_000; guard++) {
      const cs = exploreChoices(k);
      if (cs.length === 0) break;
      const isComplete = (c: string) => parseChoice(c)?.kind === 'complete';
      const ev = cs.find(isComplete);
      if (!ev || !cs.every(isComplete)) return null;
      takeChoice(k, ev);
      out.push(ev);
    }
  }
  let k: Kernel;
  try {
    k = replaySchedule(p, out, { maxEvents: 0 });
  } catch {
    return null;
  }
  const fault = k.s.faults.filter((f) => f.kind === kind && (thread === null || f.thread === thread) && (at === undefined || f.step === at.step))[at?.nth ?? 0];
  return fault ? { schedule: out, kernel: k, fault } : null;
}
