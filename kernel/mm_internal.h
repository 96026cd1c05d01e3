/* Interfaces between the memory-management files (not for other
 * subsystems).  kmalloc.c and dma.c build on the host for unit tests: the
 * test supplies page_alloc/page_free and the lock hooks declared here. */
#ifndef KERNEL_MM_INTERNAL_H
#define KERNEL_MM_INTERNAL_H

#include "kernel/types.h"

/* Lock for the kmalloc and DMA pools.  In the kernel an irqsave spinlock
 * (page_alloc.c); on the host a no-op.  page_alloc nests inside it. */
unsigned long mm_pool_lock(void);
void mm_pool_unlock(unsigned long flags);

/* free 4 KiB pages in the page allocator */
size_t page_free_count(void);

/* paging.c: page tables */
#define PTE_P       BIT_ULL(0)      /* present   Intel SDM vol.3A 4.5, table 4-19 */
#define PTE_W       BIT_ULL(1)      /* writable */
#define PTE_PWT     BIT_ULL(3)      /* page-level write-through */
#define PTE_PCD     BIT_ULL(4)      /* page-level cache disable */
#define PTE_PS      BIT_ULL(7)      /* 2 MiB / 1 GiB page in a PD / PDPT entry */
#define PTE_NX      BIT_ULL(63)     /* execute-disable, needs EFER.NXE */

/* build the direct map and the kernel image map in a fresh PML4 (page-table
 * pages from page_alloc); max_phys: end of the highest RAM region */
int paging_build(u64 max_phys);
/* load the new page tables into CR3 */
void paging_activate(void);
/* map [va, va+size) to [pa, ...) with 4 KiB pages and the given PTE flags
 * (PTE_P is implied); 0 or -ENOMEM */
int paging_map_4k(u64 va, u64 pa, u64 size, u64 flags);
/* remove the 4 KiB mappings of [va, va+size) and flush them from the TLB */
void paging_unmap_4k(u64 va, u64 size);
/* the leaf entry mapping va (with its PTE_PS/level folded in *page_size),
 * or 0 when va is not mapped */
u64 paging_lookup(u64 va, u64 *page_size);

/* the unmapped page below the boot stack (boot/entry.S) */
extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];

/* mmtest.c: the self-check run by mm_init under cmdline `mmtest` */
void mm_selftest_run(void);

#endif
