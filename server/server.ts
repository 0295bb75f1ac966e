// The language server's features wired to a connection: document sync, the diagnostics
// pipeline (static errors + lints, debounced, stale work dropped; background exploration
// merged in), and every request handler, each guarded so that a bug answers with an error
// instead of taking the server down.

import {
  CodeActionKind,
  DiagnosticSeverity,
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
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { bodyOf, childBlocks, walkStmts, type Decl, type Range, type Stmt } from '../grammar/ast';
import { BackgroundExplorer, type ExploreLimits, type ExploreOutcome } from './background';
import { CompileCache, MAX_TEXT_CHARS, lintsOf, type Compiled } from './compiled';
import { complete } from './completion';
import { SEVERITY, pointRange, toLspRange } from './convert';
import { formatEdits } from './format';
import { hover } from './hover';
import { countHints } from './inlay';
import { definition, prepareRename, references, rename } from './navigation';
import { COMMANDS, codeLenses, documentSymbols, foldingRanges } from './outline';
import { LEGEND, semanticTokens } from './semantic';

export const SERVER_NAME = 'lifetime-language-server';
export const SERVER_VERSION = '0.1.0';

/** Debounce of the check while edits come in bursts; a lone edit is checked at once. */
export const DEBOUNCE_MS = 150;
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
  checked?: { version: number; diagnostics: LspDiagnostic[] };
  explored?: ExploreDiag;
  /** explore this version once its check is done (set on open and save) */
  exploreWanted?: number;
  inlay?: { version: number; hints: Promise<InlayHint[] | undefined> };
}

interface WitnessData {
  schedule: string[];
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class LifetimeServer {
  readonly documents = new TextDocuments(TextDocument);
  private cache = new CompileCache();
  private states = new Map<string, DocState>();
  private explorer: BackgroundExplorer | undefined;
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
    c.onShutdown(() => this.explorer?.dispose());

    this.documents.onDidChangeContent((e) => this.guardVoid('change', () => this.changed(e.document)));
    this.documents.onDidOpen((e) => this.guardVoid('open', () => this.wantExplore(e.document)));
    this.documents.onDidSave((e) => this.guardVoid('save', () => this.wantExplore(e.document)));
    this.documents.onDidClose((e) => this.guardVoid('close', () => this.closed(e.document.uri)));

    c.onHover((p) => this.guard('hover', null, () => this.with(p.textDocument.uri, (cd, doc) => hover(cd, doc, doc.offsetAt(p.position)))));
    c.onCompletion((p) => this.guard('completion', [], () => this.with(p.textDocument.uri, (cd, doc) => complete(cd, doc, doc.offsetAt(p.position))) ?? []));
    c.onDefinition((p) => this.guard('definition', null, () => this.with(p.textDocument.uri, (cd, doc) => definition(cd, doc, doc.offsetAt(p.position)))));
    c.onReferences((p) =>
      this.guard('references', [], () =>
        this.with(p.textDocument.uri, (cd, doc) => references(cd, doc, doc.offsetAt(p.position), p.context?.includeDeclaration ?? true)) ?? [],
      ),
    );
    c.onPrepareRename((p) =>
      this.guard('prepareRename', null, () => {
        const r = this.with(p.textDocument.uri, (cd, doc) => prepareRename(cd, doc, doc.offsetAt(p.position)));
        if (r instanceof ResponseError) throw r;
        return r ?? null;
      }),
    );
    c.onRenameRequest((p) =>
      this.guard('rename', null, () => {
        const r = this.with(p.textDocument.uri, (cd, doc) => rename(cd, doc, doc.offsetAt(p.position), p.newName));
        if (r instanceof ResponseError) throw r;
        return r ?? null;
      }),
    );
    c.onDocumentSymbol((p) => this.guard('documentSymbol', [], () => this.with(p.textDocument.uri, documentSymbols) ?? []));
    c.languages.semanticTokens.on((p) => this.guard('semanticTokens', { data: [] }, () => this.with(p.textDocument.uri, semanticTokens) ?? { data: [] }));
    c.onFoldingRanges((p) => this.guard('foldingRange', [], () => this.with(p.textDocument.uri, foldingRanges) ?? []));
    c.onDocumentFormatting((p) => this.guard('formatting', [], () => this.with(p.textDocument.uri, formatEdits) ?? []));
    c.onCodeLens((p) => this.guard('codeLens', [], () => this.with(p.textDocument.uri, codeLenses) ?? []));
    c.onCodeAction((p) => this.guard('codeAction', [], () => this.codeActions(p.textDocument.uri, p.range, p.context.diagnostics)));
    c.languages.inlayHint.on((p) =>
      this.guardAsync('inlayHint', [], async () => {
        const hints = await this.inlayHints(p.textDocument.uri);
        const { start, end } = p.range;
        const before = (a: { line: number; character: number }, b: { line: number; character: number }) =>
          a.line < b.line || (a.line === b.line && a.character <= b.character);
        return hints.filter((h) => before(start, h.position) && before(h.position, end));
      }),
    );
    this.documents.listen(c);
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
    this.explorer?.cancel(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  // ------------------------------------------------------------------ diagnostics

  private changed(doc: TextDocument): void {
    const s = this.state(doc.uri);
    // An edit makes the exploration's positions stale: cancel it, drop its results.
    if (s.explored || this.explorer?.isBusy(doc.uri)) {
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
      const c = this.cache.get(doc);
      // Stale work is dropped between the stages: a newer version has its own check coming.
      await yieldToLoop();
      if (!this.current(uri, version)) return;
      const diagnostics = this.staticDiagnostics(c, doc);
      await yieldToLoop();
      if (!this.current(uri, version) || this.states.get(uri) !== s) return;
      s.checked = { version, diagnostics };
      this.publish(uri);
      if (s.exploreWanted === version) this.startExplore(uri);
    } catch (e) {
      this.logError('check', e);
    }
  }

  private staticDiagnostics(c: Compiled, doc: TextDocument): LspDiagnostic[] {
    if (!c.analysis) {
      return [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: DiagnosticSeverity.Warning,
          code: 'too-large',
          source: 'lifetime',
          message: `This file is too large for the language server (${(c.text.length / 1048576).toFixed(1)} M characters; the limit is ${MAX_TEXT_CHARS / 1048576} M): it is not analysed.`,
        },
      ];
    }
    const out: LspDiagnostic[] = [];
    for (const d of c.errors) out.push({ range: toLspRange(doc, d.range), severity: SEVERITY[d.severity], code: d.code, source: 'lifetime', message: d.message });
    for (const d of lintsOf(c)) out.push({ range: toLspRange(doc, d.range), severity: SEVERITY[d.severity], code: d.code, source: 'lifetime', message: d.message });
    return out;
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

  // ------------------------------------------------------------------ background exploration

  private startExplore(uri: string): void {
    const doc = this.documents.get(uri);
    const s = this.states.get(uri);
    if (!doc || !s || !this.explorer) return;
    s.exploreWanted = undefined;
    const c = this.cache.get(doc);
    const a = c.analysis;
    if (!a || c.errors.length) return;
    const threads = a.file.decls.filter((d) => d.kind === 'thread' || d.kind === 'work').length;
    if (threads > EXPLORE_MAX_THREADS) {
      this.connection.console.info(`${uri}: ${threads} threads: too many to explore in the background (at most ${EXPLORE_MAX_THREADS}); use \`lifetime explore\``);
      return;
    }
    this.explorer.start(uri, doc.version, c.text);
  }

  private explored(o: ExploreOutcome): void {
    const doc = this.documents.get(o.uri);
    const s = this.states.get(o.uri);
    if (!doc || !s || doc.version !== o.version) return;
    if (o.failure) this.connection.console.warn(`${o.uri}: ${o.failure}`);
    const c = this.cache.get(doc);
    const a = c.analysis;
    if (!a) return;
    const statics = s.checked?.version === o.version ? s.checked.diagnostics : this.staticDiagnostics(c, doc);
    const expected = new Map<string, number>();
    for (const d of a.file.decls) if (d.kind === 'expect' && d.mode !== 'run') expected.set(d.outcome, d.range.start.line);
    const diagnostics: LspDiagnostic[] = [];
    for (const f of o.faults) {
      const range = this.headRangeAt(c, doc, f.line, f.column);
      // What a static diagnostic already says at that line is not said twice.
      if (statics.some((d) => d.code === f.kind && d.range.start.line <= range.start.line && range.start.line <= d.range.end.line)) continue;
      const exp = expected.get(f.kind);
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
    if (!o.complete) diagnostics.push(this.inconclusive(c, doc, o));
    s.explored = { version: o.version, diagnostics };
    this.publish(o.uri);
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
