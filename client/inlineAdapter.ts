// The debug adapter the extension runs inline (DebugAdapterInlineImplementation), bundled
// as dist/inline-adapter.js and loaded on the first debug session, so that activation does
// not pay for it. It is the project's LifetimeDebugSession, plus the whole timeline in each
// `lifetime/state` event (`body.timeline`, see debug-adapter/debugger/timeline.ts), so that
// the Lifetimes view shows every step of the history, not only the stops.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { LifetimeDebugSession } from '../debug-adapter/session';
import { HistoryTimeline } from '../debug-adapter/debugger/timeline';
import type { History } from '../debug-adapter/debugger/history';

const STATE_EVENT = 'lifetime/state';

export class InlineLifetimeSession extends LifetimeDebugSession {
  private follower: { h: History; tl: HistoryTimeline } | null = null;

  override sendEvent(event: DebugProtocol.Event): void {
    if (event.event === STATE_EVENT && event.body && typeof event.body === 'object') {
      try {
        const cur = this.current;
        const h = cur?.h;
        if (h) {
          if (!this.follower || this.follower.h !== h) {
            const file = cur.path.split(/[\\/]/).pop();
            this.follower = { h, tl: new HistoryTimeline(h, file) };
          }
          (event.body as { timeline?: unknown }).timeline = this.follower.tl.update(h);
        }
      } catch {
        // the view falls back to the states at the stops
      }
    }
    super.sendEvent(event);
  }
}

export { LifetimeDebugSession };
