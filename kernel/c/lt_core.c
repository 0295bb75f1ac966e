// SPDX-License-Identifier: GPL-2.0
/*
 * lt_core: runs a .lifetime scenario on the real kernel.
 *
 * It holds what outlives the scenario's driver module (lt_drv.ko): the program (the lowered
 * scenario, see lt_abi.h), the turnstile that makes every thread follow the model's step
 * order, the platform device, the drm_driver, fences, mutexes, revocables, work items, and
 * an interpreter that runs handler, ioctl and work bodies in kernel context by calling the
 * real primitives (drm_dev_enter, drm_dev_unplug, synchronize_rcu, dma_fence_wait,
 * mutex_lock, cancel_work_sync, try_module_get…). The driver's own entry points live in
 * lt_drv.ko, so a call after rmmod faults in freed module memory, as it would in a driver.
 *
 * Lines starting "LT-" on the console are for the harness (kernel/classify.ts).
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/sched.h>
#include <linux/kthread.h>
#include <linux/hrtimer.h>
#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/platform_device.h>
#include <linux/timer.h>
#include <linux/kref.h>
#include <linux/completion.h>
#include <linux/cdev.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/irq_work.h>
#include <drm/drm_drv.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include "lt_abi.h"
#include "lt_core.h"

#define LT_MAX 16
#define LT_MAX_TASKS 64
#define LT_OBJ_MAGIC 0x4c54u

/* ------------------------------------------------------------------ the program */

static int *W;      /* all words */
static int NW;
static int *STM;    /* statements, LT_STMT_WORDS each */
static int *BLK;    /* blocks: [start, len] into BLKW */
static int *BLKW;   /* statement indices */
static int *THR;    /* thread -> block */
static int *WRK;    /* callback (work, timer) -> block, kind */
static int *KRF;    /* kref -> release block, devm */
static int *ATR;    /* sysfs attribute -> show block */
static int *PTM;    /* ptimer -> revocable */
static int *DAT;    /* data -> 0 devm, 1 drmm */
static int *TRN;    /* turns, LT_TURN_WORDS each */
#define HDR(i) (W[(i)])

/* ------------------------------------------------------------------ the turnstile */

static DEFINE_SPINLOCK(ts_lock);
static DECLARE_WAIT_QUEUE_HEAD(ts_wq);
static int ts_cur, ts_n;
static bool ts_held;
static u8 *ts_queued;

static int turn_word(int k, int w) { return TRN[k * LT_TURN_WORDS + w]; }

/* Thread tid hands on the step it holds, if it holds one. */
static void ts_release(int tid)
{
	unsigned long fl;
	bool moved = false;

	spin_lock_irqsave(&ts_lock, fl);
	if (ts_held && ts_cur < ts_n && turn_word(ts_cur, 0) == tid) {
		ts_cur++;
		ts_held = false;
		moved = true;
	}
	spin_unlock_irqrestore(&ts_lock, fl);
	if (moved)
		wake_up_all(&ts_wq);
}

static bool ts_mine(int tid)
{
	return !READ_ONCE(ts_held) && READ_ONCE(ts_cur) < ts_n && turn_word(READ_ONCE(ts_cur), 0) == tid;
}

static bool ts_over(void)
{
	return READ_ONCE(ts_cur) >= ts_n;
}

/*
 * Waits for thread tid's next turn (spinning where the thread may not sleep) and holds it.
 * Returns its phase; PH_BLOCK and PH_OOPS hand the turn on at once (the statement is
 * about to block or oops in the model). Past the end of the model's run nothing more
 * happens: the thread waits (interruptibly, so the hung-task detector never sees it).
 */
/* Waits until the turn is tid's (or the run is over): spinning where the thread may not sleep. */
static void ts_wait_mine(int tid, bool spin)
{
	if (spin) {
		while (!ts_mine(tid) && !ts_over())
			cpu_relax();
	} else {
		wait_event_interruptible(ts_wq, ts_mine(tid) || ts_over());
	}
}

/*
 * Takes thread tid's next turn (see ts_wait_mine). PH_BLOCK hands it on at once, and so
 * does PH_OOPS unless hold_oops: then the caller hands it on itself (LT_IOC_PASS) once
 * its syscall returns, or the event thread does when the task dies of the oops.
 */
static int ts_take(int tid, int line, int col, bool spin, bool hold_oops)
{
	unsigned long fl;
	int ph, k;

	if (tid < 0)
		return PH_RUN;
	ts_release(tid);
	ts_wait_mine(tid, spin);
	spin_lock_irqsave(&ts_lock, fl);
	if (ts_cur >= ts_n || ts_held || turn_word(ts_cur, 0) != tid) {
		spin_unlock_irqrestore(&ts_lock, fl);
		pr_warn("LT-OFFSCHED tid=%d at %d:%d: the model's run has no more steps for it\n", tid, line, col);
		if (!spin)
			wait_event_interruptible(ts_wq, false);
		return -1;
	}
	k = ts_cur;
	ts_held = true;
	ph = turn_word(k, 1);
	spin_unlock_irqrestore(&ts_lock, fl);
	if (line && (turn_word(k, 2) != line || turn_word(k, 3) != col))
		pr_warn("LT-DESYNC step=%d tid=%d kernel at %d:%d, model at %d:%d\n", k, tid, line, col,
			turn_word(k, 2), turn_word(k, 3));
	if (ph == PH_BLOCK || (ph == PH_OOPS && !hold_oops))
		ts_release(tid);
	return ph;
}

/* After a statement that blocked in the model returns: waits for the step completing it. */
static void ts_complete(int tid, bool spin)
{
	unsigned long fl;

	if (tid < 0)
		return;
	ts_wait_mine(tid, spin);
	spin_lock_irqsave(&ts_lock, fl);
	if (ts_cur < ts_n && !ts_held && turn_word(ts_cur, 0) == tid) {
		ts_held = true;
		if (turn_word(ts_cur, 1) != PH_COMPLETE)
			pr_warn("LT-DESYNC step=%d tid=%d expected a completion\n", ts_cur, tid);
	}
	spin_unlock_irqrestore(&ts_lock, fl);
}

/* ------------------------------------------------------------------ tasks */

static struct { pid_t pid; int tid; struct task_struct *task; } tasks[LT_MAX_TASKS];
static DEFINE_SPINLOCK(tasks_lock);

static void task_set(int tid)
{
	int i, free = -1;

	spin_lock(&tasks_lock);
	for (i = 0; i < LT_MAX_TASKS; i++) {
		if (tasks[i].pid == current->pid) {
			tasks[i].tid = tid;
			free = -2;
			break;
		}
		if (!tasks[i].pid && free == -1)
			free = i;
	}
	if (free >= 0) {
		tasks[free].pid = current->pid;
		tasks[free].tid = tid;
		tasks[free].task = get_task_struct(current);
	}
	spin_unlock(&tasks_lock);
}

/* Whether the task playing thread tid has died (an oops kills it: do_exit). */
static bool tid_dead(int tid)
{
	int i;
	bool dead = false;

	spin_lock(&tasks_lock);
	for (i = 0; i < LT_MAX_TASKS; i++)
		if (tasks[i].pid && tasks[i].tid == tid && tasks[i].task &&
		    (tasks[i].task->flags & PF_EXITING))
			dead = true;
	spin_unlock(&tasks_lock);
	return dead;
}

static int task_tid(void)
{
	int i, tid = -1;

	spin_lock(&tasks_lock);
	for (i = 0; i < LT_MAX_TASKS; i++)
		if (tasks[i].pid == current->pid)
			tid = tasks[i].tid;
	spin_unlock(&tasks_lock);
	return tid;
}

/* ------------------------------------------------------------------ objects */

struct lt_drm {
	struct drm_device drm;
	struct lt_drm *self;	/* chased before every use: a freed device faults (poison or zero) */
	unsigned int magic;
	char pad[4096];		/* a kmalloc-8k object: nobody reuses it under us */
};

struct lt_data_obj {
	int *val;		/* chased by `use` */
	char pad[3000];		/* kmalloc-4k: low churn */
};

struct lt_bar { u32 regs[1024]; };	/* a BAR: vmalloc'd, vfree'd at revoke (iounmap) */

struct lt_rev {
	struct lt_bar __rcu *ptr;
	struct lt_bar *map;	/* the driver's cached mapping: stale after revoke */
	bool revoked;
	int idx;
};

struct lt_fence {
	spinlock_t lock;
	struct dma_fence *f;
	int state;		/* 0 idle, 1 pending, 2 done */
	struct hrtimer timer;
	wait_queue_head_t wq;
};

struct lt_work {
	struct work_struct ws;
	int idx;
};

/* version 2: a kernel timer (allocated by lt_core, so it outlives the module; its function
 * is lt_drv's) */
struct lt_timer {
	struct timer_list t;
	int idx;
};

/* a driver object with an embedded kref; `use`, `get` and `put` chase self first, so a
 * freed object faults on the poison (slub_debug=P) */
struct lt_kref_obj {
	struct kref ref;
	struct lt_kref_obj *self;
	unsigned int magic;
	int idx;
	char pad[3000];		/* kmalloc-4k: low churn */
};

struct lt_ctx;
static struct platform_device *g_pdev;
static const struct lt_driver_code *g_code;
static void (*g_statement)(void);	/* copied: g_code itself is in lt_drv's data */
static struct module *g_mod;
static int g_mod_state;		/* 0 live, 1 going, 2 gone */
static struct lt_drm *g_drm;	/* stale after its release, on purpose */
static struct lt_data_obj *g_data[LT_MAX];
static struct lt_rev g_rev[LT_MAX];
static struct lt_fence g_fence[LT_MAX];
static struct lt_work *g_work[LT_MAX];
static struct mutex g_mutex[LT_MAX];
static int g_mutex_holder[LT_MAX];
static struct lt_timer *g_timer[LT_MAX];
static struct lt_kref_obj *g_kref[LT_MAX];	/* stale after its release, on purpose */
static struct lt_ctx *g_kref_ctx[LT_MAX];	/* the putting thread, for the release body */
static void (*g_kref_release)(struct kref *k);	/* copied: lt_drv's code */
static spinlock_t g_spin[LT_MAX];
static int g_spin_holder[LT_MAX];
static struct completion g_comp[LT_MAX];
static DECLARE_WAIT_QUEUE_HEAD(g_comp_wq);	/* completions and their timeouts */
static struct cdev g_cdev[LT_MAX];
static bool g_cdev_added[LT_MAX];
static dev_t g_cdev_base;
static bool g_data_freed[LT_MAX];
/*
 * version 2's IRQs: a real interrupt line without a device. lt_core makes a linear IRQ
 * domain on dummy_irq_chip with handle_simple_irq; the driver requests the lines for real
 * (request_threaded_irq / devm_request_threaded_irq, free_irq, synchronize_irq), and the
 * device "raises" one with an irq_work, whose callback runs in hard-IRQ context (the
 * irq_work self-IPI on x86) and calls generic_handle_irq_safe(): the flow handler and the
 * driver's handler run as for a device's interrupt, a threaded one on its irq/N thread.
 */
struct lt_irq {
	struct irq_work raise;
	unsigned int virq;
	bool requested;
	int idx;
};
static struct lt_irq *g_irq[LT_MAX];
static struct irq_domain *g_irq_domain;
static atomic_t g_cb_busy = ATOMIC_INIT(0);	/* callbacks inside lt_core: the runner waits for them */
static bool g_present = true;
static bool g_timedout[LT_MAX * 2];
static u64 g_fence_ctx;
static struct task_struct *g_events;

static const char *lt_fence_name(struct dma_fence *f) { return "lt"; }
static const struct dma_fence_ops lt_fence_ops = {
	.get_driver_name = lt_fence_name,
	.get_timeline_name = lt_fence_name,
};

static void fence_new(struct lt_fence *q)
{
	struct dma_fence *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return;
	dma_fence_init(f, &lt_fence_ops, &q->lock, g_fence_ctx, 0);
	q->f = f;	/* the old one is leaked: a waiter may still hold it */
}

static void fence_signal(struct lt_fence *q, int err)
{
	if (err)
		dma_fence_set_error(q->f, err);
	dma_fence_signal(q->f);
	q->state = 2;
	wake_up_all(&q->wq);
}

static enum hrtimer_restart fence_timer(struct hrtimer *t)
{
	struct lt_fence *q = container_of(t, struct lt_fence, timer);

	if (!dma_fence_is_signaled(q->f))
		fence_signal(q, 0);
	pr_info("LT-EVENT fence %d signalled by the GPU (hrtimer)\n", (int)(q - g_fence));
	ts_release(LT_EVENT_TID);
	return HRTIMER_NORESTART;
}

static noinline u32 lt_mmio_read(struct lt_bar *bar)
{
	return READ_ONCE(bar->regs[0]);
}

static noinline void lt_mmio_write(struct lt_bar *bar)
{
	WRITE_ONCE(bar->regs[0], 1);
}

static noinline int lt_use_data(struct lt_data_obj *d)
{
	return READ_ONCE(*READ_ONCE(d->val));
}

static noinline void lt_kref_touch(struct lt_kref_obj *o)
{
	if (READ_ONCE(READ_ONCE(o->self)->magic) != LT_OBJ_MAGIC)
		pr_warn("LT: kref object memory changed under us\n");
}

/* an endless one is the soft lockup the classifier reads as a hang (not a spinning lock) */
static noinline void lt_poll_spin(struct dma_fence *f, bool timeout, int tid)
{
	while (!dma_fence_is_signaled(f) && !(timeout && READ_ONCE(g_timedout[tid])))
		cpu_relax();
}

static noinline void lt_drm_touch(struct lt_drm *d)
{
	if (READ_ONCE(READ_ONCE(d->self)->magic) != LT_OBJ_MAGIC)
		pr_warn("LT: drm device memory changed under us\n");
}

static void lt_revoke(struct lt_rev *r)
{
	struct lt_bar *bar;

	if (r->revoked)
		return;
	r->revoked = true;
	bar = rcu_dereference_protected(r->ptr, 1);
	RCU_INIT_POINTER(r->ptr, NULL);
	synchronize_rcu();	/* waits for every reader inside `access` */
	vfree(bar);
	vm_unmap_aliases();	/* the mapping is really gone: a stale access faults */
}

static void lt_kref_put_action(void *p)
{
	struct lt_kref_obj *o = p;

	lt_kref_touch(o);
	kref_put(&o->ref, g_kref_release);	/* the creator's reference (kref … devm) */
}

static void lt_revoke_action(void *p)
{
	lt_revoke(p);
}

static void lt_put_module_action(struct drm_device *drm, void *p)
{
	module_put(p);
}

/* ------------------------------------------------------------------ interpreter */

/* drv: the statements are a handler, ioctl or work body, the driver module's code */
struct lt_ctx { int tid; int atomic; bool drv; };

static void exec_block(struct lt_ctx *c, int b);

static bool blocking_primitive(int op)
{
	switch (op) {
	case OP_WAIT: case OP_POLL: case OP_LOCK: case OP_FLUSH: case OP_CANCEL:
	case OP_UNPLUG: case OP_REVOKE: case OP_DISABLE: case OP_FREE_IRQ:
		return true;
	default:
		return false;
	}
}

static int fence_wait(struct lt_ctx *c, struct lt_fence *q, bool timeout, bool poll)
{
	struct dma_fence *f = dma_fence_get(q->f);
	int tid = c->tid >= 0 && c->tid < LT_MAX * 2 ? c->tid : 0;

	g_timedout[tid] = false;
	if (poll) {
		/* a busy-wait reading the hardware: never sleeps (soft lockup when endless) */
		lt_poll_spin(f, timeout, tid);
	} else if (!timeout) {
		dma_fence_wait(f, false);	/* TASK_UNINTERRUPTIBLE: the hung-task detector sees it */
	} else {
		/* the timeout is a step of the model's schedule (timeout:<thread>) */
		wait_event(q->wq, dma_fence_is_signaled(f) || READ_ONCE(g_timedout[tid]));
	}
	dma_fence_put(f);
	return 0;
}

static void exec_stmt(struct lt_ctx *c, int s)
{
	int *st = &STM[s * LT_STMT_WORDS];
	int op = st[0], line = st[1], col = st[2], a = st[3], b = st[4], d = st[5];
	int tk = st[5];	/* the target's kind, for the opcodes that serve several */
	int ph, idx;

	/* A statement that may sleep, inside an RCU read section: sleep for real first (the
	 * kernel's might_sleep(), made real), so that the stock kernel's "Voluntary context
	 * switch within RCU read-side critical section!" (or, on a non-preemptible RCU
	 * kernel, "scheduling while atomic") reports it even when the statement itself would
	 * not have had to wait. */
	if (c->atomic && st[7] == 1)
		msleep(1);
	if (op == OP_SLEEP && c->atomic)
		return;	/* no turn inside an RCU read section (turns.ts leaves it out too) */
	ph = ts_take(c->tid, line, col, c->atomic > 0, false);
	if (ph < 0)
		return;
	/* the statement is the driver's code: after rmmod this faults (code-after-unload) */
	if (c->drv)
		g_statement();
	switch (op) {
	case OP_GET:
		if (tk == T_KREF) {
			lt_kref_touch(g_kref[a]);
			kref_get(&g_kref[a]->ref);
			break;
		}
		lt_drm_touch(g_drm);
		drm_dev_get(&g_drm->drm);
		break;
	case OP_PUT:
		if (tk == T_KREF) {
			struct lt_kref_obj *o = g_kref[a];

			lt_kref_touch(o);
			g_kref_ctx[a] = c;	/* the release body runs on this thread */
			kref_put(&o->ref, g_kref_release);	/* the release is lt_drv's code */
			g_kref_ctx[a] = NULL;
			break;
		}
		lt_drm_touch(g_drm);
		drm_dev_put(&g_drm->drm);
		break;
	case OP_TRY_MODULE_GET:
		if (READ_ONCE(g_mod_state) != 0 || !try_module_get(g_mod))
			pr_info("LT-EVENT %d:%d try_module_get failed\n", line, col);
		break;
	case OP_MODULE_PUT:
		if (READ_ONCE(g_mod_state) == 2)
			pr_info("LT-EVENT %d:%d module_put of an unloaded module (not done)\n", line, col);
		else
			module_put(g_mod);
		break;
	case OP_ENTER:
		lt_drm_touch(g_drm);
		if (drm_dev_enter(&g_drm->drm, &idx)) {
			exec_block(c, b);
			drm_dev_exit(idx);
		} else if (d >= 0) {
			exec_block(c, d);
		}
		break;
	case OP_ACCESS: {
		struct lt_bar *bar;

		rcu_read_lock();
		bar = rcu_dereference(g_rev[a].ptr);
		if (bar) {
			c->atomic++;
			exec_block(c, b);
			c->atomic--;
		}
		rcu_read_unlock();
		if (!bar && d >= 0)
			exec_block(c, d);
		break;
	}
	case OP_UNPLUG:
		lt_drm_touch(g_drm);
		drm_dev_unplug(&g_drm->drm);	/* synchronize_srcu on every drm_dev_enter section */
		break;
	case OP_REVOKE:
		lt_revoke(&g_rev[a]);
		break;
	case OP_SUBMIT: {
		struct lt_fence *q = &g_fence[a];

		if (q->state == 2)
			fence_new(q);
		q->state = 1;
		break;
	}
	case OP_WAIT:
		if (tk == T_COMP) {
			int tid = c->tid >= 0 && c->tid < LT_MAX * 2 ? c->tid : 0;

			g_timedout[tid] = false;
			if (!b)
				wait_for_completion(&g_comp[a]);	/* uninterruptible: the hung-task detector sees it */
			else	/* the timeout is a step of the model's schedule (timeout:<thread>) */
				wait_event(g_comp_wq, completion_done(&g_comp[a]) || READ_ONCE(g_timedout[tid]));
			break;
		}
		fence_wait(c, &g_fence[a], b, false);
		break;
	case OP_COMPLETE:
		complete_all(&g_comp[a]);
		wake_up_all(&g_comp_wq);
		break;
	case OP_POLL:
		fence_wait(c, &g_fence[a], b, true);
		break;
	case OP_SIGNAL:
		if (!dma_fence_is_signaled(g_fence[a].f))
			fence_signal(&g_fence[a], b ? -ENODEV : 0);
		break;
	case OP_READ:
	case OP_WRITE: {
		struct lt_rev *r = &g_rev[a ? PTM[b] : b];
		struct lt_bar *bar = c->atomic ? rcu_dereference(r->ptr) : NULL;

		if (!bar)
			bar = r->map;	/* outside `access`: the cached mapping */
		if (op == OP_READ)
			lt_mmio_read(bar);
		else
			lt_mmio_write(bar);
		break;
	}
	case OP_USE:
		if (tk == T_KREF)
			lt_kref_touch(g_kref[a]);
		else
			lt_use_data(g_data[a]);
		break;
	case OP_QUEUE:
	case OP_ARM:
		/* queued or armed for real when the model's callback starts (the event thread) */
		break;
	case OP_FLUSH:
		flush_work(&g_work[a]->ws);
		break;
	case OP_CANCEL:
		if (tk == T_TIMER) {
			if (b)
				del_timer(&g_timer[a]->t);
			else
				del_timer_sync(&g_timer[a]->t);	/* from its own callback: spins forever */
		} else if (b) {
			cancel_work(&g_work[a]->ws);
		} else {
			cancel_work_sync(&g_work[a]->ws);
		}
		break;
	case OP_DISABLE:
		/* lowered for timers only: Debian's 6.1.y has timer_shutdown_sync (backported),
		 * not disable_work_sync (Linux 6.10) */
		timer_shutdown_sync(&g_timer[a]->t);
		break;
	case OP_FREE:
		if (g_data_freed[a]) {
			/* not done: a real double kfree corrupts the slab for the rest of the run,
			 * and slub_debug=P does not check frees (not observable, classify.ts) */
			pr_info("LT-EVENT %d:%d double free of data %d (not done)\n", line, col, a);
			break;
		}
		g_data_freed[a] = true;
		kfree(g_data[a]->val);
		kfree(g_data[a]);	/* g_data[a] stays: a later use reads the poison */
		break;
	case OP_RAISE:
		/* the handler runs when the model's irq/<i> starts (the event thread raises it) */
		break;
	case OP_FREE_IRQ:
		if (!g_irq[a]->requested) {
			pr_info("LT-EVENT %d:%d free_irq of a freed IRQ (not done)\n", line, col);
			break;
		}
		g_irq[a]->requested = false;
		if (WRK[3 * a + 2] & CB_DEVM)
			devm_free_irq(&g_pdev->dev, g_irq[a]->virq, g_irq[a]);	/* drops its devres entry */
		else
			free_irq(g_irq[a]->virq, g_irq[a]);	/* waits for a running handler */
		break;
	case OP_UNREGISTER:
		if (g_cdev_added[a]) {
			g_cdev_added[a] = false;
			cdev_del(&g_cdev[a]);
		}
		break;
	case OP_LOCK:
		if (tk == T_SPIN) {
			spin_lock(&g_spin[a]);	/* the thread's own second lock spins forever */
			g_spin_holder[a] = c->tid;
			c->atomic++;
			break;
		}
		mutex_lock(&g_mutex[a]);
		g_mutex_holder[a] = c->tid;
		break;
	case OP_UNLOCK:
		if (tk == T_SPIN) {
			if (g_spin_holder[a] == c->tid && c->atomic > 0) {
				g_spin_holder[a] = -1;
				c->atomic--;
				spin_unlock(&g_spin[a]);
			} else {
				pr_info("LT-EVENT %d:%d unlock of a spinlock this thread does not hold (not done)\n", line, col);
			}
			break;
		}
		if (g_mutex_holder[a] == c->tid) {
			g_mutex_holder[a] = -1;
			mutex_unlock(&g_mutex[a]);
		} else {
			pr_info("LT-EVENT %d:%d unlock of a mutex this thread does not hold (not done)\n", line, col);
		}
		break;
	case OP_REPEAT:
		for (idx = 0; idx < a; idx++)
			exec_block(c, b);
		break;
	case OP_LOG:
		pr_info("LT-LOG %d:%d\n", line, col);
		break;
	case OP_SLEEP:
		/* no virtual clock: the turns carry the order; a sleep that blocks in the
		 * model hands the turn on and waits for the step that ends it */
		break;
	default:
		pr_warn("LT-BAD opcode %d at %d:%d\n", op, line, col);
	}
	if (ph == PH_BLOCK && (blocking_primitive(op) || op == OP_SLEEP))
		ts_complete(c->tid, op == OP_POLL || c->atomic > 0);
}

static void exec_block(struct lt_ctx *c, int b)
{
	int i, start, len;

	if (b < 0 || b >= HDR(H_NBLOCK))
		return;
	start = BLK[b * 2];
	len = BLK[b * 2 + 1];
	for (i = 0; i < len; i++)
		exec_stmt(c, BLKW[start + i]);
}

static void run_handler(int block)
{
	struct lt_ctx c = { .tid = task_tid(), .atomic = 0, .drv = true };

	if (block < 0)
		return;
	if (c.tid < 0)
		pr_info("LT-NOTE handler run by a task outside the scenario (%s): no turns\n", current->comm);
	exec_block(&c, block);
}

/* ------------------------------------------------------------------ driver entry points */

int lt_core_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct lt_drm_arg *arg = data;
	struct lt_ctx c = { .tid = arg->tid, .atomic = 0, .drv = true };

	lt_drm_touch(container_of(dev, struct lt_drm, drm));
	exec_block(&c, arg->block);
	return 0;
}
EXPORT_SYMBOL_GPL(lt_core_ioctl);

void lt_core_postclose(struct drm_device *dev, struct drm_file *file)
{
	run_handler(HDR(H_CLOSE_BLOCK));
}
EXPORT_SYMBOL_GPL(lt_core_postclose);

void lt_core_release(struct drm_device *dev)
{
	run_handler(HDR(H_RELEASE_BLOCK));
}
EXPORT_SYMBOL_GPL(lt_core_release);

void lt_core_work(struct work_struct *ws)
{
	struct lt_work *w = container_of(ws, struct lt_work, ws);
	struct lt_ctx c = { .tid = HDR(H_NTHREAD) + w->idx, .atomic = 0, .drv = true };

	atomic_inc(&g_cb_busy);
	task_set(c.tid);
	ts_take(c.tid, 0, 0, false, false);	/* the kworker's start step */
	exec_block(&c, WRK[3 * w->idx]);
	ts_release(c.tid);
	task_set(-1);
	atomic_dec(&g_cb_busy);
}
EXPORT_SYMBOL_GPL(lt_core_work);

/* A timer callback: softirq context, atomic; its turns are taken spinning (turns.ts makes
 * sure each comes right after the callback's previous one). */
void lt_core_timer(struct timer_list *t)
{
	struct lt_timer *lt = from_timer(lt, t, t);
	struct lt_ctx c = { .tid = HDR(H_NTHREAD) + lt->idx, .atomic = 1, .drv = true };

	atomic_inc(&g_cb_busy);
	ts_take(c.tid, 0, 0, true, false);	/* the callback's start step */
	exec_block(&c, WRK[3 * lt->idx]);
	ts_release(c.tid);
	atomic_dec(&g_cb_busy);
}
EXPORT_SYMBOL_GPL(lt_core_timer);

/* A hard IRQ handler: atomic, its turns are taken spinning, as a timer callback's. */
irqreturn_t lt_core_irq(int irq, void *dev_id)
{
	struct lt_irq *li = dev_id;
	struct lt_ctx c = { .tid = HDR(H_NTHREAD) + li->idx, .atomic = 1, .drv = true };

	atomic_inc(&g_cb_busy);
	ts_take(c.tid, 0, 0, true, false);	/* the handler's start step */
	exec_block(&c, WRK[3 * li->idx]);
	ts_release(c.tid);
	atomic_dec(&g_cb_busy);
	return IRQ_HANDLED;
}
EXPORT_SYMBOL_GPL(lt_core_irq);

/* A threaded IRQ handler: on the irq/N kthread, which may sleep (as a kworker). */
irqreturn_t lt_core_irq_thread(int irq, void *dev_id)
{
	struct lt_irq *li = dev_id;
	struct lt_ctx c = { .tid = HDR(H_NTHREAD) + li->idx, .atomic = 0, .drv = true };

	atomic_inc(&g_cb_busy);
	task_set(c.tid);
	ts_take(c.tid, 0, 0, false, false);
	exec_block(&c, WRK[3 * li->idx]);
	ts_release(c.tid);
	task_set(-1);
	atomic_dec(&g_cb_busy);
	return IRQ_HANDLED;
}
EXPORT_SYMBOL_GPL(lt_core_irq_thread);

static void lt_irq_raise(struct irq_work *w)
{
	struct lt_irq *li = container_of(w, struct lt_irq, raise);

	generic_handle_irq_safe(li->virq);	/* hard-IRQ context: the irq_work interrupt */
}

static int lt_irq_map(struct irq_domain *d, unsigned int virq, irq_hw_number_t hw)
{
	irq_set_chip_and_handler(virq, &dummy_irq_chip, handle_simple_irq);
	return 0;
}

static const struct irq_domain_ops lt_irq_domain_ops = { .map = lt_irq_map };

static int lt_request_irq(struct platform_device *pdev, int i)
{
	struct lt_irq *li = g_irq[i];
	int fl = WRK[3 * i + 2];
	irq_handler_t hard = fl & CB_THREADED ? NULL : g_code->irq;
	irq_handler_t thread = fl & CB_THREADED ? g_code->irq_thread : NULL;
	unsigned long flags = fl & CB_THREADED ? IRQF_ONESHOT : 0;
	int ret;

	if (fl & CB_DEVM)
		ret = devm_request_threaded_irq(&pdev->dev, li->virq, hard, thread, flags, "lt_irq", li);
	else
		ret = request_threaded_irq(li->virq, hard, thread, flags, "lt_irq", li);
	if (!ret)
		li->requested = true;
	return ret;
}

/* The last kref_put: `on release o` (driver code) on the putting thread, then kfree. */
void lt_core_kref_release(struct kref *k)
{
	struct lt_kref_obj *o = container_of(k, struct lt_kref_obj, ref);
	struct lt_ctx *pc = g_kref_ctx[o->idx];
	struct lt_ctx c = { .tid = pc ? pc->tid : task_tid(), .atomic = pc ? pc->atomic : 0, .drv = true };

	exec_block(&c, KRF[2 * o->idx]);
	kfree(o);	/* g_kref[] stays: a later get, put or use reads the poison */
}
EXPORT_SYMBOL_GPL(lt_core_kref_release);

/* A read of sysfs attribute idx (the runner's `show`): show() runs the block as driver
 * code on the reading thread, inside kernfs's active reference that unbind drains. */
ssize_t lt_core_attr_show(struct lt_attr *a, char *buf)
{
	struct lt_ctx c = { .tid = task_tid(), .atomic = 0, .drv = true };

	if (a->idx < HDR(H_NATTR))
		exec_block(&c, ATR[a->idx]);
	return sysfs_emit(buf, "%d\n", a->idx);
}
EXPORT_SYMBOL_GPL(lt_core_attr_show);

umode_t lt_core_attr_visible(int n)
{
	return W && n < HDR(H_NATTR) ? 0444 : 0;
}
EXPORT_SYMBOL_GPL(lt_core_attr_visible);

/* version 2's char devices: /dev/lt_cdevN, minor N */
int lt_core_cdev_open(struct inode *inode, struct file *f)
{
	return 0;
}
EXPORT_SYMBOL_GPL(lt_core_cdev_open);

long lt_core_cdev_ioctl(struct file *f, unsigned int cmd, unsigned long uarg)
{
	struct lt_drm_arg arg;
	struct lt_ctx c = { .atomic = 0, .drv = true };

	if (cmd != LT_CDEV_IOC_RUN)
		return -ENOTTY;
	if (copy_from_user(&arg, (void __user *)uarg, sizeof(arg)))
		return -EFAULT;
	c.tid = arg.tid;
	exec_block(&c, arg.block);
	return 0;
}
EXPORT_SYMBOL_GPL(lt_core_cdev_ioctl);

int lt_core_cdev_release(struct inode *inode, struct file *f)
{
	run_handler(HDR(H_CLOSE_BLOCK));
	return 0;
}
EXPORT_SYMBOL_GPL(lt_core_cdev_release);

static struct drm_ioctl_desc lt_ioctls[] = {
	[0] = { .cmd = DRM_IOWR(DRM_COMMAND_BASE, struct lt_drm_arg), .func = NULL,
		.flags = DRM_RENDER_ALLOW, .name = "LT_RUN" },
};

static struct drm_driver lt_drm_driver = {
	.driver_features = 0,
	.ioctls = lt_ioctls,
	.num_ioctls = ARRAY_SIZE(lt_ioctls),
	.name = "lt_drm", .desc = "lifetime scenario", .date = "20260101",
	.major = 1, .minor = 0,
};

int lt_core_probe(struct platform_device *pdev)
{
	struct lt_drm *ld = NULL;
	int i, ret;

	/* the order of a probe that allocates its drm device first, then its data, then its
	 * mappings: devres releases them in reverse (language.md §4's devres order) */
	if (HDR(H_NDRM)) {
		ld = devm_drm_dev_alloc(&pdev->dev, &lt_drm_driver, struct lt_drm, drm);
		if (IS_ERR(ld))
			return PTR_ERR(ld);
		ld->self = ld;
		ld->magic = LT_OBJ_MAGIC;
		g_drm = ld;
		if (HDR(H_DRM_HOLDS_MODULE)) {
			__module_get(g_mod);
			ret = drmm_add_action_or_reset(&ld->drm, lt_put_module_action, g_mod);
			if (ret)
				return ret;
		}
	}
	for (i = 0; i < HDR(H_NDATA); i++) {
		struct lt_data_obj *o;

		if (DAT[i] && ld) {
			o = drmm_kzalloc(&ld->drm, sizeof(*o), GFP_KERNEL);
			if (o)
				o->val = drmm_kzalloc(&ld->drm, 64, GFP_KERNEL);
		} else {
			o = devm_kzalloc(&pdev->dev, sizeof(*o), GFP_KERNEL);
			if (o)
				o->val = devm_kzalloc(&pdev->dev, 64, GFP_KERNEL);
		}
		if (!o || !o->val)
			return -ENOMEM;
		g_data[i] = o;
	}
	for (i = 0; i < HDR(H_NKREF); i++) {
		struct lt_kref_obj *o = kzalloc(sizeof(*o), GFP_KERNEL);

		if (!o)
			return -ENOMEM;
		kref_init(&o->ref);	/* the creator's reference */
		o->self = o;
		o->magic = LT_OBJ_MAGIC;
		o->idx = i;
		g_kref[i] = o;
		if (KRF[2 * i + 1]) {
			ret = devm_add_action(&pdev->dev, lt_kref_put_action, o);
			if (ret)
				return ret;
		}
	}
	for (i = 0; i < HDR(H_NREV); i++) {
		struct lt_bar *bar = vzalloc(sizeof(*bar));

		if (!bar)
			return -ENOMEM;
		g_rev[i].idx = i;
		g_rev[i].revoked = false;
		g_rev[i].map = bar;
		rcu_assign_pointer(g_rev[i].ptr, bar);
		ret = devm_add_action_or_reset(&pdev->dev, lt_revoke_action, &g_rev[i]);
		if (ret)
			return ret;
	}
	if (ld) {
		ret = drm_dev_register(&ld->drm, 0);
		if (ret)
			return ret;
	}
	/* IRQs last: the devres release frees them first (language.md §9) */
	for (i = 0; i < HDR(H_NWORK); i++) {
		if (WRK[3 * i + 1] == CB_IRQ) {
			ret = lt_request_irq(pdev, i);
			if (ret)
				return ret;
		}
	}
	for (i = 0; i < HDR(H_NCDEV); i++) {
		cdev_init(&g_cdev[i], g_code->cdev_fops);
		g_cdev[i].owner = HDR(H_FOPS_OWNER) ? g_mod : NULL;
		ret = cdev_add(&g_cdev[i], g_cdev_base + i, 1);
		if (ret)
			return ret;
		g_cdev_added[i] = true;
	}
	pr_info("LT-PROBED\n");
	return 0;
}
EXPORT_SYMBOL_GPL(lt_core_probe);

void lt_core_remove(struct platform_device *pdev)
{
	int i;

	if (HDR(H_REMOVE_BLOCK) >= 0) {
		run_handler(HDR(H_REMOVE_BLOCK));
		return;
	}
	/* the default remove: unplug the drm device, unregister each cdev */
	if (g_drm)
		drm_dev_unplug(&g_drm->drm);
	for (i = 0; i < HDR(H_NCDEV); i++) {
		if (g_cdev_added[i]) {
			g_cdev_added[i] = false;
			cdev_del(&g_cdev[i]);
		}
	}
}
EXPORT_SYMBOL_GPL(lt_core_remove);

int lt_core_register(const struct lt_driver_code *code)
{
	int i;

	if (!W)
		return -EINVAL;
	g_code = code;
	g_statement = code->statement;
	g_mod = code->owner;
	g_mod_state = 0;
	lt_drm_driver.fops = code->fops;
	lt_drm_driver.postclose = HDR(H_CLOSE_BLOCK) >= 0 ? code->postclose : NULL;
	lt_drm_driver.release = HDR(H_RELEASE_BLOCK) >= 0 ? code->release : NULL;
	lt_ioctls[0].func = code->ioctl;
	g_kref_release = code->kref_release;
	for (i = 0; i < HDR(H_NWORK); i++) {
		/* both outlive the module; their functions are lt_drv's */
		if (WRK[3 * i + 1] == CB_IRQ) {
			g_irq[i] = kzalloc(sizeof(*g_irq[i]), GFP_KERNEL);
			if (!g_irq[i])
				return -ENOMEM;
			g_irq[i]->idx = i;
			init_irq_work(&g_irq[i]->raise, lt_irq_raise);
			if (!g_irq_domain)
				g_irq_domain = irq_domain_create_linear(NULL, LT_MAX, &lt_irq_domain_ops, NULL);
			if (!g_irq_domain)
				return -ENOMEM;
			g_irq[i]->virq = irq_create_mapping(g_irq_domain, i);
			if (!g_irq[i]->virq)
				return -ENOMEM;
			continue;
		}
		if (WRK[3 * i + 1] == CB_TIMER) {
			g_timer[i] = kzalloc(sizeof(*g_timer[i]), GFP_KERNEL);
			if (!g_timer[i])
				return -ENOMEM;
			g_timer[i]->idx = i;
			timer_setup(&g_timer[i]->t, code->timer, 0);
			continue;
		}
		g_work[i] = kzalloc(sizeof(*g_work[i]), GFP_KERNEL);
		if (!g_work[i])
			return -ENOMEM;
		g_work[i]->idx = i;
		INIT_WORK(&g_work[i]->ws, code->work);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(lt_core_register);

void lt_core_unregister(void)
{
	WRITE_ONCE(g_mod_state, 2);
	pr_info("LT-MODULE-GONE\n");
}
EXPORT_SYMBOL_GPL(lt_core_unregister);

static int lt_module_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	if (data == g_mod && g_mod && state == MODULE_STATE_GOING)
		WRITE_ONCE(g_mod_state, 1);
	return NOTIFY_OK;
}

static struct notifier_block lt_module_nb = { .notifier_call = lt_module_notify };

/* ------------------------------------------------------------------ events */

static bool ev_ready(void)
{
	int k = READ_ONCE(ts_cur), ph;

	if (READ_ONCE(ts_held) || k >= ts_n)
		return false;
	ph = turn_word(k, 1);
	if (turn_word(k, 0) == LT_EVENT_TID)
		return true;
	return (ph == PH_START || ph == PH_START_OOPS) && !ts_queued[k];
}

static int lt_events(void *unused)
{
	while (!kthread_should_stop()) {
		int k, ph, arg, tid;

		wait_event_interruptible_timeout(ts_wq, ev_ready() || kthread_should_stop(), HZ / 5);
		if (kthread_should_stop())
			break;
		if (!ev_ready()) {
			/* a thread that died (oopsed) holding its turn, or whose turn comes after
			 * it died, cannot take it: hand it on, as the model's oopsed thread takes
			 * no more steps */
			unsigned long fl;
			int cur;

			cur = READ_ONCE(ts_cur);
			if (cur >= ts_n || turn_word(cur, 0) >= HDR(H_NTHREAD) || !tid_dead(turn_word(cur, 0)))
				continue;
			spin_lock_irqsave(&ts_lock, fl);	/* not under tasks_lock: the hrtimer takes ts_lock */
			if (ts_cur == cur) {
				ts_cur++;
				ts_held = false;
				spin_unlock_irqrestore(&ts_lock, fl);
				pr_info("LT-NOTE step %d: thread %d is dead, its turn is handed on\n", cur, turn_word(cur, 0));
				wake_up_all(&ts_wq);
			} else {
				spin_unlock_irqrestore(&ts_lock, fl);
			}
			continue;
		}
		k = READ_ONCE(ts_cur);
		tid = turn_word(k, 0);
		ph = turn_word(k, 1);
		arg = turn_word(k, 4);
		if (ph == PH_START || ph == PH_START_OOPS) {
			ts_queued[k] = 1;
			if (WRK[3 * arg + 1] == CB_IRQ) {
				pr_info("LT-EVENT IRQ %d raised\n", arg);
				irq_work_queue(&g_irq[arg]->raise);
			} else if (WRK[3 * arg + 1] == CB_TIMER) {
				pr_info("LT-EVENT timer %d fires\n", arg);
				mod_timer(&g_timer[arg]->t, jiffies);	/* runs at the next tick, in softirq */
			} else {
				pr_info("LT-EVENT kworker of work %d starts\n", arg);
				queue_work(system_unbound_wq, &g_work[arg]->ws);
			}
			if (ph == PH_START_OOPS) {
				unsigned long fl;

				spin_lock_irqsave(&ts_lock, fl);
				ts_cur++;
				spin_unlock_irqrestore(&ts_lock, fl);
				wake_up_all(&ts_wq);
			}
			continue;
		}
		if (tid != LT_EVENT_TID)
			continue;
		ts_take(LT_EVENT_TID, 0, 0, false, false);
		if (ph == PH_FENCE) {
			/* released by the hrtimer callback, once the fence is signalled */
			hrtimer_start(&g_fence[arg].timer, ns_to_ktime(1000), HRTIMER_MODE_REL);
		} else {
			int i;

			if (arg >= 0 && arg < LT_MAX * 2)
				WRITE_ONCE(g_timedout[arg], true);
			for (i = 0; i < HDR(H_NFENCE); i++)
				wake_up_all(&g_fence[i].wq);
			wake_up_all(&g_comp_wq);
			pr_info("LT-EVENT timeout of thread %d\n", arg);
			ts_release(LT_EVENT_TID);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ control device */

static int lt_load(struct lt_load_arg *la)
{
	int *w, n = la->nwords, off, i;

	if (W || n < H_WORDS || n > (1 << 20))
		return -EINVAL;
	w = kvmalloc_array(n, sizeof(int), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	if (copy_from_user(w, u64_to_user_ptr(la->words), n * sizeof(int))) {
		kvfree(w);
		return -EFAULT;
	}
	if (w[H_MAGIC] != LT_MAGIC || w[H_VERSION] != LT_VERSION || w[H_NFENCE] > LT_MAX ||
	    w[H_NMUTEX] > LT_MAX || w[H_NREV] > LT_MAX || w[H_NDATA] > LT_MAX || w[H_NWORK] > LT_MAX ||
	    w[H_NTHREAD] > LT_MAX || w[H_NKREF] > LT_MAX || w[H_NSPIN] > LT_MAX ||
	    w[H_NCOMP] > LT_MAX || w[H_NCDEV] > LT_MAX || w[H_NATTR] > LT_MAX_ATTR) {
		kvfree(w);
		return -EINVAL;
	}
	W = w;
	NW = n;
	off = H_WORDS;
	THR = &w[off]; off += w[H_NTHREAD];
	WRK = &w[off]; off += 3 * w[H_NWORK];
	KRF = &w[off]; off += 2 * w[H_NKREF];
	ATR = &w[off]; off += w[H_NATTR];
	PTM = &w[off]; off += w[H_NPTIMER];
	DAT = &w[off]; off += w[H_NDATA];
	BLK = &w[off]; off += 2 * w[H_NBLOCK];
	BLKW = &w[off]; off += w[H_NBLOCKWORDS];
	STM = &w[off]; off += LT_STMT_WORDS * w[H_NSTMT];
	TRN = &w[off]; off += LT_TURN_WORDS * w[H_NTURN];
	if (off != n) {
		pr_err("LT: program has %d words, expected %d\n", n, off);
		W = NULL;
		kvfree(w);
		return -EINVAL;
	}
	ts_n = w[H_NTURN];
	ts_queued = kzalloc(ts_n + 1, GFP_KERNEL);
	g_fence_ctx = dma_fence_context_alloc(1);
	for (i = 0; i < w[H_NFENCE]; i++) {
		spin_lock_init(&g_fence[i].lock);
		init_waitqueue_head(&g_fence[i].wq);
		hrtimer_init(&g_fence[i].timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
		g_fence[i].timer.function = fence_timer;
		fence_new(&g_fence[i]);
	}
	for (i = 0; i < w[H_NMUTEX]; i++) {
		mutex_init(&g_mutex[i]);
		g_mutex_holder[i] = -1;
	}
	for (i = 0; i < w[H_NSPIN]; i++) {
		spin_lock_init(&g_spin[i]);
		g_spin_holder[i] = -1;
	}
	for (i = 0; i < w[H_NCOMP]; i++)
		init_completion(&g_comp[i]);
	if (w[H_NCDEV]) {
		int ret = alloc_chrdev_region(&g_cdev_base, 0, LT_MAX, "lt_cdev");

		if (ret)
			return ret;
	}
	g_pdev = platform_device_register_simple(LT_DEV_NAME, -1, NULL, 0);
	if (IS_ERR(g_pdev))
		return PTR_ERR(g_pdev);
	g_events = kthread_run(lt_events, NULL, "lt_events");
	pr_info("LT-LOADED stmts=%d turns=%d\n", w[H_NSTMT], ts_n);
	return 0;
}

static long lt_ctl_ioctl(struct file *f, unsigned int cmd, unsigned long uarg)
{
	void __user *up = (void __user *)uarg;
	struct lt_ctl_arg a;
	int ret = 0;

	if (cmd == LT_IOC_LOAD) {
		struct lt_load_arg la;

		if (copy_from_user(&la, up, sizeof(la)))
			return -EFAULT;
		return lt_load(&la);
	}
	if (cmd == LT_IOC_STATUS) {
		struct lt_status st = { .cur = READ_ONCE(ts_cur), .n = ts_n, .loaded = W != NULL,
					.busy = atomic_read(&g_cb_busy) };

		return copy_to_user(up, &st, sizeof(st)) ? -EFAULT : 0;
	}
	if (!W)
		return -EINVAL;
	if (copy_from_user(&a, up, sizeof(a)))
		return -EFAULT;
	switch (cmd) {
	case LT_IOC_HELLO:
		task_set(a.tid);
		break;
	case LT_IOC_TURN:
		a.res = ts_take(a.tid, a.line, a.col, false, a.stmt == LT_TURN_HOLD);
		break;
	case LT_IOC_COMPLETE:
		ts_complete(a.tid, false);
		break;
	case LT_IOC_RUN: {
		struct lt_ctx c = { .tid = a.tid, .atomic = 0 };

		if (a.stmt < 0 || a.stmt >= HDR(H_NSTMT))
			return -EINVAL;
		exec_stmt(&c, a.stmt);
		break;
	}
	case LT_IOC_PASS:
	case LT_IOC_DONE:
		ts_release(a.tid);
		break;
	case LT_IOC_PRESENT:
		g_present = false;
		break;
	default:
		ret = -ENOTTY;
	}
	if (!ret && copy_to_user(up, &a, sizeof(a)))
		ret = -EFAULT;
	return ret;
}

static const struct file_operations lt_ctl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = lt_ctl_ioctl,
};

static struct miscdevice lt_ctl = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "lt_ctl",
	.fops = &lt_ctl_fops,
};

static int __init lt_core_init(void)
{
	int ret = register_module_notifier(&lt_module_nb);

	if (ret)
		return ret;
	return misc_register(&lt_ctl);
}

static void __exit lt_core_exit(void)
{
	misc_deregister(&lt_ctl);
	unregister_module_notifier(&lt_module_nb);
}

module_init(lt_core_init);
module_exit(lt_core_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("driver-lifetime: a .lifetime scenario on a real kernel");
