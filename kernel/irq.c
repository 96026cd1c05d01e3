/* Interrupt dispatch: the vector allocator, handler chains for shared
 * lines, per-vector counts, and the common interrupt path. */
#include "kernel/irq.h"
#include "kernel/errno.h"
#include "kernel/idt.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/x86.h"

struct irq_action {
	irq_handler_t fn;
	void *ctx;
	const char *name;
	struct irq_action *next;
};

struct irq_desc {
	struct irq_action *chain;       /* read by irq_dispatch without the lock */
	u64 count;
	u64 unhandled;
	bool allocated;                 /* device vectors handed out by irq_vector_alloc */
	bool reported;                  /* an unclaimed interrupt was reported */
};

static struct irq_desc irq_descs[IRQ_VECTORS];
static struct irq_action action_pool[IRQ_ACTIONS_MAX];
static struct irq_action *action_free;
static bool action_pool_ready;
static struct spinlock irq_lock = SPINLOCK_INIT("irq");
static u64 spurious_total;
static unsigned irq_nesting;            /* one CPU runs interrupts for now */

static void irq_eoi_none(int vector)
{
	(void)vector;
}

void (*irq_eoi)(int vector) = irq_eoi_none;

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
			/* interrupts are off and only this CPU dispatches, so
			 * nobody is inside a->fn now: the record can be reused */
			a->next = action_free;
			action_free = a;
			rc = 0;
			break;
		}
	}
	spin_unlock_irqrestore(&irq_lock, flags);
	return rc;
}

u64 irq_count(int vector)
{
	return vector >= 0 && vector < IRQ_VECTORS ? READ_ONCE(irq_descs[vector].count) : 0;
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

bool in_irq(void)
{
	return READ_ONCE(irq_nesting) != 0;
}

/* Nobody claimed this interrupt.  Say so once per vector (until a handler
 * is added), then only count: a stuck line must not flood the console. */
static void irq_unclaimed(struct irq_desc *d, int vector, bool has_handlers)
{
	d->unhandled++;
	spurious_total++;
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

	irq_nesting++;
	d->count++;
	for (a = __atomic_load_n(&d->chain, __ATOMIC_ACQUIRE); a; a = a->next)
		handled |= a->fn(a->ctx);
	if (handled == IRQ_NONE)
		irq_unclaimed(d, vector, d->chain != NULL);
	/* the LAPIC sets no in-service bit for its spurious vector: an EOI
	 * there would retire some other interrupt (SDM vol.3A 10.9) */
	if (vector != IRQ_VECTOR_SPURIOUS)
		irq_eoi(vector);
	irq_nesting--;
	if (!irq_nesting)
		irq_exit();
}

void irq_show(void)
{
	for (int v = IRQ_VECTOR_FIRST; v < IRQ_VECTORS; v++) {
		struct irq_desc *d = &irq_descs[v];

		if (!d->count && !d->chain)
			continue;
		printk(KERN_INFO "irq: vector %#04x: %llu taken, %llu unclaimed:", v,
		       (unsigned long long)d->count, (unsigned long long)d->unhandled);
		for (struct irq_action *a = d->chain; a; a = a->next)
			pr_cont(" %s", a->name);
		pr_cont("\n");
	}
}
