// Records the timeline of a whole run: the default schedule (or a replayed witness), one
// sample per step that changed something. Used by `lifetime run --svg`.

import { Kernel, type KernelEvent } from '../runtime/kernel';
import type { Program } from '../runtime/program';
import { exploreChoices, runOne, takeChoice } from '../runtime/schedule';
import { TimelineRecorder, type Timeline } from './model';

export interface RecordOptions {
  /** run mode's horizon in ns (default the kernel's, 10 s) */
  horizonNs?: number;
  /** replay this witness with explore semantics instead of the default schedule */
  schedule?: readonly string[];
  /** the file name to show in the title */
  file?: string;
  /** stop recording after this many steps (default 200,000) */
  maxSteps?: number;
}

export function recordRun(p: Program, opts: RecordOptions = {}): Timeline {
  const pending: KernelEvent[] = [];
  const k = new Kernel(p, {
    mode: opts.schedule ? 'explore' : 'run',
    horizonNs: opts.horizonNs,
    maxEvents: 0,
    onEvent: (e) => pending.push(e),
  });
  const rec = new TimelineRecorder(p, opts.file, opts.schedule ? 'explore' : 'run');
  const flush = () => {
    rec.add(k.s, pending);
    pending.length = 0;
  };
  flush();
  const maxSteps = opts.maxSteps ?? 200_000;
  if (opts.schedule) {
    for (const c of opts.schedule) {
      if (k.s.ended || k.s.steps >= maxSteps) break;
      if (!takeChoice(k, c)) break;
      flush();
    }
    if (!k.s.ended && exploreChoices(k).length === 0) k.finish();
  } else {
    while (k.s.steps < maxSteps && runOne(k)) flush();
  }
  flush();
  const tl = rec.timeline();
  delete tl.current;
  return tl;
}
