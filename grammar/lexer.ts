// Tokens of a `.lifetime` file (language.md §1) and the lexer built from them.
//
// The lexer never throws: characters it cannot match, unterminated strings and comments,
// and unknown string escapes become `syntax` diagnostics, and the token stream goes on.

import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';
import type { Diagnostic, Position, Range, StmtKind } from './ast';
import { STMT_KINDS, STMTS, type StmtSyntax } from './statements';

// ---------------------------------------------------------------- token types

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  // \ufeff: a BOM at the start of a file is not an error.
  pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

/** The token group that holds comments; the formatter and the language server read it. */
export const COMMENT_GROUP = 'comments';

export const LineComment = createToken({
  name: 'LineComment',
  pattern: /\/\/[^\r\n]*/,
  group: COMMENT_GROUP,
  line_breaks: false,
});

// An unterminated `/*` runs to the end of the text (one diagnostic) rather than turning the
// rest of the file into a stream of unexpected-character errors.
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*(?:[\s\S]*?\*\/|[\s\S]*)/,
  group: COMMENT_GROUP,
  line_breaks: true,
});

// Unterminated strings (and a trailing lone backslash) are still strings, so the parser sees
// the shape it expects; the lexer reports them.
export const StringTok = createToken({
  name: 'String',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?"?/,
  label: 'a string',
  line_breaks: false,
});

const WORD_END = '(?![A-Za-z0-9_])';
const DIGITS = '[0-9](?:_?[0-9])*';

export const DurationTok = createToken({
  name: 'Duration',
  pattern: new RegExp(`${DIGITS}(?:ns|us|ms|s)${WORD_END}`),
  label: 'a duration such as `5ms`',
});

export const IntegerTok = createToken({
  name: 'Integer',
  pattern: new RegExp(`${DIGITS}${WORD_END}`),
  label: 'a number',
});

// `12abc`, `1_`, `10 sec`-style typos: one token, so the parser says "expected a duration but
// found `12abc`" instead of splitting it into a number and a name.
export const BadNumber = createToken({
  name: 'BadNumber',
  pattern: /[0-9][0-9A-Za-z_]*/,
  label: 'a malformed number',
});

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: 'a name',
});

/** A hyphenated lower-case word, `use-after-free`: only valid as a fault kind after `expect`. */
export const FaultWord = createToken({
  name: 'FaultWord',
  pattern: new RegExp(`[a-z]+(?:-[a-z]+)+${WORD_END}`),
  label: 'a fault kind',
});

export const LBrace = createToken({ name: 'LBrace', pattern: '{', label: '`{`' });
export const RBrace = createToken({ name: 'RBrace', pattern: '}', label: '`}`' });
export const Colon = createToken({ name: 'Colon', pattern: ':', label: '`:`' });
/** Only in a callback thread's name, `timer/watchdog` (comments are lexed first). */
export const Slash = createToken({ name: 'Slash', pattern: '/', label: '`/`' });

// Token categories: several keywords that play the same grammatical role share a category,
// so one CONSUME covers them and the keyword's image is the AST kind.
export const SimpleStmtKw = createToken({ name: 'SimpleStmtKw', pattern: Lexer.NA, label: 'a statement keyword' });
export const GuardKw = createToken({ name: 'GuardKw', pattern: Lexer.NA, label: '`enter` or `access`' });
export const WaitKw = createToken({ name: 'WaitKw', pattern: Lexer.NA, label: '`wait` or `poll`' });
/** `queue` and (version 2) `arm`: a keyword, a name and an optional `after DURATION`. */
export const DelayKw = createToken({ name: 'DelayKw', pattern: Lexer.NA, label: '`queue` or `arm`' });
export const HandlerEventKw = createToken({
  name: 'HandlerEventKw',
  pattern: Lexer.NA,
  label: '`remove`, `close` or `release`',
});
/** `module`, `device`, `mutex`, `spinlock`, `completion`: a keyword and a name. */
export const BareDeclKw = createToken({ name: 'BareDeclKw', pattern: Lexer.NA, label: 'a declaration keyword' });
/** `drm`, `revocable`, `ptimer`, `cdev`: a keyword, a name, `on` and a name. */
export const OnDeclKw = createToken({ name: 'OnDeclKw', pattern: Lexer.NA, label: 'a declaration keyword' });
export const ExpectModeKw = createToken({ name: 'ExpectModeKw', pattern: Lexer.NA, label: '`run` or `explore`' });
export const ManagedKw = createToken({ name: 'ManagedKw', pattern: Lexer.NA, label: '`devm` or `drmm`' });
export const BoolKw = createToken({ name: 'BoolKw', pattern: Lexer.NA, label: '`yes` or `no`' });

/** The token categories of a statement keyword, by its syntax shape (the statement table's). */
const STMT_CATEGORY: Readonly<Record<StmtSyntax, TokenType[]>> = {
  simple: [SimpleStmtKw], guard: [GuardKw], wait: [WaitKw], queue: [DelayKw],
  open: [], ioctl: [], rmmod: [], signal: [], cancel: [], sleep: [], repeat: [], log: [],
};

const CATEGORY_OF: Record<string, TokenType[]> = {
  ...Object.fromEntries(STMT_KINDS.map((k) => [k, STMT_CATEGORY[STMTS[k].syntax]])),
  close: [SimpleStmtKw, HandlerEventKw],
  remove: [HandlerEventKw],
  release: [HandlerEventKw],
  module: [BareDeclKw],
  device: [BareDeclKw],
  mutex: [BareDeclKw],
  spinlock: [BareDeclKw],
  completion: [BareDeclKw],
  drm: [OnDeclKw],
  revocable: [OnDeclKw],
  cdev: [OnDeclKw],
  run: [ExpectModeKw],
  explore: [ExpectModeKw],
  devm: [ManagedKw],
  drmm: [ManagedKw],
  yes: [BoolKw],
  no: [BoolKw],
};

/** Reserved words that are not statement keywords (those come from the statement table). */
const OTHER_KEYWORDS = [
  'scenario', 'module', 'device', 'driver', 'in', 'binds', 'drm', 'on', 'revocable', 'timer', 'fence',
  'takes', 'data', 'devm', 'drmm', 'work', 'mutex', 'remove', 'release', 'thread', 'expect',
  'run', 'explore', 'clean', 'yes', 'no', 'else', 'force', 'timeout', 'error', 'after',
  // version 2 (language.md §9); `ptimer` is soft (PtimerKw), `kworker` only a name
  'irq', 'kref', 'spinlock', 'completion', 'cdev', 'attr', 'threaded', 'nosync',
] as const;

/** Every reserved word of the grammar (language.md §2), in no particular order. */
export const KEYWORDS: readonly Keyword[] = [...OTHER_KEYWORDS, ...STMT_KINDS];

export type Keyword = (typeof OTHER_KEYWORDS)[number] | StmtKind;

/** Keywords that start a top-level declaration (also the parser's re-sync points). */
export const DECL_KEYWORDS: readonly Keyword[] = [
  'module', 'device', 'driver', 'drm', 'revocable', 'timer', 'fence', 'data', 'work', 'mutex', 'on',
  'thread', 'expect', 'irq', 'kref', 'spinlock', 'completion', 'cdev', 'attr',
];

/**
 * `ptimer`: a soft keyword (language.md §9). It starts a declaration at top level, and is a
 * name everywhere else (version-1 files called their PTIMER `ptimer`): its token is in the
 * Identifier category, so every place that takes a name takes it.
 */
export const PtimerKw = createToken({
  name: 'Kw_ptimer',
  pattern: 'ptimer',
  longer_alt: Identifier,
  label: '`ptimer`',
  categories: [Identifier, OnDeclKw],
});

/**
 * Keywords that the parser takes as a (wrongly) declared name, `thread log {`, reporting one
 * error instead of losing the declaration: all but those that start a declaration or may
 * follow a declared name (`on`, `in`, `devm`, `drmm`).
 */
export const KeywordAsName = createToken({ name: 'KeywordAsName', pattern: Lexer.NA, label: 'a name' });
const NOT_AS_NAME = new Set<string>([...DECL_KEYWORDS, 'scenario', 'in', 'devm', 'drmm']);

/** Keyword token types by keyword. */
export const KW = {} as Record<Keyword, TokenType>;
for (const k of KEYWORDS) {
  KW[k] = createToken({
    name: `Kw_${k}`,
    pattern: k,
    // `timer_cb` and `modules` are names, not a keyword followed by more text.
    longer_alt: Identifier,
    label: `\`${k}\``,
    categories: [...(CATEGORY_OF[k] ?? []), ...(NOT_AS_NAME.has(k) ? [] : [KeywordAsName])],
  });
}

// Longest keywords first: with `longer_alt`, `drm` listed before `drmm` would lex `drmm` as
// a name, and `module` before `module_put` likewise.
const keywordTokens = [...KEYWORDS].sort((a, b) => b.length - a.length).map((k) => KW[k]);

/** Token types in lexing order (first match wins, keywords defer to longer names). */
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  StringTok,
  DurationTok,
  IntegerTok,
  BadNumber,
  FaultWord,
  ...keywordTokens,
  PtimerKw,
  Identifier,
  LBrace,
  RBrace,
  Colon,
  Slash,
];

/** Token types the parser knows (the categories included). */
export const parserTokens: TokenType[] = [
  ...allTokens,
  SimpleStmtKw,
  GuardKw,
  WaitKw,
  DelayKw,
  HandlerEventKw,
  BareDeclKw,
  OnDeclKw,
  ExpectModeKw,
  ManagedKw,
  BoolKw,
  KeywordAsName,
];

const lexer = new Lexer(allTokens, {
  // Start positions only: ends follow from the image (tokens other than comments are on one
  // line), which saves the lexer work and every token three fields.
  positionTracking: 'onlyStart',
  // Fails at load time (not on a user's file) if a pattern loses the first-char optimisation.
  ensureOptimizations: true,
  // chevrotain's default line terminators, /\n|\r\n?/g, match lineStarts() below.
});

// ---------------------------------------------------------------- positions

/** Start positions of each line: offsets after `\n`, `\r\n` or a lone `\r` (as LSP counts). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** A function from offsets to positions for one text (binary search over line starts). */
export function positionMapper(text: string): (offset: number) => Position {
  const starts = lineStarts(text);
  return (offset: number): Position => {
    const o = Math.max(0, Math.min(text.length, Number.isFinite(offset) ? Math.floor(offset) : text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - starts[lo]! + 1, offset: o };
  };
}

/** The position of `offset` in `text` (clamped to the text). O(n): use `positionMapper` for many. */
export function offsetToPosition(text: string, offset: number): Position {
  return positionMapper(text)(offset);
}

/** The offset of a 1-based line and column in `text` (clamped to the text). */
export function positionToOffset(text: string, line: number, column: number): number {
  const starts = lineStarts(text);
  const l = Math.max(1, Math.min(starts.length, Math.floor(line)));
  const lineStart = starts[l - 1]!;
  const lineEnd = l < starts.length ? starts[l]! : text.length;
  return Math.max(lineStart, Math.min(lineEnd, lineStart + Math.max(1, Math.floor(column)) - 1));
}

/** Whether a token comes from the text (not inserted by the parser's recovery, not EOF). */
export function isRealToken(t: IToken | undefined): t is IToken {
  return t !== undefined && t.startOffset >= 0 && !t.isInsertedInRecovery && Number.isFinite(t.startOffset);
}

export function tokenStart(t: IToken): Position {
  return { line: t.startLine ?? 1, column: t.startColumn ?? 1, offset: t.startOffset };
}

/** Exclusive end of a token that does not span lines (every token but comments). */
export function tokenEnd(t: IToken): Position {
  const n = t.image.length;
  return { line: t.startLine ?? 1, column: (t.startColumn ?? 1) + n, offset: t.startOffset + n };
}

export function tokenRange(t: IToken): Range {
  const line = t.startLine ?? 1;
  const column = t.startColumn ?? 1;
  const n = t.image.length;
  return { start: { line, column, offset: t.startOffset }, end: { line, column: column + n, offset: t.startOffset + n } };
}

/** Exclusive end of a token that may span lines (block comments). */
function multilineEnd(t: IToken): Position {
  const img = t.image;
  let line = t.startLine ?? 1;
  let lineStart = -(t.startColumn ?? 1) + 1; // offset in img where the token's line starts
  for (let i = 0; i < img.length; i++) {
    const c = img.charCodeAt(i);
    if (c === 10 || (c === 13 && img.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: img.length - lineStart + 1, offset: t.startOffset + img.length };
}

// ---------------------------------------------------------------- lexing

export interface Comment {
  /** as written, delimiters included */
  text: string;
  block: boolean;
  range: Range;
}

export interface LexResult {
  /** tokens for the parser: no whitespace, no comments */
  tokens: IToken[];
  comments: Comment[];
  diagnostics: Diagnostic[];
}

function syntax(message: string, range: Range): Diagnostic {
  return { code: 'syntax', severity: 'error', message, range };
}

function show(s: string): string {
  const shown = s.length > 20 ? `${s.slice(0, 20)}…` : s;
  // Invisible and control characters by code point, so the message says what is there.
  if (/^[\s\p{C}]+$/u.test(shown)) {
    return [...shown].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ');
  }
  return `\`${shown.replace(/[\r\n\t]/g, ' ')}\``;
}

/** Unescapes a string token (`\"` and `\\`); reports other escapes and a missing quote. */
export function stringValue(t: IToken, diagnostics?: Diagnostic[]): string {
  const img = t.image;
  const closed = img.length >= 2 && img.endsWith('"') && !isEscapedQuoteAtEnd(img);
  const inner = img.slice(1, closed ? -1 : undefined);
  if (!inner.includes('\\')) {
    if (!closed && diagnostics && isRealToken(t)) diagnostics.push(syntax('unterminated string: add a closing `"` on the same line', tokenRange(t)));
    return inner;
  }
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = inner[i + 1];
    if (next === '"' || next === '\\') {
      out += next;
      i++;
    } else if (next === undefined) {
      out += '\\';
    } else {
      // Unknown escape: keep both characters, so the text reads as written.
      if (diagnostics && isRealToken(t)) {
        const at = t.startOffset + 1 + i;
        diagnostics.push(
          syntax(`unknown escape \`\\${next}\` in a string: only \`\\"\` and \`\\\\\` are escapes`, {
            start: { line: t.startLine ?? 1, column: (t.startColumn ?? 1) + 1 + i, offset: at },
            end: { line: t.startLine ?? 1, column: (t.startColumn ?? 1) + 3 + i, offset: at + 2 },
          }),
        );
      }
      out += c + next;
      i++;
    }
  }
  if (!closed && diagnostics && isRealToken(t)) diagnostics.push(syntax('unterminated string: add a closing `"` on the same line', tokenRange(t)));
  return out;
}

// `"abc\"` is unterminated: its last quote is escaped.
function isEscapedQuoteAtEnd(img: string): boolean {
  let backslashes = 0;
  for (let i = img.length - 2; i >= 1 && img[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** Lexes `text`. Never throws. */
export function lex(text: string): LexResult {
  const diagnostics: Diagnostic[] = [];
  const result = lexer.tokenize(text);
  if (result.errors.length) {
    const at = positionMapper(text);
    for (const e of result.errors) {
      const start = at(e.offset);
      const end = at(e.offset + Math.max(1, e.length));
      const chars = text.slice(start.offset, end.offset);
      diagnostics.push(syntax(`unexpected character${chars.length > 1 ? 's' : ''} ${show(chars)}`, { start, end }));
    }
  }
  const comments: Comment[] = [];
  const raw = result.groups[COMMENT_GROUP] ?? [];
  for (const t of raw) {
    const block = t.tokenType === BlockComment;
    const range: Range = { start: tokenStart(t), end: block ? multilineEnd(t) : tokenEnd(t) };
    if (block && (t.image.length < 4 || !t.image.endsWith('*/'))) {
      diagnostics.push(syntax('unterminated comment: `/*` has no closing `*/`', range));
    }
    comments.push({ text: t.image, block, range });
  }
  for (const t of result.tokens) {
    if (t.tokenType === StringTok && (t.image.length < 2 || !t.image.endsWith('"') || t.image.includes('\\'))) {
      stringValue(t, diagnostics);
    }
  }
  return { tokens: result.tokens, comments, diagnostics };
}

/** The comments of `text` with their ranges, in order. */
export function commentsOf(text: string): Comment[] {
  return lex(text).comments;
}
