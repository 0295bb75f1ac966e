// The `missing-fops-owner` lint (tools.md §3) and its quick fix.

import type { OpenStmt } from '../../grammar/ast';
import { named } from './model';
import { type LintDiagnostic, type Rule, diag } from './types';
import { optionIs, rmmods, setOption } from './common';

export const missingFopsOwner: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const d of m.drivers) {
    if (!named(d.name) || !named(d.module) || !named(d.device) || !optionIs(d, 'fops_owner', false)) continue;
    if (!rmmods(m, d.module)) continue;
    const opened = m.sites.find(({ stmt: s }) => s.kind === 'open' && m.get(s.target, 'drm')?.device?.name === d.device.name);
    if (!opened) continue;
    const drm = (opened.stmt as OpenStmt).target.name;
    out.push(
      diag(
        'missing-fops-owner',
        d.range,
        `driver \`${d.name.name}\` has \`fops_owner: no\`: an open file of \`${drm}\` does not pin module \`${d.module.name}\`, so \`rmmod ${d.module.name}\` can free the code that the file's ioctl and close still call`,
        [{ title: 'Set `fops_owner: yes`', edits: setOption(m, d, 'fops_owner') }],
      ),
    );
  }
  return out;
};
