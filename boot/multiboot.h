/* Multiboot 1 and 2 constants used by the boot headers and by kernel/bootinfo.c.
 * Multiboot Specification 0.6.96 (v1) and 2.0 (v2). */
#ifndef BOOT_MULTIBOOT_H
#define BOOT_MULTIBOOT_H

#define MB1_HEADER_MAGIC      0x1BADB002
#define MB1_BOOT_MAGIC        0x2BADB002       /* in %eax at entry */
#define MB1_FLAG_PAGE_ALIGN   (1 << 0)
#define MB1_FLAG_MEMINFO      (1 << 1)
#define MB1_FLAG_AOUT_KLUDGE  (1 << 16)        /* use the address fields below */

#define MB2_HEADER_MAGIC      0xE85250D6
#define MB2_BOOT_MAGIC        0x36D76289       /* in %eax at entry */
#define MB2_ARCH_I386         0
#define MB2_HTAG_END          0
#define MB2_HTAG_INFO_REQ     1
#define MB2_HTAG_ENTRY        3
#define MB2_HTAG_FLAGS        4
#define MB2_HTAG_OPTIONAL     1

/* multiboot1 info flags */
#define MB1_INFO_MEM          (1 << 0)
#define MB1_INFO_CMDLINE      (1 << 2)
#define MB1_INFO_MMAP         (1 << 6)
#define MB1_INFO_LOADER_NAME  (1 << 9)

/* multiboot2 boot information tag types */
#define MB2_TAG_END           0
#define MB2_TAG_CMDLINE       1
#define MB2_TAG_LOADER        2
#define MB2_TAG_MODULE        3
#define MB2_TAG_BASIC_MEM     4
#define MB2_TAG_MMAP          6
#define MB2_TAG_FRAMEBUFFER   8
#define MB2_TAG_EFI64         12
#define MB2_TAG_ACPI_OLD      14
#define MB2_TAG_ACPI_NEW      15
#define MB2_TAG_LOAD_BASE     21

#endif
