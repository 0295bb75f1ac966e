// Incremental parsing for the editor: the text is cut into top-level chunks (a new chunk
// at each line that starts a declaration at brace depth 0), each chunk is parsed on its
// own, and a chunk whose text did not change since the last version is reused — its
// nodes moved to their new place — instead of being lexed and parsed again. An edit inside
// one thread of a 10,000-line file then parses a few lines, not the file.
//
// Declarations are self-contained in the grammar, so for a file without syntax errors the
// chunks parse to exactly the nodes a whole-file parse gives. Whenever any chunk has a
// syntax error the whole text is parsed as one instead, so that error recovery and its
// messages are exactly those of `lifetime check`.

import { parse, type ParseResult } from '../grammar/parser';
import { DECL_KEYWORDS } from '../grammar/lexer';
import type { Block, Decl, Range, Stmt } from '../grammar/ast';

interface Chunk {
  text: string;
  /** where its nodes currently are: the offset and 1-based line of its first character */
  offset: number;
  line: number;
  parsed: ParseResult;
}

const DECL_START = new RegExp(`^[ \\t]*(?:${DECL_KEYWORDS.join('|')})(?![A-Za-z0-9_])`);

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
      if (depth === 0 && i > 0) {
        const head = text.slice(i, i + 24);
        if (DECL_START.test(head)) out.push({ offset: i, line });
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
        if (c === 92) i += 2;
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
      node(d.name);
      node(d.device);
      return;
    case 'timer':
      node(d.name);
      node(d.revocable);
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
      return;
  }
}

function move(c: Chunk, offset: number, line: number, copy: boolean): void {
  dO = offset - c.offset;
  dL = line - c.line;
  if (dO === 0 && dL === 0 && !copy) return;
  copying = copy;
  const { file, comments } = c.parsed;
  for (const d of file.decls) decl(d);
  for (const cm of comments) sr(cm.range);
  node(file.scenario);
  // Not the chunk's own range start: the parser shares that object between trees.
  const e = file.range.end;
  file.range.end = { line: e.line + dL, column: e.column, offset: e.offset + dO };
  c.offset = offset;
  c.line = line;
}

export class IncrementalParser {
  private chunks: Chunk[] = [];
  /** how many chunks the last parse reused (for tests and the bench) */
  reused = 0;

  /**
   * Parses `text`, reusing unchanged chunks of the previous call. The nodes of reused
   * chunks are moved in place: trees returned by earlier calls must no longer be used.
   */
  parse(text: string): ParseResult {
    const starts = chunkStarts(text);
    const pool = new Map<string, Chunk[]>();
    for (const c of this.chunks) {
      const list = pool.get(c.text);
      if (list) list.push(c);
      else pool.set(c.text, [c]);
    }
    const next: Chunk[] = [];
    let reused = 0;
    for (let k = 0; k < starts.length; k++) {
      const { offset, line } = starts[k]!;
      const end = k + 1 < starts.length ? starts[k + 1]!.offset : text.length;
      const chunkText = text.slice(offset, end);
      let c = pool.get(chunkText)?.pop();
      const fresh = !c;
      if (c) reused++;
      else {
        const parsed = parse(chunkText);
        // A syntax error, or a chunk that is not one declaration (`scenario` after the
        // start): parse the file as one, as the command line does.
        if (parsed.diagnostics.length || (k > 0 && parsed.file.scenario)) {
          this.chunks = [];
          this.reused = 0;
          return parse(text);
        }
        c = { text: chunkText, offset: 0, line: 1, parsed };
      }
      move(c, offset, line, fresh);
      next.push(c);
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
      diagnostics: [],
      comments: next.flatMap((c) => c.parsed.comments),
    };
  }
}
