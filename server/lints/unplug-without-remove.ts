// The `unplug-without-remove` lint (tools.md §3) and its quick fix.

import { named, stmtsOf } from './model';
import { type LintDiagnostic, type Rule, diag } from './types';
import { span, insertFirst } from './common';

export const unplugWithoutRemove: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  const devices = new Set<string>();
  for (const { stmt: s } of m.sites) {
    if ((s.kind === 'hotunplug' || s.kind === 'unbind') && m.get(s.target, 'device')) devices.add(s.target.name);
  }
  for (const dev of devices) {
    const drms = m.drmsOfDevice(dev);
    if (drms.length === 0) continue;
    for (const d of m.driversOfDevice(dev)) {
      // No handler is the default remove, which unplugs every drm of the device.
      const h = m.handler('remove', d.name.name);
      if (!h || !named(h.target)) continue;
      const unplugged = new Set(stmtsOf(h.body).flatMap((s) => (s.kind === 'unplug' && named(s.target) ? [s.target.name] : [])));
      const missing = drms.filter((x) => !unplugged.has(x.name.name)).map((x) => x.name.name);
      if (missing.length === 0) continue;
      const list = missing.map((x) => `\`${x}\``).join(', ');
      out.push(
        diag(
          'unplug-without-remove',
          span(h.range, h.target.range),
          `\`on remove ${d.name.name}\` does not unplug ${list}: without drm_dev_unplug, drm_dev_enter keeps succeeding after \`${dev}\` is unbound, so userspace paths reach unmapped hardware and the freed device`,
          [{ title: `Add ${missing.map((x) => `\`unplug ${x}\``).join(', ')}`, edits: insertFirst(m, h.body, missing.map((x) => `unplug ${x}`)) }],
        ),
      );
    }
  }
  return out;
};
