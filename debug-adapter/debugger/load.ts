// Launch arguments and the scenario file: every way they can be wrong becomes one clear
// message (LaunchError), which the session returns as an error response — never a crash.

import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { compile } from '../../grammar';
import { lower, type Program } from '../runtime/program';
import { decodeWitness, parseDuration, scheduleEntries, WitnessError, type Witness } from './witness';

export class LaunchError extends Error {}

const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** A text file, refused with a reason when it is missing, a directory, binary, huge or not UTF-8. */
export function readText(path: string, what = 'file'): string {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LaunchError(code === 'ENOENT' ? `${path}: no such ${what}` : `${path}: cannot read (${code ?? 'unknown error'})`);
  }
  if (st.isDirectory()) throw new LaunchError(`${path}: is a directory, not a ${what}`);
  if (!st.isFile()) throw new LaunchError(`${path}: not a regular file`);
  if (st.size > MAX_FILE_BYTES) throw new LaunchError(`${path}: too large (${(st.size / 1048576).toFixed(1)} MB)`);
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new LaunchError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  if (buf.includes(0)) throw new LaunchError(`${path}: looks binary, not a ${what}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new LaunchError(`${path}: not valid UTF-8`);
  }
}

export interface Loaded {
  path: string;
  text: string;
  program: Program;
}

/** Reads, parses, checks and lowers a scenario; static errors are a LaunchError listing them. */
export function loadProgram(path: string): Loaded {
  const text = readText(path, '.lifetime file');
  const a = compile(text);
  const errors = a.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const lines = errors.map((d) => `${path}:${d.range.start.line}:${d.range.start.column}: ${d.message} [${d.code}]`);
    throw new LaunchError(`${path} has ${errors.length} error${errors.length > 1 ? 's' : ''} and cannot run:\n${lines.join('\n')}`);
  }
  return { path, text, program: lower(a.file) };
}

/** Best effort, for placing breakpoints in a file that may be broken or not launched yet. */
export function programForBreakpoints(path: string): Program | { why: string } {
  try {
    return lower(compile(readText(path, '.lifetime file')).file);
  } catch (e) {
    return { why: e instanceof LaunchError ? e.message : `cannot read this file: ${(e as Error).message}` };
  }
}

export interface LaunchConfig {
  program: string;
  stopOnEntry: boolean;
  horizonNs: number | undefined;
  /** the raw schedule entries (checked against the program by `prepare`) */
  schedule: string[] | null;
  scheduleWhere: string;
  cwd: string;
}

/** Checks the launch arguments' shapes (not yet the program). */
export function parseLaunchArgs(args: unknown): LaunchConfig {
  const a = (args && typeof args === 'object' ? args : {}) as Record<string, unknown>;
  const cwd = typeof a.cwd === 'string' && a.cwd ? a.cwd : process.cwd();
  if (a.program === undefined || a.program === null || a.program === '') {
    throw new LaunchError("launch: 'program' is required: the path of the .lifetime file to debug");
  }
  if (typeof a.program !== 'string') throw new LaunchError(`launch: 'program' must be a path, not ${JSON.stringify(a.program)}`);
  const program = isAbsolute(a.program) ? a.program : resolve(cwd, a.program);
  if (a.stopOnEntry !== undefined && typeof a.stopOnEntry !== 'boolean') {
    throw new LaunchError(`launch: 'stopOnEntry' must be true or false, not ${JSON.stringify(a.stopOnEntry)}`);
  }
  let horizonNs: number | undefined;
  if (a.horizon !== undefined && a.horizon !== null && a.horizon !== '') {
    const ns = typeof a.horizon === 'string' ? parseDuration(a.horizon) : null;
    if (ns === null || ns <= 0) throw new LaunchError(`launch: 'horizon' must be a duration such as "10s" or "250ms", not ${JSON.stringify(a.horizon)}`);
    horizonNs = ns;
  }
  let schedule: string[] | null = null;
  let scheduleWhere = 'schedule';
  if (a.schedule !== undefined && a.schedule !== null && a.schedule !== '') {
    try {
      if (typeof a.schedule === 'string') {
        const file = isAbsolute(a.schedule) ? a.schedule : resolve(dirname(program), a.schedule);
        scheduleWhere = file;
        const text = readText(file, 'schedule file');
        let v: unknown;
        try {
          v = JSON.parse(text);
        } catch (e) {
          throw new LaunchError(`${file}: not JSON (${(e as Error).message})`);
        }
        schedule = scheduleEntries(v, file);
      } else {
        schedule = scheduleEntries(a.schedule, "launch: 'schedule'");
      }
    } catch (e) {
      if (e instanceof WitnessError || e instanceof LaunchError) throw new LaunchError(e.message);
      throw e;
    }
  }
  return { program, stopOnEntry: a.stopOnEntry === true, horizonNs, schedule, scheduleWhere, cwd };
}

export interface Prepared extends Loaded {
  config: LaunchConfig;
  witness: Witness | null;
}

/** Loads the program and checks the schedule against it. */
export function prepare(config: LaunchConfig): Prepared {
  const loaded = loadProgram(config.program);
  let witness: Witness | null = null;
  if (config.schedule) {
    try {
      witness = decodeWitness(loaded.program, config.schedule, config.horizonNs);
    } catch (e) {
      if (e instanceof WitnessError) throw new LaunchError(`${config.scheduleWhere}: ${e.message}`);
      throw e;
    }
  }
  return { ...loaded, config, witness };
}
