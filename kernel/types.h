/* Fixed-width types and small helpers used everywhere in the kernel. */
#ifndef KERNEL_TYPES_H
#define KERNEL_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>

typedef uint8_t  u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t   s8;
typedef int16_t  s16;
typedef int32_t  s32;
typedef int64_t  s64;
typedef u64 phys_addr_t;
typedef s64 ssize_t;

#define ARRAY_SIZE(a)      (sizeof(a) / sizeof((a)[0]))
#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))
#define ALIGN_UP(x, a)     (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a)   ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)   (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b)          ((a) < (b) ? (a) : (b))
#define MAX(a, b)          ((a) > (b) ? (a) : (b))
#define BIT(n)             (1UL << (n))
#define BIT_ULL(n)         (1ULL << (n))
#define KiB(x)             ((u64)(x) << 10)
#define MiB(x)             ((u64)(x) << 20)
#define GiB(x)             ((u64)(x) << 30)

#define likely(x)          __builtin_expect(!!(x), 1)
#define unlikely(x)        __builtin_expect(!!(x), 0)
#define __packed           __attribute__((packed))
#define __aligned(n)       __attribute__((aligned(n)))
#define __noreturn         __attribute__((noreturn))
#define __unused           __attribute__((unused))
#define __used             __attribute__((used))
/* a frame of its own in call traces, whatever the link-time inliner would do */
#define __noinline         __attribute__((noinline))
#define __section(s)       __attribute__((section(s)))
#define __printf(a, b)     __attribute__((format(printf, a, b)))
#define READ_ONCE(x)       (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)   (*(volatile __typeof__(x) *)&(x) = (v))

/* compiler barrier; CPU barriers are in kernel/x86.h */
#define barrier()          __asm__ volatile("" ::: "memory")

#endif
