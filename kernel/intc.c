/* Which interrupt controller delivers device interrupts: the IOAPICs (APIC
 * mode, the default when the MADT lists any) or the 8259 pair (cmdline
 * `pic=8259`, or no MADT).  Also the ISA IRQ routing through the MADT's
 * interrupt source overrides (ACPI 6.5 5.2.12.5). */
#include "kernel/apic.h"
#include "kernel/acpi.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/printk.h"
#include <string.h>

#define ISA_NR_IRQS 16

static bool want_8259;
static bool use_8259;

static int set_pic(const char *v)
{
	if (!strcmp(v, "8259"))
		want_8259 = true;
	else if (!strcmp(v, "apic"))
		want_8259 = false;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_OPT("pic", set_pic, "interrupt controller: apic|8259");

bool irq_using_8259(void)
{
	return use_8259;
}

/* APIC mode: every vector but the spurious one (irq.c never EOIs that) */
static bool intc_eoi_lapic(int vector)
{
	(void)vector;
	lapic_eoi();
	return false;
}

/* 8259 mode: the PIC's vectors go to the 8259, which tells its own
 * spurious IRQ 7/15; anything else (the LAPIC error vector) came through
 * the still-enabled local APIC */
static bool intc_eoi_8259(int vector)
{
	if (vector >= IRQ_VECTOR_PIC_BASE && vector < IRQ_VECTOR_PIC_BASE + PIC_NR_IRQS)
		return pic_eoi_irq(vector - IRQ_VECTOR_PIC_BASE);
	if (lapic_present())
		lapic_eoi();
	return false;
}

int intc_init(void)
{
	const struct madt_info *m = acpi_madt();

	/* remapped and masked in either mode: in APIC mode a stray 8259
	 * interrupt must not land on an exception vector */
	pic_init();
	use_8259 = want_8259 || !m;
	if (!use_8259 && lapic_init(false) == 0 && ioapic_init() == 0) {
		irq_eoi = intc_eoi_lapic;
		pr_info("intc: APIC mode (8259 masked)\n");
		return 0;
	}
	if (!use_8259)
		pr_warn("intc: no usable LAPIC/IOAPIC: falling back to the 8259\n");
	use_8259 = true;
	/* the LAPIC still serves as a timer for calibration; the 8259's INTR
	 * reaches the CPU through LINT0 in ExtINT mode */
	lapic_init(true);
	irq_eoi = intc_eoi_8259;
	pr_info("intc: 8259 mode%s\n", want_8259 ? " (pic=8259)" : " (no MADT)");
	return 0;
}

/* an ISA IRQ's GSI, trigger and polarity after the MADT's overrides;
 * ISA defaults are edge-triggered and active high */
static void isa_irq_to_gsi(int irq, u32 *gsi, bool *level, bool *active_low)
{
	const struct madt_info *m = acpi_madt();

	*gsi = irq;
	*level = false;
	*active_low = false;
	for (int i = 0; m && i < m->nr_overrides; i++) {
		const struct madt_override *o = &m->overrides[i];

		if (o->source != irq)
			continue;
		*gsi = o->gsi;
		*active_low = (o->flags & ACPI_MPS_POLARITY_MASK) == ACPI_MPS_POLARITY_LOW;
		*level = (o->flags & ACPI_MPS_TRIGGER_MASK) == ACPI_MPS_TRIGGER_LEVEL;
		return;
	}
}

int irq_route_isa(int isa_irq, int vector)
{
	u32 gsi;
	bool level, active_low;
	int rc;

	if (isa_irq < 0 || isa_irq >= ISA_NR_IRQS)
		return -EINVAL;
	if (use_8259) {
		if (vector != IRQ_VECTOR_PIC_BASE + isa_irq) {
			pr_err("intc: 8259 mode: ISA IRQ %d is vector %#x, not %#x\n",
			       isa_irq, IRQ_VECTOR_PIC_BASE + isa_irq, vector);
			return -EINVAL;
		}
		pic_mask_irq(isa_irq, false);
		irq_set_chip_info(vector, isa_irq, "XT-PIC", isa_irq, false);
		return 0;
	}
	isa_irq_to_gsi(isa_irq, &gsi, &level, &active_low);
	rc = ioapic_route_gsi(gsi, vector, level, active_low);
	if (rc == 0)
		pr_debug("intc: ISA IRQ %d -> GSI %u (%s, %s) -> vector %#x\n", isa_irq, gsi,
			 level ? "level" : "edge", active_low ? "low" : "high", vector);
	return rc;
}
