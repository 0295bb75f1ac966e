// Running Spin on the Promela models of ../shared/bench/spin, as its README says:
//   spin -DN=… -a model.pml; gcc -O2 -DSAFETY -o pan pan.c; ./pan -w20
// in a temporary directory (the models are read from the shared directory at bench time,
// never copied into the repository).

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

export const MODEL_FILES = ['lifetime.pml', 'lifetime_fixed.pml', 'deadlock_a.pml'];

/** The shared models: $SPIN_MODELS, or ../shared/bench/spin beside the repository. */
export function modelDir(): string | null {
  const env = process.env.SPIN_MODELS;
  if (env && existsSync(join(env, 'lifetime.pml'))) return env;
  const starts = [process.cwd(), __dirname, resolve(__dirname, '..'), resolve(__dirname, '../..')];
  for (const s of starts) {
    let d = resolve(s);
    for (let up = 0; up < 5; up++) {
      if (existsSync(join(d, 'package.json'))) {
        const m = resolve(d, '../shared/bench/spin');
        if (existsSync(join(m, 'lifetime.pml'))) return m;
      }
      d = dirname(d);
    }
  }
  return null;
}

function has(cmd: string, arg: string): boolean {
  const r = spawnSync(cmd, [arg], { encoding: 'utf8' });
  return r.status === 0 || (r.stdout ?? '').length > 0;
}

/**
 * Spin and gcc, installed from Debian when missing (apt-get update once, then install).
 * Returns a note saying why the Spin columns must be skipped, or null when ready.
 */
export function ensureSpin(log: (s: string) => void = () => undefined): string | null {
  if (has('spin', '-V') && has('gcc', '--version')) return null;
  log('installing spin and gcc from Debian (apt-get update; apt-get install -y spin gcc) …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const up = spawnSync('apt-get', ['update'], { encoding: 'utf8', env });
  if (up.error || up.status !== 0) return `Spin columns skipped: apt-get update failed (${up.error?.message ?? up.stderr?.trim().split('\n').pop() ?? `exit ${up.status}`})`;
  const inst = spawnSync('apt-get', ['install', '-y', 'spin', 'gcc'], { encoding: 'utf8', env });
  if (inst.error || inst.status !== 0) return `Spin columns skipped: apt-get install -y spin gcc failed (${inst.error?.message ?? inst.stderr?.trim().split('\n').pop() ?? `exit ${inst.status}`})`;
  if (!has('spin', '-V')) return 'Spin columns skipped: spin is still not runnable after installing it';
  if (!has('gcc', '--version')) return 'Spin columns skipped: gcc is still not runnable after installing it';
  return null;
}

export interface SpinResult {
  /** clean | deadlock | release-after-unload | assertion (…) | error text */
  verdict: string;
  states: number;
  transitions: number;
  /** spin -a, gcc, pan: wall milliseconds */
  spinMs: number;
  gccMs: number;
  panMs: number;
  /** end to end: spin -a + gcc + pan */
  e2eMs: number;
  output: string;
}

export class SpinRunner {
  readonly dir: string;

  constructor(models: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'lifetime-spin-'));
    for (const f of MODEL_FILES) copyFileSync(join(models, f), join(this.dir, f));
  }

  /** One end-to-end run of a model with its -D flags. */
  run(model: string, defines: string[]): SpinResult {
    for (const f of readdirSync(this.dir)) if (f.startsWith('pan') || f.endsWith('.trail')) rmSync(join(this.dir, f), { force: true });
    const time = (cmd: string, args: string[]) => {
      const t0 = performance.now();
      const r = spawnSync(cmd, args, { cwd: this.dir, encoding: 'utf8', maxBuffer: 64 << 20 });
      return { ms: performance.now() - t0, r };
    };
    const a = time('spin', [...defines, '-a', model]);
    if (a.r.status !== 0) throw new Error(`spin -a ${model} failed: ${a.r.stderr || a.r.stdout}`);
    const g = time('gcc', ['-O2', '-DSAFETY', '-o', 'pan', 'pan.c']);
    if (g.r.status !== 0) throw new Error(`gcc pan.c failed: ${g.r.stderr}`);
    const p = time('./pan', ['-w20']);
    const out = `${p.r.stdout ?? ''}${p.r.stderr ?? ''}`;
    return {
      verdict: spinVerdict(out),
      states: num(out, /(\d+) states, stored/),
      transitions: num(out, /(\d+) transitions \(= stored\+matched\)/),
      spinMs: a.ms, gccMs: g.ms, panMs: p.ms, e2eMs: a.ms + g.ms + p.ms,
      output: out,
    };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function num(text: string, re: RegExp): number {
  const m = re.exec(text);
  return m ? Number(m[1]) : NaN;
}

/** What pan concluded: the first error (pan stops there), or clean. */
export function spinVerdict(out: string): string {
  // (the banner lists "invalid end states +" and "assertion violations +" as checks)
  if (/^pan:\d+: invalid end state/m.test(out)) return 'deadlock';
  const a = /^pan:\d+: assertion violated \(?([^\n(]*?)\)? \(at depth/m.exec(out) ?? /^pan:\d+: assertion violated ([^\n]*)/m.exec(out);
  if (a) return /mod_loaded/.test(a[1]) ? 'release-after-unload' : `assertion (${a[1].trim()})`;
  if (/errors: 0\b/.test(out)) return 'clean';
  return `unknown (${out.trim().split('\n')[0] ?? ''})`;
}

/** The Promela model and flags of a family variant (see family.ts). */
export function spinModel(variant: 'buggy' | 'deadlock' | 'putorder' | 'fixed', n: number): { model: string; defines: string[] } {
  switch (variant) {
    case 'buggy': return { model: 'lifetime.pml', defines: [`-DN=${n}`] };
    case 'deadlock': return { model: 'lifetime.pml', defines: [`-DN=${n}`, '-DONLY_SELECTED', '-DBUG_FENCE_NO_TIMEOUT'] };
    case 'putorder': return { model: 'lifetime.pml', defines: [`-DN=${n}`, '-DONLY_SELECTED', '-DBUG_PUT_ORDER'] };
    case 'fixed': return { model: 'lifetime_fixed.pml', defines: [`-DN=${n}`] };
  }
}
