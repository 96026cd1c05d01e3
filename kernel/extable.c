/* The exception table's lookup (kernel/extable.h).  The table is a few
 * entries (kernel/uaccess.S): a linear search, no sorting at boot. */
#include "kernel/extable.h"

unsigned long extable_lookup(const struct extable_entry *start, const struct extable_entry *end,
			     unsigned long rip)
{
	for (const struct extable_entry *e = start; e < end; e++)
		if (extable_insn(e) == rip)
			return extable_fixup_addr(e);
	return 0;
}

/* the linker's bounds of section __ex_table (linker.ld; on the host, GNU
 * ld's own __start_/__stop_ symbols for a section named like a C name) */
extern const struct extable_entry __start___ex_table[], __stop___ex_table[];

unsigned long extable_fixup(unsigned long rip)
{
	return extable_lookup(__start___ex_table, __stop___ex_table, rip);
}
