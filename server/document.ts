// The text of an open document, kept as an array of lines so that an incremental edit costs
// what it touches, not the size of the file. vscode-languageserver-textdocument rebuilds
// the whole string at each change (and V8 flattens it on the next one): 1,000 rapid edits
// of a 50,000-line file were seconds of copying on the thread that answers every request.
// The string is joined once when someone reads it, and line offsets are recomputed then.

import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

/** Splits text into lines that keep their terminators (`\n`, `\r\n` or `\r`); the last may be empty. */
function splitLines(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      out.push(text.slice(from, i + 1));
      from = i + 1;
    }
  }
  out.push(text.slice(from));
  return out;
}

function contentLength(line: string): number {
  let n = line.length;
  if (n > 0 && line.charCodeAt(n - 1) === 10) n--;
  if (n > 0 && line.charCodeAt(n - 1) === 13) n--;
  return n;
}

/** One applied change, in offsets of the text before it: [start, end) became `inserted` characters. */
export interface AppliedEdit {
  version: number;
  start: number;
  end: number;
  inserted: number;
}

/** How many changes a document remembers (to answer from an older analysis). */
const EDIT_LOG = 5_000;

export class LineDocument implements TextDocument {
  /** split on first need: a refused 10 MB document is never split */
  private split: string[] | undefined;
  private edits: AppliedEdit[] = [];
  /** the log lacks changes before this version (a full change, or the log overflowed) */
  private logFrom: number;
  private text: string | undefined;
  /**
   * Line start offsets as a Fenwick tree over the line lengths (built on first need):
   * an edit that keeps the line count updates it in O(log n), where prefix sums had to be
   * summed again from the edited line on (a storm of edits at random lines of a
   * 50,000-line file was mostly that summing). An edit that adds or removes lines drops it.
   */
  private fen: number[] | undefined;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    public version: number,
    content: string,
  ) {
    this.text = content;
    this.length = content.length;
    this.logFrom = version;
  }

  private get lines(): string[] {
    this.split ??= splitLines(this.text ?? '');
    return this.split;
  }

  private set lines(l: string[]) {
    this.split = l;
  }

  /** The changes since `version`, in order; undefined when they are not all known. */
  editsSince(version: number): AppliedEdit[] | undefined {
    if (version < this.logFrom) return undefined;
    return this.edits.filter((e) => e.version > version);
  }

  /** the text's length, without joining its lines */
  length: number;

  get lineCount(): number {
    return this.lines.length;
  }

  getText(range?: Range): string {
    this.text ??= this.lines.join('');
    if (!range) return this.text;
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }

  getLineRange(line: number): Range {
    const l = this.lines[line];
    if (l === undefined) return { start: { line, character: 0 }, end: { line, character: 0 } };
    return { start: { line, character: 0 }, end: { line, character: contentLength(l) } };
  }

  getEOLCharacters(line: number): string {
    const l = this.lines[line];
    return l === undefined ? '' : l.slice(contentLength(l));
  }

  private tree(): number[] {
    if (this.fen) return this.fen;
    const lines = this.lines;
    const n = lines.length;
    const f = new Array<number>(n + 1).fill(0);
    for (let i = 1; i <= n; i++) {
      f[i]! += lines[i - 1]!.length;
      const j = i + (i & -i);
      if (j <= n) f[j]! += f[i]!;
    }
    this.fen = f;
    return f;
  }

  /** The offset where line `line` starts (0 ≤ line < lineCount). */
  private startOf(line: number): number {
    const f = this.tree();
    let sum = 0;
    for (let i = line; i > 0; i -= i & -i) sum += f[i]!;
    return sum;
  }

  /** The last line that starts at or before `offset`. */
  private lineAt(offset: number): number {
    const f = this.tree();
    const n = f.length - 1;
    let pos = 0;
    let rest = offset;
    let step = 1;
    while (step * 2 <= n) step *= 2;
    for (; step > 0; step >>= 1) {
      if (pos + step <= n && f[pos + step]! <= rest) {
        pos += step;
        rest -= f[pos]!;
      }
    }
    return Math.min(pos, n - 1);
  }

  offsetAt(p: Position): number {
    if (p.line >= this.lines.length) return this.length;
    if (p.line < 0) return 0;
    const line = this.lines[p.line]!;
    return this.startOf(p.line) + Math.max(0, Math.min(p.character, contentLength(line)));
  }

  positionAt(offset: number): Position {
    offset = Math.max(0, Math.min(offset, this.length));
    const line = this.lineAt(offset);
    return { line, character: Math.min(offset - this.startOf(line), contentLength(this.lines[line]!)) };
  }

  /** Applies the changes of one didChange, in order. */
  update(changes: TextDocumentContentChangeEvent[], version: number): void {
    for (const ch of changes) {
      if (!('range' in ch) || !ch.range) {
        this.split = undefined;
        this.text = ch.text;
        this.length = ch.text.length;
        this.fen = undefined;
        this.edits = [];
        this.logFrom = version;
        continue;
      }
      let { start, end } = ch.range;
      if (start.line > end.line || (start.line === end.line && start.character > end.character)) [start, end] = [end, start];
      const last = this.lines.length - 1;
      const clamp = (p: Position): [number, number] => {
        if (p.line > last) return [last, this.lines[last]!.length];
        const l = Math.max(0, p.line);
        return [l, Math.max(0, Math.min(p.character, contentLength(this.lines[l]!)))];
      };
      const [sl, sc] = clamp(start);
      const [el, ec] = clamp(end);
      const startOffset = this.startOf(sl) + sc;
      const endOffset = this.startOf(el) + ec;
      this.edits.push({ version, start: startOffset, end: endOffset, inserted: ch.text.length });
      this.length += ch.text.length - (endOffset - startOffset);
      const lineCount = this.lines.length;
      const oldLengths: number[] = [];
      for (let i = sl; i <= el; i++) oldLengths.push(this.lines[i]!.length);
      if (this.edits.length > EDIT_LOG) {
        this.edits.splice(0, this.edits.length - EDIT_LOG);
        this.logFrom = this.edits[0]!.version;
      }
      const joined = this.lines[sl]!.slice(0, sc) + ch.text + this.lines[el]!.slice(ec);
      const repl = splitLines(joined);
      // A line that ended in `\r` before the edit and is now followed by `\n`.
      if (repl[repl.length - 1] === '' && el < last) repl.pop();
      if (repl.length < 10_000) {
        this.lines.splice(sl, el - sl + 1, ...repl);
      } else {
        this.lines = this.lines.slice(0, sl).concat(repl, this.lines.slice(el + 1));
      }
      let joinedBreak = false;
      // An edit may join a `\r` with the `\n` that follows it: one line break, not two.
      for (const i of [sl - 1, sl + repl.length - 1]) {
        const a = this.lines[i];
        const b = this.lines[i + 1];
        if (a !== undefined && b !== undefined && a.endsWith('\r') && b.startsWith('\n')) {
          this.lines.splice(i, 2, `${a}\n`, ...(b.length > 1 ? [b.slice(1)] : []));
          joinedBreak = true;
        }
      }
      if (this.lines.length === 0) this.lines.push('');
      this.text = undefined;
      // The same lines, other lengths: update the tree; otherwise build it again when needed.
      const f = this.fen;
      if (f && !joinedBreak && repl.length === el - sl + 1 && this.lines.length === lineCount) {
        const n = f.length - 1;
        for (let k = sl; k <= el; k++) {
          const d = this.lines[k]!.length - oldLengths[k - sl]!;
          if (d !== 0) for (let i = k + 1; i <= n; i += i & -i) f[i]! += d;
        }
      } else this.fen = undefined;
    }
    this.version = version;
  }
}

export const LINE_DOCUMENTS = {
  create: (uri: string, languageId: string, version: number, content: string): LineDocument => new LineDocument(uri, languageId, version, content),
  update: (doc: LineDocument, changes: TextDocumentContentChangeEvent[], version: number): LineDocument => {
    doc.update(changes, version);
    return doc;
  },
};

/** An offset of the text after `edits` back to the text before them; undefined inside an edited span. */
export function offsetBefore(edits: AppliedEdit[], offset: number): number | undefined {
  for (let i = edits.length - 1; i >= 0; i--) {
    const e = edits[i]!;
    if (offset < e.start) continue;
    if (offset >= e.start + e.inserted) offset = offset - e.inserted + (e.end - e.start);
    else return undefined;
  }
  return offset;
}

/** An offset of the text before `edits` to the text after them (inside an edited span: its start). */
export function offsetAfter(edits: AppliedEdit[], offset: number): number {
  for (const e of edits) {
    if (offset < e.start) continue;
    offset = offset >= e.end ? offset + e.inserted - (e.end - e.start) : e.start;
  }
  return offset;
}
