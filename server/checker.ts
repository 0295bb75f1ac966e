// The check of a document (static errors + lints → LSP diagnostics), and the worker that
// runs it for large documents so that the main thread keeps answering other documents.
//
// A check of a 50,000-line file takes a few hundred milliseconds and one of a 3 MB file
// seconds: on the main thread every request on every other document would wait for it.
// Documents above WORKER_CHECK_CHARS are checked in a worker_thread running this same
// bundle (dist/server.js started with the check role), which keeps one incremental parser
// per document; the newest version per document wins and versions queued behind it are
// never checked (an edit storm costs one check when it pauses, not one per edit).

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { MAX_TEXT_CHARS, compileText, lintsOf, type Compiled } from './compiled';
import { SEVERITY, toLspRange } from './convert';
import { IncrementalParser } from './incremental';

export const CHECK_WORKER_ROLE = 'lifetime-check';

/** Documents larger than this (characters) are checked in the worker. */
export const WORKER_CHECK_CHARS = 512 * 1024;

/** The static diagnostics of one compiled version, as published. */
export function staticDiagnostics(c: Compiled, doc: TextDocument): LspDiagnostic[] {
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
  for (const d of lintsOf(c)) {
    out.push({
      range: toLspRange(doc, d.range), severity: SEVERITY[d.severity], code: d.code, source: 'lifetime', message: d.message,
      // an unused declaration's name is greyed out, as editors show unused code
      ...(d.code === 'unused' ? { tags: [DiagnosticTag.Unnecessary] } : {}),
    });
  }
  return out;
}

export interface CheckOutcome {
  uri: string;
  version: number;
  diagnostics: LspDiagnostic[];
  /** static errors found (no background exploration then) */
  errors: number;
  /** threads and work items (the background exploration's bound) */
  threads: number;
  failure?: string;
}

type ToWorker = { uri: string; version: number; text: string } | { close: string };

export class CheckWorker {
  private worker: Worker | undefined;
  private running: { uri: string; version: number } | undefined;
  private queued = new Map<string, { version: number; text: string }>();
  private disposed = false;

  constructor(
    private readonly workerFile: string,
    private readonly onOutcome: (o: CheckOutcome) => void,
    private readonly log: (s: string) => void,
  ) {}

  /** Checks `text` (version `version` of `uri`) once the worker is free; a newer version replaces a queued one. */
  check(uri: string, version: number, text: string): void {
    if (this.disposed) return;
    this.queued.set(uri, { version, text });
    this.pump();
  }

  close(uri: string): void {
    this.queued.delete(uri);
    if (this.worker) this.post({ close: uri });
  }

  dispose(): void {
    this.disposed = true;
    this.queued.clear();
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private post(m: ToWorker): void {
    try {
      this.ensureWorker().postMessage(m);
    } catch (e) {
      this.died(`cannot start the check worker: ${(e as Error).message}`);
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerFile, { workerData: { role: CHECK_WORKER_ROLE }, stdout: true, stderr: true });
    w.unref();
    // The worker's stdout must never reach ours (it carries the protocol).
    w.stdout.resume();
    w.stderr.on('data', (d: Buffer) => this.log(`check worker: ${d.toString('utf8').trimEnd()}`));
    w.on('message', (m: CheckOutcome) => this.finished(m));
    w.on('error', (e) => this.died(`check worker failed: ${e.message}`));
    w.on('exit', (code) => {
      if (this.worker === w) this.died(`check worker exited (code ${code})`);
    });
    this.worker = w;
    return w;
  }

  private died(why: string): void {
    this.log(why);
    this.worker = undefined;
    const job = this.running;
    this.running = undefined;
    if (job) this.onOutcome({ ...job, diagnostics: [], errors: 0, threads: 0, failure: why });
    this.pump();
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    const next = this.queued.entries().next();
    if (next.done) return;
    const [uri, job] = next.value;
    this.queued.delete(uri);
    this.running = { uri, version: job.version };
    this.post({ uri, version: job.version, text: job.text });
  }

  private finished(m: CheckOutcome): void {
    this.running = undefined;
    this.onOutcome(m);
    this.pump();
  }
}

export function isCheckWorker(): boolean {
  return !isMainThread && (workerData as { role?: string } | null)?.role === CHECK_WORKER_ROLE;
}

/** The worker's loop: checks each version it is sent, reusing each document's unchanged declarations. */
export function checkWorkerMain(): void {
  const parsers = new Map<string, IncrementalParser>();
  parentPort!.on('message', (m: ToWorker) => {
    if ('close' in m) {
      parsers.delete(m.close);
      return;
    }
    let reply: CheckOutcome;
    try {
      let parser = parsers.get(m.uri);
      if (!parser) parsers.set(m.uri, (parser = new IncrementalParser()));
      const c = compileText(m.uri, m.version, m.text, parser);
      const doc = TextDocument.create(m.uri, 'lifetime', m.version, m.text);
      const threads = c.analysis?.file.decls.filter((d) => d.kind === 'thread' || d.kind === 'work').length ?? 0;
      reply = { uri: m.uri, version: m.version, diagnostics: staticDiagnostics(c, doc), errors: c.errors.length, threads };
    } catch (e) {
      reply = { uri: m.uri, version: m.version, diagnostics: [], errors: 0, threads: 0, failure: `check failed: ${(e as Error).message}` };
    }
    parentPort!.postMessage(reply);
  });
}
