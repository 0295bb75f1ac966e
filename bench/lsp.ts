// Language server figures, measured over the real stdio server (bin/lifetime-language-server.js
// → dist/server.js, so build first) with a real JSON-RPC client, as an editor sees them:
// - open → diagnostics and edit → diagnostics latency on generated 1,000 / 10,000 /
//   50,000-line scenarios (median and p95 over 20 edits, each a one-line incremental change
//   after a pause, as a person edits; the server's debounce as shipped: a lone edit is
//   checked at once, a burst once it pauses — the burst figure shows that path), and the
//   server's CPU time per edit (all its threads: parallel GC included, so it can exceed the
//   latency; a cost that, unlike latency, does not grow with what else the machine runs);
// - the server's memory (VmRSS / VmHWM of the child) with the 50,000-line file open.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';

export interface LspBenchRow {
  name: string;
  value: string;
  target?: string;
  ok?: boolean;
}

/**
 * A realistic scenario of about `lines` lines without static errors: one GPU driver with
 * its objects and handlers, many client threads (open, ioctl inside drm_dev_enter with a
 * fence wait with timeout, refs, a revocable section, a mutex), and a hot-unplug.
 */
export function generateScenario(lines: number): string {
  const out = [
    'scenario "generated: many clients of one GPU"',
    '',
    'module nova',
    'device gpu0',
    'driver nova_drm in nova binds gpu0 {',
    '  fops_owner: yes',
    '}',
    'drm card0 on gpu0',
    'revocable bar0 on gpu0',
    'ptimer ptimer on bar0',
    'fence job on gpu0 takes 2ms',
    'mutex big_lock',
    'data state drmm on card0',
    'work retire in nova_drm {',
    '  access bar0 {',
    '    read ptimer',
    '  }',
    '}',
    '',
    'on remove nova_drm {',
    '  cancel retire',
    '  signal job error',
    '  unplug card0',
    '}',
  ];
  let i = 0;
  while (out.length < lines - 6) {
    out.push(
      '',
      `thread client${i} "render client ${i}" {`,
      '  open f on card0',
      '  ioctl f {',
      '    enter card0 {',
      '      submit job',
      '      wait job timeout 5ms',
      '      use state',
      '    }',
      '  }',
      '  get card0',
      '  access bar0 {',
      '    read bar0',
      '  } else {',
      '    log "BAR gone"',
      '  }',
      '  put card0',
      '  lock big_lock',
      `  sleep ${10 + (i % 90)}us`,
      '  unlock big_lock',
      '  queue retire',
      '  close f',
      '}',
    );
    i++;
  }
  out.push('', 'thread hotplug "PCI surprise removal" {', '  sleep 1ms', '  hotunplug gpu0', '}', '');
  return out.join('\n');
}

/**
 * About 10,000 lines in 1,000 small threads (issue 11's file): the declarations of
 * `generateScenario`, then threads of ten lines that open, sleep, get and put.
 */
export function generateThreads(threads: number): string {
  const head = generateScenario(30).split('\n').slice(0, 24);
  const out = [...head];
  for (let i = 0; i < threads; i++) {
    out.push('', `thread t${i} {`, '  open f on card0', '  get card0', `  sleep ${10 + (i % 90)}us`, '  put card0', '  lock big_lock', '  unlock big_lock', '  close f', '}');
  }
  out.push('', 'thread hotplug "PCI surprise removal" {', '  sleep 1ms', '  hotunplug gpu0', '}', '');
  return out.join('\n');
}

function repoRoot(): string {
  for (const dir of [resolve(__dirname, '..'), resolve(__dirname, '../..'), process.cwd()]) {
    if (existsSync(join(dir, 'bin/lifetime-language-server.js'))) return dir;
  }
  throw new Error('bin/lifetime-language-server.js not found: run from the repository');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Server {
  // LSP_BENCH_NODE_ARGS: extra node flags for the server (`--cpu-prof` to profile it);
  // LSP_BENCH_STDERR=1 shows its stderr.
  private child = spawn(
    process.execPath,
    [...(process.env.LSP_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), join(repoRoot(), 'bin/lifetime-language-server.js'), '--stdio'],
    { stdio: ['pipe', 'pipe', process.env.LSP_BENCH_STDERR ? 'inherit' : 'ignore'] },
  );
  private conn = createProtocolConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
  private waiting = new Map<string, (at: number) => void>();

  constructor() {
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      const key = `${p.uri}@${p.version}`;
      const w = this.waiting.get(key);
      if (w) {
        this.waiting.delete(key);
        w(performance.now());
      }
    });
    this.conn.listen();
  }

  get pid(): number {
    return this.child.pid!;
  }

  async start(): Promise<void> {
    await this.conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await this.conn.sendNotification('initialized', {});
  }

  /** Resolves with the time the diagnostics of `uri`@`version` arrive. */
  diagnostics(uri: string, version: number): Promise<number> {
    return new Promise((resolve) => this.waiting.set(`${uri}@${version}`, resolve));
  }

  async open(uri: string, text: string): Promise<number> {
    const done = this.diagnostics(uri, 1);
    const t0 = performance.now();
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lifetime', version: 1, text } });
    return (await done) - t0;
  }

  async edit(uri: string, version: number, line: number, from: number, to: number, text: string): Promise<number> {
    const done = this.diagnostics(uri, version);
    const t0 = performance.now();
    await this.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: from }, end: { line, character: to } }, text }],
    });
    return (await done) - t0;
  }

  async changeOnly(uri: string, version: number, line: number, from: number, to: number, text: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: from }, end: { line, character: to } }, text }],
    });
  }

  async send(method: string, params: unknown): Promise<void> {
    await this.conn.sendNotification(method, params);
  }

  /** Latency of one hover, ms. */
  async hover(uri: string, line: number, character: number): Promise<number> {
    const t0 = performance.now();
    await this.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } });
    return performance.now() - t0;
  }

  /** Hovers on `uri` every `everyMs` until `until` settles: their latencies. */
  async hoverWhile(uri: string, line: number, character: number, until: Promise<unknown>, everyMs = 20): Promise<number[]> {
    let done = false;
    void until.then(() => (done = true));
    const out: number[] = [];
    while (!done) {
      out.push(await this.hover(uri, line, character));
      await sleep(everyMs);
    }
    return out;
  }

  /** CPU time the server has used, ms (user + system; /proc ticks are 10 ms). */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const [utime, stime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
    return ((utime! + stime!) * 1000) / 100;
  }

  memory(): { rss: number; hwm: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  }

  async stop(): Promise<void> {
    try {
      await this.conn.sendRequest('shutdown');
      await this.conn.sendNotification('exit');
    } catch {
      /* gone */
    }
    await new Promise<void>((r) => {
      const t = setTimeout(() => {
        this.child.kill('SIGKILL');
        r();
      }, 5000);
      this.child.on('exit', () => {
        clearTimeout(t);
        r();
      });
    });
    this.conn.dispose();
  }
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

export async function benchLsp(): Promise<LspBenchRow[]> {
  const rows: LspBenchRow[] = [];
  for (const lines of [1_000, 10_000, 50_000]) {
    const text = generateScenario(lines);
    const docLines = text.split('\n');
    // The `sleep` lines of the client threads: each edit changes one duration.
    const sleepLines = docLines.flatMap((l, i) => (/^ {2}sleep \d+us$/.test(l) ? [i] : []));
    const s = new Server();
    await s.start();
    const uri = `file:///bench-${lines}.lifetime`;
    const open = await s.open(uri, text);
    const label = lines.toLocaleString('en-US');
    rows.push({ name: `LSP open → diagnostics, ${label} lines`, value: ms(open) });
    const lat: number[] = [];
    let version = 1;
    const cpu0 = s.cpuMs();
    for (let k = 0; k < 20; k++) {
      const line = sleepLines[(k * 7919) % sleepLines.length]!;
      const old = docLines[line]!;
      const next = `  sleep ${100 + k}us`;
      docLines[line] = next;
      // A pause between edits, as a person reads the result before the next change.
      await sleep(200);
      lat.push(await s.edit(uri, ++version, line, 0, old.length, next));
    }
    const edit: LspBenchRow = { name: `LSP edit → diagnostics, ${label} lines (median / p95 of 20)`, value: `${ms(median(lat))} / ${ms(p95(lat))}` };
    if (lines === 10_000) {
      edit.target = '≤ 50 ms median';
      edit.ok = median(lat) <= 50;
    }
    rows.push(edit);
    // The server's own CPU time per edit: a cost figure that other load on the machine does
    // not inflate (wall-clock latency does).
    rows.push({ name: `LSP server CPU time per edit (all its threads, GC included), ${label} lines`, value: ms((s.cpuMs() - cpu0) / 20) });
    if (lines === 10_000) {
      // Typing: 10 keystrokes 30 ms apart; the check runs once the burst pauses (debounce).
      const line = sleepLines[0]!;
      const base = docLines[line]!;
      let t0 = 0;
      let done: Promise<number> | undefined;
      for (let k = 0; k < 10; k++) {
        version++;
        if (k === 9) {
          done = s.diagnostics(uri, version);
          t0 = performance.now();
        }
        await s.changeOnly(uri, version, line, base.length, base.length, ' ');
        if (k < 9) await sleep(30);
      }
      rows.push({ name: `LSP last keystroke of a burst → diagnostics, ${label} lines (debounced)`, value: ms((await done!) - t0) });
    }
    if (lines === 50_000) {
      const m = s.memory();
      rows.push({ name: `LSP server memory, ${label} lines open (RSS / peak)`, value: `${m.rss.toFixed(0)} MB / ${m.hwm.toFixed(0)} MB`, target: '≤ 300 MB', ok: m.hwm <= 300 });
    }
    await s.stop();
  }
  rows.push(...(await benchSyntaxEdits()));
  rows.push(...(await benchResponsiveness()));
  return rows;
}

/**
 * Edit → diagnostics on a 10,000-line file of 1,000 threads, for clean edits and for
 * edits that each put in or take out a syntax error (what typing does between
 * keystrokes): both reparse one declaration (grammar/chunks.ts).
 */
export async function benchSyntaxEdits(): Promise<LspBenchRow[]> {
  const text = generateThreads(1_000);
  const lines = text.split('\n');
  const sleeps = lines.flatMap((l, i) => (/^ {2}sleep \d+us$/.test(l) ? [i] : []));
  const s = new Server();
  await s.start();
  const uri = 'file:///bench-threads.lifetime';
  await s.open(uri, text);
  let version = 1;
  const clean: number[] = [];
  const toggled: number[] = [];
  const cpu0 = s.cpuMs();
  for (let k = 0; k < 20; k++) {
    const line = sleeps[(k * 7919) % sleeps.length]!;
    const old = lines[line]!;
    await sleep(200);
    clean.push(await s.edit(uri, ++version, line, 0, old.length, `  sleep ${200 + k}us`));
    lines[line] = `  sleep ${200 + k}us`;
  }
  const cpu1 = s.cpuMs();
  for (let k = 0; k < 20; k++) {
    const line = sleeps[(k * 104729) % sleeps.length]!;
    const old = lines[line]!;
    // `sleep 10` without a unit: a syntax error; then the unit back.
    await sleep(200);
    toggled.push(await s.edit(uri, ++version, line, old.length - 2, old.length, ''));
    await sleep(200);
    toggled.push(await s.edit(uri, ++version, line, old.length - 2, old.length - 2, 'us'));
  }
  const cpu2 = s.cpuMs();
  await s.stop();
  // With the server's CPU time per edit: a figure other load on the machine inflates less.
  const row = (name: string, xs: number[], cpu: number): LspBenchRow => ({
    name: `LSP edit → diagnostics, 10,000 lines / 1,000 threads, ${name} (median / p95 of ${xs.length}; server CPU per edit)`,
    value: `${ms(median(xs))} / ${ms(p95(xs))}; ${ms(cpu / xs.length)}`,
    target: '≤ 30 ms median',
    ok: median(xs) <= 30,
  });
  return [row('clean edits', clean, cpu1 - cpu0), row('edits that put in or take out a syntax error', toggled, cpu2 - cpu1)];
}

/**
 * Responsiveness (issue 11): hovers on a small document every 20 ms while another
 * document is opened or edited hard; and hovers on a 50,000-line document during a storm
 * of 1,000 edits of it.
 */
export async function benchResponsiveness(): Promise<LspBenchRow[]> {
  const rows: LspBenchRow[] = [];
  const s = new Server();
  await s.start();
  const small = 'file:///bench-small.lifetime';
  const smallText = generateScenario(200);
  await s.open(small, smallText);
  const hoverLine = smallText.split('\n').findIndex((l) => l.trim() === 'get card0');
  const others: number[] = [];
  const other = async (what: string, work: () => Promise<unknown>) => {
    const xs = await s.hoverWhile(small, hoverLine, 3, work());
    others.push(...xs);
    rows.push({ name: `LSP hover on another document while ${what} (p95 of ${xs.length})`, value: ms(p95(xs)), target: '< 100 ms p95', ok: p95(xs) < 100 });
  };
  // A refused 10 MB document (over the 4 M character limit). Hovers start once it is
  // written to the server's stdin: a message behind 10 MB in the same pipe waits for the
  // transfer whatever the server does; what is measured is the server's own stall.
  const line = '// ' + 'x'.repeat(96) + '\n';
  const tenMb = 'file:///bench-10mb.lifetime';
  const refused = s.diagnostics(tenMb, 1);
  await s.send('textDocument/didOpen', { textDocument: { uri: tenMb, languageId: 'lifetime', version: 1, text: line.repeat(Math.ceil((10 * 1024 * 1024) / line.length)) } });
  await other('a 10 MB document is opened (refused), from when it is written', () => refused);
  // A 3 MB document, analysed.
  const big = generateScenario(225_000);
  await other(`a ${(big.length / 1048576).toFixed(1)} MB document is opened and checked`, () => s.open('file:///bench-3mb.lifetime', big));
  // A storm of 1,000 edits of a 50,000-line document.
  const uri = 'file:///bench-storm.lifetime';
  const text = generateScenario(50_000);
  const lines = text.split('\n');
  const sleeps = lines.flatMap((l, i) => (/^ {2}sleep \d+us$/.test(l) ? [i] : []));
  await s.open(uri, text);
  let version = 1;
  const storm = async () => {
    for (let k = 0; k < 1_000; k++) {
      const at = sleeps[(k * 7919) % sleeps.length]!;
      const old = lines[at]!;
      lines[at] = `  sleep ${(k % 900) + 10}us`;
      await s.changeOnly(uri, ++version, at, 0, old.length, lines[at]!);
      if (k % 10 === 9) await sleep(5);
    }
  };
  await other('a 50,000-line document takes 1,000 rapid edits', storm);
  rows.push({ name: 'LSP hover on other documents, all of the above (p95)', value: ms(p95(others)), target: '< 100 ms p95', ok: p95(others) < 100 });
  // Hovers on the edited document itself during a second storm. Its first request
  // analyses it on the request thread (the check ran in the worker): measured apart.
  const stormLine = lines.findIndex((l) => l.trim() === 'get card0');
  rows.push({ name: 'LSP first hover on that 50,000-line document (analysed on the request thread)', value: ms(await s.hover(uri, stormLine, 3)) });
  const own = await s.hoverWhile(uri, stormLine, 3, storm());
  rows.push({ name: `LSP hover on a 50,000-line document during a storm of 1,000 edits of it (p95 of ${own.length})`, value: ms(p95(own)), target: '≤ 200 ms p95', ok: p95(own) <= 200 });
  rows.push({ name: 'LSP hover on that document right after the storm', value: ms(await s.hover(uri, stormLine, 3)) });
  await s.stop();
  return rows;
}
