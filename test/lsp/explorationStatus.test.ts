// The background exploration tells the client when it runs (lifetime/explorationStatus), so
// the extension can show it in the status bar before its diagnostics and fixes arrive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPLORATION_STATUS, type ExplorationStatusParams } from '../../server/explorationStatus';
import { LspClient, fixtureFile } from './helpers';

describe('background exploration status', () => {
  const c = new LspClient();
  const statuses: ExplorationStatusParams[] = [];
  const uri = 'file:///status.lifetime';
  const text = fixtureFile('unplug-deadlock.lifetime');
  beforeAll(async () => {
    c.conn.onNotification(EXPLORATION_STATUS, (p: ExplorationStatusParams) => statuses.push(p));
    await c.initialize({ explore: { enabled: true, maxStates: 200_000, timeMs: 5_000 } });
  });
  afterAll(async () => {
    expect(await c.shutdown()).toBe(0);
  });

  const waitFor = async (pred: (p: ExplorationStatusParams) => boolean, ms = 20_000) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const hit = statuses.find(pred);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no such status; got ${JSON.stringify(statuses)}`);
  };

  it('says "running" when it starts and "done" after the exploration\'s diagnostics are published', async () => {
    await c.open(uri, text);
    await waitFor((p) => p.uri === uri && p.version === 1 && p.state === 'running');
    const done = await waitFor((p) => p.uri === uri && p.version === 1 && p.state === 'done');
    expect(done).toMatchObject({ complete: true, faults: 1 });
    expect(done.states).toBeGreaterThan(0);
    // by then the fault (and its "Debug this interleaving" fix) is already there
    expect(c.published.some((p) => p.uri === uri && p.version === 1 && p.diagnostics.some((d) => d.source === 'lifetime-explore'))).toBe(true);
    expect(statuses.filter((p) => p.uri === uri).map((p) => p.state)).toEqual(['running', 'done']);
  });

  it('says "cancelled" when an edit stops a running exploration', async () => {
    const u = 'file:///heavy-status.lifetime';
    let heavy = 'module nova\ndevice gpu0\ndriver nova_drm in nova binds gpu0\ndrm card0 on gpu0\n';
    for (let i = 0; i < 12; i++) heavy += `mutex m${i}\n`;
    for (let i = 0; i < 12; i++) heavy += `\nthread t${i} {\n  lock m${i}\n  sleep 1ms\n  unlock m${i}\n  lock m${(i + 1) % 12}\n  unlock m${(i + 1) % 12}\n}\n`;
    await c.open(u, heavy);
    await waitFor((p) => p.uri === u && p.state === 'running');
    const v = await c.change(u, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// edited\n' }]);
    await waitFor((p) => p.uri === u && p.state === 'cancelled' && p.version === v);
  });
});
