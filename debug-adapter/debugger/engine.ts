// The debugger proper, without the protocol: runs the scenario on the runtime through the
// history, decides where to stop (breakpoints, data breakpoints, exception filters, step
// completion, pause), and travels back in time. The session (session.ts) only translates.
//
// Scheduling. `continue` follows the default schedule: the run-mode round-robin with its
// clock (pickDefault/stepRun/advanceClock), or, when a witness was given, the witness and
// then, in explore mode, the first possible choice (threads in declaration order, then
// fence completions and timeouts). Stepping thread T runs T's next statement now, whatever
// the default schedule would pick, so a user builds an interleaving by hand. When T cannot
// run now (blocked, asleep, its delayed work not due yet), the default schedule runs until
// T can — stopping there if a breakpoint, a watched value or a filter says so — and then T
// steps. When T can never run again (exited, oopsed, an idle kworker with nothing queued),
// the step says so in the console and stops where it is.

import { formatDuration as fmtTime } from '../../grammar/ast';
import { type KernelEvent } from '../runtime/kernel';
import type { Program } from '../runtime/program';
import { pickDefault } from '../runtime/schedule';
import { judge } from '../runtime/expectations';
import { WorkSt } from '../runtime/state';
import { Breakpoints, DataBreakpoints, EVENT_FILTER, type LineBreakpoint } from './breakpoints';
import { ADVANCE, DEFAULT_SNAPSHOT_INTERVAL, History } from './history';
import { codeDepth, threadStatus } from './objects';
import type { Witness } from './witness';
import { encodeHistory } from './witness';

export type StepKind = 'next' | 'stepIn' | 'stepOut';

/** `singleThread`: never run another thread to let this one go on (DAP's singleThread). */
export type Command = { kind: 'continue' } | { kind: StepKind; thread: number; singleThread?: boolean };

export interface ExceptionDetails {
  /** the fault kind, or the filter of an event (revoke, refcount-zero, module-unload) */
  id: string;
  description: string;
  filter: string;
  thread: string;
  line: number;
  column: number;
  time_ns: number;
}

export interface Stop {
  kind: 'stop';
  reason: string;
  /** thread index */
  thread: number;
  description: string;
  text?: string;
  hitBreakpointIds?: number[];
  exception?: ExceptionDetails;
}

export type Outcome = Stop | { kind: 'ended' } | { kind: 'cancelled' };

export type OutputCategory = 'stdout' | 'stderr' | 'console' | 'important';

export interface EngineHooks {
  /** console text (batched lines; `loc` for a single line that points at the source) */
  output(text: string, category: OutputCategory, loc?: { line: number; column: number }): void;
  /**
   * After a batch of console output sent while running: what the run waits for before going
   * on (the client catching up, or a turn of the event loop), or null to go on at once.
   * Without it a run that prints faster than the client reads queues the text in the
   * adapter without bound, and every answer (pause, threads, disconnect) waits behind it.
   */
  backpressure?(): Promise<void> | null;
}

export interface EngineOptions {
  program: Program;
  path: string;
  horizonNs?: number;
  witness: Witness | null;
  breakpoints: Breakpoints;
  data: DataBreakpoints;
  filters: Set<string>;
  hooks: EngineHooks;
  snapshotInterval?: number;
}

const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Flush console output beyond this many bytes even while running. */
const OUTPUT_CHUNK = 32 * 1024;

export class Engine {
  readonly h: History;
  readonly p: Program;
  readonly mode: 'run' | 'explore';
  readonly witness: Witness | null;
  readonly path: string;
  /** the thread of the last stop: a resume does not stop at its breakpoint before it moves */
  focus = -1;
  lastStop: Stop | null = null;
  private readonly bps: Breakpoints;
  private readonly data: DataBreakpoints;
  private readonly filters: Set<string>;
  private readonly hooks: EngineHooks;
  private divergeAt = Infinity;
  private running = false;
  private pauseRequested = false;
  private cancelled = false;
  private evBuf: KernelEvent[] = [];
  private out: string[] = [];
  private outBytes = 0;
  /** a batch of output was sent since the run loop last asked the client to keep up */
  private outSent = false;
  private readonly nameWidth: number;

  constructor(o: EngineOptions) {
    this.p = o.program;
    this.path = o.path;
    this.witness = o.witness;
    this.mode = o.witness?.mode ?? 'run';
    this.h = new History(o.program, this.mode, o.horizonNs, o.snapshotInterval ?? DEFAULT_SNAPSHOT_INTERVAL);
    this.bps = o.breakpoints;
    this.data = o.data;
    this.filters = o.filters;
    this.hooks = o.hooks;
    this.nameWidth = Math.max(4, ...this.h.k.s.threads.map((t) => t.name.length));
    this.h.sink = (e) => this.liveEvent(e);
    if (this.witness) {
      this.print(`replaying ${this.witness.mode === 'explore' ? 'an' : 'a'} ${this.witness.mode}-mode witness of ${this.witness.codes.length} choices`, 'console');
    }
  }

  get k() {
    return this.h.k;
  }

  get isRunning(): boolean {
    return this.running;
  }

  get ended(): boolean {
    return this.k.s.ended;
  }

  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  cancel(): void {
    this.cancelled = true;
  }

  // ------------------------------------------------------------------ console

  private liveEvent(e: KernelEvent): void {
    this.evBuf.push(e);
    const when = this.mode === 'run' ? fmtTime(e.time_ns) : `#${e.step}`;
    this.print(`${when.padStart(7)}  ${(e.thread || '-').padEnd(this.nameWidth)}  ${e.text}`, 'stdout');
  }

  /** Buffers a console line; sent in batches (long runs print many thousands). */
  print(line: string, category: OutputCategory = 'stdout'): void {
    if (category !== 'stdout') {
      this.flush();
      this.hooks.output(`${line}\n`, category);
      return;
    }
    this.out.push(line);
    this.outBytes += line.length + 1;
    if (this.outBytes >= OUTPUT_CHUNK) this.flush();
  }

  flush(): void {
    if (!this.out.length) return;
    const text = `${this.out.join('\n')}\n`;
    this.out = [];
    this.outBytes = 0;
    this.hooks.output(text, 'stdout');
    this.outSent = true;
  }

  // ------------------------------------------------------------------ queries

  /** The line of the statement thread i is about to start, or 0 (blocked, idle, sourceless). */
  freshLine(i: number): number {
    const t = this.k.s.threads[i];
    if (t.status !== 'ready' || t.wait) return 0;
    const f = t.frames[t.frames.length - 1];
    if (!f || f.t !== 0) return 0;
    return f.block.stmts[f.pc]?.line ?? 0;
  }

  /** Why thread i can never take another step, or null. */
  private neverSteps(i: number): string | null {
    const k = this.k;
    const t = k.s.threads[i];
    if (t.status === 'done') return `${t.name} has exited`;
    if (t.status === 'oops') return `${t.name} has oopsed: it stays where it is, holding what it held`;
    if (t.status === 'idle' && k.s.works[t.work]?.state !== WorkSt.Pending) {
      const why = { work: 'its work is not queued', timer: 'its timer is not armed', irq: 'its IRQ is not raised' }[this.p.works[t.work]?.kind ?? 'work'];
      return `${t.name} is idle: ${why}`;
    }
    return null;
  }

  private onWitness(): boolean {
    return this.witness !== null && this.divergeAt === Infinity;
  }

  /** The default schedule's next action (pure: it leaves the state as it was). */
  defaultAction(): number {
    const k = this.k;
    const pos = this.h.length;
    if (this.onWitness() && pos < this.witness!.codes.length) return this.witness!.codes[pos];
    if (this.mode === 'run') {
      // pickDefault admits due kworkers into the turn order; undo that here, the action
      // itself does it again (see History.exec).
      const n = k.s.order.length;
      const i = pickDefault(k);
      k.s.order.length = n;
      return i >= 0 ? i : ADVANCE;
    }
    for (let i = 0; i < k.s.threads.length; i++) if (k.canStep(i)) return i;
    const ev = k.eventChoices();
    if (ev.length) return this.h.choiceCode(ev[0]) ?? ADVANCE;
    return ADVANCE;
  }

  /** Whether the default schedule's next action is the end of the run (nothing else can happen). */
  private nextEndsRun(): boolean {
    if (this.defaultAction() !== ADVANCE) return false;
    if (this.mode === 'explore') return true;
    const t = this.k.nextEventTime();
    return t < 0 || t > this.k.horizon;
  }

  private applyLive(code: number): void {
    const pos = this.h.length;
    if (this.onWitness() && pos < this.witness!.codes.length && this.witness!.codes[pos] !== code) {
      this.divergeAt = pos;
      this.print(`left the witness at its entry ${pos + 1}: the default schedule goes on from here`, 'console');
    }
    this.evBuf.length = 0;
    this.h.apply(code);
  }

  /** Moves the state to history position n (forgetting what came after). */
  private gotoPos(n: number): void {
    this.pending = null;
    this.h.goto(n);
    if (n <= this.divergeAt) this.divergeAt = Infinity;
  }

  // ------------------------------------------------------------------ stops

  private makeStop(reason: string, thread: number, description: string, extra: Partial<Stop> = {}): Stop {
    return { kind: 'stop', reason, thread, description, ...extra };
  }

  private commit(s: Stop): Stop {
    this.focus = s.thread;
    this.lastStop = s;
    this.flush();
    return s;
  }

  private threadOf(name: string, fallback: number): number {
    const i = name ? this.k.threadIndex(name) : -1;
    return i >= 0 ? i : fallback;
  }

  /**
   * After an action: the faults and filtered events it produced, in order (faults first),
   * one stop each: a single step can unplug, revoke and free at once.
   */
  private exceptionsAfter(faultsBefore: number, actor: number): Stop[] {
    const k = this.k;
    const out: Stop[] = [];
    if (this.filters.has('fault')) {
      for (const f of k.s.faults.slice(faultsBefore)) {
        const ex: ExceptionDetails = {
          id: f.kind, description: f.message, filter: 'fault', thread: f.thread, line: f.line, column: f.column, time_ns: f.time_ns,
        };
        out.push(this.makeStop('exception', this.threadOf(f.thread, actor), `Paused on fault ${f.kind}`, {
          text: `${f.kind}: ${f.message}`, exception: ex,
        }));
      }
    }
    for (const e of this.evBuf) {
      const filter = EVENT_FILTER[e.kind];
      if (!filter || !this.filters.has(filter)) continue;
      const t = this.threadOf(e.thread, actor);
      const st = this.p.stmts.find((x) => x.line === e.line);
      const ex: ExceptionDetails = {
        id: filter, description: e.text, filter, thread: e.thread || (t >= 0 ? k.s.threads[t].name : ''),
        line: e.line, column: st?.column ?? 1, time_ns: e.time_ns,
      };
      // a callback's start names its thread: the stop is on it, at the callback's first statement
      const text = filter === 'callback' ? `callback: ${e.text} on ${e.thread}` : `${filter}: ${e.text}`;
      out.push(this.makeStop('exception', t, `Paused on ${filter}`, { text, exception: ex }));
    }
    return out;
  }

  /** Further stops of the last action, delivered by the next continue before anything runs. */
  private pending: { pos: number; stops: Stop[] } | null = null;

  private firstOf(stops: Stop[]): Stop | null {
    if (!stops.length) return null;
    this.pending = stops.length > 1 ? { pos: this.h.length, stops: stops.slice(1) } : null;
    return stops[0];
  }

  private logPoint = (text: string, bp: LineBreakpoint): void => {
    this.flush();
    this.hooks.output(`${text}\n`, 'console', { line: bp.line ?? bp.requested, column: bp.column ?? 1 });
  };

  // ------------------------------------------------------------------ forward

  /** Stops at entry: nothing has run. */
  entry(): Stop {
    return this.commit(this.makeStop('entry', 0, 'Paused on entry'));
  }

  /** continue, or a step of one thread. */
  async resume(cmd: Command): Promise<Outcome> {
    if (this.running) throw new Error('the scenario is already running');
    this.running = true;
    this.pauseRequested = false;
    try {
      const r = await this.loop(cmd);
      if (r.kind === 'stop') return this.commit(r);
      this.flush();
      return r;
    } finally {
      this.running = false;
    }
  }

  private async loop(cmd: Command): Promise<Outcome> {
    const k = this.k;
    const h = this.h;
    const target = cmd.kind === 'continue' ? -1 : cmd.thread;
    const startDepth = target >= 0 ? codeDepth(k.s.threads[target]) : 0;
    let skipFor = this.focus;
    let lastThread = target >= 0 ? target : Math.max(this.focus, 0);
    let actions = 0;
    let sinceCheck = 0;
    let t0 = performance.now();
    this.data.baseline(k);
    for (;;) {
      if (this.cancelled) return { kind: 'cancelled' };
      if (this.pauseRequested) {
        this.pauseRequested = false;
        return this.makeStop('pause', lastThread, 'Paused');
      }
      if (cmd.kind === 'continue' && actions === 0 && this.pending?.pos === h.length && this.pending.stops.length) {
        return this.pending.stops.shift()!;
      }
      if (k.s.ended) return cmd.kind === 'continue' ? { kind: 'ended' } : this.runOver(lastThread, actions);
      if (cmd.kind === 'continue' && actions > 0 && this.onWitness() && h.length === this.witness!.codes.length && !this.nextEndsRun()) {
        return this.makeStop('end of witness', lastThread, 'Paused at the end of the witness',
          { text: 'the witness is fully replayed; continue takes the default schedule' });
      }
      let code: number;
      let isTarget = false;
      if (target >= 0 && k.canStep(target)) {
        code = target;
        isTarget = true;
      } else {
        if (target >= 0) {
          let why = this.neverSteps(target);
          if (!why && cmd.kind !== 'continue' && cmd.singleThread) {
            const t = k.s.threads[target];
            why = `${t.name} cannot run now (${t.wait ? k.describeWait(t.wait) : 'not yet due'}) and only it may run`;
          }
          if (why) {
            this.print(`${why}: nothing to step`, 'console');
            return this.makeStop('step', target, 'Paused', { text: why });
          }
        }
        code = this.defaultAction();
      }
      // A breakpoint stops a thread before it starts the statement. The thread of the last
      // stop is past its breakpoint once the user resumes it.
      if (code >= 0 && !isTarget && code !== skipFor && this.bps.any) {
        const line = this.freshLine(code);
        if (line > 0) {
          const hit = this.bps.check(line, k, true, this.logPoint);
          if (hit?.stop) {
            return this.makeStop('breakpoint', code, 'Paused on breakpoint', { hitBreakpointIds: [hit.bp.id] });
          }
        }
      }
      const faultsBefore = k.s.faults.length;
      this.applyLive(code);
      actions++;
      if (code >= 0) {
        lastThread = code;
        if (code === skipFor) skipFor = -1;
      }
      const ex = this.firstOf(this.exceptionsAfter(faultsBefore, lastThread));
      if (ex) return ex;
      if (this.data.list.length) {
        const d = this.data.check(k, true);
        if (d) {
          return this.makeStop('data breakpoint', lastThread, `Paused: ${d.bp.dataId} changed`, {
            text: `${d.bp.dataId}: ${d.from} → ${d.to}`,
          });
        }
      }
      if (isTarget) {
        const t = k.s.threads[target];
        const depth = codeDepth(t);
        const finished = t.status !== 'ready';
        if (cmd.kind === 'stepIn' || finished ||
          (cmd.kind === 'next' && depth <= startDepth) ||
          (cmd.kind === 'stepOut' && depth < startDepth)) {
          return this.makeStop('step', target, 'Paused after a step');
        }
      }
      if (this.outSent) {
        this.outSent = false;
        const wait = this.hooks.backpressure?.();
        if (wait) {
          await wait;
          sinceCheck = 0;
          t0 = performance.now();
          continue;
        }
      }
      // Long runs yield to the event loop now and then, so pause and disconnect get through.
      if (++sinceCheck >= 256) {
        sinceCheck = 0;
        if (performance.now() - t0 > 20) {
          this.flush();
          await yieldNow();
          t0 = performance.now();
        }
      }
    }
  }

  /**
   * A step asked for once the run has ended (a deadlock, a hang, every thread done): only
   * `continue` ends the session, so the user can still look, step back or restart. Stepping
   * at a fault stop stays on that fault.
   */
  private runOver(thread: number, actions: number): Stop {
    const text = 'the run is over: step back, reverse continue or restart (continue ends the session)';
    this.print(text, 'console');
    const last = this.lastStop;
    if (actions === 0 && last?.exception) return { ...last };
    return this.makeStop('step', thread, 'Paused at the end of the run', { text });
  }

  // ------------------------------------------------------------------ backward

  /** Reverse `next`: back to where thread i started its previous statement at its depth or above. */
  stepBack(i: number): Stop {
    const h = this.h;
    const pos = h.length;
    if (pos === 0) {
      this.print('at the start of the history: nothing to step back over', 'console');
      return this.commit(this.makeStop('entry', i, 'Paused at the start of the history'));
    }
    const t = this.k.s.threads[i];
    const depth = codeDepth(t);
    // A thread that has left its code (exited, idle kworker) goes back into it.
    let j = h.lastStepOf(i, pos, depth === 0 ? 32767 : depth);
    if (j < 0) j = 0;
    this.gotoPos(j);
    this.data.baseline(this.k);
    return this.commit(this.makeStop(j === 0 ? 'entry' : 'step', i, j === 0 ? 'Paused at the start of the history' : 'Paused after stepping back'));
  }

  /**
   * Reverse continue: back to the latest earlier point where going forward would have
   * stopped (a breakpoint about to be hit, a fault or filtered event just produced, a
   * watched value just changed), or to the start. Scans forward segment by segment from
   * the snapshots, newest segment first. Hit counts and log points apply going forward only.
   */
  reverseContinue(i: number): Stop {
    const h = this.h;
    const k = this.k;
    const pos = h.length;
    const interval = h.snapshotInterval;
    const live = h.sink;
    h.sink = (e) => this.evBuf.push(e);
    try {
      const found = this.scanBack(i, pos, interval);
      if (found) {
        h.sink = live;
        this.gotoPos(found.at);
        this.data.baseline(k);
        return this.commit(found.stop);
      }
    } finally {
      h.sink = live;
    }
    this.gotoPos(0);
    this.data.baseline(k);
    this.print('reverse continue reached the start of the history', 'console');
    return this.commit(this.makeStop('entry', i, 'Paused at the start of the history'));
  }

  private scanBack(i: number, pos: number, interval: number): { at: number; stop: Stop } | null {
    const h = this.h;
    const k = this.k;
    for (let seg = pos > 0 ? h.segmentStart(pos - 1) : -1; seg >= 0; seg -= interval) {
      const end = Math.min(pos, seg + interval);
      h.seek(seg);
      this.data.baseline(k);
      let cand = -1;
      let candStop: Stop | null = null;
      for (let q = seg; q < end; q++) {
        const code = h.codeAt(q);
        if (code >= 0 && this.bps.any) {
          const line = this.freshLine(code);
          const hit = line > 0 ? this.bps.check(line, k, false, () => {}) : null;
          if (hit?.stop) {
            cand = q;
            candStop = this.makeStop('breakpoint', code, 'Paused on breakpoint', { hitBreakpointIds: [hit.bp.id] });
          }
        }
        const faultsBefore = k.s.faults.length;
        this.evBuf.length = 0;
        h.exec(code);
        if (q + 1 >= pos) continue;
        const ex = this.exceptionsAfter(faultsBefore, code >= 0 ? code : i)[0];
        const d = this.data.list.length ? this.data.check(k, false) : null;
        if (ex) {
          cand = q + 1;
          candStop = ex;
        } else if (d) {
          cand = q + 1;
          candStop = this.makeStop('data breakpoint', code >= 0 ? code : i, `Paused: ${d.bp.dataId} changed`, { text: `${d.bp.dataId}: ${d.from} → ${d.to}` });
        }
      }
      if (cand >= 0) return { at: cand, stop: candStop! };
    }
    return null;
  }

  // ------------------------------------------------------------------ end and witness

  /** The end of the run: the faults found and the expectations, for the console. */
  finalReport(): { met: boolean } {
    const k = this.k;
    const faults = k.s.faults;
    const v = judge(this.p, this.mode, faults);
    this.flush();
    if (faults.length) {
      this.hooks.output(`\n${faults.length} fault${faults.length > 1 ? 's' : ''}:\n`, 'stderr');
      for (const f of faults) {
        const when = this.mode === 'run' ? ` at ${fmtTime(f.time_ns)}` : '';
        this.hooks.output(`${this.path}:${f.line}:${f.column}: ${f.kind} in ${f.thread}${when}: ${f.message}\n`, 'stderr', { line: f.line, column: f.column });
      }
    } else {
      this.hooks.output('\nno faults\n', 'console');
    }
    const what = this.mode === 'run' ? 'run' : 'explore (witness)';
    const list = v.expectations.map((e) => `${e.expect}${e.thread ? ` in ${e.thread}` : ''}${e.met ? '' : ' (not met)'}`).join(', ');
    this.hooks.output(`expectations (${what}): ${v.met ? 'met' : 'NOT met'}${list ? ` [${list}]` : ''}; ${k.s.steps} steps, ${fmtTime(k.s.clock)}\n`, v.met ? 'console' : 'stderr');
    return { met: v.met };
  }

  /** The schedule taken so far (see witness.ts for the two formats). */
  witnessSoFar(): string[] {
    return encodeHistory(this.h);
  }

  /** Thread status for the session's thread list. */
  status(i: number): string {
    return threadStatus(this.k, i);
  }
}
