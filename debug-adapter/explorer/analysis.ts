// Static analysis of a lowered program for the explorer's reductions:
//
// - footprints of every statement: `shallow` (what the step that runs it may touch: the
//   statement, and the sourceless work that follows in the same step) and `deep` (what
//   running it may touch, the blocks it opens and the handlers it calls included), and of
//   every block suffix (what a thread standing at that statement may still touch);
// - the fences private to one thread (touched by its body and nothing else), whose state
//   can be forgotten once that thread has passed its last use;
// - classes of interchangeable threads (same body up to their private fences), for the
//   symmetry reduction, with the statement and block offsets that map one onto another.

import { assertNever } from '../../grammar/never';
import type { CBlock, CStmt, HandlerInfo, Program } from '../runtime/program';
import { Op, type NativeOp } from '../runtime/state';
import { semantics } from '../runtime/stmts';
import { unbindOps } from '../runtime/teardown';
import { krefPutFP } from '../runtime/stmts/kref';
import { ANY_RCU, ANY_SRCU, FP, Layout, SELF_LOCAL } from './footprint';

/** What a close needs to know of an open file. */
export interface OpenFile { drm: number; cdev: number; holdsModule: boolean }

export interface ThreadShape {
  /** first block id and count of the thread's body (the lowerer numbers a body's blocks and statements contiguously) */
  blockStart: number;
  blockEnd: number;
  stmtStart: number;
  stmtEnd: number;
  /** the fences only this thread touches, in order of first use */
  privateFences: number[];
}

export interface SymmetryClass {
  /** thread indices, in declaration order */
  members: number[];
}

export class Analysis {
  readonly L: Layout;
  readonly shallow: FP[] = [];
  readonly deep: FP[] = [];
  /** suffix[block id][pc]: deep footprint of statements pc.. of the block */
  readonly suffix: FP[][] = [];
  /** per block: the modules whose code it may be (for the gone check of driver code) */
  readonly blockMods: number[][] = [];
  readonly threadShapes: ThreadShape[] = [];
  /** fence → the declared thread it is private to, or -1 */
  readonly fenceOwner: number[];
  readonly classes: SymmetryClass[] = [];
  /** thread → its class index, or -1 */
  readonly classOf: number[];
  /** some statement queues work w (arms timer w, raises irq w) */
  readonly queued: boolean[];
  /** work bodies can queue work: the state graph may have cycles */
  readonly mayCycle: boolean;
  readonly kworkerDeep: FP[] = [];
  /**
   * per callback (work item, timer, IRQ): whether its thread may ever wait. One that never
   * does is never the first blocked thread of a deadlock, so where its first start falls in
   * the start order decides nothing (por.ts leaves the order out of its footprint).
   */
  readonly cbMayWait: boolean[];
  readonly empty: FP;

  private handlerDeepMemo = new Map<HandlerInfo, FP>();
  private handlerBusy = new Set<HandlerInfo>();
  private blockOwner: number[] = [];

  constructor(readonly p: Program) {
    this.L = new Layout({
      modules: p.modules.length, devices: p.devices.length, drms: p.drms.length,
      revocables: p.revocables.length, data: p.data.length, works: p.works.length,
      fences: p.fences.length, mutexes: p.mutexes.length, cdevs: p.cdevs.length, attrs: p.attrs.length,
      spinlocks: p.spinlocks.length, completions: p.completions.length, krefs: p.krefs.length,
    });
    this.empty = new FP(this.L);
    this.fenceOwner = new Array(p.fences.length).fill(-1);
    this.classOf = new Array(p.threads.length).fill(-1);
    this.queued = new Array(p.works.length).fill(false);

    this.computeBlockMods();
    for (const st of p.stmts) this.shallow[st.id] = this.stmtFP(st, false);
    for (const st of p.stmts) this.deepStmt(st);
    for (const b of p.blocks) {
      const suf: FP[] = new Array(b.stmts.length + 1);
      suf[b.stmts.length] = this.empty;
      for (let k = b.stmts.length - 1; k >= 0; k--) suf[k] = suf[k + 1].clone().or(this.deep[b.stmts[k].id]);
      this.suffix[b.id] = suf;
    }
    p.works.forEach((w, i) => {
      const f = new FP(this.L).rw(this.L.work(i), SELF_LOCAL);
      if (w.module >= 0) f.read(this.L.mGone(w.module));
      f.or(this.blockDeep(w.body));
      this.kworkerDeep[i] = f;
    });
    for (const st of p.stmts) {
      if ((st.kind === 'queue' || st.kind === 'arm' || st.kind === 'raise') && st.work >= 0) this.queued[st.work] = true;
    }
    let cyc = false;
    for (const w of p.works) {
      const f = this.blockDeep(w.body);
      for (let j = 0; j < p.works.length; j++) if (f.hasWrite(this.L.work(j))) cyc = true;
      if (f.top) cyc = true;
    }
    this.mayCycle = cyc;
    this.cbMayWait = p.works.map((w) => !neverWaits(w.body));
    this.computeShapes();
    this.computeClasses();
  }

  // ---------------------------------------------------------------- blocks and modules

  private computeBlockMods(): void {
    const p = this.p;
    const drmMod = (x: number) => p.drivers[p.drms[x]?.driver]?.module ?? -1;
    // opens by (scope, slot): which drms a file name may be on
    const opens = new Map<string, Set<number>>();
    for (const st of p.stmts) {
      if (st.kind !== 'open' || st.drm < 0) continue;
      const scope = p.blocks[this.blockOf(st)]?.scope ?? -1;
      const key = `${scope}:${st.fileSlot}`;
      if (!opens.has(key)) opens.set(key, new Set());
      opens.get(key)!.add(st.drm);
    }
    this.fileDrms = (scope, slot) => [...(opens.get(`${scope}:${slot}`) ?? [])];
    const cdevOpens = new Map<string, Set<number>>();
    for (const st of p.stmts) {
      if (st.kind !== 'open' || st.cdev < 0) continue;
      const key = `${p.blocks[this.blockOf(st)]?.scope ?? -1}:${st.fileSlot}`;
      if (!cdevOpens.has(key)) cdevOpens.set(key, new Set());
      cdevOpens.get(key)!.add(st.cdev);
    }
    this.fileCdevs = (scope, slot) => [...(cdevOpens.get(`${scope}:${slot}`) ?? [])];
    const cdevMod = (c: number) => p.drivers[p.cdevs[c]?.driver]?.module ?? -1;
    const visit = (b: CBlock, mods: number[], owner: number) => {
      this.blockMods[b.id] = mods;
      this.blockOwner[b.id] = owner;
      for (const st of b.stmts) {
        if (st.kind === 'ioctl' && st.body) {
          const ms = [...new Set([
            ...this.fileDrms(b.scope, st.fileSlot).map(drmMod), ...this.fileCdevs(b.scope, st.fileSlot).map(cdevMod),
          ].filter((m) => m >= 0))];
          visit(st.body, ms, owner);
        } else {
          if (st.body) visit(st.body, mods, owner);
          if (st.elseBody) visit(st.elseBody, mods, owner);
        }
      }
    };
    p.threads.forEach((t, i) => visit(t.body, [], i));
    for (const h of p.handlers) visit(h.body, h.module >= 0 ? [h.module] : [], -1);
    for (const w of p.works) visit(w.body, w.module >= 0 ? [w.module] : [], -1);
    for (const a of p.attrs) visit(a.body, a.module >= 0 ? [a.module] : [], -1);
  }

  /** the drms a file slot of a scope may be opened on */
  fileDrms: (scope: number, slot: number) => number[] = () => [];
  /** the cdevs a file slot of a scope may be opened on (version 2) */
  fileCdevs: (scope: number, slot: number) => number[] = () => [];

  drmModule(x: number): number {
    const p = this.p;
    return p.drivers[p.drms[x]?.driver]?.module ?? -1;
  }

  // ---------------------------------------------------------------- footprints

  private blockDeep(b: CBlock): FP {
    const f = new FP(this.L);
    for (const st of b.stmts) f.or(this.deepStmt(st));
    return f;
  }

  deepStmt(st: CStmt): FP {
    const memo = this.deep[st.id];
    if (memo) return memo;
    const f = this.stmtFP(st, true);
    for (const m of this.blockMods[this.blockOf(st)] ?? []) f.read(this.L.mGone(m));
    if (st.body) f.or(this.blockDeep(st.body), st.kind === 'repeat' ? st.count : 1);
    if (st.elseBody) f.or(this.blockDeep(st.elseBody));
    this.deep[st.id] = f;
    return f;
  }

  private stmtBlock: number[] | null = null;
  blockOf(st: CStmt): number {
    if (!this.stmtBlock) {
      this.stmtBlock = [];
      for (const b of this.p.blocks) for (const s of b.stmts) this.stmtBlock[s.id] = b.id;
    }
    return this.stmtBlock[st.id];
  }

  handlerDeep(h: HandlerInfo): FP {
    const memo = this.handlerDeepMemo.get(h);
    if (memo) return memo;
    if (this.handlerBusy.has(h)) return FP.top(this.L); // a handler that may call itself
    this.handlerBusy.add(h);
    const f = new FP(this.L);
    if (h.module >= 0) f.read(this.L.mGone(h.module));
    f.or(this.blockDeep(h.body));
    this.handlerBusy.delete(h);
    this.handlerDeepMemo.set(h, f);
    return f;
  }

  private callHandler(f: FP, h: HandlerInfo | null, deep: boolean): void {
    if (!h) return;
    if (h.module >= 0) f.read(this.L.mGone(h.module));
    if (deep) f.or(this.handlerDeep(h));
  }

  private memo = new Map<number, FP>();
  /** memoised footprints, keyed by (what, object, flags): numbers, no strings on hot paths */
  private cached(what: number, x: number, flags: number, make: () => FP): FP {
    const key = (x * 16 + flags) * 8 + what;
    let f = this.memo.get(key);
    if (!f) {
      f = make();
      this.memo.set(key, f);
    }
    return f;
  }

  /** The release of drm x (what a put reaching zero does). */
  private releaseFP(x: number, deep: boolean): FP {
    return this.cached(0, x, +deep, () => this.makeReleaseFP(x, deep));
  }

  private makeReleaseFP(x: number, deep: boolean): FP {
    const L = this.L, p = this.p;
    const f = new FP(L).write(L.drmFree(x));
    this.callHandler(f, p.drms[x].release, deep);
    p.data.forEach((d, k) => { if (d.managed === 'drmm' && d.owner === x) f.write(L.data(k)); });
    const drv = p.drivers[p.drms[x].driver];
    if (drv?.drmHoldsModule && drv.module >= 0) f.decr(L.modRef(drv.module), 0); // counted apart
    return f;
  }

  putDrmFP(f: FP, x: number, n: number, deep: boolean): void {
    f.or(this.cached(1, x, +deep + 2 * n, () => {
      const L = this.L;
      return new FP(L).read(L.drmFree(x)).decr(L.drmRef(x), n).onZero(L.drmRef(x), this.releaseFP(x, deep));
    }));
  }

  /** A close of a file on drm x (`fileDec`: whether its own put counts as a draw-down). */
  closeFP(f: FP, x: number, holds: boolean, fileDec: number, deep: boolean): void {
    f.or(this.cached(2, x, +deep + 2 * fileDec + 4 * +holds, () => {
      const g = new FP(this.L);
      this.makeCloseFP(g, x, holds, fileDec, deep);
      return g;
    }));
  }

  private makeCloseFP(f: FP, x: number, holds: boolean, fileDec: number, deep: boolean): void {
    const L = this.L, p = this.p;
    const m = this.drmModule(x);
    if (m >= 0) f.read(L.mGone(m));
    this.callHandler(f, p.drivers[p.drms[x].driver]?.close ?? null, deep);
    this.putDrmFP(f, x, fileDec, deep);
    if (holds && m >= 0) f.decr(L.modRef(m), fileDec);
  }

  /** The close of an open file, on a drm device or a cdev. */
  fileCloseFP(f: FP, fl: OpenFile, fileDec: number, deep: boolean): void {
    if (fl.cdev >= 0) this.cdevCloseFP(f, fl.cdev, fl.holdsModule, fileDec, deep);
    else this.closeFP(f, fl.drm, fl.holdsModule, fileDec, deep);
  }

  cdevModule(c: number): number {
    return this.p.drivers[this.p.cdevs[c]?.driver]?.module ?? -1;
  }

  /** A close of a file on cdev c: no drm reference, the module −1 with fops_owner. */
  cdevCloseFP(f: FP, c: number, holds: boolean, fileDec: number, deep: boolean): void {
    const L = this.L, p = this.p;
    const drv = p.drivers[p.cdevs[c]?.driver];
    const m = drv?.module ?? -1;
    if (m >= 0) f.read(L.mGone(m));
    this.callHandler(f, drv?.close ?? null, deep);
    if (holds && m >= 0) f.decr(L.modRef(m), fileDec);
  }

  private attrDeepMemo: FP[] = [];
  private attrBusy = new Set<number>();
  /** What attribute a's show() may do (a `show` of it, deep), leaving it included. */
  attrDeep(a: number): FP {
    const memo = this.attrDeepMemo[a];
    if (memo) return memo;
    if (this.attrBusy.has(a)) return FP.top(this.L); // a show() that may show itself
    this.attrBusy.add(a);
    const info = this.p.attrs[a];
    const f = new FP(this.L).rw(this.L.attrAct(a));
    if (info.module >= 0) f.read(this.L.mGone(info.module));
    f.or(this.blockDeep(info.body));
    this.attrBusy.delete(a);
    this.attrDeepMemo[a] = f;
    return f;
  }

  unplugFP(f: FP, x: number): void {
    const L = this.L;
    f.read(L.drmFree(x), ANY_SRCU).rw(L.drmUnpl(x));
  }

  revokeFP(f: FP, r: number): void {
    f.rw(this.L.rev(r)).read(ANY_RCU);
  }

  unbindFP(f: FP, dev: number, deep: boolean): void {
    f.or(this.cached(3, dev, +deep, () => {
      const g = new FP(this.L);
      this.makeUnbindFP(g, dev, deep);
      return g;
    }));
  }

  private makeUnbindFP(f: FP, dev: number, deep: boolean): void {
    const L = this.L, p = this.p;
    f.rw(L.devBind(dev));
    if (!p.drivers[p.devices[dev]?.driver]) return;
    // the unbind itself (the kernel's own sequence), unless it is done or in the hands of a
    // thread that will not move; with the default remove, what comes after drm_dev_unplug's
    // wait for the SRCU readers is apart, held up while such a thread is in drm_dev_enter
    let ops = unbindOps(p, dev);
    if (!deep) {
      // the step ends where a remove() with statements starts (its statements are steps of
      // their own; what follows is the thread's future, read from its native frame)
      const h = ops.findIndex((o) => o.op === Op.CallHandler && p.handlers[o.x].body.stmts.length > 0);
      if (h >= 0) ops = ops.slice(0, h + 1);
    }
    let cut = ops.length;
    if (this.defaultRemove(dev)) {
      // no drm device: nothing waits for SRCU readers, the whole unbind is one chain
      ops.forEach((o, j) => { if (o.op === Op.Unplug) cut = j + 1; });
    }
    const chain = new FP(L);
    for (let j = 0; j < cut; j++) this.opFP(chain, ops[j], deep);
    if (cut < ops.length) {
      const rest = new FP(L);
      for (let j = cut; j < ops.length; j++) this.opFP(rest, ops[j], deep);
      chain.onZero(L.guardUnbind(dev), rest);
    }
    f.onZero(L.guardOwned(dev), chain);
  }

  /** Whether device d's driver has the default remove (drm_dev_unplug of its drm devices). */
  defaultRemove(d: number): boolean {
    const drv = this.p.drivers[this.p.devices[d]?.driver];
    return !!drv && !drv.remove;
  }

  /** The footprint of one native op (the sourceless parts of statements). */
  opFP(f: FP, op: NativeOp, deep: boolean, fileOf?: (x: number) => OpenFile | undefined, closeDec = 1): void {
    const L = this.L, p = this.p;
    switch (op.op) {
      case Op.CallHandler: this.callHandler(f, p.handlers[op.x], deep); break;
      case Op.Unplug: this.unplugFP(f, op.x); break;
      case Op.Revoke: this.revokeFP(f, op.x); break;
      case Op.FreeData: f.write(L.data(op.x)); break;
      case Op.PutBinding: f.rw(L.drmBindRef(op.x)); this.putDrmFP(f, op.x, 0, deep); break;
      case Op.PutDrm: this.putDrmFP(f, op.x, 1, deep); break;
      case Op.ModulePutOwner: f.decr(L.modRef(op.x), 1); break;
      case Op.Unbind: this.unbindFP(f, op.x, deep); break;
      case Op.UnbindDone: f.write(L.devBind(op.x)); break;
      case Op.ReleaseDone: {
        const x = op.x;
        f.write(L.drmFree(x));
        p.data.forEach((d, k) => { if (d.managed === 'drmm' && d.owner === x) f.write(L.data(k)); });
        const drv = p.drivers[p.drms[x].driver];
        if (drv?.drmHoldsModule && drv.module >= 0) f.decr(L.modRef(drv.module), 0);
        break;
      }
      case Op.ModuleGone: f.onZero(L.guardGone(op.x), new FP(L).write(L.mGone(op.x))); break;
      case Op.CloseAtExit: {
        const fl = fileOf?.(op.x);
        if (fl) this.fileCloseFP(f, fl, closeDec, deep);
        else f.or(FP.top(L));
        break;
      }
      case Op.FreeIrq: f.rw(L.work(op.x)); break;
      case Op.ExitDone: break; // a kworker's exit is added by the caller
      case Op.RemoveAttr: f.rw(L.attrRm(op.x)); break;
      case Op.DrainAttrs: p.attrs.forEach((a, k) => { if (a.device === op.x) f.read(L.attrAct(k)); }); break;
      case Op.UnregisterCdev: f.rw(L.cdevDel(op.x)); break;
      case Op.PutKref: krefPutFP(this, f, op.x, deep); break;
      case Op.KrefReleaseDone: f.write(L.kref(op.x)); break;
      default: assertNever(op.op);
    }
  }

  /**
   * A statement's own footprint. Shallow: the step that runs it (its file's close
   * counted as a draw-down); deep: also what it may run later (handlers, an open's
   * close at exit) but not its nested blocks, which deepStmt adds.
   */
  private stmtFP(st: CStmt, deep: boolean): FP {
    const f = new FP(this.L).rw(SELF_LOCAL);
    semantics(st.kind).footprint(this, f, st, deep);
    return f;
  }

  // ---------------------------------------------------------------- symmetry

  private computeShapes(): void {
    const p = this.p;
    // which bodies touch each fence
    const touch: Set<number>[] = p.fences.map(() => new Set());
    const BODY_HANDLER = -2;
    for (const st of p.stmts) {
      const q = fenceOf(st);
      if (q >= 0) {
        const owner = this.blockOwner[this.blockOf(st)];
        touch[q].add(owner >= 0 ? owner : BODY_HANDLER);
      }
    }
    touch.forEach((s, q) => {
      if (s.size === 1) {
        const [o] = [...s];
        if (o >= 0) this.fenceOwner[q] = o;
      }
    });
    p.threads.forEach((t, i) => {
      const blocks: number[] = [];
      const stmts: number[] = [];
      const priv: number[] = [];
      const walk = (b: CBlock) => {
        blocks.push(b.id);
        for (const st of b.stmts) {
          stmts.push(st.id);
          const q = fenceOf(st);
          if (q >= 0 && this.fenceOwner[q] === i && !priv.includes(q)) priv.push(q);
          if (st.body) walk(st.body);
          if (st.elseBody) walk(st.elseBody);
        }
      };
      walk(t.body);
      const contiguous = (xs: number[]) => xs.every((x, k) => x === xs[0] + k);
      const shape: ThreadShape = {
        blockStart: blocks[0], blockEnd: blocks[0] + blocks.length,
        stmtStart: stmts.length ? stmts[0] : 0, stmtEnd: stmts.length ? stmts[0] + stmts.length : 0,
        privateFences: priv,
      };
      if (!contiguous(blocks) || !contiguous(stmts)) {
        // never the case with the lowerer as written; then this thread is simply not symmetric
        shape.blockEnd = shape.blockStart = -1;
      }
      this.threadShapes[i] = shape;
    });
  }

  /** A signature of a thread's body, equal for threads that are the same up to private fences. */
  private signature(i: number): string | null {
    const p = this.p;
    const shape = this.threadShapes[i];
    if (shape.blockStart < 0) return null;
    const parts: (string | number)[] = [];
    const walk = (b: CBlock) => {
      parts.push('{', b.stmts.length);
      for (const st of b.stmts) {
        parts.push(st.kind);
        for (const [key, v] of Object.entries(st)) {
          if (NOT_OPERAND.has(key)) continue;
          if (key === 'fence' && (v as number) >= 0) {
            // a private fence by its rank: the same body up to private fences is symmetric
            const k = shape.privateFences.indexOf(v as number);
            const q = p.fences[v as number];
            parts.push(k >= 0 ? `p${k}:${q.device}:${q.takesNs}` : (v as number));
          } else if (key === 'ptimer') parts.push((v as number) >= 0 ? 1 : -1); // through which timer is the same MMIO
          else parts.push(typeof v === 'boolean' ? +v : (v as number));
        }
        parts.push(+!!st.body, +!!st.elseBody);
        if (st.body) walk(st.body);
        if (st.elseBody) walk(st.elseBody);
        parts.push(';');
      }
      parts.push('}');
    };
    walk(p.threads[i].body);
    return parts.join(',');
  }

  private computeClasses(): void {
    const bySig = new Map<string, number[]>();
    this.p.threads.forEach((_, i) => {
      const s = this.signature(i);
      if (s === null) return;
      if (!bySig.has(s)) bySig.set(s, []);
      bySig.get(s)!.push(i);
    });
    for (const members of bySig.values()) {
      if (members.length < 2) continue;
      const c = this.classes.length;
      this.classes.push({ members });
      for (const m of members) this.classOf[m] = c;
    }
  }
}

/**
 * Statements whose step never leaves their thread waiting and never runs a handler (whose
 * statements might): a thread made of these, nested blocks included, never blocks. A kind
 * not listed counts as one that may wait.
 */
const NEVER_WAIT_KINDS: ReadonlySet<CStmt['kind']> = new Set<CStmt['kind']>([
  'log', 'use', 'read', 'write', 'arm', 'raise', 'queue', 'complete', 'free', 'submit', 'signal', 'get', 'unlock',
  'enter', 'access', 'repeat',
]);

function neverWaits(b: CBlock): boolean {
  return b.stmts.every((st) =>
    (NEVER_WAIT_KINDS.has(st.kind) || (st.kind === 'cancel' && st.nosync)) &&
    (!st.body || neverWaits(st.body)) && (!st.elseBody || neverWaits(st.elseBody)));
}

/** The fence a statement names, or -1. */
function fenceOf(st: CStmt): number {
  return st.kind === 'submit' || st.kind === 'wait' || st.kind === 'poll' || st.kind === 'signal' ? st.fence : -1;
}

/** What a statement signature leaves out: where it is, and names and texts that change nothing a thread can do. */
const NOT_OPERAND = new Set(['kind', 'id', 'line', 'column', 'endLine', 'endColumn', 'sleeps', 'body', 'elseBody', 'ast', 'name', 'fileName', 'text']);
