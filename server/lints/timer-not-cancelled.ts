// The `timer-not-cancelled` lint (tools.md §3, version 2) and its quick fix.

import { named } from './model';
import { type LintDiagnostic, type Rule, diag } from './types';
import { addToRemove, canUnbind, driverCodeDoes, nosyncNote, removeDoes, removeName, span, stopsCallback } from './common';

export const timerNotCancelled: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const t of m.timers) {
    if (!named(t.name) || !named(t.driver)) continue;
    const d = m.get(t.driver, 'driver');
    if (!d || !named(d.device) || !named(d.module)) continue;
    // Arms in its own callback only keep it going: something else must start it.
    if (!driverCodeDoes(m, 'arm', t.name.name, t) || !canUnbind(m, d)) continue;
    if (removeDoes(m, d, (s) => stopsCallback(s, t.name.name))) continue;
    out.push(
      diag(
        'timer-not-cancelled',
        span(t.range, t.driver.range),
        `timer \`${t.name.name}\` is armed by driver code, but ${removeName(m, d)} neither cancels nor disables it${nosyncNote(m, d, t.name.name, 'timer_delete')}: its callback can fire after unbind freed the driver's state, or after \`rmmod ${d.module.name}\` freed its code (timer_shutdown_sync in remove stops it for good, even if it re-arms itself)`,
        [{ title: `Add \`disable ${t.name.name}\` to \`on remove ${d.name.name}\``, edits: addToRemove(m, d, [`disable ${t.name.name}`], t.range) }],
      ),
    );
  }
  return out;
};
