// Go to definition, find references and rename, all from the analysis's resolved names
// (grammar/analysis.ts `Symbols`): nothing is resolved a second time here.

import { DocumentHighlightKind, ResponseError, ErrorCodes, type DocumentHighlight, type Location, type Range as LspRange, type WorkspaceEdit, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { bodyOf, walkStmts, type NamedDecl, type OpenStmt } from '../grammar/ast';
import type { SymbolRef } from '../grammar/analysis';
import { KEYWORDS } from '../grammar/lexer';
import { tokenAt, type Compiled } from './compiled';
import { IDENT_RE, toLspRange } from './convert';

function refAt(c: Compiled, offset: number): SymbolRef | undefined {
  const r = c.analysis?.symbols.refAt(offset);
  return r && r.ident.name !== '' ? r : undefined;
}

function declIdent(d: NamedDecl | OpenStmt) {
  return d.kind === 'open' ? d.file : d.name;
}

export function definition(c: Compiled, doc: TextDocument, offset: number): Location | null {
  const r = refAt(c, offset);
  if (!r?.decl) return null;
  return { uri: doc.uri, range: toLspRange(doc, declIdent(r.decl).range) };
}

export function references(c: Compiled, doc: TextDocument, offset: number, includeDeclaration: boolean): Location[] {
  const r = refAt(c, offset);
  if (!r?.decl || !c.analysis) return [];
  return c.analysis.symbols
    .referencesTo(r.decl)
    .filter((x) => includeDeclaration || !x.isDeclaration)
    .map((x) => ({ uri: doc.uri, range: toLspRange(doc, x.ident.range) }));
}

/**
 * Document highlights: the real references of the name under the cursor, from the resolved
 * names (never the same word in a comment, a string, or another body's file of that name);
 * the declaration is a write, every use a read. A name that resolves to nothing highlights
 * only itself.
 */
export function highlights(c: Compiled, doc: TextDocument, offset: number): DocumentHighlight[] {
  const r = refAt(c, offset);
  if (!r || !c.analysis) return [];
  const refs = r.decl ? c.analysis.symbols.referencesTo(r.decl) : [r];
  return refs.map((x) => ({ range: toLspRange(doc, x.ident.range), kind: x.isDeclaration ? DocumentHighlightKind.Write : DocumentHighlightKind.Read }));
}

function refuse(message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidRequest, message);
}

/** The range and current text of the name under the cursor, or an error saying why not. */
export function prepareRename(c: Compiled, doc: TextDocument, offset: number): { range: LspRange; placeholder: string } | ResponseError<void> {
  if (!c.analysis) return refuse('This file is too large to analyse.');
  const r = refAt(c, offset);
  if (!r) {
    const t = tokenAt(c, offset);
    if (t && (KEYWORDS as readonly string[]).includes(t.image)) return refuse(`\`${t.image}\` is a keyword of the language and cannot be renamed.`);
    return refuse('Nothing to rename here: put the cursor on a name.');
  }
  if (!r.decl) return refuse(`\`${r.ident.name}\` is not declared, so there is nothing to rename.`);
  return { range: toLspRange(doc, r.ident.range), placeholder: r.ident.name };
}

export function rename(c: Compiled, doc: TextDocument, offset: number, newName: string): WorkspaceEdit | ResponseError<void> {
  const prep = prepareRename(c, doc, offset);
  if (prep instanceof ResponseError) return prep;
  const a = c.analysis!;
  const r = refAt(c, offset)!;
  const decl = r.decl!;
  if (!IDENT_RE.test(newName)) return refuse(`\`${newName}\` is not a valid name: use letters, digits and \`_\`, not starting with a digit.`);
  if ((KEYWORDS as readonly string[]).includes(newName)) return refuse(`\`${newName}\` is a keyword and cannot be a name.`);
  if (newName === r.ident.name) return { changes: { [doc.uri]: [] } };
  const clash = clashOf(c, decl, newName);
  if (clash) return refuse(clash);
  const edits: TextEdit[] = a.symbols.referencesTo(decl).map((x) => ({ range: toLspRange(doc, x.ident.range), newText: newName }));
  return { changes: { [doc.uri]: edits } };
}

/** Why `newName` would collide with something, or undefined. */
function clashOf(c: Compiled, decl: NamedDecl | OpenStmt, newName: string): string | undefined {
  const a = c.analysis!;
  const top = a.symbols.byName.get(newName);
  // Top-level names share one namespace; a file may not take a top-level name either.
  if (top) return `\`${newName}\` is already the name of the ${top.kind} declared at line ${top.name.range.start.line}.`;
  if (decl.kind === 'open') {
    const owner = a.file.decls.find((d) => d.range.start.offset <= decl.range.start.offset && decl.range.end.offset <= d.range.end.offset);
    const body = owner && bodyOf(owner);
    const other = body && a.symbols.fileOpens(body).get(newName);
    if (other) return `\`${newName}\` is already a file opened in this body (line ${other[0]!.range.start.line}).`;
    return undefined;
  }
  // A top-level name must not take the name of a file opened anywhere.
  for (const d of a.file.decls) {
    const body = bodyOf(d);
    if (!body) continue;
    let line = 0;
    walkStmts(body, (s) => {
      if (!line && s.kind === 'open' && s.file.name === newName) line = s.range.start.line;
    });
    if (line) return `\`${newName}\` is already the name of a file opened at line ${line}.`;
  }
  return undefined;
}
