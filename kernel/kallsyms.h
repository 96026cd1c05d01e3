/* The kernel's own symbol table, for symbolized RIPs and backtraces.
 *
 * The table is generated at build time from `nm -n` of the linked kernel
 * (tools/gen-kallsyms.sh) and linked into a second and a third image; the
 * Makefile checks that the table of the final image describes that image. */
#ifndef KERNEL_KALLSYMS_H
#define KERNEL_KALLSYMS_H

#include "kernel/types.h"

/* the text symbol that contains addr: its name, addr's offset into it and
 * its size (the distance to the next symbol); NULL outside the kernel text */
const char *symbol_lookup(unsigned long addr, unsigned long *offset, unsigned long *size);

/* "name+0x1c/0x90" into buf (or "0x<addr>" when unknown); returns buf */
char *symbol_format(char *buf, size_t size, unsigned long addr);

/* longest "name+0xoff/0xsize" symbol_format produces, with the NUL */
#define KSYM_FORMAT_MAX 128

/* true for an address inside the kernel's text */
bool kernel_text_address(unsigned long addr);

/* how many symbols the table holds (0 in the first link pass) */
unsigned long kallsyms_count(void);

#endif
