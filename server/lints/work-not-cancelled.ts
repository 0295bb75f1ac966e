// The `work-not-cancelled` lint (tools.md §3) and its quick fix.

import type { DriverDecl, HandlerDecl, Range } from '../../grammar/ast';
import { type Model, named, stmtsOf } from './model';
import { INDENT_UNIT, type TextEdit } from './text';
import { type LintDiagnostic, type Rule, diag } from './types';
import { span, insertFirst } from './common';

function cancelInRemove(m: Model, work: string, d: DriverDecl, h: HandlerDecl | undefined, after: Range): TextEdit[] {
  if (h) return insertFirst(m, h.body, [`cancel ${work}`]);
  // A new handler replaces the default remove, so it must keep the default's unplugs.
  const src = m.src;
  const eol = src.eol;
  const ind = src.indentAt(after.start.offset);
  const body = [`cancel ${work}`, ...m.drmsOfDevice(d.device.name).map((x) => `unplug ${x.name.name}`)];
  const text = `${eol}${eol}${ind}on remove ${d.name.name} {${body.map((l) => eol + ind + INDENT_UNIT + l).join('')}${eol}${ind}}`;
  const end = after.end.offset;
  return [src.insert(src.endsLine(end) ? src.lineEnd(end) : end, text)];
}

export const workNotCancelled: Rule = (m) => {
  const out: LintDiagnostic[] = [];
  for (const w of m.works) {
    if (!named(w.name) || !named(w.driver)) continue;
    const d = m.get(w.driver, 'driver');
    if (!d || !named(d.device) || !named(d.module)) continue;
    const queued = m.sites.some((x) => x.stmt.kind === 'queue' && x.stmt.target?.name === w.name.name && m.isDriverCode(x));
    if (!queued) continue;
    const teardown = m.anyStmt(
      (s) =>
        ((s.kind === 'unbind' || s.kind === 'hotunplug') && s.target?.name === d.device.name) ||
        (s.kind === 'rmmod' && s.target?.name === d.module.name),
    );
    if (!teardown) continue;
    const h = m.handler('remove', d.name.name);
    const fenced = h && stmtsOf(h.body).some((s) => (s.kind === 'cancel' || s.kind === 'flush') && s.target?.name === w.name.name);
    if (fenced) continue;
    out.push(
      diag(
        'work-not-cancelled',
        span(w.range, w.driver.range),
        `work \`${w.name.name}\` is queued by driver code, but ${h ? `\`on remove ${d.name.name}\`` : `the default remove of \`${d.name.name}\``} neither cancels nor flushes it: it can run after unbind freed the driver's state, or after \`rmmod ${d.module.name}\` freed its code`,
        [{ title: `Add \`cancel ${w.name.name}\` to \`on remove ${d.name.name}\``, edits: cancelInRemove(m, w.name.name, d, h, w.range) }],
      ),
    );
  }
  return out;
};
