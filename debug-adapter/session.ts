// The Debug Adapter Protocol session: translates DAP requests to the engine
// (debugger/engine.ts) and the engine's stops to DAP events. Used over stdio by the
// `lifetime-debug-adapter` bin and inline by the extension (DebugAdapterInlineImplementation).

import { realpathSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  BreakpointEvent, DebugSession, ExitedEvent, InitializedEvent, OutputEvent, Response, Scope, Source, StackFrame,
  StoppedEvent, TerminatedEvent, Thread, ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Breakpoints, DataBreakpoints, EXCEPTION_FILTERS, dataInfo, type LineBreakpoint } from './debugger/breakpoints';
import { Engine, type Outcome, type StepKind, type Stop } from './debugger/engine';
import { ExprError, compileExpr, formatValue } from './debugger/expr';
import { LaunchError, parseLaunchArgs, prepare, programForBreakpoints, type LaunchConfig, type Prepared } from './debugger/load';
import { LIFETIMES_KEY, children, isThreadVisible, objectSummary, stateJson, threadKey } from './debugger/model';
import { visibleFrames } from './debugger/objects';
import { WitnessError, saveWitnessFile } from './debugger/witness';

/** Frame ids: thread index + 1 times this, plus the frame's place from the top. */
const FRAME_BASE = 10_000;
/** How long launch waits for configurationDone from a client that never sends it. */
const CONFIG_WAIT_MS = 2_000;
/**
 * Protocol bytes written but not yet taken by the client beyond which a running `continue`
 * waits for it. An answer is queued behind at most this much, so the client gets it within
 * a few ms (at 10 MB/s, 256 KB is 25 ms); the adapter's memory stays bounded too.
 */
const CLIENT_BACKLOG = 256 * 1024;

/**
 * Requests this adapter does not support, which DebugSession would answer with an empty
 * success as if it had done them: each is an error saying so (and what to use instead).
 */
const UNSUPPORTED: Record<string, string> = {
  goto: 'goto is not supported: a scenario cannot jump to another statement; step back or reverse continue to go back in time, or set a breakpoint and continue',
  gotoTargets: 'goto is not supported: step back or reverse continue to go back in time, or set a breakpoint and continue',
  restartFrame: 'restarting a frame is not supported: step back to where the frame began, or restart the scenario',
  setVariable: 'variables are read-only: the state is what the scenario did; change the scenario and restart',
  setExpression: 'expressions are read-only: the state is what the scenario did; change the scenario and restart',
  setFunctionBreakpoints: 'function breakpoints are not supported: set a line breakpoint on the statement',
  setInstructionBreakpoints: 'instruction breakpoints are not supported: set a line breakpoint on the statement',
  stepInTargets: 'step-in targets are not supported: step in enters the handler or block the statement runs',
  terminateThreads: 'terminating a thread is not supported: a scenario thread runs its statements to the end',
  attach: 'attach is not supported: launch a .lifetime scenario',
  source: 'source requests are not supported: the scenario is the .lifetime file on disk',
  loadedSources: 'loaded sources are not supported: the only source is the .lifetime file',
  completions: 'completions are not supported',
  readMemory: 'memory requests are not supported: a scenario has no memory, only lifetimes (see the variables)',
  writeMemory: 'memory requests are not supported: a scenario has no memory, only lifetimes (see the variables)',
  disassemble: 'disassembly is not supported: a scenario has no machine code',
};

export const CUSTOM_EVENT_STATE = 'lifetime/state';
export const CUSTOM_REQUEST_SAVE_WITNESS = 'lifetime/saveWitness';
export const CUSTOM_REQUEST_STATE = 'lifetime/state';

/** Whether two paths name one file (a symlink or another spelling of the same path). */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

export class LifetimeDebugSession extends DebugSession {
  private config: LaunchConfig | null = null;
  private prepared: Prepared | null = null;
  /** a launch waiting for configurationDone: its program is known already */
  private launching: Prepared | null = null;
  private engine: Engine | null = null;
  private readonly bps = new Breakpoints();
  private readonly data = new DataBreakpoints();
  private readonly filters = new Set<string>(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => f.filter));
  private readonly refs = new Map<string, number>();
  private readonly keys: string[] = [''];
  private announced = new Set<number>();
  private configured = false;
  private configWaiters: (() => void)[] = [];
  private terminated = false;
  /** the stream to the client when running over stdio or a socket; null inline */
  private toClient: (NodeJS.WritableStream & { writableLength?: number }) | null = null;

  /** The running scenario's history and path, for a subclass that adds to the state event
   *  (the extension's inline adapter adds the whole timeline). */
  protected get current(): { h: Engine['h']; path: string } | null {
    return this.engine ? { h: this.engine.h, path: this.engine.path } : null;
  }

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  override start(inStream: NodeJS.ReadableStream, outStream: NodeJS.WritableStream): void {
    this.toClient = outStream;
    super.start(inStream, outStream);
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const why = Object.hasOwn(UNSUPPORTED, request.command) ? UNSUPPORTED[request.command] : undefined;
    if (why === undefined) return super.dispatchRequest(request);
    this.fail(new Response(request), why, false);
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Flow control for console output while running (Engine's `backpressure` hook): after each
   * batch the run yields, so a request is read within one batch; over a stream it also waits
   * while the client lags more than CLIENT_BACKLOG behind. Inline (the extension) there is
   * no measure of what the editor has taken: yielding lets the host deliver each batch.
   */
  private clientBacklog(): Promise<void> {
    const s = this.toClient;
    if (!s || (s.writableLength ?? 0) <= CLIENT_BACKLOG) return new Promise((r) => setImmediate(r));
    return new Promise((res) => {
      const done = () => {
        s.removeListener('drain', done);
        s.removeListener('close', done);
        s.removeListener('error', done);
        res();
      };
      s.on('drain', done);
      s.on('close', done);
      s.on('error', done);
    });
  }

  /** An error response whose text is shown as is (DebugSession would expand `{…}`). */
  private fail(response: DebugProtocol.Response, message: string, showUser = true): void {
    response.success = false;
    response.message = message;
    // No variables: a client leaves `{…}` it cannot fill as written.
    response.body = { error: { id: 3000, format: message, showUser } };
    this.sendResponse(response);
  }

  /** Runs a handler; whatever it throws becomes an error response, never a crash. */
  private guard(response: DebugProtocol.Response, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.fail(response, e instanceof LaunchError || e instanceof ExprError ? e.message : `internal error: ${(e as Error)?.message ?? e}`);
    }
  }

  private needEngine(response: DebugProtocol.Response): Engine | null {
    if (!this.engine) {
      this.fail(response, 'no scenario is running (launch one first)', false);
      return null;
    }
    return this.engine;
  }

  private ref(key: string): number {
    let r = this.refs.get(key);
    if (r === undefined) {
      r = this.keys.length;
      this.keys.push(key);
      this.refs.set(key, r);
    }
    return r;
  }

  private source(): Source {
    const path = this.prepared!.path;
    return new Source(basename(path), this.convertDebuggerPathToClient(path));
  }

  private output(text: string, category: string, loc?: { line: number; column: number }): void {
    const e = new OutputEvent(text, category) as DebugProtocol.OutputEvent;
    if (loc && this.prepared) {
      e.body.source = this.source();
      e.body.line = this.convertDebuggerLineToClient(loc.line);
      e.body.column = this.convertDebuggerColumnToClient(loc.column);
    }
    this.sendEvent(e);
  }

  /**
   * The thread a step names, or null after answering with an error: stepping a thread the
   * client did not mean (as a fallback would) is worse than refusing.
   */
  private stepThread(response: DebugProtocol.Response, engine: Engine, threadId: unknown): number | null {
    const k = engine.k;
    const i = typeof threadId === 'number' && Number.isInteger(threadId) ? threadId - 1 : -1;
    if (i >= 0 && i < k.s.threads.length && isThreadVisible(k, i)) return i;
    const list = k.s.threads.map((t, j) => (isThreadVisible(k, j) ? `${j + 1} ${t.name}` : '')).filter(Boolean).join(', ');
    this.fail(response, `${response.command}: no thread ${JSON.stringify(threadId ?? null)}: the threads are ${list}`, false);
    return null;
  }

  private threadIndex(threadId: unknown): number {
    const k = this.engine?.k;
    const i = typeof threadId === 'number' ? threadId - 1 : -1;
    if (!k || i < 0 || i >= k.s.threads.length) return this.engine && this.engine.focus >= 0 ? this.engine.focus : 0;
    return i;
  }

  // ------------------------------------------------------------------ lifecycle

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsDataBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportsExceptionInfoRequest: true,
      supportsBreakpointLocationsRequest: true,
      supportsSingleThreadExecutionRequests: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({ ...f })),
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured = true;
    for (const w of this.configWaiters.splice(0)) w();
    this.sendResponse(response);
  }

  private waitForConfiguration(): Promise<void> {
    if (this.configured) return Promise.resolve();
    return new Promise((res) => {
      const timer = setTimeout(res, CONFIG_WAIT_MS);
      this.configWaiters.push(() => {
        clearTimeout(timer);
        res();
      });
    });
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): void {
    let prepared: Prepared;
    try {
      this.config = parseLaunchArgs(args);
      prepared = prepare(this.config);
    } catch (e) {
      const msg = e instanceof LaunchError ? e.message : `cannot launch: ${(e as Error)?.message ?? e}`;
      this.output(`${msg}\n`, 'stderr');
      this.fail(response, msg);
      return;
    }
    this.launching = prepared;
    this.waitForConfiguration().then(() => {
      this.launching = null;
      this.sendResponse(response);
      this.startScenario(prepared);
    }).catch((e) => this.internalError(e));
  }

  /** Builds a fresh engine for a prepared scenario and runs it (or stops on entry). */
  private startScenario(prepared: Prepared): void {
    this.prepared = prepared;
    this.terminated = false;
    this.announced = new Set();
    this.bps.resetHits();
    this.engine = new Engine({
      program: prepared.program,
      path: prepared.path,
      horizonNs: prepared.config.horizonNs,
      witness: prepared.witness,
      breakpoints: this.bps,
      data: this.data,
      filters: this.filters,
      hooks: {
        output: (text, category, loc) => this.output(text, category, loc),
        backpressure: () => this.clientBacklog(),
      },
    });
    const { changed } = this.bps.attach(resolve(prepared.path), prepared.program);
    for (const c of changed) {
      const b = this.toDap(c.bp);
      b.source = new Source(basename(c.path), this.convertDebuggerPathToClient(c.path));
      this.sendEvent(new BreakpointEvent('changed', b));
    }
    this.data.renew(prepared.program, this.engine.k);
    if (prepared.config.stopOnEntry && this.engine.k.s.threads.length > 0) {
      this.announceThreads();
      this.sendStop(this.engine.entry());
    } else {
      this.run(this.engine, { kind: 'continue' });
    }
  }

  private run(engine: Engine, cmd: Parameters<Engine['resume']>[0]): void {
    engine.resume(cmd).then((o) => {
      if (engine === this.engine) this.handleOutcome(o);
    }).catch((e) => this.internalError(e));
  }

  private handleOutcome(o: Outcome): void {
    if (o.kind === 'stop') this.sendStop(o);
    else if (o.kind === 'ended') this.end();
  }

  private end(): void {
    const engine = this.engine;
    if (!engine || this.terminated) return;
    this.terminated = true;
    const { met } = engine.finalReport();
    this.sendEvent({ seq: 0, type: 'event', event: CUSTOM_EVENT_STATE, body: stateJson(engine.k, 'ended', engine.h.length) } as DebugProtocol.Event);
    this.sendEvent(new ExitedEvent(met ? 0 : 1));
    this.sendEvent(new TerminatedEvent());
  }

  private internalError(e: unknown): void {
    this.output(`internal error in the debug adapter: ${(e as Error)?.stack ?? e}\n`, 'stderr');
  }

  private announceThreads(): void {
    const k = this.engine!.k;
    k.s.threads.forEach((_, i) => {
      if (!this.announced.has(i) && isThreadVisible(k, i)) {
        this.announced.add(i);
        if (i >= k.p.threads.length) this.sendEvent(new ThreadEvent('started', i + 1));
      }
    });
  }

  private sendStop(s: Stop): void {
    const engine = this.engine!;
    this.announceThreads();
    const e = new StoppedEvent(s.reason, s.thread + 1, s.text) as DebugProtocol.StoppedEvent;
    e.body.description = s.description;
    e.body.allThreadsStopped = true;
    if (s.hitBreakpointIds) e.body.hitBreakpointIds = s.hitBreakpointIds;
    // The state first: a client that updates its views on `stopped` has it already.
    this.sendEvent({ seq: 0, type: 'event', event: CUSTOM_EVENT_STATE, body: stateJson(engine.k, s.reason, engine.h.length) } as DebugProtocol.Event);
    this.sendEvent(e);
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    const raw = (args as { arguments?: unknown })?.arguments;
    let prepared: Prepared;
    try {
      const config = raw ? parseLaunchArgs(raw) : this.config;
      if (!config) throw new LaunchError('restart: nothing was launched');
      prepared = prepare(config);
      this.config = config;
    } catch (e) {
      this.fail(response, e instanceof LaunchError ? e.message : `cannot restart: ${(e as Error)?.message ?? e}`);
      return;
    }
    this.engine?.cancel();
    this.sendResponse(response);
    this.output('restarting\n', 'console');
    this.startScenario(prepared);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments, request?: DebugProtocol.Request): void {
    this.engine?.cancel();
    super.disconnectRequest(response, args, request);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.engine?.cancel();
    this.sendResponse(response);
    if (!this.terminated) {
      this.terminated = true;
      this.sendEvent(new TerminatedEvent());
    }
  }

  // ------------------------------------------------------------------ breakpoints

  private toDap(b: LineBreakpoint): DebugProtocol.Breakpoint {
    const out: DebugProtocol.Breakpoint = { id: b.id, verified: b.line !== null, line: b.line ?? b.requested };
    if (b.column !== null) out.column = b.column;
    if (b.message) out.message = b.message;
    if (this.prepared) out.source = this.source();
    return out;
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.guard(response, () => {
      const clientPath = args?.source?.path;
      const raw: unknown = args?.breakpoints ?? (Array.isArray(args?.lines) ? args.lines.map((line) => ({ line })) : []);
      if (!Array.isArray(raw)) return this.fail(response, 'setBreakpoints: breakpoints must be an array', false);
      const asked = raw.filter((b): b is DebugProtocol.SourceBreakpoint => b !== null && typeof b === 'object');
      const specs = asked.map((b) => ({
        line: this.convertClientLineToDebugger(b.line),
        column: b.column,
        condition: b.condition,
        hitCondition: b.hitCondition,
        logMessage: b.logMessage,
      }));
      if (!clientPath) {
        response.body = { breakpoints: specs.map((s) => ({ verified: false, line: s.line, message: 'breakpoints need a file path' })) };
        this.sendResponse(response);
        return;
      }
      const path = resolve(this.convertClientPathToDebugger(clientPath));
      // Once launch has named the program, only its breakpoints can be hit. Before that
      // (breakpoints are set before launch) each file is judged by itself; launch then
      // marks the other files' breakpoints unverified (Breakpoints.attach).
      const program = this.prepared ?? this.launching;
      let list: LineBreakpoint[];
      if (program && sameFile(path, program.path)) {
        list = this.bps.set(path, specs, program.program);
      } else if (program) {
        list = this.bps.set(path, specs, null, `not the scenario being debugged (${basename(program.path)})`);
      } else {
        const p = programForBreakpoints(path);
        list = 'why' in p ? this.bps.set(path, specs, null, p.why) : this.bps.set(path, specs, p);
      }
      response.body = {
        breakpoints: list.map((b) => {
          const d = this.toDap(b);
          d.source = args.source;
          if (d.line !== undefined) d.line = this.convertDebuggerLineToClient(d.line);
          return d;
        }),
      };
      this.sendResponse(response);
    });
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    this.guard(response, () => {
      const path = args.source?.path ? this.convertClientPathToDebugger(args.source.path) : '';
      const p = this.prepared && resolve(path) === resolve(this.prepared.path) ? this.prepared.program : path ? programForBreakpoints(path) : null;
      const from = this.convertClientLineToDebugger(args.line);
      const to = args.endLine !== undefined ? this.convertClientLineToDebugger(args.endLine) : from;
      const breakpoints = p && !('why' in p)
        ? p.stmts.filter((s) => s.line >= from && s.line <= to).map((s) => ({ line: this.convertDebuggerLineToClient(s.line), column: this.convertDebuggerColumnToClient(s.column) }))
        : [];
      response.body = { breakpoints };
      this.sendResponse(response);
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.guard(response, () => {
      const known = new Set<string>(EXCEPTION_FILTERS.map((f) => f.filter));
      const asked = [...(Array.isArray(args?.filters) ? args.filters : []), ...(Array.isArray(args?.filterOptions) ? args.filterOptions : []).map((o) => o?.filterId)]
        .map(String);
      this.filters.clear();
      for (const f of asked) if (known.has(f)) this.filters.add(f);
      response.body = { breakpoints: asked.map((f) => (known.has(f) ? { verified: true } : { verified: false, message: `unknown filter ${f}` })) };
      this.sendResponse(response);
    });
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    this.guard(response, () => {
      const p = this.prepared?.program;
      let expr: string | undefined = typeof args?.name === 'string' ? args.name : undefined;
      if (args?.variablesReference && this.engine) {
        const key = typeof args?.variablesReference === 'number' ? this.keys[args.variablesReference] : undefined;
        const node = key ? children(this.engine.k, key)?.find((v) => v.name === args.name) : undefined;
        expr = node?.evaluateName;
        if (!expr) {
          response.body = { dataId: null, description: `${args.name} is not a count or flag` };
          this.sendResponse(response);
          return;
        }
      }
      const info = p && expr ? dataInfo(expr, p) : { why: 'no scenario is running' };
      response.body = 'why' in info
        ? { dataId: null, description: info.why }
        : { dataId: info.dataId, description: info.description, accessTypes: ['write'], canPersist: true };
      this.sendResponse(response);
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.guard(response, () => {
      const p = this.prepared?.program;
      if (!Array.isArray(args?.breakpoints)) return this.fail(response, 'setDataBreakpoints: breakpoints must be an array', false);
      const specs = args.breakpoints.map((b) => ({ dataId: String(b?.dataId), condition: b?.condition, hitCondition: b?.hitCondition }));
      if (!p) {
        response.body = { breakpoints: specs.map(() => ({ verified: false, message: 'no scenario is running' })) };
      } else {
        const res = this.data.set(specs, p, this.engine?.k ?? null);
        response.body = { breakpoints: res.map((r) => ({ verified: r.verified, message: r.message, description: r.dataId })) };
      }
      this.sendResponse(response);
    });
  }

  // ------------------------------------------------------------------ execution

  /** The engine, when it may be resumed or moved now; else null after an error response. */
  private idleEngine(response: DebugProtocol.Response): Engine | null {
    const engine = this.needEngine(response);
    if (!engine) return null;
    const why = engine.isRunning ? 'the scenario is running; pause it first' : this.terminated ? 'the run has ended' : null;
    if (!why) return engine;
    this.fail(response, why, false);
    return null;
  }

  private resumeRequest(response: DebugProtocol.Response, cmd: Parameters<Engine['resume']>[0] | { kind: StepKind; threadId: unknown; singleThread: boolean }): void {
    const engine = this.idleEngine(response);
    if (!engine) return;
    let c: Parameters<Engine['resume']>[0];
    if ('threadId' in cmd) {
      const thread = this.stepThread(response, engine, cmd.threadId);
      if (thread === null) return;
      c = { kind: cmd.kind, thread, singleThread: cmd.singleThread };
    } else {
      c = cmd;
    }
    if (response.command === 'continue') (response as DebugProtocol.ContinueResponse).body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.run(engine, c);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.resumeRequest(response, { kind: 'continue' });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.resumeRequest(response, { kind: 'next', threadId: args?.threadId, singleThread: args?.singleThread === true });
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.resumeRequest(response, { kind: 'stepIn', threadId: args?.threadId, singleThread: args?.singleThread === true });
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.resumeRequest(response, { kind: 'stepOut', threadId: args?.threadId, singleThread: args?.singleThread === true });
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    const engine = this.idleEngine(response);
    if (!engine) return;
    const thread = this.stepThread(response, engine, args?.threadId);
    if (thread === null) return;
    this.guard(response, () => {
      const stop = engine.stepBack(thread);
      this.sendResponse(response);
      this.sendStop(stop);
    });
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse, args: DebugProtocol.ReverseContinueArguments): void {
    const engine = this.idleEngine(response);
    if (!engine) return;
    this.guard(response, () => {
      const stop = engine.reverseContinue(this.threadIndex(args?.threadId));
      this.sendResponse(response);
      this.sendStop(stop);
    });
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
    const engine = this.needEngine(response);
    if (!engine) return;
    this.sendResponse(response);
    if (engine.isRunning) engine.pause();
    else if (!this.terminated) this.sendStop({ kind: 'stop', reason: 'pause', thread: this.threadIndex(args?.threadId), description: 'Paused' });
  }

  // ------------------------------------------------------------------ inspection

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const k = this.engine?.k;
    const threads: Thread[] = [];
    if (k) k.s.threads.forEach((t, i) => { if (isThreadVisible(k, i)) threads.push(new Thread(i + 1, t.name)); });
    response.body = { threads };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.guard(response, () => {
      const engine = this.engine;
      const i = typeof args?.threadId === 'number' ? args.threadId - 1 : -1;
      if (!engine || i < 0 || i >= engine.k.s.threads.length) {
        response.body = { stackFrames: [], totalFrames: 0 };
        this.sendResponse(response);
        return;
      }
      const k = engine.k;
      const t = k.s.threads[i];
      const views = visibleFrames(k, i);
      const blocked = t.status === 'ready' && t.wait && !k.waitOver(i, t.wait);
      const frames = views.map((f, n) => {
        let name = f.name;
        if (n === 0 && blocked) name += ` — ${k.describeWait(t.wait!)}`;
        if (n === 0 && t.status === 'oops') name += ' — oopsed';
        const sf = new StackFrame((i + 1) * FRAME_BASE + n, name, this.source(),
          this.convertDebuggerLineToClient(f.line), this.convertDebuggerColumnToClient(f.column)) as DebugProtocol.StackFrame;
        if (f.endLine !== undefined && n > 0) {
          sf.endLine = this.convertDebuggerLineToClient(f.endLine);
          sf.endColumn = this.convertDebuggerColumnToClient(f.endColumn!);
        }
        if (f.label) sf.presentationHint = 'label';
        return sf;
      });
      if (frames.length === 0) {
        const what = t.status === 'done' ? `${t.name} exited` : t.status === 'idle' ? `${t.name} is idle` : t.name;
        const sf = new StackFrame((i + 1) * FRAME_BASE, what) as DebugProtocol.StackFrame;
        sf.presentationHint = 'label';
        frames.push(sf);
      }
      const start = args.startFrame ?? 0;
      const levels = args.levels && args.levels > 0 ? args.levels : frames.length;
      response.body = { stackFrames: frames.slice(start, start + levels), totalFrames: frames.length };
      this.sendResponse(response);
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.guard(response, () => {
      const k = this.engine?.k;
      const i = Math.floor(Number(args?.frameId) / FRAME_BASE) - 1;
      const scopes: DebugProtocol.Scope[] = [new Scope('Lifetimes', this.ref(LIFETIMES_KEY), false)];
      if (k && i >= 0 && i < k.s.threads.length) {
        const sc = new Scope('Thread', this.ref(threadKey(k.s.threads[i].name)), false) as DebugProtocol.Scope;
        sc.presentationHint = 'locals';
        scopes.push(sc);
      }
      response.body = { scopes };
      this.sendResponse(response);
    });
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    this.guard(response, () => {
      const k = this.engine?.k;
      const key = typeof args?.variablesReference === 'number' ? this.keys[args.variablesReference] : undefined;
      const nodes = k && key ? children(k, key) ?? [] : [];
      let variables: DebugProtocol.Variable[] = nodes.map((n) => ({
        name: n.name,
        value: n.value,
        type: n.type,
        variablesReference: n.key ? this.ref(n.key) : 0,
        evaluateName: n.evaluateName,
      }));
      if (args.start !== undefined || args.count !== undefined) {
        const s = args.start ?? 0;
        variables = variables.slice(s, args.count ? s + args.count : undefined);
      }
      response.body = { variables };
      this.sendResponse(response);
    });
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    this.guard(response, () => {
      const engine = this.engine;
      if (!engine || !this.prepared) return this.fail(response, 'no scenario is running', false);
      const text = String(args?.expression ?? '').trim();
      const c = compileExpr(text, this.prepared.program);
      if (c.type === 'object') {
        const o = c.object!;
        const key = o.kind === 'thread' ? threadKey(o.name) : `L/${o.name}`;
        const expandable = children(engine.k, key) !== null;
        response.body = {
          result: objectSummary(engine.k, o.kind, o.x) || o.kind,
          type: o.kind,
          variablesReference: expandable ? this.ref(key) : 0,
        };
      } else {
        const v = c.eval(engine.k);
        let result = formatValue(v, c.type);
        if (c.type === 'time' && typeof v === 'number' && v > 0) result += ` (${v} ns)`;
        response.body = { result, type: c.type, variablesReference: 0 };
      }
      this.sendResponse(response);
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const ex = this.engine?.lastStop?.exception;
    if (!ex) return this.fail(response, 'not stopped on a fault or filtered event', false);
    const path = this.prepared!.path;
    response.body = {
      exceptionId: ex.id,
      description: ex.description,
      breakMode: ex.filter === 'fault' ? 'always' : 'userUnhandled',
      details: {
        message: ex.description,
        typeName: ex.filter === 'fault' ? `fault ${ex.id}` : `event ${ex.id}`,
        fullTypeName: ex.id,
        stackTrace: `at ${ex.thread || '-'} (${path}:${ex.line}:${ex.column})`,
      },
    };
    this.sendResponse(response);
  }

  // ------------------------------------------------------------------ custom requests

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    this.guard(response, () => {
      const engine = this.engine;
      if (command === CUSTOM_REQUEST_SAVE_WITNESS) {
        if (!engine || !this.prepared) return this.fail(response, 'no scenario is running', false);
        if (engine.isRunning) return this.fail(response, 'the scenario is running; pause it first', false);
        const a = (args && typeof args === 'object' ? args : {}) as { path?: unknown; overwrite?: unknown };
        if (a.path !== undefined && typeof a.path !== 'string') return this.fail(response, 'lifetime/saveWitness: path must be a string');
        if (a.overwrite !== undefined && typeof a.overwrite !== 'boolean') {
          return this.fail(response, `lifetime/saveWitness: overwrite must be true or false, not ${JSON.stringify(a.overwrite)}`);
        }
        const schedule = engine.witnessSoFar();
        let target: string;
        try {
          target = saveWitnessFile(this.prepared.path, `${JSON.stringify(schedule, null, 1)}\n`, { path: a.path, overwrite: a.overwrite });
        } catch (e) {
          if (e instanceof WitnessError) return this.fail(response, `lifetime/saveWitness: ${e.message}`);
          throw e;
        }
        this.output(`witness of ${schedule.length} choices (${engine.mode} semantics) saved to ${target}\n`, 'console');
        response.body = { schedule, path: target, mode: engine.mode };
        this.sendResponse(response);
        return;
      }
      if (command === CUSTOM_REQUEST_STATE) {
        if (!engine) return this.fail(response, 'no scenario is running', false);
        response.body = stateJson(engine.k, engine.lastStop?.reason ?? 'entry', engine.h.length);
        this.sendResponse(response);
        return;
      }
      super.customRequest(command, response, args);
    });
  }
}
