// Draws a Timeline as SVG: a lane per object and per thread, a column per sample (the
// steps that changed something), each lane's count and state as coloured segments with
// the holders written under them, faults marked where they happened, and the debugger's
// current stop highlighted. Pure string building: the CLI writes it to a file, the
// extension puts it into its webview.
//
// Colours come from classes (`tone-live`, `tone-dead`…), never from inline `style`
// attributes, so the same markup works under the webview's strict content security policy
// (which forbids inline styles); a standalone file embeds a <style> sheet with a light
// palette, the webview supplies its own from the editor's theme.

import { formatDuration } from '../../grammar/ast';
import { sampleIndexAt, type Lane, type ObjectSample, type Timeline } from './model';

export interface SvgOptions {
  /** embed a style sheet, a background and a title, for a file on its own (default true) */
  standalone?: boolean;
  /** the step to highlight (default: timeline.current) */
  current?: number;
  /** list the faults under the chart (default: standalone) */
  faultList?: boolean;
}

export type Tone = 'live' | 'busy' | 'ending' | 'dead' | 'idle' | 'error' | 'done';

/**
 * The colour class of a lane's state. A state of several words (`armed, fires at 5ms`,
 * `handler running (freed)`) takes the tone of its first word.
 */
export function toneOf(kind: Lane['kind'], state: string): Tone {
  if (state.startsWith('removed')) return state === 'removed' ? 'dead' : 'ending';
  const head = state.split(/, | \(/)[0];
  switch (head) {
    case 'live':
    case 'bound':
    case 'present':
    case 'registered':
    case 'requested':
      return 'live';
    case 'running':
    case 'handler running':
      return kind === 'thread' ? 'live' : 'busy';
    case 'going':
    case 'unbinding':
    case 'pending':
    case 'releasing':
    case 'held':
    case 'blocked':
    case 'spinning':
    case 'armed':
    case 'raised':
      return 'busy';
    case 'sleeping':
    case 'not done':
      return 'idle';
    case 'unplugged':
    case 'draining':
      return 'ending';
    case 'gone':
    case 'freed':
    case 'unbound':
    case 'revoked':
    case 'deleted':
    case 'disabled':
    case 'shut down':
      return 'dead';
    case 'done':
      return kind === 'completion' ? 'done' : 'dead';
    case 'error':
    case 'oops':
      return 'error';
    case 'signalled':
      return 'done';
    default:
      return 'idle';
  }
}

/** Times on the timeline: milliseconds to three places where no unit divides them. */
export function fmtNs(ns: number): string {
  return formatDuration(ns, true);
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The width of a monospace character of a `size`-pixel font, as the chart assumes it. */
const CHAR_W = 0.6;

/** The pixels `text` takes in a `size`-pixel monospace font. */
export function textWidth(text: string, size: number): number {
  return Math.ceil(text.length * size * CHAR_W);
}

/** Shortens text to about `px` pixels of a `size`-pixel font, with an ellipsis (the element's hover has the whole text). */
export function fit(text: string, px: number, size: number): string {
  const max = Math.floor(px / (size * CHAR_W));
  if (max <= 1) return '';
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Breaks `text` into at most `maxLines` lines of `px` pixels, between list items (`, `,
 * ` | `) or words; what is still too long ends with an ellipsis.
 */
export function wrapText(text: string, px: number, size: number, maxLines = 2): string[] {
  if (textWidth(text, size) <= px) return [text];
  const tokens = text.split(/(?<=, | \| | )/);
  const lines: string[] = [];
  let cur = '';
  for (const t of tokens) {
    if (cur && textWidth((cur + t).trimEnd(), size) > px) {
      lines.push(cur.trimEnd());
      cur = '';
    }
    cur += t;
  }
  if (cur) lines.push(cur.trimEnd());
  if (lines.length > maxLines) lines.splice(maxLines - 1, lines.length, lines.slice(maxLines - 1).join(' '));
  return lines.map((l) => fit(l, px, size)).filter(Boolean);
}

/** The style sheet of a standalone SVG (a light palette; also a reference for themes). */
export const STANDALONE_CSS = `
svg.lifetimes { font-family: ui-monospace, Menlo, Consolas, monospace; }
.bg { fill: #ffffff; }
.title { font-size: 15px; font-weight: bold; fill: #1f2328; font-family: system-ui, sans-serif; }
.subtitle { font-size: 11px; fill: #59636e; font-family: system-ui, sans-serif; }
.lane-name { font-size: 12px; font-weight: bold; fill: #1f2328; }
.lane-detail { font-size: 10px; fill: #59636e; }
.lane-bg { fill: #f6f8fa; }
.lane-bg.odd { fill: #ffffff; }
.group { font-size: 10px; fill: #59636e; letter-spacing: 1px; }
.col-step { font-size: 10px; fill: #59636e; }
.col-time { font-size: 10px; fill: #0969da; }
.grid { stroke: #d1d9e0; stroke-width: 1; }
.seg { stroke: #ffffff; stroke-width: 1; }
.seg-text { font-size: 11px; fill: #1f2328; }
.seg-sub { font-size: 9.5px; fill: #3d444d; }
.tone-live { fill: #aceebb; }
.tone-busy { fill: #ffdf8a; }
.tone-ending { fill: #ffc28a; }
.tone-dead { fill: #d1d9e0; }
.tone-idle { fill: #eef1f4; }
.tone-error { fill: #ff9b9b; }
.tone-done { fill: #a6d4ff; }
.current { fill: #0969da; fill-opacity: 0.10; stroke: #0969da; stroke-width: 2; }
.current-label { font-size: 10px; font-weight: bold; fill: #0969da; }
.future { opacity: 0.45; }
.fault-mark { fill: #cf222e; stroke: #ffffff; stroke-width: 1.5; }
.fault-bang { font-size: 11px; font-weight: bold; fill: #ffffff; }
.fault-line { stroke: #cf222e; stroke-width: 1; stroke-dasharray: 3 3; }
.fault-text { font-size: 11px; fill: #cf222e; }
.legend-text { font-size: 10px; fill: #59636e; }
`;

export const LABEL_W = 200;
const LANE_H = 36;
/** A lane whose holders need a second line. */
const LANE_H_WRAPPED = 47;
const SUB_LINE_H = 11;
const GROUP_H = 18;
/** Column widths: at least the header's step range and time; a segment's text up to MAX_COL_W per column before it is abbreviated. */
const MIN_COL_W = 46;
const MAX_COL_W = 190;
/** Font sizes of the segments' two lines (the style sheets say the same). */
const MAIN_PX = 11;
const SUB_PX = 9.5;
/** Padding inside a segment: 1 px border each side, 4 px before the text, 4 after. */
const SEG_PAD = 10;

interface Seg {
  from: number;
  to: number;
  o: ObjectSample;
}

function sameSample(a: ObjectSample, b: ObjectSample): boolean {
  return a.state === b.state && a.count === b.count && a.holders.join('\n') === b.holders.join('\n') && a.readers.join('\n') === b.readers.join('\n');
}

function segments(tl: Timeline, lane: number): Seg[] {
  const out: Seg[] = [];
  tl.samples.forEach((s, c) => {
    const o = s.objects[lane];
    if (!o) return;
    const last = out[out.length - 1];
    if (last && last.to === c - 1 && sameSample(last.o, o)) last.to = c;
    else out.push({ from: c, to: c, o });
  });
  return out;
}

function stepsText(from: number, to: number): string {
  return from >= to ? `step ${to}` : `steps ${from}–${to}`;
}

function mainText(o: ObjectSample): string {
  return o.count !== undefined ? `${o.count} · ${o.state}` : o.state;
}

function subText(o: ObjectSample): string {
  if (o.holders.length && o.readers.length) return `${o.holders.join(', ')} | ${o.readers.join(', ')}`;
  return (o.holders.length ? o.holders : o.readers).join(', ');
}

export interface ColumnLayout {
  /** x of each column (sample), in the SVG's coordinates */
  x: number[];
  /** width of each column */
  w: number[];
  /** where the columns start (the lane labels are left of it) */
  labelW: number;
  /** the columns' total width */
  chartW: number;
}

/**
 * Where each column goes. Up to 120 samples, each column is as wide as the text of the
 * segments in it needs (a segment over several columns shares the need), between
 * MIN_COL_W and MAX_COL_W, so `2 · unplugged` and `app: drm_dev_enter` are read whole;
 * beyond that (long loops) the columns are narrow and uniform and the hovers carry the text.
 */
export function columnLayout(tl: Timeline): ColumnLayout {
  const n = tl.samples.length;
  let w: number[];
  if (n > 120) {
    w = new Array<number>(n).fill(n <= 400 ? 28 : 12);
  } else {
    w = new Array<number>(n).fill(MIN_COL_W);
    const needs: { from: number; to: number; px: number }[] = [];
    tl.lanes.forEach((_l, i) => {
      for (const sg of segments(tl, i)) {
        const px = Math.min(MAX_COL_W * (sg.to - sg.from + 1), Math.max(textWidth(mainText(sg.o), MAIN_PX), textWidth(subText(sg.o), SUB_PX)) + SEG_PAD);
        needs.push({ from: sg.from, to: sg.to, px });
      }
    });
    tl.samples.forEach((s, c) => {
      const head = Math.max(textWidth(s.fromStep >= s.step ? `${s.step}` : `${s.fromStep}–${s.step}`, 10), textWidth(fmtNs(s.time_ns), 10)) + 10;
      w[c] = Math.max(w[c], Math.min(MAX_COL_W, head));
    });
    // One-column segments first, then wider ones spread what they still lack over their columns.
    needs.sort((a, b) => a.to - a.from - (b.to - b.from));
    for (const nd of needs) {
      let have = 0;
      for (let c = nd.from; c <= nd.to; c++) have += w[c];
      const lack = nd.px - have;
      if (lack <= 0) continue;
      const k = nd.to - nd.from + 1;
      for (let c = nd.from; c <= nd.to; c++) w[c] = Math.min(MAX_COL_W, w[c] + Math.ceil(lack / k));
    }
  }
  // room for a fault's mark at the right end of its column, beside the text
  if (n <= 120) for (const f of tl.faults) {
    const c = sampleIndexAt(tl, f.step);
    if (c >= 0) w[c] += 18;
  }
  const x: number[] = [];
  let at = LABEL_W;
  for (const cw of w) {
    x.push(at);
    at += cw;
  }
  return { x, w, labelW: LABEL_W, chartW: Math.max(at - LABEL_W, MIN_COL_W) };
}

/** Renders the timeline; see SvgOptions. */
export function renderTimelineSvg(tl: Timeline, opts: SvgOptions = {}): string {
  const standalone = opts.standalone ?? true;
  const faultList = opts.faultList ?? standalone;
  const current = opts.current ?? tl.current;
  const n = tl.samples.length;
  const cols = columnLayout(tl);
  const top = standalone ? 48 : 8;
  const headerH = 40;
  const objLanes = tl.lanes.map((l, i) => ({ l, i })).filter((x) => x.l.kind !== 'thread');
  const thrLanes = tl.lanes.map((l, i) => ({ l, i })).filter((x) => x.l.kind === 'thread');
  const chartTop = top + headerH;
  const segWidth = (sg: Seg) => cols.x[sg.to] + cols.w[sg.to] - cols.x[sg.from] - 2;
  // A lane is taller where some segment's holders need a second line.
  const laneH = (i: number) =>
    textWidth(tl.lanes[i].detail, 10) > LABEL_W - 20 || segments(tl, i).some((sg) => textWidth(subText(sg.o), SUB_PX) > segWidth(sg) - 8) ? LANE_H_WRAPPED : LANE_H;
  const heights = tl.lanes.map((_l, i) => laneH(i));
  // lane index → y
  const laneY = new Map<number, number>();
  let y = chartTop;
  const groups: { label: string; y: number }[] = [];
  for (const [label, list] of [['OBJECTS', objLanes], ['THREADS', thrLanes]] as const) {
    if (!list.length) continue;
    groups.push({ label, y });
    y += GROUP_H;
    for (const { i } of list) {
      laneY.set(i, y);
      y += heights[i];
    }
  }
  const chartBottom = y;
  const chartW = cols.chartW;
  const faultsShown = faultList ? tl.faults : [];
  const listTop = chartBottom + 16;
  const height = chartBottom + (faultsShown.length ? 16 + 18 * faultsShown.length + 8 : 0) + 30;
  const width = LABEL_W + chartW + 24;
  const curCol = current === undefined ? -1 : sampleIndexAt(tl, current);

  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" class="lifetimes" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(`Lifetimes of ${tl.scenario || tl.file || 'the scenario'}`)}">`);
  if (standalone) {
    o.push(`<style>${STANDALONE_CSS}</style>`);
    o.push(`<rect class="bg" x="0" y="0" width="${width}" height="${height}"/>`);
    o.push(`<text class="title" x="12" y="22">${escapeXml(tl.scenario || tl.file || 'scenario')}</text>`);
    const faults = tl.faults.length ? `${tl.faults.length} fault${tl.faults.length === 1 ? '' : 's'} (${[...new Set(tl.faults.map((f) => f.kind))].join(', ')})` : 'no fault';
    const last = tl.samples[n - 1];
    const sub = `${tl.file ? `${tl.file} · ` : ''}${last ? `${last.step} steps, ${fmtNs(last.time_ns)} of virtual time` : 'no step'} · ${faults}`;
    o.push(`<text class="subtitle" x="12" y="38">${escapeXml(sub)}</text>`);
  }

  // lane backgrounds and labels
  for (const g of groups) o.push(`<text class="group" x="12" y="${g.y + 13}">${g.label}</text>`);
  let odd = false;
  for (const [i, ly] of laneY) {
    const l = tl.lanes[i];
    o.push(`<rect class="lane-bg${odd ? ' odd' : ''}" x="0" y="${ly}" width="${width}" height="${heights[i]}"/>`);
    odd = !odd;
    o.push(`<g class="lane-label"><title>${escapeXml(`${l.name}: ${l.detail}`)}</title>`);
    o.push(`<text class="lane-name" x="12" y="${ly + 15}">${escapeXml(fit(l.name, LABEL_W - 20, 12))}</text>`);
    const details = wrapText(l.detail, LABEL_W - 20, 10, heights[i] === LANE_H ? 1 : 2);
    details.forEach((d, k) => o.push(`<text class="lane-detail" x="12" y="${ly + 28 + k * SUB_LINE_H}">${escapeXml(d)}</text>`));
    o.push(`</g>`);
  }

  // column headers: steps and virtual time
  let prevTime = -1;
  tl.samples.forEach((s, c) => {
    const x = cols.x[c];
    const colW = cols.w[c];
    const acts = s.actions.map((a) => `step ${a.step} · ${fmtNs(a.time_ns)} · ${a.thread || 'kernel'}${a.line ? `:${a.line}` : ''} ${a.kind}: ${a.text}`);
    if (s.more) acts.push(`… ${s.more} more`);
    const tip = `${stepsText(s.fromStep, s.step)}, at ${fmtNs(s.time_ns)}${acts.length ? `\n${acts.join('\n')}` : ''}`;
    const label = colW >= 40 ? (s.fromStep >= s.step ? `${s.step}` : `${s.fromStep}–${s.step}`) : colW >= 28 ? `${s.step}` : '';
    o.push(`<g class="col${curCol >= 0 && c > curCol ? ' future' : ''}" data-step="${s.step}"><title>${escapeXml(tip)}</title>`);
    o.push(`<rect x="${x}" y="${top}" width="${colW}" height="${headerH - 4}" fill="transparent"/>`);
    if (label) o.push(`<text class="col-step" x="${x + 4}" y="${top + 14}">${escapeXml(label)}</text>`);
    if (s.time_ns !== prevTime && colW >= 28) o.push(`<text class="col-time" x="${x + 4}" y="${top + 30}">${escapeXml(fmtNs(s.time_ns))}</text>`);
    o.push(`</g>`);
    prevTime = s.time_ns;
    o.push(`<line class="grid" x1="${x}" y1="${top + 2}" x2="${x}" y2="${chartBottom}"/>`);
  });
  if (n && cols.w[0] < 28) o.push(`<text class="col-step" x="${LABEL_W + 4}" y="${top + 14}">steps ${tl.samples[0].fromStep}–${tl.samples[n - 1].step}</text>`);

  // the current stop (under the segments so they stay readable)
  if (curCol >= 0) {
    const x = cols.x[curCol];
    const colW = cols.w[curCol];
    o.push(`<rect class="current" x="${x}" y="${top}" width="${colW}" height="${chartBottom - top}" rx="3"><title>${escapeXml(`current stop: step ${current}`)}</title></rect>`);
    if (colW >= 40) o.push(`<text class="current-label" x="${x + colW - 4}" y="${top + 14}" text-anchor="end">▼</text>`);
  }

  // segments
  for (const [i, ly] of laneY) {
    const l = tl.lanes[i];
    for (const sg of segments(tl, i)) {
      const x = cols.x[sg.from] + 1;
      const w = segWidth(sg);
      const s0 = tl.samples[sg.from];
      const s1 = tl.samples[sg.to];
      const tipLines = [`${l.name} (${l.detail}): ${mainText(sg.o)}`, `${stepsText(s0.fromStep, s1.step)}, ${fmtNs(s0.time_ns)}${s1.time_ns !== s0.time_ns ? `–${fmtNs(s1.time_ns)}` : ''}`];
      if (sg.o.holders.length) tipLines.push(`held by: ${sg.o.holders.join(', ')}`);
      if (sg.o.readers.length) tipLines.push(`${l.kind === 'thread' ? 'now' : 'inside / waiting'}: ${sg.o.readers.join(', ')}`);
      const future = curCol >= 0 && sg.from > curCol ? ' future' : '';
      o.push(`<g class="seg-g${future}"><title>${escapeXml(tipLines.join('\n'))}</title>`);
      o.push(`<rect class="seg tone-${toneOf(l.kind, sg.o.state)}" data-lane="${escapeXml(l.name)}" data-state="${escapeXml(sg.o.state)}" x="${x}" y="${ly + 3}" width="${Math.max(1, w)}" height="${heights[i] - 6}" rx="3"/>`);
      // data-x0/x1/full: the webview keeps the text of a segment that starts under the
      // pinned lane labels in view when the chart scrolls sideways.
      const span = `data-x0="${x}" data-x1="${x + w}"`;
      const t1 = fit(mainText(sg.o), w - 8, MAIN_PX);
      if (t1) o.push(`<text class="seg-text" x="${x + 4}" y="${ly + 16}" ${span} data-full="${escapeXml(mainText(sg.o))}">${escapeXml(t1)}</text>`);
      wrapText(subText(sg.o), w - 8, SUB_PX, heights[i] === LANE_H ? 1 : 2).forEach((t2, k) => {
        o.push(`<text class="seg-sub" x="${x + 4}" y="${ly + 28 + k * SUB_LINE_H}" ${span} data-full="${escapeXml(t2)}">${escapeXml(t2)}</text>`);
      });
      o.push(`</g>`);
    }
  }

  // faults: a dashed line through the column, a mark on the lane
  tl.faults.forEach((f, k) => {
    const c = sampleIndexAt(tl, f.step);
    if (c < 0) return;
    const x = cols.x[c] + cols.w[c] - 9;
    const ly = laneY.get(f.lane) ?? chartTop;
    const tip = `${f.kind} in ${f.thread || 'kernel'} at line ${f.line}:${f.column}, step ${f.step}, ${fmtNs(f.time_ns)}\n${f.message}`;
    o.push(`<g class="fault" data-kind="${escapeXml(f.kind)}"><title>${escapeXml(tip)}</title>`);
    o.push(`<line class="fault-line" x1="${x}" y1="${top + 2}" x2="${x}" y2="${chartBottom}"/>`);
    const mid = ly + (f.lane >= 0 ? heights[f.lane] ?? LANE_H : LANE_H) / 2;
    o.push(`<circle class="fault-mark" cx="${x}" cy="${mid}" r="8"/>`);
    o.push(`<text class="fault-bang" x="${x}" y="${mid + 4}" text-anchor="middle">${faultsShown.length ? k + 1 : '!'}</text>`);
    o.push(`</g>`);
  });

  o.push(`<line class="grid" x1="${LABEL_W}" y1="${chartBottom}" x2="${LABEL_W + chartW}" y2="${chartBottom}"/>`);
  faultsShown.forEach((f, k) => {
    const line = `${k + 1}. ${f.kind} in ${f.thread || 'kernel'} at line ${f.line}:${f.column} (step ${f.step}, ${fmtNs(f.time_ns)}): ${f.message}`;
    o.push(`<text class="fault-text" x="12" y="${listTop + 14 + 18 * k}">${escapeXml(fit(line, width - 24, 11))}<title>${escapeXml(line)}</title></text>`);
  });
  if (standalone) {
    o.push(`<text class="legend-text" x="12" y="${height - 10}">columns: the steps that changed something · segments: count · state, then holders | readers · hover for details</text>`);
  }
  o.push('</svg>');
  return o.join('\n');
}
