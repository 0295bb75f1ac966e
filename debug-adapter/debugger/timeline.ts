// The timeline of a debug session (here, in the debugger: the timeline knows nothing of it): follows the debugger's History (every action since the
// start, step back included) with a shadow kernel of its own, so that the Lifetimes view
// shows every step, not only the stops. Incremental: each update replays only the actions
// that are new since the previous one; after a step back the shadow goes back too.
//
// Use from the session, at each stop:
//   body.timeline = this.timeline.update(this.history);   // a Timeline (model.ts)

import type { KernelEvent } from '../runtime/kernel';
import { TimelineRecorder, type Action, type Timeline } from '../timeline/model';
import { History } from './history';

export class HistoryTimeline {
  private shadow: History;
  private rec: TimelineRecorder;
  private pending: Action[] = [];

  constructor(h: Pick<History, 'p' | 'mode' | 'k'>, file?: string) {
    this.shadow = new History(h.p, h.mode, h.k.horizon);
    this.shadow.sink = (e: KernelEvent) => this.pending.push(e);
    this.rec = new TimelineRecorder(h.p, file, h.mode);
    this.rec.add(this.shadow.k.s);
  }

  /** Brings the timeline up to the history's current position and returns it. */
  update(h: Pick<History, 'length' | 'codeAt'>): Timeline {
    const n = h.length;
    // the longest common prefix of the shadow's actions and the history's
    let common = 0;
    const m = Math.min(n, this.shadow.length);
    while (common < m && this.shadow.codeAt(common) === h.codeAt(common)) common++;
    if (common < this.shadow.length) {
      this.shadow.goto(common);
      this.rec.add(this.shadow.k.s);
    }
    for (let i = common; i < n; i++) {
      this.shadow.apply(h.codeAt(i));
      this.rec.add(this.shadow.k.s, this.pending);
      this.pending.length = 0;
    }
    return this.rec.timeline(this.shadow.k.s.steps);
  }
}
