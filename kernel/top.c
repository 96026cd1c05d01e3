/* `top -b -n N [-d SECS]` in procps-ng's batch layout, and /proc/loadavg.
 *
 * A frame is the five summary lines and one row per kernel thread, sorted
 * by %CPU (then PID).  %CPU and the %Cpu(s) line are measured over the
 * frame's interval: the first frame's is TOP_FIRST_MS (procps also shows
 * its first frame after a short sample), the next ones' -d (default 3 s).
 * There is no wall clock: the time in the first line is the time since
 * boot, as ps's START is.  Kernel threads have no memory of their own
 * (VIRT RES SHR 0), priority 20, nice 0, as Linux shows its kthreads. */
#include "kernel/sched.h"
#include "fs/view.h"
#include "kernel/cpustat.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/mutex.h"
#include "kernel/percpu.h"
#include "kernel/shell/shell.h"
#include "kernel/time.h"
#include "lib/seq_buf.h"
#include <stdlib.h>
#include <string.h>

#define TOP_ROWS_MAX     64
#define TOP_FIRST_MS     500
#define TOP_DELAY_MS     3000           /* procps's default -d */
#define TOP_ITER_MAX     100
#define CTRL_C           0x03
#define KIB_PER_MIB      1024
#define SEC_PER_MIN      60ULL
#define MIN_PER_HOUR     60ULL
#define NSEC_PER_CS      (NSEC_PER_SEC / 100)

struct top_row {
	int pid;
	char stat;
	u64 runtime_ns;
	char comm[TASK_COMM_LEN];
	unsigned int permille;          /* of one CPU, over the interval */
};

struct top_snap {
	u64 now;
	int n;
	struct top_row rows[TOP_ROWS_MAX];
	u64 cpu[NR_STATS];          /* summed over CPUs, ns */
};

/* guards the two snapshots: one top at a time over the shell sessions;
 * threads only */
static DEFINE_MUTEX(top_mutex);
static struct top_snap snaps[2];

static void top_collect(struct task_struct *t, void *arg)
{
	struct top_snap *s = arg;
	struct top_row *r;

	if (s->n >= TOP_ROWS_MAX)
		return;
	r = &s->rows[s->n++];
	r->pid = t->pid;
	r->stat = t->state == TASK_DEAD ? 'Z' : t->state == TASK_RUNNING ? 'R' : 'S';
	r->runtime_ns = task_runtime_ns(t, s->now);
	memcpy(r->comm, t->comm, sizeof(r->comm));
}

static void top_sample(struct top_snap *s)
{
	s->n = 0;
	s->now = ktime_get_ns();
	for_each_task(top_collect, s);
	for (int st = 0; st < NR_STATS; st++) {
		s->cpu[st] = 0;
		for (unsigned int c = 0; c < nr_cpu_ids_online(); c++)
			s->cpu[st] += cpustat_ns(c, (enum cpu_usage_stat)st);
	}
}

/* "12.3" of a permille */
static void pct(char *buf, size_t size, u64 permille)
{
	struct seq_buf s;

	seq_buf_init(&s, buf, size);
	seq_buf_printf(&s, "%llu.%llu", (unsigned long long)(permille / 10),
		       (unsigned long long)(permille % 10));
}

/* "255.4" MiB of kib */
static void mib(char *buf, size_t size, u64 kib)
{
	struct seq_buf s;

	seq_buf_init(&s, buf, size);
	seq_buf_printf(&s, "%llu.%llu", (unsigned long long)(kib / KIB_PER_MIB),
		       (unsigned long long)(kib % KIB_PER_MIB * 10 / KIB_PER_MIB));
}

static u64 share(u64 part, u64 whole)
{
	return whole ? (part * 1000 + whole / 2) / whole : 0;
}

static void top_frame(const struct top_snap *a, struct top_snap *b)
{
	u64 dt = b->now - a->now, up_s = b->now / NSEC_PER_SEC, total = 0;
	unsigned long load[3];
	unsigned int running = 0, sleeping = 0, zombie = 0;
	char us[8], sy[8], id[8], hi[8], si[8], tot[24], fr[24], used[24];
	u64 d[NR_STATS], ram = mm_total_ram_kib(), free = mm_free_kib();

	for (int i = 0; i < b->n; i++) {
		struct top_row *r = &b->rows[i];
		u64 before = 0;

		for (int j = 0; j < a->n; j++)
			if (a->rows[j].pid == r->pid)
				before = a->rows[j].runtime_ns;
		r->permille = (unsigned int)share(r->runtime_ns - MIN(before, r->runtime_ns), dt);
		running += r->stat == 'R';
		sleeping += r->stat == 'S';
		zombie += r->stat == 'Z';
	}
	/* top's default order: %CPU, highest first (insertion sort, stable) */
	for (int i = 1; i < b->n; i++) {
		struct top_row r = b->rows[i];
		int j = i;

		for (; j > 0 && b->rows[j - 1].permille < r.permille; j--)
			b->rows[j] = b->rows[j - 1];
		b->rows[j] = r;
	}
	for (int st = 0; st < NR_STATS; st++) {
		d[st] = b->cpu[st] - MIN(a->cpu[st], b->cpu[st]);
		total += d[st];
	}
	pct(us, sizeof(us), share(d[CPUTIME_USER], total));
	pct(sy, sizeof(sy), share(d[CPUTIME_SYSTEM], total));
	pct(id, sizeof(id), share(d[CPUTIME_IDLE], total));
	pct(hi, sizeof(hi), share(d[CPUTIME_IRQ], total));
	pct(si, sizeof(si), share(d[CPUTIME_SOFTIRQ], total));
	get_avenrun_hundredths(load);
	shell_printf("top - %02llu:%02llu:%02llu up %llu min,  0 users,  load average: "
		     "%lu.%02lu, %lu.%02lu, %lu.%02lu\n",
		     (unsigned long long)(up_s / 3600), (unsigned long long)(up_s / 60 % 60),
		     (unsigned long long)(up_s % 60), (unsigned long long)(up_s / 60),
		     load[0] / 100, load[0] % 100, load[1] / 100, load[1] % 100,
		     load[2] / 100, load[2] % 100);
	shell_printf("Tasks: %3d total, %3u running, %3u sleeping,   0 stopped, %3u zombie\n",
		     b->n, running, sleeping, zombie);
	shell_printf("%%Cpu(s): %4s us, %4s sy,  0.0 ni, %4s id,  0.0 wa, %4s hi, %4s si,  0.0 st\n",
		     us, sy, id, hi, si);
	mib(tot, sizeof(tot), ram);
	mib(fr, sizeof(fr), free);
	mib(used, sizeof(used), ram - free);
	shell_printf("MiB Mem : %8s total, %8s free, %8s used, %8s buff/cache\n", tot, fr, used,
		     "0.0");
	shell_printf("MiB Swap: %8s total, %8s free, %8s used. %8s avail Mem\n\n", "0.0", "0.0",
		     "0.0", fr);
	shell_printf("    PID USER      PR  NI    VIRT    RES    SHR S  %%CPU  %%MEM     TIME+ COMMAND\n");
	for (int i = 0; i < b->n; i++) {
		const struct top_row *r = &b->rows[i];
		u64 cs = r->runtime_ns / NSEC_PER_CS;
		char cpu[8];

		pct(cpu, sizeof(cpu), r->permille);
		shell_printf("%7d %-8s  20   0       0      0      0 %c %5s   0.0 %3llu:%02llu.%02llu %s\n",
			     r->pid, "root", r->stat, cpu, (unsigned long long)(cs / 100 / SEC_PER_MIN),
			     (unsigned long long)(cs / 100 % SEC_PER_MIN),
			     (unsigned long long)(cs % 100), r->comm);
	}
}

/* wait ms in this thread; false when Ctrl-C came or the session left */
static bool top_wait(unsigned int ms)
{
	u64 end = ktime_get_ns() + (u64)ms * NSEC_PER_MSEC;
	int c;

	while (ktime_get_ns() < end) {
		while ((c = shell_getc()) >= 0)
			if (c == CTRL_C)
				return false;
		if (shell_hungup())
			return false;
		msleep(MIN(100U, (unsigned int)((end - ktime_get_ns()) / NSEC_PER_MSEC) + 1));
	}
	return true;
}

static int top_usage(void)
{
	shell_puts("Usage: top -b [-n ITERATIONS] [-d SECONDS]\n");
	return 1;
}

static int cmd_top_locked(int argc, char **argv)
{
	unsigned long iters = 1;
	unsigned int delay_ms = TOP_DELAY_MS, cur = 0;
	bool batch = false;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "-b")) {
			batch = true;
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			iters = strtoul(argv[++i], &end, 10);
			if (*end || !iters || iters > TOP_ITER_MAX)
				return shell_error("top", "bad iterations argument '%s'", argv[i]);
		} else if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			unsigned long s = strtoul(argv[++i], &end, 10), tenths = 0;

			if (*end == '.' && end[1] >= '0' && end[1] <= '9' && !end[2])
				tenths = (unsigned long)(end[1] - '0');
			else if (*end)
				return shell_error("top", "bad delay interval '%s'", argv[i]);
			if (s > 3600)
				return shell_error("top", "bad delay interval '%s'", argv[i]);
			delay_ms = (unsigned int)(s * 1000 + tenths * 100);
			if (delay_ms < 100)
				delay_ms = 100;
		} else {
			return top_usage();
		}
	}
	/* no terminal to repaint: batch mode is what a serial line can show */
	if (!batch)
		return shell_error("top", "only batch mode here: top -b [-n N] [-d SECS]");
	top_sample(&snaps[cur]);
	for (unsigned long it = 0; it < iters; it++) {
		if (!top_wait(it ? delay_ms : TOP_FIRST_MS))
			return 130;
		top_sample(&snaps[cur ^ 1]);
		if (it)
			shell_puts("\n");
		top_frame(&snaps[cur], &snaps[cur ^ 1]);
		cur ^= 1;
	}
	return 0;
}

static int cmd_top(int argc, char **argv)
{
	int rc;

	mutex_lock(&top_mutex);
	rc = cmd_top_locked(argc, argv);
	mutex_unlock(&top_mutex);
	return rc;
}
SHELL_CMD("top", cmd_top, "threads by CPU use, as procps top: top -b [-n N] [-d SECS]");

struct loadavg_count {
	unsigned int running, total;
};

static void loadavg_collect(struct task_struct *t, void *arg)
{
	struct loadavg_count *c = arg;

	c->total++;
	c->running += t->state == TASK_RUNNING;
}

/* Linux fs/proc/loadavg.c: the three averages, running/total threads, the
 * last pid handed out */
static int loadavg_show(char *buf, size_t size, const char *const *args)
{
	struct loadavg_count c = { 0 };
	unsigned long load[3];
	struct seq_buf s;

	(void)args;
	get_avenrun_hundredths(load);
	for_each_task(loadavg_collect, &c);
	seq_buf_init(&s, buf, size);
	seq_buf_printf(&s, "%lu.%02lu %lu.%02lu %lu.%02lu %u/%u %d\n", load[0] / 100,
		       load[0] % 100, load[1] / 100, load[1] % 100, load[2] / 100, load[2] % 100,
		       c.running, c.total, kthread_last_pid());
	return seq_buf_used(&s);
}
VIEW("/proc/loadavg", loadavg_show);
