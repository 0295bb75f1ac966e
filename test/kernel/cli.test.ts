// `lifetime kernel` as a subprocess, up to the point where it would boot QEMU: the refusals
// and the missing-tools line (the QEMU runs themselves are `npm run test:kernel`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../shared';

const BIN = join(REPO, 'bin/lifetime.js');
const dir = mkdtempSync(join(tmpdir(), 'lifetime-kernel-cli-'));
const emptyPath = mkdtempSync(join(tmpdir(), 'lifetime-kernel-nopath-'));

function kernel(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [BIN, 'kernel', ...args], { encoding: 'utf8', cwd: dir, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const HEAD = 'module nova\ndevice gpu0\ndriver nova_drm in nova binds gpu0\ndrm card0 on gpu0\n';

describe('lifetime kernel', () => {
  it('refuses a construct the backend does not cover, with its line and column (exit 2)', () => {
    const f = file('two.lifetime', `${HEAD}module other\nthread t { log "x" }\n`);
    const r = kernel([f]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('two.lifetime:5:1: not covered by the kernel backend: a second module is not covered by the kernel backend yet (one module per scenario)');
  });

  it('refuses disable of a work item, which Linux 6.1 lacks, naming the function and the version (exit 2)', () => {
    const f = file('disable.lifetime', `${HEAD}work w in nova_drm { log "w" }\nthread t {\n  queue w\n  disable w\n}\n`);
    const r = kernel([f]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('disable.lifetime:8:3: not covered by the kernel backend: `disable` of a work item is disable_work_sync(), which Linux 6.1 does not have (added in Linux 6.10): not covered by the kernel backend');
  });

  it('refuses a witness it cannot replay, naming the step (exit 2), with the model in --json', () => {
    const f = file('rcu.lifetime', 'module m\ndevice d\ndriver x in m binds d\nrevocable bar0 on d\nthread a {\n  access bar0 {\n    read bar0\n    read bar0\n  }\n}\nthread b {\n  write bar0\n}\n');
    const r = kernel([f, '--json']);
    expect(r.code).toBe(2);
    const j = JSON.parse(r.stdout);
    expect(j.agree).toBeNull();
    expect(j.kernel).toBeNull();
    expect(j.model.mode).toBe('run');
    expect(j.not_replayable).toMatchObject({ thread: 'a', line: 7, column: 5 });
    expect(r.stderr).toMatch(/^rcu\.lifetime:7:5: not replayable on the kernel: step \d+ needs a to wait for its turn/);
  });

  it('does not run a file with static errors (exit 2)', () => {
    const r = kernel([file('bad.lifetime', `${HEAD}thread t { put nothing }\n`)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.lifetime:5:\d+: error: .*\[unknown-name\]/);
  });

  it('says in one line that QEMU and a compiler are missing and cannot be installed (exit 2)', () => {
    const r = kernel([join(REPO, 'samples/bug-vc4-devm.lifetime')], { ...process.env, PATH: emptyPath });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^lifetime kernel needs qemu-system-x86_64, gcc, .* and cannot install them here/);
  });

  it('refuses a --kernel that is not a built kernel tree (exit 2)', () => {
    const r = kernel([join(REPO, 'samples/bug-vc4-devm.lifetime'), '--kernel', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--kernel .*not a built kernel tree \(no arch\/x86\/boot\/bzImage/);
  });

  it('gives usage errors exit 2, and a bad witness its entry', () => {
    expect(kernel([]).code).toBe(2);
    expect(kernel(['--frobnicate', 'x']).stderr).toMatch(/unknown option --frobnicate/);
    expect(kernel(['--json=1', 'x']).stderr).toMatch(/--json takes no value/);
    expect(kernel(['--schedule']).stderr).toMatch(/--schedule needs a value/);
    expect(kernel(['a.lifetime', 'b.lifetime']).stderr).toMatch(/exactly one FILE/);
    const w = file('w.json', JSON.stringify(['nobody']));
    const r = kernel([join(REPO, 'samples/bug-vc4-devm.lifetime'), '--schedule', w]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/w\.json: schedule entry 1 \("nobody"\) cannot be taken here/);
  });

  it('is in the help and the README with its exit codes', () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' }).stdout;
    expect(help).toMatch(/kernel FILE/);
    expect(kernel(['--help']).stdout).toMatch(/exit: 0 the kernel agrees with the model, 1 it does not, 2 usage error/);
    expect(readFileSync(join(REPO, 'README.md'), 'utf8')).toMatch(/`lifetime kernel FILE` \| .* \| 0 agree, 1 disagree, 2 .*, 3 the kernel gave no verdict \|/);
  });
});
