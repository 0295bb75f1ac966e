// The explore worker the extension forks (dist/explore-worker.js, built by the global setup):
// one job over IPC, progress, the explore report of tools.md §1, and the time limit.
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLEAN, DEADLOCK } from './helpers';

const WORKER = resolve(__dirname, '../../dist/explore-worker.js');

function job(j: object): Promise<{ messages: { type: string; [k: string]: unknown }[]; code: number | null }> {
  return new Promise((res, rej) => {
    const messages: { type: string }[] = [];
    const child = fork(WORKER, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.on('message', (m) => messages.push(m as { type: string }));
    child.on('error', rej);
    child.on('close', (code) => res({ messages: messages as never, code }));
    child.send(j);
  });
}

describe('explore worker', () => {
  it('explores and answers with the report and its witnesses', async () => {
    const { messages, code } = await job({ type: 'explore', file: 'd.lifetime', text: DEADLOCK, maxStates: 100_000, timeLimitMs: 20_000 });
    expect(code).toBe(0);
    const r = messages.find((m) => m.type === 'result')!.report as { complete: boolean; met: boolean; faults: { kind: string; schedule: string[] }[]; stopReason: string };
    expect(r.complete).toBe(true);
    expect(r.met).toBe(true);
    expect(r.faults[0].kind).toBe('deadlock');
    expect(r.faults[0].schedule.length).toBeGreaterThan(0);
    expect(r.stopReason).toBe('');
  });

  it('reports static errors instead of exploring', async () => {
    const { messages } = await job({ type: 'explore', file: 'bad.lifetime', text: 'thread t { get nothing }' });
    const r = messages.find((m) => m.type === 'result')!.report as { diagnostics: { code: string }[]; met: boolean };
    expect(r.met).toBe(false);
    expect(r.diagnostics.map((x) => x.code)).toContain('unknown-name');
  });

  it('stops at the state bound and says so', async () => {
    const { messages } = await job({ type: 'explore', file: 'd.lifetime', text: DEADLOCK, maxStates: 3 });
    const r = messages.find((m) => m.type === 'result')!.report as { complete: boolean; stopReason: string; stopped: string };
    expect(r.complete).toBe(false);
    expect(r.stopReason).toMatch(/max-states 3/);
    expect(r.stopped).toBe('max-states');
  });

  it('records the timeline of a run', async () => {
    const { messages } = await job({ type: 'timeline', file: '/x/clean.lifetime', text: CLEAN });
    const tl = messages.find((m) => m.type === 'timeline')!.timeline as { file: string; samples: unknown[]; faults: unknown[] };
    expect(tl.file).toBe('clean.lifetime');
    expect(tl.samples.length).toBeGreaterThan(3);
    expect(tl.faults).toEqual([]);
  });
});
