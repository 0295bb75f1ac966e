import { describe, expect, it } from 'vitest';
import {
  checkProgram, dynamicConfigurations, initialConfigurations, resolveLaunchConfig, scenarioConfig, witnessConfig,
} from '../../client/logic/config';

describe('resolveLaunchConfig', () => {
  const active = { activeFile: '/w/samples/a.lifetime', activeLanguage: 'lifetime' };

  it('debugs the active scenario on F5 without launch.json, stopping on entry', () => {
    const r = resolveLaunchConfig({}, active);
    expect(r).toEqual({ ok: true, config: { type: 'lifetime', request: 'launch', name: 'Debug a.lifetime', program: '/w/samples/a.lifetime', stopOnEntry: true } });
  });

  it('refuses F5 without launch.json when no scenario is active', () => {
    const r = resolveLaunchConfig({}, { activeFile: '/w/README.md', activeLanguage: 'markdown' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/Open a \.lifetime scenario/);
    expect(resolveLaunchConfig({}, {}).ok).toBe(false);
  });

  it('fills a missing program with the active scenario and keeps the rest', () => {
    const r = resolveLaunchConfig({ type: 'lifetime', request: 'launch', name: 'x', horizon: ' 2ms ' }, active);
    expect(r).toEqual({ ok: true, config: { type: 'lifetime', request: 'launch', name: 'x', program: '/w/samples/a.lifetime', horizon: '2ms' } });
  });

  it('leaves ${file} for the editor to substitute', () => {
    const r = resolveLaunchConfig({ type: 'lifetime', request: 'launch', name: 'x', program: '${file}' }, {});
    expect(r.ok && r.config.program).toBe('${file}');
  });

  it('recognises a scenario by its extension when the language is not known yet', () => {
    const r = resolveLaunchConfig({}, { activeFile: '/w/b.lifetime' });
    expect(r.ok && r.config.program).toBe('/w/b.lifetime');
  });

  it('checks the types of the launch attributes', () => {
    const base = { type: 'lifetime', request: 'launch', name: 'x', program: '/a.lifetime' };
    expect(resolveLaunchConfig({ ...base, horizon: '10' }, {}).ok).toBe(false);
    expect(resolveLaunchConfig({ ...base, horizon: 10 }, {}).ok).toBe(false);
    expect(resolveLaunchConfig({ ...base, stopOnEntry: 'yes' }, {}).ok).toBe(false);
    expect(resolveLaunchConfig({ ...base, schedule: ['app', 3] }, {}).ok).toBe(false);
    expect(resolveLaunchConfig({ ...base, schedule: '' }, {}).ok).toBe(false);
    expect(resolveLaunchConfig({ ...base, program: 42 }, {}).ok).toBe(false);
    expect(resolveLaunchConfig({ ...base, request: 'attach' }, {}).ok).toBe(false);
    expect(resolveLaunchConfig({ ...base, schedule: ['app', 'complete:job', 'timeout:app'] }, {}).ok).toBe(true);
    expect(resolveLaunchConfig({ ...base, schedule: 'w.json', horizon: '1_000us', stopOnEntry: false }, {}).ok).toBe(true);
  });

  it('names a nameless configuration after its program', () => {
    const r = resolveLaunchConfig({ type: 'lifetime', request: 'launch', program: '/x/y/z.lifetime' }, {});
    expect(r.ok && r.config.name).toBe('Debug z.lifetime');
  });
});

describe('checkProgram (after variable substitution)', () => {
  it('accepts a .lifetime path and refuses anything else', () => {
    expect(checkProgram({ program: '/w/a.lifetime' })).toBeNull();
    expect(checkProgram({ program: '/w/README.md' })).toMatch(/README\.md is not a \.lifetime scenario/);
    expect(checkProgram({ program: '${file}' })).toMatch(/variable/);
    expect(checkProgram({})).toMatch(/program/);
  });
});

describe('configurations offered', () => {
  it('initial configuration debugs ${file}', () => {
    expect(initialConfigurations()).toEqual([{ type: 'lifetime', request: 'launch', name: 'Debug scenario', program: '${file}', stopOnEntry: true }]);
  });

  it('dynamic configurations: the active scenario first, each scenario once, sorted, others dropped', () => {
    const rel = (p: string) => p.replace('/w/', '');
    const c = dynamicConfigurations(['/w/b.lifetime', '/w/a.lifetime', '/w/notes.md', '/w/c.lifetime', '/w/b.lifetime'], { activeFile: '/w/c.lifetime', activeLanguage: 'lifetime' }, rel);
    expect(c.map((x) => x.name)).toEqual(['Debug c.lifetime', 'Debug a.lifetime', 'Debug b.lifetime']);
    expect(c.every((x) => x.type === 'lifetime' && x.request === 'launch' && x.stopOnEntry === true)).toBe(true);
  });

  it('a witness becomes a configuration that replays it', () => {
    const c = witnessConfig('/w/a.lifetime', ['app', 'hotplug', 'complete:job'], 'deadlock in app');
    expect(c).toMatchObject({ type: 'lifetime', request: 'launch', program: '/w/a.lifetime', schedule: ['app', 'hotplug', 'complete:job'], stopOnEntry: true });
    expect(c.name).toBe('Replay deadlock in app (a.lifetime)');
    expect(scenarioConfig('C:\\w\\x.lifetime').name).toBe('Debug x.lifetime');
  });
});
