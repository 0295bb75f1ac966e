// Decoding and parsing large message bodies off the main thread. A 10 MB didOpen is, on
// this 2-core machine, ~70 ms of UTF-8 decoding and ~150 ms of JSON.parse: done where
// requests are answered, every hover on every other document waited for it. The reader
// (server/transport.ts) keeps such a body's chunks as they arrive and moves them here once
// it is complete; this worker thread (the server bundle started with the json role) joins,
// decodes and parses it, and the main thread gets the message back as a structured clone
// (a copy, not a parse).

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

export const JSON_WORKER_ROLE = 'lifetime-json';

type ToWorker = { id: number; chunks: Uint8Array[] };
type FromWorker = { id: number; message: unknown } | { id: number; error: string };

export type ParsedBody = { message: unknown } | { error: string };

/** Parses large bodies in a worker thread; what transport.ts calls. */
export interface BodyParser {
  /**
   * The message a body holds, or why it holds none. The chunks whose memory is theirs
   * alone (a whole ArrayBuffer) are moved to the worker, not copied: the caller must not
   * use them again.
   */
  parse(chunks: Uint8Array[]): Promise<ParsedBody>;
}

/** Whether a view covers its whole ArrayBuffer (so moving that buffer moves nothing else). */
function ownsBuffer(c: Uint8Array): boolean {
  return c.byteOffset === 0 && c.byteLength === c.buffer.byteLength && c.buffer instanceof ArrayBuffer;
}

export class JsonWorker implements BodyParser {
  private worker: Worker | undefined;
  private nextId = 1;
  private waiting = new Map<number, (r: ParsedBody) => void>();

  constructor(
    private readonly workerFile: string,
    private readonly log: (s: string) => void,
  ) {}

  parse(chunks: Uint8Array[]): Promise<ParsedBody> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      const moved: Uint8Array[] = [];
      const transfer: ArrayBuffer[] = [];
      for (const c of chunks) {
        // A view of a larger buffer (the stream's pool, or bytes the reader still holds)
        // would be cloned whole: copy just its bytes.
        const own = ownsBuffer(c) && !transfer.includes(c.buffer as ArrayBuffer) ? c : new Uint8Array(c);
        moved.push(own);
        transfer.push(own.buffer as ArrayBuffer);
      }
      this.waiting.set(id, resolve);
      try {
        this.ensure().postMessage({ id, chunks: moved } satisfies ToWorker, transfer);
      } catch (e) {
        this.died(`cannot start the JSON worker: ${(e as Error).message}`);
      }
    });
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerFile, { workerData: { role: JSON_WORKER_ROLE }, stdout: true, stderr: true });
    w.unref();
    // The worker's stdout must never reach ours (it carries the protocol).
    w.stdout.resume();
    w.stderr.on('data', (d: Buffer) => this.log(`JSON worker: ${d.toString('utf8').trimEnd()}`));
    w.on('message', (m: FromWorker) => {
      const resolve = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      resolve?.('error' in m ? { error: m.error } : { message: m.message });
    });
    w.on('error', (e) => this.died(`JSON worker failed: ${e.message}`));
    w.on('exit', (code) => {
      if (this.worker === w) this.died(`JSON worker exited (code ${code})`);
    });
    this.worker = w;
    return w;
  }

  /** Every body in flight is lost (each answered with the reason); the next one starts a new worker. */
  private died(why: string): void {
    this.log(why);
    this.worker = undefined;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const r of waiting) r({ error: why });
  }
}

export function isJsonWorker(): boolean {
  return !isMainThread && (workerData as { role?: string } | null)?.role === JSON_WORKER_ROLE;
}

export function jsonWorkerMain(): void {
  parentPort!.on('message', (m: ToWorker) => {
    let reply: FromWorker;
    try {
      reply = { id: m.id, message: JSON.parse(Buffer.concat(m.chunks).toString('utf8')) };
    } catch (e) {
      reply = { id: m.id, error: (e as Error).message };
    }
    parentPort!.postMessage(reply);
  });
}
