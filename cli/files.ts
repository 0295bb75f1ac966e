// Reading user files for the command line: every way a path can be unusable becomes one
// clear sentence (UsageError), never a stack trace.

import { readFileSync, statSync } from 'node:fs';
import { parseDurationText } from '../grammar/ast';

export class UsageError extends Error {}

/** Larger inputs are refused: scenarios are small, and a huge file is a mistake. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export function readScenario(path: string): string {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${path}: no such file`);
    if (code === 'EACCES') throw new UsageError(`${path}: permission denied`);
    throw new UsageError(`${path}: cannot read (${code ?? 'unknown error'})`);
  }
  if (st.isDirectory()) throw new UsageError(`${path}: is a directory, not a .lifetime file`);
  if (!st.isFile()) throw new UsageError(`${path}: not a regular file`);
  if (st.size > MAX_FILE_BYTES) {
    throw new UsageError(`${path}: too large (${(st.size / 1048576).toFixed(1)} MB; scenarios are limited to ${MAX_FILE_BYTES / 1048576} MB)`);
  }
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new UsageError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  const nul = buf.indexOf(0);
  if (nul >= 0) throw new UsageError(`${path}: looks binary (NUL byte at offset ${nul}), not a .lifetime file`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    const bad = firstInvalidUtf8(buf);
    throw new UsageError(`${path}:${bad.line}:${bad.column}: invalid UTF-8`);
  }
}

/** Where the first invalid UTF-8 sequence is, as line and column (1-based). */
function firstInvalidUtf8(buf: Buffer): { line: number; column: number } {
  let line = 1;
  let col = 1;
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    let n = 0;
    if (b < 0x80) n = 1;
    else if (b >= 0xc2 && b < 0xe0) n = 2;
    else if (b >= 0xe0 && b < 0xf0) n = 3;
    else if (b >= 0xf0 && b < 0xf5) n = 4;
    if (n === 0 || i + n > buf.length) return { line, column: col };
    for (let k = 1; k < n; k++) if ((buf[i + k] & 0xc0) !== 0x80) return { line, column: col };
    if (b === 0x0a) {
      line++;
      col = 1;
    } else col++;
    i += n;
  }
  return { line, column: col };
}

/** A duration as the language writes it (`10s`, `250ms`), for a flag. */
export function parseDuration(text: string, flag: string): number {
  const ns = parseDurationText(text);
  if (ns === null) throw new UsageError(`${flag}: expected a duration such as 10s or 250ms, got ${JSON.stringify(text)}`);
  if (ns <= 0) throw new UsageError(`${flag}: ${text} is not a usable duration`);
  return ns;
}

/**
 * A witness file (tools.md §1): a JSON array of choices, a single fault or run report with a
 * `schedule`, or an explore report, whose `faults` each carry one (`fault`: which, 1-based
 * in the report's order; default the first).
 */
export function readSchedule(path: string, fault?: number): string[] {
  const text = readScenario(path);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not JSON (${(e as Error).message})`);
  }
  const obj = v && typeof v === 'object' && !Array.isArray(v) ? (v as { schedule?: unknown; faults?: unknown }) : null;
  if (obj && !Array.isArray(obj.schedule) && Array.isArray(obj.faults)) {
    // an explore report (lifetime explore --json): one witness per fault
    const faults = obj.faults as unknown[];
    const n = fault ?? 1;
    if (faults.length === 0) throw new UsageError(`${path}: the report lists no fault, so there is no witness to replay`);
    if (n > faults.length) throw new UsageError(`--fault ${n}: ${path} lists ${faults.length} fault${faults.length === 1 ? '' : 's'} (--fault 1 to ${faults.length})`);
    const f = faults[n - 1] as { schedule?: unknown } | null;
    v = f && typeof f === 'object' ? f.schedule : undefined;
  } else {
    if (fault !== undefined) throw new UsageError(`--fault picks one fault of an explore report; ${path} holds a single schedule`);
    if (obj && Array.isArray(obj.schedule)) v = obj.schedule; // a single fault, or a replay's run report
  }
  if (!Array.isArray(v) || !v.every((c) => typeof c === 'string')) {
    throw new UsageError(`${path}: a schedule is a JSON array of strings (thread names, complete:<fence>, timeout:<thread>), or an explore report (--fault N picks its witness)`);
  }
  return v as string[];
}
