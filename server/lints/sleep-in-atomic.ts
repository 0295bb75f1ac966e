// The `sleep-in-atomic` lint (tools.md §3) and its quick fix.
//
// Atomic context, as the text shows it (language.md §9): the body of an `access` block
// (RCU), the statements between `lock s` and `unlock s` of a spinlock in one block, a timer
// callback, a non-threaded IRQ handler. A statement may be in several at once; one
// diagnostic names them all, and its fix must get it out of all of them.

import type { Block, IrqDecl, Stmt } from '../../grammar/ast';
import { childBlocks } from '../../grammar/ast';
import { type Model, type StmtSite, named, targetOf } from './model';
import { type LintDiagnostic, type QuickFix, type Rule, diag } from './types';
import { show } from './common';
import type { TextEdit } from './text';

/** Statements whose own target ident was lost in recovery are skipped (brief: empty names). */
function hasUsableTarget(s: Stmt): boolean {
  const t = targetOf(s);
  return t === undefined || named(t);
}

/** The spinlock section a statement is in: the `unlock` that ends it, and how deep its block is. */
interface SpinSection {
  lock: string;
  unlock: Stmt;
  depth: number;
}

/**
 * The outermost spinlock section of every statement inside one: the statements after
 * `lock s` and before the first `unlock s` that follows it in the same block, with what
 * they contain. A `lock s` with no `unlock s` after it in its block makes no section: where
 * it is released is not in the text (the lint stays with what it can see).
 */
function spinSections(m: Model): Map<Stmt, SpinSection> {
  const out = new Map<Stmt, SpinSection>();
  if (![...m.decls.values()].some((d) => d.kind === 'spinlock')) return out;
  const isSpin = (s: Stmt, kind: 'lock' | 'unlock', name?: string) =>
    s.kind === kind && named(s.target) && (name === undefined || s.target.name === name) && !!m.get(s.target, 'spinlock');
  const mark = (s: Stmt, sec: SpinSection) => {
    if (!out.has(s)) out.set(s, sec);
    for (const b of childBlocks(s)) for (const x of b.stmts ?? []) if (x) mark(x, sec);
  };
  const visit = (block: Block | undefined, depth: number) => {
    const stmts = (block?.stmts ?? []).filter((s): s is Stmt => !!s);
    stmts.forEach((s, i) => {
      if (!isSpin(s, 'lock')) return;
      const name = (s as { target: { name: string } }).target.name;
      const j = stmts.findIndex((u, k) => k > i && isSpin(u, 'unlock', name));
      if (j < 0) return;
      for (const x of stmts.slice(i + 1, j)) mark(x, { lock: name, unlock: stmts[j], depth });
    });
    for (const s of stmts) for (const b of childBlocks(s)) visit(b, depth + 1);
  };
  for (const c of m.code) visit(c.body, 0);
  return out;
}

/** The atomic callback a site runs in: a timer callback or a non-threaded IRQ handler. */
function atomicCallback(site: StmtSite): { kind: 'timer'; name: string } | { kind: 'irq'; irq: IrqDecl } | undefined {
  const o = site.owner;
  if (o.kind === 'timer' && named(o.name)) return { kind: 'timer', name: o.name.name };
  if (o.kind === 'irq' && !o.threaded && named(o.name) && named(o.device)) return { kind: 'irq', irq: o };
  return undefined;
}

const RCU = 'a Revocable guard is an RCU read-side section (rcu_read_lock), where sleeping is forbidden and would also stall the revoke\'s synchronize_rcu';

export const sleepInAtomic: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  const spins = spinSections(m);
  for (const site of m.sites) {
    const s = site.stmt;
    // An `access` else block runs after the revocable was revoked, outside the RCU section.
    // (The cheap tests first: most statements are in no atomic context.)
    const guards = site.frames.filter((f) => f.stmt.kind === 'access' && !f.inElse);
    const callback = atomicCallback(site);
    const spin = spins.get(s);
    if (guards.length === 0 && !callback && !spin) continue;
    if (!m.sleeps(s) || !hasUsableTarget(s)) continue;
    const text = show(m, s);

    // Where to move it: after the outermost of the guard and the spinlock section (on a
    // tie the section is the outer one: its `unlock` follows the `access` in that block).
    const outerGuard = guards.length ? site.frames.indexOf(guards[0]) : -1;
    let after: { stmt: Stmt; title: string } | undefined;
    if (spin && (outerGuard < 0 || spin.depth <= outerGuard)) after = { stmt: spin.unlock, title: `after \`unlock ${spin.lock}\`` };
    else if (guards.length) after = { stmt: guards[0].stmt, title: 'after the access block' };

    const reasons: string[] = [];
    if (callback?.kind === 'timer') reasons.push(`in the callback of timer \`${callback.name}\`, which runs in softirq context`);
    if (callback?.kind === 'irq') reasons.push(`in the handler of irq \`${callback.irq.name.name}\`, which without \`threaded\` runs in hard-IRQ context`);
    if (spin) reasons.push(`while holding spinlock \`${spin.lock}\` (spin_lock disables preemption until \`unlock ${spin.lock}\`)`);
    if (guards.length) {
      const inner = guards[guards.length - 1].stmt as Stmt & { target: { name: string } };
      reasons.push(`inside \`access ${inner.target.name}\``);
    }
    const message =
      reasons.length === 1 && guards.length
        ? `\`${text}\` can sleep ${reasons[0]}: ${RCU}`
        : `\`${text}\` can sleep ${reasons.join(', and ')}: sleeping in atomic context is a bug ("BUG: sleeping function called from invalid context")${guards.length ? `; ${RCU}` : ''}`;

    // A timer callback is atomic as a whole: no edit gets the statement out of it (the
    // kernel's way is to queue a work item from the callback), so no fix is offered.
    const fixes: QuickFix[] = [];
    if (callback?.kind !== 'timer') {
      const edits: TextEdit[] = [];
      const titles: string[] = [];
      if (callback?.kind === 'irq') {
        edits.push(m.src.insert(callback.irq.device.range.end.offset, ' threaded'));
        titles.push(`Make \`irq ${callback.irq.name.name}\` threaded`);
      }
      if (after) {
        const end = after.stmt.range.end.offset;
        const at = m.src.endsLine(end) ? m.src.lineEnd(end) : end;
        edits.push(m.src.deleteNode(s.range), m.src.insert(at, m.src.eol + m.src.indentAt(after.stmt.range.start.offset) + m.src.slice(s.range)));
        titles.push(`${titles.length ? 'move' : 'Move'} \`${text}\` ${after.title}`);
      }
      fixes.push({ title: titles.join(' and '), edits });
    }
    out.push(diag('sleep-in-atomic', s.range, message, fixes));
  }
  return out;
};
