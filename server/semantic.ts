// Semantic tokens (full document): keywords, names coloured by what they name, durations
// and numbers, strings, comments, fault kinds and driver options. Names map to standard
// token types so that every theme colours them without configuration.

import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { NameKind } from '../grammar/ast';
import { lex } from '../grammar/lexer';
import type { Compiled } from './compiled';

export const TOKEN_TYPES = [
  'keyword', 'namespace', 'class', 'type', 'struct', 'interface', 'property', 'event', 'variable', 'method',
  'function', 'parameter', 'number', 'string', 'comment', 'enumMember',
] as const;
export const TOKEN_MODIFIERS = ['declaration'] as const;

export const LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

type TokenType = (typeof TOKEN_TYPES)[number];
const T = Object.fromEntries(TOKEN_TYPES.map((t, i) => [t, i])) as Record<TokenType, number>;

/** What each kind of name is shown as (documented in docs/language-server.md). */
export const NAME_TOKEN: Record<NameKind, TokenType> = {
  module: 'namespace',
  device: 'class',
  driver: 'type',
  drm: 'struct',
  revocable: 'interface',
  ptimer: 'property',
  fence: 'event',
  data: 'variable',
  work: 'method',
  mutex: 'variable',
  thread: 'function',
  file: 'parameter',
  // version 2: callbacks are events (they fire), objects as their v1 likes
  timer: 'event',
  irq: 'event',
  kref: 'struct',
  spinlock: 'variable',
  completion: 'variable',
  cdev: 'interface',
  attr: 'property',
};

interface Raw {
  offset: number;
  length: number;
  type: number;
  mods: number;
}

export function semanticTokens(c: Compiled, doc: TextDocument): SemanticTokens {
  const a = c.analysis;
  if (!a) return { data: [] };
  const raws: Raw[] = [];
  const refs = a.symbols.refs;
  let ri = 0;
  const outcomes = new Set<number>();
  const options = new Set<number>();
  for (const d of a.file.decls) {
    if (d.kind === 'expect') outcomes.add(d.outcomeRange.start.offset);
    else if (d.kind === 'driver') for (const o of d.options) options.add(o.name.range.start.offset);
  }
  for (const t of lex(c.text).tokens) {
    const offset = t.startOffset;
    const length = t.image.length;
    const name = t.tokenType.name;
    let type: number | undefined;
    let mods = 0;
    if (name.startsWith('Kw_')) type = T.keyword;
    else if (name === 'Duration' || name === 'Integer') type = T.number;
    else if (name === 'String') type = T.string;
    else if (name === 'FaultWord') type = T.enumMember;
    else if (name === 'Identifier') {
      while (ri < refs.length && refs[ri]!.ident.range.start.offset < offset) ri++;
      const r = refs[ri];
      if (r && r.ident.range.start.offset === offset) {
        type = r.kind ? T[NAME_TOKEN[r.kind]] : T.variable;
        if (r.isDeclaration) mods = 1;
      } else if (outcomes.has(offset)) type = T.enumMember;
      else if (options.has(offset)) type = T.property;
    }
    if (type !== undefined) raws.push({ offset, length, type, mods });
  }
  for (const cm of c.comments) {
    // One token per line: clients need not support multi-line tokens.
    let start = cm.range.start.offset;
    const end = cm.range.end.offset;
    while (start < end) {
      let eol = start;
      while (eol < end && c.text[eol] !== '\n' && c.text[eol] !== '\r') eol++;
      if (eol > start) raws.push({ offset: start, length: eol - start, type: T.comment, mods: 0 });
      start = eol;
      while (start < end && (c.text[start] === '\n' || c.text[start] === '\r')) start++;
    }
  }
  raws.sort((x, y) => x.offset - y.offset);
  const data: number[] = [];
  let line = 0;
  let char = 0;
  for (const r of raws) {
    const p = doc.positionAt(r.offset);
    const dl = p.line - line;
    data.push(dl, dl === 0 ? p.character - char : p.character, r.length, r.type, r.mods);
    line = p.line;
    char = p.character;
  }
  return { data };
}
