// Witnesses: the schedules the debugger replays (`schedule` launch argument) and saves
// (`lifetime/saveWitness`).
//
// Two formats, both JSON arrays of strings:
// - explore semantics (what `lifetime explore` prints and `lifetime run --schedule` replays):
//   thread names, `complete:<fence>`, `timeout:<thread>`; time is abstract.
// - run semantics, for a history taken under the default run schedule with its virtual
//   clock: thread names and `advance:<time>`, the clock moving to the next timed event (the
//   time it reaches, e.g. `advance:2ms`, is checked on replay). A schedule with at least one
//   `advance:` entry is a run-mode one. Thread names can never contain `:`, so the two
//   cannot be confused with a thread.

import { realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { formatChoice, parseChoice } from '../runtime/choice';
import { formatDuration } from '../../grammar/ast';
import type { Program } from '../runtime/program';
import { ADVANCE, History } from './history';

export class WitnessError extends Error {}

export interface Witness {
  mode: 'run' | 'explore';
  /** the action codes (History) */
  codes: number[];
  /** run mode: the clock after each `advance` (parallel to codes; -1 elsewhere) */
  times: number[];
  entries: string[];
}

export { parseDurationText as parseDuration } from '../../grammar/ast';

/** Accepts the array itself, or an object with a `schedule` array (an explore fault, a saved reply). */
export function scheduleEntries(v: unknown, where: string): string[] {
  if (v && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as { schedule?: unknown }).schedule)) {
    v = (v as { schedule: unknown }).schedule;
  }
  if (!Array.isArray(v)) throw new WitnessError(`${where}: a schedule is a JSON array of choices (thread names, complete:<fence>, timeout:<thread>, advance:<time>)`);
  v.forEach((c, n) => {
    if (typeof c !== 'string') throw new WitnessError(`${where}: entry ${n + 1} is ${JSON.stringify(c)}, not a string`);
  });
  return v as string[];
}

/**
 * Checks a witness against the program by replaying it on a scratch kernel, and turns it
 * into action codes. Throws WitnessError naming the first entry that cannot be taken.
 */
export function decodeWitness(p: Program, entries: string[], horizonNs?: number): Witness {
  const choices = entries.map(parseChoice);
  const mode = choices.some((c) => c === null || c.kind === 'advance') ? 'run' : 'explore';
  const h = new History(p, mode, horizonNs, 1 << 30);
  const k = h.k;
  const codes: number[] = [];
  const times: number[] = [];
  entries.forEach((e, n) => {
    const where = `schedule entry ${n + 1} (${JSON.stringify(e)})`;
    if (k.s.ended) throw new WitnessError(`${where}: the run has already ended`);
    let code: number | null;
    let want = -1;
    const c = choices[n];
    if (c === null || c.kind === 'advance') {
      const t = c?.ns ?? null;
      if (t === null) throw new WitnessError(`${where}: expected advance:<time>, such as advance:2ms`);
      if (k.nextEventTime() < 0 || k.nextEventTime() > k.horizon) {
        throw new WitnessError(`${where}: no timed event is pending here`);
      }
      code = ADVANCE;
      want = t;
    } else {
      if (mode === 'run' && c.kind !== 'step') {
        throw new WitnessError(`${where}: a run-mode schedule (one with advance: entries) has no ${c.kind}: choices; the clock decides`);
      }
      code = h.choiceCode(e);
      if (code === null) throw new WitnessError(`${where}: no such thread${e.includes(':') ? ', fence' : ''} in this scenario`);
      if (code >= 0 && !k.canStep(code)) {
        const t = k.s.threads[code];
        const why = t.status === 'done' ? 'it has ended' : t.status === 'oops' ? 'it has oopsed' : t.status === 'idle' ? 'its work is not queued (or not due)' : t.wait ? k.describeWait(t.wait) : 'it cannot run';
        throw new WitnessError(`${where}: ${t.name} cannot run here (${why})`);
      }
      if (code < ADVANCE && !k.eventChoices().includes(e)) {
        throw new WitnessError(`${where}: not possible here; possible: ${k.eventChoices().join(', ') || 'no event'}`);
      }
    }
    h.exec(code);
    if (want >= 0 && k.s.clock !== want) {
      throw new WitnessError(`${where}: the clock moves to ${formatDuration(k.s.clock)} here, not ${formatDuration(want)}`);
    }
    codes.push(code);
    times.push(want);
  });
  return { mode, codes, times, entries };
}

/**
 * The witness of a history: its actions as schedule entries. Run mode needs the clock after
 * each advance, so the history is replayed once on a scratch kernel (cost: its length).
 */
export function encodeHistory(h: History): string[] {
  const out: string[] = [];
  const n = h.length;
  if (h.mode === 'explore') {
    for (let i = 0; i < n; i++) {
      const c = h.codeAt(i);
      if (c >= 0) out.push(h.k.s.threads[c].name);
      else if (c < ADVANCE) out.push(h.choiceName(c));
      // ADVANCE is `finish`: the end of the run, not a choice.
    }
    return out;
  }
  const scratch = new History(h.p, 'run', h.k.horizon, 1 << 30);
  for (let i = 0; i < n; i++) {
    const c = h.codeAt(i);
    scratch.exec(c);
    if (c >= 0) out.push(scratch.k.s.threads[c].name);
    else if (!scratch.k.s.ended) out.push(formatChoice({ kind: 'advance', ns: scratch.k.s.clock }));
    // an advance that ended the run is implied: the replay ends there by itself
  }
  return out;
}

export interface SaveRequest {
  /** relative to the program's folder, or absolute; none: a fresh name beside the program */
  path?: string;
  /** replace an existing file (never a .lifetime one) */
  overwrite?: boolean;
}

/**
 * Writes a witness file without ever writing over what it should not: no existing file
 * unless `overwrite`, never a `.lifetime` file (the scenario above all), no relative path
 * that leaves the program's folder (an absolute path is the user's choice). The default name
 * is `<program>.witness.json`, else `<program>-2.witness.json`, … (the first free one, as the
 * extension's Save Witnesses names its files). Returns the path written; throws
 * WitnessError saying why it refused.
 */
export function saveWitnessFile(programPath: string, text: string, req: SaveRequest): string {
  const dir = dirname(programPath);
  /** false when the file exists (and overwrite is off) */
  const write = (target: string, overwrite: boolean): boolean => {
    try {
      writeFileSync(target, text, { flag: overwrite ? 'w' : 'wx' });
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code === 'EISDIR') throw new WitnessError(`${target} is a folder: name a file in it`);
      throw new WitnessError(`cannot write ${target}: ${code ?? (e as Error).message}`);
    }
  };
  if (req.path === undefined || req.path === '') {
    const stem = basename(programPath).replace(/\.lifetime$/i, '');
    for (let n = 1; ; n++) {
      const target = join(dir, `${stem}${n === 1 ? '' : `-${n}`}.witness.json`);
      if (write(target, false)) return target;
    }
  }
  let target: string;
  if (isAbsolute(req.path)) {
    target = resolve(req.path);
  } else {
    target = resolve(dir, req.path);
    const rel = relative(dir, target);
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new WitnessError(`${req.path} leaves the program's folder (${dir}): give a path inside it, or an absolute path`);
    }
  }
  if (isLifetimeFile(target) || sameFile(target, programPath)) {
    throw new WitnessError(`${target}: a witness is never written over a .lifetime file (nor saved as one): name a .json file`);
  }
  let isDir = false;
  try {
    isDir = statSync(target).isDirectory();
  } catch {
    // absent: created below
  }
  if (isDir) throw new WitnessError(`${target} is a folder: name a file in it`);
  if (!write(target, req.overwrite === true)) throw new WitnessError(`${target} already exists: pass "overwrite": true to replace it`);
  return target;
}

/** A `.lifetime` name, or an existing file (a symlink, say) that resolves to one. */
function isLifetimeFile(path: string): boolean {
  if (/\.lifetime$/i.test(path)) return true;
  try {
    return /\.lifetime$/i.test(realpathSync(path));
  } catch {
    return false;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
