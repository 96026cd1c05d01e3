/* PCI interrupts: MSI-X, MSI and INTx vectors for a device.
 *
 * MSI and MSI-X messages target the boot CPU's LAPIC with edge-triggered,
 * fixed-delivery data (Intel SDM vol.3A 11.11).  INTx is routed as a
 * level-triggered, shared line:
 *
 *  - q35 (ICH9, host bridge 8086:29c0) in APIC mode: QEMU's ICH9 LPC
 *    (hw/isa/lpc_ich9.c) drives IOAPIC input 16 + n from PIRQ[n] whatever
 *    the PIRQ routing registers say ("APIC mode: PIRQ[A-H] -> GSI 16..23,
 *    no pirq shares same APIC pins"), and maps (slot, pin) to PIRQ with
 *    ich9_cc_init()'s table: (slot + pin) % 4 + 4 (PIRQ E-H) for slots
 *    0..24, PIRQ A-D by pin for the chipset's slots 25..31 (D{25..31}IR
 *    reset values), PIRQ E-H by pin behind slot 30.  Devices behind bridges
 *    are swizzled up to bus 0 (P2P 1.2 9.1: pin' = (pin + device) % 4).
 *    The PIRQ->ISA routes (PIRQx_ROUT, programmed by SeaBIOS/OVMF into the
 *    interrupt-line register) feed only the 8259 there.  QEMU's DSDT
 *    describes these GSIs as level-triggered, active-high.
 *  - pc (i440fx/PIIX3) and any other chipset, and 8259 mode on both: the
 *    PIIX3 (hw/isa/piix.c) routes PIRQ A-D only to ISA IRQs (both 8259 and
 *    IOAPIC inputs 0..15): we use the interrupt-line register firmware
 *    wrote, through irq_route_isa() which applies the MADT's overrides
 *    (QEMU lists IRQ 5, 9, 10, 11 as level, active-high).
 */
#include "drivers/pci/pci_internal.h"
#include "drivers/pci/pci_regs.h"
#include "kernel/apic.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include <stdio.h>
#include <string.h>

/* Intel SDM vol.3A 11.11.2: MSI data register: vector in bits 7:0,
 * delivery mode 10:8 (000 fixed), trigger mode bit 15 (0 edge) */
#define MSI_DATA_VECTOR_MASK     0xff
#define MSI_DATA_DELIVERY_FIXED  (0u << 8)
#define MSI_DATA_TRIGGER_EDGE    (0u << 15)

/* ICH9 / QEMU q35 INTx wiring (see the top of this file) */
#define Q35_HOST_VENDOR          0x8086
#define Q35_HOST_DEVICE          0x29c0
#define ICH9_GSI_PIRQ_BASE       16      /* PIRQ[n] -> GSI 16 + n */
#define ICH9_PIRQ_E              4
#define ICH9_CHIPSET_SLOT_FIRST  25      /* D25..D31 use the D{n}IR registers */
#define ICH9_D30_SLOT            30      /* DMI-to-PCI bridge: INTx -> PIRQ E-H */
#define PCI_INTX_PINS            4
#define ISA_IRQ_MAX              15

#define INTX_LINES_MAX 16

unsigned pci_irqmode_wanted;

/* one routed INTx input, shared by every device wired to it */
struct intx_line {
	bool isa;                /* routed by ISA IRQ number (else by GSI) */
	u32 irq;                 /* the ISA IRQ or the GSI */
	int vector;
	int users;
};

static struct intx_line intx_lines[INTX_LINES_MAX];
/* guards intx_lines (shared INTx lines, their users and masks); thread
 * context (interrupt setup and teardown), irqsave */
static struct spinlock intx_lock = SPINLOCK_INIT("pci_intx");

const char *pci_irq_mode_name(enum pci_irq_mode m)
{
	switch (m) {
	case PCI_IRQ_MSIX: return "msix";
	case PCI_IRQ_MSI:  return "msi";
	case PCI_IRQ_INTX: return "intx";
	}
	return "none";
}

static int set_irqmode(const char *v)
{
	if (!strcmp(v, "msix"))
		pci_irqmode_wanted = PCI_IRQ_MSIX;
	else if (!strcmp(v, "msi"))
		pci_irqmode_wanted = PCI_IRQ_MSI;
	else if (!strcmp(v, "intx"))
		pci_irqmode_wanted = PCI_IRQ_INTX;
	else if (!strcmp(v, "auto"))
		pci_irqmode_wanted = 0;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_OPT("irqmode", set_irqmode, "PCI interrupt mode: msix|msi|intx|auto");

static unsigned modes_offered(struct pci_dev *d)
{
	return (d->msix_cap ? PCI_IRQ_MSIX : 0) | (d->msi_cap ? PCI_IRQ_MSI : 0) |
	       (d->irq_pin ? PCI_IRQ_INTX : 0);
}

static const unsigned mode_order[] = { PCI_IRQ_MSIX, PCI_IRQ_MSI, PCI_IRQ_INTX };

static unsigned best_mode(unsigned modes)
{
	for (size_t i = 0; i < ARRAY_SIZE(mode_order); i++)
		if (modes & mode_order[i])
			return mode_order[i];
	return 0;
}

/* "msix, msi, intx" */
static const char *modes_text(unsigned modes, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(mode_order) && n < size; i++)
		if (modes & mode_order[i])
			n += snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
				      pci_irq_mode_name(mode_order[i]));
	if (!buf[0])
		strlcpy(buf, "none", size);
	return buf;
}

static void set_intx_disabled(struct pci_dev *d, bool disabled)
{
	u16 cmd = pci_read_config16(d, PCI_COMMAND);
	u16 want = disabled ? cmd | PCI_COMMAND_INTX_DISABLE : cmd & ~PCI_COMMAND_INTX_DISABLE;

	if (want != cmd)
		pci_write_config16(d, PCI_COMMAND, want);
}

static u32 msi_data(int vector)
{
	return (vector & MSI_DATA_VECTOR_MASK) | MSI_DATA_DELIVERY_FIXED | MSI_DATA_TRIGGER_EDGE;
}

static void free_vectors(struct pci_dev *d, int n)
{
	for (int i = 0; i < n; i++)
		irq_vector_free(d->vectors[i]);
}

/* /proc/interrupts names an MSI/MSI-X vector as Linux's x86 MSI domain
 * does: chip "PCI-MSI", hwirq = entry | requester ID << 11 | segment << 27
 * (pci_msi_domain_calc_hwirq); the IRQ number is the vector's own */
#define MSI_HWIRQ_RID_SHIFT     11
#define MSI_HWIRQ_SEGMENT_SHIFT 27

static int alloc_vectors(struct pci_dev *d, int n)
{
	unsigned long rid = (unsigned long)d->bus << 8 | d->dev << 3 | d->fn;

	for (int i = 0; i < n; i++) {
		int v = irq_vector_alloc();

		if (v < 0) {
			free_vectors(d, i);
			return v;
		}
		d->vectors[i] = v;
		irq_set_chip_info(v, (unsigned int)v, "PCI-MSI",
				  (unsigned long)i | rid << MSI_HWIRQ_RID_SHIFT |
				  (unsigned long)d->segment << MSI_HWIRQ_SEGMENT_SHIFT, false);
	}
	return 0;
}

/* ---- MSI-X: PCI LB 3.0 6.8.2 ---- */

static volatile u32 *msix_entry(struct pci_dev *d, int nr, int reg)
{
	return (volatile u32 *)(d->msix_table + nr * PCI_MSIX_ENTRY_SIZE + reg);
}

void pci_msix_mask(struct pci_dev *d, int nr, bool masked)
{
	volatile u32 *ctrl;

	if (d->irq_mode != PCI_IRQ_MSIX || nr < 0 || nr >= d->nr_vectors)
		return;
	ctrl = msix_entry(d, nr, PCI_MSIX_ENTRY_CTRL);
	*ctrl = masked ? *ctrl | PCI_MSIX_ENTRY_CTRL_MASKBIT : *ctrl & ~PCI_MSIX_ENTRY_CTRL_MASKBIT;
	(void)*ctrl;   /* read back: the write has reached the device */
}

void pci_msix_function_mask(struct pci_dev *d, bool masked)
{
	u16 ctrl = pci_read_config16(d, d->msix_cap + PCI_MSIX_FLAGS);

	ctrl = masked ? ctrl | PCI_MSIX_FLAGS_MASKALL : ctrl & ~PCI_MSIX_FLAGS_MASKALL;
	pci_write_config16(d, d->msix_cap + PCI_MSIX_FLAGS, ctrl);
}

bool pci_msix_pending(struct pci_dev *d, int nr)
{
	volatile u32 *pba = (volatile u32 *)d->msix_pba;

	if (d->irq_mode != PCI_IRQ_MSIX || !pba)
		return false;
	return pba[nr / 32] & (1u << (nr % 32));
}

/* the mapped BAR region [offset, offset + len) named by an MSI-X table or
 * PBA register, or NULL */
static volatile u8 *msix_locate(struct pci_dev *d, u16 reg, u32 len)
{
	u32 v = pci_read_config32(d, d->msix_cap + reg);
	int bir = v & PCI_MSIX_BIR_MASK;
	u32 off = v & PCI_MSIX_OFFSET_MASK;
	u8 *base;

	if (bir >= PCI_NUM_BARS || d->bar[bir].is_io || off + len > d->bar[bir].size)
		return NULL;
	base = pci_iomap(d, bir);
	return base ? (volatile u8 *)base + off : NULL;
}

/* writes to /proc/irq/N/smp_affinity: a new destination in entry nr's
 * message address, written while the entry is masked (PCI 3.0 6.8.2.9:
 * software changes an entry only while it is masked) */
static int msix_retarget(int vector, unsigned int cpu, void *ctx)
{
	struct pci_dev *d = ctx;
	u64 addr = lapic_msi_address(lapic_cpu_dest(cpu));

	for (int i = 0; i < d->nr_vectors; i++) {
		volatile u32 *ctrl;
		u32 was;

		if (d->vectors[i] != vector)
			continue;
		ctrl = msix_entry(d, i, PCI_MSIX_ENTRY_CTRL);
		was = *ctrl;
		*ctrl = was | PCI_MSIX_ENTRY_CTRL_MASKBIT;
		*msix_entry(d, i, PCI_MSIX_ENTRY_ADDR_LO) = (u32)addr;
		*msix_entry(d, i, PCI_MSIX_ENTRY_ADDR_HI) = (u32)(addr >> 32);
		*ctrl = was;
		(void)*ctrl;    /* read back: the writes reached the device */
		return 0;
	}
	return -ENOENT;
}

/* the same for the one MSI message: its address register */
static int msi_retarget(int vector, unsigned int cpu, void *ctx)
{
	struct pci_dev *d = ctx;
	u64 addr = lapic_msi_address(lapic_cpu_dest(cpu));
	u16 ctrl = pci_read_config16(d, d->msi_cap + PCI_MSI_FLAGS);

	if (d->nr_vectors < 1 || d->vectors[0] != vector)
		return -ENOENT;
	pci_write_config32(d, d->msi_cap + PCI_MSI_ADDRESS_LO, (u32)addr);
	if (ctrl & PCI_MSI_FLAGS_64BIT)
		pci_write_config32(d, d->msi_cap + PCI_MSI_ADDRESS_HI, (u32)(addr >> 32));
	return 0;
}

static int msix_setup(struct pci_dev *d, int min, int max)
{
	u16 ctrl = pci_read_config16(d, d->msix_cap + PCI_MSIX_FLAGS);
	int table_size = (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1;
	int n = MIN(max, table_size);
	int rc;

	if (n < min)
		return -ENOSPC;
	d->msix_table = msix_locate(d, PCI_MSIX_TABLE, table_size * PCI_MSIX_ENTRY_SIZE);
	d->msix_pba = msix_locate(d, PCI_MSIX_PBA, ALIGN_UP(table_size, 64) / 8);
	if (!d->msix_table || !d->msix_pba)
		return -EIO;
	rc = alloc_vectors(d, n);
	if (rc)
		return rc;
	/* 6.8.2.3: program the table with the whole function masked, then
	 * unmask it; entries beyond n stay masked */
	pci_write_config16(d, d->msix_cap + PCI_MSIX_FLAGS,
			   ctrl | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	for (int i = 0; i < table_size; i++) {
		*msix_entry(d, i, PCI_MSIX_ENTRY_CTRL) = PCI_MSIX_ENTRY_CTRL_MASKBIT;
		if (i >= n)
			continue;
		/* each vector to the CPU of its affinity */
		u64 addr = lapic_msi_address(lapic_cpu_dest(irq_setup_affinity(d->vectors[i])));

		*msix_entry(d, i, PCI_MSIX_ENTRY_ADDR_LO) = (u32)addr;
		*msix_entry(d, i, PCI_MSIX_ENTRY_ADDR_HI) = (u32)(addr >> 32);
		*msix_entry(d, i, PCI_MSIX_ENTRY_DATA) = msi_data(d->vectors[i]);
		irq_set_retarget(d->vectors[i], msix_retarget, d);
		*msix_entry(d, i, PCI_MSIX_ENTRY_CTRL) = 0;
	}
	set_intx_disabled(d, true);
	pci_write_config16(d, d->msix_cap + PCI_MSIX_FLAGS,
			   (ctrl | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL);
	return n;
}

static void msix_teardown(struct pci_dev *d)
{
	u16 ctrl = pci_read_config16(d, d->msix_cap + PCI_MSIX_FLAGS);

	for (int i = 0; i < d->nr_vectors; i++)
		*msix_entry(d, i, PCI_MSIX_ENTRY_CTRL) = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	pci_write_config16(d, d->msix_cap + PCI_MSIX_FLAGS,
			   ctrl & ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL));
	free_vectors(d, d->nr_vectors);
}

/* ---- MSI: PCI LB 3.0 6.8.1; one message (Multiple Message Enable 0) ---- */

static int msi_setup(struct pci_dev *d, int min)
{
	u8 cap = d->msi_cap;
	u16 ctrl = pci_read_config16(d, cap + PCI_MSI_FLAGS);
	bool is64 = ctrl & PCI_MSI_FLAGS_64BIT;
	u64 addr;
	int rc;

	/* several MSI messages need a block of contiguous, aligned vectors:
	 * one is enough for us */
	if (min > 1)
		return -ENOSPC;
	rc = alloc_vectors(d, 1);
	if (rc)
		return rc;
	/* the message goes to the CPU of the vector's affinity */
	addr = lapic_msi_address(lapic_cpu_dest(irq_setup_affinity(d->vectors[0])));
	pci_write_config16(d, cap + PCI_MSI_FLAGS, ctrl & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE));
	pci_write_config32(d, cap + PCI_MSI_ADDRESS_LO, (u32)addr);
	if (is64) {
		pci_write_config32(d, cap + PCI_MSI_ADDRESS_HI, (u32)(addr >> 32));
		pci_write_config16(d, cap + PCI_MSI_DATA_64, msi_data(d->vectors[0]));
	} else {
		pci_write_config16(d, cap + PCI_MSI_DATA_32, msi_data(d->vectors[0]));
	}
	if (ctrl & PCI_MSI_FLAGS_MASKBIT)
		pci_write_config32(d, cap + (is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32), 0);
	irq_set_retarget(d->vectors[0], msi_retarget, d);
	set_intx_disabled(d, true);
	pci_write_config16(d, cap + PCI_MSI_FLAGS,
			   (ctrl & ~PCI_MSI_FLAGS_QSIZE) | PCI_MSI_FLAGS_ENABLE);
	return 1;
}

static void msi_teardown(struct pci_dev *d)
{
	u16 ctrl = pci_read_config16(d, d->msi_cap + PCI_MSI_FLAGS);

	pci_write_config16(d, d->msi_cap + PCI_MSI_FLAGS, ctrl & ~PCI_MSI_FLAGS_ENABLE);
	free_vectors(d, 1);
}

/* ---- INTx ---- */

static bool chipset_is_q35(void)
{
	struct pci_dev *h = pci_get_device(Q35_HOST_VENDOR, Q35_HOST_DEVICE, NULL);

	return h && !h->segment && !h->bus && !h->dev && !h->fn;
}

/* the bridge whose secondary bus is d's bus, or NULL */
static struct pci_dev *upstream_bridge(struct pci_dev *d)
{
	for (int i = 0; i < pci_device_count(); i++) {
		struct pci_dev *b = pci_device_at(i);

		if (b->header_type == PCI_HEADER_TYPE_BRIDGE && b->segment == d->segment &&
		    b->secondary_bus == d->bus)
			return b;
	}
	return NULL;
}

/* ICH9: the PIRQ (0..7) the device's INTx pin reaches, or -ENODEV */
static int ich9_pirq(struct pci_dev *d)
{
	int pin = d->irq_pin - 1;   /* 0 = INTA# */

	while (d->bus) {
		struct pci_dev *b = upstream_bridge(d);

		if (!b)
			return -ENODEV;
		pin = (pin + d->dev) % PCI_INTX_PINS;
		d = b;
	}
	if (d->dev == ICH9_D30_SLOT)
		return ICH9_PIRQ_E + pin;
	if (d->dev >= ICH9_CHIPSET_SLOT_FIRST)
		return pin;
	return (d->dev + pin) % PCI_INTX_PINS + ICH9_PIRQ_E;
}

/* find or route the INTx line for d; returns its slot in intx_lines */
static int intx_line_get(struct pci_dev *d)
{
	bool isa = irq_using_8259() || !chipset_is_q35();
	u32 irq;
	int pirq, free_slot = -1, vector, rc;
	struct intx_line *l;

	if (isa) {
		/* 0 and 0xff: firmware assigned nothing */
		if (!d->irq_line || d->irq_line > ISA_IRQ_MAX)
			return -ENODEV;
		irq = d->irq_line;
	} else {
		pirq = ich9_pirq(d);
		if (pirq < 0)
			return pirq;
		irq = ICH9_GSI_PIRQ_BASE + pirq;
	}
	for (int i = 0; i < INTX_LINES_MAX; i++) {
		l = &intx_lines[i];
		if (l->users && l->isa == isa && l->irq == irq) {
			l->users++;
			return i;
		}
		if (!l->users && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return -ENOSPC;
	vector = irq_using_8259() ? IRQ_VECTOR_PIC_BASE + (int)irq : irq_vector_alloc();
	if (vector < 0)
		return vector;
	rc = isa ? irq_route_isa(irq, vector) : ioapic_route_gsi(irq, vector, true, false);
	if (rc) {
		if (!irq_using_8259())
			irq_vector_free(vector);
		return rc;
	}
	l = &intx_lines[free_slot];
	l->isa = isa;
	l->irq = irq;
	l->vector = vector;
	l->users = 1;
	return free_slot;
}

static int intx_setup(struct pci_dev *d, int min)
{
	unsigned long flags;
	int slot;

	if (min > 1)
		return -ENOSPC;
	flags = spin_lock_irqsave(&intx_lock);
	slot = intx_line_get(d);
	spin_unlock_irqrestore(&intx_lock, flags);
	if (slot < 0)
		return slot;
	d->vectors[0] = intx_lines[slot].vector;
	d->intx_gsi = intx_lines[slot].irq;
	d->intx_isa = intx_lines[slot].isa;
	set_intx_disabled(d, false);
	return 1;
}

static void intx_teardown(struct pci_dev *d)
{
	unsigned long flags;

	set_intx_disabled(d, true);
	flags = spin_lock_irqsave(&intx_lock);
	for (int i = 0; i < INTX_LINES_MAX; i++) {
		struct intx_line *l = &intx_lines[i];

		if (!l->users || l->vector != d->vectors[0] || --l->users)
			continue;
		/* the last user: quiet the input; an ISA route in APIC mode
		 * stays programmed (its GSI after overrides is the router's) */
		if (irq_using_8259())
			pic_mask_irq(l->irq, true);
		else if (!l->isa)
			ioapic_mask_gsi(l->irq, true);
		if (!irq_using_8259())
			irq_vector_free(l->vector);
	}
	spin_unlock_irqrestore(&intx_lock, flags);
}

/* ---- the API ---- */

static int setup_mode(struct pci_dev *d, unsigned mode, int min, int max)
{
	switch (mode) {
	case PCI_IRQ_MSIX: return msix_setup(d, min, max);
	case PCI_IRQ_MSI:  return msi_setup(d, min);
	case PCI_IRQ_INTX: return intx_setup(d, min);
	}
	return -EINVAL;
}

int pci_alloc_irq_vectors(struct pci_dev *d, int min, int max, unsigned modes)
{
	unsigned avail = modes_offered(d) & modes, order[4], n = 0;
	char name[16], text[32];
	int rc = -ENODEV;

	if (d->irq_mode)
		return -EBUSY;
	max = MIN(max, PCI_IRQ_MAX_VECTORS);
	if (min < 1 || max < min)
		return -EINVAL;
	if (pci_irqmode_wanted && (avail & pci_irqmode_wanted)) {
		order[n++] = pci_irqmode_wanted;
	} else if (pci_irqmode_wanted) {
		pr_warn("pci: %s: irqmode=%s not supported (device offers: %s), using %s\n",
			pci_name(d, name, sizeof(name)), pci_irq_mode_name(pci_irqmode_wanted),
			modes_text(avail, text, sizeof(text)), pci_irq_mode_name(best_mode(avail)));
	}
	for (size_t i = 0; i < ARRAY_SIZE(mode_order); i++)
		if ((avail & mode_order[i]) && mode_order[i] != pci_irqmode_wanted)
			order[n++] = mode_order[i];
	for (unsigned i = 0; i < n; i++) {
		rc = setup_mode(d, order[i], min, max);
		if (rc > 0) {
			d->irq_mode = order[i];
			d->nr_vectors = rc;
			return rc;
		}
		pr_warn("pci: %s: %s setup failed: %s\n", pci_name(d, name, sizeof(name)),
			pci_irq_mode_name(order[i]), errno_name(rc));
	}
	return rc;
}

enum pci_irq_mode pci_irq_mode(struct pci_dev *d)
{
	return d->irq_mode;
}

int pci_irq_vector(struct pci_dev *d, int nr)
{
	if (!d->irq_mode || nr < 0 || nr >= d->nr_vectors)
		return -EINVAL;
	return d->vectors[nr];
}

void pci_free_irq_vectors(struct pci_dev *d)
{
	switch (d->irq_mode) {
	case PCI_IRQ_MSIX: msix_teardown(d); break;
	case PCI_IRQ_MSI:  msi_teardown(d); break;
	case PCI_IRQ_INTX: intx_teardown(d); break;
	}
	d->irq_mode = 0;
	d->nr_vectors = 0;
}
