/* Memory: the direct map, the physical page allocator, kmalloc, DMA memory
 * and MMIO mappings.
 *
 * Address space (4-level paging):
 *   DIRECT_MAP_BASE + p   every physical byte p of RAM (and 0..4 GiB from boot)
 *   KERNEL_VMA + p        the kernel image, loaded at 1 MiB physical
 */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H

#include "kernel/types.h"

#define PAGE_SHIFT       12
#define PAGE_SIZE        (1UL << PAGE_SHIFT)
#define KERNEL_VMA       0xffffffff80000000UL
#define DIRECT_MAP_BASE  0xffff888000000000UL

static inline void *phys_to_virt(phys_addr_t p) { return (void *)(p + DIRECT_MAP_BASE); }

/* physical address of a direct-map or kernel-image address */
static inline phys_addr_t virt_to_phys(const void *v)
{
	uintptr_t a = (uintptr_t)v;

	if (a >= KERNEL_VMA)
		return a - KERNEL_VMA;
	return a - DIRECT_MAP_BASE;
}

/* kernel heap (branch mem; declared here until it lands) */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);

#endif
