// The `lifetime` command as a user runs it: a subprocess, its stdout, stderr and exit code.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../shared';

const BIN = join(REPO, 'bin/lifetime.js');
const dir = mkdtempSync(join(tmpdir(), 'lifetime-cli-'));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const DEADLOCK = `scenario "fence wait inside drm_dev_enter during hot-unplug"
module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
fence job on gpu0 takes 5ms
on remove nova_drm { unplug card0 }
thread app {
  open f on card0
  ioctl f { enter card0 { submit job
      wait job } }
  close f
}
thread hotplug { sleep 1ms
  hotunplug gpu0 }
expect deadlock
`;

const CLEAN = `module m
device d
driver drv in m binds d
drm card0 on d
thread app {
  open f on card0
  close f
}
expect clean
`;

describe('lifetime run', () => {
  it('prints the JSON of tools.md §1 and exits 0 when expectations are met', () => {
    const r = cli(['run', file('deadlock.lifetime', DEADLOCK), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ mode: 'run', outcome: 'faults', met: true });
    expect(j.file).toMatch(/deadlock\.lifetime$/);
    expect(j.faults).toEqual([
      expect.objectContaining({ kind: 'deadlock', thread: 'app', line: 11, column: 7, time_ns: 1_000_000 }),
    ]);
    expect(j.faults[0].message).toContain('hotplug');
    expect(j.expectations).toEqual([expect.objectContaining({ line: 16, expect: 'deadlock', met: true })]);
    expect(j.steps).toBeGreaterThan(0);
    expect(j.time_ns).toBe(1_000_000);
    expect(j.final.modules.nova).toEqual({ state: 'live', refcount: 1 });
    expect(j.final.devices.gpu0).toEqual({ present: false, bound: 'nova_drm' });
    expect(j.final.drm.card0).toEqual({ refcount: 2, unplugged: true, freed: false });
    expect(j.final.fences.job).toEqual({ state: 'pending' });
    expect(j.events[0]).toEqual(expect.objectContaining({ step: 1, time_ns: 0, thread: 'app', line: 9, kind: 'open' }));
    expect(r.stderr).toBe('');
  });

  it('exits 1 when the expectations are not met', () => {
    const r = cli(['run', file('unmet.lifetime', DEADLOCK.replace('expect deadlock', 'expect clean')), '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).met).toBe(false);
  });

  it('prints a timeline, the fault as file:line:col and a summary for people', () => {
    const r = cli(['run', file('deadlock.lifetime', DEADLOCK)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s+0\s+app\s+:9\s+open\s+f = open\(card0\): card0 1→2, nova 0→1/m);
    expect(r.stdout).toMatch(/deadlock\.lifetime:11:7: error: .*\[deadlock\]/);
    expect(r.stdout).toMatch(/run: 1 fault \(deadlock\) in \d+ steps, 1ms of virtual time; expectations met/);
    // not a terminal: no colour
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('limits events with --events and moves the horizon with --horizon', () => {
    const src = file('sleepy.lifetime', 'thread t { sleep 5s\n log "late" }\n');
    const short = JSON.parse(cli(['run', src, '--json', '--horizon', '1s']).stdout);
    expect(short.time_ns).toBe(1_000_000_000);
    expect(short.events.map((e: { kind: string }) => e.kind)).not.toContain('log');
    const full = JSON.parse(cli(['run', src, '--json', '--events', '1']).stdout);
    expect(full.events).toHaveLength(1);
    expect(full.time_ns).toBe(5_000_000_000);
  });

  it('draws the run as an SVG timeline with --svg', () => {
    const out = join(dir, 'run.svg');
    const r = cli(['run', file('svg.lifetime', DEADLOCK), '--svg', out]);
    expect(r.code).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const lane of ['nova', 'gpu0', 'card0', 'job', 'app', 'hotplug']) expect(svg).toContain(`>${lane}<`);
    expect(svg).toContain('deadlock in app');
    const bad = cli(['run', file('svg2.lifetime', DEADLOCK), '--svg', join(dir, 'no/such/dir/x.svg')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/x\.svg: cannot write the SVG \(ENOENT\)/);
  });

  it('refuses a file with static errors: diagnostics as JSON, exit 2', () => {
    const r = cli(['run', file('bad.lifetime', 'thread t { get nothing }\n'), '--json']);
    expect(r.code).toBe(2);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ mode: 'run', met: false });
    expect(j.diagnostics[0]).toMatchObject({ code: 'unknown-name', severity: 'error', line: 1, column: 16 });
  });

  it('replays a witness with --schedule', () => {
    const src = file('race.lifetime', CLEAN.replace('expect clean', 'thread admin { rmmod m }\nexpect run clean\nexpect explore clean'));
    const sched = file('w.json', JSON.stringify(['admin', 'app', 'app']));
    const r = cli(['run', src, '--schedule', sched, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.schedule).toEqual(['admin', 'app', 'app']);
    expect(j.events.some((e: { text: string }) => e.text.includes('ENODEV'))).toBe(true);
  });

  it('replays a debugger-saved run-mode witness (advance:<time> entries), then runs on', () => {
    const src = file('pin.lifetime', CLEAN.replace('close f', 'sleep 2ms\n  close f').replace('expect clean', 'thread admin { sleep 1ms\n rmmod m }\nexpect clean'));
    // admin first, then app's open and sleep, then the clock moves to 1ms: rmmod fails
    const r = cli(['run', src, '--schedule', file('run-w.json', JSON.stringify(['admin', 'app', 'app', 'advance:1ms', 'admin', 'admin'])), '--json']);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.events.find((e: { kind: string }) => e.kind === 'rmmod')).toMatchObject({ time_ns: 1_000_000, text: expect.stringContaining('EWOULDBLOCK') });
    expect(j.time_ns).toBe(2_000_000);
    const bad = cli(['run', src, '--schedule', file('run-bad.json', JSON.stringify(['advance:1ms']))]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/schedule entry 1 \("advance:1ms"\): threads can still run/);
  });

  it('says which witness entry cannot be taken', () => {
    const src = file('clean.lifetime', CLEAN);
    const r = cli(['run', src, '--schedule', file('bad.json', '["nobody"]')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/schedule entry 1 \("nobody"\) cannot be taken here; possible: app/);
  });
});

describe('lifetime check', () => {
  it('reports lints as JSON and exits 0 without errors', () => {
    const r = cli(['check', file('lint.lifetime', DEADLOCK), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.files).toHaveLength(1);
    expect(j.files[0].diagnostics).toContainEqual(expect.objectContaining({
      code: 'wait-in-enter', severity: 'warning', line: 11, column: 7, endLine: 11, endColumn: 15,
    }));
  });

  it('exits 1 on an error-severity diagnostic, in people format', () => {
    const r = cli(['check', file('syntax.lifetime', 'thread t { frobnicate }\n')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/syntax\.lifetime:1:12: error: .*\[syntax\]/);
  });

  it('checks several files at once', () => {
    const r = cli(['check', file('a.lifetime', CLEAN), file('b.lifetime', CLEAN), '--json']);
    expect(JSON.parse(r.stdout).files).toHaveLength(2);
  });
});

describe('lifetime explore', () => {
  it('finds the deadlock with a witness that run --schedule replays', () => {
    const src = file('explore.lifetime', DEADLOCK);
    const r = cli(['explore', src, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ mode: 'explore', complete: true, met: true });
    expect(j.states).toBeGreaterThan(0);
    expect(j.transitions).toBeGreaterThanOrEqual(j.states - 1);
    const dl = j.faults.find((f: { kind: string }) => f.kind === 'deadlock');
    const replay = JSON.parse(cli(['run', src, '--schedule', file('dl.json', JSON.stringify(dl.schedule)), '--json']).stdout);
    expect(replay.faults).toContainEqual(expect.objectContaining({ kind: 'deadlock', line: dl.line, column: dl.column }));
  });

  it('says when a bound stopped it', () => {
    const r = cli(['explore', file('bounded.lifetime', DEADLOCK), '--max-states', '3']);
    expect(r.stdout).toMatch(/exploration incomplete: stopped at --max-states 3/);
    const j = JSON.parse(cli(['explore', file('bounded.lifetime', DEADLOCK), '--max-states', '3', '--json']).stdout);
    expect(j.complete).toBe(false);
    // no coverage after an incomplete search: absent, not empty, and the output says so
    expect('unreached' in j).toBe(false);
    expect(r.stdout).toMatch(/never reached: not known after an incomplete search/);
  });

  it('lists the statements no schedule reaches, without changing the verdict or the exit code', () => {
    const src = file('dead.lifetime', `module m
device d
driver drv in m binds d
drm card0 on d
fence job on d
thread app {
  open f on card0
  ioctl f {
    enter card0 { log "in" } else { log "unplugged" }
  }
  wait job
  close f
}
expect explore deadlock in app
`);
    const j = JSON.parse(cli(['explore', src, '--json']).stdout);
    expect(j).toMatchObject({ complete: true, met: true });
    expect(j.unreached).toEqual([
      { line: 9, column: 30, endLine: 9, endColumn: 54, what: 'else' },
      { line: 12, column: 3, endLine: 12, endColumn: 10, what: 'close', blockedAt: { line: 11, column: 3, what: 'wait' } },
    ]);
    const r = cli(['explore', src]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('never reached (no schedule starts these):');
    expect(r.stdout).toMatch(/dead\.lifetime:9:30: else\n/);
    expect(r.stdout).toMatch(/dead\.lifetime:12:3: close: no schedule gets past `wait` at \S*dead\.lifetime:11:3, blocked there for good/);
  });
});

describe('bad input: one clear line on stderr, exit 2, no stack trace', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['a missing file', () => ['run', join(dir, 'nope.lifetime')], /nope\.lifetime: no such file/],
    ['a directory', () => { const d = join(dir, 'adir'); mkdirSync(d, { recursive: true }); return ['check', d]; }, /adir: is a directory/],
    ['a binary file', () => ['run', file('bin.lifetime', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]))], /looks binary/],
    ['a 10 MB file', () => ['check', file('huge.lifetime', 'log "x"\n'.repeat(1_300_000))], /too large/],
    ['invalid UTF-8', () => ['run', file('latin1.lifetime', Buffer.from('thread t {\n  log "caf\xe9"\n}\n', 'latin1'))], /latin1\.lifetime:2:11: invalid UTF-8/],
    ['an unknown command', () => ['frob'], /unknown command "frob"/],
    ['an unknown option', () => ['run', '--frob'], /unknown option --frob/],
    ['a bad duration', () => ['run', file('c.lifetime', CLEAN), '--horizon', 'soon'], /--horizon: expected a duration/],
    ['run without a file', () => ['run'], /run takes exactly one FILE/],
    ['a schedule that is not JSON', () => ['run', file('d.lifetime', CLEAN), '--schedule', file('s.json', 'app, app')], /s\.json: not JSON/],
  ];
  for (const [what, args, msg] of cases) {
    it(what, () => {
      const r = cli(args());
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    });
  }
});
