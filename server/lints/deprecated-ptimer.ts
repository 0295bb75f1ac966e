// The `deprecated-ptimer` lint (tools.md §3, version 2) and its quick fix.

import { named } from './model';
import { type LintDiagnostic, type Rule, diag } from './types';

export const deprecatedPtimer: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const d of m.file.decls ?? []) {
    if (d?.kind !== 'ptimer' || !d.deprecatedForm || !named(d.name)) continue;
    const kw = d.keywordRange;
    out.push(
      diag(
        'deprecated-ptimer',
        kw,
        `\`timer ${d.name.name} on …\` is the version-1 spelling of a GPU timer register: write \`ptimer ${d.name.name} on …\` (in version 2 \`timer NAME in DRIVER { … }\` declares a kernel timer)`,
        [{ title: 'Write `ptimer`', edits: [m.src.edit(kw.start.offset, kw.end.offset, 'ptimer')] }],
      ),
    );
  }
  return out;
};
