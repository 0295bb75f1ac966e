// The `unguarded-mmio` lint (tools.md §3) and its quick fix.

import type { Stmt } from '../../grammar/ast';
import { type Model, named } from './model';
import { INDENT_UNIT } from './text';
import { type LintDiagnostic, type QuickFix, type Rule, diag } from './types';
import { show } from './common';

function wrapInAccess(m: Model, s: Stmt, r: string): QuickFix {
  const src = m.src;
  const title = `Wrap in \`access ${r}\``;
  const text = src.slice(s.range);
  if (!src.ownsLines(s.range)) return { title, edits: [src.edit(s.range.start.offset, s.range.end.offset, `access ${r} { ${text} }`)] };
  const ind = src.indentAt(s.range.start.offset);
  const start = src.lineStart(s.range.start.offset);
  const end = src.lineEnd(s.range.end.offset);
  // The statement's trailing comment stays with the statement.
  const rest = src.text.slice(s.range.end.offset, end);
  const eol = src.eol;
  return { title, edits: [src.edit(start, end, `${ind}access ${r} {${eol}${ind}${INDENT_UNIT}${text}${rest}${eol}${ind}}`)] };
}

export const unguardedMmio: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const site of m.sites) {
    const s = site.stmt;
    if ((s.kind !== 'read' && s.kind !== 'write') || !named(s.target)) continue;
    const r = m.revocableOf(s.target);
    if (!r) continue;
    // Only the body of `access r` holds the guard; its else block runs once r is revoked.
    if (site.frames.some((f) => f.stmt.kind === 'access' && !f.inElse && f.stmt.target.name === r)) continue;
    const via = r === s.target.name ? '' : ` (timer \`${s.target.name}\` is in \`${r}\`)`;
    out.push(
      diag(
        'unguarded-mmio',
        s.range,
        `\`${show(m, s)}\` does MMIO on \`${r}\`${via} outside \`access ${r}\`: the devres release at unbind unmaps the BAR, so hardware access must go through Revocable::try_access`,
        [wrapInAccess(m, s, r)],
      ),
    );
  }
  return out;
};
