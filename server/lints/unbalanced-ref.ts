// unbalanced-ref: on some path through a thread body, `get x`/`put x` (per drm device) or
// `try_module_get m`/`module_put m` (per module) do not cancel out.
//
// Paths: `enter`/`access` take either their body or their else block (none = empty),
// `ioctl` bodies count as taken, `repeat n` repeats one path of its body n times (its net
// times n). Handlers that statements call implicitly are not counted: their references
// are the driver's, not the thread's. The verdict is the exact net count of a path; the
// report goes on the first unmatched statement of that path (a `put` with nothing taken
// before it to drop, or a `get` that no later `put` drops), per object, and when several
// paths are unbalanced, on the earliest such statement in the source.

import type { Block, Stmt, ThreadDecl } from '../../grammar/ast';
import { STMTS, type TargetRow } from '../../grammar/statements';
import { named, targetOf } from './model';
import { type LintDiagnostic, type Rule, diag } from './types';

interface Ev {
  stmt: Stmt;
  key: string;
  delta: 1 | -1;
}

interface Path {
  /** events in order; may be cut short (`cut`) on huge repeats, the net stays exact */
  evs: Ev[];
  net: Map<string, number>;
  cut: boolean;
}

// Bounds that keep a pathological file (many sequential branches, nested big repeats)
// cheap; real scenarios stay far below them.
const MAX_PATHS = 512;
const MAX_EVENTS = 4096;

const EMPTY: Path = { evs: [], net: new Map(), cut: false };

/**
 * A reference the statement takes or drops (the statement table's `ref`), keyed by its
 * target's name: one name is one object, and the key must not depend on what the name
 * resolves to (the verdicts are kept per thread node, below).
 */
function event(s: Stmt): Ev | undefined {
  const t = targetOf(s);
  if (!named(t)) return undefined;
  for (const row of Object.values(STMTS[s.kind].targets as Record<string, TargetRow>)) {
    if (row.ref) return { stmt: s, key: t.name, delta: row.ref };
  }
  return undefined;
}

function concat(a: Path, b: Path): Path {
  if (b.evs.length === 0 && b.net.size === 0) return a;
  if (a.evs.length === 0 && a.net.size === 0) return b;
  const net = new Map(a.net);
  for (const [k, v] of b.net) net.set(k, (net.get(k) ?? 0) + v);
  const room = MAX_EVENTS - a.evs.length;
  const cut = a.cut || b.cut || b.evs.length > room;
  return { evs: a.cut ? a.evs : a.evs.concat(b.evs.slice(0, Math.max(0, room))), net, cut };
}

function times(p: Path, n: number): Path {
  if (n === 1 || p.net.size === 0) return p;
  const net = new Map<string, number>();
  for (const [k, v] of p.net) net.set(k, v * n);
  const reps = p.evs.length === 0 ? 0 : Math.min(n, Math.floor(MAX_EVENTS / p.evs.length));
  const evs: Ev[] = [];
  for (let i = 0; i < reps; i++) evs.push(...p.evs);
  return { evs, net, cut: p.cut || reps < n };
}

function signature(p: Path): string {
  return p.evs.map((e) => `${e.stmt.range.start.offset}${e.delta > 0 ? '+' : '-'}`).join(',') + '|' + [...p.net].join(';');
}

function dedupe(ps: Path[]): Path[] {
  const seen = new Map<string, Path>();
  for (const p of ps) if (!seen.has(signature(p))) seen.set(signature(p), p);
  return [...seen.values()].slice(0, MAX_PATHS);
}

function hasRefs(ps: Path[]): boolean {
  return ps.some((p) => p.net.size > 0 || p.evs.length > 0);
}

function pathsOfBlock(block: Block | undefined): Path[] {
  let acc: Path[] = [EMPTY];
  for (const s of block?.stmts ?? []) {
    if (!s) continue;
    const ps = pathsOfStmt(s);
    if (!hasRefs(ps)) continue;
    const next: Path[] = [];
    for (const a of acc) for (const b of ps) if (next.length < MAX_PATHS) next.push(concat(a, b));
    acc = dedupe(next);
  }
  return acc;
}

function pathsOfStmt(s: Stmt): Path[] {
  const ev = event(s);
  if (ev) return [{ evs: [ev], net: new Map([[ev.key, ev.delta]]), cut: false }];
  switch (s.kind) {
    case 'ioctl':
      return pathsOfBlock(s.body);
    case 'enter':
    case 'access':
      return dedupe([...pathsOfBlock(s.body), ...(s.elseBody ? pathsOfBlock(s.elseBody) : [EMPTY])]);
    case 'repeat': {
      const n = Number.isFinite(s.count?.value) ? Math.max(0, Math.floor(s.count.value)) : 1;
      return dedupe(pathsOfBlock(s.body).map((p) => (n === 0 ? EMPTY : times(p, n))));
    }
    default:
      return [EMPTY];
  }
}

/** The first unmatched event of `key` on a path, with stack matching of gets and puts. */
function firstUnmatched(p: Path, key: string): Ev | undefined {
  const stack: number[] = [];
  let firstPut = -1;
  p.evs.forEach((e, i) => {
    if (e.key !== key) return;
    if (e.delta > 0) stack.push(i);
    else if (stack.length) stack.pop();
    else if (firstPut < 0) firstPut = i;
  });
  const candidates = [firstPut, stack.length ? stack[0] : -1].filter((i) => i >= 0);
  if (candidates.length) return p.evs[Math.min(...candidates)];
  // A cut-short path: blame the first statement that moves the count the way the net went.
  const sign = Math.sign(p.net.get(key) ?? 0);
  return p.evs.find((e) => e.key === key && e.delta === sign);
}

/** The message, in the words of the kind of object the name is declared as now. */
function message(thread: string, e: Ev, kind: string | undefined): string {
  const name = e.key;
  if (kind === 'kref') {
    return e.delta > 0
      ? `thread \`${thread}\` takes a reference on \`${name}\` that it does not drop on some path: the leaked kref_get keeps \`${name}\` from ever being released`
      : `thread \`${thread}\` drops a reference on \`${name}\` that it did not take on some path: the extra kref_put can run the release of \`${name}\` while others still use it`;
  }
  if (kind !== 'module' && e.stmt.kind !== 'try_module_get' && e.stmt.kind !== 'module_put') {
    return e.delta > 0
      ? `thread \`${thread}\` takes a reference on \`${name}\` that it does not drop on some path: the leaked drm_dev_get keeps the device and its driver state alive forever`
      : `thread \`${thread}\` drops a reference on \`${name}\` that it did not take on some path: the extra drm_dev_put releases someone else's reference, and \`${name}\` can be freed while still in use`;
  }
  return e.delta > 0
    ? `thread \`${thread}\` takes a reference on module \`${name}\` that it does not drop on some path: \`rmmod ${name}\` then fails forever with "module is in use"`
    : `thread \`${thread}\` drops a reference on module \`${name}\` that it did not take on some path: the extra module_put lets \`${name}\` unload while others still run its code`;
}

/** A thread's first unmatched event per object, or none. */
function verdicts(t: ThreadDecl): Ev[] {
  const paths = pathsOfBlock(t.body);
  const keys = new Set(paths.flatMap((p) => [...p.net.keys()]));
  const out: Ev[] = [];
  for (const key of keys) {
    let best: Ev | undefined;
    for (const p of paths) {
      if ((p.net.get(key) ?? 0) === 0) continue;
      const e = firstUnmatched(p, key);
      if (e && (!best || e.stmt.range.start.offset < best.stmt.range.start.offset)) best = e;
    }
    if (best) out.push(best);
  }
  return out;
}

// The verdict depends on the thread's own tree only (its statements and their targets'
// names, not what they resolve to), so it is kept per thread node: the editor's
// incremental parser reuses the node of an unchanged thread (moved in place, its ranges
// updated), and an edit of one thread of a 1,000-thread file recomputes that thread only.
const VERDICTS = new WeakMap<ThreadDecl, Ev[]>();

export const unbalancedRef: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const t of m.threads) {
    if (!named(t.name)) continue;
    let vs = VERDICTS.get(t);
    if (!vs) {
      vs = verdicts(t);
      VERDICTS.set(t, vs);
    }
    for (const best of vs) out.push(diag('unbalanced-ref', best.stmt.range, message(t.name.name, best, m.decls.get(best.key)?.kind)));
  }
  return out;
};
