// The `poll-without-timeout` lint (tools.md §3) and its quick fix.

import { named } from './model';
import { type LintDiagnostic, type Rule, diag } from './types';
import { addTimeout } from './common';

export const pollWithoutTimeout: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const { stmt: s } of m.sites) {
    if (s.kind !== 'poll' || s.timeout || !named(s.target)) continue;
    out.push(
      diag(
        'poll-without-timeout',
        s.range,
        `\`poll ${s.target.name}\` busy-waits on the hardware without a timeout: once the GPU is gone \`${s.target.name}\` never completes and the CPU spins forever (bound it, as read_poll_timeout does)`,
        [addTimeout(m, s)],
      ),
    );
  }
  return out;
};
