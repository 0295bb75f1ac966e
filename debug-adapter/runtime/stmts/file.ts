// The file of a drm device's node, or (version 2) of a char device: `open`, `close`, `ioctl`
// (and the close of a file still open at thread exit, which runs the same code). A cdev file
// has no drm_device behind it: no reference to put, and no drm_dev_enter around its ioctls.

import type { Kernel } from '../kernel';
import type { CBlock, CStmtOf, FileOperand, Program, With } from '../program';
import { ModState, MODULE_STATE_NAMES, Op, type CodeFrame, type FileState, type Loc, type NativeOp, type ThreadState } from '../state';
import { DONE, PUSHED, codeFrame, nativeFrame, type Res } from '../step';
import { at, noObject, type StmtGroup } from './api';

/** The operands of its statements (program.ts `Operands`). */
export type FileOperands =
  | With<'open', { drm: number; cdev: number } & FileOperand>
  | With<'close', FileOperand>
  | With<'ioctl', { body: CBlock } & FileOperand>;

/** The file a name of the frame's body stands for, latest open first. */
export function findFile(t: ThreadState, f: CodeFrame, slot: number): FileState | undefined {
  const scope = f.block.scope;
  for (let k = t.files.length - 1; k >= 0; k--) {
    const fl = t.files[k];
    if (fl.scope === scope && fl.slot === slot) return fl;
  }
  return undefined;
}

function open(k: Kernel, i: number, t: ThreadState, f: CodeFrame, st: CStmtOf<'open'>): Res {
  if (st.cdev >= 0) return openCdev(k, i, t, f, st);
  const s = k.s;
  const p = k.p;
  const x = st.drm;
  const d = s.drms[x];
  const name = p.drms[x].name;
  const file: FileState = { scope: f.block.scope, slot: st.fileSlot, name: st.fileName, drm: x, cdev: -1, st: 2, holdsModule: false, open: st };
  t.files.push(file);
  if (d.unplugged) {
    k.note(i, st.line, 'open', `open ${name}: ENODEV (unplugged); later uses of ${st.fileName} fail with EBADF`);
    return DONE;
  }
  if (d.freed) return k.useAfterFree(i, t, st, k.obj('drm', x), `open of ${name}, which was freed without ever being unplugged: its minor stayed registered`);
  if (d.releasing) return k.useAfterFree(i, t, st, k.obj('drm', x), `open of ${name} while its release is running (refcount already 0)`);
  const m = k.moduleOfDrm(x);
  if (m >= 0 && s.modules[m].state === ModState.Gone) return k.codeAfterUnload(i, t, st, m, `open calls ${p.drms[x].name}'s file operations`);
  const drv = k.driverOfDrm(x);
  d.refs++;
  if (!fopsOwnerGet(k, i, st, file, m, name, !!drv?.fopsOwner)) {
    d.refs--;
    return DONE;
  }
  file.st = 0;
  if (k.recording) {
    const ms = file.holdsModule ? `, ${p.modules[m].name} ${s.modules[m].refs - 1}→${s.modules[m].refs} (fops owner)` : '';
    k.note(i, st.line, 'open', `${st.fileName} = open(${name}): ${name} ${d.refs - 1}→${d.refs}${ms}`);
  }
  return DONE;
}

/**
 * The `try_module_get` of a file's fops owner at open (a driver with `fops_owner`): false,
 * with the ENODEV event, when the module is not live; else the file holds the module.
 */
function fopsOwnerGet(k: Kernel, i: number, st: CStmtOf<'open'>, file: FileState, m: number, name: string, fopsOwner: boolean): boolean {
  if (!fopsOwner || m < 0) return true;
  const mod = k.s.modules[m];
  if (mod.state !== ModState.Live) {
    k.note(i, st.line, 'open', `open ${name}: try_module_get(${k.p.modules[m].name}) fails (module ${MODULE_STATE_NAMES[mod.state]}): ENODEV`);
    return false;
  }
  mod.refs++;
  file.holdsModule = true;
  return true;
}

/** The module whose file operations a cdev's files run (that of the driver binding its device). */
export function cdevModule(p: Program, c: number): number {
  return p.drivers[p.cdevs[c]?.driver]?.module ?? -1;
}

/** `open f on c` of a char device (language.md §9): chrdev_open, no drm reference. */
function openCdev(k: Kernel, i: number, t: ThreadState, f: CodeFrame, st: CStmtOf<'open'>): Res {
  const s = k.s;
  const p = k.p;
  const c = st.cdev;
  const name = p.cdevs[c].name;
  const file: FileState = { scope: f.block.scope, slot: st.fileSlot, name: st.fileName, drm: -1, cdev: c, st: 2, holdsModule: false, open: st };
  t.files.push(file);
  if (s.cdevs[c].deleted) {
    k.note(i, st.line, 'open', `open ${name}: ENXIO (cdev_del ran: no such device); later uses of ${st.fileName} fail with EBADF`);
    return DONE;
  }
  const m = cdevModule(p, c);
  if (m >= 0 && s.modules[m].state === ModState.Gone) return k.codeAfterUnload(i, t, st, m, `open calls ${name}'s file operations`);
  const drv = p.drivers[p.cdevs[c].driver];
  if (!fopsOwnerGet(k, i, st, file, m, name, !!drv?.fopsOwner)) return DONE;
  file.st = 0;
  if (k.recording) {
    const ms = file.holdsModule ? `: ${p.modules[m].name} ${s.modules[m].refs - 1}→${s.modules[m].refs} (fops owner)` : '';
    k.note(i, st.line, 'open', `${st.fileName} = open(${name})${ms}`);
  }
  return DONE;
}

/** The module of the driver whose file operations an open file runs. */
function fileModule(k: Kernel, fl: FileState): number {
  return fl.cdev >= 0 ? cdevModule(k.p, fl.cdev) : k.moduleOfDrm(fl.drm);
}

/** The driver whose file operations an open file runs. */
function fileDriver(k: Kernel, fl: FileState) {
  return fl.cdev >= 0 ? k.p.drivers[k.p.cdevs[fl.cdev].driver] : k.driverOfDrm(fl.drm);
}

/** The node an open file is on, by name. */
function nodeName(p: Program, fl: FileState): string {
  return fl.cdev >= 0 ? p.cdevs[fl.cdev].name : p.drms[fl.drm].name;
}

/** `close f`, or the close of a still-open file at thread exit (origin: its `open`). */
export function closeFile(k: Kernel, i: number, t: ThreadState, f: CodeFrame | null, st: CStmtOf<'close'> | null, origin: Loc, file?: FileState): Res {
  const s = k.s;
  const p = k.p;
  const fl = file ?? findFile(t, f!, st!.fileSlot);
  if (!fl || fl.st !== 0) {
    k.note(i, origin.line, 'close', `close ${st?.fileName ?? ''}: EBADF (not open)`);
    return DONE;
  }
  const x = fl.drm;
  const m = fileModule(k, fl);
  if (m >= 0 && s.modules[m].state === ModState.Gone) {
    return k.codeAfterUnload(i, t, origin, m, `close of ${fl.name} calls ${nodeName(p, fl)}'s release file operation`);
  }
  fl.st = 1;
  const drv = fileDriver(k, fl);
  const ops: NativeOp[] = [];
  if (drv?.close) ops.push({ op: Op.CallHandler, x: p.handlers.indexOf(drv.close) });
  if (x >= 0) ops.push({ op: Op.PutDrm, x }); // a cdev file holds no drm reference
  if (fl.holdsModule) ops.push({ op: Op.ModulePutOwner, x: m });
  const rel = fl.cdev >= 0 ? 'release' : 'drm_release';
  k.note(i, origin.line, 'close', `close ${fl.name}${drv?.close ? `: ${rel} calls ${drv.name}'s close` : ''}`);
  t.frames.push(nativeFrame(ops, origin, `close ${fl.name}`));
  return PUSHED;
}

function ioctl(k: Kernel, i: number, t: ThreadState, f: CodeFrame, st: CStmtOf<'ioctl'>): Res {
  const s = k.s;
  const p = k.p;
  const fl = findFile(t, f, st.fileSlot);
  if (!fl || fl.st !== 0) {
    k.note(i, st.line, 'ioctl', `ioctl ${st.fileName}: EBADF`);
    return DONE;
  }
  const x = fl.drm;
  const m = fileModule(k, fl);
  if (m >= 0 && s.modules[m].state === ModState.Gone) return k.codeAfterUnload(i, t, st, m, `ioctl on ${fl.name} calls into the driver`);
  if (x < 0) {
    // a cdev: no drm_dev_enter in the ioctl path, nothing stops it after unbind
    k.note(i, st.line, 'ioctl', `ioctl ${fl.name}: enters the driver (${nodeName(p, fl)}: no unplug check)`);
    if (st.body.stmts.length === 0) return DONE;
    t.frames.push(codeFrame(st.body, 'ioctl', m, null, null));
    return PUSHED;
  }
  if (s.drms[x].unplugged) {
    k.note(i, st.line, 'ioctl', `ioctl ${fl.name}: ENODEV (${p.drms[x].name} is unplugged)`);
    return DONE;
  }
  if (s.drms[x].freed) return k.useAfterFree(i, t, st, k.obj('drm', x), `ioctl on ${p.drms[x].name}, which was freed`);
  k.note(i, st.line, 'ioctl', `ioctl ${fl.name}: enters the driver`);
  if (st.body.stmts.length === 0) return DONE;
  t.frames.push(codeFrame(st.body, 'ioctl', m, null, null));
  return PUSHED;
}

export const FILE_STMTS = {
  open: {
    lower: (s, cx) => ({ kind: s.kind, ...cx.file(s.file.name), drm: cx.idx('drm', s.target.name), cdev: cx.idx('cdev', s.target.name) }),
    exec: open,
    footprint(a, f, st, deep) {
      if (st.cdev >= 0) {
        const L = a.L;
        const m = cdevModule(a.p, st.cdev);
        f.read(L.cdevDel(st.cdev));
        if (m < 0) return;
        f.read(L.mGone(m));
        const fops = a.p.drivers[a.p.cdevs[st.cdev].driver]?.fopsOwner ?? false;
        if (fops) f.read(L.mLive(m)).incr(L.modRef(m));
        if (deep) a.cdevCloseFP(f, st.cdev, fops, 0, true); // closed by `close` or at exit
        return;
      }
      if (st.drm < 0) return;
      const L = a.L, p = a.p;
      const m = a.drmModule(st.drm);
      f.read(L.drmUnpl(st.drm), L.drmFree(st.drm)).incr(L.drmRef(st.drm));
      if (m >= 0) {
        f.read(L.mGone(m));
        const fops = p.drivers[p.drms[st.drm].driver]?.fopsOwner ?? false;
        if (fops) f.read(L.mLive(m)).incr(L.modRef(m));
        if (deep) a.closeFP(f, st.drm, fops, 0, true); // closed by `close` or at exit
      }
    },
    stops: () => false,
    object: (st) => at('drm', st.drm) ?? at('cdev', st.cdev),
  },
  close: {
    lower: (s, cx) => ({ kind: s.kind, ...cx.file(s.target.name) }),
    exec: (k, i, t, f, st) => closeFile(k, i, t, f, st, st),
    footprint(a, f, st, deep) {
      const p = a.p;
      const scope = p.blocks[a.blockOf(st)].scope;
      for (const x of a.fileDrms(scope, st.fileSlot)) {
        const fops = p.drivers[p.drms[x].driver]?.fopsOwner ?? false;
        a.closeFP(f, x, fops, deep ? 0 : 1, deep);
      }
      for (const c of a.fileCdevs(scope, st.fileSlot)) {
        const fops = p.drivers[p.cdevs[c].driver]?.fopsOwner ?? false;
        a.cdevCloseFP(f, c, fops, deep ? 0 : 1, deep);
      }
    },
    stops: () => false,
    object: noObject,
  },
  ioctl: {
    lower: (s, cx) => ({ kind: s.kind, ...cx.file(s.file.name), body: cx.block(s.body) }),
    exec: ioctl,
    footprint(a, f, st) {
      const L = a.L;
      const scope = a.p.blocks[a.blockOf(st)].scope;
      for (const x of a.fileDrms(scope, st.fileSlot)) {
        const m = a.drmModule(x);
        if (m >= 0) f.read(L.mGone(m));
        f.read(L.drmUnpl(x), L.drmFree(x));
      }
      for (const c of a.fileCdevs(scope, st.fileSlot)) {
        const m = cdevModule(a.p, c);
        if (m >= 0) f.read(L.mGone(m));
      }
    },
    stops(s, t, _i, st) {
      const top = t.frames[t.frames.length - 1];
      if (top.t !== 0) return false;
      let fl: FileState | undefined;
      for (let j = t.files.length - 1; j >= 0; j--) {
        const x = t.files[j];
        if (x.scope === top.block.scope && x.slot === st.fileSlot) { fl = x; break; }
      }
      if (!fl || fl.st !== 0) return false;
      if (fl.drm < 0) return st.body!.stmts.length > 0; // a cdev file: no unplug check
      const d = s.drms[fl.drm];
      return !d.unplugged && (d.freed || st.body!.stmts.length > 0);
    },
    object: noObject,
  },
} satisfies StmtGroup<'open' | 'close' | 'ioctl'>;
