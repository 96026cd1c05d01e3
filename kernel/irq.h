/* Interrupt dispatch: vector allocation, handler chains, counts.
 *
 * Vectors 0x00..0x1f are CPU exceptions (kernel/idt.c reports them and
 * panics).  Every other vector goes through irq_dispatch(): count it, call
 * the handlers registered on it in registration order (several for a shared
 * line), irq_eoi(vector) -- never for the LAPIC spurious vector, which has
 * no in-service bit to clear (SDM vol.3A 10.9) -- then irq_exit() when this
 * was not a nested interrupt.
 *
 * Handlers run with interrupts disabled (all IDT entries are interrupt
 * gates) and must not sleep or take locks that non-IRQ code holds with
 * interrupts enabled. */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include "kernel/percpu.h"
#include "kernel/types.h"

#define IRQ_NONE    0           /* not my device */
#define IRQ_HANDLED 1
typedef int (*irq_handler_t)(void *ctx);

#define IRQ_VECTOR_PIC_BASE  0x20   /* 8259 remapped: 0x20..0x2f */
#define IRQ_VECTOR_DEV_FIRST 0x30   /* dynamically allocated device vectors 0x30..0xdf */
#define IRQ_VECTOR_DEV_LAST  0xdf
#define IRQ_VECTOR_TIMER     0xef   /* LAPIC timer */
#define IRQ_VECTOR_CALL_FUNC 0xfb   /* IPI: run queued calls (kernel/smp_call.c) */
#define IRQ_VECTOR_RESCHEDULE 0xfc  /* IPI: reschedule */
#define IRQ_VECTOR_STOP      0xfd   /* IPI: halt for good (panic) */
#define IRQ_VECTOR_ERROR     0xfe   /* LAPIC error */
#define IRQ_VECTOR_SPURIOUS  0xff   /* LAPIC spurious */

#define IRQ_VECTOR_FIRST     0x20   /* below: exceptions */
#define IRQ_VECTORS          256

/* Handler records come from a static pool (this runs before and without a
 * heap); enough for a few NICs with one vector per queue. */
#ifndef IRQ_ACTIONS_MAX
#define IRQ_ACTIONS_MAX 128
#endif

/* a free device vector (IRQ_VECTOR_DEV_FIRST..LAST), marked used, or -ENOSPC */
int irq_vector_alloc(void);
/* give back a vector from irq_vector_alloc(); its handlers should be removed first */
void irq_vector_free(int vector);

/* Add fn(ctx) to vector's chain; name labels it in reports ("eth0-rx0").
 * Returns 0, -EINVAL (exception vector, no fn), -EEXIST (same fn and ctx
 * already there) or -ENOSPC (handler pool exhausted). */
int irq_set_handler(int vector, irq_handler_t fn, void *ctx, const char *name);
/* Remove fn(ctx) from vector's chain: 0 or -ENOENT. */
int irq_remove_handler(int vector, irq_handler_t fn, void *ctx);

/* End of interrupt, set by the interrupt controller (lapic or 8259); the
 * default does nothing.  Returns true when the controller finds the
 * interrupt was its own spurious one, which no device raised (the 8259's
 * IRQ 7/15 not in service): irq_dispatch then counts it in
 * irq_chip_spurious_count() if no handler claimed it, not as unclaimed. */
extern bool (*irq_eoi)(int vector);

/* interrupts taken on vector since boot (handled or not), on every CPU */
u64 irq_count(int vector);
/* the same, on cpu only */
u64 irq_count_cpu(int vector, unsigned int cpu);
/* interrupts that no handler claimed: vectors without a handler, or all
 * handlers returned IRQ_NONE; the LAPIC spurious vector counts here too */
u64 irq_spurious_count(void);
/* the interrupt controller's own spurious interrupts taken, as its irq_eoi
 * told (the 8259's IRQ 7/15; in /proc/interrupts' ERR row) */
u64 irq_chip_spurious_count(void);
/* the name of the first handler on vector, or NULL */
const char *irq_name(int vector);
#ifdef HOST_TEST
/* true while an interrupt handler runs (tests/unit/host_stubs.c) */
bool in_irq(void);
#else
/* interrupts in progress on this CPU, nested ones included (irq.c) */
DECLARE_PER_CPU(unsigned int, irq_nesting);

/* true while an interrupt handler runs on this CPU; inline, as every
 * LOCK_DEBUG spin_lock asks it (kernel/spinlock.h) */
static inline bool in_irq(void)
{
	return READ_ONCE(*this_cpu_ptr(&irq_nesting)) != 0;
}
#endif

/* Called after the EOI of an interrupt that did not interrupt another one,
 * with interrupts still disabled.  Empty here (a weak definition); the
 * softirq layer provides the real one. */
void irq_exit(void);

struct trap_frame;
/* the common interrupt path, called by trap_dispatch() for vectors >= 0x20 */
void irq_dispatch(struct trap_frame *tf);

/* the saved state of the code the interrupt being handled on this CPU
 * interrupted (its RIP, RBP, ...), or NULL outside a handler; as Linux's */
struct trap_frame *get_irq_regs(void);

/* print one line per vector that has handlers or was taken: count and names */
void irq_show(void);

/* Which interrupt controller input feeds vector, for /proc/interrupts
 * ("  4:   12   IO-APIC   4-edge      ttyS0").  The controller code calls
 * it when it routes a line: irq is the Linux-style IRQ number (the GSI of
 * an IOAPIC line, the ISA IRQ of an 8259 line), chip the controller's name
 * as Linux prints it ("IO-APIC", "XT-PIC", "PCI-MSI"), hwirq the input
 * within the chip, level the trigger mode.  A vector with handlers but no
 * chip info is shown as IRQ <vector> on chip "None".  Returns 0, -EINVAL,
 * or -EBUSY when another vector already has that IRQ number. */
int irq_set_chip_info(int vector, unsigned int irq, const char *chip, unsigned long hwirq,
		      bool level);

/* Device interrupt affinity (Linux's smp_affinity, read-only here): a
 * routed interrupt goes to the first online CPU of irqaffinity= (default
 * CPU 0).  The interrupt controller code calls irq_setup_affinity() when it
 * programs an IOAPIC entry or an MSI/MSI-X address for vector, and sends
 * the interrupt to the CPU it returns; /proc/irq/N/smp_affinity,
 * smp_affinity_list and effective_affinity_list show the result. */
unsigned int irq_setup_affinity(int vector);
/* the CPU vector is delivered to (0 for one never routed) */
unsigned int irq_effective_cpu(int vector);

/* Moving a routed interrupt (writes to /proc/irq/N/smp_affinity[_list],
 * drivers spreading their queue vectors): the controller that routed
 * vector registers how to send it to another CPU (the IOAPIC entry's or
 * the MSI/MSI-X message's destination); retarget returns 0 or -errno. */
typedef int (*irq_retarget_t)(int vector, unsigned int cpu, void *ctx);
int irq_set_retarget(int vector, irq_retarget_t fn, void *ctx);
/* vector to the first online CPU of mask: 0, -EINVAL (no online CPU in
 * mask; nothing changed) or -EIO (it cannot be moved: never routed, an
 * 8259 line) */
int irq_set_affinity(int vector, u32 mask);
/* the CPUs a driver spreads its queue vectors over: irqaffinity='s online
 * CPUs when given, else every online CPU */
u32 irq_spread_mask(void);

/* One numbered row of /proc/interrupts (a device interrupt; the LAPIC's
 * timer, error and spurious vectors and the IPIs have rows of their own
 * and are not among them), as irqbalance reads it. */
#define IRQ_NAME_MAX 32
struct irq_row_info {
	int vector;
	unsigned int irq;               /* its number: /proc/irq/<irq>/ */
	u64 count;                      /* taken since boot, on every CPU */
	unsigned int cpu;               /* the CPU it is delivered to */
	bool movable;                   /* smp_affinity can be written (a retarget) */
	char name[IRQ_NAME_MAX];        /* its first handler's name, "" if none */
};
/* the numbered rows of /proc/interrupts now, by IRQ number, into rows[]
 * (at most max, IRQ_VECTORS is always enough); returns how many */
int irq_rows_snapshot(struct irq_row_info *rows, int max);

/* Format /proc/interrupts (Linux kernel/irq/proc.c and arch/x86's NMI, LOC,
 * SPU, ERR rows) into buf; returns the length needed, as snprintf does. */
int irq_proc_show(char *buf, size_t size);

#endif
