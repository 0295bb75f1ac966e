// The debugger's history: the runtime is deterministic, so the state after n actions is
// fully given by the initial state and the first n actions. We keep the actions (one int
// each) and a snapshot of the state every `interval` actions; any earlier state is the
// nearest snapshot at or before it plus a replay of at most `interval` actions. Memory is
// therefore ~2 bytes per action (in chunks: one byte for the action and one for the depth,
// wider only in a chunk that needs it) plus one state copy per `interval` actions, and going
// back costs at most `interval` kernel steps. Chunks, not one doubling array: a long
// continue never stops to copy hundreds of MB, and never holds two copies at once.

import { formatChoice, parseChoice } from '../runtime/choice';
import { Kernel, type KernelEvent, type Mode } from '../runtime/kernel';
import type { Program } from '../runtime/program';
import { advanceClock, pickDefault, stepRun } from '../runtime/schedule';
import type { KernelState } from '../runtime/state';
import { codeDepth } from './objects';

/**
 * An action code: >= 0 steps that thread; ADVANCE moves the run-mode clock to the next timed
 * event (or ends the run), and in explore mode ends the run (`finish`); below that, explore
 * events: -2 - q completes fence q, -2 - fences - i times out thread i's wait.
 */
export const ADVANCE = -1;

export const DEFAULT_SNAPSHOT_INTERVAL = 1000;
/** More snapshots than this and every other one is dropped (the interval doubles). */
const MAX_SNAPSHOTS = 4096;
/** Actions per chunk of the action log (a power of two). */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

type Codes = Int8Array | Int32Array;
type Depths = Int8Array | Int16Array;

export class History {
  readonly k: Kernel;
  /** where kernel events go; null while replaying to a known state */
  sink: ((e: KernelEvent) => void) | null = null;
  /** the actions, CHUNK per array: Int8 until a chunk holds a code outside -128..127 */
  private codes: Codes[] = [];
  /** the acting thread's visible depth before the action (-1: not a thread step) */
  private depths: Depths[] = [];
  private len = 0;
  private snaps: KernelState[] = [];
  private interval: number;

  constructor(readonly p: Program, readonly mode: Mode, horizonNs: number | undefined, interval = DEFAULT_SNAPSHOT_INTERVAL) {
    this.interval = Math.max(1, Math.floor(interval));
    // Events are streamed, never stored: the kernel keeps none (maxEvents 0).
    this.k = new Kernel(p, { mode, horizonNs, maxEvents: 0, onEvent: (e) => this.sink?.(e) });
    this.snaps.push(this.k.snapshot());
  }

  get length(): number {
    return this.len;
  }

  codeAt(i: number): number {
    return this.codes[i >> CHUNK_BITS][i & CHUNK_MASK];
  }

  depthAt(i: number): number {
    return this.depths[i >> CHUNK_BITS][i & CHUNK_MASK];
  }

  get snapshotInterval(): number {
    return this.interval;
  }

  get snapshotCount(): number {
    return this.snaps.length;
  }

  /** Takes an action and records it. */
  apply(code: number): void {
    const d = code >= 0 ? Math.min(codeDepth(this.k.s.threads[code]), 32767) : -1;
    this.exec(code);
    this.record(this.len, code, d);
    this.len++;
    if (this.len % this.interval === 0) {
      this.snaps.push(this.k.snapshot());
      if (this.snaps.length > MAX_SNAPSHOTS) this.thin();
    }
  }

  /** Runs an action on the kernel without recording it (apply, and replay). */
  exec(code: number): void {
    const k = this.k;
    if (this.mode === 'run') {
      // pickDefault admits kworkers into the turn order: doing it here, inside the action,
      // keeps a replayed state identical to the live one whoever chose the action.
      pickDefault(k);
      if (code >= 0) stepRun(k, code);
      else advanceClock(k);
      return;
    }
    if (code >= 0) k.step(code);
    else if (code === ADVANCE) k.finish();
    else k.fireEvent(this.choiceName(code));
  }

  /** Goes back to the state after the first n actions; the later ones are forgotten. */
  goto(n: number): void {
    if (n < 0 || n > this.len) throw new RangeError(`history position ${n} outside 0..${this.len}`);
    this.restoreNear(n);
    this.len = n;
    const keep = (n + CHUNK - 1) >> CHUNK_BITS;
    this.codes.length = keep;
    this.depths.length = keep;
    this.snaps.length = Math.floor(n / this.interval) + 1;
  }

  /**
   * Puts the kernel in the state after n actions without forgetting anything: for scans
   * (reverse continue). Returns the position of the snapshot used.
   */
  seek(n: number, sink: ((e: KernelEvent) => void) | null = null): void {
    this.restoreNear(n, sink);
  }

  /** The first position of the segment that holds position n (a snapshot). */
  segmentStart(n: number): number {
    return Math.floor(n / this.interval) * this.interval;
  }

  private restoreNear(n: number, sink: ((e: KernelEvent) => void) | null = null): void {
    const j = Math.floor(n / this.interval);
    this.k.restore(this.snaps[j]);
    const saved = this.sink;
    this.sink = sink;
    try {
      for (let a = j * this.interval; a < n; a++) this.exec(this.codeAt(a));
    } finally {
      this.sink = saved;
    }
  }

  /** Explore-event codes ↔ choice names (`complete:<fence>`, `timeout:<thread>`). */
  choiceName(code: number): string {
    const e = -2 - code;
    const nf = this.p.fences.length;
    return formatChoice(e < nf ? { kind: 'complete', fence: this.p.fences[e].name } : { kind: 'timeout', thread: this.k.s.threads[e - nf]?.name ?? '?' });
  }

  choiceCode(choice: string): number | null {
    const c = parseChoice(choice);
    if (c?.kind === 'complete') {
      const q = this.p.fences.findIndex((f) => f.name === c.fence);
      return q >= 0 ? -2 - q : null;
    }
    if (c?.kind === 'timeout') {
      const i = this.k.threadIndex(c.thread);
      return i >= 0 ? -2 - this.p.fences.length - i : null;
    }
    const i = c?.kind === 'step' ? this.k.threadIndex(c.thread) : -1;
    return i >= 0 ? i : null;
  }

  /** The last position before `before` at which thread i stepped from depth <= maxDepth, or -1. */
  lastStepOf(i: number, before: number, maxDepth: number): number {
    for (let c = (before - 1) >> CHUNK_BITS; c >= 0; c--) {
      const codes = this.codes[c];
      const depths = this.depths[c];
      for (let j = Math.min(CHUNK, before - c * CHUNK) - 1; j >= 0; j--) {
        if (codes[j] === i && depths[j] <= maxDepth) return c * CHUNK + j;
      }
    }
    return -1;
  }

  /** Bytes held by the history (actions, depths, snapshots), estimated. */
  approxBytes(): number {
    const snapBytes = this.snaps.length ? this.snaps.length * estimateStateBytes(this.snaps[this.snaps.length - 1]) : 0;
    let log = 0;
    for (let c = 0; c < this.codes.length; c++) log += this.codes[c].byteLength + this.depths[c].byteLength;
    return log + snapBytes;
  }

  /** Stores action i, adding a chunk or widening one when needed. */
  private record(i: number, code: number, depth: number): void {
    const c = i >> CHUNK_BITS;
    const j = i & CHUNK_MASK;
    if (c === this.codes.length) {
      this.codes.push(new Int8Array(CHUNK));
      this.depths.push(new Int8Array(CHUNK));
    }
    if (this.codes[c] instanceof Int8Array && (code < -128 || code > 127)) this.codes[c] = Int32Array.from(this.codes[c]);
    if (this.depths[c] instanceof Int8Array && depth > 127) this.depths[c] = Int16Array.from(this.depths[c]);
    this.codes[c][j] = code;
    this.depths[c][j] = depth;
  }

  private thin(): void {
    this.snaps = this.snaps.filter((_, j) => j % 2 === 0);
    this.interval *= 2;
  }
}

/** A rough size of a state copy: JSON length is a fair proxy for its small objects. */
function estimateStateBytes(s: KernelState): number {
  let n = 200;
  n += (s.modules.length + s.devices.length + s.drms.length + s.revocables.length + s.data.length +
    s.works.length + s.fences.length + s.mutexes.length) * 64;
  for (const t of s.threads) n += 200 + t.frames.length * 96 + t.files.length * 96 + t.refs.length * 8 + t.rcu.length * 8;
  n += s.faults.length * 160;
  return n;
}
