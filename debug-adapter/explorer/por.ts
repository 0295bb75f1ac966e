// Partial-order reduction: at each state, a persistent set of transitions computed as a
// stubborn set (Valmari 1991; Godefroid 1996, ch. 4), over three kinds of entities:
//
//   - each thread (its next step is one transition, deterministic);
//   - each fence's completion event `complete:<fence>`;
//   - each thread's timeout event `timeout:<thread>`.
//
// Closure rules, from a seed entity with an enabled transition:
//   - an enabled entity e in the set: every entity whose *future* (any of its later
//     transitions, over-approximated statically from its position) may conflict with e's
//     next transition joins the set;
//   - a disabled entity e in the set: a necessary enabling set joins it (Godefroid 1996,
//     ch. 4), so that e stays disabled while only transitions outside the set run.
// The enabled transitions of the set then form a persistent set: on any path from this state
// made of transitions outside it, each of those is independent of each transition in it.
// Every deadlock and every fault of a single transition stays reachable (Godefroid 1996,
// ch. 4 and 6), the latter provided no transition is ignored forever along a
// cycle: the state graphs here are acyclic unless work items can requeue work (see
// `Analysis.mayCycle`), and then the explorer applies the breadth-first cycle proviso.
//
// "Conflict" is computed from footprints (footprint.ts), sharpened by what holds on every
// path outside the set (docs/explorer.md lists why each is sound):
//   - a reference count that stays above zero (its value, less the most every thread
//     outside the set may still drop, less the next step of a thread in it): increments
//     and decrements commute, and what happens at zero cannot happen;
//   - an unbind (default remove) not past its drm_dev_unplug while a thread of the set that
//     will not move is inside drm_dev_enter: its devres release, and its module's `gone`,
//     cannot happen; an unbind in the hands of such a thread cannot be started by another;
//   - entities that can never move again are in every set.
// Every enabled entity is tried as a seed; the smallest set wins.

import { formatChoice } from '../runtime/choice';
import type { Kernel } from '../runtime/kernel';
import { semantics } from '../runtime/stmts';
import { WAITS } from '../runtime/waits';
import { FenceSt, ModState, Op, WorkSt, type FileState, type ThreadState, type Wait } from '../runtime/state';
import type { Analysis } from './analysis';
import { conflicts, FP, SELF_LOCAL, SELF_RCU, SELF_SRCU, TIMED } from './footprint';
import { ConflictIndex, MAX_CONDS, MAX_ENTITIES } from './conflict-index';

interface Future {
  ff: FP;
  /** most decrements of each counter */
  dd: Float64Array;
  empty: boolean;
  /** the future of its `timeout:<thread>` event */
  tff: FP;
  tEmpty: boolean;
}

export class Reducer {
  readonly T: number;
  readonly Q: number;
  readonly E: number;
  private nf: FP[];
  private ff: FP[];
  private enab: FP[];
  private en: Uint8Array;
  private owner: Int32Array;
  private dd: Float64Array[];
  private enabReady: Uint8Array;
  private fenceFF: FP[];
  private ffEmpty: Uint8Array;
  private dead: Uint8Array;
  private inS: Uint8Array;
  private sumOut: Float64Array;
  private maxNext: Float64Array;
  private pos: Uint32Array;
  private base: Float64Array;
  /** per declared thread, by the number of its own state (Encoder.fillIds): its future */
  private futureCache: Future[][];

  /** `forget`: completions of fences no thread will look at again are left out */
  constructor(readonly A: Analysis, readonly k: Kernel, readonly forget = true) {
    const L = A.L;
    this.T = k.s.threads.length;
    this.Q = A.p.fences.length;
    this.E = this.T + this.Q + this.T;
    const mk = () => Array.from({ length: this.E }, () => new FP(L));
    this.nf = mk();
    this.ff = mk();
    this.enab = mk();
    this.en = new Uint8Array(this.E);
    this.owner = new Int32Array(this.E).fill(-1);
    for (let t = 0; t < this.T; t++) {
      this.owner[t] = t;
      this.owner[this.T + this.Q + t] = t;
    }
    this.dd = Array.from({ length: this.T }, () => new Float64Array(L.counters));
    this.enabReady = new Uint8Array(this.E);
    this.fenceFF = A.p.fences.map((_, q) => new FP(L).read(L.flive(q)).rw(L.fst(q)));
    this.ffEmpty = new Uint8Array(this.E);
    this.dead = new Uint8Array(this.Q);
    this.inS = new Uint8Array(this.E);
    this.sumOut = new Float64Array(L.counters);
    this.maxNext = new Float64Array(L.counters);
    this.pos = new Uint32Array(L.pwords);
    this.base = new Float64Array(L.counters);
    this.nd = Array.from({ length: this.T }, () => new Float64Array(L.counters));
    this.holderFlag = new Uint8Array(this.T);
    this.inS0 = new Uint8Array(this.E);
    this.sumOut0 = new Float64Array(L.counters);
    this.useIndex = this.E <= MAX_ENTITIES && L.conds <= MAX_CONDS;
    this.index = new ConflictIndex(L);
    this.ffOrNull = new Array(this.E).fill(null);
    this.seedScore = new Float64Array(this.E);
    this.stuck = new Uint8Array(this.E);
    this.noPos = new Uint32Array(L.pwords);
    this.seeds = new Int32Array(this.E);
    this.futureCache = A.p.threads.map(() => []);
    this.liveCache = A.p.threads.map(() => []);
    this.fenceRank = A.p.fences.map((_, q) => {
      const o = A.fenceOwner[q];
      return o >= 0 ? A.threadShapes[o].privateFences.indexOf(q) : -1;
    });
  }

  /** The choice name of an entity. */
  choiceName(e: number): string {
    const s = this.k.s;
    if (e < this.T) return s.threads[e].name;
    if (e < this.T + this.Q) return formatChoice({ kind: 'complete', fence: this.A.p.fences[e - this.T].name });
    return formatChoice({ kind: 'timeout', thread: s.threads[e - this.T - this.Q].name });
  }

  // ---------------------------------------------------------------- liveness of private fences

  /** the numbers of the current state's threads' own parts (Encoder.fillIds) */
  ids: Int32Array = new Int32Array(0);

  /** Whether private fence q (of thread i) may still be read or written by its thread. */
  fenceLive(q: number): boolean {
    const i = this.A.fenceOwner[q];
    if (i < 0) return true;
    const t = this.k.s.threads[i];
    if (t.status === 'done' || t.status === 'oops') return false;
    // a wait on it that is over stays over (only its own thread could submit the fence
    // again): its completion no longer depends on the fence
    const w = t.wait;
    if (w && (w.kind === 'fence' || w.kind === 'poll') && w.x === q &&
      !w.timedOut && this.k.s.fences[q].state < FenceSt.Signalled) return true;
    const rank = this.fenceRank[q];
    if (rank >= 31) return this.futureTouches(t, i, q);
    const id = this.ids[i];
    let mask = this.liveCache[i][id];
    if (mask === undefined) {
      mask = 0;
      const pf = this.A.threadShapes[i].privateFences;
      for (let k = 0; k < pf.length && k < 31; k++) if (this.futureTouches(t, i, pf[k])) mask |= 1 << k;
      this.liveCache[i][id] = mask;
    }
    return (mask & (1 << rank)) !== 0;
  }

  /** per declared thread, by the number of its own state: which private fences it may still use */
  private liveCache: number[][];
  private fenceRank: number[] = [];

  /** Whether a statement thread i has still to run touches fence q. */
  private futureTouches(t: ThreadState, i: number, q: number): boolean {
    const bit = this.A.L.fst(q);
    const fr = t.frames;
    const shape = this.A.threadShapes[i];
    for (let k = 0; k < fr.length; k++) {
      const f = fr[k];
      if (f.t !== 0) continue;
      const b = f.block.id;
      if (b < shape.blockStart || b >= shape.blockEnd) continue;
      // the top frame's statement is still to run, unless the thread is blocked in it
      const top = k === fr.length - 1 && !t.wait;
      const suf = this.A.suffix[b];
      const start = Math.min(top ? f.pc : f.pc + 1, suf.length - 1);
      if (suf[start].touches(bit)) return true;
      if (f.role === 'repeat' && f.repeatLeft > 1 && suf[0].touches(bit)) return true;
    }
    return false;
  }

  /** Marks dead private fences of the current state in `out` (1 = dead). */
  /**
   * The dead fences of a successor: its parent's, recomputed only for the fences that could
   * have changed (those private to the thread that moved, and a completed one).
   */
  deadFencesAfter(out: Uint8Array, parent: Uint8Array, mover: number, fence: number): void {
    const own = this.A.fenceOwner;
    for (let q = 0; q < this.Q; q++) {
      out[q] = (own[q] >= 0 && own[q] === mover) || q === fence ? (own[q] >= 0 && !this.fenceLive(q) ? 1 : 0) : parent[q];
    }
  }

  /** `choose` takes the current state's dead fences from here when set (else computes them) */
  knownDead: Uint8Array | null = null;

  deadFences(out: Uint8Array): void {
    for (let q = 0; q < this.Q; q++) out[q] = this.A.fenceOwner[q] >= 0 && !this.fenceLive(q) ? 1 : 0;
  }

  // ---------------------------------------------------------------- per-state footprints

  private waitReads(f: FP, w: Wait): void {
    WAITS[w.kind].reads(f, this.A.L, w);
  }

  private fileOf(t: ThreadState) {
    return (x: number): FileState | undefined => t.files[x];
  }

  /** Closes at thread exit (`dec`: the files' own puts count as draw-down). */
  private exitFP(f: FP, t: ThreadState, deep: boolean): void {
    for (const fl of t.files) if (fl.st === 0) this.A.fileCloseFP(f, fl, deep ? 0 : 1, deep);
    if (t.work >= 0) f.write(this.A.L.work(t.work));
  }

  /** What the rest of a step does after the item of frame k finished. */
  private tail(f: FP, t: ThreadState, k: number): void {
    const A = this.A;
    for (;;) {
      if (k < 0) {
        if (!t.exiting) this.exitFP(f, t, false);
        return;
      }
      const fr = t.frames[k];
      if (fr.t === 0) {
        if (fr.pc + 1 < fr.block.stmts.length) return;
        if (fr.role === 'enter') f.write(SELF_SRCU);
        else if (fr.role === 'access') f.write(SELF_RCU);
        else if (fr.role === 'show') f.write(A.L.attrAct(fr.guard));
        if (fr.role === 'repeat' && fr.repeatLeft > 1) return;
      } else {
        for (let j = fr.i + 1; j < fr.ops.length; j++) A.opFP(f, fr.ops[j], false, this.fileOf(t), 1);
        if (t.work >= 0) f.write(A.L.work(t.work));
      }
      k--;
    }
  }

  /** Whether the statement surely ends the step before it completes (blocks, opens a block, oopses). */
  private stops(t: ThreadState, i: number, st: import('../runtime/program').CStmt): boolean {
    return semantics(st.kind).stops(this.k.s, t, i, st);
  }

  /** The footprint of thread i's next step (i can step). */
  private nextThread(f: FP, i: number): void {
    const A = this.A, L = A.L, s = this.k.s, p = A.p;
    const t = s.threads[i];
    f.clear().rw(SELF_LOCAL);
    if (t.status === 'idle') {
      const w = t.work;
      f.rw(L.work(w));
      if (A.cbMayWait[w] && !s.order.includes(i)) f.rw(L.startOrder);
      const wm = p.works[w].module;
      if (wm >= 0) {
        f.read(L.mGone(wm));
        if (s.modules[wm].state === ModState.Gone) return;
      }
      if (p.works[w].body.stmts.length === 0) f.write(L.work(w));
      return;
    }
    if (t.wait) {
      this.waitReads(f, t.wait);
      this.tail(f, t, t.frames.length - 1);
      return;
    }
    const last = t.frames.length - 1;
    if (last < 0) {
      this.exitFP(f, t, false);
      return;
    }
    const top = t.frames[last];
    if (top.t === 1) {
      for (let j = top.i; j < top.ops.length; j++) A.opFP(f, top.ops[j], false, this.fileOf(t), 1);
      this.tail(f, t, last - 1);
      return;
    }
    const st = top.block.stmts[top.pc];
    if (top.mod >= 0) {
      f.read(L.mGone(top.mod));
      if (s.modules[top.mod].state === ModState.Gone) return;
    }
    if (st.kind === 'close') {
      let fl: FileState | undefined;
      for (let j = t.files.length - 1; j >= 0; j--) {
        const x = t.files[j];
        if (x.scope === top.block.scope && x.slot === st.fileSlot) { fl = x; break; }
      }
      if (fl && fl.st === 0) A.fileCloseFP(f, fl, 1, false);
    } else if ((st.kind === 'read' || st.kind === 'write') && t.rcu.includes(st.revocable)) {
      // inside `access` of that revocable: touches nothing shared
    } else {
      f.or(A.shallow[st.id]);
    }
    if (!this.stops(t, i, st)) this.tail(f, t, last);
  }

  /** The footprint predicted for thread i's next step (i can step): what the footprint audit checks. */
  stepFootprint(i: number): FP {
    const f = new FP(this.A.L);
    this.nextThread(f, i);
    return f;
  }

  /** The footprint predicted for fence q's completion, or for thread i's timeout. */
  eventFootprint(e: { fence: number } | { timeout: number }): FP {
    const L = this.A.L;
    if ('fence' in e) return this.fenceFF[e.fence];
    const f = new FP(L).rw(SELF_LOCAL);
    this.waitReads(f, this.k.s.threads[e.timeout].wait!);
    return f;
  }

  /** Everything thread i may still do (its future), and its draw-down of each counter. */
  private futureThread(f: FP, i: number): void {
    const A = this.A, L = A.L, s = this.k.s;
    const t = s.threads[i];
    f.clear();
    if (t.status === 'done' || t.status === 'oops') return;
    if (t.work >= 0 && t.status === 'idle' && s.works[t.work].state === WorkSt.Idle && !A.queued[t.work]) return;
    f.rw(SELF_LOCAL);
    if (t.work >= 0) {
      f.or(A.kworkerDeep[t.work]).write(L.work(t.work));
      if (A.cbMayWait[t.work] && !s.order.includes(i)) f.rw(L.startOrder);
    }
    const fr = t.frames;
    for (let k = 0; k < fr.length; k++) {
      const x = fr[k];
      const top = k === fr.length - 1;
      if (x.t === 0) {
        const suf = A.suffix[x.block.id];
        f.or(suf[Math.min(top ? x.pc : x.pc + 1, suf.length - 1)]);
        if (x.mod >= 0) f.read(L.mGone(x.mod));
        if (x.role === 'enter') f.write(SELF_SRCU);
        else if (x.role === 'access') f.write(SELF_RCU);
        else if (x.role === 'show') f.write(L.attrAct(x.guard));
        else if (x.role === 'repeat' && x.repeatLeft > 1) f.or(suf[0], x.repeatLeft - 1);
      } else {
        const from = top ? x.i : x.i + 1;
        // an unbind (default remove) not yet past drm_dev_unplug: the devres release after it
        // is held up while some thread that will not move is inside drm_dev_enter
        const last = x.ops[x.ops.length - 1];
        let cut = x.ops.length;
        if (last?.op === Op.UnbindDone && A.defaultRemove(last.x)) {
          let u = -1;
          for (let j = 0; j < x.ops.length; j++) if (x.ops[j].op === Op.Unplug) u = j;
          if (u >= from) cut = u + 1;
        }
        for (let j = from; j < cut; j++) A.opFP(f, x.ops[j], true, this.fileOf(t), 0);
        if (cut < x.ops.length) {
          const rest = new FP(L);
          for (let j = cut; j < x.ops.length; j++) A.opFP(rest, x.ops[j], true, this.fileOf(t), 0);
          f.onZero(L.guardUnbind(last.x), rest);
        }
      }
    }
    if (t.wait) this.waitReads(f, t.wait);
    if (!t.exiting) this.exitFP(f, t, true);
    for (const fl of t.files) {
      if (fl.st !== 0) continue;
      if (fl.drm >= 0) f.decr(L.drmRef(fl.drm), 1);
      const m = fl.drm >= 0 ? A.drmModule(fl.drm) : A.cdevModule(fl.cdev);
      if (fl.holdsModule && m >= 0) f.decr(L.modRef(m), 1);
    }
  }

  // ---------------------------------------------------------------- the stubborn set

  /**
   * Computes, for the kernel's current state, the enabled entities (`all`) and a
   * persistent subset of them (`reduced`); both in entity order. `fullOnly` skips the
   * reduction (every enabled entity).
   */
  choose(fullOnly: boolean): { all: number[]; reduced: number[] } {
    const A = this.A, L = A.L, s = this.k.s, k = this.k;
    const T = this.T, Q = this.Q;
    const all: number[] = [];
    if (!this.forget) this.dead.fill(0);
    else if (this.knownDead) this.dead.set(this.knownDead);
    else this.deadFences(this.dead);
    for (let i = 0; i < T; i++) {
      this.en[i] = k.canStep(i) ? 1 : 0;
      if (this.en[i]) all.push(i);
    }
    for (let q = 0; q < Q; q++) {
      const fe = s.fences[q];
      const e = T + q;
      this.en[e] = !this.dead[q] && fe.state === FenceSt.Pending && fe.live ? 1 : 0;
      if (this.en[e]) all.push(e);
    }
    for (let i = 0; i < T; i++) {
      const t = s.threads[i];
      const w = t.wait;
      const e = T + Q + i;
      this.en[e] = t.status === 'ready' && w && w.hasTimeout && !w.timedOut && !k.waitOver(i, w) ? 1 : 0;
      if (this.en[e]) all.push(e);
    }
    if (fullOnly || all.length <= 1) return { all, reduced: all };

    // footprints: futures of threads (cached by their own state) and events, next steps
    for (let i = 0; i < T; i++) {
      const t = s.threads[i];
      // a declared thread's future depends on nothing but its own state
      const id = t.work < 0 ? this.ids[i] : -1;
      let fut = id >= 0 ? this.futureCache[i][id] : undefined;
      if (!fut) {
        fut = this.makeFuture(i);
        if (id >= 0) this.futureCache[i][id] = fut;
      }
      this.ff[i] = fut.ff;
      this.ffEmpty[i] = fut.empty ? 1 : 0;
      this.dd[i] = fut.dd;
      const te = T + Q + i;
      this.ff[te] = fut.tff;
      this.ffEmpty[te] = fut.tEmpty ? 1 : 0;
      this.enabReady[i] = 0;
      this.enabReady[te] = 0;
      if (this.en[i]) this.nextThread(this.nf[i], i);
      if (this.en[te]) this.nf[te].clear().rw(SELF_LOCAL).read(L.fst(t.wait!.x));
    }
    for (let q = 0; q < Q; q++) {
      const e = T + q;
      this.ff[e] = this.fenceFF[q];
      this.ffEmpty[e] = this.dead[q];
      this.nf[e] = this.fenceFF[q];
      this.enabReady[e] = 0;
    }
    // counter values and draw-downs that no thread owns (binding references, drm-held module refs)
    const p = A.p;
    for (let x = 0; x < p.drms.length; x++) {
      const d = s.drms[x];
      this.base[L.drmRef(x)] = d.refs - (d.bindingRef ? 1 : 0);
    }
    for (let m = 0; m < p.modules.length; m++) this.base[L.modRef(m)] = s.modules[m].refs;
    for (let x = 0; x < p.drms.length; x++) {
      const drv = p.drivers[p.drms[x].driver];
      if (drv?.drmHoldsModule && drv.module >= 0 && !s.drms[x].freed) this.base[L.modRef(drv.module)] -= 1;
    }

    if (this.useIndex) {
      for (let e = 0; e < this.E; e++) this.ffOrNull[e] = this.ffEmpty[e] ? null : this.ff[e];
      this.index.build(this.ffOrNull);
    }
    this.computeStuck();
    this.prepareGuards();
    this.prepareClosures();
    // Seeds, cheapest-looking first: a step that touches fewer shared resources tends to
    // grow a smaller set. Any seed gives a valid set; trying several only picks a smaller one.
    const score = this.seedScore;
    const seeds = this.seeds;
    let ns = 0;
    for (const e of all) {
      score[e] = this.nf[e].weight();
      // insertion sort by score, then entity order
      let j = ns++;
      while (j > 0 && (score[seeds[j - 1]] > score[e] || (score[seeds[j - 1]] === score[e] && seeds[j - 1] > e))) {
        seeds[j] = seeds[j - 1];
        j--;
      }
      seeds[j] = e;
    }
    let best = all;
    for (let tried = 0; tried < ns && tried < this.maxSeeds; tried++) {
      const seed = seeds[tried];
      const S = this.closure(seed, best.length);
      if (S && S.length < best.length) best = S;
      if (best.length === 1) break;
    }
    return { all, reduced: best };
  }

  private makeFuture(i: number): Future {
    const L = this.A.L, Q = this.Q;
    const t = this.k.s.threads[i];
    const ff = new FP(L);
    this.futureThread(ff, i);
    const dd = new Float64Array(L.counters);
    for (let c = 0; c < L.counters; c++) dd[c] = ff.totalDec(c);
    // its timeout event: possible while it may wait with a timeout
    const tff = new FP(L);
    if ((t.wait && t.wait.hasTimeout) || ff.hasRead(TIMED)) {
      tff.rw(SELF_LOCAL);
      for (let q = 0; q < Q; q++) if (ff.hasRead(L.fst(q))) tff.read(L.fst(q));
      for (let c = 0; c < L.n.completions; c++) if (ff.hasRead(L.completion(c))) tff.read(L.completion(c));
      if (t.wait && (t.wait.kind === 'fence' || t.wait.kind === 'poll')) tff.read(L.fst(t.wait.x));
      if (t.wait && t.wait.kind === 'completion') tff.read(L.completion(t.wait.x));
    }
    return { ff, dd, empty: ff.isEmpty(), tff, tEmpty: tff.isEmpty() };
  }

  private stuck = new Uint8Array(0);
  private noPos = new Uint32Array(0);

  /**
   * Entities that can never move again from this state: disabled, and every way to enable
   * them needs one of them to move (the greatest such set). A thread waiting for its fence
   * that no one can complete any more, a drm_dev_unplug waiting for such a thread, …
   */
  private computeStuck(): void {
    const E = this.E;
    const st = this.stuck;
    let any = false;
    for (let e = 0; e < E; e++) {
      st[e] = this.en[e] || this.ffEmpty[e] ? 0 : 1;
      if (st[e]) any = true;
    }
    if (!any) return;
    for (let changed = true; changed;) {
      changed = false;
      for (let e = 0; e < E; e++) {
        if (!st[e] || this.staysStuck(e)) continue;
        st[e] = 0;
        changed = true;
      }
    }
  }

  /** the threads holding up a wait (WaitSpec.holders), reused */
  private scratch: number[] = [];

  private staysStuck(e: number): boolean {
    const s = this.k.s, T = this.T, Q = this.Q, st = this.stuck;
    if (e < T) {
      const t = s.threads[e];
      const w = t.wait;
      const holders = t.status === 'ready' && w ? WAITS[w.kind].holders : null;
      if (holders) {
        // held up by threads: stuck for good once it waits on itself or one of them is stuck
        const hs = this.scratch;
        hs.length = 0;
        holders(s, e, w!, hs);
        for (const h of hs) if (h === e || st[h]) return true;
        return false;
      }
    } else if (e >= T + Q) {
      const i = e - T - Q;
      if (!st[i] && !this.ffEmpty[i]) return false; // its thread may move
    }
    const a = this.enabling(e);
    const oe = this.owner[e];
    if (this.useIndex) {
      const own = this.ownMask(e);
      let m = this.index.conflicting(a, own, 0);
      if (own && a.touchesSelf()) m |= own & this.index.nonEmpty;
      for (let u = 0; u < this.E; u++) if (st[u]) m &= ~(1 << u);
      return (m & ~(1 << e)) === 0;
    }
    for (let u = 0; u < this.E; u++) {
      if (u === e || st[u] || this.ffEmpty[u]) continue;
      if (conflicts(a, oe, this.ff[u], this.owner[u], this.noPos)) return false;
    }
    return true;
  }

  /** What a disabled entity waits on (for its necessary enabling set), built on demand. */
  private enabling(e: number): FP {
    const f = this.enab[e];
    if (this.enabReady[e]) return f;
    this.enabReady[e] = 1;
    f.clear();
    const L = this.A.L, T = this.T, Q = this.Q, s = this.k.s;
    if (e < T) {
      const t = s.threads[e];
      if (t.status === 'ready' && t.wait) this.waitReads(f, t.wait);
      else if (t.status === 'idle') f.read(L.work(t.work));
    } else if (e < T + Q) {
      // only a submit makes a fence pending and live (a hot-unplug only ever ends that)
      f.read(L.fst(e - T));
    } else {
      const w = s.threads[e - T - Q].wait;
      if (w && (w.kind === 'fence' || w.kind === 'poll')) f.read(L.fst(w.x));
      if (w && w.kind === 'completion') f.read(L.completion(w.x));
    }
    return f;
  }

  /** how many seeds to try per state (tuning knob; every value is sound) */
  maxSeeds = Infinity;
  /** conflicts by bit masks (up to 31 entities and conditions); else pairwise (also for tests) */
  useIndex: boolean;
  private index: ConflictIndex;
  private ffOrNull: (FP | null)[];
  private sMask = 0;

  /** the entities owned by e's thread (the thread and its timeout event) */
  private ownMask(e: number): number {
    const o = this.owner[e];
    return o < 0 ? 0 : (1 << o) | (1 << (this.T + this.Q + o));
  }

  /** Entities outside the set whose futures may conflict with footprint a of entity e. */
  private conflictingOutside(a: FP, e: number, pos: number): number {
    const own = this.ownMask(e);
    let m = this.index.conflicting(a, own, pos);
    if (own && a.touchesSelf()) m |= own & this.index.nonEmpty;
    return m & ~this.sMask & ~(1 << e);
  }
  private seedScore = new Float64Array(0);
  private seeds = new Int32Array(0);

  private recomputePos(): void {
    const L = this.A.L;
    this.pos.fill(0);
    for (let c = 0; c < L.counters; c++) {
      if (this.base[c] - this.sumOut[c] - this.maxNext[c] > 0) this.pos[c >>> 5] |= 1 << (c & 31);
    }
    this.guards();
  }

  /** threads of the set inside a drm_dev_enter section that their next step does not leave */
  private holders: number[] = [];

  /**
   * Guards: while a thread of the set stays inside drm_dev_enter, an unbind with the default
   * remove that has not got past its drm_dev_unplug cannot finish (nor can the rmmod of its
   * module), on any path outside the set, nor by the set's own next steps.
   */
  /** per device, this state: 0 unbound, 1 bound and no unbind under way or one waiting in
   *  its drm_dev_unplug (with the default remove), 2 bound otherwise */
  private devPhase = new Uint8Array(0);

  private prepareGuards(): void {
    const A = this.A, s = this.k.s;
    if (this.devPhase.length !== s.devices.length) this.devPhase = new Uint8Array(s.devices.length);
    for (let d = 0; d < s.devices.length; d++) {
      const dev = s.devices[d];
      const u = dev.unbinder;
      this.devPhase[d] = !dev.bound ? 0 : A.defaultRemove(d) && (u < 0 || this.blockedAtUnplug(u, d)) ? 1 : 2;
    }
  }

  private guards(): void {
    const A = this.A, L = A.L, s = this.k.s, p = A.p;
    const set = (g: number) => { this.pos[g >>> 5] |= 1 << (g & 31); };
    for (let d = 0; d < s.devices.length; d++) {
      const dev = s.devices[d];
      const u = dev.unbinder;
      const phase = this.devPhase[d];
      const m = p.drivers[p.devices[d].driver]?.module ?? -1;
      // unbound for good, or being unbound by a thread that will not move
      if (phase === 0 || (u >= 0 && this.inS[u])) set(L.guardOwned(d));
      // (not when the unbinder may move now: its own next step may finish the unbind)
      if (phase !== 0 && u >= 0 && this.inS[u] && !this.en[u] && m >= 0) set(L.guardGone(m));
      if (phase !== 1 || !this.holders.length) continue;
      let other = false;
      for (const j of this.holders) if (j !== u) { other = true; break; }
      if (!other) continue;
      set(L.guardUnbind(d));
      if (m >= 0) set(L.guardGone(m));
    }
  }

  /** Whether thread u waits in the drm_dev_unplug of its unbind of device d. */
  private blockedAtUnplug(u: number, d: number): boolean {
    const t = this.k.s.threads[u];
    if (t.wait?.kind !== 'srcu') return false;
    const top = t.frames[t.frames.length - 1];
    if (!top || top.t !== 1) return false;
    const last = top.ops[top.ops.length - 1];
    return top.ops[top.i]?.op === Op.Unplug && last?.op === Op.UnbindDone && last.x === d;
  }

  private enabledIn = 0;

  private add(e: number, list: number[]): void {
    const L = this.A.L;
    this.inS[e] = 1;
    this.sMask |= 1 << e;
    list.push(e);
    if (this.en[e]) this.enabledIn++;
    if (e >= this.T) return; // events change no count and no guard
    const dd = this.dd[e];
    for (let c = 0; c < L.counters; c++) this.sumOut[c] -= dd[c];
    if (this.holderFlag[e]) this.holders.push(e);
    if (this.en[e]) {
      const nd = this.nd[e];
      for (let c = 0; c < L.counters; c++) if (nd[c] > this.maxNext[c]) this.maxNext[c] = nd[c];
    }
    this.recomputePos();
  }

  /** per thread: its next step's decrements of each counter (enabled threads) */
  private nd: Float64Array[] = [];
  /** per thread: inside drm_dev_enter, and its next step (if any) does not leave */
  private holderFlag = new Uint8Array(0);
  // the set every closure starts from: the stuck entities
  private inS0 = new Uint8Array(0);
  private sMask0 = 0;
  private sumOut0 = new Float64Array(0);
  private holders0: number[] = [];

  /** Per state, before the closures: next-step decrements, holders, the stuck start set. */
  private prepareClosures(): void {
    const L = this.A.L, T = this.T, E = this.E, s = this.k.s;
    for (let i = 0; i < T; i++) {
      const nd = this.nd[i];
      if (this.en[i]) for (let c = 0; c < L.counters; c++) nd[c] = this.nf[i].totalDec(c);
      else nd.fill(0);
      this.holderFlag[i] = s.threads[i].srcu > 0 && (!this.en[i] || !this.nf[i].hasWrite(SELF_SRCU)) ? 1 : 0;
    }
    for (let c = 0; c < L.counters; c++) {
      let sum = 0;
      for (let i = 0; i < T; i++) if (!(this.stuck[i] && !this.ffEmpty[i])) sum += this.dd[i][c];
      this.sumOut0[c] = sum;
    }
    this.sMask0 = 0;
    this.holders0.length = 0;
    for (let e = 0; e < E; e++) {
      // entities that can never move again are in every set, for free (they stay frozen)
      const inBase = this.stuck[e] && !this.ffEmpty[e] ? 1 : 0;
      this.inS0[e] = inBase;
      if (inBase) {
        this.sMask0 |= e < 31 ? 1 << e : 0;
        if (e < T && this.holderFlag[e]) this.holders0.push(e);
      }
    }
  }

  /**
   * A necessary enabling set of disabled entity e (Godefroid 1996, ch. 4): entities one
   * of which must move before e can. A wait for every reader of a section to leave needs
   * only one reader that has not left (preferably one already in the set); other waits
   * need every entity that may write what they wait on.
   */
  private nes(e: number, list: number[]): void {
    const s = this.k.s, T = this.T;
    if (e < T) {
      const t = s.threads[e];
      const w = t.wait;
      const holders = t.status === 'ready' && w ? WAITS[w.kind].holders : null;
      if (holders) {
        // one of the threads holding it up must move first (none: it waits on itself, never)
        const hs = this.scratch;
        hs.length = 0;
        holders(s, e, w!, hs);
        for (const h of hs) if (h === e || this.inS[h]) return;
        if (hs.length) this.add(hs[0], list);
        return;
      }
    }
    const Q = this.Q;
    if (e >= T + Q) {
      // a timeout becomes possible only once its thread waits with a timeout, not timed out:
      // the thread itself must move first, unless it waits already and only the fence's
      // state makes the wait over (a new submit would make it pending again)
      const i = e - T - Q;
      const t = s.threads[i];
      if (!this.inS[i]) this.add(i, list);
      if (!(t.wait && t.wait.hasTimeout && !t.wait.timedOut)) return;
    }
    const a = this.enabling(e);
    if (this.useIndex) {
      this.addAll(this.conflictingOutside(a, e, this.pos[0]), list);
      return;
    }
    const oe = this.owner[e];
    for (let u = 0; u < this.E; u++) {
      if (this.inS[u] || this.ffEmpty[u]) continue;
      if (conflicts(a, oe, this.ff[u], this.owner[u], this.pos)) this.add(u, list);
    }
  }

  private addAll(m: number, list: number[]): void {
    while (m) {
      const u = 31 - Math.clz32(m & -m);
      m &= m - 1;
      if (!this.inS[u]) this.add(u, list);
    }
  }

  /**
   * The enabled entities of the stubborn set grown from `seed`, or null as soon as it holds
   * `limit` enabled entities (no better than a set already found).
   */
  private closure(seed: number, limit: number): number[] | null {
    const E = this.E;
    this.inS.set(this.inS0);
    this.sMask = this.sMask0;
    this.sumOut.set(this.sumOut0);
    this.maxNext.fill(0);
    this.holders.length = 0;
    for (const h of this.holders0) this.holders.push(h);
    this.recomputePos();
    const list: number[] = [];
    this.enabledIn = 0;
    if (!this.inS[seed]) this.add(seed, list);
    for (let n = 0; n < list.length; n++) {
      if (this.enabledIn >= limit) return null;
      const e = list[n];
      if (!this.en[e]) {
        if (!this.stuck[e]) this.nes(e, list);
        continue;
      }
      const a = this.nf[e];
      if (this.useIndex) {
        this.addAll(this.conflictingOutside(a, e, this.pos[0]), list);
        continue;
      }
      const oe = this.owner[e];
      for (let u = 0; u < E; u++) {
        if (this.inS[u] || this.ffEmpty[u]) continue;
        if (conflicts(a, oe, this.ff[u], this.owner[u], this.pos)) this.add(u, list);
      }
    }
    if (this.enabledIn >= limit) return null;
    const out: number[] = [];
    for (let e = 0; e < E; e++) if (this.inS[e] && this.en[e]) out.push(e);
    return out;
  }
}
