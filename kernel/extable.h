/* The exception table: kernel instructions allowed to fault on a user
 * address, each with the place to resume at (Linux's _ASM_EXTABLE and
 * fixup_exception, arch/x86/mm/extable.c).  kernel/uaccess.S lists its
 * copy instructions in section __ex_table; the #PF handler (kernel/idt.c)
 * looks a faulting RIP up here. */
#ifndef KERNEL_EXTABLE_H
#define KERNEL_EXTABLE_H

#ifdef __ASSEMBLER__
/* the instruction at `insn` may fault on a user address: resume at `fixup` */
#define EXTABLE(insn, fixup) \
	.pushsection __ex_table, "a"; .balign 4; .long (insn) - .; .long (fixup) - .; .popsection
#else
#include "kernel/types.h"

/* Each address is stored relative to the field that holds it (as Linux's
 * table): position-independent, so the host unit test links it too. */
struct extable_entry {
	s32 insn;       /* the instruction that may fault */
	s32 fixup;      /* where it resumes when it does */
};
_Static_assert(sizeof(struct extable_entry) == 8, "EXTABLE() emits two longs");

/* EXTABLE() in C inline assembly: the instruction at the local label insn
 * (a string such as "1b") may fault on a user address, resume at fixup */
#define EXTABLE_C(insn, fixup)                                              \
	".pushsection __ex_table, \"a\"\n\t.balign 4\n\t.long (" insn ") - .\n\t" \
	".long (" fixup ") - .\n\t.popsection\n\t"

static inline unsigned long extable_insn(const struct extable_entry *e)
{
	return (unsigned long)&e->insn + (long)e->insn;
}

static inline unsigned long extable_fixup_addr(const struct extable_entry *e)
{
	return (unsigned long)&e->fixup + (long)e->fixup;
}

/* the fixup for rip in the table [start, end), 0 when rip is not listed */
unsigned long extable_lookup(const struct extable_entry *start, const struct extable_entry *end,
			     unsigned long rip);
/* the fixup for rip in the kernel's table (linker.ld), 0 when none */
unsigned long extable_fixup(unsigned long rip);
#endif

#endif
