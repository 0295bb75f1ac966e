// The `sleep-in-atomic` lint (tools.md §3) and its quick fix.

import type { GuardStmt, Stmt } from '../../grammar/ast';
import { named, targetOf } from './model';
import { type LintDiagnostic, type QuickFix, type Rule, diag } from './types';
import { show } from './common';

/** Statements whose own target ident was lost in recovery are skipped (brief: empty names). */
function hasUsableTarget(s: Stmt): boolean {
  const t = targetOf(s);
  return t === undefined || named(t);
}

export const sleepInAtomic: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const site of m.sites) {
    const s = site.stmt;
    // An `access` else block runs after the revocable was revoked, outside the RCU section.
    // (The guards first: most statements have none, and they are cheaper than `sleeps`.)
    const guards = site.frames.filter((f) => f.stmt.kind === 'access' && !f.inElse);
    if (guards.length === 0) continue;
    if (!m.sleeps(s) || !hasUsableTarget(s)) continue;
    const outer = guards[0].stmt;
    const inner = guards[guards.length - 1].stmt as GuardStmt;
    const text = show(m, s);
    // Moving it after the outermost guard is the first place that is outside every RCU section.
    const end = outer.range.end.offset;
    const at = m.src.endsLine(end) ? m.src.lineEnd(end) : end;
    const fix: QuickFix = {
      title: `Move \`${text}\` after the access block`,
      edits: [m.src.deleteNode(s.range), m.src.insert(at, m.src.eol + m.src.indentAt(outer.range.start.offset) + m.src.slice(s.range))],
    };
    out.push(
      diag(
        'sleep-in-atomic',
        s.range,
        `\`${text}\` can sleep inside \`access ${inner.target.name}\`: a Revocable guard is an RCU read-side section (rcu_read_lock), where sleeping is forbidden and would also stall the revoke's synchronize_rcu`,
        [fix],
      ),
    );
  }
  return out;
};
