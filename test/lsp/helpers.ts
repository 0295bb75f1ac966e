// Drives the real language server over stdio, as an editor does: a JSON-RPC client from
// vscode-languageserver-protocol, fixtures with cursor markers, and waits on published
// diagnostics.

import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

export const REPO = resolve(__dirname, '../..');
export const SERVER_BIN = join(REPO, 'bin/lifetime-language-server.js');
const SERVER_JS = join(REPO, 'dist/server.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ when dist/server.js is missing or older than the sources it bundles (the
 * vitest global setup normally built it already). A lock keeps parallel test files from
 * building at once.
 */
export function ensureServerBuilt(): void {
  if (process.env.LIFETIME_TEST_NO_BUILD) return;
  const lock = join(REPO, 'dist/.lsp-build.lock');
  mkdirSync(join(REPO, 'dist'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('timed out waiting for the build lock');
      // A lock left by a killed run is stale after two minutes.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmdirSync(lock);
      } catch {
        /* gone meanwhile */
      }
      execFileSync(process.execPath, ['-e', 'setTimeout(()=>{},100)']);
    }
  }
  try {
    const sources = Math.max(...['server', 'grammar', 'debug-adapter'].map((d) => newestSource(join(REPO, d))));
    if (!existsSync(SERVER_JS) || statSync(SERVER_JS).mtimeMs < sources) {
      execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'inherit' });
    }
  } finally {
    rmdirSync(lock);
  }
}

// ------------------------------------------------------------------ fixtures

export interface Fixture {
  text: string;
  /** offsets of each `<|>` marker, in order */
  cursors: number[];
  /** [start, end) of each `<|…|>` range, in order */
  ranges: [number, number][];
}

/** Parses a fixture with `<|>` cursor markers and `<|…|>` range markers (Langium style). */
export function fixture(marked: string): Fixture {
  let text = '';
  const cursors: number[] = [];
  const ranges: [number, number][] = [];
  const open: number[] = [];
  for (let i = 0; i < marked.length; ) {
    if (marked.startsWith('<|>', i)) {
      cursors.push(text.length);
      i += 3;
    } else if (marked.startsWith('<|', i)) {
      open.push(text.length);
      i += 2;
    } else if (marked.startsWith('|>', i) && open.length) {
      ranges.push([open.pop()!, text.length]);
      i += 2;
    } else {
      text += marked[i];
      i++;
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  return { text, cursors, ranges };
}

export function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

export function rangeOf(text: string, r: [number, number]) {
  return { start: positionAt(text, r[0]), end: positionAt(text, r[1]) };
}

/** Applies LSP text edits (against the original text) to `text`. */
export function applyEdits(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const off = (p: { line: number; character: number }) => Math.min(text.length, (starts[p.line] ?? text.length) + p.character);
  const sorted = edits.map((e) => ({ s: off(e.range.start), e: off(e.range.end), t: e.newText })).sort((a, b) => b.s - a.s);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}

// ------------------------------------------------------------------ the client

export interface Published extends PublishDiagnosticsParams {
  at: number;
}

export class LspClient {
  readonly child: ChildProcessWithoutNullStreams;
  readonly conn: ProtocolConnection;
  readonly published: Published[] = [];
  readonly stderr: string[] = [];
  readonly logs: string[] = [];
  private versions = new Map<string, number>();
  private waiters: (() => void)[] = [];
  exited: number | null | undefined;

  constructor(args: string[] = ['--stdio']) {
    this.child = spawn(process.execPath, [SERVER_BIN, ...args], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d: string) => this.stderr.push(d));
    this.child.on('exit', (code) => {
      this.exited = code;
    });
    this.conn = createProtocolConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push({ ...p, at: performance.now() });
      for (const w of this.waiters.splice(0)) w();
    });
    this.conn.onNotification('window/logMessage', (p: { message: string }) => this.logs.push(p.message));
    this.conn.onRequest('workspace/semanticTokens/refresh', () => null);
    this.conn.onRequest('workspace/inlayHint/refresh', () => null);
    this.conn.onRequest('workspace/codeLens/refresh', () => null);
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.listen();
  }

  async initialize(initializationOptions: unknown = { explore: { enabled: false } }): Promise<InitializeResult> {
    const r = await this.conn.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          rename: { prepareSupport: true },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          inlayHint: {},
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
        },
      },
      initializationOptions,
    });
    await this.conn.sendNotification('initialized', {});
    return r;
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    this.versions.set(uri, version);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lifetime', version, text } });
  }

  /** Sends incremental changes; returns the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  async save(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest<R>(method, params);
  }

  /** The next publish for `uri` (after `since` publishes) that satisfies `pred`. */
  async diagnostics(uri: string, pred: (p: Published) => boolean = () => true, timeoutMs = 10_000, since = 0): Promise<Published> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.published.slice(since).find((p) => p.uri === uri && pred(p));
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) {
        const last = this.published.filter((p) => p.uri === uri).pop();
        throw new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(last?.diagnostics.map((d) => d.code))} v${last?.version}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The diagnostics published for exactly `version` of `uri`. */
  forVersion(uri: string, version: number, pred: (p: Published) => boolean = () => true, timeoutMs = 10_000): Promise<Published> {
    return this.diagnostics(uri, (p) => p.version === version && pred(p), timeoutMs);
  }

  async shutdown(): Promise<number | null> {
    if (this.exited === undefined) {
      try {
        await this.conn.sendRequest('shutdown');
        await this.conn.sendNotification('exit');
      } catch {
        /* already gone */
      }
    }
    const code = await new Promise<number | null>((resolve) => {
      if (this.exited !== undefined) return resolve(this.exited);
      const t = setTimeout(() => {
        this.child.kill('SIGKILL');
      }, 5_000);
      this.child.on('exit', (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    this.conn.dispose();
    return code;
  }
}

export function codes(ds: Diagnostic[]): string[] {
  return ds.map((d) => String(d.code));
}

/** The text of a `.lifetime` fixture file of test/lsp/fixtures. */
export function fixtureFile(name: string): string {
  return readFileSync(join(__dirname, 'fixtures', name), 'utf8');
}
