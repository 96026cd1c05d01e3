/* The legacy 8259A pair: remapped off the exception vectors, masked in APIC
 * mode, the interrupt controller itself in 8259 mode.
 * Intel 8259A datasheet (order 231468): ICW1-4 and OCW1-3. */
#include "kernel/apic.h"
#include "kernel/spinlock.h"
#include "kernel/x86.h"

#define PIC1_CMD        0x20
#define PIC1_DATA       0x21
#define PIC2_CMD        0xa0
#define PIC2_DATA       0xa1

#define PIC_VECTOR_BASE 0x20    /* IRQ_VECTOR_PIC_BASE of kernel/irq.h */
#define PIC_CASCADE_IRQ 2       /* the slave hangs on master IR2 */
#define PIC_IRQS_PER_CHIP 8

/* ICW1: bit 4 marks initialisation, bit 0 announces ICW4 (edge, cascade) */
#define ICW1_INIT       0x10
#define ICW1_ICW4       0x01
/* ICW3 master: a bit per IR line with a slave; slave: its cascade identity */
#define ICW3_MASTER     (1U << PIC_CASCADE_IRQ)
#define ICW3_SLAVE      PIC_CASCADE_IRQ
/* ICW4: 8086/8088 mode, normal EOI */
#define ICW4_8086       0x01
/* OCW2: non-specific end of interrupt */
#define OCW2_EOI        0x20
/* OCW3: read the in-service register on the next command-port read */
#define OCW3_READ_ISR   0x0b
/* OCW1: the 16 interrupt mask bits, master in the low byte */
#define PIC_ALL_MASKED  0xffff
#define PIC_SLAVE_LINES 0xff00
#define PIC_BYTE_MASK   0xff

#define PIC_SPURIOUS_IRQ_MASTER 7
#define PIC_SPURIOUS_IRQ_SLAVE  15

/* guards the 8259s' mask registers; thread context (routing, masking at
 * bind/unbind), irqsave so any context may */
static struct spinlock pic_lock = SPINLOCK_INIT("pic");
static u16 pic_mask = PIC_ALL_MASKED;

static void pic_write_masks(void)
{
	outb(PIC1_DATA, pic_mask & PIC_BYTE_MASK);
	outb(PIC2_DATA, pic_mask >> PIC_IRQS_PER_CHIP);
}

void pic_init(void)
{
	/* 8259A: ICW1 on the command port starts the sequence ICW2..4 on data */
	outb(PIC1_CMD, ICW1_INIT | ICW1_ICW4);
	io_delay();
	outb(PIC2_CMD, ICW1_INIT | ICW1_ICW4);
	io_delay();
	outb(PIC1_DATA, PIC_VECTOR_BASE);                       /* ICW2 */
	io_delay();
	outb(PIC2_DATA, PIC_VECTOR_BASE + PIC_IRQS_PER_CHIP);
	io_delay();
	outb(PIC1_DATA, ICW3_MASTER);
	io_delay();
	outb(PIC2_DATA, ICW3_SLAVE);
	io_delay();
	outb(PIC1_DATA, ICW4_8086);
	io_delay();
	outb(PIC2_DATA, ICW4_8086);
	io_delay();
	pic_mask = PIC_ALL_MASKED;
	pic_write_masks();
}

void pic_mask_irq(int irq, bool masked)
{
	unsigned long flags;

	if (irq < 0 || irq >= PIC_NR_IRQS)
		return;
	flags = spin_lock_irqsave(&pic_lock);
	if (masked)
		pic_mask |= 1U << irq;
	else
		pic_mask &= ~(1U << irq);
	/* a slave line needs the cascade line open on the master */
	if ((pic_mask & PIC_SLAVE_LINES) != PIC_SLAVE_LINES)
		pic_mask &= ~(1U << PIC_CASCADE_IRQ);
	else
		pic_mask |= 1U << PIC_CASCADE_IRQ;
	pic_write_masks();
	spin_unlock_irqrestore(&pic_lock, flags);
}

static bool pic_in_service(u16 cmd_port, int line)
{
	outb(cmd_port, OCW3_READ_ISR);
	return inb(cmd_port) & (1U << line);
}

bool pic_eoi_irq(int irq)
{
	/* a spurious IRQ 7/15 (the request went away before INTA) is not in
	 * service: the chip that raised it must not see an EOI */
	if (irq == PIC_SPURIOUS_IRQ_MASTER && !pic_in_service(PIC1_CMD, irq))
		return true;
	if (irq == PIC_SPURIOUS_IRQ_SLAVE &&
	    !pic_in_service(PIC2_CMD, irq - PIC_IRQS_PER_CHIP)) {
		outb(PIC1_CMD, OCW2_EOI);    /* the master did see the cascade */
		return true;
	}
	if (irq >= PIC_IRQS_PER_CHIP)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
	return false;
}
