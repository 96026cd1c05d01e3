/* Interfaces between the memory-management files (not for other
 * subsystems).  kmalloc.c and dma.c build on the host for unit tests: the
 * test supplies page_alloc/page_free and the lock hooks declared here. */
#ifndef KERNEL_MM_INTERNAL_H
#define KERNEL_MM_INTERNAL_H

#include "kernel/types.h"

/* Locks of the kmalloc and DMA pools.  In the kernel irqsave spinlocks
 * (page_alloc.c); on the host no-ops.  Order: DMA, then KMALLOC, then the
 * page allocator's own lock. */
enum mm_lock_id { MM_LOCK_DMA, MM_LOCK_KMALLOC, MM_NR_LOCKS };
unsigned long mm_lock(enum mm_lock_id id);
void mm_unlock(enum mm_lock_id id, unsigned long flags);

/* page_alloc.c: start the allocator for physical pages 0..npages-1, all
 * reserved, state bytes at meta; then hand it [start, end) ranges */
void page_alloc_init(size_t npages, u8 *meta);
int page_alloc_add(phys_addr_t start, phys_addr_t end);
/* free 4 KiB pages in the page allocator */
size_t page_free_count(void);
/* 0, or -EFAULT when the free lists are inconsistent */
int page_alloc_check(void);

/* paging.c: page tables */
#define PTE_P       BIT_ULL(0)      /* present   Intel SDM vol.3A 4.5, table 4-19 */
#define PTE_W       BIT_ULL(1)      /* writable */
#define PTE_U       BIT_ULL(2)      /* user: reachable at CPL 3 */
#define PTE_PWT     BIT_ULL(3)      /* page-level write-through */
#define PTE_PCD     BIT_ULL(4)      /* page-level cache disable */
#define PTE_PS      BIT_ULL(7)      /* 2 MiB / 1 GiB page in a PD / PDPT entry */
#define PTE_NX      BIT_ULL(63)     /* execute-disable, needs EFER.NXE */

/* build the direct map (0..4 GiB and every RAM region of the memory map)
 * and the kernel image map in a fresh PML4, page-table pages from
 * page_alloc; 0 or -ENOMEM */
int paging_build(void);
/* load the new page tables into CR3 */
void paging_activate(void);
/* map [va, va+size) to [pa, ...) with 4 KiB pages and the given PTE flags
 * (PTE_P is implied, PTE_NX dropped when the CPU lacks it); 0 or -ENOMEM */
int paging_map_4k(u64 va, u64 pa, u64 size, u64 flags);
/* remove the 4 KiB mappings of [va, va+size) and flush them from the TLB */
void paging_unmap_4k(u64 va, u64 size);
/* the leaf entry mapping va (with its PTE_PS/level folded in *page_size),
 * or 0 when va is not mapped */
u64 paging_lookup(u64 va, u64 *page_size);

/* the leaf entry of the lower-half (application) address va, its tables
 * created user-accessible when create; NULL when va is not in the lower
 * half or a table cannot be allocated (or, !create, does not exist) */
u64 *paging_user_pte(u64 va, bool create);
/* PTE_NX when the CPU has it, else 0 */
u64 paging_nx(void);
/* free the lower half's page-table pages, calling leaf(pte) for every
 * non-zero leaf entry first */
void paging_user_free(void (*leaf)(u64 pte));

/* the unmapped page below the boot stack (boot/entry.S) */
extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];

/* mmtest.c: the self-check run by mm_init under cmdline `mmtest` */
void mm_selftest_run(void);

#endif
