/* The copies that may fault on a user address (kernel/uaccess.h).  Each
 * faulting instruction is in the exception table: the #PF handler
 * (kernel/idt.c) resumes at its fixup, which returns what was left.
 * The rep string instructions stop with RCX = the elements left when they
 * fault (they are restartable: SDM vol.2B "REP" and vol.3A 6.6); the
 * direction flag is clear (SysV ABI).  Eight bytes per iteration, then the
 * rest, as lib/string.c's memcpy: QEMU's TCG runs a string instruction one
 * element at a time.  A quad that straddles the faulting page is not
 * copied at all: the count left stays exact, at most 7 bytes short of the
 * most that could have been copied. */
#include "kernel/extable.h"

#define EFAULT 14
#define EINVAL 22

	.text

/* unsigned long uaccess_clear(void *dst, size_t n) */
	.globl uaccess_clear
	.type uaccess_clear, @function
uaccess_clear:
	movq %rsi, %rcx
	shrq $3, %rcx
	andl $7, %esi
	xorl %eax, %eax
1:	rep stosq
	movl %esi, %ecx
2:	rep stosb
3:	movq %rcx, %rax
	ret
4:	leaq (%rsi,%rcx,8), %rax
	ret
	EXTABLE(1b, 4b)
	EXTABLE(2b, 3b)
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

/* int uaccess_put_u32(void *dst, u32 v) */
	.globl uaccess_put_u32
	.type uaccess_put_u32, @function
uaccess_put_u32:
1:	movl %esi, (%rdi)
	xorl %eax, %eax
	ret
2:	movl $-EFAULT, %eax
	ret
	EXTABLE(1b, 2b)
	.size uaccess_put_u32, . - uaccess_put_u32


	.section .note.GNU-stack, "", @progbits
