/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The program format shared by the TypeScript lowering (kernel/bytecode.ts), the kernel
 * module (lt_core.c) and the userspace runner (lt_run.c). Everything is a little-endian
 * int32. Keep the numbers here and in bytecode.ts in step (a unit test checks them).
 */
#ifndef LT_ABI_H
#define LT_ABI_H

#define LT_MAGIC 0x4c54494d /* "LTIM" */
#define LT_VERSION 2

/* header words */
enum lt_hdr {
	H_MAGIC, H_VERSION, H_NSTMT, H_NBLOCK, H_NBLOCKWORDS, H_NTHREAD, H_NWORK, H_NFENCE,
	H_NMUTEX, H_NREV, H_NPTIMER, H_NDATA, H_NDRM, H_NTURN, H_FOPS_OWNER, H_DRM_HOLDS_MODULE,
	H_REMOVE_BLOCK, H_CLOSE_BLOCK, H_RELEASE_BLOCK, H_NSLOT, H_NKREF, H_NSPIN, H_NCOMP,
	H_NCDEV, H_NATTR, H_WORDS
};

/* statement opcodes */
enum lt_op {
	OP_OPEN, OP_CLOSE, OP_IOCTL, OP_GET, OP_PUT, OP_TRY_MODULE_GET, OP_MODULE_PUT, OP_ENTER,
	OP_ACCESS, OP_UNPLUG, OP_REVOKE, OP_HOTUNPLUG, OP_UNBIND, OP_RMMOD, OP_SUBMIT, OP_WAIT,
	OP_POLL, OP_SIGNAL, OP_READ, OP_WRITE, OP_USE, OP_QUEUE, OP_FLUSH, OP_CANCEL, OP_SLEEP,
	OP_LOCK, OP_UNLOCK, OP_REPEAT, OP_LOG,
	/* version 2 */
	OP_ARM, OP_DISABLE, OP_RAISE, OP_FREE_IRQ, OP_COMPLETE, OP_FREE, OP_UNREGISTER, OP_SHOW,
	OP_COUNT
};

/* a callback's kind (the second word of its WRK entry) */
enum lt_cb { CB_WORK, CB_TIMER, CB_IRQ };
/* the third word of a WRK entry: an IRQ's flags */
#define CB_THREADED 1
#define CB_DEVM 2

/* a statement's target kind (its sixth word), where one opcode serves several */
enum lt_target { T_DRM, T_KREF, T_MUTEX, T_SPIN, T_FENCE, T_COMP, T_WORK, T_TIMER, T_DATA, T_CDEV, T_IRQ };

/*
 * Sections after the header: THR[NTHREAD], WRK[3 * NWORK] (block, kind, flags), KRF[2 * NKREF]
 * (release block, devm), ATR[NATTR] (show block), PTM[NPTIMER], DAT[NDATA] (0 devm, 1 drmm, 2 kzalloc),
 * BLK[2 * NBLOCK], BLKW[NBLOCKWORDS], STM[LT_STMT_WORDS * NSTMT], TRN[LT_TURN_WORDS * NTURN].
 */

/* a statement: op, line, column, four arguments, then 1 when it may sleep (language.md §4) */
#define LT_STMT_WORDS 8
/* a turn: thread, phase, line, column, argument */
#define LT_TURN_WORDS 5

/* turn phases */
enum lt_phase {
	PH_RUN,      /* a statement that returns: hold the turn until the thread's next one */
	PH_BLOCK,    /* a statement that blocks in the model: hand the turn on, then enter */
	PH_COMPLETE, /* the step that completes a blocked wait, lock, flush… */
	PH_OOPS,     /* a statement that oopses in the model: hand the turn on, then enter */
	PH_START,    /* a kworker starts (the event thread queues the work) */
	PH_START_OOPS, /* a kworker whose start is code-after-unload in the model */
	PH_FENCE,    /* complete:<fence> (arg: the fence), by an hrtimer */
	PH_TIMEOUT,  /* timeout:<thread> (arg: the thread) */
};

#define LT_EVENT_TID 1000

/* the control device /dev/lt_ctl */
#include <linux/ioctl.h>
struct lt_ctl_arg { int tid; int stmt; int line; int col; int res; };
struct lt_load_arg { unsigned long long words; int nwords; int pad; };
/* busy: callbacks (kworkers, timers) still running in lt_core */
struct lt_status { int cur; int n; int loaded; int busy; };
#define LT_IOC_LOAD    _IOW('L', 1, struct lt_load_arg)
#define LT_IOC_HELLO   _IOW('L', 2, struct lt_ctl_arg)   /* this task is thread tid */
#define LT_IOC_TURN    _IOWR('L', 3, struct lt_ctl_arg)  /* wait for tid's turn at line:col; res = phase */
#define LT_IOC_RUN     _IOWR('L', 4, struct lt_ctl_arg)  /* run statement stmt as thread tid */
#define LT_IOC_DONE    _IOW('L', 5, struct lt_ctl_arg)   /* thread tid ends */
#define LT_IOC_STATUS  _IOR('L', 6, struct lt_status)
#define LT_IOC_PRESENT _IOW('L', 7, struct lt_ctl_arg)   /* hotunplug: the device is gone */
#define LT_IOC_COMPLETE _IOWR('L', 8, struct lt_ctl_arg) /* wait for tid's completion turn */
#define LT_IOC_PASS    _IOW('L', 9, struct lt_ctl_arg)   /* tid hands on the turn it holds */
/* LT_IOC_TURN's stmt: keep a PH_OOPS turn until LT_IOC_PASS (or the task's death) */
#define LT_TURN_HOLD 1

/* the driver ioctl: DRM_COMMAND_BASE + 0 */
struct lt_drm_arg { int tid; int block; int line; int col; };
/* a cdev's ioctl (/dev/lt_cdevN, the char major lt_core registers as "lt_cdev") */
#define LT_CDEV_IOC_RUN _IOWR('l', 1, struct lt_drm_arg)
#endif
