// Per-declaration parsing (language.md §2 leaves recovery to us): the text is cut into
// top-level chunks — a new chunk at each line that starts a declaration outside braces, or
// at column 0 inside braces left open — and each chunk is parsed on its own, so a syntax
// error stays in its declaration and every other declaration parses as if it were not
// there. This is the parse: `lifetime check` (a fresh ChunkedParser) and the language
// server (one kept per document, reusing the chunks whose text did not change, their
// nodes moved to their new place) give the same trees and the same messages.
//
// - A chunk's end is not the end of the file: an error there says what follows ("found the
//   keyword `thread`"), at its place, as a whole-file parse would.
// - A cut that split one declaration (`drm card0` / `on gpu0` on the next line) shows as an
//   error at the end of one chunk and an error at the start of the next: the two are merged
//   and parsed as one.

import { DECL_KEYWORDS } from './lexer';
import type { Block, Decl, Range, Stmt } from './ast';
import type { ParseResult } from './parser';

/** A chunk parsed alone, with what the merging rule needs. */
export interface PieceResult extends ParseResult {
  /** an error at the end of the piece (chevrotain's EOF token) */
  endError: boolean;
  /** an error at the piece's first token */
  startError: boolean;
}

/** What follows a piece: the next chunk's first token (a declaration keyword) and the blanks before it. */
export interface NextHead {
  keyword: string;
  blanks: number;
}

export type PieceParser = (text: string, next: NextHead | undefined) => PieceResult;

interface Chunk {
  text: string;
  /** the key it was parsed under: its text and what follows it */
  key: string;
  /** where its nodes currently are: the offset and 1-based line of its first character */
  offset: number;
  line: number;
  /** its positions are its own (copied at its first move), so it may be moved in place */
  owned: boolean;
  parsed: PieceResult;
}

// Not at the soft keyword `ptimer`: a line may start with it as a name (`read` / `ptimer`), and
// a `ptimer` declaration then only shares its chunk with the declaration before it.
// Nor at an `on` that no handler event follows: a declaration cut before its `on` (`irq i` /
// `on d {`, `drm c` / `on d`) goes on in the next line, which must not start a chunk of its own;
// nor at `timer` or `irq` before a `/` (`expect … in` / `timer/t`: a callback thread's name).
const DECL_HEAD =
  `(?:${DECL_KEYWORDS.filter((k) => k !== 'on').join('|')}|on(?=\\s+(?:remove|close|release)(?![A-Za-z0-9_])))` +
  `(?![A-Za-z0-9_])(?!\\s*\\/(?![/*]))`;
const DECL_START = new RegExp(`^[ \\t]*${DECL_HEAD}`);
const DECL_AT_COLUMN_0 = new RegExp(`^${DECL_HEAD}`);

/** Offsets (with their 1-based lines) of the chunk starts of `text`; the first is 0. */
export function chunkStarts(text: string): { offset: number; line: number }[] {
  const out = [{ offset: 0, line: 1 }];
  let depth = 0;
  let line = 1;
  let i = 0;
  const n = text.length;
  let lineStart = true;
  while (i < n) {
    if (lineStart) {
      lineStart = false;
      if (i > 0) {
        // At depth 0 any line that starts with a declaration keyword; inside braces, one
        // that starts at column 0 (a block left open: the declaration ends there).
        const head = text.slice(i, i + 48);
        if (depth === 0 ? DECL_START.test(head) : DECL_AT_COLUMN_0.test(head)) {
          out.push({ offset: i, line });
          depth = 0;
        }
      }
    }
    const ch = text.charCodeAt(i);
    if (ch === 10 || ch === 13) {
      if (ch === 13 && text.charCodeAt(i + 1) === 10) i++;
      i++;
      line++;
      lineStart = true;
    } else if (ch === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
    } else if (ch === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      i += 2;
      while (i < n && !(text.charCodeAt(i) === 42 && text.charCodeAt(i + 1) === 47)) {
        const c = text.charCodeAt(i);
        if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
        i++;
      }
      i += 2;
    } else if (ch === 34 /* " */) {
      i++;
      while (i < n) {
        const c = text.charCodeAt(i);
        // an escape never takes the line break: a string ends at its line (language.md §1)
        if (c === 92 && text.charCodeAt(i + 1) !== 10 && text.charCodeAt(i + 1) !== 13) i += 2;
        else if (c === 92) i++;
        else if (c === 34) {
          i++;
          break;
        } else if (c === 10 || c === 13) break;
        else i++;
      }
    } else {
      if (ch === 123) depth++;
      else if (ch === 125 && depth > 0) depth--;
      i++;
    }
  }
  return out;
}

// Moving a chunk's nodes. A freshly parsed chunk is moved by copying: every Range gets
// new Position objects of its own (the parser shares positions between ranges — a
// statement's range starts with its keyword's — and a few module-level ones between
// trees). After that no position is shared, so a reused chunk is moved in place, without
// allocating. Range objects themselves are not shared once a node is finished, except a
// statement's range with its keywordRange before `finish`, which is checked. The walker
// follows the AST's shape (grammar/ast.ts); a test compares the result with a whole-file
// parse after random edits.

let dO = 0;
let dL = 0;
let copying = false;

function sr(r: Range | undefined): void {
  if (!r) return;
  const a = r.start;
  const b = r.end;
  if (copying) {
    r.start = { line: a.line + dL, column: a.column, offset: a.offset + dO };
    r.end = a === b ? r.start : { line: b.line + dL, column: b.column, offset: b.offset + dO };
    return;
  }
  a.offset += dO;
  a.line += dL;
  if (b !== a) {
    b.offset += dO;
    b.line += dL;
  }
}

function node(n: { range: Range } | undefined): void {
  if (n) sr(n.range);
}

function block(b: Block): void {
  sr(b.range);
  for (const s of b.stmts) stmt(s);
}

function stmt(s: Stmt): void {
  sr(s.range);
  if (s.keywordRange !== s.range) sr(s.keywordRange);
  switch (s.kind) {
    case 'open':
      node(s.file);
      node(s.target);
      return;
    case 'ioctl':
      node(s.file);
      block(s.body);
      return;
    case 'enter':
    case 'access':
      node(s.target);
      block(s.body);
      if (s.elseBody) block(s.elseBody);
      sr(s.elseRange);
      return;
    case 'wait':
    case 'poll':
      node(s.target);
      node(s.timeout);
      return;
    case 'queue':
    case 'arm':
      node(s.target);
      node(s.after);
      return;
    case 'sleep':
      node(s.duration);
      return;
    case 'repeat':
      node(s.count);
      block(s.body);
      return;
    case 'log':
      node(s.text);
      return;
    default:
      node(s.target);
  }
}

function decl(d: Decl): void {
  sr(d.range);
  switch (d.kind) {
    case 'module':
    case 'device':
    case 'mutex':
    case 'spinlock':
    case 'completion':
      node(d.name);
      return;
    case 'driver':
      node(d.name);
      node(d.module);
      node(d.device);
      for (const o of d.options) {
        sr(o.range);
        node(o.name);
        sr(o.valueRange);
      }
      return;
    case 'drm':
    case 'revocable':
    case 'cdev':
      node(d.name);
      node(d.device);
      return;
    case 'ptimer':
      if (d.keywordRange !== d.range) sr(d.keywordRange);
      node(d.name);
      node(d.revocable);
      return;
    case 'timer':
      node(d.name);
      node(d.driver);
      block(d.body);
      return;
    case 'irq':
    case 'attr':
      node(d.name);
      node(d.device);
      block(d.body);
      return;
    case 'kref':
      node(d.name);
      node(d.driver);
      return;
    case 'fence':
      node(d.name);
      node(d.device);
      node(d.takes);
      return;
    case 'data':
      node(d.name);
      node(d.owner);
      return;
    case 'work':
      node(d.name);
      node(d.driver);
      block(d.body);
      return;
    case 'handler':
      sr(d.eventRange);
      node(d.target);
      block(d.body);
      return;
    case 'thread':
      node(d.name);
      node(d.description);
      block(d.body);
      return;
    case 'expect':
      sr(d.outcomeRange);
      node(d.thread);
      if (d.callback) sr(d.callback.range);
      return;
    default: {
      // tsc fails here when a declaration kind is not moved (no throw: parsing never throws)
      const unhandled: never = d;
      void unhandled;
    }
  }
}

function move(c: Chunk, offset: number, line: number): void {
  const copy = !c.owned;
  c.owned = true;
  dO = offset - c.offset;
  dL = line - c.line;
  if (dO === 0 && dL === 0 && !copy) return;
  copying = copy;
  const { file, comments } = c.parsed;
  for (const d of file.decls) decl(d);
  for (const cm of comments) sr(cm.range);
  for (const d of c.parsed.diagnostics) sr(d.range);
  node(file.scenario);
  // Not the chunk's own range start: the parser shares that object between trees.
  const e = file.range.end;
  file.range.end = { line: e.line + dL, column: e.column, offset: e.offset + dO };
  c.offset = offset;
  c.line = line;
}


function headOf(text: string, from: number): NextHead | undefined {
  const m = /^[ \t]*([A-Za-z_]+)/.exec(text.slice(from, from + 40));
  return m ? { keyword: m[1]!, blanks: m[0].length - m[1]!.length } : undefined;
}

export class ChunkedParser {
  private chunks: Chunk[] = [];
  /** how many chunks the last parse reused (for tests and the bench) */
  reused = 0;

  constructor(private readonly parsePiece: PieceParser) {}

  /**
   * Parses `text`, reusing unchanged chunks of the previous call. The nodes of reused
   * chunks are moved in place: trees returned by earlier calls must no longer be used.
   */
  parse(text: string): ParseResult {
    const starts = chunkStarts(text);
    const pool = new Map<string, Chunk[]>();
    for (const c of this.chunks) {
      const list = pool.get(c.key);
      if (list) list.push(c);
      else pool.set(c.key, [c]);
    }
    let reused = 0;
    const get = (from: number, to: number): Chunk => {
      const chunkText = text.slice(from, to);
      const next = to < text.length ? headOf(text, to) : undefined;
      // What follows is part of the key: an error at the chunk's end names that keyword.
      const key = next ? `${chunkText}\u0000${next.keyword}\u0000${next.blanks}` : chunkText;
      const have = pool.get(key)?.pop();
      if (have) return have;
      return { text: chunkText, key, offset: 0, line: 1, owned: false, parsed: this.parsePiece(chunkText, next) };
    };
    const next: Chunk[] = [];
    let k = 0;
    while (k < starts.length) {
      const { offset, line } = starts[k]!;
      let to = k + 1 < starts.length ? starts[k + 1]!.offset : text.length;
      let c = get(offset, to);
      // One declaration cut in two: merge with the next chunk while the cut shows.
      while (k + 1 < starts.length && c.parsed.endError) {
        const after = k + 2 < starts.length ? starts[k + 2]!.offset : text.length;
        const following = get(to, after);
        if (!following.parsed.startError) {
          // Not merged: it is the next chunk, taken again from the pool.
          const list = pool.get(following.key);
          if (list) list.push(following);
          else pool.set(following.key, [following]);
          break;
        }
        k++;
        to = after;
        c = get(offset, to);
      }
      if (c.owned) reused++;
      move(c, offset, line);
      next.push(c);
      k++;
    }
    this.chunks = next;
    this.reused = reused;
    const last = next[next.length - 1]!.parsed.file;
    const scenario = next[0]!.parsed.file.scenario;
    return {
      file: {
        range: { start: { line: 1, column: 1, offset: 0 }, end: { ...last.range.end } },
        decls: next.flatMap((c) => c.parsed.file.decls),
        ...(scenario ? { scenario } : {}),
      },
      diagnostics: next.flatMap((c) => c.parsed.diagnostics),
      comments: next.flatMap((c) => c.parsed.comments),
    };
  }
}
