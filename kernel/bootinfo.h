/* What the boot loader told us, copied out of its structures at entry so the
 * memory they sit in can be reused. */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include "kernel/types.h"

#define BOOT_CMDLINE_MAX 1024
#define BOOT_MMAP_MAX    128

/* memory map entry types (multiboot / E820 numbering) */
#define MEM_AVAILABLE     1
#define MEM_RESERVED      2
#define MEM_ACPI_RECLAIM  3
#define MEM_ACPI_NVS      4
#define MEM_BAD           5

struct mem_region {
	u64 base;
	u64 len;
	u32 type;
};

enum boot_protocol { BOOT_MULTIBOOT1 = 1, BOOT_MULTIBOOT2 = 2 };

struct boot_info {
	enum boot_protocol protocol;
	char loader[64];                /* "GRUB 2.06", or "multiboot1 loader" */
	char cmdline[BOOT_CMDLINE_MAX]; /* options only: the image path is dropped */
	struct mem_region mmap[BOOT_MMAP_MAX];
	int nr_mmap;
	u64 mem_lower_kib, mem_upper_kib; /* the loader's basic memory info */
	bool efi;                       /* booted by UEFI firmware (no VGA text) */
	bool has_rsdp;
	u8 rsdp[36];                    /* copy of the ACPI RSDP, if the loader gave one */
};

extern struct boot_info boot_info;

/* parse the loader's info; returns 0, or -EINVAL for an unknown magic */
int bootinfo_parse(u32 magic, phys_addr_t info);

#endif
