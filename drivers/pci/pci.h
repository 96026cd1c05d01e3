/* PCI: configuration access (ECAM from ACPI MCFG, legacy 0xcf8/0xcfc as
 * the fallback), enumeration of every bus reachable from bus 0, BARs,
 * capabilities, drivers, and interrupt vectors (MSI-X, MSI, INTx).
 *
 * Boot order (kmain): pci_init() enumerates and prints nothing per device;
 * drivers call pci_register_driver() (which probes matching devices at
 * once); then pci_print_devices() prints the `lspci -nn`-like listing, one
 * line per function, with the driver that bound to it. */
#ifndef DRIVERS_PCI_PCI_H
#define DRIVERS_PCI_PCI_H

#include "kernel/types.h"

#define PCI_NUM_BARS        6
#define PCI_IRQ_MAX_VECTORS 16   /* per device, MSI-X tables can be larger */
#define PCI_ANY_ID          0xffff

struct pci_driver;

enum pci_irq_mode { PCI_IRQ_INTX = 1, PCI_IRQ_MSI = 2, PCI_IRQ_MSIX = 4 };
#define PCI_IRQ_ALL_TYPES (PCI_IRQ_INTX | PCI_IRQ_MSI | PCI_IRQ_MSIX)

struct pci_bar {
	u64 base, size;           /* size 0: BAR not implemented */
	bool is_io, is_64, prefetch;
};

struct pci_dev {
	u16 segment;
	u8 bus, dev, fn;
	u16 vendor, device;
	u32 class_code;           /* base class 23:16, subclass 15:8, prog-if 7:0 */
	u8 revision;
	u8 irq_pin, irq_line;     /* pin 0: no INTx; line: as firmware left it */
	struct pci_bar bar[PCI_NUM_BARS];
	const struct pci_driver *driver;
	void *driver_data;

	/* pci core private state below */
	u8 header_type;           /* without the multifunction bit */
	u8 secondary_bus;         /* bridges only */
	u8 msi_cap, msix_cap;     /* capability offsets, 0 if absent */
	void *bar_virt[PCI_NUM_BARS];
	enum pci_irq_mode irq_mode;  /* 0 until pci_alloc_irq_vectors */
	int nr_vectors;
	int vectors[PCI_IRQ_MAX_VECTORS];
	u32 intx_gsi;             /* INTx: the GSI, or the ISA IRQ if intx_isa */
	bool intx_isa;
	volatile u8 *msix_table;  /* mapped MSI-X table */
	volatile u8 *msix_pba;    /* mapped MSI-X Pending Bit Array */
};

struct pci_device_id {
	u16 vendor, device;       /* PCI_ANY_ID matches anything */
	unsigned long driver_data;
};

struct pci_driver {
	const char *name;
	const struct pci_device_id *id_table;  /* ends with vendor == 0 */
	int (*probe)(struct pci_dev *, const struct pci_device_id *);
	void (*remove)(struct pci_dev *);
};

/* discover the config mechanisms, enumerate every bus; 0 or -errno */
int pci_init(void);
/* print one line per function: `pci: 0000:00:02.0 [0200] 8086:100e <text>
 * (driver: e1000)`, then its BARs and capabilities */
void pci_print_devices(void);

/* `pcitest=irq`: if asked, raise an interrupt from every Intel NIC in the
 * chosen mode, report, and power off (EXIT_OK or EXIT_FAIL).  Call after
 * the interrupt controllers are up and before NIC drivers register. */
void pci_selftest_run_requested(void);

/* the number of functions found, and the i-th (NULL past the end) */
int pci_device_count(void);
struct pci_dev *pci_device_at(int i);
/* the next device after from (NULL: the first) with vendor/device
 * (PCI_ANY_ID matches any), or NULL */
struct pci_dev *pci_get_device(u16 vendor, u16 device, struct pci_dev *from);
/* "0000:00:02.0" into buf (at least 13 bytes); returns buf */
const char *pci_name(const struct pci_dev *d, char *buf, size_t size);

/* configuration space access, off below 4096 (256 with the legacy
 * mechanism: reads beyond return all ones, writes are dropped) */
u8  pci_read_config8(struct pci_dev *d, u16 off);
u16 pci_read_config16(struct pci_dev *d, u16 off);
u32 pci_read_config32(struct pci_dev *d, u16 off);
void pci_write_config8(struct pci_dev *d, u16 off, u8 v);
void pci_write_config16(struct pci_dev *d, u16 off, u16 v);
void pci_write_config32(struct pci_dev *d, u16 off, u32 v);

/* which mechanism config accesses use: "ecam" or "legacy" */
const char *pci_config_mechanism(void);

/* turn on memory and I/O decode for the BARs the device has (done by the
 * core before a driver's probe); 0 or -errno */
int pci_enable_device(struct pci_dev *d);
/* let the device master the bus (DMA and MSI writes) */
void pci_set_master(struct pci_dev *d);
/* offset of the first capability with cap_id, or 0 (-ENOENT never: the
 * offset is at least 0x40 when found) */
int pci_find_capability(struct pci_dev *d, u8 cap_id);
/* an uncached kernel mapping of memory BAR bar, or NULL (I/O BAR, empty
 * BAR, or no mapping possible); the mapping is kept for the device */
void *pci_iomap(struct pci_dev *d, int bar);

/* drivers: probes every matching unbound device now, and devices found
 * later; 0 or -errno (-ENOSPC: too many drivers) */
int pci_register_driver(struct pci_driver *drv);

/* interrupts.  Allocates between min and max vectors in the best mode of
 * modes the device offers (MSI-X, then MSI, then INTx), or the one the
 * command line asks for (`irqmode=msix|msi|intx`); a mode the device cannot
 * do is refused with a message and the best one used instead.  The
 * vectors are live on return: install handlers with irq_set_handler() on
 * pci_irq_vector() before enabling interrupt causes in the device.
 * INTx lines may be shared: every handler must check its own device.
 * Returns the number of vectors, or -errno. */
int pci_alloc_irq_vectors(struct pci_dev *d, int min, int max, unsigned modes);
enum pci_irq_mode pci_irq_mode(struct pci_dev *d);
/* the CPU vector of interrupt nr, or -EINVAL */
int pci_irq_vector(struct pci_dev *d, int nr);
void pci_free_irq_vectors(struct pci_dev *d);
/* mask or unmask MSI-X table entry nr (no-op in other modes) */
void pci_msix_mask(struct pci_dev *d, int nr, bool masked);
/* "msix", "msi", "intx" or "none" */
const char *pci_irq_mode_name(enum pci_irq_mode m);

#endif
