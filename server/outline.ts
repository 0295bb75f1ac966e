// Document symbols, folding ranges and code lenses: the file's structure as editors show it.

import {
  FoldingRangeKind,
  SymbolKind,
  type CodeLens,
  type DocumentSymbol,
  type FoldingRange,
  type Range as LspRange,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { childBlocks, type Block, type Decl, type Range, type Stmt } from '../grammar/ast';
import type { Compiled } from './compiled';
import { toLspRange } from './convert';

const DECL_SYMBOL: Record<Decl['kind'], SymbolKind> = {
  module: SymbolKind.Module,
  device: SymbolKind.Class,
  driver: SymbolKind.Class,
  drm: SymbolKind.Struct,
  revocable: SymbolKind.Interface,
  ptimer: SymbolKind.Property,
  fence: SymbolKind.Event,
  data: SymbolKind.Variable,
  work: SymbolKind.Function,
  mutex: SymbolKind.Variable,
  handler: SymbolKind.Method,
  thread: SymbolKind.Function,
  expect: SymbolKind.Constant,
  timer: SymbolKind.Event,
  irq: SymbolKind.Event,
  kref: SymbolKind.Struct,
  spinlock: SymbolKind.Variable,
  completion: SymbolKind.Variable,
  cdev: SymbolKind.Interface,
  attr: SymbolKind.Property,
};

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function symbol(doc: TextDocument, name: string, detail: string, kind: SymbolKind, range: Range, sel: Range, children?: DocumentSymbol[]): DocumentSymbol {
  const r = toLspRange(doc, range);
  // A recovered node can have an empty or misplaced name: keep selectionRange inside range.
  const inside = sel.start.offset >= range.start.offset && sel.end.offset <= range.end.offset;
  const s = inside ? toLspRange(doc, sel) : { start: r.start, end: r.start };
  return { name: name || '(missing name)', detail, kind, range: r, selectionRange: s, children };
}

function stmtSymbols(c: Compiled, doc: TextDocument, b: Block): DocumentSymbol[] {
  return b.stmts.map((s: Stmt) => {
    const raw = c.text.slice(s.range.start.offset, s.range.end.offset);
    const brace = raw.indexOf('{');
    const name = oneLine(brace >= 0 ? raw.slice(0, brace) : raw);
    const inner = childBlocks(s).flatMap((x) => stmtSymbols(c, doc, x));
    return symbol(doc, name || s.kind, '', SymbolKind.Event, s.range, s.keywordRange, inner.length ? inner : undefined);
  });
}

export function documentSymbols(c: Compiled, doc: TextDocument): DocumentSymbol[] {
  const file = c.analysis?.file;
  if (!file) return [];
  const out: DocumentSymbol[] = [];
  if (file.scenario) {
    out.push(symbol(doc, `scenario "${file.scenario.value}"`, '', SymbolKind.String, file.scenario.range, file.scenario.range));
  }
  for (const d of file.decls) {
    switch (d.kind) {
      case 'handler':
        out.push(symbol(doc, `on ${d.event} ${d.target.name}`, 'handler', DECL_SYMBOL.handler, d.range, d.target.range, stmtSymbols(c, doc, d.body)));
        break;
      case 'expect': {
        const mode = d.mode === 'both' ? '' : `${d.mode} `;
        out.push(symbol(doc, `expect ${mode}${d.outcome}${d.thread ? ` in ${d.thread.name}` : ''}`, 'expectation', DECL_SYMBOL.expect, d.range, d.outcomeRange));
        break;
      }
      case 'thread':
      case 'work': {
        const detail = d.kind === 'thread' ? (d.description ? `thread "${d.description.value}"` : 'thread') : `work in ${d.driver.name}`;
        out.push(symbol(doc, d.name.name, detail, DECL_SYMBOL[d.kind], d.range, d.name.range, stmtSymbols(c, doc, d.body)));
        break;
      }
      default: {
        const header = oneLine(c.text.slice(d.range.start.offset, d.range.end.offset).split('{')[0]!);
        out.push(symbol(doc, d.name.name, header, DECL_SYMBOL[d.kind], d.range, d.name.range));
      }
    }
  }
  return out;
}

export function foldingRanges(c: Compiled, doc: TextDocument): FoldingRange[] {
  const file = c.analysis?.file;
  if (!file) return [];
  const out: FoldingRange[] = [];
  // From the line that opens a block to the line before the one that closes it, so the
  // closing `}` (or `} else {`) stays visible.
  const fold = (from: number, to: number, kind?: FoldingRangeKind) => {
    const startLine = doc.positionAt(from).line;
    const endLine = doc.positionAt(to).line - (kind === FoldingRangeKind.Comment ? 0 : 1);
    if (endLine > startLine) out.push(kind ? { startLine, endLine, kind } : { startLine, endLine });
  };
  const blocks = (b: Block) => {
    fold(b.range.start.offset, b.range.end.offset);
    for (const s of b.stmts) for (const x of childBlocks(s)) blocks(x);
  };
  for (const d of file.decls) {
    if (d.kind === 'thread' || d.kind === 'work' || d.kind === 'handler') blocks(d.body);
    else if (d.kind === 'driver' && d.options.length) fold(d.range.start.offset, d.range.end.offset);
  }
  // Block comments, and runs of two or more line comments on consecutive lines.
  let run: { first: number; lastLine: number; lastEnd: number } | undefined;
  const flush = () => {
    if (run) fold(run.first, run.lastEnd, FoldingRangeKind.Comment);
    run = undefined;
  };
  for (const cm of c.comments) {
    if (cm.block) {
      flush();
      fold(cm.range.start.offset, cm.range.end.offset, FoldingRangeKind.Comment);
      continue;
    }
    const line = cm.range.start.line;
    const ownLine = /^[ \t]*$/.test(c.text.slice(cm.range.start.offset - (cm.range.start.column - 1), cm.range.start.offset));
    if (!ownLine) {
      flush();
      continue;
    }
    if (run && line === run.lastLine + 1) {
      run.lastLine = line;
      run.lastEnd = cm.range.end.offset;
    } else {
      flush();
      run = { first: cm.range.start.offset, lastLine: line, lastEnd: cm.range.end.offset };
    }
  }
  flush();
  return out.sort((a, b) => a.startLine - b.startLine);
}

export const COMMANDS = {
  run: 'lifetime.runScenario',
  explore: 'lifetime.exploreSchedules',
  debug: 'lifetime.debugScenario',
  debugWitness: 'lifetime.debugWitness',
} as const;

export function codeLenses(c: Compiled, doc: TextDocument): CodeLens[] {
  const sc = c.analysis?.file.scenario;
  // Over the `scenario` line, or line 1 when the file has none.
  const line = sc ? doc.positionAt(sc.range.start.offset).line : 0;
  const range: LspRange = { start: { line, character: 0 }, end: { line, character: 0 } };
  return [
    { range, command: { title: 'Run', command: COMMANDS.run, arguments: [doc.uri] } },
    { range, command: { title: 'Explore', command: COMMANDS.explore, arguments: [doc.uri] } },
    { range, command: { title: 'Debug', command: COMMANDS.debug, arguments: [doc.uri] } },
  ];
}
