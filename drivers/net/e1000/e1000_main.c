/* e1000 family PCI glue: device table, probe (BAR0, reset, MAC, IRQ
 * vector, registration), the hard IRQ entry and the `e1000.ring=` and
 * `e1000.adaptive_itr=` options.
 * Everything else is in e1000_netdev.c and below, which do not know about
 * PCI. */
#include "drivers/net/e1000/e1000.h"
#include "drivers/pci/pci.h"
#include "kernel/apic.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/version.h"
#include "net/core/napi.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCI_VENDOR_ID_INTEL     0x8086
#define PCI_SUBSYSTEM_VENDOR_ID 0x2C    /* PCI 3.0 6.2.4 */
#define PCI_SUBSYSTEM_ID        0x2E
#define PCI_SUBVENDOR_QEMU      0x1AF4  /* Red Hat/Qumranet: QEMU's default subsystem */

static const struct pci_device_id e1000_pci_ids[] = {
	{ PCI_VENDOR_ID_INTEL, 0x100E, (unsigned long)&e1000_chip_82540em },  /* 82540EM */
	{ PCI_VENDOR_ID_INTEL, 0x10D3, (unsigned long)&e1000_chip_82574l },   /* 82574L */
	{ PCI_VENDOR_ID_INTEL, 0x10C9, (unsigned long)&e1000_chip_82576 },    /* 82576 */
	{ 0, 0, 0 },
};

/* QEMU's models leave the error counters uncleared on read (e1000_stats.c).
 * They show as subsystem 1af4:1100 (e1000, igb) or 8086:0000 (e1000e);
 * boards with these chips carry their vendor's nonzero subsystem IDs. */
static bool e1000_is_emulated(struct pci_dev *pdev)
{
	u16 sv = pci_read_config16(pdev, PCI_SUBSYSTEM_VENDOR_ID);
	u16 sd = pci_read_config16(pdev, PCI_SUBSYSTEM_ID);

	return sv == PCI_SUBVENDOR_QEMU || (sv == PCI_VENDOR_ID_INTEL && sd == 0);
}

static int set_e1000_ring(const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (*end || end == v || n > E1000_RING_MAX || e1000_valid_ring_size((u32)n))
		return -EINVAL;
	e1000_ring_default = (u32)n;
	return 0;
}
CMDLINE_OPT("e1000.ring", set_e1000_ring,
	    "RX and TX descriptors per ring at probe: 64..4096, a multiple of 8 (default 256)");

static int set_e1000_adaptive(const char *v)
{
	if (!strcmp(v, "on"))
		e1000_adaptive_default = true;
	else if (!strcmp(v, "off"))
		e1000_adaptive_default = false;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_OPT("e1000.adaptive_itr", set_e1000_adaptive,
	    "adaptive interrupt moderation of every e1000/e1000e/igb at probe: on|off (default off)");

/* RSS queues at probe (igb, e1000e), 0 = one per CPU up to the chip's
 * maximum (Linux's igb: min(num_online_cpus, 8); the 82574: 2) */
static unsigned int e1000_queues_opt;

static int set_e1000_queues(const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (*end || end == v || n < 1 || n > E1000_MQ_MAX)
		return -EINVAL;
	e1000_queues_opt = (unsigned int)n;
	return 0;
}
CMDLINE_OPT("e1000.queues", set_e1000_queues,
	    "igb/e1000e RSS queues at probe: 1..8, at most 2 on e1000e (default one per CPU, "
	    "at most the chip's; MSI-X only)");

static unsigned int e1000_queues_wanted(const struct e1000_chip *chip, const char **why)
{
	if (chip->max_rss_queues < 2)
		return 1;
	/* napi=off is the one-interrupt-per-frame baseline of one queue;
	 * and with several, QEMU's igb drops (uncounted, ICR.RXO) a frame
	 * whose queue is full instead of holding it back as it does while
	 * every enabled queue is full (igb_receive_internal vs
	 * igb_can_receive), which a per-frame-interrupt guest hits at once */
	if (!READ_ONCE(napi_enabled)) {
		pr_info("e1000: %s: napi=off: one queue\n", chip->name);
		*why = "one queue: napi=off";
		return 1;
	}
	if (e1000_queues_opt)
		return MIN(e1000_queues_opt, (unsigned int)chip->max_rss_queues);
	if (nr_cpu_ids_online() < 2)
		*why = "one queue: one CPU at probe (e1000.queues= asks for more)";
	return MIN(nr_cpu_ids_online(), (unsigned int)chip->max_rss_queues);
}

static int e1000_irq(void *ctx);

static int e1000_mq_irq(void *ctx)
{
	return e1000_mq_ring_intr(ctx) ? IRQ_HANDLED : IRQ_NONE;
}

static int e1000_mq_other_irq(void *ctx)
{
	return e1000_mq_other_intr(ctx) ? IRQ_HANDLED : IRQ_NONE;
}

/* Multiqueue (e1000_mq.c): entry 0 the other causes, named as the device;
 * entry 1 + q queue q's.  The vectors stay masked in the device until up. */
/* queue q's vector on CPU q mod the CPUs online, or on the (q mod n)-th
 * of the n CPUs irqaffinity= names (Linux's igb leaves spreading to
 * irqbalance or the user; barenet has no irqbalance) */
static void e1000_mq_spread(struct e1000_adapter *a, unsigned int q)
{
	u32 m = irq_spread_mask();
	unsigned int k = q % (unsigned int)__builtin_popcount(m);

	irq_set_affinity(pci_irq_vector(a->pdev, (int)q + 1), 1u << find_nth_bit32(m, k));
}

/* the handlers of queue vectors 1.. (e1000_mq_irqs_hook): [old, new)
 * installed, [new, old) removed, so /proc/interrupts lists the queues in
 * use, as Linux's igb frees and requests them on ethtool -L */
static int e1000_mq_irqs(struct e1000_adapter *a, unsigned int old_nq, unsigned int new_nq)
{
	struct pci_dev *pdev = a->pdev;
	int rc = 0;

	for (unsigned int q = MAX(old_nq, 1u); !rc && q < new_nq; q++) {
		rc = irq_set_handler(pci_irq_vector(pdev, (int)q + 1), e1000_mq_irq,
				     e1000_mq_queue(a, q), e1000_mq_irq_name(a, q));
		e1000_mq_spread(a, q);
	}
	for (unsigned int q = MAX(new_nq, 1u); q < old_nq; q++)
		irq_remove_handler(pci_irq_vector(pdev, (int)q + 1), e1000_mq_irq,
				   e1000_mq_queue(a, q));
	return rc;
}

static int e1000_mq_request_irqs(struct e1000_adapter *a, unsigned int nq, unsigned int maxq)
{
	struct pci_dev *pdev = a->pdev;
	int rc = e1000_mq_init(a, nq, maxq);

	if (rc)
		return rc;
	rc = irq_set_handler(pci_irq_vector(pdev, 0), e1000_mq_other_irq, a, a->netdev->name);
	if (rc)
		return rc;
	rc = irq_set_handler(pci_irq_vector(pdev, 1), e1000_irq, a, e1000_mq_irq_name(a, 0));
	if (!rc)
		e1000_mq_spread(a, 0);
	return rc ? rc : e1000_mq_irqs(a, 1, nq);
}

static void e1000_mq_free_irqs(struct e1000_adapter *a)
{
	struct pci_dev *pdev = a->pdev;

	e1000_mq_irqs(a, a->num_queues, 1);
	irq_remove_handler(pci_irq_vector(pdev, 0), e1000_mq_other_irq, a);
	irq_remove_handler(pci_irq_vector(pdev, 1), e1000_irq, a);
}

/* ethtool -i: the PCI address and the kernel's version (in-tree driver) */
static void e1000_pci_drvinfo(struct net_device *dev, struct ethtool_drvinfo *info)
{
	struct e1000_adapter *a = netdev_priv(dev);

	snprintf(info->version, sizeof(info->version), "%s", BARENET_VERSION);
	if (a->pdev)
		pci_name(a->pdev, info->bus_info, sizeof(info->bus_info));
}

/* fault injection's spurious interrupt: the device's vector raised by the
 * local APIC (in 8259 mode the 8259 would get an EOI for an IRQ it never
 * raised: the caller runs the handler instead) */
static int e1000_raise_vector(struct e1000_adapter *a)
{
	if (!a->pdev || irq_using_8259())
		return -EOPNOTSUPP;
	/* multiqueue: queue 0's vector is entry 1 */
	return lapic_send_self_ipi(pci_irq_vector(a->pdev, a->hw.mq ? 1 : 0));
}

static int e1000_irq(void *ctx)
{
	return e1000_intr(ctx) ? IRQ_HANDLED : IRQ_NONE;
}

static int e1000_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	const struct e1000_chip *chip = (const struct e1000_chip *)id->driver_data;
	unsigned int modes = PCI_IRQ_MSI | PCI_IRQ_INTX;
	struct e1000_adapter *a;
	struct net_device *dev;
	volatile u8 *bar0;
	char mac[18], where[16];
	u16 id1 = 0, id2 = 0;
	const char *why = NULL;
	unsigned int nq = e1000_queues_wanted(chip, &why), maxq = 1;
	int rc, vector;

	bar0 = pci_iomap(pdev, 0);
	if (!bar0)
		return -ENODEV;
	pci_set_master(pdev);
	dev = alloc_netdev(sizeof(*a));
	if (!dev)
		return -ENOMEM;
	a = netdev_priv(dev);
	a->pdev = pdev;
	rc = e1000_adapter_init(dev, chip, bar0, e1000_is_emulated(pdev));
	if (rc)
		goto err_free;

	/* the 82574 and 82576 may use MSI-X (one table entry); all may use
	 * MSI or INTx; irqmode= on the command line picks among them */
	if (chip->flags & E1000_F_MSIX)
		modes |= PCI_IRQ_MSIX;
	/* several RSS queues: a vector for each queue ethtool -L may ask
	 * for (E1000_MQ_MAX) and one for the other causes */
	rc = pci_alloc_irq_vectors(pdev, 1, nq > 1 ? chip->max_rss_queues + 1 : 1, modes);
	if (rc < 0)
		goto err_free;
	a->hw.msix = pci_irq_mode(pdev) == PCI_IRQ_MSIX;
	a->hw.msi = pci_irq_mode(pdev) == PCI_IRQ_MSI;
	if (nq > 1 && (!a->hw.msix || rc < 3)) {
		pr_info("e1000: %s: %u queues need MSI-X with %u vectors; one queue\n",
			chip->name, nq, nq + 1);
		why = a->hw.msix ? "one queue: too few MSI-X vectors"
				 : a->hw.msi ? "one queue: MSI (RSS needs an MSI-X vector per queue)"
					     : "one queue: INTx (RSS needs an MSI-X vector per queue)";
		nq = 1;
	} else if (nq > 1) {
		maxq = MIN((unsigned int)rc - 1, (unsigned int)chip->max_rss_queues);
		nq = MIN(nq, maxq);
	}
	a->mq_why = why;
	vector = pci_irq_vector(pdev, 0);
	rc = register_netdev(dev);
	if (rc)
		goto err_irq;
	if (nq > 1)
		rc = e1000_mq_request_irqs(a, nq, maxq);
	else
		rc = irq_set_handler(vector, e1000_irq, a, dev->name);
	if (rc)
		goto err_unreg;
	pdev->driver_data = a;

	e1000_phy_read(&a->hw, MII_PHYSID1, &id1);
	e1000_phy_read(&a->hw, MII_PHYSID2, &id2);
	pr_info("%s: %s at %s, MAC %s, irq %s vector %#x, phy id %04x:%04x%s\n", dev->name,
		chip->name, pci_name(pdev, where, sizeof(where)), netdev_fmt_mac(mac, dev->dev_addr),
		pci_irq_mode_name(pci_irq_mode(pdev)), vector, id1, id2,
		a->hw.emulated ? ", emulated" : "");
	if (a->hw.mq)
		pr_info("%s: %u RSS queues, MSI-X vectors %#x..%#x\n", dev->name, nq,
			vector, pci_irq_vector(pdev, (int)nq));
	return 0;

err_unreg:
	unregister_netdev(dev);
err_irq:
	pci_free_irq_vectors(pdev);
err_free:
	free_netdev(dev);
	return rc;
}

static void e1000_remove(struct pci_dev *pdev)
{
	struct e1000_adapter *a = pdev->driver_data;

	if (!a)
		return;
	netdev_stop(a->netdev);
	if (a->hw.mq)
		e1000_mq_free_irqs(a);
	else
		irq_remove_handler(pci_irq_vector(pdev, 0), e1000_irq, a);
	pci_free_irq_vectors(pdev);
	e1000_mq_free(a);
	netif_napi_del(&a->napi);
	unregister_netdev(a->netdev);
	free_netdev(a->netdev);
	pdev->driver_data = NULL;
}

static struct pci_driver e1000_pci_driver = {
	.name = "e1000",
	.id_table = e1000_pci_ids,
	.probe = e1000_probe,
	.remove = e1000_remove,
};

int e1000_driver_init(void)
{
	e1000_drvinfo_hook = e1000_pci_drvinfo;
	e1000_raise_vector_hook = e1000_raise_vector;
	e1000_mq_irqs_hook = e1000_mq_irqs;
	return pci_register_driver(&e1000_pci_driver);
}
