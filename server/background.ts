// Background exploration (tools.md §2): every schedule of a scenario is explored off the
// main thread, in a worker_thread running this same bundle (dist/server.js: main.ts starts
// `exploreWorkerMain` when it is loaded as a worker), so no build entry is needed.
//
// One worker, one job at a time, the newest job per document wins. A job is bounded by
// states and wall time, and cancelled through a shared flag that `explore`'s `shouldStop`
// reads; the worker also has a heap limit, and is restarted if it dies.

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { compile } from '../grammar/index';
import { lower } from '../debug-adapter/runtime/program';
import { explore, type ExploreFault } from '../debug-adapter/explorer/explore';
import type { Unreached } from '../debug-adapter/explorer/coverage';

export const WORKER_ROLE = 'lifetime-explore';

export interface ExploreLimits {
  maxStates: number;
  timeMs: number;
}

export interface ExploreOutcome {
  uri: string;
  version: number;
  complete: boolean;
  states: number;
  stopReason: string;
  faults: ExploreFault[];
  /** after a complete search: the statements no schedule reaches */
  unreached?: Unreached[];
  /** set when the worker could not explore (an error of ours, the heap limit) */
  failure?: string;
}

interface JobMsg {
  id: number;
  text: string;
  limits: ExploreLimits;
  heapBoundBytes: number;
  cancel: SharedArrayBuffer;
}

interface ResultMsg {
  id: number;
  /** the worker's heap after the job, MB */
  heapMb?: number;
  complete?: boolean;
  states?: number;
  stopReason?: string;
  faults?: ExploreFault[];
  unreached?: Unreached[];
  error?: string;
}

interface Job {
  id: number;
  uri: string;
  version: number;
  text: string;
  cancel: Int32Array<SharedArrayBuffer>;
}

export class BackgroundExplorer {
  private worker: Worker | undefined;
  private running: Job | undefined;
  private queued = new Map<string, Job>();
  private nextId = 1;
  private disposed = false;

  constructor(
    private readonly workerFile: string,
    private readonly limits: () => ExploreLimits,
    private readonly onOutcome: (o: ExploreOutcome) => void,
    private readonly log: (level: 'info' | 'warn', s: string) => void,
    private readonly heapMb = 512,
  ) {}

  /** Explores `text` (version `version` of `uri`), superseding any job of that document. */
  start(uri: string, version: number, text: string): void {
    if (this.disposed) return;
    this.cancel(uri);
    const job: Job = { id: this.nextId++, uri, version, text, cancel: new Int32Array(new SharedArrayBuffer(4)) };
    this.queued.set(uri, job);
    this.pump();
  }

  /** Cancels the running and queued jobs of `uri`. */
  cancel(uri: string): void {
    this.queued.delete(uri);
    if (this.running?.uri === uri) Atomics.store(this.running.cancel, 0, 1);
  }

  isBusy(uri: string): boolean {
    return this.queued.has(uri) || this.running?.uri === uri;
  }

  dispose(): void {
    this.disposed = true;
    this.queued.clear();
    if (this.running) Atomics.store(this.running.cancel, 0, 1);
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerFile, {
      workerData: { role: WORKER_ROLE },
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
      stdout: true,
      stderr: true,
    });
    w.unref();
    // The worker's stdout must never reach ours (it carries the protocol): drain both.
    w.stdout.resume();
    w.stderr.on('data', (d: Buffer) => this.log('warn', `exploration worker: ${d.toString('utf8').trimEnd()}`));
    w.on('message', (m: ResultMsg) => this.finished(m));
    w.on('error', (e) => this.died(`exploration worker failed: ${e.message}`));
    w.on('exit', (code) => {
      if (this.worker === w) this.died(`exploration worker exited (code ${code})`);
    });
    this.worker = w;
    return w;
  }

  private died(why: string): void {
    this.log('warn', why);
    this.worker = undefined;
    const job = this.running;
    this.running = undefined;
    if (job && !Atomics.load(job.cancel, 0)) {
      this.onOutcome({ uri: job.uri, version: job.version, complete: false, states: 0, stopReason: why, faults: [], failure: why });
    }
    this.pump();
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    const next = this.queued.values().next();
    if (next.done) return;
    const job = next.value;
    this.queued.delete(job.uri);
    this.running = job;
    try {
      const msg: JobMsg = { id: job.id, text: job.text, limits: this.limits(), heapBoundBytes: this.heapMb * 0.75 * 1048576, cancel: job.cancel.buffer };
      this.ensureWorker().postMessage(msg);
    } catch (e) {
      this.died(`cannot start the exploration worker: ${(e as Error).message}`);
    }
  }

  private finished(m: ResultMsg): void {
    const job = this.running;
    if (!job || job.id !== m.id) return;
    this.running = undefined;
    // V8 keeps a grown heap: after a big search, start the next job in a fresh worker.
    if ((m.heapMb ?? 0) > 128 && this.worker) {
      const w = this.worker;
      this.worker = undefined;
      void w.terminate();
    }
    const cancelled = Atomics.load(job.cancel, 0) !== 0;
    this.log(
      'info',
      `exploration of ${job.uri} v${job.version}: ${cancelled ? 'cancelled by a newer version' : m.error ?? `${m.states} states, ${m.complete ? 'complete' : m.stopReason}, ${m.faults?.length ?? 0} faults`}`,
    );
    if (!cancelled) {
      this.onOutcome({
        uri: job.uri,
        version: job.version,
        complete: m.complete ?? false,
        states: m.states ?? 0,
        stopReason: m.stopReason ?? m.error ?? '',
        faults: m.faults ?? [],
        unreached: m.unreached,
        failure: m.error,
      });
    }
    this.pump();
  }
}

/** True when this module runs as the exploration worker. */
export function isExploreWorker(): boolean {
  return !isMainThread && (workerData as { role?: string } | null)?.role === WORKER_ROLE;
}

/** The worker's loop: explores each job it is sent. */
export function exploreWorkerMain(): void {
  parentPort!.on('message', (m: JobMsg) => {
    const cancel = new Int32Array(m.cancel);
    let reply: ResultMsg;
    try {
      const a = compile(m.text);
      if (a.diagnostics.length) {
        reply = { id: m.id, complete: false, states: 0, stopReason: 'static errors', faults: [] };
      } else {
        const r = explore(lower(a.file), {
          maxStates: m.limits.maxStates,
          // Below the worker's heap limit, so a big search stops and reports instead of dying.
          maxMemoryBytes: m.heapBoundBytes,
          maxTimeMs: m.limits.timeMs,
          shouldStop: () => Atomics.load(cancel, 0) !== 0,
        });
        const stopReason = r.stopped === 'max-time' ? `stopped after ${m.limits.timeMs} ms` : r.stopReason;
        reply = { id: m.id, complete: r.complete, states: r.states, stopReason, faults: r.faults, unreached: r.unreached };
      }
    } catch (e) {
      reply = { id: m.id, error: `exploration failed: ${(e as Error).message}` };
    }
    reply.heapMb = process.memoryUsage().heapTotal / 1048576;
    parentPort!.postMessage(reply);
  });
}
