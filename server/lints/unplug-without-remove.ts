// The `unplug-without-remove` lint (tools.md §3) and its quick fix: a custom remove must do
// what the default one does, unplug each drm device and (version 2) unregister each cdev.

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
    const cdevs = m.cdevsOfDevice(dev);
    if (drms.length === 0 && cdevs.length === 0) continue;
    for (const d of m.driversOfDevice(dev)) {
      // No handler is the default remove, which unplugs every drm and unregisters every cdev of the device.
      const h = m.handler('remove', d.name.name);
      if (!h || !named(h.target)) continue;
      const done = (kind: 'unplug' | 'unregister') => new Set(stmtsOf(h.body).flatMap((s) => (s.kind === kind && named(s.target) ? [s.target.name] : [])));
      const unplugged = done('unplug');
      const unregistered = done('unregister');
      const missing = [
        ...drms.filter((x) => !unplugged.has(x.name.name)).map((x) => `unplug ${x.name.name}`),
        ...cdevs.filter((x) => !unregistered.has(x.name.name)).map((x) => `unregister ${x.name.name}`),
      ];
      if (missing.length === 0) continue;
      const why: string[] = [];
      const noUnplug = missing.filter((x) => x.startsWith('unplug ')).map((x) => `\`${x.slice(7)}\``);
      const noUnregister = missing.filter((x) => x.startsWith('unregister ')).map((x) => `\`${x.slice(11)}\``);
      if (noUnplug.length) {
        why.push(
          `does not unplug ${noUnplug.join(', ')}: without drm_dev_unplug, drm_dev_enter keeps succeeding after \`${dev}\` is unbound, so userspace paths reach unmapped hardware and the freed device`,
        );
      }
      if (noUnregister.length) {
        why.push(`does not unregister ${noUnregister.join(', ')}: without cdev_del the node stays, and new opens reach the driver after \`${dev}\` is unbound`);
      }
      out.push(
        diag(
          'unplug-without-remove',
          span(h.range, h.target.range),
          `\`on remove ${d.name.name}\` ${why.join('; it also ')}`,
          [{ title: `Add ${missing.map((x) => `\`${x}\``).join(', ')}`, edits: insertFirst(m, h.body, missing) }],
        ),
      );
    }
  }
  return out;
};
