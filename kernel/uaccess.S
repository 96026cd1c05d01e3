/* The copies that may fault on a user address (kernel/uaccess.h).  Each
 * faulting instruction is in the exception table: the #PF handler
 * (kernel/idt.c) resumes at its fixup, which returns what was left.
 * rep movsb/stosb stop with RCX = the bytes left when they fault (the
 * string instructions are restartable: SDM vol.2B "REP" and vol.3A 6.6);
 * the direction flag is clear (SysV ABI). */
#include "kernel/extable.h"

#define EFAULT 14

	.text

/* unsigned long uaccess_copy(void *dst, const void *src, size_t n) */
	.globl uaccess_copy
	.type uaccess_copy, @function
uaccess_copy:
	movq %rdx, %rcx
1:	rep movsb
2:	movq %rcx, %rax
	ret
	EXTABLE(1b, 2b)
	.size uaccess_copy, . - uaccess_copy

/* unsigned long uaccess_clear(void *dst, size_t n) */
	.globl uaccess_clear
	.type uaccess_clear, @function
uaccess_clear:
	movq %rsi, %rcx
	xorl %eax, %eax
1:	rep stosb
2:	movq %rcx, %rax
	ret
	EXTABLE(1b, 2b)
	.size uaccess_clear, . - uaccess_clear

/* int uaccess_get_u32(u32 *v, const void *src) */
	.globl uaccess_get_u32
	.type uaccess_get_u32, @function
uaccess_get_u32:
1:	movl (%rsi), %eax
	movl %eax, (%rdi)
	xorl %eax, %eax
	ret
2:	movl $-EFAULT, %eax
	ret
	EXTABLE(1b, 2b)
	.size uaccess_get_u32, . - uaccess_get_u32

	.section .note.GNU-stack, "", @progbits
