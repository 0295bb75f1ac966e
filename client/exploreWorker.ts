// Explore Schedules runs here, in a child process the extension forks (dist/explore-worker.js),
// so a long exploration never blocks the editor and its memory goes away with it. It gets
// one job over IPC, reports progress while it explores, answers with the explore report of
// tools.md §1 (plus why it stopped early), and exits. The time limit is checked between
// states, so a timed-out exploration still reports what it found; cancelling kills it.

import { compile } from '../grammar';
import { lower } from '../debug-adapter/runtime/program';
import { explore, exploreJson, type ExploreJson } from '../debug-adapter/explorer/explore';
import { stopCause } from './logic/verdict';
import { recordRun } from '../debug-adapter/timeline/record';

export interface ExploreJob {
  type?: 'explore';
  file: string;
  text: string;
  maxStates?: number;
  maxMemoryMb?: number;
  timeLimitMs?: number;
}

/** The timeline of a run (the default schedule, or a replayed witness), for the Lifetimes view. */
export interface TimelineJob {
  type: 'timeline';
  file: string;
  text: string;
  horizonNs?: number;
  schedule?: string[];
}

export type WorkerMessage =
  | { type: 'timeline'; timeline: unknown }
  | { type: 'progress'; states: number; statesPerSecond: number; depth: number }
  | { type: 'result'; report: unknown }
  | { type: 'error'; message: string };

function send(m: WorkerMessage, done?: () => void): void {
  if (process.send) process.send(m, undefined, undefined, () => done?.());
  else done?.();
}

function runJob(job: ExploreJob, done: () => void): void {
  const analysis = compile(job.text);
  const errors = analysis.diagnostics;
  if (errors.length) {
    send({
      type: 'result',
      report: {
        file: job.file, mode: 'explore', met: false,
        diagnostics: errors.map((d) => ({
          code: d.code, severity: d.severity, line: d.range.start.line, column: d.range.start.column,
          endLine: d.range.end.line, endColumn: d.range.end.column, message: d.message,
        })),
      },
    }, done);
    return;
  }
  const p = lower(analysis.file);
  const deadline = job.timeLimitMs ? Date.now() + job.timeLimitMs : Infinity;
  let timedOut = false;
  const res = explore(p, {
    maxStates: job.maxStates,
    maxMemoryBytes: job.maxMemoryMb ? job.maxMemoryMb * 1048576 : undefined,
    progressEveryMs: 250,
    onProgress: (pr) => send({ type: 'progress', ...pr }),
    shouldStop: () => {
      if (Date.now() > deadline) timedOut = true;
      return timedOut;
    },
  });
  const stopReason = timedOut ? `stopped at the time limit (${Math.round((job.timeLimitMs ?? 0) / 1000)} s)` : res.stopReason;
  const json: ExploreJson & { stopped?: string } = exploreJson(job.file, p, res);
  // tools.md §1 names what stopped a search; the time limit is the worker's own.
  const stopped = json.complete ? undefined : timedOut ? 'max-time' : json.stopped ?? stopCause({ complete: false, stopReason });
  send({ type: 'result', report: { ...json, stopReason, ...(stopped ? { stopped } : {}) } }, done);
}

// Leave once the last message has gone out.
const leave = () => process.disconnect?.();

function timelineJob(job: TimelineJob, done: () => void): void {
  const analysis = compile(job.text);
  if (analysis.diagnostics.length) {
    send({ type: 'error', message: `${job.file} has static errors: it does not run` }, done);
    return;
  }
  const p = lower(analysis.file);
  const base = job.file.split(/[\\/]/).pop();
  send({ type: 'timeline', timeline: recordRun(p, { horizonNs: job.horizonNs, schedule: job.schedule, file: base }) }, done);
}

process.once('message', (job: ExploreJob | TimelineJob) => {
  try {
    if (job.type === 'timeline') timelineJob(job, leave);
    else runJob(job, leave);
  } catch (e) {
    send({ type: 'error', message: (e as Error)?.message ?? String(e) }, leave);
  }
});
