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

/** The colour class of a lane's state. */
export function toneOf(kind: Lane['kind'], state: string): Tone {
  if (state.startsWith('removed')) return state === 'removed' ? 'dead' : 'ending';
  switch (state) {
    case 'live':
    case 'bound':
    case 'running':
      return kind === 'work' ? 'busy' : 'live';
    case 'going':
    case 'unbinding':
    case 'pending':
    case 'releasing':
    case 'held':
    case 'blocked':
    case 'spinning':
      return 'busy';
    case 'sleeping':
      return 'idle';
    case 'unplugged':
      return 'ending';
    case 'gone':
    case 'freed':
    case 'unbound':
    case 'revoked':
    case 'done':
      return 'dead';
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

/** Shortens text to about `px` pixels of a `size`-pixel font, with an ellipsis. */
function fit(text: string, px: number, size: number): string {
  const max = Math.floor(px / (size * 0.6));
  if (max <= 1) return '';
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
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

const LABEL_W = 200;
const LANE_H = 36;
const GROUP_H = 18;

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

/** Renders the timeline; see SvgOptions. */
export function renderTimelineSvg(tl: Timeline, opts: SvgOptions = {}): string {
  const standalone = opts.standalone ?? true;
  const faultList = opts.faultList ?? standalone;
  const current = opts.current ?? tl.current;
  const n = tl.samples.length;
  const colW = n <= 40 ? 92 : n <= 120 ? 64 : n <= 400 ? 28 : 12;
  const top = standalone ? 48 : 8;
  const headerH = 40;
  const objLanes = tl.lanes.map((l, i) => ({ l, i })).filter((x) => x.l.kind !== 'thread');
  const thrLanes = tl.lanes.map((l, i) => ({ l, i })).filter((x) => x.l.kind === 'thread');
  const chartTop = top + headerH;
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
      y += LANE_H;
    }
  }
  const chartBottom = y;
  const chartW = Math.max(1, n) * colW;
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
    o.push(`<rect class="lane-bg${odd ? ' odd' : ''}" x="0" y="${ly}" width="${width}" height="${LANE_H}"/>`);
    odd = !odd;
    o.push(`<g class="lane-label"><title>${escapeXml(`${l.name}: ${l.detail}`)}</title>`);
    o.push(`<text class="lane-name" x="12" y="${ly + 15}">${escapeXml(fit(l.name, LABEL_W - 20, 12))}</text>`);
    o.push(`<text class="lane-detail" x="12" y="${ly + 28}">${escapeXml(fit(l.detail, LABEL_W - 20, 10))}</text></g>`);
  }

  // column headers: steps and virtual time
  let prevTime = -1;
  tl.samples.forEach((s, c) => {
    const x = LABEL_W + c * colW;
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
  if (colW < 28 && n) o.push(`<text class="col-step" x="${LABEL_W + 4}" y="${top + 14}">steps ${tl.samples[0].fromStep}–${tl.samples[n - 1].step}</text>`);

  // the current stop (under the segments so they stay readable)
  if (curCol >= 0) {
    const x = LABEL_W + curCol * colW;
    o.push(`<rect class="current" x="${x}" y="${top}" width="${colW}" height="${chartBottom - top}" rx="3"><title>${escapeXml(`current stop: step ${current}`)}</title></rect>`);
    if (colW >= 40) o.push(`<text class="current-label" x="${x + colW - 4}" y="${top + 14}" text-anchor="end">▼</text>`);
  }

  // segments
  for (const [i, ly] of laneY) {
    const l = tl.lanes[i];
    for (const sg of segments(tl, i)) {
      const x = LABEL_W + sg.from * colW + 1;
      const w = (sg.to - sg.from + 1) * colW - 2;
      const s0 = tl.samples[sg.from];
      const s1 = tl.samples[sg.to];
      const tipLines = [`${l.name} (${l.detail}): ${mainText(sg.o)}`, `${stepsText(s0.fromStep, s1.step)}, ${fmtNs(s0.time_ns)}${s1.time_ns !== s0.time_ns ? `–${fmtNs(s1.time_ns)}` : ''}`];
      if (sg.o.holders.length) tipLines.push(`held by: ${sg.o.holders.join(', ')}`);
      if (sg.o.readers.length) tipLines.push(`${l.kind === 'thread' ? 'now' : 'inside / waiting'}: ${sg.o.readers.join(', ')}`);
      const future = curCol >= 0 && sg.from > curCol ? ' future' : '';
      o.push(`<g class="seg-g${future}"><title>${escapeXml(tipLines.join('\n'))}</title>`);
      o.push(`<rect class="seg tone-${toneOf(l.kind, sg.o.state)}" data-lane="${escapeXml(l.name)}" data-state="${escapeXml(sg.o.state)}" x="${x}" y="${ly + 3}" width="${Math.max(1, w)}" height="${LANE_H - 6}" rx="3"/>`);
      const t1 = fit(mainText(sg.o), w - 8, 11);
      if (t1) o.push(`<text class="seg-text" x="${x + 4}" y="${ly + 16}">${escapeXml(t1)}</text>`);
      const t2 = fit(subText(sg.o), w - 8, 9.5);
      if (t2) o.push(`<text class="seg-sub" x="${x + 4}" y="${ly + 28}">${escapeXml(t2)}</text>`);
      o.push(`</g>`);
    }
  }

  // faults: a dashed line through the column, a mark on the lane
  tl.faults.forEach((f, k) => {
    const c = sampleIndexAt(tl, f.step);
    if (c < 0) return;
    const x = LABEL_W + c * colW + colW - 9;
    const ly = laneY.get(f.lane) ?? chartTop;
    const tip = `${f.kind} in ${f.thread || 'kernel'} at line ${f.line}:${f.column}, step ${f.step}, ${fmtNs(f.time_ns)}\n${f.message}`;
    o.push(`<g class="fault" data-kind="${escapeXml(f.kind)}"><title>${escapeXml(tip)}</title>`);
    o.push(`<line class="fault-line" x1="${x}" y1="${top + 2}" x2="${x}" y2="${chartBottom}"/>`);
    o.push(`<circle class="fault-mark" cx="${x}" cy="${ly + LANE_H / 2}" r="8"/>`);
    o.push(`<text class="fault-bang" x="${x}" y="${ly + LANE_H / 2 + 4}" text-anchor="middle">${faultsShown.length ? k + 1 : '!'}</text>`);
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
