// Completion from the tokens before the cursor: which keyword or kind of name the grammar
// allows there. Only the declaration around the cursor is lexed (declarations start at
// depth 0, where the parser re-syncs), so the cost does not grow with the file.

import { CompletionItemKind, type CompletionItem, type Range as LspRange } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { bodyOf, FAULT_KINDS, STMT_KINDS, type NameKind, type StmtKind } from '../grammar/ast';
import { STMT_TARGET_KINDS, type TargetedStmtKind } from '../grammar/analysis';
import { STMTS, SYNTAX_MODIFIER } from '../grammar/statements';
import { DECL_KEYWORDS, lex } from '../grammar/lexer';
import type { Compiled } from './compiled';
import { DECL_DOCS, FAULT_DOCS, HANDLER_DOCS, MISC_DOCS, OPTION_DOCS, STMT_DOCS } from './knowledge';

const NAME_ITEM_KIND: Record<NameKind, CompletionItemKind> = {
  module: CompletionItemKind.Module,
  device: CompletionItemKind.Class,
  driver: CompletionItemKind.Class,
  drm: CompletionItemKind.Struct,
  revocable: CompletionItemKind.Interface,
  ptimer: CompletionItemKind.Property,
  fence: CompletionItemKind.Event,
  data: CompletionItemKind.Variable,
  work: CompletionItemKind.Function,
  mutex: CompletionItemKind.Variable,
  thread: CompletionItemKind.Function,
  file: CompletionItemKind.File,
  timer: CompletionItemKind.Event,
  irq: CompletionItemKind.Event,
  kref: CompletionItemKind.Struct,
  spinlock: CompletionItemKind.Variable,
  completion: CompletionItemKind.Variable,
  cdev: CompletionItemKind.Interface,
  attr: CompletionItemKind.Property,
};

interface Tok {
  image: string;
  kw: boolean;
  type: string;
}

/** Statement keywords after which a name is required (`open` introduces a new one). */
const TARGETED = new Set<string>(Object.keys(STMT_TARGET_KINDS).filter((k) => k !== 'open'));
/** Tokens after which a value other than a name comes: nothing to offer. */
const VALUE_NEXT = new Set(['sleep', 'repeat', 'log', 'timeout', 'after', 'open', 'else', 'takes']);
/** Statement keywords whose operand is followed by a block, not by the next statement. */
const BLOCK_NEXT = new Set(['ioctl', 'enter', 'access', 'repeat']);

export function complete(c: Compiled, doc: TextDocument, offset: number): CompletionItem[] {
  const text = c.text;
  let start = offset;
  while (start > 0 && /[A-Za-z0-9_-]/.test(text[start - 1]!)) start--;
  const replace: LspRange = { start: doc.positionAt(start), end: doc.positionAt(offset) };
  const file = c.analysis?.file;
  // The last declaration starting before the cursor: a depth-0 point to lex from.
  let from = 0;
  for (const d of file?.decls ?? []) {
    if (d.range.start.offset <= start) from = d.range.start.offset;
    else break;
  }
  const slice = text.slice(from, start);
  const lexed = lex(slice);
  const toks: Tok[] = lexed.tokens.map((t) => ({ image: t.image, type: t.tokenType.name, kw: t.tokenType.name.startsWith('Kw_') }));
  // Inside a comment or an unterminated string: nothing.
  const lastComment = lexed.comments[lexed.comments.length - 1];
  const closedBlock = lastComment?.block && lastComment.text.length >= 4 && lastComment.text.endsWith('*/');
  if (lastComment && lastComment.range.end.offset === slice.length && !closedBlock) return [];
  if (inString(text, start)) return [];

  const items = new Items(replace);
  // Brace nesting: a driver's `{` holds options, every other `{` statements.
  const stack: ('options' | 'stmts')[] = [];
  for (const t of toks) {
    if (t.image === '{') stack.push(stack.length === 0 && toks[0]?.image === 'driver' ? 'options' : 'stmts');
    else if (t.image === '}') stack.pop();
  }
  const prev = toks[toks.length - 1];
  const prev2 = toks[toks.length - 2];
  const prev3 = toks[toks.length - 3];

  if (stack.length === 0) {
    topLevel(c, toks.slice(lastDeclStart(toks)), items, from === 0 && !file?.scenario && !file?.decls.some((d) => d.range.start.offset < start));
    return items.list;
  }
  if (stack[stack.length - 1] === 'options') {
    if (prev?.image === ':') items.keywords(['yes', 'no'], CompletionItemKind.Value);
    else if (!prev || prev.image === '{' || prev.image === 'yes' || prev.image === 'no') {
      for (const o of ['fops_owner', 'drm_holds_module'] as const) {
        items.add({ label: o, kind: CompletionItemKind.Property, detail: OPTION_DOCS[o].short, documentation: md(OPTION_DOCS[o].text) });
      }
    }
    return items.list;
  }

  // In a block of statements.
  if (prev && TARGETED.has(prev.image) && prev.kw) {
    const kinds = STMT_TARGET_KINDS[prev.image as TargetedStmtKind];
    if (kinds.includes('file')) fileNames(c, start, items);
    else names(c, kinds, items);
    return items.list;
  }
  if (prev?.image === 'on' && prev3?.image === 'open') {
    names(c, ['drm'], items);
    return items.list;
  }
  if (prev?.type === 'Identifier' && prev2?.image === 'open') {
    items.keywords(['on'], CompletionItemKind.Keyword);
    return items.list;
  }
  if (prev && VALUE_NEXT.has(prev.image) && prev.kw) return [];
  if (prev && prev2 && BLOCK_NEXT.has(prev2.image) && prev2.kw) return [];
  if (!prev || prev.image === '{' || prev.image === '}' || isOperandEnd(toks, toks.length - 1)) {
    if (prev?.image === '}') {
      // `} else {` after the body of an `enter` or `access`.
      const owner = blockOwner(toks, toks.length - 1);
      if (owner === 'enter' || owner === 'access') items.keywords(['else'], CompletionItemKind.Keyword);
    }
    if (prev2?.kw && prev?.type === 'Identifier') {
      const k = prev2.image in STMTS ? SYNTAX_MODIFIER[STMTS[prev2.image as StmtKind].syntax] : null;
      if (k) items.keywords([k], CompletionItemKind.Keyword);
    }
    for (const k of STMT_KINDS) {
      const d = STMT_DOCS[k];
      items.add({ label: k, kind: CompletionItemKind.Keyword, detail: d.short, documentation: md(d.text + (d.models ? `\n\nModels \`${d.models}\`.` : '')) });
    }
  }
  return items.list;
}

function md(value: string) {
  return { kind: 'markdown' as const, value };
}

/** Whether the token at i ends a statement's operands (so a new statement may follow). */
function isOperandEnd(toks: Tok[], i: number): boolean {
  const t = toks[i];
  if (!t) return false;
  const before = toks[i - 1];
  if (t.image === 'force' || t.image === 'error') return true;
  if (t.type === 'Identifier') {
    if (!before) return false;
    if (before.image === 'open') return false; // `open f` needs `on`
    if (BLOCK_NEXT.has(before.image)) return false;
    return before.kw;
  }
  if (t.type === 'Duration') return before?.image === 'sleep' || before?.image === 'timeout' || before?.image === 'after';
  if (t.type === 'String') return before?.image === 'log';
  return false;
}

/** The statement keyword whose block the `}` at i closes. */
function blockOwner(toks: Tok[], i: number): string | undefined {
  let depth = 0;
  for (let j = i; j >= 0; j--) {
    const t = toks[j]!;
    if (t.image === '}') depth++;
    else if (t.image === '{' && --depth === 0) {
      // `enter x {` / `access r {`; `} else {` blocks are not followed by another else.
      const kw = toks[j - 2];
      return toks[j - 1]?.image === 'else' ? 'else' : kw?.image;
    }
  }
  return undefined;
}

function inString(text: string, offset: number): boolean {
  let lineStart = offset;
  while (lineStart > 0 && text[lineStart - 1] !== '\n' && text[lineStart - 1] !== '\r') lineStart--;
  let inStr = false;
  for (let i = lineStart; i < offset; i++) {
    const ch = text[i];
    if (!inStr && ch === '/' && text[i + 1] === '/') return false;
    if (ch === '"') inStr = !inStr;
    else if (ch === '\\' && inStr) i++;
  }
  return inStr;
}

class Items {
  list: CompletionItem[] = [];
  private seen = new Set<string>();
  constructor(private range: LspRange) {}
  add(item: CompletionItem): void {
    if (this.seen.has(item.label)) return;
    this.seen.add(item.label);
    this.list.push({ ...item, textEdit: { range: this.range, newText: item.label } });
  }
  keywords(words: string[], kind: CompletionItemKind): void {
    for (const w of words) {
      const d = MISC_DOCS[w];
      this.add({ label: w, kind, detail: d?.short || undefined, documentation: d ? md(d.text) : undefined });
    }
  }
}

function names(c: Compiled, kinds: readonly NameKind[], items: Items): void {
  for (const [name, d] of c.analysis?.symbols.byName ?? []) {
    if (kinds.includes(d.kind)) items.add({ label: name, kind: NAME_ITEM_KIND[d.kind], detail: `${d.kind} (line ${d.name.range.start.line})` });
  }
}

function fileNames(c: Compiled, offset: number, items: Items): void {
  const a = c.analysis;
  if (!a) return;
  const d = a.file.decls.find((x) => x.range.start.offset <= offset && offset <= x.range.end.offset);
  const body = d && bodyOf(d);
  if (!body) return;
  for (const [name, opens] of a.symbols.fileOpens(body)) {
    items.add({ label: name, kind: CompletionItemKind.File, detail: `file opened on ${opens[0]!.target.name} (line ${opens[0]!.range.start.line})` });
  }
}

function faults(items: Items): void {
  for (const f of FAULT_KINDS) items.add({ label: f, kind: CompletionItemKind.EnumMember, detail: 'fault', documentation: md(FAULT_DOCS[f]) });
}

/**
 * Where the last top-level declaration starts among `toks` (the parser may not have made a
 * node of one being typed). `on` starts a handler, except as `drm x on`, `data x devm on`…
 */
function lastDeclStart(toks: Tok[]): number {
  let depth = 0;
  let at = 0;
  toks.forEach((t, i) => {
    if (t.image === '{') depth++;
    else if (t.image === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0 && t.kw && (DECL_KEYWORDS as readonly string[]).includes(t.image)) {
      const p1 = toks[i - 1];
      const p2 = toks[i - 2];
      const operand = t.image === 'on' && ((p1?.type === 'Identifier' && ['drm', 'revocable', 'timer', 'fence'].includes(p2?.image ?? '')) || p1?.image === 'devm' || p1?.image === 'drmm');
      if (!operand) at = i;
    }
  });
  return at;
}

function topLevel(c: Compiled, toks: Tok[], items: Items, atFileStart: boolean): void {
  const L = toks.map((t) => t.image);
  const n = L.length;
  const k0 = L[0];
  const is = (...pattern: (string | null)[]) => pattern.length === n && pattern.every((p, i) => p === null || p === L[i]);
  if (is('driver', null, 'in')) return names(c, ['module'], items);
  if (is('driver', null, 'in', null, 'binds')) return names(c, ['device'], items);
  if (is('drm', null, 'on') || is('revocable', null, 'on') || is('fence', null, 'on')) return names(c, ['device'], items);
  if (is('timer', null, 'on')) return names(c, ['revocable'], items);
  if (is('data', null)) return items.keywords(['devm', 'drmm'], CompletionItemKind.Keyword);
  if (is('data', null, 'devm', 'on')) return names(c, ['device'], items);
  if (is('data', null, 'drmm', 'on')) return names(c, ['drm'], items);
  if (is('work', null, 'in')) return names(c, ['driver'], items);
  if (is('on')) {
    for (const e of ['remove', 'close', 'release'] as const) {
      items.add({ label: e, kind: CompletionItemKind.Keyword, detail: HANDLER_DOCS[e].short, documentation: md(HANDLER_DOCS[e].text) });
    }
    return;
  }
  if (is('on', 'remove') || is('on', 'close')) return names(c, ['driver'], items);
  if (is('on', 'release')) return names(c, ['drm'], items);
  if (is('expect')) {
    items.keywords(['run', 'explore', 'clean'], CompletionItemKind.Keyword);
    return faults(items);
  }
  if (is('expect', 'run') || is('expect', 'explore')) {
    items.keywords(['clean'], CompletionItemKind.Keyword);
    return faults(items);
  }
  if (is('expect', null, 'in') || is('expect', null, null, 'in')) return names(c, ['thread'], items);
  if (is('driver', null, 'in', null)) return items.keywords(['binds'], CompletionItemKind.Keyword);
  if (is('drm', null) || is('revocable', null) || is('timer', null) || is('fence', null) || is('data', null, null)) {
    return items.keywords(['on'], CompletionItemKind.Keyword);
  }
  if (is('work', null) || is('driver', null)) return items.keywords(['in'], CompletionItemKind.Keyword);
  // A name is being typed after a declaration keyword, or a value is due.
  if (n === 1 && k0 !== undefined && (DECL_KEYWORDS as readonly string[]).includes(k0)) return;
  if (L[n - 1] === 'takes' || L[n - 1] === 'scenario' || L[n - 1] === 'in' || L[n - 1] === 'on') return;
  if (is('fence', null, 'on', null)) items.keywords(['takes'], CompletionItemKind.Keyword);
  if (is('expect', null) && FAULT_KINDS.includes(L[1] as never)) items.keywords(['in'], CompletionItemKind.Keyword);
  if (is('expect', null, null) && FAULT_KINDS.includes(L[2] as never)) items.keywords(['in'], CompletionItemKind.Keyword);
  if (atFileStart) items.add({ label: 'scenario', kind: CompletionItemKind.Keyword, detail: DECL_DOCS.scenario!.short });
  for (const k of DECL_KEYWORDS) {
    const d = DECL_DOCS[k];
    items.add({ label: k, kind: CompletionItemKind.Keyword, detail: d?.short, documentation: d ? md(d.text) : undefined });
  }
}
