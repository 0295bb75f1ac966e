// SPDX-License-Identifier: GPL-2.0
/*
 * lt_run: the scenario's userspace. One pthread per scenario thread, doing its statements
 * as syscalls (open, ioctl, close, sysfs unbind, delete_module); statements that are kernel
 * actions of the thread itself (get, put, enter, lock, wait…) go to lt_core's interpreter
 * through /dev/lt_ctl. Before each statement a thread takes its turn in the model's step
 * order (the turnstile in lt_core). Static, runs as the initramfs's only program.
 *
 * usage: lt_run PROG.bin NAMES.txt DRV.ko
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "lt_abi.h"

#define DRM_IOCTL_LT_RUN _IOWR('d', 0x40, struct lt_drm_arg)
#define CARD "/dev/dri/card0"
#define UNBIND "/sys/bus/platform/drivers/lt_gpu/unbind"
#define MAX_SLOTS 64

static int *W, NWORDS, *STM, *BLK, *BLKW, *THR;
static int ctl;
static char names[64][32];
static volatile int done_flag[64];

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * The runner's lines share the serial console with the kernel's, character by character:
 * printed while the kernel prints an oops they cut through its words ("general protection
 * fault" came out as "g8e1]n eardal…") and the report could not be read. So while the
 * scenario runs they are held, and printed after LT-END (where the classifier stops).
 */
static pthread_mutex_t say_lock = PTHREAD_MUTEX_INITIALIZER;
static char held[1 << 16];
static size_t nheld;
static int holding;

static void say_line(const char *s)
{
	char line[640];
	int n = snprintf(line, sizeof line, "LT-USER[%.2f] %s\n", now(), s);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	pthread_mutex_lock(&say_lock);
	if (holding && nheld + n < sizeof held) {
		memcpy(held + nheld, line, n);
		nheld += n;
	} else if (!holding) {
		fputs(line, stdout);
		fflush(stdout);
	}
	pthread_mutex_unlock(&say_lock);
}

#define say(...) do { char say_buf[512]; snprintf(say_buf, sizeof say_buf, __VA_ARGS__); say_line(say_buf); } while (0)

/* kind: 0 the drm device, 1 + N the cdev /dev/lt_cdevN */
struct thr { int tid; int fd[MAX_SLOTS]; int kind[MAX_SLOTS]; int order[MAX_SLOTS]; int norder; };

static int turn(int tid, int line, int col, int hold)
{
	struct lt_ctl_arg a = { .tid = tid, .line = line, .col = col, .stmt = hold };
	if (ioctl(ctl, LT_IOC_TURN, &a) < 0)
		return -1;
	return a.res;
}

static void unbind(void)
{
	int fd = open(UNBIND, O_WRONLY);
	if (fd < 0) { say("unbind: %s", strerror(errno)); return; }
	if (write(fd, "lt_gpu", 6) < 0) say("unbind: %s", strerror(errno));
	close(fd);
}

static void exec_block(struct thr *t, int b);

static void exec_stmt(struct thr *t, int s)
{
	int *st = &STM[s * LT_STMT_WORDS];
	int op = st[0], line = st[1], col = st[2], a = st[3], b = st[4];
	const char *who = names[t->tid];
	int ph = PH_RUN;

	switch (op) {
	case OP_SLEEP: {
		/* no virtual clock: a sleep is a yield at its turn, and its end another turn */
		if (turn(t->tid, line, col, 0) == PH_BLOCK) {
			struct lt_ctl_arg c = { .tid = t->tid };
			ioctl(ctl, LT_IOC_COMPLETE, &c);
		}
		return;
	}
	case OP_OPEN: case OP_CLOSE: case OP_IOCTL: case OP_UNBIND: case OP_HOTUNPLUG:
	case OP_RMMOD: case OP_REPEAT: case OP_SHOW:
		/* An open that oopses in the model keeps its turn until open() returns: the
		 * model's next step (the release going on, in bug-chrdev-open-vs-teardown)
		 * must not overtake it before it is inside drm_minor_acquire. An open runs no
		 * scenario statement in the kernel, so holding cannot starve another thread. */
		ph = turn(t->tid, line, col, op == OP_OPEN ? LT_TURN_HOLD : 0);
		if (ph < 0)
			return;
		break;
	default: {
		struct lt_ctl_arg c = { .tid = t->tid, .stmt = s };
		if (ioctl(ctl, LT_IOC_RUN, &c) < 0)
			say("%s %d:%d: %s", who, line, col, strerror(errno));
		return;
	}
	}
	switch (op) {
	case OP_OPEN: {
		char node[32];
		if (b > 0)
			snprintf(node, sizeof node, "/dev/lt_cdev%d", b - 1);
		int fd = open(b > 0 ? node : CARD, O_RDWR);
		if (ph == PH_OOPS) {
			struct lt_ctl_arg c = { .tid = t->tid };
			ioctl(ctl, LT_IOC_PASS, &c);
		}
		t->fd[a] = fd;
		t->kind[a] = b;
		if (fd < 0) { say("%s %d:%d open: %s", who, line, col, strerror(errno)); break; }
		t->order[t->norder++] = a;
		break;
	}
	case OP_CLOSE:
		if (t->fd[a] >= 0) { close(t->fd[a]); t->fd[a] = -1; }
		else say("%s %d:%d close: EBADF (not open)", who, line, col);
		break;
	case OP_IOCTL:
		if (t->fd[a] >= 0) {
			struct lt_drm_arg d = { .tid = t->tid, .block = b, .line = line, .col = col };
			if (ioctl(t->fd[a], t->kind[a] > 0 ? LT_CDEV_IOC_RUN : DRM_IOCTL_LT_RUN, &d) < 0)
				say("%s %d:%d ioctl: %s", who, line, col, strerror(errno));
		} else {
			say("%s %d:%d ioctl: EBADF (not open)", who, line, col);
		}
		break;
	case OP_UNBIND:
		unbind();
		break;
	case OP_HOTUNPLUG: {
		struct lt_ctl_arg c = { .tid = t->tid };
		ioctl(ctl, LT_IOC_PRESENT, &c);
		unbind();
		break;
	}
	case OP_RMMOD: {
		long r = syscall(SYS_delete_module, "lt_drv", O_NONBLOCK | (a ? O_TRUNC : 0));
		say("%s %d:%d rmmod: %s", who, line, col, r == 0 ? "ok" : strerror(errno));
		break;
	}
	case OP_SHOW: {
		/* a read of the attribute: its show() runs the block in the kernel */
		char path[96], buf[64];
		snprintf(path, sizeof path, "/sys/bus/platform/devices/lt_gpu/lt_attr%d", a);
		int fd = open(path, O_RDONLY);
		if (fd < 0) { say("%s %d:%d show: %s", who, line, col, strerror(errno)); break; }
		if (read(fd, buf, sizeof buf) < 0) say("%s %d:%d show: %s", who, line, col, strerror(errno));
		close(fd);
		break;
	}
	case OP_REPEAT:
		for (int i = 0; i < a; i++)
			exec_block(t, b);
		break;
	}
}

static void exec_block(struct thr *t, int b)
{
	int start = BLK[b * 2], len = BLK[b * 2 + 1];
	for (int i = 0; i < len; i++)
		exec_stmt(t, BLKW[start + i]);
}

static void *thread_main(void *p)
{
	struct thr *t = p;
	struct lt_ctl_arg c = { .tid = t->tid };

	prctl(PR_SET_NAME, names[t->tid]);	/* the hung-task report and the oops name it */
	ioctl(ctl, LT_IOC_HELLO, &c);
	exec_block(t, THR[t->tid]);
	/* process exit closes what is still open, in opening order (no turn of its own) */
	for (int i = 0; i < t->norder; i++) {
		int s = t->order[i];
		if (t->fd[s] >= 0) { close(t->fd[s]); t->fd[s] = -1; }
	}
	ioctl(ctl, LT_IOC_DONE, &c);
	say("%s done", names[t->tid]);
	done_flag[t->tid] = 1;
	return NULL;
}

static void qemu_exit(int code)
{
	fflush(stdout);
	sleep(1);	/* let the UART drain */
	if (ioperm(0xf4, 4, 1) == 0)
		outb(code, 0xf4);
	_exit(code);
}

int main(int argc, char **argv)
{
	if (argc < 4) { fprintf(stderr, "usage: lt_run PROG NAMES DRV.ko\n"); return 2; }
	FILE *pf = fopen(argv[1], "rb");
	if (!pf) { say("LT-FAIL cannot read %s", argv[1]); qemu_exit(3); }
	fseek(pf, 0, SEEK_END);
	long sz = ftell(pf);
	fseek(pf, 0, SEEK_SET);
	W = malloc(sz);
	if (fread(W, 1, sz, pf) != (size_t)sz) { say("LT-FAIL short read"); qemu_exit(3); }
	fclose(pf);
	NWORDS = sz / 4;
	int nthread = W[H_NTHREAD];
	int off = H_WORDS;
	THR = &W[off]; off += W[H_NTHREAD] + 3 * W[H_NWORK] + 2 * W[H_NKREF] + W[H_NATTR] + W[H_NPTIMER] + W[H_NDATA];
	BLK = &W[off]; off += 2 * W[H_NBLOCK];
	BLKW = &W[off]; off += W[H_NBLOCKWORDS];
	STM = &W[off];

	FILE *nf = fopen(argv[2], "r");
	for (int i = 0; nf && i < 64 && fgets(names[i], sizeof names[i], nf); i++)
		names[i][strcspn(names[i], "\n")] = 0;
	if (nf) fclose(nf);

	ctl = open("/dev/lt_ctl", O_RDWR);
	if (ctl < 0) { say("LT-FAIL /dev/lt_ctl: %s", strerror(errno)); qemu_exit(3); }
	struct lt_load_arg la = { .words = (unsigned long long)(unsigned long)W, .nwords = NWORDS };
	if (ioctl(ctl, LT_IOC_LOAD, &la) < 0) { say("LT-FAIL load: %s", strerror(errno)); qemu_exit(3); }
	if (W[H_NCDEV]) {
		/* lt_core registered the char major at load: make the nodes (no udev here) */
		FILE *df = fopen("/proc/devices", "r");
		char l[128];
		int major = -1, mj;
		while (df && fgets(l, sizeof l, df))
			if (sscanf(l, "%d lt_cdev", &mj) == 1 && strstr(l, "lt_cdev")) major = mj;
		if (df) fclose(df);
		for (int i = 0; major >= 0 && i < W[H_NCDEV]; i++) {
			char node[32];
			snprintf(node, sizeof node, "/dev/lt_cdev%d", i);
			if (mknod(node, S_IFCHR | 0666, makedev(major, i)) != 0) say("LT-FAIL mknod %s: %s", node, strerror(errno));
		}
		if (major < 0) { say("LT-FAIL no lt_cdev major in /proc/devices"); qemu_exit(3); }
	}
	int kfd = open(argv[3], O_RDONLY);
	char params[64];
	snprintf(params, sizeof params, "fops_owner=%d", W[H_FOPS_OWNER]);
	if (kfd < 0 || syscall(SYS_finit_module, kfd, params, 0) != 0) {
		say("LT-FAIL insmod lt_drv: %s", strerror(errno));
		qemu_exit(3);
	}
	close(kfd);
	if (W[H_NDRM]) {
		struct stat sb;
		for (int i = 0; i < 50 && stat(CARD, &sb) != 0; i++) usleep(100000);
	}
	say("LT-START threads=%d turns=%d", nthread, W[H_NTURN]);
	holding = 1;

	static struct thr th[64];
	pthread_t pt[64];
	for (int i = 0; i < nthread; i++) {
		th[i].tid = i;
		for (int s = 0; s < MAX_SLOTS; s++) th[i].fd[s] = -1;
		pthread_create(&pt[i], NULL, thread_main, &th[i]);
	}
	/* watch the turnstile: the end of the model's run, then a window for the hung-task
	 * detector; or no progress at all for a long while (a stall: the kernel went its own
	 * way); or the overall limit */
	double t0 = now(), last = now(), end_seen = 0;
	int lastcur = -1, why = 0;
	const double window = argc > 4 ? atof(argv[4]) : 7.0;
	/* a debug (KASAN + lockdep) kernel runs each step several times slower: the stall and
	 * overall limits stretch with it (the harness says by how much) */
	const double slow = argc > 5 && atof(argv[5]) >= 1 ? atof(argv[5]) : 1.0;
	for (;;) {
		struct lt_status st;
		ioctl(ctl, LT_IOC_STATUS, &st);
		int alldone = 1;
		for (int i = 0; i < nthread; i++) alldone &= done_flag[i];
		if (st.cur != lastcur) { lastcur = st.cur; last = now(); }
		if (st.cur >= st.n && !end_seen) end_seen = now();
		/* a callback still running (a timer spinning in its own del_timer_sync) is a
		 * thread that is not done */
		if (end_seen && alldone && !st.busy && now() - end_seen > 1.5) { why = 0; break; }
		if (end_seen && now() - end_seen > window * slow) { why = 1; break; }
		if (!end_seen && now() - last > 20 * slow) { why = 2; break; }
		if (now() - t0 > 120 * slow) { why = 3; break; }
		usleep(100000);
	}
	struct lt_status st;
	ioctl(ctl, LT_IOC_STATUS, &st);
	int ndone = 0;
	for (int i = 0; i < nthread; i++) ndone += done_flag[i];
	printf("LT-END why=%s step=%d of %d threads_done=%d of %d\n",
	       why == 0 ? "done" : why == 1 ? "blocked" : why == 2 ? "stalled" : "limit",
	       st.cur, st.n, ndone, nthread);
	for (int i = 0; i < nthread; i++)
		if (!done_flag[i]) printf("LT-THREAD %s not done\n", names[i]);
	pthread_mutex_lock(&say_lock);
	holding = 0;
	fwrite(held, 1, nheld, stdout);
	pthread_mutex_unlock(&say_lock);
	qemu_exit(1);
}
