// Run on Linux, without VS Code: what to show of a `lifetime kernel --json` report, and
// whether the command can be offered at all on this machine.

import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface KernelReport {
  file: string;
  model: { faults: { kind: string; thread: string; line: number; column: number; message: string }[] };
  kernel: {
    release: string;
    accel: string;
    wall_ms: number;
    faults: { kind: string; thread?: string; log: string[] }[];
    not_observable: { kind: string; why: string }[];
  } | null;
  agree: boolean | null;
  not_replayable?: { step: number; thread: string; line: number; column: number; why: string };
  no_verdict?: string;
}

/** One note per model fault, at its statement: the model's fault and the kernel's lines behind the same kind. */
export interface FaultNote {
  line: number;
  column: number;
  agree: boolean;
  message: string;
}

export function kernelNotes(r: KernelReport): FaultNote[] {
  const k = r.kernel;
  if (!k) return [];
  return r.model.faults.map((f) => {
    const seen = k.faults.find((x) => x.kind === f.kind && (!x.thread || x.thread === f.thread)) ?? k.faults.find((x) => x.kind === f.kind);
    const notObs = k.not_observable.find((x) => x.kind === f.kind);
    const kernelSide = seen
      ? `Linux ${k.release} also shows ${f.kind}${seen.thread ? ` in ${seen.thread}` : ''}:\n${seen.log.slice(0, 8).map((l) => `  ${l}`).join('\n')}`
      : notObs ? `Linux ${k.release} cannot observe ${f.kind}: ${notObs.why}` : `Linux ${k.release} did not show ${f.kind}`;
    return { line: f.line, column: f.column, agree: Boolean(seen || notObs), message: `model: ${f.kind} in ${f.thread}: ${f.message}\n${kernelSide}` };
  });
}

/** The one-line verdict for a notification. */
export function kernelVerdict(r: KernelReport, name: string): string {
  const kinds = (fs: { kind: string }[]) => [...new Set(fs.map((f) => f.kind))].join(', ') || 'clean';
  if (r.not_replayable) return `${name}: not replayable on the kernel (step ${r.not_replayable.step}): ${r.not_replayable.why}`;
  if (!r.kernel) return `${name}: no kernel run`;
  const both = `model ${kinds(r.model.faults)}; Linux ${r.kernel.release}: ${kinds(r.kernel.faults)}`;
  if (r.no_verdict) return `${name}: no verdict from the kernel (${r.no_verdict}); ${both}`;
  return `${name}: ${r.agree ? 'the kernel agrees' : 'the kernel DISAGREES'}: ${both}`;
}

/** Whether Run on Linux can work here: QEMU on the PATH, or root on Linux with apt-get to install it. */
export function kernelToolAvailable(env: NodeJS.ProcessEnv = process.env, platform = process.platform, uid = process.getuid?.()): boolean {
  if (platform !== 'linux' || process.arch !== 'x64') return false;
  const onPath = (cmd: string) => (env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
  return onPath('qemu-system-x86_64') && onPath('gcc') || (uid === 0 && onPath('apt-get'));
}
