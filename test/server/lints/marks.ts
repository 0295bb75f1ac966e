// Lint cases written as rust-analyzer writes its diagnostics tests: the expected range of
// each diagnostic is marked under its line, with carets from its first column to its last
// and the code (`…` after it when the range goes on past that line):
//
//   thread t { access bar0 { sleep 1ms } }
//                            ^^^^^^^^^ sleep-in-atomic
//
// Marker lines are taken out before the text is linted.
import { expect } from 'vitest';
import { compile } from '../../../grammar/index';
import { LINT_SEVERITY, type LintCode, type LintDiagnostic, lint } from '../../../server/lints';
import { applyFix, fixProblems } from '../fixtures/lints/helpers';

const MARKER = /^( *)(\^+) ([a-z-]+)( …)?$/;

/** The text without its marker lines, and the marks as `line:col-endcol code` (`…`: goes on). */
export function unmark(src: string): { text: string; marks: string[] } {
  const lines: string[] = [];
  const marks: string[] = [];
  for (const l of src.split('\n')) {
    const m = MARKER.exec(l);
    if (!m) {
      lines.push(l);
      continue;
    }
    const col = m[1].length + 1;
    marks.push(`${lines.length}:${col}-${m[4] ? '…' : col + m[2].length} ${m[3]}`);
  }
  return { text: lines.join('\n'), marks };
}

function render(d: LintDiagnostic): string {
  const { start, end } = d.range;
  if (end.line !== start.line) return `${start.line}:${start.column}-… ${d.code}`;
  // an empty range is marked with one caret
  const endCol = Math.max(end.column, start.column + 1);
  return `${start.line}:${start.column}-${endCol} ${d.code}`;
}

export interface CheckOptions {
  /** how many fixes each diagnostic offers (default 1; unbalanced-ref offers none) */
  fixes?: number;
  /** the exact text after the first diagnostic's first fix */
  fixed?: string;
}

/**
 * A checker of one lint code: its diagnostics must be exactly the marked ones (with its
 * severity, a message that says something, its fixes), and every fix must leave a valid
 * file with that diagnostic gone.
 */
export function lintChecker(code: LintCode) {
  return (src: string, o: CheckOptions = {}): void => {
    const { text, marks } = unmark(src);
    const a = compile(text);
    expect(a.diagnostics, 'cases must be valid scenarios').toEqual([]);
    const all = lint(a, text);
    const mine = all.filter((d) => d.code === code);
    expect(mine.map(render)).toEqual(marks);
    for (const d of mine) {
      expect(d.severity).toBe(LINT_SEVERITY[code]);
      expect(d.message.length).toBeGreaterThan(20);
      expect(d.fixes.length).toBe(o.fixes ?? (code === 'unbalanced-ref' ? 0 : 1));
    }
    expect(fixProblems(text, all)).toEqual([]);
    if (o.fixed !== undefined) expect(applyFix(text, mine[0].fixes[0])).toBe(o.fixed);
  };
}
