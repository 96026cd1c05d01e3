/* PCI enumeration: walk bus 0, follow every PCI-to-PCI bridge to its
 * secondary bus (as firmware numbered it), look at all eight functions of
 * multi-function devices, size the BARs and find the MSI/MSI-X
 * capabilities.  Devices live in a static table: enumeration runs before
 * any allocator is needed. */
#include "drivers/pci/pci_internal.h"
#include "drivers/pci/pci_regs.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/printk.h"
#include <stdio.h>
#include <string.h>

#define PCI_MAX_DEVICES 64

static struct pci_dev devices[PCI_MAX_DEVICES];
static int nr_devices;
/* buses already scanned per segment 0 (a bridge loop must not recurse) */
static u8 bus_seen[PCI_MAX_BUS / 8];

int pci_device_count(void)
{
	return nr_devices;
}

struct pci_dev *pci_device_at(int i)
{
	return i >= 0 && i < nr_devices ? &devices[i] : NULL;
}

struct pci_dev *pci_get_device(u16 vendor, u16 device, struct pci_dev *from)
{
	int i = from ? (int)(from - devices) + 1 : 0;

	for (; i < nr_devices; i++) {
		struct pci_dev *d = &devices[i];

		if ((vendor == PCI_ANY_ID || d->vendor == vendor) &&
		    (device == PCI_ANY_ID || d->device == device))
			return d;
	}
	return NULL;
}

const char *pci_name(const struct pci_dev *d, char *buf, size_t size)
{
	snprintf(buf, size, "%04x:%02x:%02x.%x", d->segment, d->bus, d->dev, d->fn);
	return buf;
}

u8 pci_read_config8(struct pci_dev *d, u16 off)
{
	return pci_conf_read(d->segment, d->bus, d->dev, d->fn, off, 1);
}

u16 pci_read_config16(struct pci_dev *d, u16 off)
{
	return pci_conf_read(d->segment, d->bus, d->dev, d->fn, off, 2);
}

u32 pci_read_config32(struct pci_dev *d, u16 off)
{
	return pci_conf_read(d->segment, d->bus, d->dev, d->fn, off, 4);
}

void pci_write_config8(struct pci_dev *d, u16 off, u8 v)
{
	pci_conf_write(d->segment, d->bus, d->dev, d->fn, off, 1, v);
}

void pci_write_config16(struct pci_dev *d, u16 off, u16 v)
{
	pci_conf_write(d->segment, d->bus, d->dev, d->fn, off, 2, v);
}

void pci_write_config32(struct pci_dev *d, u16 off, u32 v)
{
	pci_conf_write(d->segment, d->bus, d->dev, d->fn, off, 4, v);
}

int pci_find_capability(struct pci_dev *d, u8 cap_id)
{
	u8 pos;

	if (!(pci_read_config16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = pci_read_config8(d, PCI_CAPABILITY_LIST) & PCI_CAP_PTR_MASK;
	/* the bound stops a malformed (looping) list */
	for (int n = 0; pos && n < PCI_CAP_MAX_WALK; n++) {
		if (pci_read_config8(d, pos + PCI_CAP_ID) == cap_id)
			return pos;
		pos = pci_read_config8(d, pos + PCI_CAP_NEXT) & PCI_CAP_PTR_MASK;
	}
	return 0;
}

/* PCI LB 3.0 6.2.5.1: write all ones, read back the writable bits; the
 * lowest set address bit is the size.  Decode is off meanwhile so the
 * half-written BAR never claims cycles. */
static int bar_size(struct pci_dev *d, int i, int nr_bars)
{
	u16 off = PCI_BAR0 + 4 * i;
	struct pci_bar *b = &d->bar[i];
	u32 lo = pci_read_config32(d, off), lo_mask, hi = 0, hi_mask = 0;
	u64 mask;

	pci_write_config32(d, off, ~0u);
	lo_mask = pci_read_config32(d, off);
	pci_write_config32(d, off, lo);
	if (!lo_mask || lo_mask == ~0u)
		return 1;     /* unimplemented (reads 0), or the function vanished */

	if (lo & PCI_BAR_SPACE_IO) {
		b->is_io = true;
		mask = lo_mask & PCI_BAR_IO_MASK;
		/* I/O BARs may implement only the low 16 address bits */
		if (!(mask & 0xffff0000u))
			mask |= 0xffff0000u;
		b->base = lo & PCI_BAR_IO_MASK;
		b->size = (u32)(~(u32)mask + 1);
		return 1;
	}
	b->prefetch = lo & PCI_BAR_MEM_PREFETCH;
	b->is_64 = (lo & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64;
	mask = lo_mask & PCI_BAR_MEM_MASK;
	b->base = lo & PCI_BAR_MEM_MASK;
	if (b->is_64 && i + 1 < nr_bars) {
		hi = pci_read_config32(d, off + 4);
		pci_write_config32(d, off + 4, ~0u);
		hi_mask = pci_read_config32(d, off + 4);
		pci_write_config32(d, off + 4, hi);
		b->base |= (u64)hi << 32;
		mask |= (u64)hi_mask << 32;
	} else {
		mask |= 0xffffffff00000000ull;
	}
	b->size = ~mask + 1;
	return b->is_64 ? 2 : 1;
}

static void size_bars(struct pci_dev *d, int nr_bars)
{
	u16 cmd = pci_read_config16(d, PCI_COMMAND);
	u16 class = d->class_code >> 8;
	/* a host bridge keeps decoding: it may route the memory we run from */
	bool quiesce = class != PCI_CLASS_BRIDGE_HOST &&
		       (cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY));

	if (quiesce)
		pci_write_config16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (int i = 0; i < nr_bars;)
		i += bar_size(d, i, nr_bars);
	if (quiesce)
		pci_write_config16(d, PCI_COMMAND, cmd);
}

static void scan_bus(u16 seg, u8 bus);

static void add_function(u16 seg, u8 bus, u8 dev, u8 fn)
{
	struct pci_dev *d;
	u32 class_rev;

	if (nr_devices == PCI_MAX_DEVICES) {
		pr_warn("pci: more than %d functions; %04x:%02x:%02x.%x and later ignored\n",
			PCI_MAX_DEVICES, seg, bus, dev, fn);
		return;
	}
	d = &devices[nr_devices++];
	memset(d, 0, sizeof(*d));
	d->segment = seg;
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->vendor = pci_read_config16(d, PCI_VENDOR_ID);
	d->device = pci_read_config16(d, PCI_DEVICE_ID);
	class_rev = pci_read_config32(d, PCI_CLASS_REVISION);
	d->class_code = class_rev >> 8;
	d->revision = class_rev & 0xff;
	d->header_type = pci_read_config8(d, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK;
	d->irq_pin = pci_read_config8(d, PCI_INTERRUPT_PIN);
	d->irq_line = pci_read_config8(d, PCI_INTERRUPT_LINE);

	switch (d->header_type) {
	case PCI_HEADER_TYPE_NORMAL:
		size_bars(d, PCI_BARS_NORMAL);
		break;
	case PCI_HEADER_TYPE_BRIDGE:
		size_bars(d, PCI_BARS_BRIDGE);
		d->secondary_bus = pci_read_config8(d, PCI_SECONDARY_BUS);
		break;
	default:
		break;        /* CardBus: listed, not walked */
	}
	if (d->header_type != PCI_HEADER_TYPE_CARDBUS) {
		d->msi_cap = pci_find_capability(d, PCI_CAP_ID_MSI);
		d->msix_cap = pci_find_capability(d, PCI_CAP_ID_MSIX);
	}
	/* P2P 1.2 3.2.5.3: firmware numbered the buses below the bridge;
	 * secondary 0 means it did not, and there is nothing to follow */
	if (d->header_type == PCI_HEADER_TYPE_BRIDGE && d->secondary_bus > bus)
		scan_bus(seg, d->secondary_bus);
}

static void scan_bus(u16 seg, u8 bus)
{
	if (!seg) {
		if (bus_seen[bus / 8] & (1u << (bus % 8)))
			return;
		bus_seen[bus / 8] |= 1u << (bus % 8);
	}
	for (u8 dev = 0; dev < PCI_MAX_DEV; dev++) {
		u8 nr_fn = 1;

		if (pci_conf_read(seg, bus, dev, 0, PCI_VENDOR_ID, 2) == PCI_VENDOR_NONE)
			continue;
		if (pci_conf_read(seg, bus, dev, 0, PCI_HEADER_TYPE, 1) & PCI_HEADER_MULTIFUNCTION)
			nr_fn = PCI_MAX_FN;
		for (u8 fn = 0; fn < nr_fn; fn++)
			if (pci_conf_read(seg, bus, dev, fn, PCI_VENDOR_ID, 2) != PCI_VENDOR_NONE)
				add_function(seg, bus, dev, fn);
	}
}

/* (re)build the device table with the current config mechanism; the
 * drivers' bindings are not kept */
int pci_enumerate(void)
{
	u16 seg;
	u8 start, end;

	nr_devices = 0;
	memset(bus_seen, 0, sizeof(bus_seen));
	scan_bus(0, 0);
	/* other segments listed in MCFG: walk from their first bus */
	for (int i = 0; !pci_config_ecam_range(i, &seg, &start, &end); i++)
		if (seg && !strcmp(pci_config_mechanism(), "ecam"))
			scan_bus(seg, start);
	return nr_devices;
}

void *pci_map_mmio(u64 phys, u64 size)
{
	return mmio_map(phys, size);
}

void *pci_iomap(struct pci_dev *d, int bar)
{
	struct pci_bar *b;

	if (bar < 0 || bar >= PCI_NUM_BARS)
		return NULL;
	b = &d->bar[bar];
	if (!b->size || b->is_io || !b->base)
		return NULL;
	if (!d->bar_virt[bar])
		d->bar_virt[bar] = pci_map_mmio(b->base, b->size);
	return d->bar_virt[bar];
}

int pci_enable_device(struct pci_dev *d)
{
	u16 cmd = pci_read_config16(d, PCI_COMMAND), want = 0;

	for (int i = 0; i < PCI_NUM_BARS; i++) {
		if (!d->bar[i].size)
			continue;
		want |= d->bar[i].is_io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	}
	if ((cmd & want) != want)
		pci_write_config16(d, PCI_COMMAND, cmd | want);
	return 0;
}

void pci_set_master(struct pci_dev *d)
{
	u16 cmd = pci_read_config16(d, PCI_COMMAND);

	if (!(cmd & PCI_COMMAND_MASTER))
		pci_write_config16(d, PCI_COMMAND, cmd | PCI_COMMAND_MASTER);
}
