// What each keyword of the language means in the kernel's terms (kernel-lifetimes.md):
// the hover texts and completion documentation. Each entry names the kernel function the
// statement models, so a kernel developer can map the scenario back to real code.

import type { FaultKind, StmtKind } from '../grammar/ast';
import { STMT_KINDS, STMTS, maySleep, type StmtSpec } from '../grammar/statements';

export interface KeywordDoc {
  /** one line, for completion details */
  short: string;
  /** the kernel function(s) it models */
  models?: string;
  /** markdown paragraphs */
  text: string;
}

const SLEEPS = 'Sleeps: not allowed inside an `access` block (sleep-in-atomic).';

/** Hover and completion texts of the statements: the statement table's, with whether it sleeps. */
export const STMT_DOCS = Object.fromEntries(
  STMT_KINDS.map((k): [StmtKind, KeywordDoc] => {
    const d: StmtSpec = STMTS[k];
    return [k, { short: d.short, models: d.models, text: maySleep(k) ? `${d.text} ${SLEEPS}` : d.text }];
  }),
) as Record<StmtKind, KeywordDoc>;

export const DECL_DOCS: Record<string, KeywordDoc> = {
  scenario: { short: 'the scenario\'s title', text: 'A one-line title of the scenario, shown by the tools.' },
  module: {
    short: 'a kernel module: its code and its refcount',
    models: 'struct module',
    text:
      'A **kernel module**: its .text is the code of its drivers\' handlers, ioctls and work items. It is *live*, ' +
      '*going* (`delete_module` under way) or *gone* (code freed). Its refcount counts `try_module_get` holders, open ' +
      'files (through `fops->owner`) and, with `drm_holds_module`, drm devices.',
  },
  device: {
    short: 'a struct device (a PCI GPU, say)',
    models: 'struct device',
    text:
      'A **device** on a bus: present until hot-unplugged, bound to its driver from probe to remove (every declared ' +
      'driver has probed at the start). Good for printing, not for touching hardware after unbind.',
  },
  driver: {
    short: 'a driver in a module, bound to a device',
    models: 'struct pci_driver / platform_driver',
    text:
      'A **driver**: code in a module that binds a device. Options: `fops_owner` (default yes) and `drm_holds_module` ' +
      '(default no).',
  },
  drm: {
    short: 'a drm_device of a device (the uAPI object, a kref)',
    models: 'struct drm_device (devm_drm_dev_alloc)',
    text:
      'A **drm_device**: the uAPI object. A kref that starts at 1 (the binding\'s reference, dropped by the devres ' +
      'release at unbind); open files and `get` hold more, so it lives until the last `drm_dev_put`, often long after ' +
      'the hardware. `unplug` marks it unplugged.',
  },
  revocable: {
    short: 'a Devres<T> of a device (an MMIO BAR)',
    models: 'Revocable<T> / Devres<T> (rust/kernel/revocable.rs, devres.rs)',
    text:
      'A **revocable** resource of a device, say an MMIO BAR mapping: revoked by the devres release at unbind. Use it ' +
      'inside `access` (`Revocable::try_access`).',
  },
  timer: {
    short: 'a GPU timer (PTIMER) in a revocable BAR',
    text: 'A **GPU timer** register (PTIMER) inside a revocable BAR: `read` gives the clock, through the BAR\'s mapping.',
  },
  fence: {
    short: 'a GPU job\'s dma_fence (completes after `takes`, default 1ms)',
    models: 'struct dma_fence',
    text:
      'A **fence** of a GPU job on a device: `submit` makes it pending and the hardware signals it `takes` later ' +
      '(default 1ms), unless the device is gone.',
  },
  data: {
    short: 'driver state: devm on a device, drmm on a drm device',
    models: 'devm_kzalloc / drmm_kzalloc',
    text:
      '**Driver data**: `devm` on a device is freed at unbind (devres release); `drmm` on a drm device when it is ' +
      'released (final `drm_dev_put`). State that userspace paths touch belongs in `drmm`.',
  },
  work: {
    short: 'a work item: code of a driver, run by a kworker',
    models: 'struct work_struct (INIT_WORK)',
    text:
      'A **work item** of a driver: its body is the driver\'s module code, run later on the thread `kworker/<name>` ' +
      'after `queue`. `remove` must `cancel` or `flush` it.',
  },
  mutex: { short: 'a mutex', models: 'struct mutex', text: 'A **mutex** (`mutex_lock`/`mutex_unlock`).' },
  on: {
    short: 'a handler: on remove DRIVER, on close DRIVER, on release DRM',
    text: 'A **handler**: driver code that runs as a frame of the thread that triggers it.',
  },
  thread: {
    short: 'a thread: a process, the admin, hot-plug…',
    text: 'A **thread** of the scenario: a userspace process, the admin, the hot-plug path or another subsystem.',
  },
  expect: {
    short: 'the intended outcome: clean, or fault kinds',
    text:
      'An **expectation**: `expect run …` applies to the default run, `expect explore …` to exploration, a bare ' +
      '`expect` to both. Met when the set of fault kinds found equals the set expected (`clean`: none). ' +
      '`expect KIND in T` also needs such a fault on thread `T`.',
  },
};

export const HANDLER_DOCS: Record<'remove' | 'close' | 'release', KeywordDoc> = {
  remove: {
    short: 'the driver\'s remove(): runs at unbind',
    models: 'pci_driver.remove',
    text:
      'The driver\'s **remove()**, run by `unbind`, `hotunplug` or `rmmod` before the devres release. Without one, the ' +
      'default calls `drm_dev_unplug` on each drm device of the device. It must unplug its drm devices first and cancel ' +
      'or flush its work items.',
  },
  close: {
    short: 'the driver\'s part of drm_release (postclose)',
    models: 'drm_driver.postclose',
    text: 'The driver\'s part of `drm_release` (its **postclose**), run by `close` before the file\'s `drm_dev_put`.',
  },
  release: {
    short: 'the drm_device release callback (final drm_dev_put)',
    models: 'drm_driver.release',
    text:
      'The **release** callback, run by the final `drm_dev_put`. It is driver code, but a drm_device holds no module ' +
      'reference (unless `drm_holds_module: yes`), so it can run after the module is gone (drm/pagemap a26084328ac4).',
  },
};

export const OPTION_DOCS: Record<'fops_owner' | 'drm_holds_module', KeywordDoc> = {
  fops_owner: {
    short: 'file_operations.owner = THIS_MODULE (default yes)',
    models: 'file_operations.owner',
    text:
      '`yes` (default): `file_operations.owner = THIS_MODULE`, as DRM\'s fops macros set it: an open file pins the ' +
      'module (`chrdev_open` takes it, `__fput` drops it last), so `rmmod` fails with EWOULDBLOCK until the file is ' +
      'closed. `no`: a NULL owner pins nothing, and rmmod can free the code under an open file.',
  },
  drm_holds_module: {
    short: 'each drm device holds a module reference until released (default no)',
    text:
      '`yes`: each drm device of the driver holds a module reference until its release has run, so the release ' +
      'callback never runs unloaded code (the fix of drm/pagemap a26084328ac4). `no` (default): as DRM is today.',
  },
};

export const FAULT_DOCS: Record<FaultKind, string> = {
  deadlock: 'no thread can run, no timed event is pending, and some thread is blocked',
  hang: 'the only runnable threads spin in `poll`s that can never complete',
  'code-after-unload': 'code of a module that is gone runs (a handler, an ioctl or a work item after rmmod)',
  'use-after-free': 'a freed drm_device, kref object or driver data is used',
  'double-free': '`free` of driver data that is already freed (by `free`, or by the devres or drmm release)',
  'refcount-underflow': 'a drm_device or module count goes below zero',
  'sleep-in-atomic': 'a sleeping statement runs in atomic context: inside `access` (RCU), under a spinlock, in a timer callback or a hard IRQ handler',
  'unguarded-mmio': 'MMIO outside `access` on a revoked revocable (the BAR is unmapped)',
  'bad-unlock': 'a mutex or spinlock is unlocked by a thread that does not hold it',
  leak: 'a thread ends holding a drm, kref or module reference, a mutex or a spinlock',
};

export const MISC_DOCS: Record<string, KeywordDoc> = {
  else: { short: 'runs when the guard fails', text: 'The `else` block runs when `drm_dev_enter` fails (unplugged) or `try_access` returns `None` (revoked).' },
  timeout: { short: 'a bound on the wait', text: 'With `timeout`, the wait or poll gives ETIMEDOUT after the duration instead of waiting forever.' },
  force: { short: 'rmmod -f: ignore the refcount', text: '`rmmod -f` (CONFIG_MODULE_FORCE_UNLOAD): unload despite references, freeing the code under open files.' },
  error: { short: 'fail the fence with -ENODEV', text: '`signal q error`: `dma_fence_set_error(-ENODEV)` then signal, as `remove` fails in-flight jobs.' },
  after: { short: 'a delay before the work starts', text: '`queue w after t`: `queue_delayed_work` with delay `t`.' },
  takes: { short: 'how long the job runs', text: 'How long after `submit` the hardware signals the fence (default 1ms).' },
  devm: { short: 'freed at unbind (devres)', text: '`devm_kzalloc`: freed by the devres release when the device is unbound.' },
  drmm: { short: 'freed at drm release', text: '`drmm_kzalloc`: freed when the drm device is released (final `drm_dev_put`).' },
  clean: { short: 'no fault at all', text: '`clean`: the mode finds no fault at all.' },
  run: { short: 'the default schedule', text: '`expect run …`: applies to the default, deterministic run.' },
  explore: { short: 'every schedule', text: '`expect explore …`: applies to the exploration of every schedule.' },
  yes: { short: 'on', text: 'The option is on.' },
  no: { short: 'off', text: 'The option is off.' },
  in: { short: '', text: '`in`: the module of a driver, the driver of a work item, or the thread of an expected fault.' },
  binds: { short: '', text: '`binds`: the device the driver is bound to (it has probed it at the start).' },
};

export function renderDoc(title: string, d: KeywordDoc): string {
  const models = d.models ? `\n\nModels \`${d.models}\`.` : '';
  return `${title}\n\n${d.text}${models}`;
}
