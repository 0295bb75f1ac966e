// The state encoding the explorer hashes: a compact byte string (unsigned LEB128 numbers,
// zig-zag for the few that may be negative) of everything that decides a state's future.
// Left out, as explore mode never reads them: the fault list (faults are recorded as they
// happen), step and event counts, the clock, timed deadlines and the run-mode turn order.
//
// Two reductions live here:
// - forgetting dead state: a finished thread is only "done"; an oopsed one only its read
//   sections (others may wait on them); a private fence its thread will never use again is
//   forgotten (idle); a closed file that no later lookup can find is dropped;
// - symmetry: the threads of a class of interchangeable threads are encoded relative to
//   their own body (statement and block offsets, private fences by rank) and sorted, so a
//   state and its permutations get one key (Ip & Dill 1996, "scalarset" canonicalisation;
//   sorting the per-process parts is their normal form for full symmetry groups).
//
// A thread's own part (its frames, wait, files, references) is encoded once per thread
// object and interned: the state key holds only its number. Successor states share every
// thread but the one that moved, so most threads cost one lookup; the explorer's other
// per-thread analyses (its future footprint, which fences it may still use) are cached by
// the same number.

import type { CStmt, WorkInfo } from '../runtime/program';
import type { FileState, Frame, FrameRole, HeldRef, KernelState, Loc, ThreadState, ThreadStatus } from '../runtime/state';
import { WAITS } from '../runtime/waits';
import type { Analysis, ThreadShape } from './analysis';
import { StateSet } from './stateset';

// Closed tables: a new frame role or status (a wait kind: runtime/waits.ts) that is not given a code of its own
// here fails to compile (it would otherwise encode as another and merge distinct states).
const ROLE = { body: 0, handler: 1, ioctl: 2, work: 3, enter: 4, access: 5, else: 6, repeat: 7, show: 8 } as const satisfies Record<FrameRole, number>;
const STATUS = { ready: 0, idle: 1, done: 2, oops: 3 } as const satisfies Record<ThreadStatus, number>;
const REF_KIND = { drm: 0, module: 1, kref: 2 } as const satisfies Record<HeldRef['kind'], number>;

export interface EncodeOptions {
  symmetry: boolean;
  forget: boolean;
}

export class Encoder {
  private buf = new Uint8Array(4096);
  private n = 0;
  private readonly inClass: boolean[];
  private readonly fenceInThread: boolean[];
  /** relative offsets, set while a class member is being encoded */
  private shape: ThreadShape | null = null;

  /** interned own parts: one table per thread, shared by the members of a class */
  private readonly tables: StateSet[];
  private readonly tableOf: number[];
  private segOff = new Int32Array(16);
  private segLen = new Int32Array(16);
  private order = new Int32Array(16);
  private tmp = new Uint8Array(256);

  constructor(readonly A: Analysis, readonly o: EncodeOptions) {
    const p = A.p;
    this.inClass = p.threads.map((_, i) => o.symmetry && A.classOf[i] >= 0);
    this.fenceInThread = p.fences.map((_, q) => A.fenceOwner[q] >= 0 && this.inClass[A.fenceOwner[q]]);
    const T = p.threads.length + p.works.length;
    this.tableOf = Array.from({ length: T }, (_, i) => (this.inClass[i] ? A.classOf[i] : A.classes.length + i));
    const n = A.classes.length + Math.max(p.threads.length, 1) + p.works.length;
    this.tables = Array.from({ length: n }, () => new StateSet(64));
  }

  /**
   * The number of thread i's own part (equal numbers: equal parts; for class members, equal
   * relative to their own bodies).
   */
  private threadId(i: number, t: ThreadState): number {
    const save = this.n;
    this.shape = this.inClass[i] ? this.A.threadShapes[i] : null;
    this.own(t);
    this.shape = null;
    const table = this.tables[this.tableOf[i]];
    const bytes = this.buf.subarray(save, this.n);
    let id = table.find(bytes, bytes.length);
    if (id < 0) id = table.add(bytes, bytes.length);
    this.n = save;
    return id;
  }

  /**
   * Fills in the numbers of the threads' own parts that `ids` lacks (-1). A successor state
   * copies its parent's numbers but for the thread that moved.
   */
  fillIds(s: KernelState, ids: Int32Array): void {
    for (let i = 0; i < ids.length; i++) if (ids[i] < 0) ids[i] = this.threadId(i, s.threads[i]);
  }

  // ---------------------------------------------------------------- bytes

  private u(v: number): void {
    if (this.n + 10 > this.buf.length) {
      const nb = new Uint8Array(this.buf.length * 2);
      nb.set(this.buf);
      this.buf = nb;
    }
    while (v > 127) {
      this.buf[this.n++] = (v & 127) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.n++] = v;
  }

  // ---------------------------------------------------------------- ids relative to a body

  private block(id: number): number {
    const sh = this.shape;
    if (sh && id >= sh.blockStart && id < sh.blockEnd) return (id - sh.blockStart) * 2 + 1;
    return id * 2;
  }

  private stmt(id: number): number {
    if (id < 0) return 0;
    const sh = this.shape;
    if (sh && id >= sh.stmtStart && id < sh.stmtEnd) return (id - sh.stmtStart) * 2 + 2;
    return id * 2 + 1;
  }

  private fence(q: number): number {
    const sh = this.shape;
    if (sh) {
      const k = sh.privateFences.indexOf(q);
      if (k >= 0) return k * 2 + 1;
    }
    return q * 2;
  }

  private loc(l: Loc): void {
    const st = l as CStmt;
    if (typeof st.id === 'number' && typeof st.kind === 'string') {
      this.u(1);
      this.u(this.stmt(st.id));
      return;
    }
    const w = l as WorkInfo;
    if (w.body) {
      this.u(2);
      this.u(this.A.p.works.indexOf(w));
      return;
    }
    this.u(0); // a thread's end (its exit)
  }

  // ---------------------------------------------------------------- the state

  /**
   * Encodes `s`; `dead[q]` marks private fences no thread will use again (only read when
   * forgetting); `ids` are the threads' numbers (fillIds). Returns the encoder's buffer (valid until the next call) and its length.
   */
  encode(s: KernelState, dead: Uint8Array | null, ids: Int32Array): { buf: Uint8Array; len: number } {
    const A = this.A;
    const forget = this.o.forget;
    this.n = 0;
    this.shape = null;
    for (const m of s.modules) { this.u(m.state); this.u(m.refs); }
    for (const d of s.devices) { this.u(+d.present); this.u(+d.bound); this.u(this.threadRef(d.unbinder)); }
    for (const d of s.drms) {
      this.u(d.refs);
      this.u(+d.unplugged | (+d.freed << 1) | (+d.releasing << 2) | (+d.bindingRef << 3));
    }
    for (const r of s.revocables) this.u(+r.revoked);
    for (const d of s.data) this.u(+d.freed);
    for (const w of s.works) { this.u(w.state); this.u(+w.off); this.u(w.cancelling); this.u(w.flushRuns); }
    for (let q = 0; q < s.fences.length; q++) {
      if (this.fenceInThread[q]) continue;
      this.fenceState(s, q, forget && dead !== null && dead[q] === 1);
    }
    for (const m of s.mutexes) {
      this.u(this.threadRef(m.holder));
      if (m.holder < 0 || !this.inClass[m.holder]) this.u(this.stmt(m.lockStmt));
    }
    for (const c of s.cdevs) this.u(+c.deleted);
    for (const a of s.attrs) { this.u(+a.removed); this.u(a.active); }
    for (const m of s.spinlocks) {
      this.u(this.threadRef(m.holder));
      if (m.holder < 0 || !this.inClass[m.holder]) this.u(this.stmt(m.lockStmt));
    }
    for (const c of s.completions) this.u(+c.done);
    for (const o of s.krefs) { this.u(o.refs); this.u(+o.freed | (+o.releasing << 1)); }
    const T = s.threads.length;
    for (let i = 0; i < T; i++) {
      if (this.inClass[i]) continue;
      this.thread(s, i, dead, ids[i]);
    }
    if (this.o.symmetry) {
      for (const c of A.classes) {
        // encode each member apart, then put them in sorted order
        const m = c.members.length;
        if (this.segOff.length < m) {
          this.segOff = new Int32Array(m);
          this.segLen = new Int32Array(m);
          this.order = new Int32Array(m);
        }
        const start = this.n;
        for (let j = 0; j < m; j++) {
          const off = this.n;
          this.thread(s, c.members[j], dead, ids[c.members[j]]);
          this.segOff[j] = off;
          this.segLen[j] = this.n - off;
          // insertion sort of the segment indices
          let k = j;
          while (k > 0 && cmpBytes(this.buf, this.segOff[this.order[k - 1]], this.segLen[this.order[k - 1]], off, this.segLen[j]) > 0) {
            this.order[k] = this.order[k - 1];
            k--;
          }
          this.order[k] = j;
        }
        const total = this.n - start;
        if (this.tmp.length < total) this.tmp = new Uint8Array(total * 2);
        const buf = this.buf, tmp = this.tmp;
        for (let j = 0; j < total; j++) tmp[j] = buf[start + j];
        let w = start;
        for (let j = 0; j < m; j++) {
          const sg = this.order[j];
          const from = this.segOff[sg] - start;
          const len = this.segLen[sg];
          for (let b = 0; b < len; b++) buf[w++] = tmp[from + b];
        }
      }
    }
    return { buf: this.buf, len: this.n };
  }

  private threadRef(i: number): number {
    if (i < 0) return 0;
    if (this.inClass[i]) return 1;
    return i + 2;
  }

  private fenceState(s: KernelState, q: number, dead: boolean): void {
    if (dead) { this.u(0); return; }
    const f = s.fences[q];
    this.u(f.state * 2 + +f.live);
  }

  /**
   * One thread's part: the number of its own state, then what depends on the rest of the
   * state (whether a forgotten fence's wait is over; a class member's private fences,
   * mutexes and unbinds).
   */
  private thread(s: KernelState, i: number, dead: Uint8Array | null, id: number): void {
    const t = s.threads[i];
    const forget = this.o.forget;
    this.u(id);
    const w = t.wait;
    if (w && (t.status === 'ready' || !forget)) {
      // a wait on a fence forgotten as dead is over, by completion or by timeout alike
      const onFence = w.kind === 'fence' || w.kind === 'poll';
      this.u(+(w.timedOut || (onFence && forget && dead !== null && dead[w.x] === 1)));
    }
    if (this.inClass[i]) {
      const sh = (this.shape = this.A.threadShapes[i]);
      for (const q of sh.privateFences) this.fenceState(s, q, forget && dead !== null && dead[q] === 1);
      const ms = s.mutexes;
      for (let k = 0; k < ms.length; k++) {
        if (ms[k].holder === i) { this.u(k + 1); this.u(this.stmt(ms[k].lockStmt)); }
      }
      this.u(0);
      const sl = s.spinlocks;
      for (let k = 0; k < sl.length; k++) {
        if (sl[k].holder === i) { this.u(k + 1); this.u(this.stmt(sl[k].lockStmt)); }
      }
      this.u(0);
      const ds = s.devices;
      for (let k = 0; k < ds.length; k++) if (ds[k].unbinder === i) this.u(k + 1);
      this.u(0);
      this.shape = null;
    }
  }

  /** What only the thread itself decides (no wait's timeout flag: see thread()). */
  private own(t: ThreadState): void {
    const forget = this.o.forget;
    this.u(STATUS[t.status]);
    if (forget && t.status === 'done') return; // its mutexes are in the shared part
    if (forget && t.status === 'oops') {
      this.u(t.srcu > 0 ? 1 : 0);
      this.u(t.rcu.length);
      for (const r of t.rcu) this.u(r);
      return;
    }
    this.u(t.srcu);
    this.u(+t.exiting);
    this.u(t.rcu.length);
    for (const r of t.rcu) this.u(r);
    this.u(t.spinlocks.length);
    for (const x of t.spinlocks) this.u(x);
    this.u(t.frames.length);
    for (const f of t.frames) this.frame(t, f);
    const w = t.wait;
    if (!w) this.u(0);
    else {
      this.u(1 + WAITS[w.kind].code);
      this.u(w.kind === 'fence' || w.kind === 'poll' ? this.fence(w.x) : w.x);
      this.u(+w.hasTimeout | (+w.self << 2));
      this.loc(w.loc);
    }
    const files = forget ? liveFiles(t.files) : t.files;
    this.u(files.length);
    for (const f of files) this.file(f);
    this.u(t.refs.length);
    for (const r of t.refs) {
      this.u(REF_KIND[r.kind]);
      this.u(r.x);
      this.u(this.stmt(r.stmt.id));
    }
  }

  private frame(t: ThreadState, f: Frame): void {
    if (f.t === 0) {
      this.u(0);
      this.u(this.block(f.block.id));
      this.u(f.pc);
      this.u(f.repeatLeft);
      this.u(f.guard + 1);
      this.u(ROLE[f.role]);
      this.u(f.mod + 1);
    } else {
      this.u(1);
      this.u(f.ops.length);
      for (const op of f.ops) {
        this.u(op.op);
        if (this.o.forget && (op.op as number) === CLOSE_AT_EXIT) {
          const fl = t.files[op.x];
          if (fl) this.file(fl);
          else this.u(op.x);
        } else this.u(op.x);
      }
      this.u(f.i);
      this.loc(f.origin);
    }
  }

  private file(f: FileState): void {
    this.u(this.block(f.scope));
    this.u(f.slot);
    this.u(f.drm + 1);
    this.u(f.cdev + 1);
    this.u(f.st * 2 + +f.holdsModule);
    this.u(this.stmt(f.open.id));
  }
}

// Op.CloseAtExit, spelled out: a const enum member of state.ts
import { Op } from '../runtime/state';
const CLOSE_AT_EXIT: number = Op.CloseAtExit;

/**
 * The files a future lookup can still find: open ones, and a closed or failed one only when
 * no earlier open file of its scope and slot would take its place once it is gone.
 */
function liveFiles(files: FileState[]): FileState[] {
  let drop = false;
  for (const f of files) if (f.st !== 0) { drop = true; break; }
  if (!drop) return files;
  const out: FileState[] = [];
  for (let k = 0; k < files.length; k++) {
    const f = files[k];
    if (f.st === 0) { out.push(f); continue; }
    // a later lookup of (scope, slot) finds the last entry; this one shadows earlier open ones
    let shadowsOpen = false;
    for (let j = 0; j < k; j++) {
      const g = files[j];
      if (g.st === 0 && g.scope === f.scope && g.slot === f.slot) { shadowsOpen = true; break; }
    }
    if (shadowsOpen) out.push(f);
  }
  return out;
}

function cmpBytes(b: Uint8Array, ao: number, al: number, bo: number, bl: number): number {
  const n = Math.min(al, bl);
  for (let i = 0; i < n; i++) {
    const d = b[ao + i] - b[bo + i];
    if (d) return d;
  }
  return al - bl;
}
