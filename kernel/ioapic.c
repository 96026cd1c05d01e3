/* IOAPICs: every one the MADT lists, pins masked at start, GSI routing to
 * the boot CPU.  Intel 82093AA I/O APIC datasheet (IOAPIC), section 3. */
#include "kernel/apic.h"
#include "kernel/irq.h"
#include "kernel/acpi.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"

/* IOAPIC 3.1: indirect access through a register select and a window */
#define IOAPIC_IOREGSEL          0x00
#define IOAPIC_IOWIN             0x10
#define IOAPIC_MMIO_SIZE         0x20

/* IOAPIC 3.2: registers behind the window */
#define IOAPIC_REG_ID            0x00
#define  IOAPIC_ID_SHIFT         24
#define  IOAPIC_ID_MASK          0xf
#define IOAPIC_REG_VER           0x01
#define  IOAPIC_VER_MRE_SHIFT    16     /* maximum redirection entry */
#define  IOAPIC_VER_MRE_MASK     0xff
#define IOAPIC_REG_REDTBL_LO(n)  (0x10 + 2 * (n))
#define IOAPIC_REG_REDTBL_HI(n)  (0x11 + 2 * (n))

/* IOAPIC 3.2.4: redirection table entry, low dword */
#define IOREDTBL_VECTOR_MASK     0xff
#define IOREDTBL_DELIVERY_FIXED  (0U << 8)
#define IOREDTBL_DEST_PHYSICAL   (0U << 11)
#define IOREDTBL_ACTIVE_LOW      BIT(13)
#define IOREDTBL_LEVEL           BIT(15)
#define IOREDTBL_MASKED          BIT(16)
/* high dword: destination APIC id (physical mode) */
#define IOREDTBL_DEST_SHIFT      24

struct ioapic {
	volatile u32 *regs;
	u8 id;
	u32 phys;
	u32 gsi_base;
	u32 nr_pins;
};

static struct ioapic ioapics[MADT_MAX_IOAPICS];
static int nr_ioapics;
/* guards each IOAPIC's index/data register pair; thread context (routing,
 * masking at bind/unbind), irqsave so any context may */
static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic");

static u32 ioapic_read(struct ioapic *io, u32 reg)
{
	io->regs[IOAPIC_IOREGSEL / 4] = reg;
	return io->regs[IOAPIC_IOWIN / 4];
}

static void ioapic_write(struct ioapic *io, u32 reg, u32 v)
{
	io->regs[IOAPIC_IOREGSEL / 4] = reg;
	io->regs[IOAPIC_IOWIN / 4] = v;
}

static struct ioapic *ioapic_for_gsi(u32 gsi, u32 *pin)
{
	for (int i = 0; i < nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];

		if (gsi >= io->gsi_base && gsi - io->gsi_base < io->nr_pins) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

/* /proc/irq/N/smp_affinity: the entry's destination, written while the
 * entry is masked (82093AA 3.2.4: the high dword holds the destination) */
static int ioapic_retarget(int vector, unsigned int cpu, void *ctx)
{
	u32 gsi = (u32)(uintptr_t)ctx, pin, lo;
	struct ioapic *io = ioapic_for_gsi(gsi, &pin);
	unsigned long flags;

	(void)vector;
	if (!io)
		return -ENOENT;
	flags = spin_lock_irqsave(&ioapic_lock);
	lo = ioapic_read(io, IOAPIC_REG_REDTBL_LO(pin));
	ioapic_write(io, IOAPIC_REG_REDTBL_LO(pin), lo | IOREDTBL_MASKED);
	ioapic_write(io, IOAPIC_REG_REDTBL_HI(pin), lapic_cpu_dest(cpu) << IOREDTBL_DEST_SHIFT);
	ioapic_write(io, IOAPIC_REG_REDTBL_LO(pin), lo);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

int ioapic_route_gsi(u32 gsi, int vector, bool level, bool active_low)
{
	u32 pin, lo, dest;
	struct ioapic *io = ioapic_for_gsi(gsi, &pin);
	unsigned long flags;

	if (!io)
		return -ENOENT;
	if (vector < 0 || vector > IOREDTBL_VECTOR_MASK)
		return -EINVAL;
	/* the CPU of the line's affinity (irqaffinity=): its APIC id */
	dest = lapic_cpu_dest(irq_setup_affinity(vector));
	lo = (u32)vector | IOREDTBL_DELIVERY_FIXED | IOREDTBL_DEST_PHYSICAL |
	     (level ? IOREDTBL_LEVEL : 0) | (active_low ? IOREDTBL_ACTIVE_LOW : 0);
	flags = spin_lock_irqsave(&ioapic_lock);
	/* masked while the entry is half written, then unmasked */
	ioapic_write(io, IOAPIC_REG_REDTBL_LO(pin), lo | IOREDTBL_MASKED);
	ioapic_write(io, IOAPIC_REG_REDTBL_HI(pin), dest << IOREDTBL_DEST_SHIFT);
	ioapic_write(io, IOAPIC_REG_REDTBL_LO(pin), lo);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	/* Linux numbers IOAPIC lines by GSI; hwirq is the pin */
	irq_set_chip_info(vector, gsi, "IO-APIC", pin, level);
	irq_set_retarget(vector, ioapic_retarget, (void *)(uintptr_t)gsi);
	return 0;
}

int ioapic_mask_gsi(u32 gsi, bool masked)
{
	u32 pin, lo;
	struct ioapic *io = ioapic_for_gsi(gsi, &pin);
	unsigned long flags;

	if (!io)
		return -ENOENT;
	flags = spin_lock_irqsave(&ioapic_lock);
	lo = ioapic_read(io, IOAPIC_REG_REDTBL_LO(pin));
	lo = masked ? lo | IOREDTBL_MASKED : lo & ~IOREDTBL_MASKED;
	ioapic_write(io, IOAPIC_REG_REDTBL_LO(pin), lo);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

int ioapic_init(void)
{
	const struct madt_info *m = acpi_madt();

	if (!m || !m->nr_ioapics)
		return -ENODEV;
	for (int i = 0; i < m->nr_ioapics; i++) {
		const struct madt_ioapic *e = &m->ioapics[i];
		struct ioapic *io = &ioapics[nr_ioapics];
		u32 hw_id;

		io->regs = mmio_map(e->address, IOAPIC_MMIO_SIZE);
		if (!io->regs) {
			pr_err("ioapic: id %u at %#x cannot be mapped; skipped\n",
			       e->id, e->address);
			continue;
		}
		io->id = e->id;
		io->phys = e->address;
		io->gsi_base = e->gsi_base;
		io->nr_pins = ((ioapic_read(io, IOAPIC_REG_VER) >> IOAPIC_VER_MRE_SHIFT) &
			       IOAPIC_VER_MRE_MASK) + 1;
		hw_id = (ioapic_read(io, IOAPIC_REG_ID) >> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK;
		if (hw_id != e->id)
			pr_warn("ioapic: MADT id %u, the chip says %u\n", e->id, hw_id);
		for (u32 pin = 0; pin < io->nr_pins; pin++) {
			ioapic_write(io, IOAPIC_REG_REDTBL_LO(pin), IOREDTBL_MASKED);
			ioapic_write(io, IOAPIC_REG_REDTBL_HI(pin), 0);
		}
		nr_ioapics++;
		pr_info("ioapic: id %u at %#x, GSI %u-%u\n", io->id, io->phys, io->gsi_base,
			io->gsi_base + io->nr_pins - 1);
	}
	return nr_ioapics ? 0 : -ENODEV;
}
