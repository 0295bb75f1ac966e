import type { Diagnostic, Range, Severity } from '../../grammar/ast';
import type { Model } from './model';
import type { TextEdit } from './text';

export type { TextEdit } from './text';

export interface QuickFix {
  title: string;
  /** non-overlapping edits, all against the original text (LSP WorkspaceEdit semantics) */
  edits: TextEdit[];
}

export interface LintDiagnostic extends Diagnostic {
  fixes: QuickFix[];
}

/** The lint codes of tools.md §3 and their severities. */
export const LINT_SEVERITY = {
  'sleep-in-atomic': 'error',
  'wait-in-enter': 'warning',
  'poll-without-timeout': 'warning',
  'unguarded-mmio': 'warning',
  'missing-fops-owner': 'warning',
  'release-without-module-ref': 'info',
  'unbalanced-ref': 'warning',
  'unplug-without-remove': 'warning',
  'devm-data-in-uapi': 'warning',
  'work-not-cancelled': 'warning',
  unused: 'info',
  // version 2
  'timer-not-cancelled': 'warning',
  'deprecated-ptimer': 'warning',
  'irq-not-freed': 'warning',
} as const satisfies Record<string, Severity>;

export type LintCode = keyof typeof LINT_SEVERITY;

export const LINT_CODES = Object.keys(LINT_SEVERITY) as LintCode[];

export type Rule = (m: Model) => LintDiagnostic[];

/**
 * A lint diagnostic. Its fixes may be given as a function, made on first read: a fix can
 * need the text's line starts (a scan of the whole file), and most checks in the editor
 * publish diagnostics without anyone asking for their fixes. Such a function must not
 * read node ranges (they move with later edits): copy what it needs first.
 */
export function diag(code: LintCode, range: Range, message: string, fixes: QuickFix[] | (() => QuickFix[]) = []): LintDiagnostic {
  if (typeof fixes !== 'function') return { code, severity: LINT_SEVERITY[code], message, range, fixes };
  let made: QuickFix[] | undefined;
  return {
    code,
    severity: LINT_SEVERITY[code],
    message,
    range,
    get fixes() {
      made ??= fixes();
      return made;
    },
  };
}
