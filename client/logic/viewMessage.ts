// What the Lifetimes view's webview is sent, as pure functions: the SVG, the title and
// status line, the fault list, which legend entries apply, and where to scroll so that the
// current stop and the faults are in view (the webview reports its width and scroll).

import { columnLayout, fmtNs, renderTimelineSvg, type ColumnLayout } from '../../debug-adapter/timeline/svg';
import { sampleIndexAt, type Timeline } from '../../debug-adapter/timeline/model';
import type { SessionTimeline } from './stateTimeline';

export interface ViewMessage {
  type: 'update';
  title: string;
  status: string;
  svg: string;
  faults: { text: string; line: number }[];
  empty?: string;
  /** the legend's entries that apply: "current stop" only where there is one */
  legend: { current: boolean };
  /** scroll the chart here (absent: leave the scroll as it is) */
  scrollLeft?: number;
}

/** The chart's visible width and scroll position, as the webview last reported them. */
export interface Viewport {
  width: number;
  scrollLeft: number;
  /** the user moved the chart since the view last scrolled it: keep that while it shows what matters */
  userScrolled?: boolean;
}

export const EMPTY_TEXT = 'Start debugging a .lifetime scenario (F5): its lifetimes appear here at the first stop.';

const MARGIN = 12;

/**
 * Where to scroll so that the current stop, then as many faults as fit beside it, are in
 * view right of the pinned lane labels: of the positions that show them, the leftmost, so
 * the first steps stay in view whenever they can. Undefined when the chart is there
 * already, when the user scrolled it and it still shows them, or when the width is not
 * known yet.
 */
export function scrollFor(cols: ColumnLayout, currentCol: number, faultCols: number[], view: Viewport | undefined): number | undefined {
  if (!view || view.width <= cols.labelW) return undefined;
  const targets = [...(currentCol >= 0 ? [currentCol] : []), ...faultCols.filter((c) => c >= 0 && c !== currentCol)];
  if (!targets.length) return undefined;
  const room = view.width - cols.labelW - 2 * MARGIN;
  let a = Infinity;
  let b = -Infinity;
  for (const [k, c] of targets.entries()) {
    const a2 = Math.min(a, cols.x[c]);
    const b2 = Math.max(b, cols.x[c] + cols.w[c]);
    if (k > 0 && b2 - a2 > room) break;
    a = a2;
    b = b2;
  }
  const lo = b + MARGIN - view.width;
  const hi = a - MARGIN - cols.labelW;
  if (view.userScrolled && view.scrollLeft >= lo && view.scrollLeft <= hi) return undefined;
  const s = Math.max(0, Math.min(Math.max(lo, 0), hi));
  return Math.abs(s - view.scrollLeft) < 1 ? undefined : s;
}

function faultWords(tl: Timeline): string {
  return tl.faults.length ? `${tl.faults.length} fault${tl.faults.length === 1 ? '' : 's'}` : 'no fault';
}

function faultItems(tl: Timeline): { text: string; line: number }[] {
  return tl.faults.map((f) => ({
    text: `${f.kind} in ${f.thread || 'kernel'} at line ${f.line} (step ${f.step}, ${fmtNs(f.time_ns)}): ${f.message}`,
    line: f.line,
  }));
}

function chart(tl: Timeline, view: Viewport | undefined): Pick<ViewMessage, 'svg' | 'legend' | 'scrollLeft'> {
  const cols = columnLayout(tl);
  const currentCol = tl.current === undefined ? -1 : sampleIndexAt(tl, tl.current);
  const scrollLeft = scrollFor(cols, currentCol, tl.faults.map((f) => sampleIndexAt(tl, f.step)), view);
  return {
    svg: renderTimelineSvg(tl, { standalone: false, faultList: false }),
    legend: { current: currentCol >= 0 },
    ...(scrollLeft !== undefined ? { scrollLeft } : {}),
  };
}

/** The timeline of a whole run (Run Scenario → Show Timeline): no current stop. */
export function runViewMessage(timeline: Timeline, title: string, view?: Viewport): ViewMessage {
  const tl: Timeline = { ...timeline, current: undefined };
  const last = tl.samples[tl.samples.length - 1];
  return {
    type: 'update',
    title: `Lifetimes — ${title}`,
    status: `${tl.scenario ? `${tl.scenario} · ` : ''}${last ? `${last.step} steps, ${fmtNs(last.time_ns)}` : ''} · ${faultWords(tl)}`,
    faults: faultItems(tl),
    ...chart(tl, view),
  };
}

/** A debug session's timeline, at its current stop. */
export function sessionViewMessage(st: SessionTimeline | undefined, sessionName: string, view?: Viewport): ViewMessage {
  const tl = st?.timeline();
  if (!st || !tl) return { type: 'update', title: 'Lifetimes', status: '', svg: '', faults: [], empty: EMPTY_TEXT, legend: { current: false } };
  const b = st.last;
  const where = b ? `step ${b.step ?? '?'} · time ${fmtNs(b.time_ns ?? 0)}` : '';
  const state = st.terminated ? 'session ended' : b?.ended ? 'run ended' : `stopped (${st.reason || 'pause'})`;
  return {
    type: 'update',
    title: `Lifetimes — ${tl.file ?? sessionName}`,
    status: `${tl.scenario && tl.scenario !== tl.file ? `${tl.scenario} · ` : ''}${where} · ${state} · ${faultWords(tl)}`,
    faults: faultItems(tl),
    ...chart(tl, view),
  };
}
