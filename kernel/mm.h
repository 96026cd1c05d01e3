/* Memory: the direct map, the physical page allocator, kmalloc, DMA memory
 * and MMIO mappings.
 *
 * Address space (4-level paging, built by mm_init; nothing maps 0..):
 *   DIRECT_MAP_BASE + p   every physical byte p of RAM, and all of 0..4 GiB
 *                         (firmware tables outside RAM regions), write-back
 *   MMIO_BASE ..          mmio_map() windows, uncached, 4 KiB pages
 *   KERNEL_VMA + p        the kernel image, loaded at 1 MiB physical; the
 *                         page below the boot stack is left unmapped (guard)
 */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H

#include "kernel/types.h"

#define PAGE_SHIFT       12
#define PAGE_SIZE        (1UL << PAGE_SHIFT)
#define PAGE_MAX_ORDER   10     /* page_alloc's largest block: 2^10 pages, 4 MiB */
#define KERNEL_VMA       0xffffffff80000000UL
#define DIRECT_MAP_BASE  0xffff888000000000UL
#define MMIO_BASE        0xffffc90000000000UL   /* one PML4 slot: 512 GiB */
#define MMIO_SIZE        (1UL << 39)

static inline void *phys_to_virt(phys_addr_t p) { return (void *)(p + DIRECT_MAP_BASE); }

/* physical address of a direct-map or kernel-image address */
static inline phys_addr_t virt_to_phys(const void *v)
{
	uintptr_t a = (uintptr_t)v;

	if (a >= KERNEL_VMA)
		return a - KERNEL_VMA;
	return a - DIRECT_MAP_BASE;
}

/* Build the final page tables, switch to them and start the page allocator
 * over the memory map's AVAILABLE regions (minus the first MiB and the
 * kernel image).  Call after bootinfo_parse and cmdline_apply.  Prints
 * "mm: ram total <N> KiB, free <M> KiB".  Returns 0 (panics when the memory
 * map leaves nothing to run on). */
int mm_init(void);

/* 2^order physically contiguous 4 KiB pages (naturally aligned), as a
 * direct-map address; NULL when none are left */
void *page_alloc(unsigned order);
/* free pages from page_alloc with the same order; panics on a double free */
void page_free(void *p, unsigned order);

/* sum of the AVAILABLE regions of the memory map, and what is free now */
u64 mm_total_ram_kib(void);
u64 mm_free_kib(void);

/* General-purpose allocation: 16-byte aligned, size classes 16..2048 bytes
 * carved from pages, larger sizes straight from page_alloc.  kfree(NULL) is
 * a no-op; a double free or (with KMALLOC_DEBUG) an overwritten redzone
 * panics naming the pointer. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
/* objects allocated and not yet freed */
size_t kmalloc_live_objects(void);
/* print every live object with its size and allocating caller (needs
 * KMALLOC_DEBUG; otherwise only the count) */
void kmalloc_dump_live(void);

/* Memory for device DMA: physically contiguous, zeroed, aligned to
 * min(size rounded up to a power of two, 4096) and at least 128 bytes.
 * *phys receives the bus (= physical) address.  NULL when out of memory. */
void *dma_alloc_coherent(size_t size, phys_addr_t *phys);
/* free a buffer from dma_alloc_coherent, with the same size */
void dma_free_coherent(void *v, size_t size);
/* The bus address of [v, v + len) for a device to read or write in one
 * piece (streaming DMA of memory the caller already has, such as lwIP's
 * pbufs): 0 with *dma set when the range lies in the direct map or in the
 * kernel image, both mapped linearly, so it is physically contiguous;
 * -EFAULT for anything else (MMIO windows, a range wrapping past either
 * end).  x86 DMA is cache-coherent: nothing to sync or unmap. */
int dma_addr_of(const void *v, size_t len, phys_addr_t *dma);
/* bytes handed out by dma_alloc_coherent and not yet freed */
u64 dma_outstanding_bytes(void);

/* Map size bytes of physical address space at phys (any address, page
 * offset kept) uncached (PCD|PWT) in the MMIO window; NULL when the window
 * or page-table memory runs out. */
void *mmio_map(phys_addr_t phys, size_t size);
/* undo mmio_map(phys, size) given the pointer it returned */
void mmio_unmap(void *v, size_t size);

#endif
