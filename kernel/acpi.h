/* ACPI: the firmware's tables, found once at boot (kernel/acpi.c).
 *
 * acpi_init() locates the RSDP (the multiboot2 copy, else the BIOS areas),
 * checks every table's checksum, parses the MADT (CPUs, IOAPICs, interrupt
 * overrides, LAPIC NMIs), remembers the MCFG and HPET tables, and installs
 * the ACPI S5 power-off hook.  No AML interpreter: \_S5_ is found by a byte
 * scan of the DSDT. */
#ifndef KERNEL_ACPI_H
#define KERNEL_ACPI_H

#include "kernel/types.h"
#include "kernel/acpi_tables.h"

/* find and parse the tables; 0, or -ENOENT when there is no (valid) ACPI */
int acpi_init(void);

/* one PCI Express ECAM region from the MCFG */
struct acpi_mcfg_alloc { u64 base; u16 segment; u8 bus_start, bus_end; };

/* the MCFG's index-th allocation: 0, or -ENOENT past the last (or no MCFG) */
int acpi_mcfg_get(int index, struct acpi_mcfg_alloc *out);

/* processors the MADT lists as enabled or online-capable (1 without MADT) */
int acpi_cpu_count(void);

/* the parsed MADT, or NULL when there is none */
const struct madt_info *acpi_madt(void);

/* the instance-th checked table with signature sig (4 chars), or NULL */
const struct acpi_sdt_header *acpi_find_table(const char *sig, int instance);

/* physical base of the HPET from its ACPI table, or 0 without one */
u64 acpi_hpet_address(void);

#endif
