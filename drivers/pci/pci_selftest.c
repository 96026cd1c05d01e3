/* PCI self-tests, chosen with `pcitest=config|irq`; the kernel powers off
 * afterwards with EXIT_OK or EXIT_FAIL.
 *
 *  config: every function's first 256 bytes read through ECAM and through
 *          the legacy mechanism must be identical (PCIe 4.0 7.2.2: ECAM
 *          maps the same registers mechanism #1 reaches).
 *  irq:    pci_irqtest.c: every Intel NIC raises interrupts in the chosen
 *          mode (irqmode=). */
#include "drivers/pci/pci_internal.h"
#include "drivers/pci/pci_regs.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include <string.h>

enum pcitest { PCITEST_NONE, PCITEST_CONFIG, PCITEST_IRQ };
static enum pcitest pcitest;

static int set_pcitest(const char *v)
{
	if (!strcmp(v, "config"))
		pcitest = PCITEST_CONFIG;
	else if (!strcmp(v, "irq"))
		pcitest = PCITEST_IRQ;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_OPT("pcitest", set_pcitest, "PCI self-test, then power off: config|irq");

static int config_compare(void)
{
	bool was_ecam = !strcmp(pci_config_mechanism(), "ecam");
	int bad = 0, n = pci_device_count();
	char name[16];

	if (!pci_config_use_ecam(true)) {
		pr_err("pcitest: config: FAIL: no ECAM window (no MCFG)\n");
		return -ENODEV;
	}
	for (int i = 0; i < n; i++) {
		struct pci_dev *d = pci_device_at(i);

		for (u16 off = 0; off < PCI_CONF1_SPACE_SIZE; off += 4) {
			u32 ecam, legacy;

			pci_config_use_ecam(true);
			ecam = pci_read_config32(d, off);
			pci_config_use_ecam(false);
			legacy = pci_read_config32(d, off);
			if (ecam != legacy) {
				pr_err("pcitest: config: %s offset %#x: ecam %#x legacy %#x\n",
				       pci_name(d, name, sizeof(name)), off, ecam, legacy);
				bad++;
			}
		}
		/* a sub-dword read through each mechanism */
		pci_config_use_ecam(true);
		u16 class_e = pci_read_config16(d, PCI_CLASS_REVISION + 2);
		pci_config_use_ecam(false);
		if (class_e != pci_read_config16(d, PCI_CLASS_REVISION + 2))
			bad++;
	}
	pci_config_use_ecam(was_ecam);
	pr_info("pcitest: config: %d functions, %d bytes each: %s (%d mismatches)\n", n,
		PCI_CONF1_SPACE_SIZE, bad ? "FAIL" : "ecam and legacy identical", bad);
	return bad ? -EIO : 0;
}

void pci_selftest_run_requested(void)
{
	int rc;

	switch (pcitest) {
	case PCITEST_CONFIG:
		rc = config_compare();
		break;
	case PCITEST_IRQ:
		rc = pci_irqtest_run();
		break;
	default:
		return;
	}
	machine_poweroff(rc ? EXIT_FAIL : EXIT_OK);
}
