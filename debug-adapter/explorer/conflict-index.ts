// The conflict relation of one state as bit masks over entities (up to 31 of them), so that
// growing a stubborn set costs a few word operations per resource instead of a footprint
// comparison per pair of entities. For each resource: which entities' futures read it and
// which write it, kept apart by the conditions their part depends on (a part counts while
// none of its conditions holds: por.ts decides which hold as the set grows).

import { ANY_RCU, ANY_SRCU, FIRST_RESOURCE, type FP, type Layout, SELF_RCU, SELF_SRCU } from './footprint';

export const MAX_ENTITIES = 31;
export const MAX_CONDS = 31;

interface Slot {
  keys: number;
  /** per resource bit: entities reading / writing it */
  R: Int32Array;
  W: Int32Array;
  /** per counter: entities touching it at all / other than by increments */
  touch: Int32Array;
  nonInc: Int32Array;
  /** entities writing their own read sections / waiting for everyone's */
  selfSrcuW: number;
  anySrcuR: number;
  selfRcuW: number;
  anyRcuR: number;
}

export class ConflictIndex {
  private slots: Slot[] = [];
  private used = 0;
  /** entities with a non-empty future */
  nonEmpty = 0;

  constructor(readonly L: Layout) {}

  private slot(keys: number): Slot {
    for (let k = 0; k < this.used; k++) if (this.slots[k].keys === keys) return this.slots[k];
    let sl = this.slots[this.used];
    if (!sl) {
      sl = {
        keys, R: new Int32Array(this.L.bits), W: new Int32Array(this.L.bits),
        touch: new Int32Array(this.L.counters), nonInc: new Int32Array(this.L.counters),
        selfSrcuW: 0, anySrcuR: 0, selfRcuW: 0, anyRcuR: 0,
      };
      this.slots[this.used] = sl;
    } else {
      sl.keys = keys;
      sl.R.fill(0);
      sl.W.fill(0);
      sl.touch.fill(0);
      sl.nonInc.fill(0);
      sl.selfSrcuW = sl.anySrcuR = sl.selfRcuW = sl.anyRcuR = 0;
    }
    this.used++;
    return sl;
  }

  /** Indexes the futures of the entities (null or empty: none). */
  build(ff: (FP | null)[]): void {
    this.used = 0;
    this.nonEmpty = 0;
    const L = this.L, W = L.words, C = L.cwords, I = 2 * W, D = I + C, Z = D + C;
    for (let u = 0; u < ff.length; u++) {
      const f = ff[u];
      if (!f) continue;
      const bit = 1 << u;
      this.nonEmpty |= bit;
      for (const part of f.parts()) {
        const a = part.a;
        const sl = this.slot(part.keys);
        for (let i = 0; i < W; i++) {
          let r = a[i], w = a[W + i];
          if (i === 0) {
            if (w & (1 << SELF_SRCU)) sl.selfSrcuW |= bit;
            if (r & (1 << ANY_SRCU)) sl.anySrcuR |= bit;
            if (w & (1 << SELF_RCU)) sl.selfRcuW |= bit;
            if (r & (1 << ANY_RCU)) sl.anyRcuR |= bit;
            const normal = ~((1 << FIRST_RESOURCE) - 1);
            r &= normal;
            w &= normal;
          }
          while (r) {
            const b = 31 - Math.clz32(r & -r);
            r &= r - 1;
            sl.R[i * 32 + b] |= bit;
          }
          while (w) {
            const b = 31 - Math.clz32(w & -w);
            w &= w - 1;
            sl.W[i * 32 + b] |= bit;
          }
        }
        for (let i = 0; i < C; i++) {
          let t = a[I + i] | a[D + i] | a[Z + i];
          const non = a[D + i] | a[Z + i];
          while (t) {
            const b = 31 - Math.clz32(t & -t);
            t &= t - 1;
            const c = i * 32 + b;
            sl.touch[c] |= bit;
            if (non & (1 << b)) sl.nonInc[c] |= bit;
          }
        }
      }
    }
  }

  /**
   * The entities whose (indexed) futures may conflict with a step of footprint `fp` of owner
   * `own` (the mask of entities with that owner), given the conditions that hold (`pos`).
   */
  conflicting(fp: FP, own: number, pos: number): number {
    const L = this.L, W = L.words, C = L.cwords, I = 2 * W, D = I + C, Z = D + C;
    let m = 0;
    const slots = this.slots;
    const n = this.used;
    for (const part of fp.parts()) {
      if (part.keys & pos) continue;
      const a = part.a;
      for (let i = 0; i < W; i++) {
        let r = a[i], w = a[W + i];
        if (i === 0) {
          for (let k = 0; k < n; k++) {
            const sl = slots[k];
            if (sl.keys & pos) continue;
            if (w & (1 << SELF_SRCU)) m |= sl.anySrcuR & ~own;
            if (r & (1 << ANY_SRCU)) m |= sl.selfSrcuW & ~own;
            if (w & (1 << SELF_RCU)) m |= sl.anyRcuR & ~own;
            if (r & (1 << ANY_RCU)) m |= sl.selfRcuW & ~own;
          }
          const normal = ~((1 << FIRST_RESOURCE) - 1);
          r &= normal;
          w &= normal;
        }
        while (w) {
          const b = i * 32 + (31 - Math.clz32(w & -w));
          w &= w - 1;
          for (let k = 0; k < n; k++) {
            const sl = slots[k];
            if ((sl.keys & pos) === 0) m |= sl.R[b] | sl.W[b];
          }
        }
        while (r) {
          const b = i * 32 + (31 - Math.clz32(r & -r));
          r &= r - 1;
          for (let k = 0; k < n; k++) {
            const sl = slots[k];
            if ((sl.keys & pos) === 0) m |= sl.W[b];
          }
        }
      }
      // counters that may reach zero: all but increment against increment
      for (let i = 0; i < C; i++) {
        let t = (a[I + i] | a[D + i] | a[Z + i]) & ~(i === 0 ? pos : 0);
        const non = a[D + i] | a[Z + i];
        while (t) {
          const b = 31 - Math.clz32(t & -t);
          t &= t - 1;
          const c = i * 32 + b;
          for (let k = 0; k < n; k++) {
            const sl = slots[k];
            if (sl.keys & pos) continue;
            m |= non & (1 << b) ? sl.touch[c] : sl.nonInc[c];
          }
        }
      }
    }
    return m & this.nonEmpty;
  }
}
