// The `work-not-cancelled` lint (tools.md §3) and its quick fix.

import { named } from './model';
import { type LintDiagnostic, type Rule, diag } from './types';
import { addToRemove, canUnbind, driverCodeDoes, removeDoes, nosyncNote, removeName, span, stopsCallback } from './common';

export const workNotCancelled: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const w of m.works) {
    if (!named(w.name) || !named(w.driver)) continue;
    const d = m.get(w.driver, 'driver');
    if (!d || !named(d.device) || !named(d.module)) continue;
    if (!driverCodeDoes(m, 'queue', w.name.name) || !canUnbind(m, d)) continue;
    // `flush` counts: it is the version-1 teardown (conformance 34 shows where it falls short).
    if (removeDoes(m, d, (s) => stopsCallback(s, w.name.name) || (s.kind === 'flush' && s.target?.name === w.name.name))) continue;
    out.push(
      diag(
        'work-not-cancelled',
        span(w.range, w.driver.range),
        `work \`${w.name.name}\` is queued by driver code, but ${removeName(m, d)} neither cancels nor flushes it${nosyncNote(m, d, w.name.name, 'cancel_work')}: it can run after unbind freed the driver's state, or after \`rmmod ${d.module.name}\` freed its code`,
        [{ title: `Add \`cancel ${w.name.name}\` to \`on remove ${d.name.name}\``, edits: addToRemove(m, d, [`cancel ${w.name.name}`], w.range) }],
      ),
    );
  }
  return out;
};
