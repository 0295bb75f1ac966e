// Coverage of a complete exploration (tools.md §1 `unreached`): the statements no schedule
// started and the `else` blocks no schedule entered, each maximal run of them in a block as
// one entry, the way Spin ends a verification with "unreached in proctype …".
//
// The explorer calls `before` with the parent state of every thread step it takes (the
// kernel itself is not touched), and `after` with the successor. What counts:
// - a statement is reached when a thread starts it: it stands at it (top code frame, not
//   waiting) and steps. A `wait` that blocks and never completes was reached; so was a
//   statement that faults (the fault is reported at it);
// - `ioctl f` / `close f` on a file whose `open` failed (or never ran) are skipped with
//   EBADF (language.md §4): not reached. An `ioctl` refused with ENODEV was reached; its
//   body was not (nothing in it starts);
// - an `else` block is entered when its `enter` finds the drm device unplugged (and not
//   freed) or its `access` finds the revocable revoked — the kernel's own test, read from the
//   state before the step so that an empty `else { }` counts too.
//
// Reductions lose nothing here (docs/explorer.md, "Coverage"): a step of a thread standing
// at a statement stays enabled until that thread takes it, so the persistent sets (with the
// cycle proviso) take it on some explored path, after the same dependent steps; symmetry
// merges states whose threads are permuted, so a statement counts as reached when its copy
// in any thread of the same symmetry class was reached (`unreached(A)` maps them).

import type { CBlock, CStmt, Program } from '../runtime/program';
import { ModState, type KernelState, type ThreadState } from '../runtime/state';
import type { Analysis } from './analysis';

export interface Unreached {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** the first statement's keyword, or `else` */
  what: string;
  /** every schedule that gets this far stops at this blocked statement just before the run */
  blockedAt?: { line: number; column: number; what: string };
}

const NONE = -1;
/** several blocked statements */
const MANY = -2;

export class Coverage {
  /** per statement id: some schedule started it */
  readonly started: Uint8Array;
  /** per statement id (enter/access with an else): some schedule entered its else */
  readonly elseEntered: Uint8Array;
  /**
   * per statement id X: the statement a thread is blocked in, inside X, in the final states
   * (NONE, a statement id, or MANY); with `oopsUnder`, what the run after X is named after
   */
  readonly blockedUnder: Int32Array;
  /** per statement id X: some thread oopsed inside X */
  readonly oopsUnder: Uint8Array;

  constructor(private readonly p: Program) {
    const n = p.stmts.length;
    this.started = new Uint8Array(n);
    this.elseEntered = new Uint8Array(n);
    this.blockedUnder = new Int32Array(n).fill(NONE);
    this.oopsUnder = new Uint8Array(n);
  }

  /** Thread i of `s` is about to take a step (`s` is not written). */
  before(s: KernelState, i: number): void {
    const t = s.threads[i];
    if (t.status !== 'ready' || t.wait) return;
    const f = t.frames[t.frames.length - 1];
    if (!f || f.t !== 0) return;
    const st = f.block.stmts[f.pc];
    if (!st) return;
    const id = st.id;
    if (this.started[id] && (!st.elseBody || this.elseEntered[id])) return;
    // driver code of a module that is gone faults at the statement: reached, nothing more
    if (f.mod < 0 || s.modules[f.mod].state !== ModState.Gone) {
      switch (st.kind) {
        case 'ioctl':
        case 'close':
          if (!everOpened(t, f.block, st)) return;
          break;
        case 'enter': {
          const d = s.drms[st.drm];
          if (st.elseBody && d && !d.freed && d.unplugged) this.elseEntered[id] = 1;
          break;
        }
        case 'access':
          if (st.elseBody && s.revocables[st.revocable]?.revoked) this.elseEntered[id] = 1;
          break;
        default:
          break;
      }
    }
    this.started[id] = 1;
  }

  /** The successor of the step `before` was called for. */
  after(s: KernelState, i: number): void {
    const t = s.threads[i];
    if (t.status === 'oops') for (const x of this.stack(t)) this.oopsUnder[x] = 1;
  }

  /** A final state (nothing can happen any more): where its blocked threads are stuck. */
  final(s: KernelState): void {
    for (const t of s.threads) {
      if (t.status !== 'ready' || !t.wait) continue;
      // a statement's own wait has the statement as its location; a sourceless one (the
      // drm_dev_unplug of a hot-unplug) the statement it runs for
      const w = this.p.stmts[(t.wait.loc as CStmt).id];
      const wid = w === t.wait.loc ? w.id : MANY;
      for (const x of this.stack(t)) this.blockedUnder[x] = merge(this.blockedUnder[x], wid);
    }
  }

  /** The statements a thread is inside of: the current one of each code frame. */
  private stack(t: ThreadState): number[] {
    const out: number[] = [];
    for (const f of t.frames) {
      if (f.t === 0) {
        const st = f.block.stmts[f.pc];
        if (st) out.push(st.id);
      } else {
        const o = this.p.stmts[(f.origin as CStmt).id];
        if (o === f.origin) out.push(o.id);
      }
    }
    return out;
  }

  /**
   * The unreached runs, in source order. With symmetry on, `A` maps each statement of a
   * thread in a symmetry class onto its copies in the other members.
   */
  unreached(A: Analysis | null): Unreached[] {
    const p = this.p;
    const started = this.started.slice();
    const elseIn = this.elseEntered.slice();
    const oops = this.oopsUnder.slice();
    const under = this.blockedUnder.slice();
    if (A) {
      for (const c of A.classes) {
        const shapes = c.members.map((m) => A.threadShapes[m]);
        const len = shapes[0].stmtEnd - shapes[0].stmtStart;
        for (let k = 0; k < len; k++) {
          for (const arr of [started, elseIn, oops]) {
            if (!shapes.some((sh) => arr[sh.stmtStart + k])) continue;
            for (const sh of shapes) arr[sh.stmtStart + k] = 1;
          }
          for (const from of shapes) {
            const w = this.blockedUnder[from.stmtStart + k];
            if (w === NONE) continue;
            const own = w >= from.stmtStart && w < from.stmtEnd;
            for (const to of shapes) {
              const x = to.stmtStart + k;
              under[x] = merge(under[x], own ? w - from.stmtStart + to.stmtStart : w);
            }
          }
        }
      }
    }
    const out: Unreached[] = [];
    const walk = (b: CBlock) => {
      let run: Unreached | null = null;
      let prev: CStmt | null = null;
      const extend = (line: number, column: number, endLine: number, endColumn: number, what: string) => {
        if (run) {
          run.endLine = endLine;
          run.endColumn = endColumn;
          return;
        }
        run = { line, column, endLine, endColumn, what };
        // every schedule that got to `prev` stayed in it (the run is unreached): name the
        // statement they are all blocked in, when there is one and none of them oopsed
        const w = prev ? under[prev.id] : NONE;
        if (prev && w >= 0 && !oops[prev.id]) {
          const ws = p.stmts[w];
          run.blockedAt = { line: ws.line, column: ws.column, what: ws.kind };
        }
        out.push(run);
      };
      for (const st of b.stmts) {
        if (!started[st.id]) {
          extend(st.line, st.column, st.endLine, st.endColumn, st.kind);
          prev = st;
          continue;
        }
        run = null;
        prev = st;
        if (st.body) walk(st.body);
        if (st.elseBody) {
          if (elseIn[st.id]) walk(st.elseBody);
          else {
            const er = st.ast.kind === 'enter' || st.ast.kind === 'access' ? st.ast.elseRange : undefined;
            const start = er?.start ?? st.elseBody.range.start;
            prev = null; // the else is dead for want of an unplug or a revoke, not for a blocked statement
            extend(start.line, start.column, st.elseBody.range.end.line, st.elseBody.range.end.column, 'else');
            prev = st;
          }
        }
      }
    };
    const roots = [...p.threads.map((t) => t.body), ...p.works.map((w) => w.body), ...p.handlers.map((h) => h.body)];
    for (const b of roots) walk(b);
    out.sort((a, b) => a.line - b.line || a.column - b.column);
    return out;
  }
}

function merge(a: number, b: number): number {
  return a === NONE ? b : a === b ? a : MANY;
}

/** Whether `ioctl f` / `close f` finds a file that was opened (the kernel's lookup, by scope and slot). */
function everOpened(t: ThreadState, b: CBlock, st: CStmt & { fileSlot: number }): boolean {
  for (let k = t.files.length - 1; k >= 0; k--) {
    const fl = t.files[k];
    if (fl.scope === b.scope && fl.slot === st.fileSlot) return fl.st !== 2;
  }
  return false;
}
