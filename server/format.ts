// The formatter: one canonical layout, rebuilt from the tokens and comments with the syntax
// tree saying where each declaration, statement and driver option starts.
//
// - 2-space indentation per block; one declaration, statement or option per line;
// - tokens of a line separated by one space (`fops_owner: yes`, `} else {`, `{}` when empty),
//   but a callback thread's name is written as one word (`expect … in timer/t`);
// - blank lines kept as at most one, none just inside `{` or before `}`;
// - comments stay where they are: a comment on its own line stays on its own line (at the
//   indentation of the code around it), a trailing comment stays after the same token,
//   with the spacing its author gave it, and an own-line comment just below a trailing one
//   at the same column stays aligned with it (so hand-aligned comments stay aligned);
// - the file's line ending style, one newline at the end.
// Idempotent: formatting the output changes nothing. A file with syntax errors is left
// alone (no edits): guessing the structure of broken text could lose some of it.

import type { TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { bodyOf, childBlocks, type Block } from '../grammar/ast';
import { lex } from '../grammar/lexer';
import type { Compiled } from './compiled';

const INDENT = '  ';

interface Item {
  start: number;
  end: number;
  text: string;
  comment: 'line' | 'block' | undefined;
}

function lineBreaks(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 10) n++;
    else if (ch === 13 && s.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

/** The formatted text, or undefined when the file cannot be formatted (syntax errors). */
export function formatText(c: Compiled): string | undefined {
  const a = c.analysis;
  if (!a || c.hasSyntaxErrors) return undefined;
  const text = c.text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';

  // Offsets where a line must start.
  const starts = new Set<number>();
  const blocks = (b: Block) => {
    for (const s of b.stmts) {
      starts.add(s.range.start.offset);
      for (const x of childBlocks(s)) blocks(x);
    }
  };
  for (const d of a.file.decls) {
    starts.add(d.range.start.offset);
    if (d.kind === 'driver') for (const o of d.options) starts.add(o.range.start.offset);
    // every body: threads, handlers, work items, and version 2's timer callbacks, IRQ handlers, attribute shows
    const body = bodyOf(d);
    if (body) blocks(body);
  }

  const tokens = lex(text).tokens;
  // The first token (`scenario`, or the first declaration) starts a line too.
  if (tokens[0]) starts.add(tokens[0].startOffset);
  const items: Item[] = tokens.map((t) => ({ start: t.startOffset, end: t.startOffset + t.image.length, text: t.image, comment: undefined }));
  for (const cm of c.comments) items.push({ start: cm.range.start.offset, end: cm.range.end.offset, text: cm.text, comment: cm.block ? 'block' : 'line' });
  items.sort((x, y) => x.start - y.start);

  const lines: string[] = [];
  let cur = '';
  let depth = 0;
  let prev: Item | undefined;
  // The last trailing comment: its column in the output and in the original. An own-line
  // comment right below it at the same original column continues it, and stays aligned.
  let trail: { item: Item; col: number; origCol: number } | undefined;
  const origCol = (offset: number) => {
    let i = offset;
    while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
    return offset - i;
  };
  const newline = (indent: number, blank: boolean) => {
    lines.push(cur);
    if (blank) lines.push('');
    cur = INDENT.repeat(Math.max(0, indent));
  };

  for (const it of items) {
    const gap = prev ? text.slice(prev.end, it.start) : '';
    const breaks = lineBreaks(gap);
    // A blank line where the author left one, except at the start of a block or before its end.
    const blank = breaks >= 2 && prev !== undefined && prev.text !== '{' && it.text !== '}';
    if (!prev) {
      cur = it.text;
    } else if (it.comment) {
      if (breaks === 1 && trail?.item === prev && origCol(it.start) === trail.origCol) {
        newline(0, false);
        cur = ' '.repeat(trail.col) + it.text;
        trail = { item: it, col: trail.col, origCol: trail.origCol };
      } else if (breaks > 0 || prev.comment === 'line') {
        newline(depth, blank);
        cur += it.text;
      } else {
        // Trailing: keep the author's spacing (at least one space).
        cur += ' '.repeat(Math.max(1, gap.length));
        trail = { item: it, col: cur.length, origCol: origCol(it.start) };
        cur += it.text;
      }
    } else if (it.text === '}') {
      depth--;
      if (prev.text === '{' && !prev.comment) cur += '}';
      else {
        newline(depth, blank);
        cur += '}';
      }
    } else if (starts.has(it.start)) {
      newline(depth, blank);
      cur += it.text;
    } else if (prev.comment === 'line') {
      // A line comment in the middle of a declaration or statement: continue below it.
      newline(depth + 1, false);
      cur += it.text;
    } else if (it.text === ':') {
      cur += ':';
    } else if (it.text === '/' || (prev.text === '/' && !prev.comment)) {
      // a callback thread's name is one word: `timer/t`, `irq/i`, `kworker/w`
      cur += it.text;
    } else {
      cur += ' ' + it.text;
    }
    if (!it.comment && it.text === '{') depth++;
    prev = it;
  }
  if (prev) lines.push(cur);
  const out = lines.map((l) => l.replace(/[ \t]+$/, '')).join(eol);
  return out.length ? out + eol : '';
}

/** Edits that turn the document into its formatted text: one edit over the part that differs. */
export function formatEdits(c: Compiled, doc: TextDocument): TextEdit[] {
  const next = formatText(c);
  if (next === undefined) return [];
  const old = c.text;
  if (next === old) return [];
  let p = 0;
  const max = Math.min(old.length, next.length);
  while (p < max && old.charCodeAt(p) === next.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && old.charCodeAt(old.length - 1 - s) === next.charCodeAt(next.length - 1 - s)) s++;
  // Never split a `\r\n` pair.
  if (p > 0 && old[p - 1] === '\r') p--;
  if (s > 0 && old[old.length - s] === '\n' && old[old.length - s - 1] === '\r') s--;
  return [{ range: { start: doc.positionAt(p), end: doc.positionAt(old.length - s) }, newText: next.slice(p, next.length - s) }];
}
