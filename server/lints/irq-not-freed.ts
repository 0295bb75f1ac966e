// The `irq-not-freed` lint (tools.md §3, version 2) and its quick fix.

import { named } from './model';
import { type LintDiagnostic, type Rule, diag } from './types';
import { addToRemove, canUnbind, removeDoes, removeName, span } from './common';

export const irqNotFreed: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const i of m.irqs) {
    // A devm irq is freed by the devres release, first of all (language.md §9).
    if (i.devm || !named(i.name) || !named(i.device)) continue;
    for (const d of m.driversOfDevice(i.device.name)) {
      if (!named(d.module) || !canUnbind(m, d)) continue;
      if (removeDoes(m, d, (s) => s.kind === 'free_irq' && s.target?.name === i.name.name)) continue;
      out.push(
        diag(
          'irq-not-freed',
          span(i.range, i.device.range),
          `irq \`${i.name.name}\` is requested without \`devm\`, but ${removeName(m, d)} does not free it: it stays requested after unbind, so the next interrupt runs its handler on the driver's freed state, or after \`rmmod ${d.module.name}\` in freed code`,
          [{ title: `Add \`free_irq ${i.name.name}\` to \`on remove ${d.name.name}\``, edits: addToRemove(m, d, [`free_irq ${i.name.name}`], i.range) }],
        ),
      );
    }
  }
  return out;
};
