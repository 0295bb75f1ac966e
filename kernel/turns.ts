// The model's step order as turns for the kernel's turnstile. The model runs the scenario
// (the default run, or a witness), and each of its steps becomes a turn where the kernel
// can take one: the start of a source statement, the completion of a wait the interpreter
// makes itself, a kworker's start, a fence completing, a timeout. Steps with no source (the
// devres release, a wait inside an unbind) have no place in the kernel to take a turn:
// they happen inside the statement that started them. A `sleep` is a turn too (the
// thread yields there, and a handler that sleeps holds its caller's window open), except
// inside an access block, where a kernel thread may not wait.

import { DEFAULT_HORIZON_NS, Kernel } from '../debug-adapter/runtime/kernel';
import type { Program } from '../debug-adapter/runtime/program';
import {
  advanceClock, exploreChoices, isRunSchedule, pickDefault, ScheduleError, stepRun, takeChoice,
} from '../debug-adapter/runtime/schedule';
import type { ThreadState } from '../debug-adapter/runtime/state';
import { parseDurationText } from '../grammar/ast';
import { DIRECT_WAITS, EVENT_TID, posKey, type Lowered, type TurnWord } from './bytecode';

export interface Turn extends TurnWord {
  /** the model's step number (1-based), or 0 for an event between steps */
  step: number;
  thread: string;
  /** why the model's thread is in atomic context at this step (an access block, a spinlock, a timer callback), if it is */
  atomic?: string;
}

export interface NotReplayable {
  step: number;
  thread: string;
  line: number;
  column: number;
  why: string;
}

export interface Traced {
  kernel: Kernel;
  turns: Turn[];
  /** set when the interleaving needs a turn where the kernel thread may not sleep */
  notReplayable: NotReplayable | null;
}

const MAX_STEPS = 1_000_000;

/** Whether thread t stands at the start of a source statement (not in sourceless work). */
function atStatement(t: ThreadState): boolean {
  const top = t.frames[t.frames.length - 1] as { t?: number } | undefined;
  return t.status === 'ready' && t.wait === null && top !== undefined && top.t === 0;
}

class Recorder {
  turns: Turn[] = [];
  constructor(private k: Kernel, private l: Lowered) {}

  private tid(i: number): number {
    const t = this.k.s.threads[i];
    return t.work >= 0 ? this.l.threadNames.length + t.work : i;
  }

  step(i: number, run: (i: number) => void): void {
    const k = this.k;
    const t = k.s.threads[i];
    const starting = t.status === 'idle';
    const waiting = t.status === 'ready' && t.wait !== null ? t.wait : null;
    const atStmt = atStatement(t);
    const loc = k.position(t);
    // where the thread may not sleep, it cannot wait for a turn either (replayable())
    const atomic = k.atomicContext(t)?.why.replace(/,$/, '');
    run(i);
    const step = k.s.steps;
    const after = k.s.threads[i];
    const oops = after.status === 'oops';
    const blocked = after.status === 'ready' && after.wait !== null;
    const base = { step, thread: t.name, tid: this.tid(i), arg: -1, ...(atomic ? { atomic } : {}) };
    if (starting) {
      this.turns.push({ ...base, phase: oops ? 'START_OOPS' : 'START', line: 0, column: 0, arg: t.work });
    } else if (waiting) {
      const info = this.l.byPos.get(posKey(waiting.loc.line, waiting.loc.column));
      if (info && (DIRECT_WAITS.has(info.stmt.kind) || (info.stmt.kind === 'sleep' && !info.atomic && !atomic))) {
        this.turns.push({ ...base, phase: 'COMPLETE', line: waiting.loc.line, column: waiting.loc.column });
      }
    } else if (atStmt && loc) {
      const info = this.l.byPos.get(posKey(loc.line, loc.column));
      // a sleep in atomic context has no turn: the thread may not wait there (lt_core sleeps 1 ms)
      if (info && !(info.stmt.kind === 'sleep' && (info.atomic || atomic))) {
        this.turns.push({ ...base, phase: oops ? 'OOPS' : blocked ? 'BLOCK' : 'RUN', line: loc.line, column: loc.column });
      }
    }
  }

  /** Fences completed and waits timed out by a clock move or an explore event. */
  events(change: () => void): void {
    const s = this.k.s;
    const fences = s.fences.map((f) => f.state);
    const timed = s.threads.map((t) => t.wait?.timedOut ?? false);
    change();
    s.fences.forEach((f, q) => {
      if (f.state !== fences[q] && f.state >= 2 /* signalled */) {
        this.turns.push({ step: 0, thread: `complete:${this.l.fenceNames[q]}`, tid: EVENT_TID, phase: 'FENCE', line: 0, column: 0, arg: q });
      }
    });
    s.threads.forEach((t, i) => {
      if ((t.wait?.timedOut ?? false) && !timed[i]) {
        this.turns.push({ step: 0, thread: `timeout:${t.name}`, tid: EVENT_TID, phase: 'TIMEOUT', line: 0, column: 0, arg: this.tid(i) });
      }
    });
  }
}

function runRest(k: Kernel, r: Recorder): void {
  while (!k.s.ended && k.s.steps < MAX_STEPS) {
    const i = pickDefault(k);
    if (i >= 0) {
      r.step(i, (j) => stepRun(k, j));
      continue;
    }
    let more = true;
    r.events(() => { more = advanceClock(k); });
    if (!more) break;
  }
}

/**
 * Runs the model and records its turns: the default run, or a witness (explore semantics,
 * or run semantics when it has `advance:` entries, as the debugger saves them).
 * Throws ScheduleError for a witness entry that cannot be taken.
 */
export function traceModel(p: Program, l: Lowered, schedule?: readonly string[], horizonNs = DEFAULT_HORIZON_NS): Traced {
  const runMode = !schedule || isRunSchedule(schedule);
  const k = new Kernel(p, { mode: runMode ? 'run' : 'explore', horizonNs });
  const r = new Recorder(k, l);
  if (!schedule) {
    runRest(k, r);
  } else if (runMode) {
    schedule.forEach((c, n) => {
      const where = `schedule entry ${n + 1} (${JSON.stringify(c)})`;
      if (k.s.ended) throw new ScheduleError(`${where}: the run has already ended`);
      if (c.startsWith('advance:')) {
        const want = parseDurationText(c.slice(8));
        if (want === null || pickDefault(k) >= 0) throw new ScheduleError(`${where}: the clock cannot move here`);
        r.events(() => advanceClock(k));
        if (k.s.clock !== want) throw new ScheduleError(`${where}: the clock moves to ${k.s.clock} ns here, not ${want} ns`);
        return;
      }
      const i = k.threadIndex(c);
      if (i < 0 || !k.canStep(i)) throw new ScheduleError(`${where} cannot be taken here`);
      r.step(i, (j) => stepRun(k, j));
    });
    runRest(k, r);
  } else {
    schedule.forEach((c, n) => {
      if (k.s.ended) return;
      let ok = true;
      if (c.startsWith('complete:') || c.startsWith('timeout:')) r.events(() => { ok = takeChoice(k, c); });
      else {
        const i = k.threadIndex(c);
        if (i < 0 || !k.canStep(i)) ok = false;
        else r.step(i, (j) => { k.step(j); });
      }
      if (!ok) throw new ScheduleError(`schedule entry ${n + 1} (${JSON.stringify(c)}) cannot be taken here; possible: ${exploreChoices(k).join(', ') || 'nothing'}`);
    });
    // The kernel's threads do not stop where the witness does: the model goes on to the
    // end too (a thread in atomic context first, then threads in declaration order, then
    // fences and timeouts), so that what
    // the kernel does after the witness's last step is in the model's run as well.
    while (!k.s.ended && k.s.steps < MAX_STEPS) {
      const choices = exploreChoices(k);
      if (!choices.length) { k.finish(); break; }
      // a thread in atomic context (a timer or hard IRQ callback, a spinlock, access) goes
      // on first: the kernel cannot make it wait for a turn there, and any order is the
      // model's to pick after the witness
      const c = choices.find((x) => {
        const i = k.threadIndex(x);
        return i >= 0 && k.atomicContext(k.s.threads[i]) !== null;
      }) ?? choices[0];
      if (c.startsWith('complete:') || c.startsWith('timeout:')) r.events(() => { takeChoice(k, c); });
      else r.step(k.threadIndex(c), (j) => { k.step(j); });
    }
  }
  const turns = commute(r.turns, l);
  return { kernel: k, turns, notReplayable: replayable(turns, l) };
}

/** Statements that act on the thread's own fence or BAR only: they commute with another thread's step on other objects. */
const LOCAL_STMTS: ReadonlySet<string> = new Set(['submit', 'wait', 'poll', 'signal', 'read', 'write', 'log', 'use']);
/** Steps that change what an access block sees (the revocable's state): never moved across. */
const GLOBAL_STMTS: ReadonlySet<string> = new Set(['unbind', 'hotunplug', 'rmmod', 'revoke']);

/** The objects a statement names (the drm device of a file for open/close/ioctl). */
function objectsOf(t: Turn, l: Lowered, files: Map<string, string>): string[] | null {
  const info = l.byPos.get(posKey(t.line, t.column));
  if (!info) return null;
  const s = info.stmt;
  switch (s.kind) {
    case 'open': files.set(`${info.owner.range.start.offset}:${s.file.name}`, s.target.name); return [s.target.name];
    case 'close': return [files.get(`${info.owner.range.start.offset}:${s.target.name}`) ?? '?'];
    case 'ioctl': return [files.get(`${info.owner.range.start.offset}:${s.file.name}`) ?? '?'];
    case 'sleep': case 'log': case 'repeat': return [];
    default: return 'target' in s ? [s.target.name] : null;
  }
}

/**
 * Moves a statement that a thread starts inside an access block back to its own previous
 * turn, across steps of other threads that touch other objects. Swapping adjacent
 * independent steps gives an equivalent run (the same states after both), so the model's
 * verdict holds for the reordered steps; it lets the thread keep running inside its RCU
 * section where the kernel cannot make it wait.
 */
export function commute(turns: readonly Turn[], l: Lowered): Turn[] {
  const out = turns.slice();
  const files = new Map<string, string>();
  const objs = out.map((t) => (t.tid === EVENT_TID || t.phase === 'START' || t.phase === 'START_OOPS' ? null : objectsOf(t, l, files)));
  for (let n = 1; n < out.length; n++) {
    const t = out[n];
    if (t.phase !== 'RUN' && t.phase !== 'BLOCK') continue;
    const info = l.byPos.get(posKey(t.line, t.column));
    if (!info?.atomic || !LOCAL_STMTS.has(info.stmt.kind)) continue;
    const mine = objs[n];
    if (!mine) continue;
    let j = n;
    while (j > 0 && out[j - 1].tid !== t.tid) {
      const prev = out[j - 1];
      const pinfo = l.byPos.get(posKey(prev.line, prev.column));
      const theirs = objs[j - 1];
      // a sleep's turns (no kernel action at all) commute with everything
      const sleeping = pinfo?.stmt.kind === 'sleep';
      if (prev.tid === EVENT_TID || (prev.phase !== 'RUN' && !sleeping) || !pinfo || !theirs || GLOBAL_STMTS.has(pinfo.stmt.kind)) break;
      if (theirs.some((o) => mine.includes(o))) break;
      [out[j - 1], out[j]] = [out[j], out[j - 1]];
      [objs[j - 1], objs[j]] = [objs[j], objs[j - 1]];
      j--;
    }
  }
  return out;
}

/**
 * A thread inside an `access` block (an RCU read section) cannot sleep waiting for its
 * turn: each statement it starts there must come right after its own previous turn.
 * (Completions are fine: the statement itself waits or spins there already.)
 */
export function replayable(turns: readonly Turn[], l: Lowered): NotReplayable | null {
  for (let n = 1; n < turns.length; n++) {
    const t = turns[n];
    if (t.phase !== 'RUN' && t.phase !== 'BLOCK' && t.phase !== 'OOPS') continue;
    const info = l.byPos.get(posKey(t.line, t.column));
    if (!info?.atomic && !t.atomic) continue;
    if (turns[n - 1].tid !== t.tid) {
      const why = t.atomic && !t.atomic.startsWith('is inside `access') ? `${t.thread} ${t.atomic}` : `${t.thread} is inside an access block (an RCU read section)`;
      return {
        step: t.step, thread: t.thread, line: t.line, column: t.column,
        why: `step ${t.step} needs ${t.thread} to wait for its turn at ${t.line}:${t.column}, but ${why} and may not sleep there; ${turns[n - 1].thread} steps just before it`,
      };
    }
  }
  return null;
}
