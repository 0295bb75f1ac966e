import { describe, expect, it } from 'vitest';
import { escapeXml, fmtNs, recordRun, renderRunSvg, renderTimelineSvg, toneOf } from '../../debug-adapter/timeline';
import { CLEAN, DEADLOCK, program } from './helpers';

/** A small well-formedness check: every element closes, in order. */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, close, name, , self] = m;
    if (self) continue;
    if (close) {
      if (stack.pop() !== name) return false;
    } else stack.push(name);
  }
  return stack.length === 0;
}

describe('renderTimelineSvg', () => {
  const tl = recordRun(program(DEADLOCK), { file: 'deadlock.lifetime' });

  it('draws a lane per object and thread, segments with counts, and the fault', () => {
    const svg = renderTimelineSvg(tl);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(balanced(svg)).toBe(true);
    for (const name of ['nova', 'gpu0', 'card0', 'job', 'app', 'hotplug']) expect(svg).toMatch(new RegExp(`<text class="lane-name" x="12" y="\\d+">${name}</text>`));
    expect(svg).toMatch(/class="seg tone-live" data-lane="card0" data-state="live"/);
    expect(svg).toContain('2 · live');
    expect(svg).toContain('binding, app: file f');
    expect(svg).toMatch(/<g class="fault" data-kind="deadlock">/);
    expect(svg).toContain('1. deadlock in app at line 17');
    expect(svg).toContain('unplug deadlock');
  });

  it('standalone files carry their style; the webview variant has none, and nothing is inline-styled (CSP)', () => {
    const standalone = renderTimelineSvg(tl);
    const embedded = renderTimelineSvg(tl, { standalone: false });
    expect(standalone).toContain('<style>');
    expect(embedded).not.toContain('<style>');
    expect(embedded).not.toContain('1. deadlock');
    for (const svg of [standalone, embedded]) {
      expect(svg).not.toMatch(/\sstyle="/);
      expect(svg).not.toMatch(/<script|href=|xlink:/);
    }
  });

  it('highlights the current stop and dims what lies after it', () => {
    const svg = renderTimelineSvg(tl, { standalone: false, current: 2 });
    expect(svg.match(/<rect class="current"/g)).toHaveLength(1);
    expect(svg).toContain('current stop: step 2');
    expect(svg).toMatch(/class="seg-g future"/);
    expect(renderTimelineSvg(tl, { standalone: false })).not.toContain('class="current"');
  });

  it('escapes names and messages', () => {
    const t = { ...tl, scenario: 'a <b> & "c"' };
    const svg = renderTimelineSvg(t);
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(balanced(svg)).toBe(true);
    expect(escapeXml(`<'&">`)).toBe('&lt;&#39;&amp;&quot;&gt;');
  });

  it('renders the CLI picture of a whole run', () => {
    const svg = renderRunSvg(program(CLEAN), { file: 'clean.lifetime' });
    expect(balanced(svg)).toBe(true);
    expect(svg).toContain('clean.lifetime · ');
    expect(svg).toContain('no fault');
    expect(svg).toContain('0 · freed');
    expect(svg).toContain('0 · gone');
    expect(svg).not.toContain('class="current"');
  });

  it('an empty timeline still renders', () => {
    const svg = renderTimelineSvg({ version: 1, scenario: '', lanes: [], samples: [], faults: [], ended: false });
    expect(balanced(svg)).toBe(true);
  });
});

describe('tones and times', () => {
  it('colour by what the state means', () => {
    expect(toneOf('drm', 'live')).toBe('live');
    expect(toneOf('drm', 'unplugged')).toBe('ending');
    expect(toneOf('module', 'gone')).toBe('dead');
    expect(toneOf('fence', 'error')).toBe('error');
    expect(toneOf('work', 'running')).toBe('busy');
    expect(toneOf('device', 'removed, unbinding')).toBe('ending');
    expect(toneOf('device', 'removed')).toBe('dead');
  });

  it('formats virtual time as the language writes it', () => {
    expect(fmtNs(0)).toBe('0');
    expect(fmtNs(2_000_000)).toBe('2ms');
    expect(fmtNs(1_500)).toBe('1500ns');
    expect(fmtNs(250_000)).toBe('250us');
    expect(fmtNs(3_000_000_000)).toBe('3s');
  });
});
