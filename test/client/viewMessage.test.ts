// The Lifetimes view: readable at the default panel width, scrolled to what matters.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { columnLayout, recordRun, renderTimelineSvg, wrapText } from '../../debug-adapter/timeline';
import { sampleIndexAt } from '../../debug-adapter/timeline/model';
import { SessionTimeline } from '../../client/logic/stateTimeline';
import { runViewMessage, scrollFor, sessionViewMessage } from '../../client/logic/viewMessage';
import { DEADLOCK, program } from './helpers';

const SAMPLES = join(__dirname, '../../samples');
const sampleFiles = readdirSync(SAMPLES).filter((f) => f.endsWith('.lifetime'));
/** The chart's width in a panel beside the editor of a 1600-pixel window. */
const PANEL = 760;

describe('lane text', () => {
  it('is never cut in the run of any sample: columns widen to their text, long holder lists wrap', () => {
    for (const f of sampleFiles) {
      const tl = recordRun(program(readFileSync(join(SAMPLES, f), 'utf8')), { file: f });
      const svg = renderTimelineSvg(tl, { standalone: false });
      const cut = [...svg.matchAll(/class="(?:seg-text|seg-sub|lane-name|lane-detail)"[^>]*>([^<]*…)</g)].map((m) => m[1]);
      expect(cut, f).toEqual([]);
    }
  });

  it('such as "2 · unplugged" and "app: drm_dev_enter" in the deadlock sample', () => {
    const tl = recordRun(program(readFileSync(join(SAMPLES, 'hotunplug-deadlock-wait-in-enter.lifetime'), 'utf8')), {});
    const svg = renderTimelineSvg(tl, { standalone: false });
    expect(svg).toMatch(/class="seg-text"[^>]*>2 · unplugged</);
    expect(svg).toMatch(/class="seg-sub"[^>]*>[^<]*app: drm_dev_enter</);
  });

  it('wraps between list items, and abbreviates only what two lines cannot hold', () => {
    expect(wrapText('binding, app: file f | app: drm_dev_enter', 130, 9.5)).toEqual(['binding, app: file f |', 'app: drm_dev_enter']);
    expect(wrapText('short', 130, 9.5)).toEqual(['short']);
    const long = wrapText('a1, a2, a3, a4, a5, a6, a7, a8, a9, b1, b2, b3, b4, b5, b6, b7', 60, 10);
    expect(long).toHaveLength(2);
    expect(long[1].endsWith('…')).toBe(true);
  });
});

describe('where the view scrolls', () => {
  const tl = recordRun(program(readFileSync(join(SAMPLES, 'four-lifetimes.lifetime'), 'utf8')), {});
  const cols = columnLayout(tl);
  const last = tl.samples.length - 1;
  const visible = (s: number, c: number, width: number) => cols.x[c] >= s + cols.labelW && cols.x[c] + cols.w[c] <= s + width;

  it('opens at the first steps when the current stop is among them (it used to open at the latest columns)', () => {
    expect(cols.chartW + cols.labelW).toBeGreaterThan(PANEL);
    expect(scrollFor(cols, 2, [], { width: PANEL, scrollLeft: 0 })).toBeUndefined();
  });

  it('brings a current stop that is off screen into view, keeping as many early steps as it can', () => {
    const s = scrollFor(cols, last, [], { width: PANEL, scrollLeft: 0 })!;
    expect(s).toBeGreaterThan(0);
    expect(visible(s, last, PANEL)).toBe(true);
    expect(visible(s - 20, last, PANEL)).toBe(false);
    // stepping back to the start scrolls back
    expect(scrollFor(cols, 0, [], { width: PANEL, scrollLeft: s })).toBe(0);
  });

  it('keeps the current stop and the fault in view together when they fit, else the current stop', () => {
    const s = scrollFor(cols, last - 2, [last], { width: PANEL, scrollLeft: 0 })!;
    expect(visible(s, last - 2, PANEL) && visible(s, last, PANEL)).toBe(true);
    const t = scrollFor(cols, 0, [last], { width: PANEL, scrollLeft: 500 });
    expect(t).toBe(0);
    // a run's timeline has no current stop: its fault
    const f = scrollFor(cols, -1, [last], { width: PANEL, scrollLeft: 0 })!;
    expect(visible(f, last, PANEL)).toBe(true);
  });

  it('leaves the user\'s own scrolling alone while what matters is in view, and waits for the width', () => {
    const s = scrollFor(cols, last, [], { width: PANEL, scrollLeft: 0 })!;
    expect(scrollFor(cols, last, [], { width: PANEL, scrollLeft: s + 5, userScrolled: true })).toBeUndefined();
    expect(scrollFor(cols, last, [], { width: PANEL, scrollLeft: s })).toBeUndefined();
    expect(scrollFor(cols, last, [], undefined)).toBeUndefined();
  });

  it('places the chart again when the panel widens after the view scrolled it (it opened narrow)', () => {
    const narrow = scrollFor(cols, 3, [], { width: 320, scrollLeft: 0 })!;
    expect(narrow).toBeGreaterThan(0);
    // wide enough now for step 0 and the current stop together: back to the start
    expect(scrollFor(cols, 3, [], { width: PANEL, scrollLeft: narrow })).toBe(0);
  });
});

describe('the view\'s message', () => {
  const tl = recordRun(program(DEADLOCK), { file: 'deadlock.lifetime' });

  it('a run\'s timeline has no current stop, so no "current stop" in the legend', () => {
    const m = runViewMessage({ ...tl, current: 3 }, 'Run of deadlock.lifetime', { width: PANEL, scrollLeft: 0 });
    expect(m.legend.current).toBe(false);
    expect(m.svg).not.toContain('class="current"');
    expect(m.faults[0].text).toMatch(/^deadlock in app at line 17/);
  });

  it('a session\'s has one, and scrolls to it', () => {
    const st = new SessionTimeline('s', 'deadlock.lifetime');
    const lastStep = tl.samples[tl.samples.length - 1].step;
    st.update({ timeline: { ...tl, current: lastStep }, step: lastStep, reason: 'step' } as never);
    const m = sessionViewMessage(st, 's', { width: 420, scrollLeft: 0 });
    expect(m.legend.current).toBe(true);
    expect(m.svg).toContain('class="current"');
    const c = sampleIndexAt(tl, lastStep);
    const cols = columnLayout(tl);
    expect(m.scrollLeft).toBeGreaterThan(0);
    expect(cols.x[c] + cols.w[c]).toBeLessThanOrEqual(m.scrollLeft! + 420);
    expect(sessionViewMessage(undefined, 's').empty).toMatch(/Start debugging/);
  });
});
