// The status bar item of the background exploration (the server's lifetime/explorationStatus
// notifications): while it runs, say so, since its diagnostics and their "Debug this
// interleaving" fixes only come at its end; after, say what it found, and never call a
// search stopped by a bound clean.

import type { ExplorationStatusParams } from '../../server/explorationStatus';

export interface StatusBarView {
  text: string;
  tooltip: string;
}

export function explorationStatusView(p: ExplorationStatusParams | undefined): StatusBarView | undefined {
  if (!p) return undefined;
  switch (p.state) {
    case 'running':
      return {
        text: '$(sync~spin) Exploring schedules…',
        tooltip: 'Background exploration is trying every interleaving of this scenario; its faults, with "Debug this interleaving", appear when it ends.',
      };
    case 'cancelled':
      return undefined;
    case 'done': {
      const states = `${(p.states ?? 0).toLocaleString('en-US')} states`;
      if (p.failure) return { text: '$(warning) Exploration failed', tooltip: p.failure };
      const faults = p.faults ?? 0;
      const found = faults ? `${faults} fault${faults === 1 ? '' : 's'}` : 'no fault';
      if (!p.complete) {
        return {
          text: `$(question) Explored: inconclusive, ${found} so far`,
          tooltip: `Background exploration stopped (${p.stopReason || 'a bound'}) after ${states}, before every schedule was tried. Click for Explore Schedules, with the bounds of lifetime.explore.*.`,
        };
      }
      return {
        text: faults ? `$(warning) Explored: ${found}` : '$(check) Explored: no fault',
        tooltip: `Every schedule tried (${states}): ${found}${faults ? ', see the Problems panel ("Debug this interleaving" on each)' : ''}. Click for Explore Schedules.`,
      };
    }
    default:
      return p.state satisfies never;
  }
}
