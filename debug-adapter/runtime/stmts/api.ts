// What one statement kind is made of in the runtime, side by side: how it lowers, how it
// executes, its explorer footprint and whether it stops its thread's step. The per-object
// modules (stmts/<object>.ts) fill these in; stmts/index.ts wires them into one table
// checked against every StmtKind, so a kind that is missing anywhere fails `tsc`.
//
// Only types are imported from the kernel and the explorer: the kernel and the explorer
// call these functions, with themselves as the context.

import type { Block, Stmt, StmtKind } from '../../../grammar/ast';
import type { Analysis } from '../../explorer/analysis';
import type { FP } from '../../explorer/footprint';
import type { Kernel } from '../kernel';
import type { CBlock, CStmtBase, CStmtOf, FileOperand, ObjKind, ObjRef, Operands, Program } from '../program';
import type { CodeFrame, KernelState, ThreadState } from '../state';
import type { Res } from '../step';

/** The syntax node of a statement of kind K. */
export type AstOf<K extends StmtKind> = Stmt & { kind: K };

/** What lowering a statement may use (program.ts's Lowerer). */
export interface LowerCx {
  readonly p: Program;
  /** the index of a top-level object of that kind and name, or -1 */
  idx(kind: ObjKind, name: string): number;
  /** a file name of the current body */
  file(name: string): FileOperand;
  /** lowers a nested block (blocks get ids in source order) */
  block(b: Block): CBlock;
}

export interface StmtSemantics<K extends StmtKind> {
  /** its operands, by name (program.ts); nested blocks are lowered here, in source order */
  lower(s: AstOf<K>, cx: LowerCx): (Operands & { kind: K }) & Partial<CStmtBase>;
  /** runs it on thread i, whose top frame is f (kernel.ts; the gone-module and sleep-in-atomic checks ran) */
  exec(k: Kernel, i: number, t: ThreadState, f: CodeFrame, st: CStmtOf<K>): Res;
  /**
   * Adds its own footprint to f (explorer/analysis.ts). Shallow: the step that runs it (its
   * file's close counted as a draw-down); deep: also what it may run later (handlers, an
   * open's close at exit) but not its nested blocks.
   */
  footprint(a: Analysis, f: FP, st: CStmtOf<K>, deep: boolean): void;
  /** whether, run now by thread i, it surely ends the step before it completes (blocks, opens a block, oopses) */
  stops(s: KernelState, t: ThreadState, i: number, st: CStmtOf<K>): boolean;
  /** the object it names (program.ts stmtObject), or null: file statements name a file */
  object(st: CStmtOf<K>): ObjRef | null;
}

/** The semantics of the statement kinds K (one per-object module's share of the table). */
export type StmtGroup<K extends StmtKind> = { [P in K]: StmtSemantics<P> };

/** The object of that kind and index, or null for an unresolved (-1) operand. */
export const at = (kind: ObjKind, index: number): ObjRef | null => (index >= 0 ? { kind, index } : null);
/** A statement that names no object. */
export const noObject = (): null => null;
