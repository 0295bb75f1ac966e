// The `wait-in-enter` lint (tools.md §3) and its quick fix.

import { named } from './model';
import { type LintDiagnostic, type Rule, diag } from './types';
import { addTimeout } from './common';

export const waitInEnter: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const site of m.sites) {
    const s = site.stmt;
    if (s.kind !== 'wait' || s.timeout || !named(s.target)) continue;
    // The else block runs when the device is already unplugged: no SRCU section there.
    if (!site.frames.some((f) => f.stmt.kind === 'enter' && !f.inElse)) continue;
    out.push(
      diag(
        'wait-in-enter',
        s.range,
        `wait without timeout inside drm_dev_enter: drm_dev_unplug's synchronize_srcu waits for this section, and only the unplugged GPU could signal \`${s.target.name}\` — hot-unplug deadlocks`,
        [addTimeout(m, s)],
      ),
    );
  }
  return out;
};
