/* PCI core entry point and driver binding: pci_init() enumerates;
 * pci_register_driver() probes the matching devices already found, and
 * pci_init() probes devices for drivers registered before it. */
#include "drivers/pci/pci_internal.h"
#include "kernel/errno.h"
#include "kernel/printk.h"

#define PCI_MAX_DRIVERS 16

static struct pci_driver *drivers[PCI_MAX_DRIVERS];
static int nr_drivers;
static bool pci_ready;

static const struct pci_device_id *match_id(const struct pci_driver *drv,
					    const struct pci_dev *d)
{
	for (const struct pci_device_id *id = drv->id_table; id && id->vendor; id++)
		if ((id->vendor == PCI_ANY_ID || id->vendor == d->vendor) &&
		    (id->device == PCI_ANY_ID || id->device == d->device))
			return id;
	return NULL;
}

static void probe_one(struct pci_driver *drv, struct pci_dev *d)
{
	const struct pci_device_id *id = match_id(drv, d);
	char name[16];
	int rc;

	if (!id || d->driver)
		return;
	pci_enable_device(d);
	rc = drv->probe(d, id);
	if (rc) {
		pr_err("pci: %s: %s probe failed: %s\n", pci_name(d, name, sizeof(name)),
		       drv->name, errno_name(rc));
		return;
	}
	d->driver = drv;
}

int pci_register_driver(struct pci_driver *drv)
{
	if (!drv || !drv->name || !drv->probe)
		return -EINVAL;
	if (nr_drivers == PCI_MAX_DRIVERS)
		return -ENOSPC;
	drivers[nr_drivers++] = drv;
	if (pci_ready)
		for (int i = 0; i < pci_device_count(); i++)
			probe_one(drv, pci_device_at(i));
	return 0;
}

int pci_init(void)
{
	int rc = pci_config_init();

	if (rc)
		return rc;
	pci_enumerate();
	pci_ready = true;
	for (int k = 0; k < nr_drivers; k++)
		for (int i = 0; i < pci_device_count(); i++)
			probe_one(drivers[k], pci_device_at(i));
	pr_info("pci: %d functions found\n", pci_device_count());
	return 0;
}
