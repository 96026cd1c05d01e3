/* PCI core internals shared by the files of drivers/pci/. */
#ifndef DRIVERS_PCI_PCI_INTERNAL_H
#define DRIVERS_PCI_PCI_INTERNAL_H

#include "drivers/pci/pci.h"

/* raw configuration access by address; width is 1, 2 or 4 bytes and off
 * must be aligned to it.  Absent functions read as all ones. */
u32 pci_conf_read(u16 seg, u8 bus, u8 dev, u8 fn, u16 off, int width);
void pci_conf_write(u16 seg, u8 bus, u8 dev, u8 fn, u16 off, int width, u32 v);

/* choose the mechanism: ECAM regions from ACPI MCFG unless `pci=legacy`
 * or none are listed, then the legacy mechanism; 0 or -ENODEV */
int pci_config_init(void);
/* add an ECAM window for segment seg, buses bus_start..bus_end */
int pci_config_add_ecam(u64 base, u16 seg, u8 bus_start, u8 bus_end);
/* switch every later access to one mechanism (for the self-test that
 * compares them); false if that mechanism is not available */
bool pci_config_use_ecam(bool ecam);
/* the ECAM windows, for enumeration of every segment: 0, or -ENOENT past
 * the last */
int pci_config_ecam_range(int i, u16 *seg, u8 *bus_start, u8 *bus_end);

/* (re)build the device table by walking the buses with the current
 * mechanism; returns the number of functions.  Driver bindings are lost. */
int pci_enumerate(void);

/* an uncached mapping of [phys, phys + size) for device registers */
void *pci_map_mmio(u64 phys, u64 size);

/* short `lspci` text for a function: "Ethernet controller: Intel 82540EM" */
void pci_describe(const struct pci_dev *d, char *buf, size_t size);

/* MSI-X function mask (PCI LB 3.0 6.8.2.3), and entry nr's pending bit
 * in the PBA (6.8.2.10); for the self-test */
void pci_msix_function_mask(struct pci_dev *d, bool masked);
bool pci_msix_pending(struct pci_dev *d, int nr);

/* pcitest=irq (pci_irqtest.c): 0 when every Intel NIC delivered */
int pci_irqtest_run(void);

/* the interrupt mode the command line asks for (0: the best) */
extern unsigned pci_irqmode_wanted;

#endif
