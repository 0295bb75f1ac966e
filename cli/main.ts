// `lifetime`: check, run and explore scenarios from the command line (tools.md §1).
// Everything here is presentation; the work is done by grammar/, server/ and debug-adapter/.

import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { renderRunSvg } from '../debug-adapter/timeline';
import { compile, type Analysis } from '../grammar';
import type { Diagnostic } from '../grammar/ast';
import { lint } from '../server/lints';
import { lower, type Program } from '../debug-adapter/runtime/program';
import { runDefault, replaySchedule, ScheduleError } from '../debug-adapter/runtime/schedule';
import { runJson, type RunJson } from '../debug-adapter/runtime/report';
import { formatDuration as fmtTime } from '../grammar/ast';
import { type Kernel } from '../debug-adapter/runtime/kernel';
import { explore, exploreJson, type ExploreJson } from '../debug-adapter/explorer/explore';
import { UsageError, parseDuration, readScenario, readSchedule } from './files';

const USAGE = `usage: lifetime <command> [options] FILE…

commands:
  check FILE…        static errors and lint diagnostics
  run FILE           run the default schedule and check its expectations
  explore FILE       explore every schedule and check its expectations

options:
  --json             machine-readable output on stdout (nothing else)
  --horizon DUR      run: stop the virtual clock at DUR (default 10s)
  --schedule FILE    run: replay a witness (a JSON array of choices)
  --svg OUT.svg      run: also draw the lifetimes over the steps as an SVG timeline
  --events N         run --json: keep the first N events (default 10000)
  --max-states N     explore: stop after N states (default 2000000)
  --max-memory MB    explore: stop when the explorer's heap passes MB (default 4096)
  --no-color         plain output even on a terminal
  -h, --help         this text`;

interface Options {
  command: string;
  files: string[];
  json: boolean;
  horizon?: number;
  schedule?: string;
  svg?: string;
  events: number;
  maxStates?: number;
  maxMemoryMb?: number;
  color: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    command: '', files: [], json: false, events: 10_000,
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const count = (text: string, flag: string): number => {
    const n = Number(text.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag}: expected a positive whole number, got ${JSON.stringify(text)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--json': o.json = true; break;
      case '--no-color': o.color = false; break;
      case '--horizon': o.horizon = parseDuration(value(i, a), a); i++; break;
      case '--schedule': o.schedule = value(i, a); i++; break;
      case '--svg': o.svg = value(i, a); i++; break;
      case '--events': o.events = count(value(i, a), a); i++; break;
      case '--max-states': o.maxStates = count(value(i, a), a); i++; break;
      case '--max-memory': o.maxMemoryMb = count(value(i, a), a); i++; break;
      case '-h':
      case '--help': o.command = 'help'; break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
        if (!o.command) o.command = a;
        else o.files.push(a);
    }
  }
  if (o.json) o.color = false;
  return o;
}

// ------------------------------------------------------------------ presentation

const C = { red: 31, yellow: 33, blue: 34, cyan: 36, green: 32, dim: 2, bold: 1 } as const;

class Out {
  constructor(private color: boolean) {}
  paint(text: string, c: keyof typeof C): string {
    return this.color ? `\x1b[${C[c]}m${text}\x1b[0m` : text;
  }
}

function shown(file: string): string {
  const r = relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : file;
}

function diagLine(out: Out, file: string, d: Diagnostic): string {
  const sev = d.severity === 'error' ? out.paint('error', 'red') : d.severity === 'warning' ? out.paint('warning', 'yellow') : out.paint(d.severity, 'blue');
  return `${shown(file)}:${d.range.start.line}:${d.range.start.column}: ${sev}: ${d.message} [${d.code}]`;
}

export function diagJson(d: Diagnostic) {
  return {
    code: d.code, severity: d.severity, line: d.range.start.line, column: d.range.start.column,
    endLine: d.range.end.line, endColumn: d.range.end.column, message: d.message,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// ------------------------------------------------------------------ commands

interface Loaded {
  file: string;
  text: string;
  analysis: Analysis;
  diagnostics: Diagnostic[];
}

function load(file: string, withLints: boolean): Loaded {
  const text = readScenario(file);
  const analysis = compile(text);
  const diagnostics = withLints ? [...analysis.diagnostics, ...lint(analysis, text)] : analysis.diagnostics.slice();
  diagnostics.sort((a, b) => a.range.start.offset - b.range.start.offset);
  return { file, text, analysis, diagnostics };
}

function check(o: Options, write: (s: string) => void): number {
  if (!o.files.length) throw new UsageError('check needs at least one FILE');
  const loaded = o.files.map((f) => load(f, true));
  const errors = loaded.reduce((n, l) => n + l.diagnostics.filter((d) => d.severity === 'error').length, 0);
  if (o.json) {
    write(JSON.stringify({ files: loaded.map((l) => ({ file: l.file, diagnostics: l.diagnostics.map(diagJson) })) }, null, 2));
  } else {
    const out = new Out(o.color);
    let total = 0;
    for (const l of loaded) {
      for (const d of l.diagnostics) write(diagLine(out, l.file, d));
      total += l.diagnostics.length;
    }
    write(`checked ${plural(loaded.length, 'file')}: ${plural(errors, 'error')}, ${plural(total - errors, 'other diagnostic')}`);
  }
  return errors ? 1 : 0;
}

/** A file with static errors is not run (tools.md §1): report them and exit 2. */
function refuse(o: Options, l: Loaded, mode: string, write: (s: string) => void): number {
  const errs = l.analysis.diagnostics;
  if (o.json) write(JSON.stringify({ file: l.file, mode, met: false, diagnostics: errs.map(diagJson) }, null, 2));
  else {
    const out = new Out(o.color);
    for (const d of errs) write(diagLine(out, l.file, d));
    write(`${shown(l.file)}: not run: ${plural(errs.length, 'static error')}`);
  }
  return 2;
}

function single(o: Options): string {
  if (o.files.length !== 1) throw new UsageError(`${o.command} takes exactly one FILE`);
  return o.files[0];
}

function run(o: Options, write: (s: string) => void): number {
  const l = load(single(o), false);
  if (l.analysis.diagnostics.length) return refuse(o, l, 'run', write);
  const p = lower(l.analysis.file);
  let k: Kernel;
  let report: RunJson;
  if (o.schedule) {
    const schedule = readSchedule(o.schedule);
    try {
      k = replaySchedule(p, schedule, { horizonNs: o.horizon, maxEvents: o.events });
    } catch (e) {
      if (e instanceof ScheduleError) throw new UsageError(`${o.schedule}: ${e.message}`);
      throw e;
    }
    report = runJson(l.file, k, 'explore');
    report.met = witnessMet(p, report);
    report.schedule = schedule;
  } else {
    k = runDefault(p, { horizonNs: o.horizon, maxEvents: o.events });
    report = runJson(l.file, k, 'run');
  }
  if (o.svg) {
    const svg = renderRunSvg(p, { horizonNs: o.horizon, schedule: report.schedule, file: shown(l.file) });
    try {
      writeFileSync(o.svg, svg);
    } catch (e) {
      throw new UsageError(`${o.svg}: cannot write the SVG (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  if (o.json) write(JSON.stringify(report, null, 2));
  else printRun(o, l, p, k, report, write);
  return report.met ? 0 : 1;
}

/**
 * A replayed witness is one schedule of explore mode: it meets the file's expectations when
 * each fault it reaches is one that explore mode expects (or it is clean and nothing else is
 * expected to be clean-breaking).
 */
function witnessMet(p: Program, r: RunJson): boolean {
  const expected = new Set(p.expects.filter((e) => e.mode !== 'run' && e.outcome !== 'clean').map((e) => e.outcome));
  if (r.faults.length === 0) return true;
  return r.faults.every((f) => expected.has(f.kind));
}

function printRun(o: Options, l: Loaded, p: Program, k: Kernel, r: RunJson, write: (s: string) => void): void {
  const out = new Out(o.color);
  write(out.paint(`${shown(l.file)}${p.scenario ? `: ${p.scenario}` : ''}`, 'bold'));
  const tw = Math.max(6, ...k.s.threads.map((t) => t.name.length));
  for (const e of k.events) {
    const time = fmtTime(e.time_ns).padStart(9);
    const thread = (e.thread || '·').padEnd(tw);
    const line = e.line ? `:${e.line}`.padEnd(5) : '     ';
    const kind = e.kind === 'fault' ? out.paint(e.kind.padEnd(13), 'red') : out.paint(e.kind.padEnd(13), 'cyan');
    write(`${out.paint(time, 'dim')}  ${thread}  ${out.paint(line, 'dim')} ${kind} ${e.text}`);
  }
  if (k.s.eventCount > k.events.length) write(out.paint(`… ${k.s.eventCount - k.events.length} more events (--events N)`, 'dim'));
  for (const f of r.faults) {
    write(`${shown(l.file)}:${f.line}:${f.column}: ${out.paint('error', 'red')}: ${f.message} [${f.kind}] (thread ${f.thread}, at ${fmtTime(f.time_ns)})`);
  }
  const kinds = [...new Set(r.faults.map((f) => f.kind))];
  const what = r.faults.length ? `${plural(r.faults.length, 'fault')} (${kinds.join(', ')})` : 'clean';
  const verdict = r.met ? out.paint('expectations met', 'green') : out.paint('expectations NOT met', 'red');
  write(`${o.schedule ? 'replay' : 'run'}: ${what} in ${plural(r.steps, 'step')}, ${fmtTime(r.time_ns)} of virtual time; ${verdict}`);
  if (!r.met) for (const e of r.expectations.filter((x) => !x.met)) write(`  expect ${e.expect}${e.thread ? ` in ${e.thread}` : ''} (line ${e.line}) not met`);
}

function exploreCmd(o: Options, write: (s: string) => void, progress: (s: string) => void): number {
  const l = load(single(o), false);
  if (l.analysis.diagnostics.length) return refuse(o, l, 'explore', write);
  const p = lower(l.analysis.file);
  const showProgress = Boolean(process.stderr.isTTY) && !o.json;
  const res = explore(p, {
    maxStates: o.maxStates,
    maxMemoryBytes: o.maxMemoryMb ? o.maxMemoryMb * 1048576 : undefined,
    onProgress: showProgress ? (st) => progress(`\r${st.states} states, ${Math.round(st.statesPerSecond)} states/s, depth ${st.depth}  `) : undefined,
  });
  if (showProgress) progress('\r\x1b[K');
  const report: ExploreJson = exploreJson(l.file, p, res);
  if (o.json) write(JSON.stringify(report, null, 2));
  else {
    const out = new Out(o.color);
    write(out.paint(`${shown(l.file)}${p.scenario ? `: ${p.scenario}` : ''}`, 'bold'));
    for (const f of report.faults) {
      write(`${shown(l.file)}:${f.line}:${f.column}: ${out.paint('error', 'red')}: ${f.message} [${f.kind}] (thread ${f.thread})`);
      write(out.paint(`  witness (${f.schedule.length} choices): ${JSON.stringify(f.schedule)}`, 'dim'));
    }
    if (!report.complete) write(out.paint(`exploration incomplete: ${res.stopReason}; the result covers only the states visited`, 'yellow'));
    const kinds = [...new Set(report.faults.map((f) => f.kind))];
    const verdict = report.met ? out.paint('expectations met', 'green') : out.paint('expectations NOT met', 'red');
    write(`explore: ${kinds.length ? kinds.join(', ') : 'clean'} over ${report.states} states, ${report.transitions} transitions${report.complete ? '' : ' (incomplete)'}; ${verdict}`);
    if (!report.met) for (const e of report.expectations.filter((x) => !x.met)) write(`  expect ${e.expect}${e.thread ? ` in ${e.thread}` : ''} (line ${e.line}) not met`);
  }
  return report.met ? 0 : 1;
}

export function main(argv: string[]): number {
  const write = (s: string) => process.stdout.write(s + '\n');
  try {
    const o = parseArgs(argv);
    switch (o.command) {
      case 'help':
        write(USAGE);
        return 0;
      case 'check': return check(o, write);
      case 'run': return run(o, write);
      case 'explore': return exploreCmd(o, write, (s) => process.stderr.write(s));
      case '':
        process.stderr.write(`${USAGE}\n`);
        return 2;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(o.command)} (check, run or explore)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`lifetime: ${e.message}\n`);
      return 2;
    }
    // A bug of ours: still one line, never a stack trace on a user's terminal.
    process.stderr.write(`lifetime: internal error: ${(e as Error)?.message ?? String(e)} (please report this with the file)\n`);
    return 2;
  }
}
