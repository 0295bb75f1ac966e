// `lifetime`: check, run and explore scenarios from the command line (tools.md §1).
// Everything here is presentation; the work is done by grammar/, server/ and debug-adapter/.

import { statSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs as nodeParseArgs, type ParseArgsConfig } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { renderRunSvg } from '../debug-adapter/timeline';
import { compile, type Analysis } from '../grammar';
import type { Diagnostic } from '../grammar/ast';
import { lint } from '../server/lints';
import { lower, type Program } from '../debug-adapter/runtime/program';
import { isRunSchedule, replaySchedule, runOne, ScheduleError } from '../debug-adapter/runtime/schedule';
import { runJson, type RunJson } from '../debug-adapter/runtime/report';
import { judge, settle, type StopKind } from '../debug-adapter/runtime/expectations';
import { formatDuration as fmtTime } from '../grammar/ast';
import { Kernel } from '../debug-adapter/runtime/kernel';
import { explore, exploreJson, startExplore, type ExploreJson, type ExploreOptions, type ExploreResult } from '../debug-adapter/explorer/explore';
import { UsageError, parseDuration, readScenario, readSchedule } from './files';
import { kernelMain } from '../kernel/cli';

const USAGE = `usage: lifetime <command> [options] FILE…

commands:
  check FILE…        static errors and lint diagnostics
  run FILE           run the default schedule and check its expectations
  explore FILE       explore every schedule and check its expectations
  kernel FILE        run it on a real Linux kernel in QEMU and compare (lifetime kernel --help)

exit: 0 expectations met (check: no error), 1 not met (check: errors),
      2 usage, I/O or static errors, 3 inconclusive (a bound or Ctrl-C stopped it)

options (each applies only to the commands named):
  --json             all: machine-readable output on stdout (nothing else)
  --no-color         all: plain output even on a terminal
  --horizon DUR      run: stop the virtual clock at DUR (default 10s)
  --max-steps N      run: stop after N statements, inconclusive (default 100000000)
  --schedule FILE    run: replay a witness (a JSON array of choices, or an explore report)
  --fault N          run --schedule REPORT: replay the witness of the report's Nth fault (default 1)
  --svg OUT.svg      run: also draw the lifetimes over the steps as an SVG timeline
  --events N         run: keep the first N events (default 10000)
  --max-states N     explore: stop after N states, inconclusive (default 2000000)
  --max-memory MB    explore: stop when the explorer's heap passes MB, inconclusive (default 4096)
  --max-time DUR     explore: stop after DUR of wall-clock time, inconclusive (e.g. 30s)
  -h, --help         this text`;

type Command = 'check' | 'run' | 'explore';

// One option table per command (node:util parseArgs, strict): a flag of another command is
// a usage error, never silently ignored.
const COMMON = {
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const OPTIONS = {
  check: { ...COMMON },
  run: {
    ...COMMON,
    horizon: { type: 'string' },
    'max-steps': { type: 'string' },
    schedule: { type: 'string' },
    fault: { type: 'string' },
    svg: { type: 'string' },
    events: { type: 'string' },
  },
  explore: {
    ...COMMON,
    'max-states': { type: 'string' },
    'max-memory': { type: 'string' },
    'max-time': { type: 'string' },
  },
} as const satisfies Record<Command, NonNullable<ParseArgsConfig['options']>>;

const DEFAULT_MAX_STEPS = 100_000_000;

interface Options {
  command: Command | 'help' | '';
  files: string[];
  json: boolean;
  color: boolean;
  horizon?: number;
  maxSteps: number;
  schedule?: string;
  fault?: number;
  svg?: string;
  events: number;
  maxStates?: number;
  maxMemoryMb?: number;
  maxTimeMs?: number;
  maxTimeText?: string;
}

function isCommand(c: string): c is Command {
  return Object.hasOwn(OPTIONS, c);
}

function count(text: string, flag: string): number {
  const n = Number(text.replace(/_/g, ''));
  if (!/^[0-9_]+$/.test(text) || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag}: expected a positive whole number, got ${JSON.stringify(text)}`);
  return n;
}

/** parseArgs' errors, as one short sentence naming the flag. */
function argError(command: Command, e: NodeJS.ErrnoException): UsageError {
  const flag = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const name = flag.replace(/^-+/, '').replace(/=.*$/, '');
    const owners = (Object.keys(OPTIONS) as Command[]).filter((c) => c !== command && Object.hasOwn(OPTIONS[c], name));
    if (owners.length) return new UsageError(`--${name} does not apply to ${command} (it is an option of ${owners.join(' and ')})`);
    return new UsageError(`${command}: unknown option ${flag.replace(/=.*$/, '')}`);
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(e.message)) return new UsageError(`${flag} takes no value`);
    return new UsageError(`${flag} needs a value`);
  }
  return new UsageError(e.message);
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    command: '', files: [], json: false, events: 10_000, maxSteps: DEFAULT_MAX_STEPS,
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  };
  const first = argv[0];
  if (first === undefined) return o;
  if (first === '-h' || first === '--help') return { ...o, command: 'help' };
  if (!isCommand(first)) {
    if (first.startsWith('-')) throw new UsageError(`the command comes first: lifetime check|run|explore [options] FILE… (got ${first})`);
    throw new UsageError(`unknown command ${JSON.stringify(first)} (check, run or explore)`);
  }
  const command = first;
  let parsed;
  try {
    parsed = nodeParseArgs({ args: argv.slice(1), options: OPTIONS[command], strict: true, allowPositionals: true });
  } catch (e) {
    throw argError(command, e as NodeJS.ErrnoException);
  }
  const v = parsed.values as { [K in keyof typeof OPTIONS.run | keyof typeof OPTIONS.explore]?: string | boolean };
  if (v.help) return { ...o, command: 'help' };
  o.command = command;
  o.files = parsed.positionals;
  o.json = v.json === true;
  if (v['no-color'] || o.json) o.color = false;
  const str = (k: keyof typeof v) => v[k] as string | undefined;
  if (str('horizon') !== undefined) o.horizon = parseDuration(str('horizon')!, '--horizon');
  if (str('max-steps') !== undefined) o.maxSteps = count(str('max-steps')!, '--max-steps');
  o.schedule = str('schedule');
  if (str('fault') !== undefined) {
    if (o.schedule === undefined) throw new UsageError('--fault picks a fault of the explore report given with --schedule');
    o.fault = count(str('fault')!, '--fault');
  }
  o.svg = str('svg');
  if (str('events') !== undefined) o.events = count(str('events')!, '--events');
  if (str('max-states') !== undefined) o.maxStates = count(str('max-states')!, '--max-states');
  if (str('max-memory') !== undefined) o.maxMemoryMb = count(str('max-memory')!, '--max-memory');
  if (str('max-time') !== undefined) {
    o.maxTimeMs = parseDuration(str('max-time')!, '--max-time') / 1e6;
    o.maxTimeText = str('max-time');
  }
  if (command === 'check') {
    if (!o.files.length) throw new UsageError('check needs at least one FILE');
  } else if (o.files.length !== 1) throw new UsageError(`${command} takes exactly one FILE`);
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

/** Where the command's output goes; `note` is stderr (one line each). */
interface Io {
  write(s: string): void;
  note(s: string): void;
  /** the progress line on stderr (a terminal only; '' clears it) */
  progress(s: string): void;
}

function check(o: Options, io: Io): number {
  // every file that can be read is reported; the ones that cannot are named after, exit 2
  const loaded: Loaded[] = [];
  const unreadable: string[] = [];
  for (const f of o.files) {
    try {
      loaded.push(load(f, true));
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      unreadable.push(e.message);
    }
  }
  const errors = loaded.reduce((n, l) => n + l.diagnostics.filter((d) => d.severity === 'error').length, 0);
  if (o.json) {
    io.write(JSON.stringify({ files: loaded.map((l) => ({ file: l.file, diagnostics: l.diagnostics.map(diagJson) })) }, null, 2));
  } else {
    const out = new Out(o.color);
    let total = 0;
    for (const l of loaded) {
      for (const d of l.diagnostics) io.write(diagLine(out, l.file, d));
      total += l.diagnostics.length;
    }
    const lost = unreadable.length ? `; ${plural(unreadable.length, 'file')} could not be read` : '';
    if (loaded.length) io.write(`checked ${plural(loaded.length, 'file')}: ${plural(errors, 'error')}, ${plural(total - errors, 'other diagnostic')}${lost}`);
  }
  for (const m of unreadable) io.note(`lifetime: ${m}`);
  return unreadable.length ? 2 : errors ? 1 : 0;
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

/** 0 met, 1 not met, 3 inconclusive (tools.md §1). */
function exitCode(met: boolean | null): number {
  return met === null ? 3 : met ? 0 : 1;
}

/**
 * Nothing is written over a scenario (tools.md §1): an output path that is an input (the
 * scenario, the witness) or any `.lifetime` file is refused before anything runs. An
 * existing `.svg` is replaced, as a compiler's `-o` does.
 */
function checkOutput(out: string, flag: string, inputs: (string | undefined)[]): void {
  if (/\.lifetime$/i.test(out)) throw new UsageError(`${flag} ${out}: refusing to write SVG over a .lifetime file (name the output OUT.svg)`);
  let st;
  try {
    st = statSync(out);
  } catch {
    return; // a new file
  }
  if (st.isDirectory()) throw new UsageError(`${flag} ${out}: is a directory`);
  for (const input of inputs) {
    if (input === undefined) continue;
    try {
      const i = statSync(input);
      if (i.ino === st.ino && i.dev === st.dev) throw new UsageError(`${flag} ${out}: is the input ${input}; refusing to write over it`);
    } catch (e) {
      if (e instanceof UsageError) throw e;
    }
  }
}

/** Ctrl-C and the progress line of a long run or search. */
class Control {
  interrupted = false;
  /** set by the first Ctrl-C, for a worker to read */
  readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly started = Date.now();
  private shown = false;
  private readonly onSigint = () => {
    if (this.interrupted) process.exit(130); // a second Ctrl-C: stop at once
    this.interrupted = true;
    Atomics.store(this.flag, 0, 1);
  };

  constructor(private readonly io: Io) {
    process.on('SIGINT', this.onSigint);
  }

  get seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** Shows a progress line, after the first second. */
  progress(text: () => string): void {
    if (Date.now() - this.started < 1000) return;
    this.shown = true;
    this.io.progress(`${text()}, ${this.seconds.toFixed(0)} s (Ctrl-C stops with the result so far)`);
  }

  done(): void {
    process.off('SIGINT', this.onSigint);
    if (this.shown) this.io.progress('');
  }
}

/**
 * Runs the default schedule to its end, in slices: between slices Ctrl-C can be seen and
 * the progress line drawn. Stops at `maxSteps` statements.
 */
async function drive(k: Kernel, maxSteps: number, ctl: Control): Promise<StopKind | null> {
  for (;;) {
    const until = Date.now() + 50;
    for (let n = 1; ; n++) {
      if (k.s.steps >= maxSteps) return 'max-steps';
      if (!runOne(k)) return null;
      if ((n & 1023) === 0 && Date.now() >= until) break;
    }
    await new Promise((r) => setImmediate(r));
    if (ctl.interrupted) return 'interrupted';
    ctl.progress(() => `run: ${k.s.steps.toLocaleString('en-US')} steps, ${fmtTime(k.s.clock)} of virtual time`);
  }
}

async function run(o: Options, io: Io): Promise<number> {
  const l = load(o.files[0], false);
  if (o.svg) checkOutput(o.svg, '--svg', [l.file, o.schedule]);
  if (l.analysis.diagnostics.length) return refuse(o, l, 'run', io.write);
  const p = lower(l.analysis.file);
  const schedule = o.schedule !== undefined ? readSchedule(o.schedule, o.fault) : undefined;
  const ctl = new Control(io);
  let k: Kernel;
  let stopped: StopKind | null = null;
  try {
    if (schedule) {
      try {
        k = replaySchedule(p, schedule, { horizonNs: o.horizon, maxEvents: o.events }, false);
      } catch (e) {
        if (e instanceof ScheduleError) throw new UsageError(`${o.schedule}: ${e.message}`);
        throw e;
      }
      // a debugger-saved run-mode witness goes on with the default schedule
      if (isRunSchedule(schedule)) stopped = await drive(k, o.maxSteps, ctl);
    } else {
      k = new Kernel(p, { mode: 'run', horizonNs: o.horizon, maxEvents: o.events });
      stopped = await drive(k, o.maxSteps, ctl);
    }
  } finally {
    ctl.done();
  }
  const judgeAs = schedule ? 'explore' : 'run';
  const base = runJson(l.file, k, judgeAs);
  const settled = settle(judge(p, judgeAs, base.faults), stopped === null);
  let met = settled.met;
  if (schedule) met = witnessMet(p, base) ? (stopped ? null : true) : false;
  const report: RunJson = {
    file: base.file, mode: base.mode, outcome: base.outcome,
    complete: stopped === null,
    ...(stopped ? { stopped } : {}),
    faults: base.faults, expectations: settled.expectations, met,
    steps: base.steps, time_ns: base.time_ns, final: base.final, events: base.events,
    ...(schedule ? { schedule } : {}),
  };
  if (o.svg) {
    const svg = renderRunSvg(p, { horizonNs: o.horizon, schedule: report.schedule, file: shown(l.file), maxSteps: Math.min(o.maxSteps, 200_000) });
    try {
      writeFileSync(o.svg, svg);
    } catch (e) {
      throw new UsageError(`${o.svg}: cannot write the SVG (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  if (o.json) io.write(JSON.stringify(report, null, 2));
  else printRun(o, l, p, k, report, io.write);
  return exitCode(report.met);
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

const STOPPED_BY = {
  'max-steps': '--max-steps',
  'max-states': '--max-states',
  'max-memory': '--max-memory',
  'max-time': '--max-time',
  interrupted: 'Ctrl-C',
} as const satisfies Record<StopKind, string>;

/** The verdict at the end of the summary line. */
function verdict(out: Out, met: boolean | null, stopped: StopKind | undefined): string {
  if (met === null) return `${out.paint('inconclusive', 'yellow')}: stopped by ${STOPPED_BY[stopped!]} before the end, the expectations are not settled`;
  const v = met ? out.paint('expectations met', 'green') : out.paint('expectations NOT met', 'red');
  return stopped ? `${v} (a fault no expectation allows was found before ${STOPPED_BY[stopped]} stopped it)` : v;
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
  if (r.met === false) for (const e of r.expectations.filter((x) => x.met === false)) write(`  expect ${e.expect}${e.thread ? ` in ${e.thread}` : ''} (line ${e.line}) not met`);
  const kinds = [...new Set(r.faults.map((f) => f.kind))];
  const what = r.faults.length ? `${plural(r.faults.length, 'fault')} (${kinds.join(', ')})` : 'clean';
  const stop = r.stopped ? ` (stopped at ${r.stopped === 'max-steps' ? `--max-steps ${o.maxSteps}` : 'Ctrl-C'})` : '';
  write(`${o.schedule ? 'replay' : 'run'}: ${what} in ${plural(r.steps, 'step')}${stop}, ${fmtTime(r.time_ns)} of virtual time; ${verdict(out, r.met, r.stopped)}`);
}

const EXPLORE_ROLE = 'lifetime-cli-explore';

/** The explorer's default memory bound (explore.ts), which a worker gets a heap for. */
const DEFAULT_MAX_MEMORY_BYTES = 4096 * 1048576;

/** What this thread's heap can hold of a search, with room for the rest of the CLI. */
function mainHeapBound(): number {
  return Math.max(256 * 1048576, getHeapStatistics().heap_size_limit - 512 * 1048576);
}

interface ExploreJob {
  role: typeof EXPLORE_ROLE;
  text: string;
  opts: Pick<ExploreOptions, 'maxStates' | 'maxMemoryBytes' | 'maxTimeMs'>;
  flag: SharedArrayBuffer;
}

type WorkerMsg =
  | { type: 'progress'; states: number; statesPerSecond: number; depth: number }
  | { type: 'result'; result: ExploreResult };

/**
 * A search whose memory bound is larger than the main thread's heap goes on in a worker
 * thread (this same file) with a heap of that size; the main thread stays free to see
 * Ctrl-C (a signal is delivered through the event loop) and draw the progress line.
 */
function exploreInWorker(job: Omit<ExploreJob, 'role' | 'flag'>, ctl: Control): Promise<ExploreResult> {
  return new Promise((resolve, reject) => {
    const heapMb = Math.ceil((job.opts.maxMemoryBytes ?? 4096 * 1048576) / 1048576) + 512;
    const w = new Worker(__filename, {
      workerData: { role: EXPLORE_ROLE, ...job, flag: ctl.flag.buffer } satisfies ExploreJob,
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
    });
    let last = { states: 0 };
    let settled = false;
    w.on('message', (m: WorkerMsg) => {
      if (m.type === 'progress') {
        last = m;
        ctl.progress(() => `explore: ${m.states.toLocaleString('en-US')} states, ${Math.round(m.statesPerSecond).toLocaleString('en-US')} states/s, depth ${m.depth}`);
      } else {
        settled = true;
        resolve(m.result);
      }
    });
    w.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      // the heap bound the explorer checks was passed between two checks: what it found is lost
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        resolve({ complete: false, stopped: 'max-memory', stopReason: `stopped: out of memory (${heapMb} MB)`, states: last.states, transitions: 0, maxDepth: 0, faults: [] });
      } else reject(e);
    });
    w.on('exit', () => {
      if (!settled) reject(new Error('the exploration worker ended without a result'));
    });
  });
}

/** The worker's side of exploreInWorker. */
function exploreWorker(job: ExploreJob): void {
  const flag = new Int32Array(job.flag);
  const a = compile(job.text);
  const post = (m: WorkerMsg) => parentPort!.postMessage(m);
  const result = explore(lower(a.file), {
    ...job.opts,
    shouldStop: () => Atomics.load(flag, 0) !== 0,
    progressEveryMs: 250,
    onProgress: (st) => post({ type: 'progress', ...st }),
  });
  post({ type: 'result', result });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === EXPLORE_ROLE) exploreWorker(workerData as ExploreJob);

async function exploreCmd(o: Options, io: Io): Promise<number> {
  const l = load(o.files[0], false);
  if (l.analysis.diagnostics.length) return refuse(o, l, 'explore', io.write);
  const p = lower(l.analysis.file);
  const ctl = new Control(io);
  const bounds = { maxStates: o.maxStates, maxMemoryBytes: o.maxMemoryMb ? o.maxMemoryMb * 1048576 : undefined };
  const started = Date.now();
  let res: ExploreResult;
  try {
    // The search runs here in slices: between two, Ctrl-C is seen and the progress line
    // drawn. Only a memory bound larger than this thread's heap allows moves it to a
    // worker with a heap of that size, and then only once this thread's share is used up.
    const requested = bounds.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES;
    const here = Math.min(requested, mainHeapBound());
    let last = { states: 0, statesPerSecond: 0, depth: 0 };
    const search = startExplore(p, {
      ...bounds,
      maxMemoryBytes: here,
      maxTimeMs: o.maxTimeMs,
      shouldStop: () => ctl.interrupted,
      progressEveryMs: 250,
      onProgress: (st) => { last = st; },
    });
    while (!search.advance(Date.now() + 50)) {
      await new Promise((r) => setImmediate(r)); // a Ctrl-C typed meanwhile is seen here
      ctl.progress(() => `explore: ${last.states.toLocaleString('en-US')} states, ${Math.round(last.statesPerSecond).toLocaleString('en-US')} states/s, depth ${last.depth}`);
    }
    res = search.result();
    if (res.stopped === 'max-memory' && requested > here && !ctl.interrupted) {
      const left = o.maxTimeMs === undefined ? undefined : Math.max(0, o.maxTimeMs - (Date.now() - started));
      res = await exploreInWorker({ text: l.text, opts: { ...bounds, maxTimeMs: left } }, ctl);
    }
  } finally {
    ctl.done();
  }
  // the worker got what was left of the bound: name the bound the user gave
  if (res.stopped === 'max-time') res = { ...res, stopReason: `stopped at --max-time ${o.maxTimeText}` };
  const report: ExploreJson = exploreJson(l.file, p, res);
  if (o.json) io.write(JSON.stringify(report, null, 2));
  else {
    const out = new Out(o.color);
    io.write(out.paint(`${shown(l.file)}${p.scenario ? `: ${p.scenario}` : ''}`, 'bold'));
    report.faults.forEach((f, n) => {
      io.write(`${shown(l.file)}:${f.line}:${f.column}: ${out.paint('error', 'red')}: ${f.message} [${f.kind}] (thread ${f.thread})`);
      io.write(out.paint(`  witness ${n + 1} (${f.schedule.length} choices; run --schedule REPORT --fault ${n + 1}): ${JSON.stringify(f.schedule)}`, 'dim'));
    });
    writeUnreached(report, res.stopReason, shown(l.file), out, io.write);
    if (!report.complete) io.write(out.paint(`exploration incomplete: ${res.stopReason}; the result covers only the states visited`, 'yellow'));
    if (report.met === false) for (const e of report.expectations.filter((x) => x.met === false)) io.write(`  expect ${e.expect}${e.thread ? ` in ${e.thread}` : ''} (line ${e.line}) not met`);
    const kinds = [...new Set(report.faults.map((f) => f.kind))];
    io.write(`explore: ${kinds.length ? kinds.join(', ') : 'clean'} over ${report.states} states, ${report.transitions} transitions${report.complete ? '' : ' (incomplete)'}; ${verdict(out, report.met, report.stopped)}`);
  }
  return exitCode(report.met);
}

/** The "never reached" section: the runs of statements no schedule started (after a complete search only). */
function writeUnreached(report: ExploreJson, stopReason: string, file: string, out: Out, write: (s: string) => void): void {
  if (!report.unreached) {
    write(out.paint(`never reached: not known after an incomplete search (${stopReason})`, 'dim'));
    return;
  }
  if (report.unreached.length === 0) return;
  write(out.paint('never reached (no schedule starts these):', 'bold'));
  for (const u of report.unreached) {
    const lines = u.endLine > u.line ? ` (lines ${u.line}–${u.endLine})` : '';
    const why = u.blockedAt
      ? `: no schedule gets past \`${u.blockedAt.what}\` at ${file}:${u.blockedAt.line}:${u.blockedAt.column}, blocked there for good`
      : '';
    write(`  ${file}:${u.line}:${u.column}: ${u.what}${lines}${why}`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const io: Io = {
    write: (s) => process.stdout.write(s + '\n'),
    note: (s) => process.stderr.write(s + '\n'),
    progress: (s) => {
      if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${s}`);
    },
  };
  try {
    // `kernel` has its own options (kernel/cli.ts)
    if (argv[0] === 'kernel') return kernelMain(argv.slice(1), io.write, io.note);
    const o = parseArgs(argv);
    switch (o.command) {
      case 'help':
        io.write(USAGE);
        return 0;
      case 'check': return check(o, io);
      case 'run': return await run(o, io);
      case 'explore': return await exploreCmd(o, io);
      case '':
        process.stderr.write(`${USAGE}\n`);
        return 2;
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
