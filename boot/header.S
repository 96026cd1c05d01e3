/* Boot headers: multiboot1 (QEMU -kernel, with the a.out kludge so QEMU
 * accepts an ELF64) and multiboot2 (GRUB, BIOS and UEFI).  Both must sit in
 * the first 8 KiB (v1) / 32 KiB (v2) of the file: linker.ld puts .multiboot
 * first. */
#include "boot/multiboot.h"

#define KERNEL_VMA 0xffffffff80000000
#define PHYS(x) ((x) - KERNEL_VMA)

    .section .multiboot, "a"
    .balign 8
mb1_header:
    .long MB1_HEADER_MAGIC
    .long MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO | MB1_FLAG_AOUT_KLUDGE
    .long -(MB1_HEADER_MAGIC + (MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO | MB1_FLAG_AOUT_KLUDGE))
    .long PHYS(mb1_header)          /* header_addr */
    .long PHYS(__image_start)       /* load_addr */
    .long PHYS(__data_end)          /* load_end_addr */
    .long PHYS(__bss_end)           /* bss_end_addr */
    .long PHYS(_start)              /* entry_addr */

    .balign 8
mb2_header:
    .long MB2_HEADER_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    /* entry address tag: GRUB would otherwise jump to the ELF's virtual entry */
    .balign 8
    .short MB2_HTAG_ENTRY
    .short 0
    .long 12
    .long PHYS(_start)
    /* information request: memory map, ACPI (required under UEFI: no BIOS
     * area to scan for the RSDP there) */
    .balign 8
    .short MB2_HTAG_INFO_REQ
    .short MB2_HTAG_OPTIONAL
    .long 8 + 4 * 4
    .long MB2_TAG_MMAP
    .long MB2_TAG_ACPI_NEW
    .long MB2_TAG_ACPI_OLD
    .long MB2_TAG_CMDLINE
    .balign 8
    .short MB2_HTAG_END
    .short 0
    .long 8
mb2_header_end:

    .section .note.GNU-stack, "", @progbits
