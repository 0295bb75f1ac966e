// Bad launch arguments give an error response that says what is wrong, and the adapter
// goes on answering (it never crashes).

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAdapter } from './build';
import { T, client, fixture, launch, launchError, type Client } from './helpers';

let dc: Client;
beforeAll(() => buildAdapter(), 120_000);
afterEach(async () => { await dc?.stop(); });

describe('launch errors', () => {
  it('a missing program is an error, not a crash', async () => {
    dc = await client();
    expect(await launchError(dc, {})).toMatch(/'program' is required/);
    // still alive: it answers the next request
    const th = await dc.threadsRequest();
    expect(th.body.threads).toEqual([]);
  }, T);

  it('a program that is not a string', async () => {
    dc = await client();
    expect(await launchError(dc, { program: 42 })).toMatch(/'program' must be a path/);
  }, T);

  it('a nonexistent file', async () => {
    dc = await client();
    expect(await launchError(dc, { program: fixture('nope.lifetime') })).toMatch(/nope\.lifetime: no such/);
  }, T);

  it('a directory', async () => {
    dc = await client();
    expect(await launchError(dc, { program: fixture('') })).toMatch(/is a directory/);
  }, T);

  it('a file with syntax errors lists its diagnostics as file:line:col: message [code]', async () => {
    dc = await client();
    const msg = await launchError(dc, { program: fixture('syntax-error.lifetime') });
    expect(msg).toMatch(/syntax-error\.lifetime:4:1: .+ \[syntax\]/);
    expect(msg).toMatch(/syntax-error\.lifetime:6:1: .+ \[syntax\]/);
    expect(msg).not.toMatch(/at .*\.js:\d+/); // no stack trace
    // the diagnostics also reach the debug console
    expect(dc.outputs.some((o) => o.category === 'stderr' && o.output.includes('[syntax]'))).toBe(true);
  }, T);

  it('a file with static errors (unknown name)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifetime-dap-'));
    const file = join(dir, 'unknown.lifetime');
    writeFileSync(file, 'module m\nthread app {\n  get card9\n}\n');
    dc = await client();
    expect(await launchError(dc, { program: file })).toMatch(/unknown\.lifetime:3:\d+: .*card9.* \[unknown-name\]/);
  }, T);

  it('a schedule that is not an array', async () => {
    dc = await client();
    expect(await launchError(dc, { program: fixture('handler.lifetime'), schedule: { not: 'a schedule' } })).toMatch(/JSON array/);
  }, T);

  it('a schedule with a choice that cannot be taken names the entry', async () => {
    dc = await client();
    const msg = await launchError(dc, { program: fixture('handler.lifetime'), schedule: ['app', 'nobody'] });
    expect(msg).toMatch(/entry 2 \("nobody"\).*no such thread/);
  }, T);

  it('a schedule whose thread cannot run there', async () => {
    dc = await client();
    // app has five statements: a sixth step of app is impossible
    const msg = await launchError(dc, { program: fixture('handler.lifetime'), schedule: ['app', 'app', 'app', 'app', 'app', 'app', 'app'] });
    expect(msg).toMatch(/entry \d+ \("app"\): app cannot run here/);
  }, T);

  it('a schedule file that does not exist, or is not JSON', async () => {
    dc = await client();
    expect(await launchError(dc, { program: fixture('handler.lifetime'), schedule: 'missing-witness.json' })).toMatch(/missing-witness\.json: no such/);
    await dc.stop();
    const dir = mkdtempSync(join(tmpdir(), 'lifetime-dap-'));
    writeFileSync(join(dir, 'w.json'), '[ "app", ');
    dc = await client();
    expect(await launchError(dc, { program: fixture('handler.lifetime'), schedule: join(dir, 'w.json') })).toMatch(/not JSON/);
  }, T);

  it('a bad horizon or stopOnEntry', async () => {
    dc = await client();
    expect(await launchError(dc, { program: fixture('handler.lifetime'), horizon: 'soon' })).toMatch(/'horizon' must be a duration/);
    await dc.stop();
    dc = await client();
    expect(await launchError(dc, { program: fixture('handler.lifetime'), stopOnEntry: 'yes' })).toMatch(/'stopOnEntry' must be true or false/);
  }, T);

  it('requests before a launch are answered, not fatal', async () => {
    dc = await client();
    await dc.initializeRequest();
    await expect(dc.continueRequest({ threadId: 1 })).rejects.toThrow(/no scenario/);
    await expect(dc.evaluateRequest({ expression: 'card0.refcount' })).rejects.toThrow(/no scenario/);
    const st = await dc.stackTraceRequest({ threadId: 1 });
    expect(st.body.stackFrames).toEqual([]);
    // and a good launch still works afterwards
    const stop = await launch(dc, { program: fixture('handler.lifetime'), stopOnEntry: true });
    expect(stop?.reason).toBe('entry');
  }, T);

  it('a horizon shortens the run', async () => {
    dc = await client();
    const stop = await launch(dc, { program: fixture('work.lifetime'), horizon: '1ms' });
    expect(stop).toBeNull(); // terminated: the run stops at 1ms, before the work's start at 2ms
    expect(dc.outputs.map((o) => o.output).join('')).not.toMatch(/retire runs/);
  }, T);

  it('malformed requests get error responses or empty answers; the session goes on', async () => {
    dc = await client();
    const stop = await launch(dc, { program: fixture('handler.lifetime'), stopOnEntry: true });
    expect(stop?.reason).toBe('entry');
    const settle = (p: Promise<unknown>) => p.then(() => 'ok', (e: Error) => `error: ${e.message}`);
    const results = await Promise.all([
      settle(dc.customRequest('stackTrace', {})),
      settle(dc.customRequest('variables', { variablesReference: 'x' })),
      settle(dc.customRequest('scopes', {})),
      settle(dc.customRequest('next', {})),
      settle(dc.customRequest('setBreakpoints', { source: { path: fixture('handler.lifetime') }, breakpoints: {} })),
      settle(dc.customRequest('setBreakpoints', { source: { path: fixture('handler.lifetime') }, breakpoints: [{ line: 'x' }] })),
      settle(dc.customRequest('dataBreakpointInfo', {})),
      settle(dc.customRequest('setDataBreakpoints', { breakpoints: [{ dataId: 42 }] })),
      settle(dc.customRequest('evaluate', { expression: 5 })),
      settle(dc.customRequest('exceptionInfo', { threadId: 99 })),
      settle(dc.customRequest('lifetime/saveWitness', { path: 7 })),
      settle(dc.customRequest('no/such/request', {})),
    ]);
    expect(results.filter((r) => r.startsWith('error')).length).toBeGreaterThan(0);
    for (const r of results) expect(r).not.toMatch(/internal error|TypeError|at .*\.js/);
    expect(results[4]).toBe('error: setBreakpoints: breakpoints must be an array');
    expect(results[11]).toMatch(/^error: /);
    // still fine
    const th = await dc.threadsRequest();
    expect(th.body.threads.length).toBe(2);
    expect((await dc.evaluateRequest({ expression: 'card0.refcount' })).body.result).toMatch(/^\d+$/);
  }, T);
});
