// What each keyword of the language means in the kernel's terms (kernel-lifetimes.md):
// the hover texts and completion documentation. Each entry names the kernel function the
// statement models, so a kernel developer can map the scenario back to real code.

import type { FaultKind, StmtKind } from '../grammar/ast';

export interface KeywordDoc {
  /** one line, for completion details */
  short: string;
  /** the kernel function(s) it models */
  models?: string;
  /** markdown paragraphs */
  text: string;
}

const SLEEPS = 'Sleeps: not allowed inside an `access` block (sleep-in-atomic).';

export const STMT_DOCS: Record<StmtKind, KeywordDoc> = {
  open: {
    short: 'open the drm device node: +1 drm ref, +1 module ref (fops owner)',
    models: 'drm_open / chrdev_open (fops_get → try_module_get)',
    text:
      'Opens the drm device\'s character node. `drm_open` takes a **drm_device reference** (`drm_dev_get`), and with ' +
      '`fops_owner: yes` `chrdev_open` takes a **module reference** through `fops->owner` (`try_module_get`), so the ' +
      'module cannot be unloaded while the file is open. Fails with ENODEV once the device is unplugged ' +
      '(`drm_dev_is_unplugged`), or when the module is already going. Opening a drm_device freed without an unplug is ' +
      'use-after-free (the chrdev-vs-teardown race of CVE-2020-0305). ' + SLEEPS,
  },
  close: {
    short: 'close the file: on close, drm_dev_put, then module_put (fops owner)',
    models: '__fput → drm_release → drm_dev_put, then module_put(fops->owner)',
    text:
      'Closes the file: `__fput` calls `drm_release`, which runs the driver\'s `on close` handler (driver code), then ' +
      'drops the file\'s **drm_device reference** (`drm_dev_put`, possibly the final one), and `__fput` drops the ' +
      '**module reference** of `fops->owner` last. With the module gone (forced unload, or `fops_owner: no`) this ' +
      'calls freed code: code-after-unload. ' + SLEEPS,
  },
  ioctl: {
    short: 'an ioctl on the file: driver code, ENODEV once unplugged',
    models: 'drm_ioctl',
    text:
      'An ioctl on the open file. `drm_ioctl` returns ENODEV on an unplugged device before calling the driver; the body ' +
      'is the driver\'s ioctl handler, i.e. **module code**: running it while the module is gone is code-after-unload.',
  },
  get: {
    short: '+1 on the drm_device kref (drm_dev_get)',
    models: 'drm_dev_get',
    text:
      'Takes a reference on the **drm_device** (the uAPI object\'s kref). The reference belongs to this thread: one still ' +
      'held when the thread ends is a leak. A get on a freed drm_device, or while its release runs, is use-after-free.',
  },
  put: {
    short: '−1 on the drm_device kref; the last put releases it (drm_dev_put)',
    models: 'drm_dev_put → drm_dev_release',
    text:
      'Drops a reference on the **drm_device**. The final put runs `drm_dev_release`: the `on release` callback (driver ' +
      'code, so it needs the module still loaded), the `drmm_` managed actions (frees `drmm` data), then frees the ' +
      'drm_device; with `drm_holds_module: yes` it then drops the module reference. Below zero: refcount-underflow. ' +
      SLEEPS,
  },
  try_module_get: {
    short: '+1 on the module refcount, fails once unload started',
    models: 'try_module_get',
    text:
      'Takes a reference on the **module** (its .text). Fails once `delete_module` has started (module going or gone): ' +
      'whoever may call into a module\'s code must hold such a reference. Still held at thread end: a leak.',
  },
  module_put: {
    short: '−1 on the module refcount',
    models: 'module_put',
    text: 'Drops a **module** reference. Below zero is refcount-underflow (the kernel warns).',
  },
  enter: {
    short: 'drm_dev_enter … drm_dev_exit: an SRCU read section; else when unplugged',
    models: 'drm_dev_enter / drm_dev_exit (SRCU read side of drm_unplug_srcu)',
    text:
      'Runs the body inside `drm_dev_enter`/`drm_dev_exit`: a read-side section of the **global** SRCU domain ' +
      '`drm_unplug_srcu`, shared by every drm device. When the device is already unplugged `drm_dev_enter` returns ' +
      'false and the `else` block runs. Sleeping inside is allowed, but `drm_dev_unplug` (`synchronize_srcu`) waits ' +
      'for every such section: waiting inside for something only the hardware can signal deadlocks hot-unplug. ' +
      'A freed drm_device here is use-after-free.',
  },
  access: {
    short: 'Revocable::try_access: an RCU read section; else when revoked',
    models: 'Revocable::try_access (rcu_read_lock), Devres<T>',
    text:
      'Runs the body with the guard of `Revocable::try_access` (a Rust `Devres<T>`, say an MMIO BAR): it takes ' +
      '`rcu_read_lock` and checks that the resource is not revoked; when it is (after unbind), the `else` block runs, ' +
      'as a driver returns ENODEV/ENXIO on `None`. The body is a plain **RCU read-side section**: nothing inside may ' +
      'sleep (sleep-in-atomic), and `revoke` waits (`synchronize_rcu`) until it ends — so only a busy-wait without a ' +
      'timeout can block the revoke.',
  },
  unplug: {
    short: 'drm_dev_unplug: mark unplugged, then wait for every drm_dev_enter section',
    models: 'drm_dev_unplug → synchronize_srcu(&drm_unplug_srcu)',
    text:
      'Marks the **drm_device** unplugged (new opens and ioctls get ENODEV, `drm_dev_enter` fails), then ' +
      '`synchronize_srcu` waits until no *other* thread is inside `drm_dev_enter` of any drm device, then unregisters it. ' +
      'Inside one\'s own `enter` section this is a deadlock. It drops no reference: the drm_device lives on while ' +
      'files are open. `remove` must call it first. ' + SLEEPS,
  },
  revoke: {
    short: 'Revocable::revoke: revoked, then synchronize_rcu, then drop the resource',
    models: 'Revocable::revoke (synchronize_rcu), the Devres release at unbind',
    text:
      'Revokes the **revocable** (what `Devres` does from its devres callback at unbind): marks it revoked so that ' +
      '`try_access` returns `None`, waits with `synchronize_rcu` for the threads inside `access`, then drops the ' +
      'resource (unmaps the BAR). Only the first call revokes; later ones do nothing. ' + SLEEPS,
  },
  hotunplug: {
    short: 'surprise removal: the device is gone, then the driver is unbound',
    models: 'PCI surprise removal → pci_stop_and_remove_bus_device → device_release_driver',
    text:
      'The **device** disappears (PCI surprise removal): reads of its BARs return all ones, fences submitted to it never ' +
      'complete. Then its driver is unbound as by `unbind`: `remove()`, then the devres release. ' + SLEEPS,
  },
  unbind: {
    short: 'unbind the driver: remove(), then the devres release (revoke, devm free, binding ref put)',
    models: 'device_release_driver (sysfs unbind): driver remove() + devres_release_all',
    text:
      'Ends the **binding** (probe → remove), as a sysfs unbind or module unload does: runs the driver\'s `remove()` ' +
      '(`on remove`; without one, `drm_dev_unplug` of each drm device), then the devres release: each `Devres` ' +
      'revocable of the device is revoked, its `devm_` data is freed, and the binding\'s **drm_device reference** is ' +
      'dropped (the devm action of `devm_drm_dev_alloc` calls `drm_dev_put`). Waits if another thread is unbinding the ' +
      'same device; does nothing when already unbound. ' + SLEEPS,
  },
  rmmod: {
    short: 'delete_module: EWOULDBLOCK while referenced; else unbind its devices and free its code',
    models: 'delete_module (rmmod; rmmod -f with CONFIG_MODULE_FORCE_UNLOAD)',
    text:
      'Unloads the **module**: with references held it fails with EWOULDBLOCK ("module is in use", an event, not a ' +
      'fault). Otherwise the module is *going* (`try_module_get` fails from now on), `module_exit` unregisters its ' +
      'drivers (every bound device is unbound), and its code is freed (*gone*): any later call into it is ' +
      'code-after-unload. `force` skips the refcount check, taints, and frees the code under open files. ' + SLEEPS,
  },
  submit: {
    short: 'submit a GPU job: its fence completes after `takes` while the device is present',
    models: 'drm_sched job submission (a dma_fence the hardware signals)',
    text:
      'Submits a GPU job: the **fence** becomes pending and the hardware signals it `takes` later (default 1ms) — ' +
      'never, if the device is not present, or once it is hot-unplugged.',
  },
  wait: {
    short: 'dma_fence_wait (with timeout: dma_fence_wait_timeout)',
    models: 'dma_fence_wait / dma_fence_wait_timeout',
    text:
      'Sleeps until the **fence** is signalled or errored; with `timeout`, gives ETIMEDOUT after it. Inside `enter`, ' +
      'without a timeout, this is the hot-unplug deadlock: only the gone hardware could signal the fence and ' +
      '`drm_dev_unplug` waits for this section. The fixes: wait outside the section, wait with a timeout, or fail ' +
      'in-flight fences in `remove` before unplugging. ' + SLEEPS,
  },
  poll: {
    short: 'busy-wait on the hardware (read_poll_timeout with timeout)',
    models: 'read_poll_timeout / readx_poll_timeout_atomic (a bare cpu_relax loop without timeout)',
    text:
      'Busy-waits, reading the hardware, until the **fence** completes; with `timeout`, ETIMEDOUT after it. It never ' +
      'sleeps, so it is allowed inside `access` — but without a timeout a removed GPU never completes it: the thread ' +
      'spins forever (hang), and an RCU section around it blocks the revoke\'s `synchronize_rcu` (nova-core\'s timer ' +
      '`wait_on` exists for this reason).',
  },
  signal: {
    short: 'the driver completes the fence (dma_fence_signal; error: -ENODEV)',
    models: 'dma_fence_signal (error: dma_fence_set_error(-ENODEV) first)',
    text:
      'The driver completes a pending or idle **fence** itself; with `error` it fails it with -ENODEV first, as a ' +
      'driver fails its in-flight jobs in `remove` before `drm_dev_unplug`. A completed fence stays as it is.',
  },
  read: {
    short: 'MMIO read through the revocable BAR (readl)',
    models: 'readl on a Devres<IoMem> mapping',
    text:
      'Reads MMIO through the **revocable** mapping (through a timer: reads the GPU timer register). Inside ' +
      '`access` this is safe; outside it once the revocable was revoked the mapping is gone: unguarded-mmio. A device ' +
      'that is no longer present reads all ones (~0).',
  },
  write: {
    short: 'MMIO write through the revocable BAR (writel)',
    models: 'writel on a Devres<IoMem> mapping',
    text:
      'Writes MMIO through the **revocable** mapping. Inside `access` this is safe; outside it once the revocable was ' +
      'revoked the mapping is gone: unguarded-mmio.',
  },
  use: {
    short: 'touch driver data (devm: freed at unbind; drmm: freed at drm release)',
    models: 'access to devm_kzalloc / drmm_kzalloc memory',
    text:
      'Touches **driver data**. `devm` data (`devm_kzalloc`) is freed by the devres release at unbind, while files and ' +
      'ioctls may still reach it; `drmm` data (`drmm_kzalloc`) lives until the drm_device\'s final `drm_dev_put`. ' +
      'Touching freed data is use-after-free (drm/vc4 6eda15642989 fixes one such devm bug).',
  },
  queue: {
    short: 'queue_work (with after: queue_delayed_work)',
    models: 'queue_work / queue_delayed_work',
    text:
      'Queues the **work item** to run later on its own kworker thread (after the delay with `after`). Queueing a ' +
      'pending or running work does nothing (`queue_work` returns false). The work\'s body is module code: `remove` ' +
      'must cancel or flush it, or it runs against freed state or freed code.',
  },
  flush: {
    short: 'flush_work: wait until the work is idle',
    models: 'flush_work',
    text: 'Waits until the **work item** is neither pending nor running. ' + SLEEPS,
  },
  cancel: {
    short: 'cancel_work_sync: dequeue a pending work, wait for a running one',
    models: 'cancel_work_sync',
    text: 'Takes a pending **work item** off the queue, then waits until it is not running. ' + SLEEPS,
  },
  sleep: {
    short: 'sleep for a duration of virtual time (msleep)',
    models: 'msleep / usleep_range',
    text: 'Sleeps for the duration (virtual time). ' + SLEEPS,
  },
  lock: {
    short: 'mutex_lock (sleeps)',
    models: 'mutex_lock',
    text:
      'Takes the **mutex**, waiting while another thread holds it. A mutex held across `drm_dev_unplug` while another ' +
      'thread waits for it inside `drm_dev_enter` deadlocks. Still held at thread end: a leak. ' + SLEEPS,
  },
  unlock: {
    short: 'mutex_unlock',
    models: 'mutex_unlock',
    text: 'Releases the **mutex**. Unlocking a mutex this thread does not hold is bad-unlock.',
  },
  repeat: {
    short: 'run the body n times',
    text: 'Runs the body `n` times (from 1 to 1,000,000): a loop in the process or the driver.',
  },
  log: {
    short: 'an event with a text (printk)',
    models: 'printk / pr_info',
    text: 'Records an event with the text in the run\'s timeline.',
  },
};

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
  'use-after-free': 'a freed drm_device or freed driver data is used',
  'refcount-underflow': 'a drm_device or module count goes below zero',
  'sleep-in-atomic': 'a sleeping statement runs inside an `access` (RCU) block',
  'unguarded-mmio': 'MMIO outside `access` on a revoked revocable (the BAR is unmapped)',
  'bad-unlock': 'a mutex is unlocked by a thread that does not hold it',
  leak: 'a thread ends holding a drm or module reference, or a mutex',
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
