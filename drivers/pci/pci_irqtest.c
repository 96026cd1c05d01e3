/* `pcitest=irq` (dispatched by pci_selftest.c): prove that the interrupt mode in use delivers, for every
 * Intel e1000-family NIC, without a NIC driver.  Each device gets its
 * vectors (irqmode= chooses the mode), a handler that claims only its own
 * device's causes, and a software-raised cause (Interrupt Cause Set).
 * Every NIC is set up before any is raised, so NICs that share an INTx
 * line prove that each handler leaves the other's interrupt alone.  In
 * MSI-X mode the entry mask and the function mask must hold the message
 * pending in the PBA and deliver it on unmask (PCI LB 3.0 6.8.2.9).
 *
 * Which causes raise which message follows QEMU's models:
 *  - e1000 (hw/net/e1000.c): ICS ORs into ICR; ICR & IMS drives INTx;
 *    reading ICR clears it.
 *  - e1000e (hw/net/e1000e_core.c): the same for MSI and INTx; with MSI-X
 *    enabled, a cause in E1000_ICR_OTHER_CAUSES (LSC) also sets ICR.OTHER,
 *    which IVAR's "other" field routes to a table entry; ICR is then not
 *    cleared by reading, so the handler writes the bits back (W1C).
 *  - igb (hw/net/igb_core.c): with GPIE.MSIX_MODE, EICS/EIMS/EICR drive
 *    the vectors directly (bit n = entry n); EICR clears on read.  Without
 *    it (MSI, INTx) ICS/IMS/ICR as above.
 */
#include "drivers/pci/pci_internal.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include <string.h>

/* 8254x SDM 13.4.17-13.4.21, 82574L datasheet 10.2.4, 82576 datasheet 8.8:
 * the interrupt registers common to the family */
#define E1000_ICR        0x000C0   /* Interrupt Cause Read */
#define E1000_ICS        0x000C8   /* Interrupt Cause Set */
#define E1000_IMS        0x000D0   /* Interrupt Mask Set/Read */
#define E1000_IMC        0x000D8   /* Interrupt Mask Clear */
#define E1000_ICR_LSC    BIT(2)    /* Link Status Change */
#define E1000_ICR_OTHER  BIT(24)   /* 82574: "other" causes, MSI-X */
#define E1000_ALL_CAUSES 0xffffffffu

/* 82574L datasheet 10.2.4.9: IVAR, a 4-bit field per cause: vector 2:0,
 * valid bit 3; the "other" causes' field is bits 19:16 */
#define E1000E_IVAR              0x000E4
#define E1000E_IVAR_VALID        0x8
#define E1000E_IVAR_OTHER_SHIFT  16

/* 82576 datasheet 8.8: extended interrupt registers (bit n = MSI-X entry n) */
#define IGB_GPIE             0x01514   /* General Purpose Interrupt Enable */
#define IGB_GPIE_MSIX_MODE   BIT(4)
#define IGB_EICS             0x01520   /* Extended Interrupt Cause Set */
#define IGB_EIMS             0x01524   /* Extended Interrupt Mask Set */
#define IGB_EIMC             0x01528   /* Extended Interrupt Mask Clear */
#define IGB_EICR             0x01580   /* Extended Interrupt Cause Read */

#define PCI_VENDOR_INTEL     0x8086
#define PCITEST_RAISES       3         /* interrupts raised per device */
#define PCITEST_WAIT_US      200000    /* for one interrupt to arrive */
#define PCITEST_QUIET_US     20000     /* a masked vector must stay quiet */
#define PCITEST_MAX_NICS     8

enum nic_kind { NIC_E1000, NIC_E1000E, NIC_IGB };

static const struct { u16 device; enum nic_kind kind; } nic_ids[] = {
	{ 0x100e, NIC_E1000 },   /* 82540EM */
	{ 0x10d3, NIC_E1000E },  /* 82574L */
	{ 0x10c9, NIC_IGB },     /* 82576 */
};

struct nic_test {
	struct pci_dev *pdev;
	enum nic_kind kind;
	volatile u32 *regs;
	bool eicr_mode;             /* igb in MSI-X mode: EICS/EICR */
	volatile u64 count;         /* interrupts this device claimed */
	char name[16];
	bool failed;
};

static u32 rd(struct nic_test *t, u32 reg)
{
	return t->regs[reg / 4];
}

static void wr(struct nic_test *t, u32 reg, u32 v)
{
	t->regs[reg / 4] = v;
	(void)t->regs[E1000_IMS / 4];   /* flush the posted write */
}

/* claim only this device's causes: a shared INTx line calls every handler */
static int nic_irq(void *ctx)
{
	struct nic_test *t = ctx;
	u32 cause;

	if (t->eicr_mode) {
		cause = rd(t, IGB_EICR);          /* clear on read */
	} else {
		cause = rd(t, E1000_ICR);
		if (cause && t->kind != NIC_E1000)
			wr(t, E1000_ICR, cause);  /* 82574 MSI-X: W1C */
	}
	if (!cause)
		return IRQ_NONE;
	t->count++;
	return IRQ_HANDLED;
}

static void nic_mask_all(struct nic_test *t)
{
	wr(t, E1000_IMC, E1000_ALL_CAUSES);
	if (t->kind == NIC_IGB)
		wr(t, IGB_EIMC, E1000_ALL_CAUSES);
	(void)rd(t, E1000_ICR);
	if (t->kind == NIC_IGB)
		(void)rd(t, IGB_EICR);
}

static void nic_enable_causes(struct nic_test *t)
{
	if (t->eicr_mode) {
		wr(t, IGB_EIMS, BIT(0));
	} else if (t->kind == NIC_E1000E && pci_irq_mode(t->pdev) == PCI_IRQ_MSIX) {
		wr(t, E1000E_IVAR, (E1000E_IVAR_VALID | 0) << E1000E_IVAR_OTHER_SHIFT);
		wr(t, E1000_IMS, E1000_ICR_LSC | E1000_ICR_OTHER);
	} else {
		wr(t, E1000_IMS, E1000_ICR_LSC);
	}
}

static void nic_raise(struct nic_test *t)
{
	if (t->eicr_mode)
		wr(t, IGB_EICS, BIT(0));
	else
		wr(t, E1000_ICS, E1000_ICR_LSC);
}

/* wait with interrupts on until t->count reaches want, or us pass */
static bool wait_count(struct nic_test *t, u64 want, u64 us)
{
	unsigned long flags = local_save_flags();

	local_irq_enable();
	for (u64 i = 0; i < us / 10 && READ_ONCE(t->count) < want; i++)
		udelay(10);
	if (!(flags & X86_RFLAGS_IF))
		local_irq_disable();
	return READ_ONCE(t->count) >= want;
}

static int nic_setup(struct nic_test *t)
{
	int n, vec, rc;

	pci_name(t->pdev, t->name, sizeof(t->name));
	pci_enable_device(t->pdev);
	pci_set_master(t->pdev);          /* MSI writes are memory writes */
	t->regs = pci_iomap(t->pdev, 0);
	if (!t->regs)
		return -ENOMEM;
	nic_mask_all(t);
	if (t->kind == NIC_IGB)
		wr(t, IGB_GPIE, 0);
	n = pci_alloc_irq_vectors(t->pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (n < 0)
		return n;
	if (t->kind == NIC_IGB && pci_irq_mode(t->pdev) == PCI_IRQ_MSIX) {
		wr(t, IGB_GPIE, IGB_GPIE_MSIX_MODE);
		t->eicr_mode = true;
	}
	vec = pci_irq_vector(t->pdev, 0);
	rc = irq_set_handler(vec, nic_irq, t, "pcitest");
	if (rc)
		return rc;
	if (pci_irq_mode(t->pdev) == PCI_IRQ_INTX)
		pr_info("pcitest: %s %04x:%04x mode intx: vector %#x (%s %u, level, shared)\n",
			t->name, t->pdev->vendor, t->pdev->device, vec,
			t->pdev->intx_isa ? "ISA IRQ" : "GSI", t->pdev->intx_gsi);
	else
		pr_info("pcitest: %s %04x:%04x mode %s: vector %#x\n", t->name, t->pdev->vendor,
			t->pdev->device, pci_irq_mode_name(pci_irq_mode(t->pdev)), vec);
	nic_enable_causes(t);
	return 0;
}

static void report(struct nic_test *t, const char *what)
{
	const char *mode = pci_irq_mode_name(pci_irq_mode(t->pdev));

	if (what) {
		t->failed = true;
		pr_err("pcitest: %s %04x:%04x mode %s: FAIL (%s, count %llu)\n", t->name,
		       t->pdev->vendor, t->pdev->device, mode, what, (unsigned long long)t->count);
	}
}

/* raise PCITEST_RAISES interrupts from t; the others must not claim them */
static void nic_test_delivery(struct nic_test *t, struct nic_test *all, int nr)
{
	u64 others[PCITEST_MAX_NICS];
	int vec = pci_irq_vector(t->pdev, 0);
	u64 taken = irq_count(vec);

	for (int i = 0; i < nr; i++)
		others[i] = all[i].count;
	for (int k = 1; k <= PCITEST_RAISES; k++) {
		u64 want = t->count + 1;

		nic_raise(t);
		if (!wait_count(t, want, PCITEST_WAIT_US))
			return report(t, "no interrupt");
	}
	for (int i = 0; i < nr; i++)
		if (&all[i] != t && all[i].count != others[i])
			return report(t, "another device's handler claimed it");
	if (irq_count(vec) - taken < PCITEST_RAISES)
		return report(t, "vector count did not move");
	pr_info("pcitest: %s %04x:%04x mode %s: irq received (count %llu)\n", t->name,
		t->pdev->vendor, t->pdev->device, pci_irq_mode_name(pci_irq_mode(t->pdev)),
		(unsigned long long)t->count);
}

/* MSI-X: a masked entry (then the masked function) holds the message in
 * the PBA; unmasking delivers it */
static void nic_test_msix_masks(struct nic_test *t)
{
	for (int fn_mask = 0; fn_mask <= 1; fn_mask++) {
		u64 want = t->count + 1;
		const char *what = fn_mask ? "function mask" : "entry mask";

		if (fn_mask)
			pci_msix_function_mask(t->pdev, true);
		else
			pci_msix_mask(t->pdev, 0, true);
		nic_raise(t);
		if (wait_count(t, want, PCITEST_QUIET_US))
			return report(t, fn_mask ? "delivered through the function mask" :
					   "delivered through the entry mask");
		if (!pci_msix_pending(t->pdev, 0))
			return report(t, "masked message not pending in the PBA");
		if (fn_mask)
			pci_msix_function_mask(t->pdev, false);
		else
			pci_msix_mask(t->pdev, 0, false);
		if (!wait_count(t, want, PCITEST_WAIT_US))
			return report(t, "pending message not delivered on unmask");
		pr_info("pcitest: %s %04x:%04x mode msix: %s held the message pending, "
			"unmask delivered it\n", t->name, t->pdev->vendor, t->pdev->device, what);
	}
}

int pci_irqtest_run(void)
{
	struct nic_test tests[PCITEST_MAX_NICS];
	int nr = 0, failed = 0, rc;

	memset(tests, 0, sizeof(tests));
	for (int i = 0; i < pci_device_count() && nr < PCITEST_MAX_NICS; i++) {
		struct pci_dev *d = pci_device_at(i);

		for (size_t k = 0; k < ARRAY_SIZE(nic_ids); k++)
			if (d->vendor == PCI_VENDOR_INTEL && d->device == nic_ids[k].device) {
				tests[nr].pdev = d;
				tests[nr++].kind = nic_ids[k].kind;
			}
	}
	if (!nr) {
		pr_err("pcitest: FAIL: no Intel e1000-family NIC found\n");
		return -ENODEV;
	}
	for (int i = 0; i < nr; i++) {
		rc = nic_setup(&tests[i]);
		if (rc) {
			tests[i].failed = true;
			pr_err("pcitest: %s %04x:%04x: FAIL (setup: %s)\n", tests[i].name,
			       tests[i].pdev->vendor, tests[i].pdev->device, errno_name(rc));
		}
	}
	for (int i = 0; i < nr; i++) {
		if (tests[i].failed)
			continue;
		nic_test_delivery(&tests[i], tests, nr);
		if (!tests[i].failed && pci_irq_mode(tests[i].pdev) == PCI_IRQ_MSIX)
			nic_test_msix_masks(&tests[i]);
	}
	for (int i = 0; i < nr; i++) {
		struct nic_test *t = &tests[i];

		if (t->regs)
			nic_mask_all(t);
		if (pci_irq_mode(t->pdev)) {
			irq_remove_handler(pci_irq_vector(t->pdev, 0), nic_irq, t);
			pci_free_irq_vectors(t->pdev);
		}
		failed += t->failed;
	}
	pr_info("pcitest: %d NIC%s tested, %d failed\n", nr, nr == 1 ? "" : "s", failed);
	return failed ? -EIO : 0;
}
