// The footprint audit, for tests: takes steps of the kernel over instrumented state and
// checks that every shared location a step actually reads or writes is in the footprint
// the partial-order reduction predicted for it (Reducer.stepFootprint). A missed write
// and a missed read are both unsound: either can make two steps look independent when
// they are not. (Not the explorer's `paranoid` option, which re-checks state keys.)
//
// Shared locations map onto the footprint's resources (footprint.ts):
//   module state → mLive/mGone (a read may be either: it must touch one; a write is by
//   value: going writes mLive, gone writes mGone), module and drm refs → their counters
//   (an increment needs a counter operation, a decrement a decrement or a zero test),
//   device present/bound (and who unbinds it) → devPresent/devBind, drm unplugged/freed
//   (and releasing, part of freeing)/bindingRef, revoked, data freed, work state, fence
//   state/live, mutex holder, cdev deleted, attribute removed and active count → their
//   bits; another thread's SRCU/RCU sections →
//   ANY_SRCU/ANY_RCU; anything else of another thread (but its name) → never allowed.
// Run-mode times (a fence's completeAt, a work's startAt) are not read in explore mode
// and not audited; nor is the step's own thread (SELF_LOCAL is in every footprint).

import { parseChoice } from '../runtime/choice';
import { Kernel } from '../runtime/kernel';
import type { Program } from '../runtime/program';
import { cloneState, ModState, type KernelState, type ThreadState } from '../runtime/state';
import { Analysis } from './analysis';
import { ANY_RCU, ANY_SRCU, FP, type Layout } from './footprint';
import { Reducer } from './por';

type Need =
  | { op: 'read'; bits: number[] }
  | { op: 'write'; bit: number }
  | { op: 'counter' | 'inc' | 'dec'; c: number }
  /** a mutex's holder read: also allowed in the step a thread exits in (see below) */
  | { op: 'holder'; bit: number }
  | { op: 'never' };

export interface Violation {
  /** the choice taken: a thread name, `complete:<fence>` or `timeout:<thread>` */
  choice: string;
  /** the statement line the thread stood at, 0 for events */
  line: number;
  /** what was touched: `drms[0].unplugged write` */
  access: string;
}

interface Log {
  on: boolean;
  out: { need: Need; what: string }[];
  /** per written location: its value before the step, and how to judge its change */
  written: Map<string, { o: object; k: string; before: unknown; rule: Rule }>;
}

type Rule = (field: string, old: unknown, value: unknown, write: boolean) => Need | null;

function watch<T extends object>(o: T, name: string, log: Log, rule: Rule): T {
  return new Proxy(o, {
    get(t, k, r) {
      const v = Reflect.get(t, k, r);
      if (log.on && typeof k === 'string') {
        const need = rule(k, v, v, false);
        if (need) log.out.push({ need, what: `${name}.${k} read` });
      }
      return v;
    },
    set(t, k, v, r) {
      // judged by the net change at the end of the step: a value put back within the step
      // (an open that undoes its reference when try_module_get fails) changes nothing
      const key = `${name}.${String(k)}`;
      if (log.on && typeof k === 'string' && !log.written.has(key)) log.written.set(key, { o: t, k, before: Reflect.get(t, k, r), rule });
      return Reflect.set(t, k, v, r);
    },
  });
}

const rd = (...bits: number[]): Need => ({ op: 'read', bits });
const wr = (bit: number): Need => ({ op: 'write', bit });

/** One bit: read or write, as the access was. */
function bit(b: number, write: boolean): Need {
  return write ? wr(b) : rd(b);
}

function counter(c: number, old: unknown, value: unknown, write: boolean): Need {
  if (!write) return { op: 'counter', c };
  return { op: (value as number) > (old as number) ? 'inc' : 'dec', c };
}

/** A copy of `s` whose shared objects record every access in `log` (`mover`: the stepping thread, -1 none). */
function instrument(s: KernelState, mover: number, L: Layout, log: Log): KernelState {
  const c = cloneState(s);
  c.modules = c.modules.map((m, i) => watch(m, `modules[${i}]`, log, (k, old, v, w) => {
    if (k === 'refs') return counter(L.modRef(i), old, v, w);
    if (k !== 'state') return null;
    if (!w) return rd(L.mLive(i), L.mGone(i));
    return wr(v === ModState.Gone ? L.mGone(i) : L.mLive(i));
  }));
  c.devices = c.devices.map((d, i) => watch(d, `devices[${i}]`, log, (k, _o, _v, w) =>
    k === 'present' ? bit(L.devPresent(i), w) : k === 'bound' || k === 'unbinder' ? bit(L.devBind(i), w) : null));
  c.drms = c.drms.map((d, i) => watch(d, `drms[${i}]`, log, (k, old, v, w) => {
    switch (k) {
      case 'refs': return counter(L.drmRef(i), old, v, w);
      case 'unplugged': return bit(L.drmUnpl(i), w);
      case 'freed':
      case 'releasing': return bit(L.drmFree(i), w);
      case 'bindingRef': return bit(L.drmBindRef(i), w);
      default: return null;
    }
  }));
  c.revocables = c.revocables.map((r, i) => watch(r, `revocables[${i}]`, log, (k, _o, _v, w) => (k === 'revoked' ? bit(L.rev(i), w) : null)));
  c.data = c.data.map((d, i) => watch(d, `data[${i}]`, log, (k, _o, _v, w) => (k === 'freed' ? bit(L.data(i), w) : null)));
  c.works = c.works.map((x, i) => watch(x, `works[${i}]`, log, (k, _o, _v, w) => (k === 'state' || k === 'off' || k === 'cancelling' || k === 'flushRuns' ? bit(L.work(i), w) : null)));
  c.fences = c.fences.map((f, i) => watch(f, `fences[${i}]`, log, (k, _o, _v, w) =>
    k === 'state' ? bit(L.fst(i), w) : k === 'live' ? bit(L.flive(i), w) : null));
  c.mutexes = c.mutexes.map((m, i) => watch(m, `mutexes[${i}]`, log, (k, _o, _v, w) =>
    (k === 'holder' || k === 'lockStmt') && !w ? { op: 'holder', bit: L.mutex(i) } : k === 'holder' || k === 'lockStmt' ? bit(L.mutex(i), w) : null));
  c.cdevs = c.cdevs.map((x, i) => watch(x, `cdevs[${i}]`, log, (k, _o, _v, w) => (k === 'deleted' ? bit(L.cdevDel(i), w) : null)));
  c.attrs = c.attrs.map((x, i) => watch(x, `attrs[${i}]`, log, (k, _o, _v, w) =>
    k === 'removed' ? bit(L.attrRm(i), w) : k === 'active' ? bit(L.attrAct(i), w) : null));
  c.spinlocks = c.spinlocks.map((m, i) => watch(m, `spinlocks[${i}]`, log, (k, _o, _v, w) =>
    (k === 'holder' || k === 'lockStmt') && !w ? { op: 'holder', bit: L.spinlock(i) } : k === 'holder' || k === 'lockStmt' ? bit(L.spinlock(i), w) : null));
  c.completions = c.completions.map((x, i) => watch(x, `completions[${i}]`, log, (k, _o, _v, w) => (k === 'done' ? bit(L.completion(i), w) : null)));
  c.krefs = c.krefs.map((x, i) => watch(x, `krefs[${i}]`, log, (k, _o, _v, w) =>
    (k === 'refs' || k === 'freed' || k === 'releasing' ? bit(L.kref(i), w) : null)));
  c.threads = c.threads.map((t, j) => (j === mover ? t : watch(t, `threads[${j}]`, log, otherThread)));
  return c;
}

const otherThread: Rule = (k, _o, _v, w) => {
  if (w) return { op: 'never' };
  if (k === 'srcu') return rd(ANY_SRCU);
  if (k === 'rcu') return rd(ANY_RCU);
  return k === 'name' || k === 'work' ? null : { op: 'never' };
};

/**
 * Whether the footprint (with all its conditional parts) covers an access. `exited`: the
 * thread ended in this step, whose leak check reads every mutex's holder only to compare it
 * with the thread itself, which no other thread can change.
 */
function covers(u: FP, n: Need, exited: boolean): boolean {
  switch (n.op) {
    case 'holder': return exited || u.hasRead(n.bit) || u.hasWrite(n.bit);
    case 'read': return n.bits.some((b) => u.hasRead(b) || u.hasWrite(b));
    case 'write': return u.hasWrite(n.bit);
    case 'counter':
    case 'inc': return u.hasInc(n.c) || u.hasDec(n.c) || u.hasTestZero(n.c);
    case 'dec': return u.hasDec(n.c) || u.hasTestZero(n.c);
    case 'never': return false;
  }
}

function union(f: FP): FP {
  const u = new FP(f.L);
  for (const part of f.parts()) for (let k = 0; k < u.a.length; k++) u.a[k] |= part.a[k];
  return u;
}

export interface AuditOptions {
  /** random schedules to walk (default 20) */
  walks?: number;
  /** steps per walk at most (default 400) */
  maxSteps?: number;
  seed?: number;
  /** changes the analysis before the audit (tests of the audit itself) */
  tamper?: (A: Analysis) => void;
}

export interface AuditResult {
  steps: number;
  violations: Violation[];
}

/**
 * Walks random schedules of explore mode (thread steps, fence completions, timeouts) and
 * audits each step's accesses against its predicted footprint.
 */
export function auditFootprints(p: Program, o: AuditOptions = {}): AuditResult {
  const A = new Analysis(p);
  o.tamper?.(A);
  const k = new Kernel(p, { mode: 'explore', maxEvents: 0 });
  const R = new Reducer(A, k, false);
  let seed = (o.seed ?? 1) >>> 0 || 1;
  const rand = (n: number) => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed % n;
  };
  const out: AuditResult = { steps: 0, violations: [] };
  const seen = new Set<string>();
  for (let walk = 0; walk < (o.walks ?? 20); walk++) {
    k.s = Kernel.initialState(p);
    for (let n = 0; n < (o.maxSteps ?? 400) && !k.s.ended; n++) {
      const choices: string[] = [];
      k.s.threads.forEach((_, i) => { if (k.canStep(i)) choices.push(`${i}`); });
      choices.push(...k.eventChoices());
      if (choices.length === 0) break;
      const choice = choices[rand(choices.length)];
      let fp: FP;
      let mover: number;
      let line = 0;
      let name = choice;
      const c = parseChoice(choice);
      if (c?.kind === 'complete') {
        fp = R.eventFootprint({ fence: p.fences.findIndex((f) => f.name === c.fence) });
        mover = -1;
      } else if (c?.kind === 'timeout') {
        mover = k.threadIndex(c.thread);
        fp = R.eventFootprint({ timeout: mover });
      } else {
        mover = Number(choice);
        fp = R.stepFootprint(mover);
        const t: ThreadState = k.s.threads[mover];
        name = t.name;
        line = k.position(t)?.line ?? 0;
      }
      const log: Log = { on: false, out: [], written: new Map() };
      k.s = instrument(k.s, mover, A.L, log);
      log.on = true;
      if (mover >= 0 && name !== choice) k.step(mover);
      else k.fireEvent(choice);
      log.on = false;
      for (const [key, x] of log.written) {
        const after = (x.o as Record<string, unknown>)[x.k];
        const need = x.rule(x.k, x.before, after, after !== x.before);
        if (need) log.out.push({ need, what: `${key} ${after !== x.before ? 'write' : 'read'}` });
      }
      k.s = cloneState(k.s);
      out.steps++;
      if (fp.top) continue;
      const u = union(fp);
      const t = mover >= 0 ? k.s.threads[mover] : null;
      const exited = !!t && (t.status === 'done' || (t.work >= 0 && t.status === 'idle'));
      for (const a of log.out) {
        if (covers(u, a.need, exited)) continue;
        const key = `${name}:${line}:${a.what}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.violations.push({ choice: name, line, access: a.what });
      }
    }
  }
  return out;
}
