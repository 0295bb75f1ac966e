// What a CI job relies on (issue 11, tools.md §1): a bounded or interrupted run or search is
// inconclusive (exit 3), never a pass; nothing is written over a scenario; every file and
// flag gets an answer. The command runs as a subprocess, on a terminal where that matters.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../shared';

const BIN = join(REPO, 'bin/lifetime.js');
const dir = mkdtempSync(join(tmpdir(), 'lifetime-trust-'));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const lastLine = (s: string) => s.trimEnd().split('\n').at(-1)!;

const DEADLOCK = `module nova
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

// a use-after-free some schedule reaches at once: the release frees card before app's open
const UAF = `module m
device d
driver drv in m binds d
drm card on d
on remove drv { unplug card }
thread admin { hotunplug d }
thread app {
  get card
  put card
}
expect clean
`;

// three nested repeats: 10^18 statements, a valid file no run ends
const ENDLESS = `module m
device d
driver drv in m binds d
drm card on d
thread app {
  repeat 1000000 { repeat 1000000 { repeat 1000000 { get card put card } } }
}
expect clean
`;

// many threads contending for two mutexes: far more states than a test waits for
const HUGE = `module m
device d
driver drv in m binds d
mutex mx
mutex my
${Array.from({ length: 12 }, (_, i) => `thread t${i} { lock mx
  unlock mx
  lock my
  unlock my
  lock mx
  unlock mx
}`).join('\n')}
expect clean
`;

describe('a bound is not a pass: exit 3, inconclusive', () => {
  it('explore --max-states that stops before the expected fault: exit 3, complete false, met null, stopped', () => {
    const src = file('bounded.lifetime', DEADLOCK);
    const r = cli(['explore', src, '--max-states', '3', '--json']);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ mode: 'explore', complete: false, met: null, stopped: 'max-states' });
    expect(j.expectations).toEqual([expect.objectContaining({ expect: 'deadlock', met: null })]);
    const human = cli(['explore', src, '--max-states', '3']);
    expect(human.code).toBe(3);
    expect(lastLine(human.stdout)).toMatch(/inconclusive: stopped by --max-states before the end/);
    expect(human.stdout).not.toMatch(/expectations met/);
  });

  it('a fault no expectation allows, found before the bound, fails it: exit 1', () => {
    // the whole search stores 8 states; the fault comes out of the 5th
    const r = cli(['explore', file('uaf.lifetime', UAF), '--max-states', '6', '--json']);
    const j = JSON.parse(r.stdout);
    expect(j.complete).toBe(false);
    expect(j.faults.length).toBeGreaterThan(0);
    expect(j.met).toBe(false);
    expect(r.code).toBe(1);
    // the same file explored to the end: also 1, so the bound changed nothing
    expect(cli(['explore', file('uaf.lifetime', UAF)]).code).toBe(1);
  });

  it('explore --max-time stops the search: exit 3, stopped max-time', () => {
    const r = cli(['explore', file('huge.lifetime', HUGE), '--max-time', '300ms', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ complete: false, met: null, stopped: 'max-time' });
    const human = cli(['explore', file('huge.lifetime', HUGE), '--max-time', '500ms']);
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(/exploration incomplete: stopped at --max-time 500ms;/);
    expect(lastLine(human.stdout)).toMatch(/inconclusive: stopped by --max-time before the end/);
    expect(cli(['explore', file('huge.lifetime', HUGE), '--max-time', 'soon']).stderr).toMatch(/--max-time: expected a duration/);
  });

  it('run --max-steps ends a run that would never end: exit 3, stopped max-steps', () => {
    const src = file('endless.lifetime', ENDLESS);
    const r = cli(['run', src, '--max-steps', '5000', '--json']);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ mode: 'run', complete: false, met: null, stopped: 'max-steps', steps: 5000 });
    const human = cli(['run', src, '--max-steps', '5000', '--events', '3']);
    expect(human.code).toBe(3);
    expect(lastLine(human.stdout)).toMatch(/in 5000 steps \(stopped at --max-steps 5000\).*inconclusive/);
  });

  it('a run that ends says complete: true', () => {
    const j = JSON.parse(cli(['run', file('d2.lifetime', DEADLOCK), '--json']).stdout);
    expect(j).toMatchObject({ complete: true, met: true });
    expect(j.stopped).toBeUndefined();
  });
});

/**
 * Runs the command on a terminal (a pty from script(1)), as a user does, and types Ctrl-C
 * once the progress line shows.
 */
function onTerminal(args: string[], ctrlCAfter: RegExp): Promise<{ code: number | null; out: string }> {
  // `exec`: script runs the command through $SHELL -c; a dash left in between dies of the
  // terminal's SIGINT itself, and script then reports 130 whatever the CLI did.
  const cmd = 'exec ' + [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve) => {
    const p = spawn('script', ['-qfec', cmd, '/dev/null'], {
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, SHELL: '/bin/sh' },
    });
    let out = '';
    let sent = false;
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (!sent && ctrlCAfter.test(out)) {
        sent = true;
        p.stdin.write('\x03');
      }
    });
    p.on('exit', (code) => resolve({ code, out }));
  });
}

describe.skipIf(!existsSync('/usr/bin/script'))('on a terminal: a progress line after a second, Ctrl-C ends with the summary so far', () => {
  it('run', async () => {
    const r = await onTerminal(['run', file('endless2.lifetime', ENDLESS), '--events', '2'], /run: [\d,]+ steps.*Ctrl-C stops/);
    expect(r.out).toMatch(/\r\x1b\[Krun: [\d,]+ steps, 0 of virtual time, \d+ s \(Ctrl-C stops with the result so far\)/);
    expect(r.code).toBe(3);
    expect(lastLine(r.out)).toMatch(/stopped at Ctrl-C.*inconclusive.*stopped by Ctrl-C/);
  }, 60_000);

  it('explore, with --json: the JSON says interrupted', async () => {
    const r = await onTerminal(['explore', file('huge2.lifetime', HUGE), '--json'], /explore: [\d,]+ states, [\d,]+ states\/s/);
    expect(r.code).toBe(3);
    const json = r.out.slice(r.out.indexOf('{'));
    expect(JSON.parse(json.replace(/\r\n/g, '\n'))).toMatchObject({ complete: false, met: null, stopped: 'interrupted' });
  }, 60_000);
});

describe('nothing is written over a scenario', () => {
  it('run X --svg X is refused, exit 2, and X is untouched', () => {
    const src = file('keep.lifetime', DEADLOCK);
    const r = cli(['run', src, '--svg', src]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--svg .*keep\.lifetime: refusing to write SVG over a \.lifetime file/);
    expect(readFileSync(src, 'utf8')).toBe(DEADLOCK);
  });

  it('--svg naming another existing .lifetime file, or the input under another name, is refused', () => {
    const src = file('in.lifetime', DEADLOCK);
    const other = file('other.lifetime', UAF);
    expect(cli(['run', src, '--svg', other]).code).toBe(2);
    expect(readFileSync(other, 'utf8')).toBe(UAF);
    const relative = cli(['run', 'in.lifetime', '--svg', './in.lifetime']);
    expect(relative.code).toBe(2);
    expect(readFileSync(src, 'utf8')).toBe(DEADLOCK);
  });

  it('an existing .svg is replaced', () => {
    const out = file('old.svg', 'old');
    const r = cli(['run', file('s.lifetime', DEADLOCK), '--svg', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^<svg/);
  });
});

describe('every request answered: check with files it cannot read', () => {
  it('reports every readable file, then the I/O error, exit 2', () => {
    const a = file('a.lifetime', DEADLOCK);
    const r = cli(['check', a, join(dir, 'missing.lifetime'), file('c.lifetime', 'thread t { frobnicate }\n')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/a\.lifetime:10:7: warning: .*\[wait-in-enter\]/);
    expect(r.stdout).toMatch(/c\.lifetime:1:12: error: .*\[syntax\]/);
    expect(lastLine(r.stdout)).toMatch(/checked 2 files: 1 error, .*; 1 file could not be read/);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/missing\.lifetime: no such file/)]);
  });

  it('with --json: stdout holds the JSON of every readable file, stderr one line per unreadable one', () => {
    const r = cli(['check', file('a2.lifetime', DEADLOCK), join(dir, 'gone1.lifetime'), file('b2.lifetime', UAF), join(dir, 'gone2.lifetime'), '--json']);
    expect(r.code).toBe(2);
    const j = JSON.parse(r.stdout);
    expect(j.files.map((f: { file: string }) => f.file)).toEqual([expect.stringMatching(/a2\.lifetime$/), expect.stringMatching(/b2\.lifetime$/)]);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/gone1\.lifetime: no such file/);
    expect(lines[1]).toMatch(/gone2\.lifetime: no such file/);
  });
});

describe('every request answered: a flag that does not apply is a usage error', () => {
  const src = () => file('flags.lifetime', DEADLOCK);
  const cases: [string, () => string[], RegExp][] = [
    ['explore --schedule', () => ['explore', src(), '--schedule', 'w.json'], /--schedule does not apply to explore \(it is an option of run\)/],
    ['check --svg', () => ['check', src(), '--svg', 'out.svg'], /--svg does not apply to check \(it is an option of run\)/],
    ['run --max-states', () => ['run', src(), '--max-states', '5'], /--max-states does not apply to run \(it is an option of explore\)/],
    ['run --max-time', () => ['run', src(), '--max-time', '5s'], /--max-time does not apply to run/],
    ['explore --horizon', () => ['explore', src(), '--horizon', '5s'], /--horizon does not apply to explore/],
    ['explore --max-steps', () => ['explore', src(), '--max-steps', '5'], /--max-steps does not apply to explore/],
    ['check --events', () => ['check', src(), '--events', '5'], /--events does not apply to check/],
    ['a flag without its value', () => ['run', src(), '--max-steps'], /--max-steps needs a value/],
    ['a value for a switch', () => ['run', src(), '--json=yes'], /--json takes no value/],
    ['--fault without --schedule', () => ['run', src(), '--fault', '2'], /--fault picks a fault of the explore report given with --schedule/],
    ['--max-steps 0', () => ['run', src(), '--max-steps', '0'], /--max-steps: expected a positive whole number/],
  ];
  for (const [what, args, msg] of cases) {
    it(what, () => {
      const r = cli(args());
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(msg)]);
      expect(r.stdout).toBe('');
    });
  }
});

describe('run --schedule takes an explore report, with --fault N', () => {
  // two fault sites, so two witnesses
  const TWO = `module m
device d
driver drv in m binds d
drm card on d
on remove drv { unplug card }
thread admin { hotunplug d }
thread app {
  get card
  put card
  get card
}
expect explore use-after-free
`;

  it('replays the report\'s first fault by default and the Nth with --fault N', () => {
    const src = file('two.lifetime', TWO);
    const ex = cli(['explore', src, '--json']);
    const report = file('report.json', ex.stdout);
    const faults = JSON.parse(ex.stdout).faults as { kind: string; line: number; column: number; schedule: string[] }[];
    expect(faults.length).toBeGreaterThanOrEqual(2);
    faults.forEach((f, n) => {
      const r = cli(['run', src, '--schedule', report, ...(n === 0 ? [] : ['--fault', String(n + 1)]), '--json']);
      expect(r.stderr).toBe('');
      const j = JSON.parse(r.stdout);
      expect(j.schedule).toEqual(f.schedule);
      expect(j.faults).toContainEqual(expect.objectContaining({ kind: f.kind, line: f.line, column: f.column }));
    });
    const tooFar = cli(['run', src, '--schedule', report, '--fault', String(faults.length + 1)]);
    expect(tooFar.code).toBe(2);
    expect(tooFar.stderr).toMatch(new RegExp(`--fault ${faults.length + 1}: .*report\\.json lists ${faults.length} faults \\(--fault 1 to ${faults.length}\\)`));
  });

  it('refuses --fault with a plain schedule', () => {
    const r = cli(['run', file('t.lifetime', TWO), '--schedule', file('plain.json', '["admin"]'), '--fault', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--fault picks one fault of an explore report; .*plain\.json holds a single schedule/);
  });
});

describe('explore reports every fault site', () => {
  it('a use-after-free reached at `get card` in one schedule and at `use priv` in another: both, each with its own witness', () => {
    const src = file('priv.lifetime', `module m
device d
driver drv in m binds d
drm card on d
data priv devm on d
on remove drv { unplug card }
thread app {
  get card
  use priv
  put card
}
thread admin { hotunplug d }
expect explore use-after-free
`);
    const ex = cli(['explore', src, '--json']);
    expect(ex.code).toBe(0);
    const faults = JSON.parse(ex.stdout).faults as { kind: string; thread: string; line: number; column: number }[];
    expect(faults.map((f) => `${f.kind} ${f.thread} ${f.line}:${f.column}`).sort()).toEqual(['use-after-free app 8:3', 'use-after-free app 9:3']);
    const report = file('priv-report.json', ex.stdout);
    faults.forEach((f, n) => {
      const replay = JSON.parse(cli(['run', src, '--schedule', report, '--fault', String(n + 1), '--json']).stdout);
      expect(replay.faults[0]).toMatchObject({ kind: f.kind, line: f.line, column: f.column });
    });
    const human = cli(['explore', src]);
    expect(human.stdout).toMatch(/priv\.lifetime:8:3: error: .*\[use-after-free\]/);
    expect(human.stdout).toMatch(/priv\.lifetime:9:3: error: .*\[use-after-free\]/);
  });
});
