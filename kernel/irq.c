/* Interrupt dispatch: the vector allocator, handler chains for shared
 * lines, per-vector counts, and the common interrupt path. */
#include "kernel/irq.h"
#include "fs/view.h"
#include "kernel/cmdline.h"
#include "kernel/cpustat.h"
#include "kernel/errno.h"
#include "kernel/idt.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"
#include "kernel/x86.h"
#include "lib/parse_num.h"
#include "lib/seq_buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct irq_action {
	irq_handler_t fn;
	void *ctx;
	const char *name;
	struct irq_action *next;
};

struct irq_desc {
	struct irq_action *chain;       /* read by irq_dispatch without the lock */
	u64 count[NR_CPUS];             /* per CPU: each CPU writes only its own */
	u64 unhandled;                  /* atomic: any CPU */
	u32 active;                     /* CPUs inside its handlers now (atomic) */
	u32 affinity;                   /* CPUs it may go to (smp_affinity); 0: not routed */
	unsigned int cpu;               /* the CPU it is delivered to (the first of affinity) */
	bool allocated;                 /* device vectors handed out by irq_vector_alloc */
	bool reported;                  /* an unclaimed interrupt was reported */
	/* the controller input, for /proc/interrupts (irq_set_chip_info) */
	const char *chip;               /* NULL: not set */
	unsigned int irq;
	unsigned long hwirq;
	bool level;
	/* moves a routed vector to another CPU (the IOAPIC entry's or MSI
	 * message's destination): irq_set_retarget; NULL: it cannot move */
	irq_retarget_t retarget;
	void *retarget_ctx;
};

static struct irq_desc irq_descs[IRQ_VECTORS];
static struct irq_action action_pool[IRQ_ACTIONS_MAX];
static struct irq_action *action_free;
static bool action_pool_ready;
/* guards the handler chains, the vector allocator and the chip info;
 * thread context (drivers, views), irqsave; irq_dispatch reads the chains
 * without it (published with release stores) */
static struct spinlock irq_lock = SPINLOCK_INIT("irq");
static u64 spurious_total;
/* the interrupt controller's own spurious interrupts (irq_eoi said so:
 * the 8259's IRQ 7/15), counted in /proc/interrupts' ERR row as Linux's
 * irq_err_count, not as unclaimed */
static u64 chip_spurious_total;
DEFINE_PER_CPU(unsigned int, irq_nesting);
/* the frame of the interrupt being handled, per CPU (get_irq_regs) */
static struct trap_frame *irq_regs[NR_CPUS];
/* where device interrupts go unless said otherwise: irqaffinity= (a CPU
 * list, as Linux's); written once on the command line, before any route */
static u32 irq_default_affinity = 1;

static bool irq_eoi_none(int vector)
{
	(void)vector;
	return false;
}

bool (*irq_eoi)(int vector) = irq_eoi_none;

/* a weak definition: the softirq layer overrides it */
__attribute__((weak)) void irq_exit(void)
{
}

static bool vector_ok(int vector)
{
	return vector >= IRQ_VECTOR_FIRST && vector < IRQ_VECTORS;
}

int irq_vector_alloc(void)
{
	unsigned long flags = spin_lock_irqsave(&irq_lock);
	int v;

	for (v = IRQ_VECTOR_DEV_FIRST; v <= IRQ_VECTOR_DEV_LAST; v++)
		if (!irq_descs[v].allocated && !irq_descs[v].chain)
			break;
	if (v > IRQ_VECTOR_DEV_LAST)
		v = -ENOSPC;
	else
		irq_descs[v].allocated = true;
	spin_unlock_irqrestore(&irq_lock, flags);
	return v;
}

void irq_vector_free(int vector)
{
	unsigned long flags;

	if (vector < IRQ_VECTOR_DEV_FIRST || vector > IRQ_VECTOR_DEV_LAST)
		return;
	flags = spin_lock_irqsave(&irq_lock);
	if (irq_descs[vector].chain)
		pr_warn("irq: vector %#x freed with handlers still on it\n", vector);
	irq_descs[vector].allocated = false;
	irq_descs[vector].chip = NULL;
	spin_unlock_irqrestore(&irq_lock, flags);
}

static struct irq_action *action_get(void)
{
	struct irq_action *a;

	if (!action_pool_ready) {
		for (int i = IRQ_ACTIONS_MAX - 1; i >= 0; i--) {
			action_pool[i].next = action_free;
			action_free = &action_pool[i];
		}
		action_pool_ready = true;
	}
	a = action_free;
	if (a)
		action_free = a->next;
	return a;
}

int irq_set_handler(int vector, irq_handler_t fn, void *ctx, const char *name)
{
	struct irq_action *a, **pp;
	unsigned long flags;
	int rc = 0;

	if (!vector_ok(vector) || !fn)
		return -EINVAL;
	flags = spin_lock_irqsave(&irq_lock);
	for (pp = &irq_descs[vector].chain; *pp; pp = &(*pp)->next) {
		if ((*pp)->fn == fn && (*pp)->ctx == ctx) {
			rc = -EEXIST;
			goto out;
		}
	}
	a = action_get();
	if (!a) {
		rc = -ENOSPC;
		goto out;
	}
	a->fn = fn;
	a->ctx = ctx;
	a->name = name ? name : "?";
	a->next = NULL;
	/* publish a complete record: irq_dispatch walks the chain unlocked */
	__atomic_store_n(pp, a, __ATOMIC_RELEASE);
	irq_descs[vector].reported = false;
out:
	spin_unlock_irqrestore(&irq_lock, flags);
	return rc;
}

int irq_remove_handler(int vector, irq_handler_t fn, void *ctx)
{
	struct irq_action *a, **pp;
	unsigned long flags;
	int rc = -ENOENT;

	if (!vector_ok(vector))
		return -EINVAL;
	flags = spin_lock_irqsave(&irq_lock);
	for (pp = &irq_descs[vector].chain; (a = *pp); pp = &a->next) {
		if (a->fn == fn && a->ctx == ctx) {
			__atomic_store_n(pp, a->next, __ATOMIC_RELEASE);
			irq_descs[vector].reported = false;
			/* another CPU may be inside a->fn (the interrupt's
			 * CPU): wait until it is out (Linux synchronize_irq);
			 * it takes no lock we hold, and this CPU's interrupts
			 * being off does not hold it up */
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			while (__atomic_load_n(&irq_descs[vector].active, __ATOMIC_ACQUIRE))
				cpu_relax();
			a->next = action_free;
			action_free = a;
			rc = 0;
			break;
		}
	}
	spin_unlock_irqrestore(&irq_lock, flags);
	return rc;
}

u64 irq_count_cpu(int vector, unsigned int cpu)
{
	if (vector < 0 || vector >= IRQ_VECTORS || cpu >= NR_CPUS)
		return 0;
	return READ_ONCE(irq_descs[vector].count[cpu]);
}

u64 irq_count(int vector)
{
	u64 n = 0;

	for (unsigned int c = 0; c < nr_cpu_ids_online(); c++)
		n += irq_count_cpu(vector, c);
	return n;
}

u64 irq_chip_spurious_count(void)
{
	return READ_ONCE(chip_spurious_total);
}

u64 irq_spurious_count(void)
{
	return READ_ONCE(spurious_total);
}

const char *irq_name(int vector)
{
	struct irq_action *a;

	if (!vector_ok(vector))
		return NULL;
	a = READ_ONCE(irq_descs[vector].chain);
	return a ? a->name : NULL;
}

/* Nobody claimed this interrupt.  Say so once per vector (until a handler
 * is added), then only count: a stuck line must not flood the console. */
static void irq_unclaimed(struct irq_desc *d, int vector, bool has_handlers)
{
	/* the spurious vector can arrive on any CPU */
	__atomic_fetch_add(&d->unhandled, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&spurious_total, 1, __ATOMIC_RELAXED);
	if (d->reported)
		return;
	d->reported = true;
	if (vector == IRQ_VECTOR_SPURIOUS)
		pr_warn("irq: spurious interrupt (vector %#x); further ones are only counted\n",
			vector);
	else if (has_handlers)
		pr_warn("irq: vector %#x (%s): no handler claimed the interrupt; "
			"further ones are only counted\n", vector, d->chain->name);
	else
		pr_warn("irq: unexpected interrupt on vector %#x (no handler); "
			"further ones are only counted\n", vector);
}

void irq_dispatch(struct trap_frame *tf)
{
	int vector = tf->vector;
	struct irq_desc *d = &irq_descs[vector];
	struct irq_action *a;
	int handled = IRQ_NONE;
	bool chip_spurious;
	unsigned int *nesting = this_cpu_ptr(&irq_nesting);
	/* the outermost interrupt's time is hard IRQ time, whatever it
	 * interrupted (idle included: cpustat.c) */
	enum cpu_usage_stat prev = *nesting ? CPUTIME_IRQ : cpustat_switch(CPUTIME_IRQ);

	struct trap_frame *old_regs = irq_regs[smp_processor_id()];

	irq_regs[smp_processor_id()] = tf;
	(*nesting)++;
	d->count[smp_processor_id()]++;
	__atomic_fetch_add(&d->active, 1, __ATOMIC_ACQUIRE);
	for (a = __atomic_load_n(&d->chain, __ATOMIC_ACQUIRE); a; a = a->next)
		handled |= a->fn(a->ctx);
	__atomic_fetch_sub(&d->active, 1, __ATOMIC_RELEASE);
	irq_regs[smp_processor_id()] = old_regs;
	/* the LAPIC sets no in-service bit for its spurious vector: an EOI
	 * there would retire some other interrupt (SDM vol.3A 10.9) */
	chip_spurious = vector != IRQ_VECTOR_SPURIOUS && irq_eoi(vector);
	if (handled == IRQ_NONE) {
		if (chip_spurious)
			__atomic_fetch_add(&chip_spurious_total, 1, __ATOMIC_RELAXED);
		else
			irq_unclaimed(d, vector, d->chain != NULL);
	}
	(*nesting)--;
	if (!*nesting) {
		cpustat_switch(prev);
		irq_exit();
		/* the tick or a wake-up may have made another thread due */
		sched_preempt_irq();
	}
}

struct trap_frame *get_irq_regs(void)
{
	return irq_regs[smp_processor_id()];
}

void irq_show(void)
{
	for (int v = IRQ_VECTOR_FIRST; v < IRQ_VECTORS; v++) {
		struct irq_desc *d = &irq_descs[v];

		if (!irq_count(v) && !d->chain)
			continue;
		printk(KERN_INFO "irq: vector %#04x: %llu taken, %llu unclaimed:", v,
		       (unsigned long long)irq_count(v), (unsigned long long)d->unhandled);
		for (struct irq_action *a = d->chain; a; a = a->next)
			pr_cont(" %s", a->name);
		pr_cont("\n");
	}
}

int irq_set_chip_info(int vector, unsigned int irq, const char *chip, unsigned long hwirq,
		      bool level)
{
	unsigned long flags;
	int rc = 0;

	if (!vector_ok(vector) || !chip)
		return -EINVAL;
	flags = spin_lock_irqsave(&irq_lock);
	for (int v = IRQ_VECTOR_FIRST; v < IRQ_VECTORS; v++) {
		if (v != vector && irq_descs[v].chip && irq_descs[v].irq == irq) {
			rc = -EBUSY;
			goto out;
		}
	}
	irq_descs[vector].chip = chip;
	irq_descs[vector].irq = irq;
	irq_descs[vector].hwirq = hwirq;
	irq_descs[vector].level = level;
out:
	spin_unlock_irqrestore(&irq_lock, flags);
	return rc;
}

/* --- affinity --- */

/* "0-3,6": bits in *mask; 0 or -EINVAL (also for CPUs >= NR_CPUS) */
static int cpulist_parse(const char *s, u32 *mask)
{
	u32 m = 0;

	while (*s) {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;

		if (end == s)
			return -EINVAL;
		if (*end == '-') {
			s = end + 1;
			hi = strtoul(s, &end, 10);
			if (end == s)
				return -EINVAL;
		}
		if (lo > hi || hi >= NR_CPUS)
			return -EINVAL;
		for (unsigned long c = lo; c <= hi; c++)
			m |= 1U << c;
		if (*end == ',')
			end++;
		else if (*end)
			return -EINVAL;
		s = end;
	}
	if (!m)
		return -EINVAL;
	*mask = m;
	return 0;
}

static bool irq_default_affinity_given;

static int set_irqaffinity(const char *v)
{
	int rc = cpulist_parse(v, &irq_default_affinity);

	irq_default_affinity_given |= !rc;
	return rc;
}
CMDLINE_OPT("irqaffinity", set_irqaffinity,
	    "CPU list device interrupts are delivered to (the first online one), e.g. 1 (default 0)");

static u32 online_mask(void)
{
	unsigned int n = nr_cpu_ids_online();

	return n >= 32 ? ~0U : (1U << n) - 1;
}

unsigned int irq_setup_affinity(int vector)
{
	u32 m = irq_default_affinity & online_mask();
	unsigned int cpu = m ? (unsigned int)__builtin_ctz(m) : 0;
	unsigned long flags;

	if (!vector_ok(vector))
		return 0;
	flags = spin_lock_irqsave(&irq_lock);
	irq_descs[vector].cpu = cpu;
	/* what is shown is where it can go now: the CPUs of the mask that
	 * were online when it was routed (a line routed before the APs
	 * started stays on CPU 0) */
	irq_descs[vector].affinity = m ? m : 1U;
	spin_unlock_irqrestore(&irq_lock, flags);
	return cpu;
}

u32 irq_spread_mask(void)
{
	u32 m = irq_default_affinity & online_mask();

	return irq_default_affinity_given && m ? m : online_mask();
}

int irq_set_retarget(int vector, irq_retarget_t fn, void *ctx)
{
	unsigned long flags;

	if (!vector_ok(vector))
		return -EINVAL;
	flags = spin_lock_irqsave(&irq_lock);
	irq_descs[vector].retarget = fn;
	irq_descs[vector].retarget_ctx = ctx;
	spin_unlock_irqrestore(&irq_lock, flags);
	return 0;
}

int irq_set_affinity(int vector, u32 mask)
{
	u32 m = mask & online_mask();
	unsigned int cpu;
	irq_retarget_t fn;
	void *ctx;
	int rc;

	if (!vector_ok(vector))
		return -EINVAL;
	fn = READ_ONCE(irq_descs[vector].retarget);
	ctx = READ_ONCE(irq_descs[vector].retarget_ctx);
	if (!fn)
		return -EIO;            /* Linux: !irq_can_set_affinity_usr */
	/* no online CPU in it: refused, as Linux's irq_affinity_proc_write */
	if (!m)
		return -EINVAL;
	cpu = (unsigned int)__builtin_ctz(m);
	/* the new destination first, then where it is shown to go: an
	 * interrupt in flight lands on the old CPU, which handles it */
	rc = fn(vector, cpu, ctx);
	if (rc)
		return rc;
	WRITE_ONCE(irq_descs[vector].affinity, m);
	WRITE_ONCE(irq_descs[vector].cpu, cpu);
	return 0;
}

unsigned int irq_effective_cpu(int vector)
{
	return vector_ok(vector) ? READ_ONCE(irq_descs[vector].cpu) : 0;
}

/* --- /proc/interrupts and /proc/irq/<N>/ --- */

/* Linux's width of the IRQ number column: 3 digits below 1000 IRQs */
#define IRQ_PROC_PREC 3

/* the LAPIC's own vectors and the IPIs have rows of their own (LOC, ERR,
 * SPU, RES, CAL; the stop IPI none, as Linux's REBOOT_VECTOR) */
static bool irq_vector_is_lapic(int v)
{
	return v == IRQ_VECTOR_TIMER || v == IRQ_VECTOR_ERROR || v == IRQ_VECTOR_SPURIOUS ||
	       v == IRQ_VECTOR_CALL_FUNC || v == IRQ_VECTOR_RESCHEDULE || v == IRQ_VECTOR_STOP;
}

static unsigned int irq_number(int v)
{
	return irq_descs[v].chip ? irq_descs[v].irq : (unsigned int)v;
}

/* vectors with a numbered row (a handler or a count), by IRQ number: as
 * Linux's show_interrupts, an IRQ with neither is left out (an MSI-X
 * vector allocated for a queue ethtool -L has not switched on) */
static int irq_rows(u8 *rows)
{
	int n = 0;

	for (int v = IRQ_VECTOR_FIRST; v < IRQ_VECTORS; v++) {
		struct irq_desc *d = &irq_descs[v];
		int j;

		if (irq_vector_is_lapic(v) || (!d->chain && !irq_count(v)))
			continue;
		for (j = n++; j > 0 && irq_number(rows[j - 1]) > irq_number(v); j--)
			rows[j] = rows[j - 1];
		rows[j] = (u8)v;
	}
	return n;
}

/* the row of arch/x86/kernel/irq.c's arch_show_interrupts: one count per CPU */
static void irq_proc_arch_row(struct seq_buf *s, const char *label, int vector,
			      const char *what)
{
	seq_buf_printf(s, "%*s: ", IRQ_PROC_PREC, label);
	for (unsigned int c = 0; c < nr_cpu_ids_online(); c++)
		seq_buf_printf(s, "%10llu ", vector < 0 ? 0ULL :
			       (unsigned long long)irq_count_cpu(vector, c));
	seq_buf_printf(s, "  %s\n", what);
}

int irq_proc_show(char *buf, size_t size)
{
	struct seq_buf s;
	u8 rows[IRQ_VECTORS];
	unsigned long flags;
	int n;

	seq_buf_init(&s, buf, size);
	/* kernel/irq/proc.c show_interrupts(): "%*s" of prec + 8 blanks, then
	 * "CPU%-8d" per online CPU */
	seq_buf_printf(&s, "%*s", IRQ_PROC_PREC + 8, "");
	for (unsigned int c = 0; c < nr_cpu_ids_online(); c++)
		seq_buf_printf(&s, "CPU%-8u", c);
	seq_buf_printf(&s, "\n");

	/* the handler chains change under irq_lock: hold it while naming */
	flags = spin_lock_irqsave(&irq_lock);
	n = irq_rows(rows);
	for (int i = 0; i < n; i++) {
		struct irq_desc *d = &irq_descs[rows[i]];

		/* "%*d: ", "%10u " per CPU, " %8s" chip, " %*lu" hwirq,
		 * "-%-8s" flow handler name, "  name[, name]" */
		seq_buf_printf(&s, "%*u: ", IRQ_PROC_PREC, irq_number(rows[i]));
		for (unsigned int c = 0; c < nr_cpu_ids_online(); c++)
			seq_buf_printf(&s, "%10llu ", (unsigned long long)d->count[c]);
		if (d->chip) {
			seq_buf_printf(&s, " %8s", d->chip);
			seq_buf_printf(&s, " %*lu", IRQ_PROC_PREC, d->hwirq);
			seq_buf_printf(&s, "-%-8s", d->level ? "fasteoi" : "edge");
		} else {
			seq_buf_printf(&s, " %8s", "None");
			seq_buf_printf(&s, " %*s", IRQ_PROC_PREC, "");
		}
		for (struct irq_action *a = d->chain; a; a = a->next)
			seq_buf_printf(&s, "%s%s", a == d->chain ? "  " : ", ", a->name);
		seq_buf_printf(&s, "\n");
	}
	spin_unlock_irqrestore(&irq_lock, flags);

	/* an NMI is fatal here (kernel/idt.c reports and panics), so none
	 * has been taken while this runs */
	irq_proc_arch_row(&s, "NMI", -1, "Non-maskable interrupts");
	irq_proc_arch_row(&s, "LOC", IRQ_VECTOR_TIMER, "Local timer interrupts");
	irq_proc_arch_row(&s, "SPU", IRQ_VECTOR_SPURIOUS, "Spurious interrupts");
	irq_proc_arch_row(&s, "RES", IRQ_VECTOR_RESCHEDULE, "Rescheduling interrupts");
	irq_proc_arch_row(&s, "CAL", IRQ_VECTOR_CALL_FUNC, "Function call interrupts");
	/* "%*s: %10u\n": one system-wide count, LAPIC error interrupts
	 * and the controller's spurious ones (Linux's irq_err_count) */
	seq_buf_printf(&s, "%*s: %10llu\n", IRQ_PROC_PREC, "ERR",
		       (unsigned long long)(irq_count(IRQ_VECTOR_ERROR) +
					    READ_ONCE(chip_spurious_total)));
	return seq_buf_used(&s);
}

int irq_rows_snapshot(struct irq_row_info *rows, int max)
{
	u8 v[IRQ_VECTORS];
	unsigned long flags;
	int n;

	/* the chains (names) change under irq_lock: ethtool -L */
	flags = spin_lock_irqsave(&irq_lock);
	n = irq_rows(v);
	if (n > max)
		n = max;
	for (int i = 0; i < n; i++) {
		struct irq_desc *d = &irq_descs[v[i]];

		rows[i].vector = v[i];
		rows[i].irq = irq_number(v[i]);
		rows[i].count = irq_count(v[i]);
		rows[i].cpu = READ_ONCE(d->cpu);
		rows[i].movable = READ_ONCE(d->retarget) != NULL;
		strlcpy(rows[i].name, d->chain ? d->chain->name : "", sizeof(rows[i].name));
	}
	spin_unlock_irqrestore(&irq_lock, flags);
	return n < 0 ? 0 : n;
}

static int interrupts_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
	return irq_proc_show(buf, size);
}
VIEW("/proc/interrupts", interrupts_show);

/* /proc/irq/<N>: every numbered row of /proc/interrupts */
static int irq_dir_list(unsigned int idx, const char *const *args, char *name, size_t size)
{
	u8 rows[IRQ_VECTORS];
	unsigned long flags = spin_lock_irqsave(&irq_lock);
	int n = irq_rows(rows);

	spin_unlock_irqrestore(&irq_lock, flags);
	(void)args;
	if (idx >= (unsigned int)n)
		return -ENOENT;
	snprintf(name, size, "%u", irq_number(rows[idx]));
	return 0;
}
VIEW_DIR("/proc/irq/*", irq_dir_list);

/* the vector behind /proc/irq/<args[0]>, or -1 */
static int irq_vector_of_arg(const char *const *args)
{
	char *end;
	unsigned long n = args && args[0] ? strtoul(args[0], &end, 10) : 0;

	if (!args || !args[0] || end == args[0] || *end)
		return -1;
	for (int v = IRQ_VECTOR_FIRST; v < IRQ_VECTORS; v++)
		if (!irq_vector_is_lapic(v) && irq_number(v) == n &&
		    (irq_descs[v].chain || irq_descs[v].chip || irq_count(v)))
			return v;
	return -1;
}

/* the CPUs an interrupt goes to (irq_setup_affinity); one that was never
 * routed through it (an 8259 line) goes to CPU 0 */
static u32 irq_affinity_of_arg(const char *const *args)
{
	int v = irq_vector_of_arg(args);
	u32 m = v < 0 ? 0 : READ_ONCE(irq_descs[v].affinity);

	return m ? m : 1U;
}

/* Linux prints the mask with "%*pb" (format_hex_mask32): the CPUs of
 * the mask that are online */
static int smp_affinity_show(char *buf, size_t size, const char *const *args)
{
	return format_hex_mask32(buf, size, irq_affinity_of_arg(args) & online_mask(),
				 nr_cpu_ids_online());
}
static int smp_affinity_store(const char *text, const char *const *args)
{
	int v = irq_vector_of_arg(args);
	u32 m;

	if (v < 0)
		return -EIO;
	if (parse_hex_mask32(text, &m))
		return -EINVAL;
	return irq_set_affinity(v, m);
}
VIEW_RW("/proc/irq/*/smp_affinity", smp_affinity_show, smp_affinity_store);

/* the same as a CPU list ("%*pbl": "0-1,3") */
static int smp_affinity_list_show(char *buf, size_t size, const char *const *args)
{
	u32 m = irq_affinity_of_arg(args);
	struct seq_buf s;
	const char *sep = "";

	seq_buf_init(&s, buf, size);
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		unsigned int e = c;

		if (!(m & (1U << c)))
			continue;
		while (e + 1 < NR_CPUS && (m & (1U << (e + 1))))
			e++;
		if (e == c)
			seq_buf_printf(&s, "%s%u", sep, c);
		else
			seq_buf_printf(&s, "%s%u-%u", sep, c, e);
		sep = ",";
		c = e;
	}
	seq_buf_printf(&s, "\n");
	return seq_buf_used(&s);
}
static int smp_affinity_list_store(const char *text, const char *const *args)
{
	int v = irq_vector_of_arg(args);
	char list[32];
	size_t len = strlen(text);
	u32 m;

	if (v < 0)
		return -EIO;
	if (len && text[len - 1] == '\n')
		len--;
	if (!len || len >= sizeof(list))
		return -EINVAL;
	memcpy(list, text, len);
	list[len] = 0;
	if (cpulist_parse(list, &m))
		return -EINVAL;
	return irq_set_affinity(v, m);
}
VIEW_RW("/proc/irq/*/smp_affinity_list", smp_affinity_list_show, smp_affinity_list_store);

/* the CPU it is delivered to (Linux's effective_affinity_list) */
static int effective_affinity_list_show(char *buf, size_t size, const char *const *args)
{
	int v = irq_vector_of_arg(args);

	return snprintf(buf, size, "%u\n", v < 0 ? 0 : irq_effective_cpu(v));
}
VIEW("/proc/irq/*/effective_affinity_list", effective_affinity_list_show);
