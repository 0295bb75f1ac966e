// The `devm-data-in-uapi` lint (tools.md §3) and its quick fix.

import { type StmtSite, named } from './model';
import { type LintDiagnostic, type QuickFix, type Rule, diag } from './types';

/** Where the use runs, and (for the message without a drm device) what must stop it before the devres release. */
function uapiContext(site: StmtSite, cdevOf: (site: StmtSite, file: string) => string | undefined): { where: string; stop: string } | undefined {
  const ioctl = [...site.frames].reverse().find((f) => f.stmt.kind === 'ioctl')?.stmt;
  if (ioctl?.kind === 'ioctl') {
    const cdev = cdevOf(site, ioctl.file?.name);
    if (cdev) {
      return {
        where: `an ioctl on cdev \`${cdev}\``,
        stop: 'cdev_del (`unregister`) stops new opens, not files already open, so the ioctl must guard itself (an `access`, a lock or a flag that remove clears)',
      };
    }
    return { where: 'an ioctl', stop: 'only drm_dev_unplug stops ioctls of files already open' };
  }
  const o = site.owner;
  switch (o.kind) {
    case 'work':
      return { where: `work item \`${o.name.name}\``, stop: `\`on remove\` must \`cancel ${o.name.name}\` (or \`disable\` it) first` };
    case 'handler':
      return o.event === 'close' || o.event === 'release' ? { where: `\`on ${o.event}\``, stop: 'the last file or reference can go after unbind' } : undefined;
    case 'timer':
      return { where: `the callback of timer \`${o.name.name}\``, stop: `\`on remove\` must \`disable ${o.name.name}\` (timer_shutdown_sync) first` };
    case 'irq':
      // A devm irq is freed by the devres release before any devm data (language.md §9),
      // and free_irq waits for a running handler: its handler cannot see the data freed.
      return o.devm ? undefined : { where: `the handler of irq \`${o.name.name}\``, stop: `\`on remove\` must \`free_irq ${o.name.name}\` first` };
    case 'attr':
      return { where: `attribute \`${o.name.name}\``, stop: 'the attribute drain ends every `show` before remove, so this only matters for a callback that breaks its active protection' };
    default:
      return undefined;
  }
}

export const devmDataInUapi: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  // The cdev each body's files are opened on (its `open`s say), found on first need.
  let opens: Map<StmtSite['owner'], Map<string, string>> | undefined;
  const cdevOf = (site: StmtSite, file: string) => {
    if (!opens) {
      opens = new Map();
      for (const x of m.sites) {
        if (x.stmt.kind !== 'open' || !named(x.stmt.file) || !m.get(x.stmt.target, 'cdev')) continue;
        const files = opens.get(x.owner) ?? new Map<string, string>();
        files.set(x.stmt.file.name, x.stmt.target.name);
        opens.set(x.owner, files);
      }
    }
    return opens.get(site.owner)?.get(file);
  };
  for (const site of m.sites) {
    const s = site.stmt;
    if (s.kind !== 'use') continue;
    const d = m.get(s.target, 'data');
    if (!d || d.managed !== 'devm' || !named(d.owner)) continue;
    const ctx = uapiContext(site, cdevOf);
    if (!ctx) continue;
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
    const tail = drms.length
      ? ' while userspace still holds the drm device — tie it to the drm_device\'s lifetime with drmm'
      : `: \`${d.owner.name}\` has no drm device to tie it to, so ${ctx.stop}`;
    out.push(diag('devm-data-in-uapi', s.range, `\`${d.name.name}\` is devm data of \`${d.owner.name}\`, freed at unbind, but ${ctx.where} uses it and can run after unbind${tail}`, fixes));
  }
  return out;
};
