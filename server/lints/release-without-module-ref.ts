// The `release-without-module-ref` lint (tools.md §3) and its quick fix.

import { named } from './model';
import { type LintDiagnostic, type Rule, diag } from './types';
import { span, optionIs, rmmods, setOption } from './common';

export const releaseWithoutModuleRef: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const h of m.handlers) {
    if (h.event !== 'release' || !named(h.target)) continue;
    const x = m.get(h.target, 'drm');
    if (!x || !named(x.device)) continue;
    const d = m
      .driversOfDevice(x.device.name)
      .find((d) => named(d.module) && !optionIs(d, 'drm_holds_module', true) && rmmods(m, d.module));
    if (!d) continue;
    out.push(
      diag(
        'release-without-module-ref',
        span(h.range, h.target.range),
        `\`on release ${x.name.name}\` is code of module \`${d.module.name}\`, but \`${x.name.name}\` holds no reference on it (drm_holds_module: no): the last drm_dev_put can come after \`rmmod ${d.module.name}\` and run unloaded code`,
        [{ title: 'Set `drm_holds_module: yes`', edits: setOption(m, d, 'drm_holds_module') }],
      ),
    );
  }
  return out;
};
