// The harness: takes Debian's kernel and headers from their .debs (extracted, never
// installed), builds lt_core.ko, lt_drv.ko and lt_run once per kernel and source version,
// packs an initramfs per run, boots QEMU with a hard timeout and returns the serial log.
// Everything is cached under ~/.cache/driver-lifetime/kernel (or $LIFETIME_KERNEL_CACHE).

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  accessSync, constants, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import PIN from './kernel.json';

/** The kernel the project tests against, pinned in one place (kernel/kernel.json). */
export const KERNEL_PIN: { abi: string; version: string; kbuild: string } = PIN;

export class ToolMissing extends Error {}
export class HarnessError extends Error {}

export function cacheRoot(): string {
  return process.env.LIFETIME_KERNEL_CACHE || join(homedir(), '.cache', 'driver-lifetime', 'kernel');
}

/** kernel/c, beside this file in the sources, or beside dist/ in the package. */
export function sourceDir(): string {
  for (const d of [join(__dirname, 'c'), join(__dirname, '..', 'kernel', 'c')]) if (existsSync(join(d, 'lt_core.c'))) return d;
  throw new HarnessError('kernel/c (the backend\'s C sources) not found beside the program');
}

function sh(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', timeout: opts.timeoutMs, input: opts.input, maxBuffer: 64 << 20 });
}

function have(cmd: string): boolean {
  const r = sh('sh', ['-c', `command -v ${cmd}`]);
  return r.status === 0;
}

/** Tools the backend needs, with the Debian package that has each. */
const TOOLS: { cmd: string; pkg: string; check?: () => boolean }[] = [
  { cmd: 'qemu-system-x86_64', pkg: 'qemu-system-x86' },
  { cmd: 'gcc', pkg: 'gcc' },
  { cmd: 'make', pkg: 'make' },
  { cmd: 'busybox', pkg: 'busybox-static', check: () => existsSync('/bin/busybox') && /static/.test(sh('file', ['-L', '/bin/busybox']).stdout || 'static') },
  { cmd: 'dpkg-deb', pkg: 'dpkg' },
  { cmd: 'xz', pkg: 'xz-utils' },
];
const EXTRA_PKGS = ['libc6-dev', 'bc', 'libelf1'];

function missingTools(): { cmd: string; pkg: string }[] {
  return TOOLS.filter((t) => !have(t.cmd) || (t.check && !t.check()));
}

/**
 * Makes sure QEMU, a C compiler and the rest are there: installs the missing Debian
 * packages when it can (root and apt-get), else throws ToolMissing with one line.
 */
export function ensureTools(log: (s: string) => void): void {
  const missing = missingTools();
  if (!missing.length) return;
  const pkgs = [...new Set([...missing.map((m) => m.pkg), ...EXTRA_PKGS])];
  const canInstall = process.getuid?.() === 0 && have('apt-get');
  if (!canInstall) {
    throw new ToolMissing(`lifetime kernel needs ${missing.map((m) => m.cmd).join(', ')}, and cannot install them here (apt-get install ${pkgs.join(' ')} as root)`);
  }
  log(`installing ${pkgs.join(' ')} (apt-get)…`);
  sh('apt-get', ['update', '-qq'], { timeoutMs: 600_000 });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
    encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 1_800_000,
  });
  if (r.status !== 0 || missingTools().length) {
    throw new ToolMissing(`lifetime kernel needs ${missing.map((m) => m.cmd).join(', ')}; apt-get install ${pkgs.join(' ')} failed: ${(r.stderr || '').trim().split('\n').pop()}`);
  }
}

export interface KernelTree {
  /** uname -r of the guest */
  release: string;
  /** bzImage / vmlinuz */
  image: string;
  /** the build directory modules are built against */
  buildDir: string;
  /** drm.ko to load first, or null when DRM is built in */
  drmKo: string | null;
  /** CONFIG_… lines of the kernel's config */
  config: Map<string, string>;
  /** extra boot parameters */
  append: string[];
  /** the Debian package version, or the tree's path */
  source: string;
}

function readConfig(path: string): Map<string, string> {
  const m = new Map<string, string>();
  if (!existsSync(path)) return m;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const x = /^(CONFIG_[A-Z0-9_]+)=(.*)$/.exec(line);
    if (x) m.set(x[1], x[2]);
  }
  return m;
}

/** Which ABI to fetch: the pinned one, or the archive's current one once the pin is gone. */
function resolveAbi(log: (s: string) => void): { abi: string; version: string } {
  let show = sh('apt-cache', ['show', `linux-image-${KERNEL_PIN.abi}`]);
  if (show.status !== 0 && process.getuid?.() === 0) {
    sh('apt-get', ['update', '-qq'], { timeoutMs: 600_000 });
    show = sh('apt-cache', ['show', `linux-image-${KERNEL_PIN.abi}`]);
  }
  if (show.status === 0 && show.stdout.includes(`Version: ${KERNEL_PIN.version}`)) return KERNEL_PIN;
  const dep = sh('apt-cache', ['depends', 'linux-image-amd64']).stdout;
  const m = /Depends: linux-image-([0-9][^\s]*-amd64)/.exec(dep);
  if (!m) throw new HarnessError(`linux-image-${KERNEL_PIN.abi} ${KERNEL_PIN.version} is not in the apt archive and linux-image-amd64 names no kernel (apt-get update?)`);
  const v = /Version: (\S+)/.exec(sh('apt-cache', ['show', `linux-image-${m[1]}`]).stdout)?.[1] ?? '?';
  log(`note: the pinned kernel ${KERNEL_PIN.abi} (${KERNEL_PIN.version}) is no longer in the archive; using the current ${m[1]} (${v}). Update kernel/kernel.json and regenerate docs/kernel.md's table.`);
  return { abi: m[1], version: v };
}

/** The stock Debian kernel: its .debs downloaded and extracted into the cache, once. */
export function debianKernel(log: (s: string) => void): KernelTree {
  let abi = KERNEL_PIN.abi;
  let version = KERNEL_PIN.version;
  let dir = join(cacheRoot(), abi);
  if (!existsSync(join(dir, 'ready'))) {
    ({ abi, version } = resolveAbi(log));
    dir = join(cacheRoot(), abi);
    if (!existsSync(join(dir, 'ready'))) fetchDebs(abi, version, dir, log);
  }
  const root = join(dir, 'root');
  const drm = join(root, 'lib/modules', abi, 'kernel/drivers/gpu/drm/drm.ko');
  let drmKo: string | null = null;
  if (existsSync(drm)) drmKo = drm;
  else if (existsSync(drm + '.xz')) {
    drmKo = join(dir, 'drm.ko');
    if (!existsSync(drmKo)) writeFileSync(drmKo, sh('xz', ['-dc', drm + '.xz']).stdout, 'latin1');
  }
  return {
    release: abi,
    image: join(root, 'boot', `vmlinuz-${abi}`),
    buildDir: join(root, 'usr/src', `linux-headers-${abi}`),
    drmKo,
    config: readConfig(join(root, 'boot', `config-${abi}`)),
    append: [],
    source: `linux-image-${abi} ${version}`,
  };
}

function fetchDebs(abi: string, version: string, dir: string, log: (s: string) => void): void {
  mkdirSync(cacheRoot(), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'debs'), { recursive: true });
  const kbuild = abi.replace(/^(\d+\.\d+).*/, '$1');
  const common = abi.replace(/-amd64$/, '-common');
  const pkgs = [`linux-image-${abi}`, `linux-headers-${abi}`, `linux-headers-${common}`, `linux-kbuild-${kbuild}`];
  log(`fetching ${pkgs.join(' ')} (${version}) from the apt archive…`);
  const download = () => sh('apt-get', ['download', ...pkgs.map((p) => `${p}=${version}`)], { cwd: join(tmp, 'debs'), timeoutMs: 900_000 });
  let dl = download();
  if (dl.status !== 0 && process.getuid?.() === 0) {
    // a fresh machine may have no package lists yet
    sh('apt-get', ['update', '-qq'], { timeoutMs: 600_000 });
    dl = download();
  }
  if (dl.status !== 0) throw new HarnessError(`apt-get download failed: ${(dl.stderr || dl.stdout).trim().split('\n').pop()}`);
  for (const deb of readdirSync(join(tmp, 'debs'))) {
    const x = sh('dpkg-deb', ['-x', join(tmp, 'debs', deb), join(tmp, 'root')], { timeoutMs: 600_000 });
    if (x.status !== 0) throw new HarnessError(`dpkg-deb -x ${deb}: ${x.stderr.trim()}`);
  }
  rmSync(join(tmp, 'debs'), { recursive: true, force: true });
  // The headers' Makefile includes the common headers by absolute path: point it into the cache.
  const mk = join(tmp, 'root/usr/src', `linux-headers-${abi}`, 'Makefile');
  writeFileSync(mk, readFileSync(mk, 'utf8').replace(/include \/usr\/src\//g, `include ${join(dir, 'root')}/usr/src/`));
  writeFileSync(join(tmp, 'ready'), `${abi} ${version}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

/** A kernel tree built by `lifetime kernel --build-debug-kernel` (or any built tree). */
export function treeKernel(path: string): KernelTree {
  const p = resolve(path);
  const image = join(p, 'arch/x86/boot/bzImage');
  const rel = join(p, 'include/config/kernel.release');
  if (!existsSync(image) || !existsSync(rel)) throw new HarnessError(`${path}: not a built kernel tree (no arch/x86/boot/bzImage or include/config/kernel.release)`);
  const drm = join(p, 'drivers/gpu/drm/drm.ko');
  return {
    release: readFileSync(rel, 'utf8').trim(), image, buildDir: p, drmKo: existsSync(drm) ? drm : null,
    config: readConfig(join(p, '.config')), append: [], source: p,
  };
}

export interface Built {
  core: string;
  drv: string;
  run: string;
  base: Buffer;
}

/** Builds the modules and the runner for a kernel, once per source version; and the base initramfs. */
export function build(k: KernelTree, log: (s: string) => void): Built {
  const src = sourceDir();
  const files = ['lt_abi.h', 'lt_core.h', 'lt_core.c', 'lt_drv.c', 'lt_run.c', 'Kbuild', 'init.sh'];
  const h = createHash('sha256');
  for (const f of files) h.update(f).update(readFileSync(join(src, f)));
  h.update(k.buildDir).update(k.release);
  const dir = join(cacheRoot(), 'build', `${k.release}-${h.digest('hex').slice(0, 12)}`);
  const out: Built = { core: join(dir, 'lt_core.ko'), drv: join(dir, 'lt_drv.ko'), run: join(dir, 'lt_run'), base: Buffer.alloc(0) };
  if (!existsSync(join(dir, 'base.cpio.gz'))) {
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const f of files) copyFileSync(join(src, f), join(tmp, f));
    log(`building the kernel modules for ${k.release}…`);
    const mk = sh('make', ['-C', k.buildDir, `M=${tmp}`, 'modules'], { timeoutMs: 900_000 });
    if (mk.status !== 0 || !existsSync(join(tmp, 'lt_drv.ko'))) {
      throw new HarnessError(`building the modules failed:\n${(mk.stdout + mk.stderr).trim().split('\n').slice(-15).join('\n')}`);
    }
    const cc = sh('gcc', ['-O2', '-static', '-Wall', '-pthread', '-o', join(tmp, 'lt_run'), join(tmp, 'lt_run.c')], { timeoutMs: 300_000 });
    if (cc.status !== 0) throw new HarnessError(`building lt_run failed:\n${cc.stderr.trim()}`);
    const entries: CpioEntry[] = [
      { name: 'bin', mode: 0o40755 }, { name: 'lib', mode: 0o40755 }, { name: 'proc', mode: 0o40755 },
      { name: 'sys', mode: 0o40755 }, { name: 'dev', mode: 0o40755 }, { name: 'tmp', mode: 0o40755 },
      { name: 'bin/busybox', mode: 0o100755, data: readFileSync('/bin/busybox') },
      { name: 'bin/sh', mode: 0o120777, data: Buffer.from('busybox') },
      { name: 'init', mode: 0o100755, data: readFileSync(join(tmp, 'init.sh')) },
      { name: 'lib/lt_core.ko', mode: 0o100644, data: readFileSync(join(tmp, 'lt_core.ko')) },
      { name: 'lib/lt_drv.ko', mode: 0o100644, data: readFileSync(join(tmp, 'lt_drv.ko')) },
      { name: 'bin/lt_run', mode: 0o100755, data: readFileSync(join(tmp, 'lt_run')) },
    ];
    if (k.drmKo) entries.push({ name: 'lib/drm.ko', mode: 0o100644, data: readFileSync(k.drmKo) });
    writeFileSync(join(tmp, 'base.cpio.gz'), gzipSync(cpio(entries), { level: 1 }));
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  out.base = readFileSync(join(dir, 'base.cpio.gz'));
  return out;
}

interface CpioEntry { name: string; mode: number; data?: Buffer }

/** A newc cpio archive; the kernel unpacks concatenated archives in order. */
export function cpio(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const pad = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  let ino = 1;
  const add = (name: string, mode: number, data: Buffer) => {
    const nameBuf = Buffer.from(name + '\0');
    const hex = (v: number) => v.toString(16).padStart(8, '0');
    const hdr = '070701' + [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameBuf.length, 0].map(hex).join('');
    parts.push(Buffer.from(hdr), nameBuf, pad(110 + nameBuf.length), data, pad(data.length));
  };
  for (const e of entries) add(e.name, e.mode, e.data ?? Buffer.alloc(0));
  add('TRAILER!!!', 0, Buffer.alloc(0));
  return Buffer.concat(parts);
}

export interface QemuResult {
  log: string;
  wallMs: number;
  timedOut: boolean;
  /** QEMU's hard timeout this run had */
  timeoutS: number;
  accel: 'kvm' | 'tcg';
}

/**
 * How much slower than the stock kernel a tree runs a scenario: KASAN and lockdep make the
 * boot about 5 times and a run 2–4 times slower under TCG (../shared/kernel). QEMU's hard
 * timeout and the runner's stall, overall and hung-task windows are stretched by it.
 */
export function slowdown(k: KernelTree): number {
  const on = (o: string) => k.config.get(o) === 'y';
  return on('CONFIG_KASAN') || on('CONFIG_PROVE_LOCKING') ? 3 : 1;
}

/** Boots the kernel with the base initramfs plus this run's program; returns the serial log. */
export function boot(k: KernelTree, b: Built, program: Int32Array, names: string[], opts: { timeoutS?: number; window?: number } = {}): QemuResult {
  const prog = Buffer.from(program.buffer, program.byteOffset, program.byteLength);
  const extra = gzipSync(cpio([
    { name: 'prog.bin', mode: 0o100644, data: prog },
    { name: 'names.txt', mode: 0o100644, data: Buffer.from(names.join('\n') + '\n') },
    { name: 'window', mode: 0o100644, data: Buffer.from(`${opts.window ?? 7} ${slowdown(k)}`) },
  ]));
  const dir = join(tmpdir(), `lifetime-kernel-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const initrd = join(dir, 'initrd.cpio.gz');
  writeFileSync(initrd, Buffer.concat([b.base, extra]));
  let kvm = false;
  try { accessSync('/dev/kvm', constants.W_OK); kvm = true; } catch { /* TCG */ }
  const mem = k.config.get('CONFIG_KASAN') === 'y' ? '1024' : '512';
  // no_timer_check: under TCG on a busy host the IO-APIC timer check fails and the boot panics
  const append = ['console=ttyS0', 'panic=-1', 'quiet', 'no_timer_check', 'slub_debug=P', 'watchdog_thresh=2', 'hung_task_panic=0', ...k.append];
  const args = [
    ...(kvm ? ['-enable-kvm', '-cpu', 'host'] : []),
    '-m', mem, '-smp', '2', '-nographic', '-no-reboot', '-kernel', k.image, '-initrd', initrd,
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-append', append.join(' '),
  ];
  const t0 = Date.now();
  const timeoutS = opts.timeoutS ?? 180 * slowdown(k);
  const r = spawnSync('qemu-system-x86_64', args, { encoding: 'latin1', timeout: timeoutS * 1000, killSignal: 'SIGKILL', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  const wallMs = Date.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  return { log: (r.stdout ?? '') + (r.stderr ?? ''), wallMs, timedOut, timeoutS, accel: kvm ? 'kvm' : 'tcg' };
}

