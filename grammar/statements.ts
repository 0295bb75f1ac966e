// The language's statements, one entry each: what the lexer, the parser, the analysis, the
// lints, hover and completion, the lowering and the timeline need to know about a
// statement kind and that is not code. Behaviour that depends on the target is keyed by
// statement kind *and* target kind (`targets`): in version 2 `cancel` spins on a timer but
// sleeps on a work item, `put` on a kref does not sleep, so no per-kind flag would last.
//
// No imports but types: the TextMate grammar's keyword lists are generated from this file
// at build time (scripts/tmgrammar.mjs), and every layer above may read it.

import type { NameKind, Stmt, StmtKind } from './ast';

/** How running a statement may hold up its thread (language.md §4 marks the *sleeps* ones). */
export type Blocking =
  /** never blocks */
  | 'none'
  /** may sleep: not allowed in atomic context (sleep-in-atomic) */
  | 'sleeps'
  /** busy-waits: allowed in atomic context, but may spin forever (a hang for `poll`, a deadlock for the version-2 spins) */
  | 'spins';

/** What a statement's operand is: a declared kind, a file name (`file`), or nothing. */
export type TargetKey = NameKind | 'none';

/** Which timeline lane a statement is drawn on (and its faults, when they name no object). */
export type StmtLane =
  /** the lane of the object its target names */
  | 'target'
  /** the drm device the file was opened on */
  | 'file'
  /** a ptimer's revocable (MMIO through the timer register reads its BAR) */
  | 'ptimer-revocable'
  /** the thread's own lane */
  | 'thread';

/** The behaviour of a statement on one kind of target. */
export interface TargetRow {
  blocks: Blocking;
  /** the reference it takes (+1) or drops (−1) on its target, for unbalanced-ref */
  ref?: 1 | -1;
  lane: StmtLane;
}

/** The statement's syntax shape (the parser's rule for it). */
export type StmtSyntax =
  /** `KEYWORD NAME` */
  | 'simple'
  /** `open FILE DRM` */
  | 'open'
  /** `ioctl FILE { … }` */
  | 'ioctl'
  /** `KEYWORD NAME { … } [else { … }]` */
  | 'guard'
  /** `rmmod NAME [force]` */
  | 'rmmod'
  /** `KEYWORD NAME [timeout DURATION]` */
  | 'wait'
  /** `signal NAME [error]` */
  | 'signal'
  /** `queue NAME [after DURATION]`, `arm NAME [after DURATION]` */
  | 'queue'
  /** `cancel NAME [nosync]` */
  | 'cancel'
  /** `sleep DURATION` */
  | 'sleep'
  /** `repeat N { … }` */
  | 'repeat'
  /** `log "TEXT"` */
  | 'log';

/** The keyword that may follow a statement's operand, by syntax shape (completion offers it). */
export const SYNTAX_MODIFIER: Readonly<Record<StmtSyntax, string | null>> = {
  simple: null, open: null, ioctl: null, guard: null, rmmod: 'force', wait: 'timeout', signal: 'error',
  queue: 'after', cancel: 'nosync', sleep: null, repeat: null, log: null,
};

export interface StmtSpec {
  syntax: StmtSyntax;
  /** the kinds its target may have, and what it does on each */
  targets: Partial<Record<TargetKey, TargetRow>>;
  /** one line, for completion details */
  short: string;
  /** the kernel function(s) it models */
  models?: string;
  /** markdown: what it does to which lifetime (hover) */
  text: string;
}

export const STMTS = {
  open: {
    syntax: 'open',
    targets: { drm: { blocks: 'sleeps', lane: 'target' }, cdev: { blocks: 'sleeps', lane: 'target' } },
    short: 'open the drm device node (or a cdev): +1 drm ref, +1 module ref (fops owner)',
    models: 'drm_open / chrdev_open (fops_get → try_module_get)',
    text:
      'Opens the drm device\'s character node. `drm_open` takes a **drm_device reference** (`drm_dev_get`), and with ' +
      '`fops_owner: yes` `chrdev_open` takes a **module reference** through `fops->owner` (`try_module_get`), so the ' +
      'module cannot be unloaded while the file is open. Fails with ENODEV once the device is unplugged ' +
      '(`drm_dev_is_unplugged`), or when the module is already going. Opening a drm_device freed without an unplug is ' +
      'use-after-free (the chrdev-vs-teardown race of CVE-2020-0305).\n\n' +
      'On a **cdev** (version 2): `chrdev_open` finds the node through `kobj_lookup`; once `cdev_del` ran it fails ' +
      'with ENXIO. With `fops_owner: yes` it takes a module reference (`try_module_get`, ENODEV when the module is ' +
      'going). The open file outlives `cdev_del`: its ioctls still run driver code.',
  },
  close: {
    syntax: 'simple',
    targets: { file: { blocks: 'sleeps', lane: 'file' } },
    short: 'close the file: on close, drm_dev_put, then module_put (fops owner)',
    models: '__fput → drm_release → drm_dev_put, then module_put(fops->owner)',
    text:
      'Closes the file: `__fput` calls `drm_release`, which runs the driver\'s `on close` handler (driver code), then ' +
      'drops the file\'s **drm_device reference** (`drm_dev_put`, possibly the final one), and `__fput` drops the ' +
      '**module reference** of `fops->owner` last. With the module gone (forced unload, or `fops_owner: no`) this ' +
      'calls freed code: code-after-unload.',
  },
  ioctl: {
    syntax: 'ioctl',
    targets: { file: { blocks: 'none', lane: 'file' } },
    short: 'an ioctl on the file: driver code, ENODEV once unplugged (a cdev file: no check)',
    models: 'drm_ioctl',
    text:
      'An ioctl on the open file. `drm_ioctl` returns ENODEV on an unplugged device before calling the driver; the body ' +
      'is the driver\'s ioctl handler, i.e. **module code**: running it while the module is gone is code-after-unload. ' +
      'On a file of a **cdev** (version 2) nothing like `drm_dev_enter` stops it after unbind (`cdev_del` does not ' +
      'revoke open files): the body must guard itself.',
  },
  get: {
    syntax: 'simple',
    targets: { drm: { blocks: 'none', ref: 1, lane: 'target' }, kref: { blocks: 'none', ref: 1, lane: 'target' } },
    short: '+1 on the drm_device kref (drm_dev_get), or on a kref (kref_get)',
    models: 'drm_dev_get / kref_get',
    text:
      'Takes a reference on the **drm_device** (the uAPI object\'s kref). The reference belongs to this thread: one still ' +
      'held when the thread ends is a leak. A get on a freed drm_device, or while its release runs, is use-after-free. ' +
      'On a **kref** object (version 2) the same, with `kref_get`.',
  },
  put: {
    syntax: 'simple',
    targets: { drm: { blocks: 'sleeps', ref: -1, lane: 'target' }, kref: { blocks: 'none', ref: -1, lane: 'target' } },
    short: '−1 on the drm_device kref (drm_dev_put) or a kref (kref_put); the last put releases it',
    models: 'drm_dev_put → drm_dev_release; kref_put → the release callback',
    text:
      'Drops a reference on the **drm_device**. The final put runs `drm_dev_release`: the `on release` callback (driver ' +
      'code, so it needs the module still loaded), the `drmm_` managed actions (frees `drmm` data), then frees the ' +
      'drm_device; with `drm_holds_module: yes` it then drops the module reference. Below zero: refcount-underflow.\n\n' +
      'On a **kref** object (version 2): `kref_put` itself never sleeps; the put that reaches 0 runs `on release` ' +
      '(driver code: after rmmod, code-after-unload), then the object is freed.',
  },
  try_module_get: {
    syntax: 'simple',
    targets: { module: { blocks: 'none', ref: 1, lane: 'target' } },
    short: '+1 on the module refcount, fails once unload started',
    models: 'try_module_get',
    text:
      'Takes a reference on the **module** (its .text). Fails once `delete_module` has started (module going or gone): ' +
      'whoever may call into a module\'s code must hold such a reference. Still held at thread end: a leak.',
  },
  module_put: {
    syntax: 'simple',
    targets: { module: { blocks: 'none', ref: -1, lane: 'target' } },
    short: '−1 on the module refcount',
    models: 'module_put',
    text: 'Drops a **module** reference. Below zero is refcount-underflow (the kernel warns).',
  },
  enter: {
    syntax: 'guard',
    targets: { drm: { blocks: 'none', lane: 'target' } },
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
    syntax: 'guard',
    targets: { revocable: { blocks: 'none', lane: 'target' } },
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
    syntax: 'simple',
    targets: { drm: { blocks: 'sleeps', lane: 'target' } },
    short: 'drm_dev_unplug: mark unplugged, then wait for every drm_dev_enter section',
    models: 'drm_dev_unplug → synchronize_srcu(&drm_unplug_srcu)',
    text:
      'Marks the **drm_device** unplugged (new opens and ioctls get ENODEV, `drm_dev_enter` fails), then ' +
      '`synchronize_srcu` waits until no *other* thread is inside `drm_dev_enter` of any drm device, then unregisters it. ' +
      'Inside one\'s own `enter` section this is a deadlock. It drops no reference: the drm_device lives on while ' +
      'files are open. `remove` must call it first.',
  },
  revoke: {
    syntax: 'simple',
    targets: { revocable: { blocks: 'sleeps', lane: 'target' } },
    short: 'Revocable::revoke: revoked, then synchronize_rcu, then drop the resource',
    models: 'Revocable::revoke (synchronize_rcu), the Devres release at unbind',
    text:
      'Revokes the **revocable** (what `Devres` does from its devres callback at unbind): marks it revoked so that ' +
      '`try_access` returns `None`, waits with `synchronize_rcu` for the threads inside `access`, then drops the ' +
      'resource (unmaps the BAR). Only the first call revokes; later ones do nothing.',
  },
  hotunplug: {
    syntax: 'simple',
    targets: { device: { blocks: 'sleeps', lane: 'target' } },
    short: 'surprise removal: the device is gone, then the driver is unbound',
    models: 'PCI surprise removal → pci_stop_and_remove_bus_device → device_release_driver',
    text:
      'The **device** disappears (PCI surprise removal): reads of its BARs return all ones, fences submitted to it never ' +
      'complete. Then its driver is unbound as by `unbind`: `remove()`, then the devres release.',
  },
  unbind: {
    syntax: 'simple',
    targets: { device: { blocks: 'sleeps', lane: 'target' } },
    short: 'unbind the driver: remove(), then the devres release (revoke, devm free, binding ref put)',
    models: 'device_release_driver (sysfs unbind): driver remove() + devres_release_all',
    text:
      'Ends the **binding** (probe → remove), as a sysfs unbind or module unload does: runs the driver\'s `remove()` ' +
      '(`on remove`; without one, `drm_dev_unplug` of each drm device), then the devres release: each `Devres` ' +
      'revocable of the device is revoked, its `devm_` data is freed, and the binding\'s **drm_device reference** is ' +
      'dropped (the devm action of `devm_drm_dev_alloc` calls `drm_dev_put`). Waits if another thread is unbinding the ' +
      'same device; does nothing when already unbound.',
  },
  rmmod: {
    syntax: 'rmmod',
    targets: { module: { blocks: 'sleeps', lane: 'target' } },
    short: 'delete_module: EWOULDBLOCK while referenced; else unbind its devices and free its code',
    models: 'delete_module (rmmod; rmmod -f with CONFIG_MODULE_FORCE_UNLOAD)',
    text:
      'Unloads the **module**: with references held it fails with EWOULDBLOCK ("module is in use", an event, not a ' +
      'fault). Otherwise the module is *going* (`try_module_get` fails from now on), `module_exit` unregisters its ' +
      'drivers (every bound device is unbound), and its code is freed (*gone*): any later call into it is ' +
      'code-after-unload. `force` skips the refcount check, taints, and frees the code under open files.',
  },
  submit: {
    syntax: 'simple',
    targets: { fence: { blocks: 'none', lane: 'target' } },
    short: 'submit a GPU job: its fence completes after `takes` while the device is present',
    models: 'drm_sched job submission (a dma_fence the hardware signals)',
    text:
      'Submits a GPU job: the **fence** becomes pending and the hardware signals it `takes` later (default 1ms) — ' +
      'never, if the device is not present, or once it is hot-unplugged.',
  },
  wait: {
    syntax: 'wait',
    targets: { fence: { blocks: 'sleeps', lane: 'target' }, completion: { blocks: 'sleeps', lane: 'target' } },
    short: 'dma_fence_wait / wait_for_completion (with timeout: …_timeout)',
    models: 'dma_fence_wait / dma_fence_wait_timeout; wait_for_completion / wait_for_completion_timeout',
    text:
      'Sleeps until the **fence** is signalled or errored; with `timeout`, gives ETIMEDOUT after it. Inside `enter`, ' +
      'without a timeout, this is the hot-unplug deadlock: only the gone hardware could signal the fence and ' +
      '`drm_dev_unplug` waits for this section. The fixes: wait outside the section, wait with a timeout, or fail ' +
      'in-flight fences in `remove` before unplugging.\n\n' +
      'On a **completion** (version 2): `wait_for_completion` sleeps until `complete` (`complete_all`: it stays done); ' +
      'with `timeout`, `wait_for_completion_timeout` gives up after it.',
  },
  poll: {
    syntax: 'wait',
    targets: { fence: { blocks: 'spins', lane: 'target' } },
    short: 'busy-wait on the hardware (read_poll_timeout with timeout)',
    models: 'read_poll_timeout / readx_poll_timeout_atomic (a bare cpu_relax loop without timeout)',
    text:
      'Busy-waits, reading the hardware, until the **fence** completes; with `timeout`, ETIMEDOUT after it. It never ' +
      'sleeps, so it is allowed inside `access` — but without a timeout a removed GPU never completes it: the thread ' +
      'spins forever (hang), and an RCU section around it blocks the revoke\'s `synchronize_rcu` (nova-core\'s timer ' +
      '`wait_on` exists for this reason).',
  },
  signal: {
    syntax: 'signal',
    targets: { fence: { blocks: 'none', lane: 'target' } },
    short: 'the driver completes the fence (dma_fence_signal; error: -ENODEV)',
    models: 'dma_fence_signal (error: dma_fence_set_error(-ENODEV) first)',
    text:
      'The driver completes a pending or idle **fence** itself; with `error` it fails it with -ENODEV first, as a ' +
      'driver fails its in-flight jobs in `remove` before `drm_dev_unplug`. A completed fence stays as it is.',
  },
  read: {
    syntax: 'simple',
    targets: { revocable: { blocks: 'none', lane: 'target' }, ptimer: { blocks: 'none', lane: 'ptimer-revocable' } },
    short: 'MMIO read through the revocable BAR (readl)',
    models: 'readl on a Devres<IoMem> mapping',
    text:
      'Reads MMIO through the **revocable** mapping (through a timer: reads the GPU timer register). Inside ' +
      '`access` this is safe; outside it once the revocable was revoked the mapping is gone: unguarded-mmio. A device ' +
      'that is no longer present reads all ones (~0).',
  },
  write: {
    syntax: 'simple',
    targets: { revocable: { blocks: 'none', lane: 'target' }, ptimer: { blocks: 'none', lane: 'ptimer-revocable' } },
    short: 'MMIO write through the revocable BAR (writel)',
    models: 'writel on a Devres<IoMem> mapping',
    text:
      'Writes MMIO through the **revocable** mapping. Inside `access` this is safe; outside it once the revocable was ' +
      'revoked the mapping is gone: unguarded-mmio.',
  },
  use: {
    syntax: 'simple',
    targets: { data: { blocks: 'none', lane: 'target' }, kref: { blocks: 'none', lane: 'target' } },
    short: 'touch driver data (devm: freed at unbind; drmm: at drm release; kzalloc: by free) or a kref object',
    models: 'access to devm_kzalloc / drmm_kzalloc / kzalloc memory',
    text:
      'Touches **driver data**. `devm` data (`devm_kzalloc`) is freed by the devres release at unbind, while files and ' +
      'ioctls may still reach it; `drmm` data (`drmm_kzalloc`) lives until the drm_device\'s final `drm_dev_put`. ' +
      'Touching freed data is use-after-free (drm/vc4 6eda15642989 fixes one such devm bug). Plain `data NAME` ' +
      '(version 2, `kzalloc`) is freed only by `free`. On a **kref** object: touching it once its last `kref_put` ' +
      'freed it is use-after-free.',
  },
  queue: {
    syntax: 'queue',
    targets: { work: { blocks: 'none', lane: 'target' } },
    short: 'queue_work (with after: queue_delayed_work)',
    models: 'queue_work / queue_delayed_work',
    text:
      'Queues the **work item** to run later on its own kworker thread (after the delay with `after`). Queueing a ' +
      'pending or running work does nothing (`queue_work` returns false). The work\'s body is module code: `remove` ' +
      'must cancel or flush it, or it runs against freed state or freed code.',
  },
  flush: {
    syntax: 'simple',
    targets: { work: { blocks: 'sleeps', lane: 'target' } },
    short: 'flush_work: wait until the work is idle',
    models: 'flush_work',
    text:
      'Waits until the **work item** is neither pending nor running. A running work may re-queue itself (PENDING is ' +
      'cleared before its function runs), so after `flush` a self-requeueing work can be pending again: in `remove` ' +
      'use `disable` (`disable_work_sync`).',
  },
  cancel: {
    syntax: 'cancel',
    targets: { work: { blocks: 'sleeps', lane: 'target' }, timer: { blocks: 'spins', lane: 'target' } },
    short: 'cancel_work_sync / timer_delete_sync; nosync: cancel_work / timer_delete',
    models: 'cancel_work_sync, timer_delete_sync (del_timer_sync); nosync: cancel_work, timer_delete',
    text:
      'Takes a pending **work item** off the queue, then waits until it is not running (`cancel_work_sync`, sleeps). ' +
      'On a **timer** (version 2): `timer_delete_sync` spins until its callback is not running, then dequeues it ' +
      '(a re-arm meanwhile is cancelled too); from the timer\'s own callback that waits for itself: deadlock. ' +
      'With `nosync` (`timer_delete` / `cancel_work`) it only dequeues a pending one and never waits: a callback ' +
      'already running goes on, and may re-arm.',
  },
  sleep: {
    syntax: 'sleep',
    targets: { none: { blocks: 'sleeps', lane: 'thread' } },
    short: 'sleep for a duration of virtual time (msleep)',
    models: 'msleep / usleep_range',
    text: 'Sleeps for the duration (virtual time).',
  },
  lock: {
    syntax: 'simple',
    targets: { mutex: { blocks: 'sleeps', lane: 'target' }, spinlock: { blocks: 'spins', lane: 'target' } },
    short: 'mutex_lock (sleeps) / spin_lock (spins, atomic context)',
    models: 'mutex_lock / spin_lock',
    text:
      'Takes the **mutex**, waiting while another thread holds it. A mutex held across `drm_dev_unplug` while another ' +
      'thread waits for it inside `drm_dev_enter` deadlocks. Still held at thread end: a leak.\n\n' +
      'On a **spinlock** (version 2): `spin_lock` spins while another thread holds it, then holds it; until `unlock` ' +
      'the thread is in atomic context, where nothing may sleep (sleep-in-atomic). Taking it again while holding it: ' +
      'deadlock (AA).',
  },
  unlock: {
    syntax: 'simple',
    targets: { mutex: { blocks: 'none', lane: 'target' }, spinlock: { blocks: 'none', lane: 'target' } },
    short: 'mutex_unlock / spin_unlock',
    models: 'mutex_unlock / spin_unlock',
    text: 'Releases the **mutex** or **spinlock**. Unlocking one this thread does not hold is bad-unlock.',
  },
  repeat: {
    syntax: 'repeat',
    targets: { none: { blocks: 'none', lane: 'thread' } },
    short: 'run the body n times',
    text: 'Runs the body `n` times (from 1 to 1,000,000): a loop in the process or the driver.',
  },
  log: {
    syntax: 'log',
    targets: { none: { blocks: 'none', lane: 'thread' } },
    short: 'an event with a text (printk)',
    models: 'printk / pr_info',
    text: 'Records an event with the text in the run\'s timeline.',
  },
  // ---------------------------------------------------------------- version 2 (language.md §9)
  arm: {
    syntax: 'queue',
    targets: { timer: { blocks: 'none', lane: 'target' } },
    short: 'mod_timer: the timer fires after the delay (default 0)',
    models: 'mod_timer / hrtimer_start',
    text:
      'Arms the **kernel timer**: its callback runs on `timer/<t>` after the delay (default 0), in atomic (softirq) ' +
      'context; re-timed if already pending. Allowed from the timer\'s own callback: a periodic timer re-arms itself. ' +
      'After `disable` (`timer_shutdown_sync`) it does nothing. A timer that nothing cancels fires after remove, on ' +
      'freed data or after rmmod (code-after-unload).',
  },
  disable: {
    syntax: 'simple',
    targets: { timer: { blocks: 'spins', lane: 'target' }, work: { blocks: 'sleeps', lane: 'target' } },
    short: 'timer_shutdown_sync / disable_work_sync: cancel, and later arms/queues do nothing',
    models: 'timer_shutdown_sync / disable_work_sync',
    text:
      'As `cancel` (waits for a running callback), and from then on `arm` / `queue` of it do nothing, so a callback ' +
      'that re-arms itself cannot bring it back. On a **timer** `timer_shutdown_sync` spins (no sleep); on a ' +
      '**work item** `disable_work_sync` sleeps. The teardown for self-rearming timers and works in `remove`.',
  },
  raise: {
    syntax: 'simple',
    targets: { irq: { blocks: 'none', lane: 'target' } },
    short: 'the device raises the interrupt: its handler runs on irq/<i>',
    models: 'a hardware interrupt → handle_irq_event (handle_edge_irq replays a pending edge)',
    text:
      'The **device** raises the interrupt (give it to a thread that plays the hardware): the handler becomes pending ' +
      'and runs on `irq/<i>`, in atomic (hard-IRQ) context unless `threaded`. Nothing happens when the device is not ' +
      'present, the IRQ is freed, or its handler is already pending; a running handler runs once more when it ' +
      'returns. A non-devm IRQ that remove does not free still runs its handler after unbind.',
  },
  free_irq: {
    syntax: 'simple',
    targets: { irq: { blocks: 'sleeps', lane: 'target' } },
    short: 'free_irq: no more handlers, then synchronize_irq waits for a running one',
    models: 'free_irq → synchronize_irq (devm: devm_free_irq)',
    text:
      'Frees the **interrupt**: later raises do nothing; then `synchronize_irq` waits until its handler is neither ' +
      'pending nor running (it sleeps). From the IRQ\'s own handler that waits for itself: deadlock. Freeing an ' +
      'already-free IRQ does nothing (the kernel warns "Trying to free already-free IRQ").',
  },
  complete: {
    syntax: 'simple',
    targets: { completion: { blocks: 'none', lane: 'target' } },
    short: 'complete_all: the completion is done, every waiter wakes',
    models: 'complete_all',
    text: 'Marks the **completion** done (`complete_all`: it stays done), waking every `wait` on it. Never sleeps.',
  },
  free: {
    syntax: 'simple',
    targets: { data: { blocks: 'none', lane: 'target' } },
    short: 'kfree the driver data (devm data: freed again at unbind, double-free)',
    models: 'kfree (devm data: the devm_kfree confusion)',
    text:
      'Frees **driver data** with `kfree`. Freeing it again is double-free. `devm` or `drmm` data freed this way is ' +
      'freed again by its release (the devres release at unbind, or the drm device\'s final put): double-free there. ' +
      'Later uses are use-after-free.',
  },
  unregister: {
    syntax: 'simple',
    targets: { cdev: { blocks: 'sleeps', lane: 'target' } },
    short: 'cdev_del: new opens fail (ENXIO); open files keep working',
    models: 'cdev_del (kobj_unmap takes a mutex)',
    text:
      'Deletes the **character device**: new `open`s fail with ENXIO, but files already open keep working — their ' +
      'ioctls still run driver code after unbind, on whatever remove freed. It does not wait for them. Sleeps ' +
      '(`kobj_unmap` takes a mutex).',
  },
  show: {
    syntax: 'simple',
    targets: { attr: { blocks: 'none', lane: 'target' } },
    short: 'read the sysfs attribute: show() runs with a kernfs active reference',
    models: 'sysfs read → kernfs_fop_read_iter (kernfs_get_active) → dev_attr show()',
    text:
      'Reads the **sysfs attribute**: its block runs as driver code while the thread holds a kernfs active reference. ' +
      'Unbind removes the attribute and drains those references (`kernfs_drain`) before `remove()` runs: a `show` ' +
      'that waits for what unbind holds deadlocks it, and an unbind from inside its own attribute waits for itself ' +
      '(break it with `sysfs_break_active_protection`). Removed: ENODEV.',
  },
} as const satisfies Record<StmtKind, StmtSpec>;

/** Every statement keyword, in the order of the grammar. */
export const STMT_KINDS = Object.keys(STMTS) as StmtKind[];

/** The target kinds a statement accepts (`none`: it takes no name). */
export function targetKinds(k: StmtKind): TargetKey[] {
  return Object.keys(STMTS[k].targets) as TargetKey[];
}

/** The row of statement kind `k` on a target of kind `t`, if it takes one. */
export function targetRow(k: StmtKind, t: TargetKey): TargetRow | undefined {
  return (STMTS[k].targets as Partial<Record<TargetKey, TargetRow>>)[t];
}

/**
 * How a statement blocks on a target of kind `t`: its row's, but `cancel … nosync` never waits
 * (language.md §9), whatever the target.
 */
export function stmtBlocking(s: Stmt, t: TargetKey): Blocking | undefined {
  if (s.kind === 'cancel' && s.nosync) return 'none';
  return targetRow(s.kind, t)?.blocks;
}

/** Whether statement kind `k` may sleep on some target (the lint cannot always know which). */
export function maySleep(k: StmtKind): boolean {
  return Object.values(STMTS[k].targets as Record<string, TargetRow>).some((r) => r.blocks === 'sleeps');
}
