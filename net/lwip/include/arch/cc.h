/* lwIP port: compiler and platform glue for the freestanding kernel.
 * See lwIP's src/include/lwip/arch.h for what each definition overrides. */
#ifndef BARENET_LWIP_ARCH_CC_H
#define BARENET_LWIP_ARCH_CC_H

#include <stddef.h>
#include <stdint.h>
#include <limits.h>

/* no <inttypes.h>, <ctype.h> or <unistd.h> in the kernel */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H    1
#define LWIP_NO_UNISTD_H   1

/* the kernel's ssize_t (kernel/types.h): the same type, so both may be seen */
typedef long ssize_t;
#define SSIZE_MAX LONG_MAX

/* SYS_ARCH_PROTECT's saved state: the RFLAGS of local_irq_save() */
typedef unsigned long sys_prot_t;

/* printf formats of lwIP's types, for our vsnprintf */
#define X8_F  "02x"
#define U16_F "hu"
#define S16_F "hd"
#define X16_F "hx"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

/* the host's <endian.h> may have said so already (host unit tests) */
#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif

/* byte order swaps inline: without these lwIP's def.c defines lwip_htons
 * and lwip_htonl as functions, a call (about 120 call sites for htons)
 * for each header field read or written on every frame's path */
#define lwip_htons(x) ((uint16_t)__builtin_bswap16((uint16_t)(x)))
#define lwip_htonl(x) ((uint32_t)__builtin_bswap32((uint32_t)(x)))

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
uint32_t lwip_port_rand(void);
void lwip_port_srand(uint64_t seed);
/* the kernel heap, lwIP's mem_malloc (lwipopts.h MEM_CUSTOM_ALLOCATOR) */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);

/* x is a parenthesised printf argument list */
#define LWIP_PLATFORM_DIAG(x) do { printk x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) \
	panic("lwIP assertion \"%s\" failed at %s:%d", (x), __FILE__, __LINE__)
#define LWIP_RAND() lwip_port_rand()

#endif
