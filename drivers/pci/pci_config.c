/* PCI configuration space access: ECAM (memory-mapped, 4 KiB per
 * function, every segment and bus range ACPI's MCFG lists) and the legacy
 * configuration mechanism #1 (I/O ports 0xcf8/0xcfc, segment 0, the first
 * 256 bytes only) as the fallback, or when `pci=legacy` forces it. */
#include "drivers/pci/pci_internal.h"
#include "drivers/pci/pci_regs.h"
#include "kernel/acpi.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/x86.h"
#include <string.h>

#define PCI_ECAM_MAX_REGIONS 8

struct ecam_region {
	u64 base;                       /* physical address of bus_start */
	u16 segment;
	u8 bus_start, bus_end;
	volatile u8 *bus_virt[PCI_MAX_BUS];  /* 1 MiB per bus, mapped on first use */
};

static struct ecam_region ecam_regions[PCI_ECAM_MAX_REGIONS];
static int nr_ecam_regions;
static bool force_legacy;
static bool use_ecam;
/* guards the CONFIG_ADDRESS, CONFIG_DATA pair (must not interleave);
 * thread context (probe, interrupt setup), irqsave so any context may */
static struct spinlock conf1_lock = SPINLOCK_INIT("pci_conf1");

static int set_pci_option(const char *v)
{
	if (!strcmp(v, "legacy"))
		force_legacy = true;
	else if (!strcmp(v, "auto"))
		force_legacy = false;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_OPT("pci", set_pci_option, "config access: legacy (0xcf8/0xcfc only) | auto");

static u32 conf1_address(u8 bus, u8 dev, u8 fn, u16 off)
{
	return PCI_CONF1_ENABLE | (u32)bus << PCI_CONF1_BUS_SHIFT |
	       (u32)dev << PCI_CONF1_DEV_SHIFT | (u32)fn << PCI_CONF1_FN_SHIFT |
	       (off & PCI_CONF1_REG_MASK);
}

static u32 conf1_read(u8 bus, u8 dev, u8 fn, u16 off, int width)
{
	u16 port = PCI_CONF1_DATA_PORT + (off & 3);
	unsigned long flags;
	u32 v;

	if (off >= PCI_CONF1_SPACE_SIZE)
		return ~0u;
	flags = spin_lock_irqsave(&conf1_lock);
	outl(PCI_CONF1_ADDRESS_PORT, conf1_address(bus, dev, fn, off));
	if (width == 1)
		v = inb(port);
	else if (width == 2)
		v = inw(port);
	else
		v = inl(port);
	spin_unlock_irqrestore(&conf1_lock, flags);
	return v;
}

static void conf1_write(u8 bus, u8 dev, u8 fn, u16 off, int width, u32 v)
{
	u16 port = PCI_CONF1_DATA_PORT + (off & 3);
	unsigned long flags;

	if (off >= PCI_CONF1_SPACE_SIZE)
		return;
	flags = spin_lock_irqsave(&conf1_lock);
	outl(PCI_CONF1_ADDRESS_PORT, conf1_address(bus, dev, fn, off));
	if (width == 1)
		outb(port, v);
	else if (width == 2)
		outw(port, v);
	else
		outl(port, v);
	spin_unlock_irqrestore(&conf1_lock, flags);
}

/* the ECAM address of (seg, bus, dev, fn, off), or NULL when no region
 * covers the bus */
static volatile u8 *ecam_address(u16 seg, u8 bus, u8 dev, u8 fn, u16 off)
{
	for (int i = 0; i < nr_ecam_regions; i++) {
		struct ecam_region *r = &ecam_regions[i];

		if (r->segment != seg || bus < r->bus_start || bus > r->bus_end)
			continue;
		if (!r->bus_virt[bus]) {
			u64 phys = r->base + ((u64)(bus - r->bus_start) << PCI_ECAM_BUS_SHIFT);

			r->bus_virt[bus] = pci_map_mmio(phys, PCI_ECAM_BUS_SIZE);
			if (!r->bus_virt[bus])
				return NULL;
		}
		return r->bus_virt[bus] + ((u32)dev << PCI_ECAM_DEV_SHIFT |
					   (u32)fn << PCI_ECAM_FN_SHIFT | off);
	}
	return NULL;
}

u32 pci_conf_read(u16 seg, u8 bus, u8 dev, u8 fn, u16 off, int width)
{
	volatile u8 *p;

	if (!use_ecam)
		return seg ? ~0u : conf1_read(bus, dev, fn, off, width);
	p = ecam_address(seg, bus, dev, fn, off);
	if (!p || off >= PCI_ECAM_SPACE_SIZE)
		return ~0u;
	if (width == 1)
		return *p;
	if (width == 2)
		return *(volatile u16 *)p;
	return *(volatile u32 *)p;
}

void pci_conf_write(u16 seg, u8 bus, u8 dev, u8 fn, u16 off, int width, u32 v)
{
	volatile u8 *p;

	if (!use_ecam) {
		if (!seg)
			conf1_write(bus, dev, fn, off, width, v);
		return;
	}
	p = ecam_address(seg, bus, dev, fn, off);
	if (!p || off >= PCI_ECAM_SPACE_SIZE)
		return;
	if (width == 1)
		*p = v;
	else if (width == 2)
		*(volatile u16 *)p = v;
	else
		*(volatile u32 *)p = v;
}

int pci_config_add_ecam(u64 base, u16 seg, u8 bus_start, u8 bus_end)
{
	struct ecam_region *r;

	if (bus_end < bus_start)
		return -EINVAL;
	if (nr_ecam_regions == PCI_ECAM_MAX_REGIONS)
		return -ENOSPC;
	r = &ecam_regions[nr_ecam_regions++];
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->segment = seg;
	r->bus_start = bus_start;
	r->bus_end = bus_end;
	pr_info("pci: ECAM segment %04x buses %02x-%02x at %#llx\n", seg, bus_start,
		bus_end, (unsigned long long)base);
	return 0;
}

int pci_config_ecam_range(int i, u16 *seg, u8 *bus_start, u8 *bus_end)
{
	if (i < 0 || i >= nr_ecam_regions)
		return -ENOENT;
	*seg = ecam_regions[i].segment;
	*bus_start = ecam_regions[i].bus_start;
	*bus_end = ecam_regions[i].bus_end;
	return 0;
}

bool pci_config_use_ecam(bool ecam)
{
	if (ecam && !nr_ecam_regions)
		return false;
	use_ecam = ecam;
	return true;
}

const char *pci_config_mechanism(void)
{
	return use_ecam ? "ecam" : "legacy";
}

/* PCI LB 3.0 3.2.2.3.2: mechanism #1 is present when CONFIG_ADDRESS reads
 * back what was written to it (the enable bit sticks) */
static bool conf1_present(void)
{
	unsigned long flags = spin_lock_irqsave(&conf1_lock);
	u32 saved = inl(PCI_CONF1_ADDRESS_PORT);
	bool ok;

	outl(PCI_CONF1_ADDRESS_PORT, PCI_CONF1_ENABLE);
	ok = inl(PCI_CONF1_ADDRESS_PORT) == PCI_CONF1_ENABLE;
	outl(PCI_CONF1_ADDRESS_PORT, saved);
	spin_unlock_irqrestore(&conf1_lock, flags);
	return ok;
}

int pci_config_init(void)
{
	bool legacy_ok = conf1_present();
	struct acpi_mcfg_alloc a;

	/* PCI Firmware Spec 3.0 4.1.2: MCFG lists one allocation per segment
	 * and bus range; each maps its buses from base */
	nr_ecam_regions = 0;
	for (int i = 0; !acpi_mcfg_get(i, &a); i++)
		if (pci_config_add_ecam(a.base, a.segment, a.bus_start, a.bus_end))
			pr_warn("pci: MCFG entry %d (segment %u) ignored\n", i, a.segment);

	use_ecam = nr_ecam_regions > 0 && !force_legacy;
	if (force_legacy && !legacy_ok) {
		pr_warn("pci: pci=legacy but mechanism #1 does not respond; using ECAM\n");
		use_ecam = nr_ecam_regions > 0;
	}
	if (!use_ecam && !legacy_ok) {
		pr_err("pci: no configuration mechanism (no MCFG, no 0xcf8/0xcfc)\n");
		return -ENODEV;
	}
	if (use_ecam)
		pr_info("pci: config access via ECAM (%d region%s)%s\n", nr_ecam_regions,
			nr_ecam_regions == 1 ? "" : "s", legacy_ok ? ", legacy 0xcf8 also present" : "");
	else
		pr_info("pci: config access via legacy 0xcf8/0xcfc%s\n",
			force_legacy ? " (pci=legacy)" : " (no MCFG)");
	return 0;
}
