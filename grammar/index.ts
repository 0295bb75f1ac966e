// The language front end: lexer, parser, analysis, and `compile` which runs them in order.

import type { Diagnostic } from './ast';
import { analyze, type Analysis } from './analysis';
import { parse } from './parser';

export * from './ast';
export * from './lexer';
export * from './parser';
export * from './analysis';

/** Syntax errors first at any one position, then static errors; by start, then end. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const rank = (d: Diagnostic): number => (d.code === 'syntax' ? 0 : 1);
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        a.d.range.start.offset - b.d.range.start.offset ||
        rank(a.d) - rank(b.d) ||
        a.d.range.end.offset - b.d.range.end.offset ||
        a.i - b.i,
    )
    .map((x) => x.d);
}

/** Parses and analyses `text`: every syntax and static error, sorted by position. Never throws. */
export function compile(text: string): Analysis {
  const parsed = parse(text);
  const analysis = analyze(parsed.file);
  return { ...analysis, diagnostics: sortDiagnostics([...parsed.diagnostics, ...analysis.diagnostics]) };
}
