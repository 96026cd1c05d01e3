/* Kernel access to user memory that may fault (kernel/uaccess.S, the two
 * copies' out-of-line forms in kernel/uaccess_copy.c).  Each
 * copy is done by instructions listed in the exception table
 * (kernel/extable.h): a #PF on a user address inside one ends the copy
 * early instead of panicking.  No range check here (the callers' is
 * access_ok, kernel/app/app.h); a kernel address works too and a fault on
 * one is still a panic.  Callers: kernel/app (copy_from_user and
 * friends) and the socket layer, which copies into iovecs that are user
 * buffers for the application and kernel buffers for the services. */
#ifndef KERNEL_UACCESS_H
#define KERNEL_UACCESS_H

#include "kernel/errno.h"
#include "kernel/extable.h"
#include "kernel/mm.h"
#include "kernel/types.h"

/* the end of the user half: the canonical lower half (SDM vol.1 3.3.7.1) */
#define USER_TOP 0x0000800000000000UL
/* nothing is ever mapped below (Linux's default vm.mmap_min_addr) */
#define USER_MIN 0x10000UL

/* copy n bytes; the bytes NOT copied (0: all) */
unsigned long uaccess_copy(void *dst, const void *src, size_t n);
/* uaccess_copy's one definition, inline for the copies made once per
 * datagram (a datagram socket's payload in and out, sendto's address):
 * under QEMU's TCG a call's return is a lookup of the next translated
 * block.  uaccess_copy (kernel/uaccess_copy.c) is this as a call.  The fixup is
 * inline too (jumped over), each within a few bytes after its
 * instruction */
static inline __attribute__((always_inline)) unsigned long uaccess_copy_inline(void *dst,
									       const void *src,
									       size_t n)
{
	unsigned long left = n >> 3, tail = n & 7;

	__asm__ volatile("1:	rep movsq\n\t"
			 "movq %[tail], %%rcx\n"
			 "2:	rep movsb\n\t"
			 "jmp 3f\n"
			 "4:	leaq (%[tail], %%rcx, 8), %%rcx\n" /* the quads left and the tail */
			 "3:\n\t"
			 EXTABLE_C("1b", "4b")
			 EXTABLE_C("2b", "3b")
			 : "+c"(left), "+D"(dst), "+S"(src)
			 : [tail] "r"(tail)
			 : "memory");
	return left;
}
/* zero n bytes at dst; the bytes NOT zeroed */
unsigned long uaccess_clear(void *dst, size_t n);
/* *v = *(u32 *)src in one load: 0 or -EFAULT */
int uaccess_get_u32(u32 *v, const void *src);
/* *(u32 *)dst = v in one store: 0 or -EFAULT */
int uaccess_put_u32(void *dst, u32 v);
/* a socket address out (Linux's move_addr_to_user): room = *ulen, a
 * negative one -EINVAL; min(room, len) bytes of src to dst, then
 * *ulen = len; 0 or -EFAULT */
int uaccess_name_out(void *dst, const void *src, int len, u32 *ulen);

/* uaccess_name_out's one definition, inline (recvfrom's every datagram
 * writes its source address; uaccess_name_out in kernel/uaccess_copy.c is this
 * as a call) */
static inline __attribute__((always_inline)) int uaccess_name_out_inline(void *dst, const void *src,
									 int len, u32 *ulen)
{
	unsigned long left, a, b;
	int rc;

	__asm__ volatile("1:	movl (%[ulen]), %%ecx\n\t"
			 "testl %%ecx, %%ecx\n\t"
			 "js 7f\n\t"
			 "cmpl %[len], %%ecx\n\t"
			 "cmovgl %[len], %%ecx\n\t"
			 "cmpl $16, %%ecx\n\t"
			 "jne 4f\n\t"
			 "movq (%[src]), %[a]\n\t"
			 "movq 8(%[src]), %[b]\n"
			 "2:	movq %[a], (%[dst])\n"
			 "3:	movq %[b], 8(%[dst])\n\t"
			 "jmp 5f\n"
			 "4:	rep movsb\n"
			 "5:	movl %[len], (%[ulen])\n\t"
			 "xorl %[rc], %[rc]\n\t"
			 "jmp 8f\n"
			 "6:	movl %[efault], %[rc]\n\t"
			 "jmp 8f\n"
			 "7:	movl %[einval], %[rc]\n"
			 "8:\n\t"
			 EXTABLE_C("1b", "6b")
			 EXTABLE_C("2b", "6b")
			 EXTABLE_C("3b", "6b")
			 EXTABLE_C("4b", "6b")
			 EXTABLE_C("5b", "6b")
			 : [rc] "=&r"(rc), "=&c"(left), [a] "=&r"(a), [b] "=&r"(b), [dst] "+D"(dst),
			   [src] "+S"(src)
			 : [len] "r"(len), [ulen] "r"(ulen), [efault] "i"(-EFAULT), [einval] "i"(-EINVAL)
			 : "memory", "cc");
	return rc;
}

/* every page of [src, src+n) readable now: 0 or -EFAULT (one load a page) */
static inline int uaccess_probe_read(const void *src, size_t n)
{
	const char *p = src, *end = p + n;
	char c;

	while (p < end) {
		if (uaccess_copy(&c, p, 1))
			return -EFAULT;
		p = (const char *)(((unsigned long)p | (PAGE_SIZE - 1)) + 1);
	}
	return 0;
}

#endif
