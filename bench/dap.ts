// Debug adapter figures (issue 4): step and step-back round trips with 100,000 steps of
// history, and the history's memory at 1,000,000 steps.
//
// Measured in-process through LifetimeDebugSession.handleMessage, the entry point the
// extension's DebugAdapterInlineImplementation uses: the same session, engine and history
// code as the stdio bin, without the JSON framing on a pipe. A round trip is from sending
// the request to receiving the `stopped` event it causes (the `lifetime/state` event, built
// at every stop, included).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
