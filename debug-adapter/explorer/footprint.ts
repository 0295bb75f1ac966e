// Footprints: what a step of the simulated kernel may read and write, for the independence
// relation of the partial-order reduction (docs/explorer.md, "Partial-order reduction").
//
// The shared state of the kernel is cut into resources (a module's state, a drm device's
// `unplugged` flag, a fence's state, …). Reference counts are counters, not plain
// resources: increments commute with each other, and while a counter provably stays above
// zero every increment and decrement commutes (no release, no underflow, no "module in
// use" answer can change). What happens only when a counter reaches zero (a release, an
// rmmod that gets through) is kept apart, in `cond`, and counts only when the counter may
// reach zero.
//
// Per-thread resources (a thread's SRCU and RCU read sections, its wait) are written with
// SELF bits and read by others with ANY bits, so that two threads entering their own read
// sections stay independent while `drm_dev_unplug` depends on both.

/** Special bits, the same in every layout. */
export const SELF_SRCU = 0;
export const SELF_RCU = 1;
export const SELF_LOCAL = 2;
export const ANY_SRCU = 3;
export const ANY_RCU = 4;
/** a marker, not a resource: the code may wait with a timeout (so `timeout:<t>` may fire) */
export const TIMED = 5;
export const FIRST_RESOURCE = 6;
const SPECIAL = (1 << FIRST_RESOURCE) - 1;

export interface LayoutSizes {
  modules: number;
  devices: number;
  drms: number;
  revocables: number;
  data: number;
  works: number;
  fences: number;
  mutexes: number;
  /** version 2 */
  cdevs: number;
  attrs: number;
  spinlocks: number;
  completions: number;
  krefs: number;
}

/** Where each resource and counter lives in the bit sets. */
export class Layout {
  readonly bits: number;
  readonly words: number;
  readonly counters: number;
  readonly cwords: number;
  /** conditions: the counters, then the guards (see guardUnbind, guardGone) */
  readonly conds: number;
  readonly pwords: number;
  private readonly base: Record<string, number> = {};

  constructor(readonly n: LayoutSizes) {
    let b = FIRST_RESOURCE;
    const take = (name: string, count: number) => {
      this.base[name] = b;
      b += count;
    };
    take('mLive', n.modules);
    take('mGone', n.modules);
    take('devPresent', n.devices);
    take('devBind', n.devices);
    take('drmUnpl', n.drms);
    take('drmFree', n.drms);
    take('drmBindRef', n.drms);
    take('rev', n.revocables);
    take('data', n.data);
    take('work', n.works);
    take('fst', n.fences);
    take('flive', n.fences);
    take('mutex', n.mutexes);
    take('cdevDel', n.cdevs);
    take('attrRm', n.attrs);
    take('attrAct', n.attrs);
    take('spinlock', n.spinlocks);
    take('completion', n.completions);
    take('kref', n.krefs);
    take('startOrder', 1);
    this.bits = b;
    this.words = Math.max(1, Math.ceil(b / 32));
    this.counters = n.drms + n.modules;
    this.cwords = Math.max(1, Math.ceil(this.counters / 32));
    this.conds = this.counters + n.devices + n.modules + n.devices;
    this.pwords = Math.max(1, Math.ceil(this.conds / 32));
  }

  /** a module's state as try_module_get sees it: live or not */
  mLive(m: number) { return this.base.mLive + m; }
  /** a module's state as its code sees it: gone or not */
  mGone(m: number) { return this.base.mGone + m; }
  devPresent(d: number) { return this.base.devPresent + d; }
  devBind(d: number) { return this.base.devBind + d; }
  drmUnpl(x: number) { return this.base.drmUnpl + x; }
  drmFree(x: number) { return this.base.drmFree + x; }
  drmBindRef(x: number) { return this.base.drmBindRef + x; }
  rev(r: number) { return this.base.rev + r; }
  data(k: number) { return this.base.data + k; }
  work(w: number) { return this.base.work + w; }
  /**
   * The order in which callback threads first started: a deadlock fault names the first
   * blocked thread in that order (language.md §9), so two first starts do not commute.
   */
  get startOrder() { return this.base.startOrder; }
  fst(q: number) { return this.base.fst + q; }
  flive(q: number) { return this.base.flive + q; }
  mutex(m: number) { return this.base.mutex + m; }
  /** a cdev's `deleted` */
  cdevDel(c: number) { return this.base.cdevDel + c; }
  /** an attribute's `removed` */
  attrRm(a: number) { return this.base.attrRm + a; }
  /** an attribute's kernfs active references (threads inside its show) */
  attrAct(a: number) { return this.base.attrAct + a; }
  /** version 2: a spinlock's holder */
  spinlock(x: number) { return this.base.spinlock + x; }
  /** version 2: a completion's done flag */
  completion(c: number) { return this.base.completion + c; }
  /** version 2: a kref object's count, freed and releasing flags (one plain resource, not a counter) */
  kref(o: number) { return this.base.kref + o; }
  /** counter of a drm device's references */
  drmRef(x: number) { return x; }
  /** counter of a module's references */
  modRef(m: number) { return this.n.drms + m; }
  /**
   * Guard: the unbind of device d (default remove) cannot get past its drm_dev_unplug,
   * as a thread that will not move is inside a drm_dev_enter section.
   */
  guardUnbind(d: number) { return this.counters + d; }
  /** Guard: module m cannot become gone (one of its devices' unbinds is so held up). */
  guardGone(m: number) { return this.counters + this.n.devices + m; }
  /**
   * Guard: no one can start the unbind of device d (it is unbound, or a thread that will
   * not move is unbinding it): an `unbind` of it only waits, or does nothing.
   */
  guardOwned(d: number) { return this.counters + this.n.devices + this.n.modules + d; }
}

/** A flattened piece of a footprint (FP.parts). */
export interface Part {
  /** the conditions on its path: active while none of them holds */
  keys: number;
  /** reads, writes, increments, decrements, zero tests, as in FP.a */
  a: Uint32Array;
}

/** A footprint: reads, writes, counter operations, and what happens at zero. */
export class FP {
  /** one buffer: reads [0,W), writes [W,2W), then increments, decrements, zero tests [C words each] */
  readonly a: Uint32Array;
  /** how many decrements of each counter, at most (Infinity: unbounded) */
  readonly decN: Float64Array;
  /** per counter: the extra footprint of what happens when it is (or reaches) zero */
  cond: (FP | null)[] | null = null;
  /** everything: used for code the analysis cannot bound (recursive handlers) */
  top = false;
  private readonly W: number;
  private readonly C: number;

  constructor(readonly L: Layout) {
    this.W = L.words;
    this.C = L.cwords;
    this.a = new Uint32Array(2 * L.words + 3 * L.cwords);
    this.decN = new Float64Array(L.counters);
  }

  private set(off: number, b: number): void {
    this.a[off + (b >>> 5)] |= 1 << (b & 31);
    this.flat = null;
  }

  /** the footprint as parts, each active while none of its conditions holds (see parts()) */
  private flat: Part[] | null = null;

  /**
   * The footprint flattened: its own part (no condition) and one part per nested conditional
   * footprint, with the conditions on its path (a bit set over conditions, < 32 of them).
   */
  parts(): Part[] {
    if (this.flat) return this.flat;
    const out: Part[] = [];
    const walk = (f: FP, keys: number) => {
      out.push({ keys, a: f.a });
      if (f.cond) for (let c = 0; c < f.cond.length; c++) if (f.cond[c]) walk(f.cond[c]!, keys | (1 << c));
    };
    walk(this, 0);
    this.flat = out;
    return out;
  }
  private get(off: number, b: number): boolean {
    return (this.a[off + (b >>> 5)] & (1 << (b & 31))) !== 0;
  }

  read(...bits: number[]): this {
    for (const b of bits) this.set(0, b);
    return this;
  }
  write(...bits: number[]): this {
    for (const b of bits) this.set(this.W, b);
    return this;
  }
  rw(...bits: number[]): this {
    for (const b of bits) {
      this.set(0, b);
      this.set(this.W, b);
    }
    return this;
  }
  incr(c: number): this {
    this.set(2 * this.W, c);
    return this;
  }
  /** a decrement; `n` is how many count towards the draw-down of the counter */
  decr(c: number, n = 1): this {
    this.set(2 * this.W + this.C, c);
    this.decN[c] += n;
    return this;
  }
  testZero(c: number): this {
    this.set(2 * this.W + 2 * this.C, c);
    return this;
  }
  /** what happens only when counter c is or reaches zero (or guard c does not hold) */
  onZero(c: number, fp: FP): this {
    this.flat = null;
    this.cond ??= new Array(this.L.conds).fill(null);
    const cur = this.cond[c];
    if (cur) cur.or(fp);
    else this.cond[c] = fp.clone();
    return this;
  }

  clear(): this {
    this.flat = null;
    const a = this.a;
    for (let i = 0; i < a.length; i++) a[i] = 0;
    const d = this.decN;
    for (let i = 0; i < d.length; i++) d[i] = 0;
    if (this.cond) for (const c of this.cond) c?.clear(); // keep the objects: scratch footprints are reused
    this.top = false;
    return this;
  }

  hasRead(b: number) { return this.get(0, b); }
  hasWrite(b: number) { return this.get(this.W, b); }
  touches(b: number) { return this.get(0, b) || this.get(this.W, b); }
  hasInc(c: number) { return this.get(2 * this.W, c); }
  hasDec(c: number) { return this.get(2 * this.W + this.C, c); }
  hasTestZero(c: number) { return this.get(2 * this.W + 2 * this.C, c); }

  /** a rough size: set bits of the shared resources and counters, conditional parts included */
  weight(): number {
    if (this.top) return 1e9;
    const a = this.a;
    let n = 0;
    for (let i = 0; i < a.length; i++) {
      let v = i === 0 || i === this.W ? a[i] & ~SPECIAL : a[i];
      while (v) {
        v &= v - 1;
        n++;
      }
    }
    if (this.cond) for (const c of this.cond) if (c) n += c.weight();
    return n;
  }

  isEmpty(): boolean {
    if (this.top) return false;
    const a = this.a;
    for (let i = 0; i < a.length; i++) if (a[i]) return false;
    if (this.cond) for (const c of this.cond) if (c && !c.isEmpty()) return false;
    return true;
  }

  /** this ∪= o, with o's decrement counts multiplied by `mult` */
  or(o: FP, mult = 1): this {
    this.flat = null;
    if (o.top) this.top = true;
    const a = this.a, b = o.a;
    for (let i = 0; i < a.length; i++) a[i] |= b[i];
    const d = this.decN, e = o.decN;
    for (let i = 0; i < d.length; i++) if (e[i]) d[i] += e[i] * mult;
    if (o.cond) {
      for (let c = 0; c < o.cond.length; c++) {
        const x = o.cond[c];
        if (!x) continue;
        this.cond ??= new Array(this.L.conds).fill(null);
        const cur = this.cond[c];
        if (cur) cur.or(x, mult);
        else this.cond[c] = new FP(this.L).or(x, mult);
      }
    }
    return this;
  }

  clone(): FP {
    return new FP(this.L).or(this);
  }

  /** Total decrements of counter c, the conditional parts included. */
  totalDec(c: number): number {
    let n = this.top ? Infinity : this.decN[c];
    if (this.cond) for (const x of this.cond) if (x) n += x.totalDec(c);
    return n;
  }

  static top(L: Layout): FP {
    const f = new FP(L);
    f.top = true;
    f.a.fill(0xffffffff);
    f.decN.fill(Infinity);
    return f;
  }

  /** Whether the footprint writes or reads any SELF bit (its owner's own state). */
  touchesSelf(): boolean {
    const m = (1 << SELF_SRCU) | (1 << SELF_RCU) | (1 << SELF_LOCAL);
    return ((this.a[0] | this.a[this.W]) & m) !== 0;
  }
}

const SELF_BITS = (1 << SELF_SRCU) | (1 << SELF_RCU) | (1 << SELF_LOCAL);

/**
 * Whether a step with footprint `a` (of owner thread `oa`, -1 for none) and any step with
 * footprint `b` (owner `ob`) may fail to commute, given the counters known to stay above
 * zero and the guards known to hold (`pos`, a bit set over conditions).
 */
export function conflicts(a: FP, oa: number, b: FP, ob: number, pos: Uint32Array): boolean {
  if (a.top || b.top) {
    if (a.top && !b.isEmpty()) return true;
    if (b.top && !a.isEmpty()) return true;
  }
  const x = a.a, y = b.a;
  const W = a.L.words, C = a.L.cwords;
  // word 0 holds the special bits, compared apart
  const ar0 = x[0], aw0 = x[W], br0 = y[0], bw0 = y[W];
  if (((aw0 & (br0 | bw0)) | (ar0 & bw0)) & ~SPECIAL) return true;
  for (let i = 1; i < W; i++) {
    const aw = x[W + i], bw = y[W + i];
    if ((aw & (y[i] | bw)) | (x[i] & bw)) return true;
  }
  if (oa === ob && oa >= 0) {
    if (((aw0 & (br0 | bw0)) | (ar0 & bw0)) & SELF_BITS) return true;
  } else {
    // another thread's read section against a wait for all read sections
    if ((aw0 & (1 << SELF_SRCU)) && (br0 & (1 << ANY_SRCU))) return true;
    if ((ar0 & (1 << ANY_SRCU)) && (bw0 & (1 << SELF_SRCU))) return true;
    if ((aw0 & (1 << SELF_RCU)) && (br0 & (1 << ANY_RCU))) return true;
    if ((ar0 & (1 << ANY_RCU)) && (bw0 & (1 << SELF_RCU))) return true;
  }
  // counters that may reach zero: everything but increment against increment conflicts
  const I = 2 * W, D = I + C, Z = D + C;
  for (let i = 0; i < C; i++) {
    const np = ~pos[i];
    const aNon = x[D + i] | x[Z + i], bNon = y[D + i] | y[Z + i];
    const aAll = x[I + i] | aNon, bAll = y[I + i] | bNon;
    if (((aNon & bAll) | (aAll & bNon)) & np) return true;
  }
  if (a.cond) {
    for (let c = 0; c < a.cond.length; c++) {
      const z = a.cond[c];
      if (z && (pos[c >>> 5] & (1 << (c & 31))) === 0 && conflicts(z, oa, b, ob, pos)) return true;
    }
  }
  if (b.cond) {
    for (let c = 0; c < b.cond.length; c++) {
      const z = b.cond[c];
      if (z && (pos[c >>> 5] & (1 << (c & 31))) === 0 && conflicts(a, oa, z, ob, pos)) return true;
    }
  }
  return false;
}
