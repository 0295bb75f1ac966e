// Conversions between the front end's positions (1-based line/column, 0-based offsets) and
// LSP's (0-based line/character). Ranges are converted from offsets through the document,
// so both sides agree on what a line break is whatever the file uses.

import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity, type Range as LspRange } from 'vscode-languageserver';
import type { Range, Severity } from '../grammar/ast';

export function toLspRange(doc: TextDocument, r: Range): LspRange {
  return { start: doc.positionAt(r.start.offset), end: doc.positionAt(r.end.offset) };
}

/** An LSP range from a 1-based line and column (explore results carry only these). */
export function pointRange(line: number, column: number, length = 0): LspRange {
  const l = Math.max(0, line - 1);
  const c = Math.max(0, column - 1);
  return { start: { line: l, character: c }, end: { line: l, character: c + length } };
}

export const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Whether `offset` lies in `r` (its end included: a cursor just after a word is on it). */
export function contains(r: Range, offset: number): boolean {
  return r.start.offset <= offset && offset <= r.end.offset;
}

export const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
