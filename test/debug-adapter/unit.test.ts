// The protocol-free layer on its own: the history returns exactly to any earlier state
// (also after its snapshots thin out), expressions check and evaluate, witnesses round-trip.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kernel } from '../../debug-adapter/runtime/kernel';
import { pickDefault, runDefault } from '../../debug-adapter/runtime/schedule';
import { ADVANCE, History } from '../../debug-adapter/debugger/history';
import { parseHitCondition, placeBreakpoint } from '../../debug-adapter/debugger/breakpoints';
import { ExprError, compileCondition, compileExpr, compileLogMessage, renderLog } from '../../debug-adapter/debugger/expr';
import { decodeWitness, encodeHistory } from '../../debug-adapter/debugger/witness';
import { fixture, lineOf, programOf } from './helpers';

/** The whole kernel state as a string, program references replaced by their ids. */
function fingerprint(k: Kernel): string {
  return JSON.stringify(k.s, (key, v) => {
    if (key === 'block') return `block${v.id}`;
    if (key === 'handler') return v ? `handler@${v.line}` : null;
    if (key === 'caller' || key === 'open' || key === 'stmt') return v ? `stmt${v.id}` : null;
    if (key === 'origin' || key === 'loc') return `${v.line}:${v.column}`;
    if (key === 'ops') return v.map((o: { op: number; x: number }) => `${o.op}/${o.x}`).join(',');
    return v;
  });
}

/** Records the default run through a History: the fingerprint after each action. */
function record(h: History, limit = Infinity): string[] {
  const seen = [fingerprint(h.k)];
  while (!h.k.s.ended && h.length < limit) {
    const code = defaultCode(h);
    h.apply(code);
    seen.push(fingerprint(h.k));
  }
  return seen;
}

function defaultCode(h: History): number {
  const k = h.k;
  const n = k.s.order.length;
  // the engine's default schedule: pickDefault, without keeping its admission of kworkers
  const i = pickDefault(k);
  k.s.order.length = n;
  return i >= 0 ? i : ADVANCE;
}

describe('history', () => {
  const p = programOf(fixture('loop.lifetime'));

  it('reproduces the default run exactly', () => {
    const h = new History(p, 'run', undefined, 7);
    record(h);
    const ref = runDefault(p);
    expect(h.k.s.steps).toBe(ref.s.steps);
    expect(h.k.s.clock).toBe(ref.s.clock);
    expect(fingerprint(h.k)).toBe(fingerprint(ref));
  });

  it('goes back to any position exactly, and forward again the same way', () => {
    const h = new History(p, 'run', undefined, 7);
    const seen = record(h);
    const n = h.length;
    for (const pos of [n - 1, 0, 1, 6, 7, 8, 50, 133, n - 8]) {
      const copy = new History(p, 'run', undefined, 7);
      for (let a = 0; a < n; a++) copy.apply(h.codeAt(a));
      copy.goto(pos);
      expect(fingerprint(copy.k)).toBe(seen[pos]);
      expect(copy.length).toBe(pos);
      // forward again from there: the same states
      for (let a = pos; a < Math.min(n, pos + 10); a++) {
        copy.apply(h.codeAt(a));
        expect(fingerprint(copy.k)).toBe(seen[a + 1]);
      }
    }
  });

  it('thins its snapshots on long histories and stays exact', () => {
    const long = programOf(fixture('long.lifetime'));
    const h = new History(long, 'run', undefined, 1);
    const seen = record(h, 9000);
    expect(h.snapshotCount).toBeLessThanOrEqual(4097);
    expect(h.snapshotInterval).toBeGreaterThan(1);
    // goto forgets what follows: visit positions latest first
    for (const pos of [8999, 4097, 4096, 123, 0]) {
      h.goto(pos);
      expect(fingerprint(h.k)).toBe(seen[pos]);
    }
  });

  it('finds the previous step of a thread at the same depth or above', () => {
    const h = new History(p, 'run', undefined, 1000);
    record(h, 12);
    // app: open (depth 1), repeat (1), get (2), lock (2), ... → from depth 1 the last is the repeat
    const app = 0;
    const j = h.lastStepOf(app, h.length, 1);
    expect(h.codeAt(j)).toBe(app);
    expect(h.depthAt(j)).toBe(1);
  });

  it('keeps its action log in chunks: exact across chunk boundaries and after going back', () => {
    const long = programOf(fixture('long.lifetime'));
    const h = new History(long, 'run', undefined, 1000);
    const codes: number[] = [];
    const depths: number[] = [];
    while (h.length < 200_000) {
      const code = defaultCode(h);
      h.apply(code);
      codes.push(code);
      depths.push(h.depthAt(h.length - 1));
    }
    for (const i of [0, 65_535, 65_536, 65_537, 131_071, 131_072, 199_999]) expect(h.codeAt(i)).toBe(codes[i]);
    const naive = (i: number, before: number, max: number) => {
      for (let j = before - 1; j >= 0; j--) if (codes[j] === i && depths[j] <= max) return j;
      return -1;
    };
    for (const before of [200_000, 131_073, 65_537, 65_536, 3]) {
      for (const [i, max] of [[0, 1], [1, 1], [0, 32767]]) expect(h.lastStepOf(i, before, max)).toBe(naive(i, before, max));
    }
    // the history goes back over a chunk boundary and on again the same way
    const at = 70_000;
    const copy = new History(long, 'run', undefined, 1000);
    for (let a = 0; a < at; a++) copy.apply(codes[a]);
    const want = fingerprint(copy.k);
    h.goto(65_000);
    for (let a = 65_000; a < at; a++) h.apply(codes[a]);
    expect(h.length).toBe(at);
    expect(fingerprint(h.k)).toBe(want);
    expect(h.codeAt(69_999)).toBe(codes[69_999]);
  });

  it('widens a chunk for a thread index beyond a byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifetime-history-'));
    const file = join(dir, 'many.lifetime');
    writeFileSync(file, Array.from({ length: 200 }, (_, i) => `thread t${i} {\n  log "t${i}"\n}\n`).join(''));
    const h = new History(programOf(file), 'explore', undefined, 1000);
    for (const code of [0, 199, 5, 150, 127, 128]) h.apply(code);
    expect([0, 1, 2, 3, 4, 5].map((i) => h.codeAt(i))).toEqual([0, 199, 5, 150, 127, 128]);
    expect(h.lastStepOf(150, h.length, 32767)).toBe(3);
  });
});

describe('expressions', () => {
  const p = programOf(fixture('fence.lifetime'));
  const k = runDefault(p); // the end: unbound, unloaded
  const val = (e: string) => {
    const c = compileExpr(e, p);
    return c.eval(k);
  };

  it('evaluate fields, durations, logic and comparisons', () => {
    expect(val('card0.refcount')).toBe(0);
    expect(val('card0.freed && bar0.revoked')).toBe(true);
    expect(val('nova.state == gone')).toBe(true);
    expect(val('gone == nova.state')).toBe(true);
    expect(val('job.state == signalled')).toBe(true);
    expect(val('clock')).toBe(3_000_000);
    expect(val('clock >= 3ms && clock < 3001us')).toBe(true);
    expect(val('!(gpu0.present) || 1 == 2')).toBe(false);
    expect(val('1_000 == 1000')).toBe(true);
    expect(val('app.status == done && admin.status == done')).toBe(true);
  });

  it('reject what cannot mean anything, with a message that says why', () => {
    const err = (e: string) => { try { compileCondition(e, p); return 'ok'; } catch (x) { expect(x).toBeInstanceOf(ExprError); return (x as Error).message; } };
    expect(err('card0.refcount')).toMatch(/a number, not true or false/);
    expect(err('nova.state == 3')).toMatch(/is a state \(live, going, gone\), not a number/);
    expect(err('gpu0.present == 1')).toMatch(/cannot compare/);
    expect(err('card0 && gpu0.present')).toMatch(/card0 is an object/);
    expect(err('gpu0.colour')).toMatch(/gpu0 is a device; its fields are present, bound, unbinding/);
    expect(err('nova_drm.bound')).toMatch(/nova_drm is a driver, which has no fields/);
    expect(err('a == b')).toMatch(/unknown name a/);
    expect(err('clock >= 2xs')).toMatch(/unexpected|bad number/);
    expect(err('card0.refcount == 1 &')).toMatch(/use &&/);
    expect(err('(((')).toMatch(/ends too early/);
  });

  it('log messages interpolate', () => {
    const parts = compileLogMessage('{card0.refcount} refs at {clock}; {{x}} {nova.state}', p);
    expect(renderLog(parts, k)).toBe('0 refs at 3ms; {x} gone');
    expect(() => compileLogMessage('{card0.refcount', p)).toThrow(/no closing/);
  });

  it('hit conditions', () => {
    expect(parseHitCondition('3')).toEqual({ op: '>=', n: 3 });
    expect(parseHitCondition('== 3')).toEqual({ op: '==', n: 3 });
    expect(parseHitCondition('%2')).toEqual({ op: '%', n: 2 });
    expect(() => parseHitCondition('%0')).toThrow();
    expect(() => parseHitCondition('x')).toThrow(/hit count/);
  });

  it('breakpoints are placed on statements only', () => {
    const file = fixture('fence.lifetime');
    expect(placeBreakpoint(p, lineOf(file, 'submit job'))).toEqual({ line: lineOf(file, 'submit job'), column: 3 });
    expect(placeBreakpoint(p, lineOf(file, 'fence job'))).toHaveProperty('why');
  });
});

describe('witnesses', () => {
  it('a run history encodes with advance entries and decodes to the same actions', () => {
    const p = programOf(fixture('handler.lifetime'));
    const h = new History(p, 'run', undefined);
    record(h);
    const w = encodeHistory(h);
    expect(w.filter((x) => x.startsWith('advance:'))).toEqual(['advance:1ms']);
    const d = decodeWitness(p, w);
    expect(d.mode).toBe('run');
    // the run-ending advance is implied, the rest is the same
    expect(d.codes).toEqual(Array.from({ length: h.length - 1 }, (_, i) => h.codeAt(i)));
    expect(() => decodeWitness(p, [...w.slice(0, 3), 'advance:2ms'])).toThrow(/clock moves to|no timed event|cannot run/);
    expect(() => decodeWitness(p, ['complete:job', 'advance:1ms'])).toThrow(/run-mode schedule/);
  });
});
