/* COM1 input.  The 16550's received-data interrupt (IER.ERBFI) arrives on
 * ISA IRQ 4; its handler drains the receive FIFO into a ring and does
 * wakes the consumer (the console shell's thread), which takes bytes from
 * the ring outside interrupt context.
 *
 * Polled fallback: should the interrupt never come (a board whose COM1 is
 * not on IRQ 4, a routing mistake), the consumer sees the UART's data-ready
 * bit stay set with no interrupt taken; after RX_IRQ_WAIT_NS it says so
 * once, turns the interrupt off and polls the UART from then on. */
#include "kernel/apic.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/printk.h"
#include "kernel/serial_regs.h"
#include "kernel/time.h"
#include "kernel/wait.h"
#include "kernel/x86.h"
#include <string.h>

#define RX_RING_SIZE   256              /* a power of two */
/* bytes one drain takes at most: the 16-byte FIFO, with margin; bounds the
 * loop when a missing UART reads as all ones (data ready for ever) */
#define RX_DRAIN_MAX   64
/* data waiting this long with no interrupt taken: the interrupt is dead */
#define RX_IRQ_WAIT_NS (50 * NSEC_PER_MSEC)

enum rx_mode { RX_OFF, RX_IRQ, RX_POLL };

static u8 rx_ring[RX_RING_SIZE];
static u32 rx_head;             /* written by the producer (IRQ or poll) */
static u32 rx_tail;             /* written by the consumer */
static enum rx_mode rx_mode;
static int rx_vector = -1;
static bool rx_irq_wanted = true;
static u64 rx_dropped, rx_line_errors;
static u64 dr_since_ns, dr_since_irqs;  /* data-ready first seen waiting */
/* the console thread waiting for input; woken by the receive interrupt */
static DECLARE_WAIT_QUEUE_HEAD(rx_wait);

static int set_serial_irq(const char *v)
{
	if (!strcmp(v, "on"))
		rx_irq_wanted = true;
	else if (!strcmp(v, "off"))
		rx_irq_wanted = false;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_OPT("serial_irq", set_serial_irq,
	    "COM1 receive interrupt: on|off (off: the polled fallback takes over)");

static void rx_push(u8 c)
{
	u32 head = rx_head;

	if (head - __atomic_load_n(&rx_tail, __ATOMIC_ACQUIRE) == RX_RING_SIZE) {
		rx_dropped++;
		return;
	}
	rx_ring[head % RX_RING_SIZE] = c;
	__atomic_store_n(&rx_head, head + 1, __ATOMIC_RELEASE);
}

/* move what the receive FIFO holds into the ring; interrupts off */
static unsigned int uart_drain(void)
{
	unsigned int n = 0;
	u8 lsr;

	while (n < RX_DRAIN_MAX && ((lsr = inb(COM1_BASE + UART_LSR)) & LSR_DR)) {
		if (lsr & (LSR_OE | LSR_PE | LSR_FE | LSR_BI))
			rx_line_errors++;
		rx_push(inb(COM1_BASE + UART_RBR));
		n++;
	}
	return n;
}

/* The hard IRQ: drain and return; the shell runs elsewhere.  ISA IRQ 4 is
 * edge-triggered and COM1's alone: a byte that arrives while the loop
 * drains raises an edge whose interrupt then finds the FIFO already empty
 * (IIR says nothing pending).  That interrupt is still ours, not a stray
 * one to report. */
static int serial_rx_irq(void *ctx)
{
	(void)ctx;
	if (!(inb(COM1_BASE + UART_IIR) & IIR_NO_INT) && uart_drain())
		wake_up(&rx_wait);
	return IRQ_HANDLED;
}

int serial_rx_init(void)
{
	int vector, rc;
	unsigned long flags;

	if (!serial_exists())
		return -ENODEV;
	/* in 8259 mode an ISA IRQ has its fixed vector */
	vector = irq_using_8259() ? IRQ_VECTOR_PIC_BASE + COM1_ISA_IRQ : irq_vector_alloc();
	if (vector < 0)
		return vector;
	rc = irq_set_handler(vector, serial_rx_irq, NULL, "ttyS0");
	if (!rc)
		rc = irq_route_isa(COM1_ISA_IRQ, vector);
	if (rc) {
		irq_remove_handler(vector, serial_rx_irq, NULL);
		if (!irq_using_8259())
			irq_vector_free(vector);
		rx_mode = RX_POLL;
		pr_warn("serial: no receive interrupt (%s): polling COM1\n", errno_name(rc));
		return rc;
	}
	rx_vector = vector;
	flags = local_irq_save();
	uart_drain();           /* bytes typed during boot */
	if (rx_irq_wanted)
		outb(COM1_BASE + UART_IER, IER_ERBFI);
	rx_mode = RX_IRQ;
	local_irq_restore(flags);
	pr_info("serial: ttyS0 input on IRQ %d (vector %#x)%s\n", COM1_ISA_IRQ, vector,
		rx_irq_wanted ? "" : ", receive interrupt off (serial_irq=off)");
	return 0;
}

/* data has waited RX_IRQ_WAIT_NS with no interrupt: poll from now on */
static void rx_check_irq(void)
{
	u64 now;

	if (!(inb(COM1_BASE + UART_LSR) & LSR_DR)) {
		dr_since_ns = 0;
		return;
	}
	now = ktime_get_ns();
	if (!dr_since_ns || irq_count(rx_vector) != dr_since_irqs) {
		dr_since_ns = now ? now : 1;
		dr_since_irqs = irq_count(rx_vector);
		return;
	}
	if (now - dr_since_ns < RX_IRQ_WAIT_NS)
		return;
	outb(COM1_BASE + UART_IER, 0);
	rx_mode = RX_POLL;
	pr_warn("serial: no receive interrupt on IRQ %d within %llu ms of data: polling COM1\n",
		COM1_ISA_IRQ, (unsigned long long)(RX_IRQ_WAIT_NS / NSEC_PER_MSEC));
}

int serial_rx_getc(void)
{
	u32 tail = rx_tail;
	int c;

	if (rx_mode == RX_OFF)
		return serial_getc();
	if (tail == __atomic_load_n(&rx_head, __ATOMIC_ACQUIRE)) {
		unsigned long flags = local_irq_save();

		if (rx_mode == RX_IRQ)
			rx_check_irq();
		if (rx_mode == RX_POLL)
			uart_drain();
		local_irq_restore(flags);
		if (tail == __atomic_load_n(&rx_head, __ATOMIC_ACQUIRE))
			return -1;
	}
	c = rx_ring[tail % RX_RING_SIZE];
	__atomic_store_n(&rx_tail, tail + 1, __ATOMIC_RELEASE);
	return c;
}

bool serial_rx_pending(void)
{
	if (READ_ONCE(rx_tail) != __atomic_load_n(&rx_head, __ATOMIC_ACQUIRE))
		return true;
	/* polling, or watching for a dead interrupt: look at the UART */
	if (rx_mode == RX_POLL || (rx_mode == RX_IRQ && dr_since_ns))
		return inb(COM1_BASE + UART_LSR) & LSR_DR;
	return false;
}

void serial_rx_wait(unsigned int ms)
{
	wait_event_timeout(rx_wait, serial_rx_pending(), msecs_to_jiffies(ms));
}
