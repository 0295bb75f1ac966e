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
  private offsets: number[] = [];
  private validTo = 0;

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

  /**
   * Line start offsets, valid for the lines before `validTo` (an edit invalidates those
   * after it; they are summed again up to where they are needed, without allocating).
   */
  private lineOffsets(upTo = this.lines.length - 1): number[] {
    const o = this.offsets;
    let i = this.validTo;
    if (i === 0) o[0] = 0;
    for (i = Math.max(i, 1); i <= upTo; i++) o[i] = o[i - 1]! + this.lines[i - 1]!.length;
    this.validTo = Math.max(this.validTo, upTo + 1);
    return o;
  }

  offsetAt(p: Position): number {
    const offsets = this.lineOffsets();
    if (p.line >= this.lines.length) return this.getText().length;
    if (p.line < 0) return 0;
    const line = this.lines[p.line]!;
    return offsets[p.line]! + Math.max(0, Math.min(p.character, contentLength(line)));
  }

  positionAt(offset: number): Position {
    const offsets = this.lineOffsets();
    offset = Math.max(0, Math.min(offset, this.getText().length));
    let lo = 0;
    let hi = this.lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offsets[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: Math.min(offset - offsets[lo]!, contentLength(this.lines[lo]!)) };
  }

  /** Applies the changes of one didChange, in order. */
  update(changes: TextDocumentContentChangeEvent[], version: number): void {
    for (const ch of changes) {
      if (!('range' in ch) || !ch.range) {
        this.split = undefined;
        this.text = ch.text;
        this.length = ch.text.length;
        this.offsets = [];
        this.validTo = 0;
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
      const offsets = this.lineOffsets(el);
      this.edits.push({ version, start: offsets[sl]! + sc, end: offsets[el]! + ec, inserted: ch.text.length });
      this.length += ch.text.length - (offsets[el]! + ec - (offsets[sl]! + sc));
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
        if (repl.length !== el - sl + 1) this.offsets.splice(sl + 1, el - sl, ...new Array<number>(repl.length - 1).fill(0));
      } else {
        this.lines = this.lines.slice(0, sl).concat(repl, this.lines.slice(el + 1));
        this.offsets = this.offsets.slice(0, sl + 1);
      }
      // An edit may join a `\r` with the `\n` that follows it: one line break, not two.
      for (const i of [sl - 1, sl + repl.length - 1]) {
        const a = this.lines[i];
        const b = this.lines[i + 1];
        if (a !== undefined && b !== undefined && a.endsWith('\r') && b.startsWith('\n')) this.lines.splice(i, 2, `${a}\n`, ...(b.length > 1 ? [b.slice(1)] : []));
      }
      if (this.lines.length === 0) this.lines.push('');
      this.text = undefined;
      // Lines from `sl` on changed: their starts after the first are summed again when needed.
      // (from `sl - 1` on when a line break was joined across the edit's start)
      this.validTo = Math.min(this.validTo, Math.max(0, sl));
      this.offsets.length = this.lines.length;
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
