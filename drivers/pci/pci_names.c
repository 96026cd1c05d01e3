/* The boot listing: one `lspci -nn`-like line per function, with short
 * class, vendor and device names for what barenet meets (QEMU's pc and q35
 * chipsets, the Intel NICs), then BARs and capabilities. */
#include "drivers/pci/pci_internal.h"
#include "drivers/pci/pci_regs.h"
#include "kernel/printk.h"
#include <stdio.h>

struct class_name {
	u16 class;          /* base class << 8 | subclass */
	const char *name;
};

/* PCI Code and ID Assignment Specification 1.9, chapter 1 (subset) */
static const struct class_name class_names[] = {
	{ 0x0100, "SCSI storage controller" },
	{ 0x0101, "IDE interface" },
	{ 0x0106, "SATA controller" },
	{ 0x0108, "Non-Volatile memory controller" },
	{ 0x0200, "Ethernet controller" },
	{ 0x0300, "VGA compatible controller" },
	{ 0x0403, "Audio device" },
	{ 0x0600, "Host bridge" },
	{ 0x0601, "ISA bridge" },
	{ 0x0604, "PCI bridge" },
	{ 0x0680, "Bridge" },
	{ 0x0700, "Serial controller" },
	{ 0x0c03, "USB controller" },
	{ 0x0c05, "SMBus" },
	{ 0x00ff, "Unclassified device" },
};

/* base classes, for subclasses not listed above */
static const char *const base_class_names[] = {
	"Unclassified device", "Mass storage controller", "Network controller",
	"Display controller", "Multimedia controller", "Memory controller",
	"Bridge", "Communication controller", "Generic system peripheral",
	"Input device controller", "Docking station", "Processor",
	"Serial bus controller", "Wireless controller",
};

struct id_name {
	u16 vendor, device;
	const char *name;
};

/* device names (PCI ID database spellings, shortened) */
static const struct id_name device_names[] = {
	{ 0x8086, 0x100e, "82540EM Gigabit Ethernet" },
	{ 0x8086, 0x10d3, "82574L Gigabit Network" },
	{ 0x8086, 0x10c9, "82576 Gigabit Network" },
	{ 0x8086, 0x10ca, "82576 Virtual Function" },
	{ 0x8086, 0x1237, "440FX - 82441FX PMC [Natoma]" },
	{ 0x8086, 0x7000, "82371SB PIIX3 ISA [Natoma/Triton II]" },
	{ 0x8086, 0x7010, "82371SB PIIX3 IDE [Natoma/Triton II]" },
	{ 0x8086, 0x7113, "82371AB/EB/MB PIIX4 ACPI" },
	{ 0x8086, 0x29c0, "82G33/G31/P35/P31 Express DRAM Controller" },
	{ 0x8086, 0x2918, "82801IB (ICH9) LPC Interface Controller" },
	{ 0x8086, 0x2922, "82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA [AHCI mode]" },
	{ 0x8086, 0x2930, "82801I (ICH9 Family) SMBus Controller" },
	{ 0x1b36, 0x000c, "QEMU PCIe Root port" },
	{ 0x1b36, 0x0001, "QEMU PCI-PCI bridge" },
	{ 0x1234, 0x1111, "QEMU Standard VGA" },
};

static const struct id_name vendor_names[] = {
	{ 0x8086, 0, "Intel" },
	{ 0x1af4, 0, "Red Hat (virtio)" },
	{ 0x1b36, 0, "Red Hat (QEMU)" },
	{ 0x1234, 0, "QEMU (Bochs)" },
	{ 0x10ec, 0, "Realtek" },
};

static const char *class_text(u32 class_code)
{
	u16 cls = class_code >> 8;
	u8 base = class_code >> 16;

	for (size_t i = 0; i < ARRAY_SIZE(class_names); i++)
		if (class_names[i].class == cls)
			return class_names[i].name;
	if (base < ARRAY_SIZE(base_class_names))
		return base_class_names[base];
	return "Device";
}

void pci_describe(const struct pci_dev *d, char *buf, size_t size)
{
	const char *vendor = NULL, *device = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(vendor_names); i++)
		if (vendor_names[i].vendor == d->vendor)
			vendor = vendor_names[i].name;
	for (size_t i = 0; i < ARRAY_SIZE(device_names); i++)
		if (device_names[i].vendor == d->vendor && device_names[i].device == d->device)
			device = device_names[i].name;
	if (vendor && device)
		snprintf(buf, size, "%s: %s %s", class_text(d->class_code), vendor, device);
	else if (vendor)
		snprintf(buf, size, "%s: %s device %04x", class_text(d->class_code), vendor,
			 d->device);
	else
		snprintf(buf, size, "%s: vendor %04x device %04x", class_text(d->class_code),
			 d->vendor, d->device);
}

static const char *const cap_names[] = {
	[PCI_CAP_ID_PM] = "pm", [PCI_CAP_ID_MSI] = "msi", [PCI_CAP_ID_VNDR] = "vendor",
	[PCI_CAP_ID_EXP] = "pcie", [PCI_CAP_ID_MSIX] = "msix",
};

/* "caps: pm@0xc8 msi@0xd0 ..." in list order */
static void print_caps(struct pci_dev *d)
{
	char line[160];
	int n = 0;
	u8 pos;

	if (!(pci_read_config16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return;
	pos = pci_read_config8(d, PCI_CAPABILITY_LIST) & PCI_CAP_PTR_MASK;
	for (int i = 0; pos && i < PCI_CAP_MAX_WALK && n < (int)sizeof(line) - 24; i++) {
		u8 id = pci_read_config8(d, pos + PCI_CAP_ID);

		if (id < ARRAY_SIZE(cap_names) && cap_names[id])
			n += snprintf(line + n, sizeof(line) - n, " %s@%#x", cap_names[id], pos);
		else
			n += snprintf(line + n, sizeof(line) - n, " %#04x@%#x", id, pos);
		pos = pci_read_config8(d, pos + PCI_CAP_NEXT) & PCI_CAP_PTR_MASK;
	}
	pr_info("pci:   caps:%s\n", line);
}

void pci_print_devices(void)
{
	char name[16], text[96];

	for (int i = 0; i < pci_device_count(); i++) {
		struct pci_dev *d = pci_device_at(i);

		pci_describe(d, text, sizeof(text));
		pr_info("pci: %s [%04x] %04x:%04x %s (driver: %s)\n", pci_name(d, name, sizeof(name)),
			d->class_code >> 8, d->vendor, d->device, text,
			d->driver ? d->driver->name : "none");
		for (int b = 0; b < PCI_NUM_BARS; b++) {
			struct pci_bar *bar = &d->bar[b];

			if (!bar->size)
				continue;
			pr_info("pci:   bar%d %s at %#llx size %#llx%s\n", b,
				bar->is_io ? "io" : bar->is_64 ? "mem64" : "mem32",
				(unsigned long long)bar->base, (unsigned long long)bar->size,
				bar->prefetch ? " prefetchable" : "");
		}
		if (d->header_type == PCI_HEADER_TYPE_BRIDGE)
			pr_info("pci:   bridge to bus %02x\n", d->secondary_bus);
		if (d->irq_pin)
			pr_info("pci:   irq pin INT%c, line %u\n", 'A' + d->irq_pin - 1, d->irq_line);
		print_caps(d);
	}
	pr_info("pci: %d functions (config via %s)\n", pci_device_count(), pci_config_mechanism());
}
