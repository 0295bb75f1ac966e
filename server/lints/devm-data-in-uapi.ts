// The `devm-data-in-uapi` lint (tools.md §3) and its quick fix.

import { type StmtSite, named } from './model';
import { type LintDiagnostic, type QuickFix, type Rule, diag } from './types';

function uapiContext(site: StmtSite): string | undefined {
  if (site.frames.some((f) => f.stmt.kind === 'ioctl')) return 'an ioctl';
  const o = site.owner;
  if (o.kind === 'work') return `work item \`${o.name.name}\``;
  if (o.kind === 'handler' && (o.event === 'close' || o.event === 'release')) return `\`on ${o.event}\``;
  return undefined;
}

export const devmDataInUapi: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const site of m.sites) {
    const s = site.stmt;
    if (s.kind !== 'use') continue;
    const d = m.get(s.target, 'data');
    if (!d || d.managed !== 'devm' || !named(d.owner)) continue;
    const where = uapiContext(site);
    if (!where) continue;
    const drms = m.drmsOfDevice(d.owner.name);
    // With several drm devices (or none) the right owner is the author's call: no fix.
    const fixes: QuickFix[] =
      drms.length === 1
        ? [
            {
              title: `Make \`${d.name.name}\` drmm on \`${drms[0].name.name}\``,
              edits: [m.src.edit(d.name.range.end.offset, d.owner.range.end.offset, ` drmm on ${drms[0].name.name}`)],
            },
          ]
        : [];
    out.push(
      diag(
        'devm-data-in-uapi',
        s.range,
        `\`${d.name.name}\` is devm data of \`${d.owner.name}\`, freed at unbind, but ${where} uses it and can run after unbind while userspace still holds the drm device — tie it to the drm_device's lifetime with drmm`,
        fixes,
      ),
    );
  }
  return out;
};
