/* irqbalance --oneshot [--debug]: the real irqbalance's one-shot mode,
 * balance the device interrupts once and exit.  There is no daemon.
 *
 * It reads the numbered rows of /proc/interrupts (irq_rows_snapshot: the
 * same counts), takes each vector's interrupts since the last run (since
 * boot the first time) as its load, plans with lib/irqbalance.h (greedy:
 * heaviest vector first onto the least loaded CPU, a margin against
 * churn), and writes each move as `echo MASK > /proc/irq/N/smp_affinity`
 * does (view_write: the same checks, reprogramming and errors).  The CPUs
 * are irq_spread_mask()'s: irqaffinity='s online CPUs when given, else all
 * online ones.  Vectors that cannot move (never routed, an 8259 line) stay
 * and count on their CPU; the LAPIC timer, its error and spurious vectors
 * and the IPIs are not device interrupts and are not looked at. */
#include "kernel/shell/shell.h"
#include "fs/view.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/mm.h"
#include "kernel/mutex.h"
#include "lib/irqbalance.h"
#include <stdio.h>
#include <string.h>

/* guards irqbal_last and a whole run (two sessions may run it at once);
 * threads (shell sessions) only */
static DEFINE_MUTEX(irqbal_mutex);
/* each vector's count at the last run */
static u64 irqbal_last[IRQ_VECTORS];

#define IRQBAL_USAGE "usage: irqbalance --oneshot|-o [--debug|-d] [--foreground|-f]\n"

static int usage_error(const char *fmt, const char *arg)
{
	shell_puts("irqbalance: ");
	shell_printf(fmt, arg);
	shell_puts("\n" IRQBAL_USAGE);
	return 1;
}

static void print_loads(const char *what, const u64 *load, u32 cpus)
{
	const char *sep = "";

	shell_printf("%s", what);
	for (unsigned int c = 0; c < IRQBAL_MAX_CPUS; c++) {
		if (!(cpus & (1U << c)))
			continue;
		shell_printf("%sCPU%u %llu", sep, c, (unsigned long long)load[c]);
		sep = ", ";
	}
}

/* write one move the way `echo MASK > /proc/irq/N/smp_affinity` does */
static int irqbal_move(const struct irq_row_info *row, const struct irqbal_vec *v)
{
	char path[48], mask[16];
	int rc;

	snprintf(path, sizeof(path), "/proc/irq/%u/smp_affinity", row->irq);
	snprintf(mask, sizeof(mask), "%x\n", 1U << v->target);
	rc = view_write(path, mask);
	if (rc)
		return shell_error("irqbalance", "IRQ %u (%s): %s: write error: %s", row->irq,
				   row->name, path, errno_desc(rc));
	shell_printf("IRQ %u (%s): CPU %u -> CPU %u, %llu interrupts since the last run "
		     "(smp_affinity %x)\n", row->irq, row->name, v->cpu, v->target,
		     (unsigned long long)v->load, 1U << v->target);
	return 0;
}

static int irqbal_run(bool debug)
{
	u32 cpus = irq_spread_mask();
	struct irq_row_info *rows = kmalloc(sizeof(*rows) * IRQ_VECTORS);
	struct irqbal_vec *v = kmalloc(sizeof(*v) * IRQ_VECTORS);
	struct irqbal_result *r = kmalloc(sizeof(*r));
	int n, movable = 0, moved = 0, status = 0;

	if (!rows || !v || !r) {
		kfree(rows);
		kfree(v);
		kfree(r);
		return shell_error("irqbalance", "%s", errno_desc(-ENOMEM));
	}
	mutex_lock(&irqbal_mutex);
	n = irq_rows_snapshot(rows, IRQ_VECTORS);
	for (int i = 0; i < n; i++) {
		u64 last = irqbal_last[rows[i].vector];

		/* counts only grow; a vector handed out again keeps its count */
		v[i].load = rows[i].count >= last ? rows[i].count - last : rows[i].count;
		irqbal_last[rows[i].vector] = rows[i].count;
		v[i].cpu = rows[i].cpu;
		v[i].movable = rows[i].movable;
		v[i].id = i;
		movable += rows[i].movable;
	}
	irqbal_plan(v, n, cpus, r);
	if (debug) {
		for (int i = 0; i < n; i++) {
			const struct irq_row_info *row = &rows[v[i].id];

			shell_printf("IRQ %u (%s): %llu interrupts since the last run on CPU %u, %s\n",
				     row->irq, row->name, (unsigned long long)v[i].load, v[i].cpu,
				     !v[i].movable ? "cannot move" :
				     !v[i].load ? "idle, stays" :
				     v[i].target == v[i].cpu ? "stays" : "moves");
		}
		print_loads("load now: ", r->now, cpus);
		print_loads("; planned: ", r->plan, cpus);
		shell_puts("\n");
	}
	if (__builtin_popcount(cpus) < 2) {
		shell_printf("irqbalance: interrupts can go to one CPU only (CPU %u): "
			     "nothing to balance\n", cpus ? (unsigned int)__builtin_ctz(cpus) : 0);
		goto out;
	}
	/* a write that fails (the vector went away meanwhile: ethtool -L)
	 * is reported and not counted; the others still go */
	for (int i = 0; i < n; i++) {
		if (v[i].target == v[i].cpu)
			continue;
		if (irqbal_move(&rows[v[i].id], &v[i]))
			status = 1;
		else
			moved++;
	}
	shell_printf("irqbalance: moved %d of %d movable vectors%s; ", moved, movable,
		     r->applied ? "" : " (balanced within an eighth already)");
	print_loads("interrupts since the last run: ", r->now, cpus);
	if (r->applied)
		print_loads("; after the moves: ", r->plan, cpus);
	shell_puts("\n");
out:
	mutex_unlock(&irqbal_mutex);
	kfree(rows);
	kfree(v);
	kfree(r);
	return status;
}

static int cmd_irqbalance(int argc, char **argv)
{
	bool oneshot = false, debug = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--oneshot"))
			oneshot = true;
		else if (!strcmp(a, "--debug"))
			debug = true;
		else if (!strcmp(a, "--foreground"))
			continue;       /* a one-shot run is in the foreground */
		else if (a[0] == '-' && a[1] == '-')
			return usage_error("unrecognized option '%s'", a);
		else if (a[0] == '-' && a[1]) {
			/* short options, clustered as getopt takes them: -od */
			for (const char *c = a + 1; *c; c++) {
				char opt[2] = { *c, 0 };

				if (*c == 'o')
					oneshot = true;
				else if (*c == 'd')
					debug = true;
				else if (*c != 'f')
					return usage_error("invalid option -- '%s'", opt);
			}
		} else
			return usage_error("unexpected argument '%s'", a);
	}
	if (!oneshot)
		return usage_error("%s", "no daemon in barenet: run it with --oneshot");
	return irqbal_run(debug);
}
SHELL_CMD("irqbalance", cmd_irqbalance,
	  "spread device interrupts over the CPUs by their counts: irqbalance --oneshot [--debug]");
