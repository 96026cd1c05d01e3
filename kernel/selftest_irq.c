/* Self-test of the interrupt dispatch API (kernel/irq.h), driven by
 * software interrupts (`int $n` takes the same IDT path as a device). */
#include "kernel/apic.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/x86.h"
#include <stdlib.h>
#include <string.h>

/* the top device vector: the allocator hands vectors out from the bottom */
#define SELFTEST_IRQ_VECTOR     IRQ_VECTOR_DEV_LAST
#define SELFTEST_IRQ_STORM      3
/* the 8259 slave's spurious IRQ 15 */
#define SELFTEST_PIC_SPURIOUS   0x2f
_Static_assert(SELFTEST_PIC_SPURIOUS == IRQ_VECTOR_PIC_BASE + 15, "IRQ 15's vector");

#define STR_(x) #x
#define STR(x) STR_(x)
#define raise_vector(v) __asm__ volatile("int $" STR(v) ::: "memory")

struct irq_probe {
	int calls;
	int order;              /* value of the shared sequence when called */
	bool saw_in_irq;
	int ret;
};

static int seq;
static int eoi_calls, eoi_vector;

static int probe_handler(void *ctx)
{
	struct irq_probe *p = ctx;

	p->calls++;
	p->order = ++seq;
	p->saw_in_irq = in_irq();
	return p->ret;
}

/* a second function: a chain refuses the same fn+ctx twice, not two fns */
static int probe_handler2(void *ctx)
{
	return probe_handler(ctx);
}

static bool (*real_eoi)(int vector);

/* counts the test CPU's EOIs; another CPU's interrupts (its tick, IPIs)
 * go on to the real EOI.  IRQ 15's vector goes to the 8259's own EOI in
 * either mode, which finds it not in service (a software int), says
 * "spurious" and EOIs only the master (in APIC mode the master, masked,
 * has nothing in service: a no-op) */
static bool probe_eoi(int vector)
{
	if (smp_processor_id() != 0)
		return real_eoi(vector);
	eoi_calls++;
	eoi_vector = vector;
	if (vector == SELFTEST_PIC_SPURIOUS)
		return pic_eoi_irq(vector - IRQ_VECTOR_PIC_BASE);
	return false;
}

#define CHECK(cond) SELFTEST_CHECK("irq", cond)

/* /proc/interrupts' ERR row (its last line), or ~0 when it is not there */
static u64 proc_interrupts_err(void)
{
	const size_t size = 16384;
	char *buf = kmalloc(size), *row;
	u64 n = ~0ULL;

	if (!buf)
		return n;
	irq_proc_show(buf, size);
	row = strstr(buf, "ERR:");
	if (row)
		n = strtoull(row + strlen("ERR:"), NULL, 10);
	kfree(buf);
	return n;
}

static int selftest_irq(void)
{
	struct irq_probe a = { .ret = IRQ_NONE }, b = { .ret = IRQ_HANDLED };
	bool (*saved_eoi)(int) = irq_eoi;
	const int v = SELFTEST_IRQ_VECTOR;
	int rc = 0, v1, v2;
	u64 count, spurious, chip0;
	/* read while interrupts are on (kmalloc) */
	const u64 err0 = proc_interrupts_err();
	/* irq_eoi is swapped below: a real interrupt (the tick) must not come
	 * in meanwhile, or its EOI would go to the probe; `int n` ignores IF */
	unsigned long flags = local_irq_save();

	/* the allocator */
	v1 = irq_vector_alloc();
	v2 = irq_vector_alloc();
	CHECK(v1 >= IRQ_VECTOR_DEV_FIRST && v1 <= IRQ_VECTOR_DEV_LAST);
	CHECK(v2 >= IRQ_VECTOR_DEV_FIRST && v2 <= IRQ_VECTOR_DEV_LAST && v2 != v1);
	irq_vector_free(v1);
	CHECK(irq_vector_alloc() == v1);
	irq_vector_free(v1);
	irq_vector_free(v2);
	CHECK(irq_set_handler(0x0e, probe_handler, &a, "bad") == -EINVAL);

	if (irq_name(v)) {
		pr_err("selftest irq: vector %#x is in use by %s\n", v, irq_name(v));
		local_irq_restore(flags);
		return -EBUSY;
	}
	real_eoi = saved_eoi;
	irq_eoi = probe_eoi;
	count = irq_count(v);

	/* a shared line: both handlers run, in registration order */
	CHECK(irq_set_handler(v, probe_handler, &a, "selftest-a") == 0);
	CHECK(irq_set_handler(v, probe_handler2, &b, "selftest-b") == 0);
	CHECK(irq_set_handler(v, probe_handler, &a, "again") == -EEXIST);
	CHECK(!in_irq());
	raise_vector(SELFTEST_IRQ_VECTOR);
	CHECK(a.calls == 1 && b.calls == 1 && a.order < b.order);
	CHECK(a.saw_in_irq && b.saw_in_irq && !in_irq());
	CHECK(irq_count(v) == count + 1);
	CHECK(eoi_calls == 1 && eoi_vector == v);

	/* nobody claims it: counted as unclaimed, reported once */
	CHECK(irq_remove_handler(v, probe_handler2, &b) == 0);
	CHECK(irq_remove_handler(v, probe_handler2, &b) == -ENOENT);
	spurious = irq_spurious_count();
	raise_vector(SELFTEST_IRQ_VECTOR);
	CHECK(a.calls == 2 && irq_spurious_count() == spurious + 1 && eoi_calls == 2);

	/* no handler at all: counted, reported once, EOIed, never a hang */
	CHECK(irq_remove_handler(v, probe_handler, &a) == 0);
	CHECK(irq_name(v) == NULL);
	for (int i = 0; i < SELFTEST_IRQ_STORM; i++)
		raise_vector(SELFTEST_IRQ_VECTOR);
	CHECK(irq_count(v) == count + 2 + SELFTEST_IRQ_STORM);
	CHECK(irq_spurious_count() == spurious + 1 + SELFTEST_IRQ_STORM);
	CHECK(eoi_calls == 2 + SELFTEST_IRQ_STORM);

	/* the LAPIC spurious vector: counted, never EOIed */
	raise_vector(IRQ_VECTOR_SPURIOUS);
	CHECK(eoi_calls == 2 + SELFTEST_IRQ_STORM);
	CHECK(irq_spurious_count() == spurious + 2 + SELFTEST_IRQ_STORM);

	/* the 8259's spurious IRQ 15 (a software int: not in service), as
	 * its EOI tells: an ERR count, not an unclaimed interrupt */
	chip0 = irq_chip_spurious_count();
	raise_vector(SELFTEST_PIC_SPURIOUS);
	CHECK(irq_chip_spurious_count() == chip0 + 1);
	CHECK(irq_spurious_count() == spurious + 2 + SELFTEST_IRQ_STORM);
	CHECK(eoi_calls == 3 + SELFTEST_IRQ_STORM);
	pr_info("selftest irq: vector %#x taken %llu times, %d EOIs\n", v,
		(unsigned long long)(irq_count(v) - count), eoi_calls);
out:
	irq_remove_handler(v, probe_handler, &a);
	irq_remove_handler(v, probe_handler2, &b);
	irq_eoi = saved_eoi;
	local_irq_restore(flags);
	/* the ERR row counts the 8259's spurious IRQ 15 (LAPIC errors may add) */
	if (!rc && (err0 == ~0ULL || proc_interrupts_err() < err0 + 1)) {
		pr_err("selftest irq: check failed: /proc/interrupts' ERR row did not count "
		       "the 8259's spurious IRQ 15\n");
		rc = -EIO;
	}
	return rc;
}
SELFTEST("irq", selftest_irq, "irq API: allocator, shared chain, counts, EOI, unclaimed vectors");
