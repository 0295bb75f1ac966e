// The language server's features wired to a connection: document sync, the diagnostics
// pipeline (static errors + lints, debounced, stale work dropped; background exploration
// merged in), and every request handler, each guarded so that a bug answers with an error
// instead of taking the server down.

import {
  CodeActionKind,
  DiagnosticSeverity,
  DiagnosticTag,
  ResponseError,
  ErrorCodes,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type InitializeParams,
  type InitializeResult,
  type InlayHint,
  type DidOpenTextDocumentParams,
  type DidChangeTextDocumentParams,
  type DidCloseTextDocumentParams,
  type DidSaveTextDocumentParams,
  type WillSaveTextDocumentParams,
  type Position,
  type Hover,
  type MarkupContent,
  type Range as LspRange,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { bodyOf, childBlocks, walkStmts, type Decl, type Range, type Stmt } from '../grammar/ast';
import { BackgroundExplorer, type ExploreLimits, type ExploreOutcome } from './background';
import { EXPLORATION_STATUS, type ExplorationStatusParams } from './explorationStatus';
import { LINE_DOCUMENTS, LineDocument, offsetAfter, offsetBefore } from './document';
import { CheckWorker, WORKER_CHECK_CHARS, staticDiagnostics, type CheckOutcome } from './checker';
import { CompileCache, MAX_TEXT_CHARS, lintsOf, type Compiled } from './compiled';
import { complete } from './completion';
import { SEVERITY, pointRange, toLspRange } from './convert';
import { formatEdits } from './format';
import { hover } from './hover';
import { countHints } from './inlay';
import { definition, highlights, prepareRename, references, rename } from './navigation';
import { COMMANDS, codeLenses, documentSymbols, foldingRanges } from './outline';
import { LEGEND, semanticTokens } from './semantic';

export const SERVER_NAME = 'lifetime-language-server';
export const SERVER_VERSION = '0.1.0';

/** Debounce of the check while edits come in bursts; a lone edit is checked at once. */
export const DEBOUNCE_MS = 150;
/** A large document edited within this many ms is answered from its last analysis. */
export const STORM_MS = 1_000;
/** Background exploration: skipped above this many threads (declared + kworkers). */
export const EXPLORE_MAX_THREADS = 24;

export interface ServerOptions {
  /** the file a worker_thread can run to explore (the bundle); none: no background exploration */
  workerFile?: string;
}

interface ExploreDiag {
  version: number;
  diagnostics: LspDiagnostic[];
}

interface DocState {
  timer?: NodeJS.Timeout;
  lastChange: number;
  /** static diagnostics (errors + lints) of the version they were computed for */
  checked?: { version: number; diagnostics: LspDiagnostic[]; errors: number; threads: number };
  explored?: ExploreDiag;
  /** explore this version once its check is done (set on open and save) */
  exploreWanted?: number;
  inlay?: { version: number; hints: Promise<InlayHint[] | undefined> };
}

interface WitnessData {
  schedule: string[];
}

function invalid(message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, message);
}

function uriOf(p: unknown): string {
  const uri = (p as { textDocument?: { uri?: unknown } } | null)?.textDocument?.uri;
  if (typeof uri !== 'string') throw invalid('textDocument.uri must be a string');
  return uri;
}

function isPosition(x: unknown): x is Position {
  const p = x as Position | null;
  return typeof p === 'object' && p !== null && Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0;
}

function isRange(x: unknown): x is LspRange {
  const r = x as LspRange | null;
  return typeof r === 'object' && r !== null && isPosition(r.start) && isPosition(r.end);
}

function positionOf(x: unknown): Position {
  if (!isPosition(x)) throw invalid(`position must be { line, character } with non-negative integers, not ${JSON.stringify(x) ?? 'undefined'}`);
  return x;
}

function rangeOf(x: unknown): LspRange {
  if (!isRange(x)) throw invalid(`range must be { start, end } positions, not ${JSON.stringify(x) ?? 'undefined'}`);
  return x;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class LifetimeServer {
  readonly documents = new TextDocuments(LINE_DOCUMENTS);
  private cache = new CompileCache();
  private states = new Map<string, DocState>();
  private explorer: BackgroundExplorer | undefined;
  private checker: CheckWorker | undefined;
  private snapshotOf: { c: Compiled; doc: TextDocument } | undefined;
  private limits: ExploreLimits & { enabled: boolean } = { maxStates: 200_000, timeMs: 2_000, enabled: true };
  private debounceMs = DEBOUNCE_MS;
  private inlayEnabled = true;

  constructor(
    private readonly connection: Connection,
    private readonly options: ServerOptions = {},
  ) {}

  listen(): void {
    const c = this.connection;
    c.onInitialize((p) => this.initialize(p));
    c.onShutdown(() => {
      this.explorer?.dispose();
      this.checker?.dispose();
    });

    this.documents.onDidChangeContent((e) => this.guardVoid('change', () => this.changed(e.document)));
    this.documents.onDidOpen((e) => this.guardVoid('open', () => this.wantExplore(e.document)));
    this.documents.onDidSave((e) => this.guardVoid('save', () => this.wantExplore(e.document)));
    this.documents.onDidClose((e) => this.guardVoid('close', () => this.closed(e.document.uri)));

    c.onHover((p) => this.guard('hover', null, () => this.at(p, (cd, doc, offset) => this.hover(cd, doc, offset), true)));
    c.onCompletion((p) => this.guard('completion', [], () => this.at(p, complete) ?? []));
    c.onDefinition((p) => this.guard('definition', null, () => this.at(p, definition, true)));
    c.onDocumentHighlight((p) => this.guard('documentHighlight', [], () => this.at(p, highlights, true) ?? []));
    c.onReferences((p) =>
      this.guard('references', [], () => this.at(p, (cd, doc, offset) => references(cd, doc, offset, p.context?.includeDeclaration ?? true), true) ?? []),
    );
    c.onPrepareRename((p) =>
      this.guard('prepareRename', null, () => {
        const r = this.at(p, prepareRename);
        if (r instanceof ResponseError) throw r;
        return r ?? null;
      }),
    );
    c.onRenameRequest((p) =>
      this.guard('rename', null, () => {
        if (typeof p.newName !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'newName must be a string');
        const r = this.at(p, (cd, doc, offset) => rename(cd, doc, offset, p.newName));
        if (r instanceof ResponseError) throw r;
        return r ?? null;
      }),
    );
    c.onDocumentSymbol((p) => this.guard('documentSymbol', [], () => this.with(uriOf(p), documentSymbols) ?? []));
    c.languages.semanticTokens.on((p) => this.guard('semanticTokens', { data: [] }, () => this.with(uriOf(p), semanticTokens) ?? { data: [] }));
    c.onFoldingRanges((p) => this.guard('foldingRange', [], () => this.with(uriOf(p), foldingRanges) ?? []));
    c.onDocumentFormatting((p) => this.guard('formatting', [], () => this.with(uriOf(p), formatEdits) ?? []));
    c.onCodeLens((p) => this.guard('codeLens', [], () => this.with(uriOf(p), codeLenses) ?? []));
    c.onCodeAction((p) => this.guard('codeAction', [], () => this.codeActions(uriOf(p), rangeOf(p.range), Array.isArray(p.context?.diagnostics) ? p.context.diagnostics : [])));
    c.languages.inlayHint.on((p) =>
      this.guardAsync('inlayHint', [], async () => {
        const { start, end } = rangeOf(p.range);
        const hints = await this.inlayHints(uriOf(p));
        const before = (a: { line: number; character: number }, b: { line: number; character: number }) =>
          a.line < b.line || (a.line === b.line && a.character <= b.character);
        return hints.filter((h) => before(start, h.position) && before(h.position, end));
      }),
    );
    this.documents.listen(this.checkedSync());
    c.listen();
  }

  // ------------------------------------------------------------------ lifecycle

  private initialize(p: InitializeParams): InitializeResult {
    const opts = (p.initializationOptions ?? {}) as {
      explore?: Partial<ExploreLimits & { enabled: boolean }>;
      inlayHints?: { enabled?: boolean };
      debounceMs?: number;
    };
    if (opts.inlayHints?.enabled === false) this.inlayEnabled = false;
    if (opts.explore) {
      const e = opts.explore;
      if (typeof e.enabled === 'boolean') this.limits.enabled = e.enabled;
      if (typeof e.maxStates === 'number' && e.maxStates > 0) this.limits.maxStates = e.maxStates;
      if (typeof e.timeMs === 'number' && e.timeMs > 0) this.limits.timeMs = e.timeMs;
    }
    if (typeof opts.debounceMs === 'number' && opts.debounceMs >= 0) this.debounceMs = opts.debounceMs;
    if (this.options.workerFile) {
      this.checker = new CheckWorker(
        this.options.workerFile,
        (o) => this.guardVoid('check', () => this.checkedInWorker(o)),
        (m) => this.connection.console.warn(m),
      );
    }
    if (this.options.workerFile && this.limits.enabled) {
      this.explorer = new BackgroundExplorer(
        this.options.workerFile,
        () => this.limits,
        (o) => this.guardVoid('explore', () => this.explored(o)),
        (level, s) => (level === 'warn' ? this.connection.console.warn(s) : this.connection.console.log(s)),
      );
    }
    return {
      serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        completionProvider: { triggerCharacters: [':'] },
        definitionProvider: true,
        referencesProvider: true,
        documentHighlightProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        semanticTokensProvider: { legend: LEGEND, full: true },
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        inlayHintProvider: { resolveProvider: false },
      },
    };
  }

  private state(uri: string): DocState {
    let s = this.states.get(uri);
    if (!s) {
      s = { lastChange: 0 };
      this.states.set(uri, s);
    }
    return s;
  }

  private closed(uri: string): void {
    const s = this.states.get(uri);
    if (s?.timer) clearTimeout(s.timer);
    this.states.delete(uri);
    this.cache.delete(uri);
    if (this.explorer?.isBusy(uri)) this.explorationStatus({ uri, version: -1, state: 'cancelled' });
    this.explorer?.cancel(uri);
    this.checker?.close(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  // ------------------------------------------------------------------ diagnostics

  private changed(doc: TextDocument): void {
    const s = this.state(doc.uri);
    // An edit makes the exploration's positions stale: cancel it, drop its results.
    if (s.explored || this.explorer?.isBusy(doc.uri)) {
      if (this.explorer?.isBusy(doc.uri)) this.explorationStatus({ uri: doc.uri, version: doc.version, state: 'cancelled' });
      this.explorer?.cancel(doc.uri);
      s.explored = undefined;
    }
    const now = Date.now();
    const burst = now - s.lastChange < this.debounceMs;
    s.lastChange = now;
    if (s.timer) clearTimeout(s.timer);
    // A lone edit is checked on the next turn of the event loop (edits already queued are
    // applied first); during a burst of typing, once the burst pauses.
    s.timer = setTimeout(() => void this.check(doc.uri), burst ? this.debounceMs : 0);
  }

  private wantExplore(doc: TextDocument): void {
    const s = this.state(doc.uri);
    s.exploreWanted = doc.version;
    if (s.checked?.version === doc.version) this.startExplore(doc.uri);
  }

  private current(uri: string, version: number): boolean {
    return this.documents.get(uri)?.version === version;
  }

  private async check(uri: string): Promise<void> {
    try {
      const doc = this.documents.get(uri);
      const s = this.states.get(uri);
      if (!doc || !s) return;
      s.timer = undefined;
      const version = doc.version;
      if (this.checker && this.isLarge(doc)) {
        this.checker.check(uri, version, doc.getText());
        return;
      }
      const c = this.cache.get(doc);
      // Stale work is dropped between the stages: a newer version has its own check coming.
      await yieldToLoop();
      if (!this.current(uri, version)) return;
      const diagnostics = staticDiagnostics(c, doc);
      await yieldToLoop();
      if (!this.current(uri, version) || this.states.get(uri) !== s) return;
      const threads = c.analysis?.file.decls.filter((d) => d.kind === 'thread' || d.kind === 'work').length ?? 0;
      s.checked = { version, diagnostics, errors: c.errors.length, threads };
      this.publish(uri);
      if (s.exploreWanted === version) this.startExplore(uri);
    } catch (e) {
      this.logError('check', e);
    }
  }

  /** One publish per document: the static diagnostics of the current version, and the exploration's of the same version. */
  private publish(uri: string): void {
    const s = this.states.get(uri);
    const doc = this.documents.get(uri);
    if (!s?.checked || !doc || s.checked.version !== doc.version) return;
    const diagnostics = [...s.checked.diagnostics];
    if (s.explored?.version === s.checked.version) diagnostics.push(...s.explored.diagnostics);
    void this.connection.sendDiagnostics({ uri, version: s.checked.version, diagnostics });
  }

  /** Large enough to be checked in the worker (and not too large to be analysed at all). */
  private isLarge(doc: TextDocument): boolean {
    const n = doc instanceof LineDocument ? doc.length : doc.getText().length;
    return n > WORKER_CHECK_CHARS && n <= MAX_TEXT_CHARS;
  }

  /** A large document's check, done in the worker. */
  private checkedInWorker(o: CheckOutcome): void {
    const s = this.states.get(o.uri);
    if (o.failure) this.connection.console.warn(`${o.uri}: ${o.failure}`);
    if (!s || !this.current(o.uri, o.version) || o.failure) return;
    s.checked = { version: o.version, diagnostics: o.diagnostics, errors: o.errors, threads: o.threads };
    this.publish(o.uri);
    if (s.exploreWanted === o.version) this.startExplore(o.uri);
  }

  // ------------------------------------------------------------------ background exploration

  private startExplore(uri: string): void {
    const doc = this.documents.get(uri);
    const s = this.states.get(uri);
    if (!doc || !s || !this.explorer) return;
    s.exploreWanted = undefined;
    // From the check of this version (which may have run in the worker): no compile here.
    if (s.checked?.version !== doc.version || s.checked.errors || doc.getText().length > MAX_TEXT_CHARS) return;
    const threads = s.checked.threads;
    if (threads > EXPLORE_MAX_THREADS) {
      this.connection.console.info(`${uri}: ${threads} threads: too many to explore in the background (at most ${EXPLORE_MAX_THREADS}); use \`lifetime explore\``);
      return;
    }
    this.explorer.start(uri, doc.version, doc.getText());
    this.explorationStatus({ uri, version: doc.version, state: 'running' });
  }

  private explorationStatus(p: ExplorationStatusParams): void {
    void this.connection.sendNotification(EXPLORATION_STATUS, p);
  }

  private explored(o: ExploreOutcome): void {
    const doc = this.documents.get(o.uri);
    const s = this.states.get(o.uri);
    if (!doc || !s || doc.version !== o.version) return;
    if (o.failure) this.connection.console.warn(`${o.uri}: ${o.failure}`);
    const c = this.cache.get(doc);
    const a = c.analysis;
    if (!a) return;
    const statics = s.checked?.version === o.version ? s.checked.diagnostics : staticDiagnostics(c, doc);
    // The `expect` that names this fault: its kind, and its thread or none (language.md §7).
    const expects = a.file.decls.filter((d) => d.kind === 'expect' && d.mode !== 'run');
    // A deadlock names every blocked thread: `expect deadlock in T` holds when T is among them.
    const expectLine = (f: ExploreOutcome['faults'][number]) => {
      const threads = f.kind === 'deadlock' ? [f.thread, ...f.others.map((o) => o.thread)] : [f.thread];
      return expects.find((d) => d.kind === 'expect' && d.outcome === f.kind && (!d.thread || threads.includes(d.thread.name)))?.range.start.line;
    };
    const diagnostics: LspDiagnostic[] = [];
    for (const f of o.faults) {
      const range = this.headRangeAt(c, doc, f.line, f.column);
      // What a static diagnostic already says at that line is not said twice.
      if (statics.some((d) => d.code === f.kind && d.range.start.line <= range.start.line && range.start.line <= d.range.end.line)) continue;
      const exp = expectLine(f);
      diagnostics.push({
        range,
        severity: exp !== undefined ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error,
        code: f.kind,
        source: 'lifetime-explore',
        message:
          `${f.message} — some schedule reaches this (thread ${f.thread}; a witness of ${f.schedule.length} choices)` +
          (exp !== undefined ? `; expected by \`expect\` at line ${exp}` : '') +
          (o.complete ? '' : ` [exploration inconclusive: ${o.stopReason}]`),
        relatedInformation: f.others.map((t) => ({
          location: { uri: o.uri, range: this.headRangeAt(c, doc, t.line, t.column) },
          message: `thread ${t.thread} is here`,
        })),
        data: { schedule: f.schedule } satisfies WitnessData,
      });
    }
    diagnostics.push(...this.unreachedHints(c, doc, o));
    if (!o.complete) diagnostics.push(this.inconclusive(c, doc, o));
    s.explored = { version: o.version, diagnostics };
    this.publish(o.uri);
    // After the publish: once the client hears "done", the fixes are there.
    this.explorationStatus({
      uri: o.uri, version: o.version, state: 'done', states: o.states, complete: o.complete, stopReason: o.stopReason, faults: o.faults.length, failure: o.failure,
    });
  }

  /**
   * The statements no schedule reaches, greyed out (hints tagged Unnecessary). Not inside a
   * declaration the `unused` lint already greys out (a work nothing queues).
   */
  private unreachedHints(c: Compiled, doc: TextDocument, o: ExploreOutcome): LspDiagnostic[] {
    if (!o.unreached?.length || !c.analysis) return [];
    const unusedDecls = lintsOf(c)
      .filter((l) => l.code === 'unused')
      .map((l) => c.analysis!.file.decls.find((d) => d.kind !== 'handler' && d.kind !== 'expect' && d.name.range.start.offset === l.range.start.offset))
      .filter((d): d is Decl => d !== undefined);
    const out: LspDiagnostic[] = [];
    for (const u of o.unreached) {
      const start = pointRange(u.line, u.column).start;
      const end = pointRange(u.endLine, u.endColumn).start;
      const at = doc.offsetAt(start);
      if (unusedDecls.some((d) => d.range.start.offset <= at && at < d.range.end.offset)) continue;
      const b = u.blockedAt;
      out.push({
        range: { start, end },
        severity: DiagnosticSeverity.Hint,
        tags: [DiagnosticTag.Unnecessary],
        code: 'unreached',
        source: 'lifetime-explore',
        message:
          (u.what === 'else' ? 'no schedule enters this else block' : 'no schedule reaches this statement') +
          (b ? `: no schedule gets past \`${b.what}\` at line ${b.line}, blocked there for good` : ''),
        ...(b
          ? { relatedInformation: [{ location: { uri: o.uri, range: this.headRangeAt(c, doc, b.line, b.column) }, message: `every schedule that gets here stays blocked in this \`${b.what}\`` }] }
          : {}),
      });
    }
    return out;
  }

  /**
   * A search a bound stopped settles nothing (tools.md §1): say so, on the first `expect`
   * (or the first declaration), so that no fault-free result of a partial search passes for
   * a clean one.
   */
  private inconclusive(c: Compiled, doc: TextDocument, o: ExploreOutcome): LspDiagnostic {
    const decls = c.analysis?.file.decls ?? [];
    const at = decls.find((d) => d.kind === 'expect') ?? decls[0];
    const range = at ? this.headRangeAt(c, doc, at.range.start.line, at.range.start.column) : pointRange(1, 1);
    const found = o.faults.length ? `the ${o.faults.length === 1 ? 'fault' : 'faults'} shown were found, but ` : '';
    return {
      range,
      severity: DiagnosticSeverity.Information,
      code: 'inconclusive',
      source: 'lifetime-explore',
      message:
        `exploration inconclusive: ${o.stopReason || 'stopped'} after ${o.states} states; ${found}schedules not visited may hold other faults, ` +
        'so the expectations are not settled (`lifetime explore` searches with larger bounds)',
    };
  }

  /**
   * The range of the statement (its first line: `enter card0 {`) or declaration header
   * (`work retire in nova_drm`) that starts at a 1-based line and column.
   */
  private headRangeAt(c: Compiled, doc: TextDocument, line: number, column: number) {
    const a = c.analysis;
    const hit = (r: Range) => r.start.line === line && r.start.column === column;
    let found: { start: number; end: number } | undefined;
    const visit = (s: Stmt) => {
      if (found || !hit(s.range)) return;
      const blocks = childBlocks(s);
      found = { start: s.range.start.offset, end: blocks.length ? blocks[0]!.range.start.offset : s.range.end.offset };
    };
    for (const d of a?.file.decls ?? []) {
      if (d.range.start.line > line || d.range.end.line < line) continue;
      if (hit(d.range)) {
        const body = bodyOf(d as Decl);
        found = { start: d.range.start.offset, end: body ? body.range.start.offset : d.range.end.offset };
        break;
      }
      const body = bodyOf(d);
      if (body) walkStmts(body, visit);
      if (found) break;
    }
    if (!found) return pointRange(line, column);
    let end = found.end;
    while (end > found.start && /\s/.test(c.text[end - 1]!)) end--;
    return { start: doc.positionAt(found.start), end: doc.positionAt(end) };
  }

  // ------------------------------------------------------------------ hover

  /**
   * The hover of hover.ts, then the problems at that position (static errors, lints,
   * exploration faults): the statement's own documentation first, so that it is not pushed
   * below the fold by the problems the editor also shows on their own.
   */
  private hover(c: Compiled, doc: TextDocument, offset: number): Hover | null {
    const h = hover(c, doc, offset);
    if (!h) return h;
    const pos = doc.positionAt(offset);
    const s = this.states.get(doc.uri);
    // Not the lints of a large document on this thread: only what its check already found.
    const statics = s?.checked?.version === doc.version ? s.checked.diagnostics : this.isLarge(doc) ? [] : staticDiagnostics(c, doc);
    const explored = s?.explored?.version === doc.version ? s.explored.diagnostics : [];
    const after = (a: Position, b: Position) => a.line > b.line || (a.line === b.line && a.character >= b.character);
    const here = [...statics, ...explored].filter((d) => after(pos, d.range.start) && after(d.range.end, pos));
    if (!here.length) return h;
    const kind = (d: LspDiagnostic) => (d.source === 'lifetime-explore' ? 'exploration' : d.severity === DiagnosticSeverity.Error ? 'error' : d.severity === DiagnosticSeverity.Warning ? 'warning' : 'information');
    const problems = here.map((d) => `- **${d.code}** (${kind(d)}): ${d.message}`);
    const value = (h.contents as MarkupContent).value;
    return { ...h, contents: { kind: 'markdown', value: `${value}\n\n---\n\n**Problems here**\n\n${problems.join('\n')}` } };
  }

  // ------------------------------------------------------------------ code actions

  private codeActions(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, context: LspDiagnostic[]): CodeAction[] {
    const doc = this.documents.get(uri);
    if (!doc) return [];
    const c = this.cache.get(doc);
    const startOff = doc.offsetAt(range.start);
    const endOff = doc.offsetAt(range.end);
    const out: CodeAction[] = [];
    for (const l of lintsOf(c)) {
      if (l.range.end.offset < startOff || l.range.start.offset > endOff || !l.fixes.length) continue;
      const lspRange = toLspRange(doc, l.range);
      const diag =
        context.find((d) => d.code === l.code && d.range.start.line === lspRange.start.line && d.range.start.character === lspRange.start.character) ??
        { range: lspRange, severity: SEVERITY[l.severity], code: l.code, source: 'lifetime', message: l.message };
      l.fixes.forEach((f, i) => {
        out.push({
          title: f.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diag],
          isPreferred: i === 0,
          edit: { changes: { [uri]: f.edits.map((e) => ({ range: toLspRange(doc, e.range), newText: e.newText })) } },
        });
      });
    }
    const s = this.states.get(uri);
    const explored = s?.explored?.version === doc.version ? s.explored.diagnostics : [];
    for (const d of explored) {
      if (d.code === 'unreached') continue; // no witness: nothing to debug
      if (d.range.end.line < range.start.line || d.range.start.line > range.end.line) continue;
      const sent = context.find((x) => x.source === 'lifetime-explore' && x.code === d.code && x.range.start.line === d.range.start.line);
      const schedule = ((sent?.data ?? d.data) as WitnessData | undefined)?.schedule;
      if (!schedule) continue; // the inconclusive note has no witness
      out.push({
        title: `Debug this interleaving (${d.code})`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [sent ?? d],
        command: { title: 'Debug this interleaving', command: COMMANDS.debugWitness, arguments: [{ uri, schedule }] },
      });
    }
    return out;
  }

  // ------------------------------------------------------------------ inlay hints

  private async inlayHints(uri: string): Promise<InlayHint[]> {
    const doc = this.documents.get(uri);
    if (!doc || !this.inlayEnabled) return [];
    const s = this.state(uri);
    const version = doc.version;
    if (s.inlay?.version !== version) {
      const c = this.cache.get(doc);
      s.inlay = { version, hints: countHints(c, doc, () => this.current(uri, version)) };
    }
    return (await s.inlay.hints) ?? [];
  }

  // ------------------------------------------------------------------ plumbing

  /**
   * Runs `f` at the position of a position request (InvalidParams when the request has no
   * valid document and position); undefined for unknown documents.
   */
  private at<T>(p: { textDocument?: { uri?: unknown }; position?: unknown }, f: (c: Compiled, doc: TextDocument, offset: number) => T, fromLast = false): T | undefined {
    const uri = uriOf(p);
    const pos = positionOf(p.position);
    if (fromLast) {
      const r = this.fromLastAnalysis(uri, pos, f);
      if (r) return r.value;
    }
    return this.with(uri, (c, doc) => f(c, doc, doc.offsetAt(pos)));
  }

  /**
   * A large document edited since its last analysis (an edit storm): the answer of that
   * analysis instead of analysing this version on the request thread — its positions mapped
   * through the edits made since. Undefined when that is not possible (no older analysis,
   * a small document, the position inside an edited span, or edits no longer known).
   */
  private fromLastAnalysis<T>(uri: string, pos: Position, f: (c: Compiled, doc: TextDocument, offset: number) => T): { value: T } | undefined {
    const doc = this.documents.get(uri);
    const c = this.cache.peek(uri);
    // Only while edits keep coming: once they pause, this version is analysed and answered.
    const s = this.states.get(uri);
    if (!doc || !c || !s || c.version === doc.version || !this.isLarge(doc) || Date.now() - s.lastChange > STORM_MS) return undefined;
    const edits = doc.editsSince(c.version);
    const offset = edits && offsetBefore(edits, doc.offsetAt(pos));
    if (!edits || offset === undefined) return undefined;
    const old = this.snapshot(c);
    const value = f(c, old, offset);
    // Every position in the answer, from that version to this one.
    const mapped = (x: unknown): unknown => {
      if (Array.isArray(x)) return x.map(mapped);
      if (typeof x !== 'object' || x === null) return x;
      const o = x as Record<string, unknown>;
      if (typeof o.line === 'number' && typeof o.character === 'number' && Object.keys(o).length === 2) {
        return doc.positionAt(offsetAfter(edits, old.offsetAt(o as unknown as Position)));
      }
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, mapped(v)]));
    };
    return { value: mapped(value) as T };
  }

  /** A document of an analysed version's text (for its positions). */
  private snapshot(c: Compiled): TextDocument {
    if (this.snapshotOf?.c !== c) this.snapshotOf = { c, doc: TextDocument.create(c.uri, 'lifetime', c.version, c.text) };
    return this.snapshotOf.doc;
  }

  /**
   * The document-sync notifications, checked before TextDocuments sees them: a malformed
   * one (no text, `text: 42`, no version) is dropped with one log line, since a
   * notification cannot be answered with an error.
   */
  private checkedSync(): Connection {
    const c = this.connection;
    const gate =
      <P>(what: string, problem: (p: P) => string | undefined) =>
      (h: (p: P) => void) =>
      (p: P) => {
        const why = problem(p);
        if (why === undefined) return h(p);
        this.connection.console.warn(`${what} ignored: ${why}`);
      };
    const uriProblem = (p: { textDocument: { uri: unknown } } | undefined) =>
      typeof p?.textDocument?.uri === 'string' ? undefined : 'textDocument.uri is not a string';
    type Handler<P> = (p: P) => void;
    const sync: Partial<Connection> = {
      onDidOpenTextDocument: (h: Handler<DidOpenTextDocumentParams>) =>
        c.onDidOpenTextDocument(
          gate<DidOpenTextDocumentParams>('didOpen', (p) => {
            const td = p?.textDocument as Partial<DidOpenTextDocumentParams['textDocument']> | undefined;
            if (typeof td?.uri !== 'string') return 'textDocument.uri is not a string';
            if (typeof td.text !== 'string') return `${td.uri}: textDocument.text is ${td.text === undefined ? 'missing' : `not a string (${typeof td.text})`}`;
            if (!Number.isInteger(td.version)) return `${td.uri}: textDocument.version is not an integer`;
            return undefined;
          })(h),
        ),
      onDidChangeTextDocument: (h: Handler<DidChangeTextDocumentParams>) =>
        c.onDidChangeTextDocument(
          gate<DidChangeTextDocumentParams>('didChange', (p) => {
            const uri = p?.textDocument?.uri;
            if (typeof uri !== 'string') return 'textDocument.uri is not a string';
            if (!Number.isInteger(p.textDocument.version)) return `${uri}: textDocument.version is not an integer`;
            if (!Array.isArray(p.contentChanges)) return `${uri}: contentChanges is not an array`;
            for (const ch of p.contentChanges as unknown[]) {
              const x = ch as { text?: unknown; range?: unknown } | null;
              if (typeof x?.text !== 'string') return `${uri}: a content change has no text`;
              if ('range' in x && x.range !== undefined && !isRange(x.range)) return `${uri}: a content change has an invalid range`;
            }
            return undefined;
          })(h),
        ),
      onDidCloseTextDocument: (h: Handler<DidCloseTextDocumentParams>) => c.onDidCloseTextDocument(gate<DidCloseTextDocumentParams>('didClose', uriProblem)(h)),
      onDidSaveTextDocument: (h: Handler<DidSaveTextDocumentParams>) => c.onDidSaveTextDocument(gate<DidSaveTextDocumentParams>('didSave', uriProblem)(h)),
      onWillSaveTextDocument: (h: Handler<WillSaveTextDocumentParams>) => c.onWillSaveTextDocument(gate<WillSaveTextDocumentParams>('willSave', uriProblem)(h)),
      onWillSaveTextDocumentWaitUntil: c.onWillSaveTextDocumentWaitUntil.bind(c),
    };
    return Object.assign(Object.create(c) as Connection, sync);
  }

  /** Runs `f` on the compiled current version of an open document; undefined for unknown ones. */
  private with<T>(uri: string, f: (c: Compiled, doc: TextDocument) => T): T | undefined {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    return f(this.cache.get(doc), doc);
  }

  private logError(what: string, e: unknown): void {
    try {
      this.connection.console.error(`${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    } catch {
      // The connection itself is failing: nothing left to tell.
    }
  }

  private guard<T>(what: string, fallback: T, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      this.logError(what, e);
      throw new ResponseError(ErrorCodes.InternalError, `${what} failed: ${e instanceof Error ? e.message : String(e)}`, fallback);
    }
  }

  private async guardAsync<T>(what: string, fallback: T, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      this.logError(what, e);
      return fallback;
    }
  }

  private guardVoid(what: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.logError(what, e);
    }
  }
}
