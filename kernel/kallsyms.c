/* Symbol lookup over the table tools/gen-kallsyms.sh generates.
 *
 * Layout (all in .rodata): kallsyms_num symbols sorted by address,
 * kallsyms_addrs[num + 1] (the last entry is the end of the text, so each
 * symbol's size is the gap to the next), kallsyms_name_offs[num] into the
 * NUL-separated kallsyms_names. */
#include "kernel/kallsyms.h"
#include <stdio.h>

extern const u64 kallsyms_num;
extern const u64 kallsyms_addrs[];
extern const u32 kallsyms_name_offs[];
extern const char kallsyms_names[];
extern const char __image_start[], __text_end[];

unsigned long kallsyms_count(void)
{
	return kallsyms_num;
}

bool kernel_text_address(unsigned long addr)
{
	return addr >= (unsigned long)__image_start && addr < (unsigned long)__text_end;
}

const char *symbol_lookup(unsigned long addr, unsigned long *offset, unsigned long *size)
{
	unsigned long lo = 0, hi = kallsyms_num;

	if (!hi || addr < kallsyms_addrs[0] || addr >= kallsyms_addrs[hi])
		return NULL;
	/* the last symbol that starts at or below addr */
	while (hi - lo > 1) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (kallsyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (offset)
		*offset = addr - kallsyms_addrs[lo];
	if (size)
		*size = kallsyms_addrs[lo + 1] - kallsyms_addrs[lo];
	return kallsyms_names + kallsyms_name_offs[lo];
}

char *symbol_format(char *buf, size_t size, unsigned long addr)
{
	unsigned long off, len;
	const char *name = symbol_lookup(addr, &off, &len);

	if (name)
		snprintf(buf, size, "%s+0x%lx/0x%lx", name, off, len);
	else
		snprintf(buf, size, "0x%lx", addr);
	return buf;
}
