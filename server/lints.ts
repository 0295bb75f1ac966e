// Lint diagnostics of tools.md §3, as pure analysis over a compiled file: shared by
// `lifetime check` and the language server (which turns `fixes` into code actions).
// No editor or LSP types here on purpose.
//
// Ranges, per rule (the spec leaves some open; these are the choices):
// - statement rules (sleep-in-atomic, wait-in-enter, poll-without-timeout,
//   unguarded-mmio, unbalanced-ref, devm-data-in-uapi): the offending statement
//   (devm-data-in-uapi: the `use`, so each use in uAPI code is pointed at);
// - missing-fops-owner: the whole driver declaration (its option block is the problem);
// - release-without-module-ref, unplug-without-remove: the handler's header,
//   `on release card0` / `on remove nova_drm`;
// - work-not-cancelled: the work's header, `work retire in nova_drm` — one diagnostic
//   per work item, however many places queue it;
// - unused: the declaration's name;
// - timer-not-cancelled, irq-not-freed (version 2): the header, `timer t in drv` /
//   `irq i on dev`; deprecated-ptimer: the `timer` keyword of `timer p on bar`.
//
// Lints run on whatever the parser recovered (nodes with empty names are skipped), and a
// rule that throws on a malformed tree yields nothing rather than hiding the others.

import type { Analysis } from '../grammar/index';
import { Model } from './lints/model';
import { RULES } from './lints/registry';
import type { LintDiagnostic } from './lints/types';

export type { TextEdit } from './lints/text';
export { LINT_CODES, LINT_SEVERITY, type LintCode, type LintDiagnostic, type QuickFix } from './lints/types';

export function lint(analysis: Pick<Analysis, 'file'>, text: string): LintDiagnostic[] {
  let model: Model;
  try {
    model = new Model(analysis.file, text);
  } catch {
    return [];
  }
  const out: LintDiagnostic[] = [];
  for (const rule of Object.values(RULES)) {
    try {
      out.push(...rule(model));
    } catch {
      // A rule tripping over a recovered tree yields nothing; the others still report.
    }
  }
  return out.sort(
    (a, b) =>
      a.range.start.offset - b.range.start.offset || a.range.end.offset - b.range.end.offset || a.code.localeCompare(b.code),
  );
}
