// Debug adapter figures (issue 4): step and step-back round trips with 100,000 steps of
// history, and the history's memory at 1,000,000 steps. Issue 11: answers and the
// adapter's memory during a `continue` that floods the console, on the stdio bin.
//
// Measured in-process through LifetimeDebugSession.handleMessage, the entry point the
// extension's DebugAdapterInlineImplementation uses: the same session, engine and history
// code as the stdio bin, without the JSON framing on a pipe. A round trip is from sending
// the request to receiving the `stopped` event it causes (the `lifetime/state` event, built
// at every stop, included).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { LifetimeDebugSession } from '../debug-adapter/session';
import { type BenchRow, mb, median, percentile } from './table';

const SCENARIO = `scenario "a long loop for the debugger's history"
module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0

thread app {
  repeat 1000000 {
    get card0
    put card0
  }
}
`;
const PUT_LINE = 10;

type Msg = DebugProtocol.ProtocolMessage & { event?: string; command?: string; request_seq?: number; success?: boolean; message?: string; body?: unknown };

/** A DAP client talking to a session in this process. */
class InlineClient {
  private seq = 1;
  private waiting = new Map<number, (m: Msg) => void>();
  private eventWaiters: { event: string; resolve: (m: Msg) => void }[] = [];
  readonly session = new LifetimeDebugSession();

  constructor() {
    this.session.onDidSendMessage((m) => this.receive(m as Msg));
  }

  private receive(m: Msg): void {
    if (m.type === 'response') {
      const w = this.waiting.get(m.request_seq!);
      if (w) {
        this.waiting.delete(m.request_seq!);
        w(m);
      }
    } else if (m.type === 'event') {
      const i = this.eventWaiters.findIndex((w) => w.event === m.event);
      if (i >= 0) this.eventWaiters.splice(i, 1)[0].resolve(m);
    }
  }

  request(command: string, args: unknown = {}): Promise<Msg> {
    const seq = this.seq++;
    return new Promise((res, rej) => {
      this.waiting.set(seq, (m) => (m.success ? res(m) : rej(new Error(`${command}: ${m.message}`))));
      this.session.handleMessage({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    });
  }

  event(event: string): Promise<Msg> {
    return new Promise((resolve) => this.eventWaiters.push({ event, resolve }));
  }

  /** Sends a request and waits for the stop it causes. */
  async untilStopped(command: string, args: unknown): Promise<Msg> {
    const stopped = this.event('stopped');
    await this.request(command, args);
    return stopped;
  }
}

const FLOOD = `scenario "a continue that floods the debug console"

thread chatty {
  repeat 1000000 {
    repeat 1000 {
      log "one more line of console output, and another, and another, and another"
    }
  }
}
`;

/**
 * A DAP client of the stdio bin, as an editor is: a separate process, the protocol on a
 * pipe, every message parsed. It reads as fast as it can; a slower reader only lowers the
 * adapter's output rate (the adapter waits for it).
 */
class StdioClient {
  private seq = 1;
  private buf: Buffer = Buffer.alloc(0);
  private waiting = new Map<number, (m: Msg) => void>();
  private eventWaiters: { event: string; resolve: (m: Msg) => void }[] = [];
  outputBytes = 0;
  readonly proc: ChildProcess;

  constructor(bin: string) {
    this.proc = spawn(process.execPath, [bin], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.proc.stdout!.on('data', (d: Buffer) => this.data(d));
  }

  private data(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      const i = this.buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(this.buf.toString('latin1', 0, i))?.[1]);
      if (this.buf.length < i + 4 + len) return;
      const m = JSON.parse(this.buf.toString('utf8', i + 4, i + 4 + len)) as Msg;
      this.buf = this.buf.subarray(i + 4 + len);
      if (m.type === 'response') {
        const w = this.waiting.get(m.request_seq!);
        this.waiting.delete(m.request_seq!);
        w?.(m);
      } else if (m.type === 'event') {
        if (m.event === 'output') this.outputBytes += (m.body as { output: string }).output.length;
        const j = this.eventWaiters.findIndex((w) => w.event === m.event);
        if (j >= 0) this.eventWaiters.splice(j, 1)[0].resolve(m);
      }
    }
  }

  /** Sends a request; resolves with the response and the time it took. */
  request(command: string, args: unknown = {}): Promise<{ m: Msg; ms: number }> {
    const seq = this.seq++;
    const t0 = performance.now();
    return new Promise((res, rej) => {
      this.waiting.set(seq, (m) => (m.success ? res({ m, ms: performance.now() - t0 }) : rej(new Error(`${command}: ${m.message}`))));
      const json = JSON.stringify({ seq, type: 'request', command, arguments: args });
      this.proc.stdin!.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
    });
  }

  event(event: string): Promise<Msg> {
    return new Promise((resolve) => this.eventWaiters.push({ event, resolve }));
  }

  /** Peak resident memory of the adapter process so far (Linux), or null. */
  peakRss(): number | null {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'))?.[1];
      return kb ? Number(kb) * 1024 : null;
    } catch {
      return null;
    }
  }

  exited(): Promise<void> {
    return this.proc.exitCode !== null ? Promise.resolve() : new Promise((r) => this.proc.once('exit', () => r()));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A continue whose scenario logs without end: while it runs, `threads` every 100 ms,
 * then `pause`, `continue` again, and `disconnect`; the adapter's peak memory over it all.
 */
async function benchFlood(dir: string): Promise<BenchRow[]> {
  const bin = resolve(__dirname, '../bin/lifetime-debug-adapter.js');
  if (!existsSync(bin)) return [{ name: 'flooded continue', value: `skipped: ${bin} missing (npm run build)` }];
  const program = join(dir, 'flood.lifetime');
  writeFileSync(program, FLOOD);
  const c = new StdioClient(bin);
  const rows: BenchRow[] = [];
  const f = (x: number) => `${x.toFixed(1)} ms`;
  try {
    await c.request('initialize', { adapterID: 'lifetime', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    await c.request('configurationDone');
    await c.request('launch', { program });
    await sleep(1000);
    const threads: number[] = [];
    const t0 = performance.now();
    while (performance.now() - t0 < 5000) {
      threads.push((await c.request('threads')).ms);
      await sleep(100);
    }
    const secs = (performance.now() - t0 + 1000) / 1000;
    const out = c.outputBytes;
    const stopped = c.event('stopped');
    const p0 = performance.now();
    const pause = (await c.request('pause', { threadId: 1 })).ms;
    await stopped;
    const pauseStop = performance.now() - p0;
    await c.request('continue', { threadId: 1 });
    await sleep(1000);
    const peak = c.peakRss();
    const disconnect = (await c.request('disconnect', {})).ms;
    await c.exited();
    const ok100 = (x: number) => x <= 100;
    rows.push({ name: `flooded continue: console output received (${secs.toFixed(0)} s)`, value: `${(out / 1e6).toFixed(0)} MB (${(out / 1e6 / secs).toFixed(0)} MB/s)` });
    rows.push({ name: `flooded continue: threads answer (p95 / max of ${threads.length})`, value: `${f(percentile(threads, 95))} / ${f(Math.max(...threads))}`, target: '≤ 100 ms', ok: ok100(Math.max(...threads)) });
    rows.push({ name: 'flooded continue: pause answer (stopped event)', value: `${f(pause)} (${f(pauseStop)})`, target: '≤ 100 ms', ok: ok100(pause) });
    rows.push({ name: 'flooded continue: disconnect answer', value: f(disconnect), target: '≤ 100 ms', ok: ok100(disconnect) });
    rows.push(peak === null
      ? { name: 'flooded continue: adapter peak memory (RSS)', value: 'n/a (needs /proc)' }
      : { name: 'flooded continue: adapter peak memory (RSS)', value: mb(peak), target: '≤ 200 MB', ok: peak <= 200 * 1048576 });
  } finally {
    if (c.proc.exitCode === null) c.proc.kill();
  }
  return rows;
}

function getGc(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

async function launchTo(dir: string, steps: number): Promise<InlineClient> {
  const program = join(dir, 'loop.lifetime');
  const c = new InlineClient();
  await c.request('initialize', { adapterID: 'lifetime', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  await c.request('setBreakpoints', { source: { path: program }, breakpoints: [{ line: PUT_LINE, condition: `step >= ${steps}` }] });
  const stopped = c.event('stopped');
  await c.request('configurationDone');
  await c.request('launch', { program });
  await stopped;
  // clear the breakpoint: steps and step backs measure the history, not the condition
  await c.request('setBreakpoints', { source: { path: program }, breakpoints: [] });
  return c;
}

export async function benchDap(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'lifetime-bench-dap-'));
  writeFileSync(join(dir, 'loop.lifetime'), SCENARIO);
  const gc = getGc();
  try {
    // ---- round trips at 100,000 steps of history
    const c = await launchTo(dir, 100_000);
    const step: number[] = [];
    const full: number[] = [];
    for (let n = 0; n < 300; n++) {
      const t0 = performance.now();
      await c.untilStopped('next', { threadId: 1 });
      step.push(performance.now() - t0);
    }
    // what a client does at each stop: stack, scopes, the Lifetimes scope
    for (let n = 0; n < 100; n++) {
      const t0 = performance.now();
      await c.untilStopped('next', { threadId: 1 });
      const st = (await c.request('stackTrace', { threadId: 1 })).body as DebugProtocol.StackTraceResponse['body'];
      const sc = (await c.request('scopes', { frameId: st.stackFrames[0].id })).body as DebugProtocol.ScopesResponse['body'];
      for (const s of sc.scopes) await c.request('variables', { variablesReference: s.variablesReference });
      full.push(performance.now() - t0);
    }
    const back: number[] = [];
    // 1,000 consecutive step backs cover every replay length from a snapshot (0..999 actions)
    for (let n = 0; n < 1000; n++) {
      const t0 = performance.now();
      await c.untilStopped('stepBack', { threadId: 1 });
      back.push(performance.now() - t0);
    }
    const f = (x: number) => `${x.toFixed(2)} ms`;
    rows.push({ name: 'step round trip at 100,000 steps (median)', value: f(median(step)) });
    rows.push({ name: 'step round trip at 100,000 steps (p95)', value: f(percentile(step, 95)), target: '≤ 10 ms', ok: percentile(step, 95) <= 10 });
    rows.push({ name: 'step + stack + scopes + variables (p95)', value: f(percentile(full, 95)) });
    rows.push({ name: 'step back round trip at 100,000 steps (median)', value: f(median(back)) });
    rows.push({ name: 'step back round trip at 100,000 steps (p95)', value: f(percentile(back, 95)), target: '≤ 10 ms', ok: percentile(back, 95) <= 10 });
    await c.request('disconnect', {});

    // ---- memory at 1,000,000 steps
    // typed arrays (the action log) live outside the JS heap: count both
    const used = () => { const u = process.memoryUsage(); return u.heapUsed + u.external; };
    gc?.();
    const before = used();
    const t0 = performance.now();
    const m = await launchTo(dir, 1_000_000);
    const ran = performance.now() - t0;
    gc?.();
    const after = used();
    const state = (await m.request('lifetime/state')).body as { position: number };
    const delta = after - before;
    rows.push({
      name: `history memory at ${state.position.toLocaleString('en-US')} steps (heap + external growth${gc ? ', after GC' : ', no GC'})`,
      value: mb(delta), target: '≤ 200 MB', ok: delta <= 200 * 1048576,
    });
    rows.push({ name: 'continue to 1,000,000 steps (console output included)', value: `${(ran / 1000).toFixed(1)} s` });
    await m.request('disconnect', {});

    rows.push(...await benchFlood(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
