// One compiled version of a document: parse + analysis (+ lints on demand), kept per
// version so that every request on that version shares the work.

import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, lex, parse, sortDiagnostics, type Analysis, type Comment, type Decl, type Diagnostic } from '../grammar/index';
import { IncrementalParser } from './incremental';
import { lint, type LintDiagnostic } from './lints';

/** Same bound as the command line (cli/files.ts): scenarios are small, a huge file is a mistake. */
export const MAX_TEXT_CHARS = 4 * 1024 * 1024;

export interface Compiled {
  uri: string;
  version: number;
  text: string;
  /** undefined when the text is too large to analyse */
  analysis: Analysis | undefined;
  comments: Comment[];
  /** syntax and static errors, sorted */
  errors: Diagnostic[];
  hasSyntaxErrors: boolean;
  /** lints are the second half of a check; computed once, on first need */
  lints?: LintDiagnostic[];
}

/**
 * Compiles one version. With `parser`, unchanged top-level declarations of the previous
 * version are reused (server/incremental.ts): the previous version's tree is then moved in
 * place, so only the newest `Compiled` of a document may be used.
 */
export function compileText(uri: string, version: number, text: string, parser?: IncrementalParser): Compiled {
  if (text.length > MAX_TEXT_CHARS) {
    return { uri, version, text, analysis: undefined, comments: [], errors: [], hasSyntaxErrors: false };
  }
  const parsed = parser ? parser.parse(text) : parse(text);
  const analysis = analyze(parsed.file, parser?.analysis);
  const errors = sortDiagnostics([...parsed.diagnostics, ...analysis.diagnostics]);
  const full: Analysis = { ...analysis, diagnostics: errors };
  return {
    uri,
    version,
    text,
    analysis: full,
    comments: parsed.comments,
    errors,
    hasSyntaxErrors: errors.some((d) => d.code === 'syntax'),
  };
}

export function lintsOf(c: Compiled): LintDiagnostic[] {
  if (!c.analysis) return [];
  c.lints ??= lint(c.analysis, c.text);
  return c.lints;
}

/** Caches the latest compiled version of each open document. */
export class CompileCache {
  private byUri = new Map<string, Compiled>();
  private parsers = new Map<string, IncrementalParser>();

  get(doc: TextDocument): Compiled {
    const have = this.byUri.get(doc.uri);
    if (have && have.version === doc.version) return have;
    let parser = this.parsers.get(doc.uri);
    if (!parser) {
      parser = new IncrementalParser();
      this.parsers.set(doc.uri, parser);
    }
    const c = compileText(doc.uri, doc.version, doc.getText(), parser);
    this.byUri.set(doc.uri, c);
    return c;
  }

  peek(uri: string): Compiled | undefined {
    return this.byUri.get(uri);
  }

  delete(uri: string): void {
    this.byUri.delete(uri);
    this.parsers.delete(uri);
  }
}

/** The top-level declaration whose range holds `offset` (declarations are in source order). */
export function declAt(c: Compiled, offset: number): Decl | undefined {
  const decls = c.analysis?.file.decls ?? [];
  let lo = 0;
  let hi = decls.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const d = decls[mid]!;
    if (offset < d.range.start.offset) hi = mid - 1;
    else if (offset > d.range.end.offset) lo = mid + 1;
    else return d;
  }
  return undefined;
}

export interface TokenHere {
  image: string;
  /** chevrotain token type name: Identifier, Duration, Kw_get, … */
  type: string;
  start: number;
  end: number;
}

/**
 * The token under `offset` (its end included), lexing only the declaration around it;
 * undefined in whitespace and comments.
 */
export function tokenAt(c: Compiled, offset: number): TokenHere | undefined {
  if (!c.analysis) return undefined;
  const d = declAt(c, offset);
  const file = c.analysis.file;
  let from: number;
  let to: number;
  if (d) [from, to] = [d.range.start.offset, d.range.end.offset];
  else if (file.scenario && offset <= file.scenario.range.end.offset) [from, to] = [0, file.scenario.range.end.offset];
  else return undefined;
  const tokens = lex(c.text.slice(from, to)).tokens;
  let best: TokenHere | undefined;
  for (const t of tokens) {
    const start = from + t.startOffset;
    const end = start + t.image.length;
    if (start <= offset && offset <= end) {
      const here = { image: t.image, type: t.tokenType.name, start, end };
      // Between two tokens that touch (`x:`), prefer the word.
      if (!best || /^[A-Za-z_]/.test(here.image)) best = here;
    }
    if (start > offset) break;
  }
  return best;
}
