// Who steps next: the default run-mode schedule (language.md §6, deterministic, with a
// virtual clock) and the replay of an explore witness (each choice taken from a list).

import { parseChoice } from './choice';
import { Kernel, type KernelOptions } from './kernel';
import type { Program } from './program';
import { WorkSt } from './state';

/** Run mode: kworkers that may start join the turn order, by first start, ties by declaration. */
function admitKworkers(k: Kernel): void {
  const s = k.s;
  for (let i = k.p.threads.length; i < s.threads.length; i++) {
    if (!s.order.includes(i) && s.works[s.threads[i].work].state === WorkSt.Pending && k.canStep(i)) s.order.push(i);
  }
}

/**
 * Run mode: the thread the default schedule steps next at the current time (round-robin
 * over the turn order, one step each), or -1 when none can run now.
 */
export function pickDefault(k: Kernel): number {
  const s = k.s;
  admitKworkers(k);
  const n = s.order.length;
  for (let c = 0; c < n; c++) {
    const j = (s.rr + c) % n;
    if (k.canStep(s.order[j])) return s.order[j];
  }
  return -1;
}

/** Steps thread i in run mode and moves the round-robin past it. */
export function stepRun(k: Kernel, i: number): void {
  k.step(i);
  const j = k.s.order.indexOf(i);
  k.s.rr = j + 1;
}

/**
 * Run mode, when no thread can run: moves the clock to the next timed event, or ends the
 * run (deadlock, hang, horizon, or all done). Returns false once the run has ended.
 */
export function advanceClock(k: Kernel): boolean {
  const t = k.nextEventTime();
  if (t < 0) {
    k.finish();
    return false;
  }
  if (t > k.horizon) {
    k.stopAtHorizon();
    return false;
  }
  k.s.clock = t;
  k.s.rr = 0;
  k.fireDue();
  return true;
}

/** One action of the default schedule; false once the run has ended. */
export function runOne(k: Kernel): boolean {
  if (k.s.ended) return false;
  const i = pickDefault(k);
  if (i >= 0) {
    stepRun(k, i);
    return true;
  }
  return advanceClock(k);
}

/** Runs the default schedule to its end. */
export function runDefault(p: Program, opts: Omit<KernelOptions, 'mode'> = {}): Kernel {
  const k = new Kernel(p, { ...opts, mode: 'run' });
  while (runOne(k));
  return k;
}

export class ScheduleError extends Error {}

/** Explore mode: whether anything at all can happen next. */
export function exploreChoices(k: Kernel): string[] {
  const out: string[] = [];
  k.s.threads.forEach((t, i) => {
    if (k.canStep(i)) out.push(t.name);
  });
  out.push(...k.eventChoices());
  return out;
}

/** Takes one explore choice (a thread name, `complete:<fence>` or `timeout:<thread>`). */
export function takeChoice(k: Kernel, choice: string): boolean {
  const c = parseChoice(choice);
  if (c?.kind !== 'step') return c !== null && c.kind !== 'advance' && k.fireEvent(choice);
  const i = k.threadIndex(c.thread);
  if (i < 0 || !k.canStep(i)) return false;
  k.step(i);
  return true;
}

/** A witness saved by the debugger under the run schedule has `advance:<time>` entries. */
export function isRunSchedule(schedule: readonly string[]): boolean {
  return schedule.some((c) => typeof c === 'string' && c.startsWith('advance:'));
}

/**
 * Replays a witness: with explore semantics (thread names, `complete:<fence>`,
 * `timeout:<thread>`), or — when it has `advance:<time>` entries, as the debugger saves a
 * history taken under the run schedule — with run semantics, the clock moving at each
 * `advance`. Throws ScheduleError naming the first choice that cannot be taken. A run-mode
 * witness goes on with the default schedule to the end of the run, unless `runOn` is false
 * (the caller then runs on itself, with its own bound).
 */
export function replaySchedule(p: Program, schedule: readonly string[], opts: Omit<KernelOptions, 'mode'> = {}, runOn = true): Kernel {
  if (isRunSchedule(schedule)) return replayRun(p, schedule, opts, runOn);
  const k = new Kernel(p, { ...opts, mode: 'explore' });
  schedule.forEach((c, n) => {
    if (k.s.ended) return;
    if (typeof c !== 'string' || !takeChoice(k, c)) {
      const can = exploreChoices(k);
      throw new ScheduleError(
        `schedule entry ${n + 1} (${JSON.stringify(c)}) cannot be taken here; possible: ${can.length ? can.join(', ') : 'nothing'}`);
    }
  });
  if (exploreChoices(k).length === 0) k.finish();
  return k;
}

function replayRun(p: Program, schedule: readonly string[], opts: Omit<KernelOptions, 'mode'>, runOn: boolean): Kernel {
  const k = new Kernel(p, { ...opts, mode: 'run' });
  schedule.forEach((c, n) => {
    const where = `schedule entry ${n + 1} (${JSON.stringify(c)})`;
    if (k.s.ended) throw new ScheduleError(`${where}: the run has already ended`);
    const ch = typeof c === 'string' ? parseChoice(c) : undefined;
    if (ch === null || ch?.kind === 'advance') {
      const want = ch?.ns ?? null;
      if (want === null) throw new ScheduleError(`${where}: expected advance:<time>, such as advance:2ms`);
      if (pickDefault(k) >= 0) throw new ScheduleError(`${where}: threads can still run at ${k.s.clock} ns; the clock does not move yet`);
      advanceClock(k);
      if (k.s.clock !== want) throw new ScheduleError(`${where}: the clock moves to ${k.s.clock} ns here, not ${want} ns`);
      return;
    }
    const i = typeof c === 'string' ? k.threadIndex(c) : -1;
    if (i < 0 || !k.canStep(i)) {
      throw new ScheduleError(`${where} cannot be taken here; possible: ${k.s.threads.filter((_, j) => k.canStep(j)).map((t) => t.name).join(', ') || 'nothing (advance the clock)'}`);
    }
    stepRun(k, i);
  });
  // The run goes on with the default schedule after the witness, to its end.
  if (runOn) while (runOne(k));
  return k;
}
