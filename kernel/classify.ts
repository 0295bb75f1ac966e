// Reads the kernel's serial log: which faults of language.md §5 the real kernel showed,
// with the lines behind each; which kinds this kernel cannot see at all, and why.

import type { FaultKind } from '../grammar/ast';

/** A fault kind of §5, or an oops the classifier cannot map to one (never dropped). */
export type KernelKind = FaultKind | 'oops';

export interface KernelFault {
  kind: KernelKind;
  thread?: string;
  log: string[];
}

export interface NotObservable {
  kind: FaultKind;
  why: string;
}

export interface RunEnd {
  why: 'done' | 'blocked' | 'stalled' | 'limit';
  step: number;
  of: number;
}

export interface Classified {
  release: string | null;
  faults: KernelFault[];
  end: RunEnd | null;
  /** LT-FAIL lines: the run did not start */
  failures: string[];
  /** places where the kernel left the model's step order */
  desync: string[];
  /** faults of a thread after its first oops-kind fault: the model's thread stops there */
  followOn: KernelFault[];
}

/** What a kernel can detect, from its config. */
export interface KernelFeatures {
  kasan: boolean;
  lockdep: boolean;
  atomicSleep: boolean;
  debugMutexes: boolean;
  kmemleak: boolean;
  /** the soft-lockup watchdog: an endless busy-wait (poll, a spinning lock) is reported */
  softlockup: boolean;
}

export function features(config: Map<string, string>): KernelFeatures {
  const on = (k: string) => config.get(k) === 'y';
  return {
    kasan: on('CONFIG_KASAN'),
    lockdep: on('CONFIG_PROVE_LOCKING') || on('CONFIG_LOCKDEP'),
    atomicSleep: on('CONFIG_DEBUG_ATOMIC_SLEEP'),
    debugMutexes: on('CONFIG_DEBUG_MUTEXES'),
    kmemleak: on('CONFIG_DEBUG_KMEMLEAK'),
    softlockup: on('CONFIG_SOFTLOCKUP_DETECTOR'),
  };
}

/**
 * Kinds the kernel (with this backend) cannot see, and why. deadlock (an uninterruptible
 * wait), code-after-unload, use-after-free and refcount-underflow are always observable.
 */
export function notObservable(f: KernelFeatures): Map<FaultKind, string> {
  const m = new Map<FaultKind, string>();
  // sleep-in-atomic is observable: in version 1 the only atomic context is an access block,
  // and the backend sleeps for real there (see lt_core.c), which every kernel reports:
  // "Voluntary context switch within RCU read-side critical section!" (PREEMPT_RCU) or
  // "scheduling while atomic" (non-preemptible RCU).
  m.set('bad-unlock', f.debugMutexes || f.lockdep
    ? 'the backend does not unlock a mutex the thread does not hold (the kernel would report it, then run on with a corrupted mutex)'
    : 'this kernel has no CONFIG_DEBUG_MUTEXES or lockdep: mutex_unlock by a non-owner is silent (and the backend does not do it, as it corrupts the mutex)');
  // x86_64_defconfig (the debug kernel's base) has no soft-lockup watchdog: the first debug
  // tree said clean where the model (and the stock kernel) say hang
  if (!f.softlockup) m.set('hang', 'this kernel has no CONFIG_SOFTLOCKUP_DETECTOR: an endless busy-wait is never reported');
  m.set('double-free', 'the backend does not kfree twice: a real double kfree corrupts the slab for the rest of the run (and Linux 6.1 with slub_debug=P does not check frees)');
  m.set('leak', f.kmemleak
    ? 'a reference or mutex held at thread exit is not memory kmemleak tracks'
    : 'the kernel does not report a reference or mutex still held when a task exits (no kmemleak, and a held drm_dev_get is not memory the kernel tracks)');
  return m;
}

const MODULE_ADDR = /\bffffffff[a-f][0-9a-f]{7}\b/;

/** The lines of one report: from its first line to the end marker or the next report. */
function block(lines: string[], i: number, max = 40): string[] {
  const out = [lines[i]];
  for (let j = i + 1; j < lines.length && out.length < max; j++) {
    const l = lines[j];
    // the runner's threads print on the same console: their lines land anywhere in a
    // report (an oops is printed slowly), so they are skipped, never an end of it
    if (NOISE.test(l) || /LT-USER\[/.test(l)) continue;
    if (/---\[ end trace|^LT-|RK-/.test(l)) { if (/end trace/.test(l)) out.push(l); break; }
    // a WARN's own header line right after the message belongs to the same report
    if (isReportStart(l) && !(out.length <= 2 && /WARNING: CPU:/.test(l))) break;
    out.push(l);
  }
  return out;
}

/**
 * Lines of a report that say nothing about the scenario (registers, scheduler frames, and
 * the unwinder's "? fn+0x…" guesses, which after a jump into freed module text fill the
 * report before its "[last unloaded: …]").
 */
const NOISE = /^\s*\? \S+\+0x|^\s+Tainted: |disables this message|^\s*<\/?TASK>|^\s*(__schedule|schedule|schedule_timeout|schedule_preempt_disabled|io_schedule)\+|^\s*R(?!IP)[A-Z0-9]{2}: |^\s*RSP: 002b|^\s*Code: |^\s*(CR2|FS|CS|DR[0-9]|PKRU|RAX|RDX|RBP|R10|R13): |^\s*Hardware name:/;

function isReportStart(l: string): boolean {
  return /INFO: task .* blocked for more than|BUG: |general protection fault|WARNING: CPU:|refcount_t: |kernel BUG at|watchdog: BUG: soft lockup|Poison overwritten|possible circular locking dependency|bad unlock balance/.test(l);
}

const strip = (l: string) => l.replace(/\r$/, '').replace(/^\[\s*\d+\.\d+\]\s?/, '');

function commOf(lines: string[]): string | undefined {
  for (const l of lines) {
    const m = /\bComm: (\S+)/.exec(l) ?? /\[([^\]:]+):\d+\]$/.exec(l.trim());
    if (m) return m[1];
  }
  return undefined;
}

/** Sorts the serial log's reports into fault kinds. */
export function classify(log: string, threadNames: readonly string[]): Classified {
  const raw = log.split('\n').map((l) => l.replace(/\r$/, ''));
  const lines = raw.map(strip);
  const out: Classified = { release: null, faults: [], end: null, failures: [], desync: [], followOn: [] };
  // use-after-free, code-after-unload and unguarded-mmio are oopses in the model (§4): the
  // thread takes no more steps. The kernel may go on after a WARN (refcount_t: addition on
  // 0) and fault again; those later faults of the same thread are what the model never runs.
  const stopped = new Set<string>();
  const seen = new Set<string>();
  const threadOf = (comm: string | undefined): string | undefined => {
    if (!comm) return undefined;
    const t = threadNames.find((n) => n.slice(0, 15) === comm);
    if (t) return t;
    if (/^kworker\//.test(comm)) return 'kworker';
    return undefined;
  };
  const add = (kind: KernelKind, thread: string | undefined, log: string[]) => {
    const key = `${kind}|${thread ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    const f: KernelFault = { kind, ...(thread ? { thread } : {}), log: log.slice(0, 25) };
    if (thread && stopped.has(thread)) {
      out.followOn.push(f);
      return;
    }
    if (thread && (kind === 'use-after-free' || kind === 'code-after-unload' || kind === 'unguarded-mmio')) stopped.add(thread);
    out.faults.push(f);
  };
  let afterEnd = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    let m: RegExpExecArray | null;
    if ((m = /LT-INIT kernel=(\S+)/.exec(l))) out.release = m[1];
    if ((m = /LT-END why=(\w+) step=(\d+) of (\d+)/.exec(l))) {
      out.end = { why: m[1] as RunEnd['why'], step: Number(m[2]), of: Number(m[3]) };
      afterEnd = true;
    }
    if (/LT-FAIL/.test(l)) out.failures.push(l.trim());
    if (/LT-DESYNC|LT-OFFSCHED/.test(l)) out.desync.push(l.trim());
    if (afterEnd) continue;
    if ((m = /INFO: task (\S+?):\d+ blocked for more than/.exec(l))) {
      add('deadlock', threadOf(m[1]), block(lines, i, 20));
    } else if ((m = /watchdog: BUG: soft lockup - CPU#\d+ stuck for \d+s! \[(\S+?):\d+\]/.exec(l))) {
      // A spinning lock or del_timer_sync that nothing ends is a deadlock (language.md §9:
      // a hang is only a poll's spin, lt_poll_spin in lt_core).
      const b = block(lines, i, 20);
      const spinWait = !/lt_poll_spin/.test(b.join('\n')) && /queued_spin_lock_slowpath|_raw_spin_lock|del_timer_sync|try_to_del_timer_sync|timer_delete_sync|timer_shutdown_sync|__timer_delete_sync/.test(b.join('\n'));
      add(spinWait ? 'deadlock' : 'hang', threadOf(m[1]), b);
    } else if (/BUG: (scheduling while atomic|sleeping function called from invalid context)|Voluntary context switch within RCU read-side critical section/.test(l)) {
      const b = block(lines, i);
      add('sleep-in-atomic', threadOf(commOf(b) ?? /atomic: (\S+?)\/\d+/.exec(l)?.[1]), b);
    } else if (/kernel BUG at kernel\/module\//.test(l) || (/WARNING: CPU: .* at kernel\/module\//.test(l))) {
      const b = block(lines, i);
      add('refcount-underflow', threadOf(commOf(b)), b);
    } else if (/refcount_t: (underflow|decrement hit 0)/.test(l)) {
      const b = block(lines, i);
      add('refcount-underflow', threadOf(commOf(b)), b);
    } else if (/refcount_t: addition on 0/.test(l)) {
      const b = block(lines, i);
      add('use-after-free', threadOf(commOf(b)), b);
    } else if (/BUG: KASAN: /.test(l)) {
      const b = block(lines, i);
      add(/ in lt_mmio_(read|write)/.test(l) ? 'unguarded-mmio' : 'use-after-free', threadOf(commOf(b)), b);
    } else if (/Poison overwritten|Object already free/.test(l)) {
      add('use-after-free', undefined, block(lines, i, 12));
    } else if (/possible circular locking dependency|possible recursive locking/.test(l)) {
      const b = block(lines, i);
      add('deadlock', threadOf(commOf(b)), b);
    } else if (/bad unlock balance detected/.test(l)) {
      const b = block(lines, i);
      add('bad-unlock', threadOf(commOf(b)), b);
    } else if (/BUG: unable to handle page fault|BUG: kernel NULL pointer dereference|general protection fault/.test(l)) {
      const b = block(lines, i);
      add(oopsKind(b), threadOf(commOf(b)), b);
    }
  }
  // A spinning poll makes it a hang, whatever else is blocked behind it (language.md §8.8).
  if (out.faults.some((f) => f.kind === 'hang')) out.faults = out.faults.filter((f) => f.kind !== 'deadlock');
  return out;
}

/** What an oops means: the faulting address and where the CPU was. */
export function oopsKind(b: string[]): KernelKind {
  const text = b.join('\n');
  const first = b[0];
  if (/RIP: 0010:lt_mmio_(read|write)/.test(text)) return 'unguarded-mmio';
  // A fault on module memory (instruction fetch or data) once lt_drv is gone.
  const addr = /for address: ([0-9a-f]+)/.exec(first)?.[1] ?? '';
  const unloaded = /\[last unloaded: lt_drv/.test(text) && !/Modules linked in:.*\blt_drv\b(?!\()/.test(text.replace(/\[last unloaded: lt_drv[^\]]*\]/, ''));
  if (unloaded && (MODULE_ADDR.test(addr) || /supervisor instruction fetch/.test(text) || /RIP: 0010:0xffffffff[a-f]/.test(text))) {
    return 'code-after-unload';
  }
  // Poisoned (slub_debug=P: 0x6b…) or zeroed (init_on_free) memory dereferenced.
  if (/6b6b6b6b/.test(first) || /NULL pointer dereference/.test(first) || /address: 0{8,}[0-9a-f]{0,4}\b/.test(first)) return 'use-after-free';
  if (/general protection fault/.test(first)) return 'use-after-free';
  return 'oops';
}
