// Text helpers for building quick-fix edits: positions from offsets, line extents,
// indentation, and deleting/inserting whole lines without disturbing neighbours.

import type { Position, Range } from '../../grammar/ast';

export interface TextEdit {
  range: Range;
  newText: string;
}

/** One shared view of the source text; all offsets are UTF-16 indices, as in the AST. */
export class SourceText {
  readonly eol: string;
  // Found on first need: most checks make no quick-fix edit, and a file of 10,000 lines
  // is scanned at every check otherwise.
  private starts: number[] | undefined;

  private get lineStarts(): number[] {
    if (!this.starts) {
      const starts = [0];
      const text = this.text;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.starts = starts;
    }
    return this.starts;
  }

  constructor(readonly text: string) {
    // Keep the file's own line endings in what we insert.
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  pos(offset: number): Position {
    const off = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: off - this.lineStarts[lo] + 1, offset: off };
  }

  range(start: number, end: number): Range {
    return { start: this.pos(start), end: this.pos(end) };
  }

  edit(start: number, end: number, newText: string): TextEdit {
    return { range: this.range(start, end), newText };
  }

  insert(offset: number, newText: string): TextEdit {
    return this.edit(offset, offset, newText);
  }

  lineStart(offset: number): number {
    const p = this.pos(offset);
    return p.offset - (p.column - 1);
  }

  /** Offset of the end of the line holding `offset`, before its `\r\n` or `\n`. */
  lineEnd(offset: number): number {
    let i = offset;
    while (i < this.text.length && this.text[i] !== '\n') i++;
    return i > offset && this.text[i - 1] === '\r' && this.text[i] === '\n' ? i - 1 : i;
  }

  /** Offset just past the line break that ends the line holding `offset` (or the text end). */
  nextLineStart(offset: number): number {
    const i = this.text.indexOf('\n', offset);
    return i < 0 ? this.text.length : i + 1;
  }

  indentAt(offset: number): string {
    const start = this.lineStart(offset);
    return /^[ \t]*/.exec(this.text.slice(start, this.lineEnd(start)))![0];
  }

  /** True when nothing but blanks precede `offset` on its line. */
  startsLine(offset: number): boolean {
    return /^[ \t]*$/.test(this.text.slice(this.lineStart(offset), offset));
  }

  /** True when nothing but blanks or a `//` comment follow `offset` on its line. */
  endsLine(offset: number): boolean {
    return /^[ \t]*(\/\/.*)?$/.test(this.text.slice(offset, this.lineEnd(offset)));
  }

  /** The node occupies its lines alone (a trailing `//` comment allowed). */
  ownsLines(r: Range): boolean {
    return this.startsLine(r.start.offset) && this.endsLine(r.end.offset);
  }

  /**
   * Removes a node: its whole lines (with a trailing comment, which described it) when it
   * is alone on them, else just its text and the blanks before it, so that other code on
   * the line survives.
   */
  deleteNode(r: Range): TextEdit {
    if (this.ownsLines(r)) return this.edit(this.lineStart(r.start.offset), this.nextLineStart(r.end.offset), '');
    let start = r.start.offset;
    while (start > 0 && (this.text[start - 1] === ' ' || this.text[start - 1] === '\t')) start--;
    return this.edit(start, r.end.offset, '');
  }

  slice(r: Range): string {
    return this.text.slice(r.start.offset, r.end.offset);
  }

  /**
   * Index of the first `ch` in [from, to) outside comments and strings, or -1. Used to find
   * a driver's option braces, which the AST does not record.
   */
  findCode(ch: string, from: number, to: number): number {
    const t = this.text;
    for (let i = from; i < to; i++) {
      if (t.startsWith('//', i)) {
        i = this.lineEnd(i);
      } else if (t.startsWith('/*', i)) {
        const e = t.indexOf('*/', i + 2);
        if (e < 0) return -1;
        i = e + 1;
      } else if (t[i] === '"') {
        for (i++; i < to && t[i] !== '"' && t[i] !== '\n'; i++) if (t[i] === '\\') i++;
      } else if (t[i] === ch) {
        return i;
      }
    }
    return -1;
  }
}

export const INDENT_UNIT = '  ';
