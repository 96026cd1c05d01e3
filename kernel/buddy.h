/* Buddy allocator core: blocks of 2^order pages over one address range.
 *
 * It knows nothing about physical memory or page tables: it is given the
 * address of page 0 of a range, the number of pages, and one byte of state
 * per page, and it writes its free-list links into the first bytes of free
 * blocks (so free pages must be addressable).  Block addresses are aligned
 * relative to `base`: a block of order k starts at a page index that is a
 * multiple of 2^k.  No locking: the caller serialises.
 *
 * kernel/page_alloc.c wraps it for physical memory; tests/unit/test_buddy.c
 * runs it on the host over a malloc'd buffer.
 */
#ifndef KERNEL_BUDDY_H
#define KERNEL_BUDDY_H

#include "kernel/types.h"

#define BUDDY_PAGE_SHIFT 12
#define BUDDY_PAGE_SIZE  (1UL << BUDDY_PAGE_SHIFT)
#define BUDDY_MAX_ORDER  10             /* largest block: 2^10 pages = 4 MiB */

struct buddy_link {
	struct buddy_link *next, *prev;
};

struct buddy {
	uintptr_t base;                 /* address of page 0 */
	size_t npages;                  /* pages covered by meta[] */
	u8 *meta;                       /* per-page state, see buddy.c */
	struct buddy_link free[BUDDY_MAX_ORDER + 1];
	size_t nr_free[BUDDY_MAX_ORDER + 1];    /* blocks on each free list */
	size_t free_pages;
	size_t managed_pages;           /* pages ever given with buddy_add_range */
};

/* Set up an allocator for npages pages starting at base (page aligned);
 * meta must hold npages bytes.  Every page starts out reserved. */
void buddy_init(struct buddy *b, uintptr_t base, size_t npages, u8 *meta);

/* Hand the pages [addr, addr + npages * BUDDY_PAGE_SIZE) to the allocator.
 * Returns 0, or -EINVAL if the range is unaligned, outside the allocator,
 * or overlaps pages already given. */
int buddy_add_range(struct buddy *b, uintptr_t addr, size_t npages);

/* A free block of 2^order pages, or NULL when none is left. */
void *buddy_alloc(struct buddy *b, unsigned order);

/* Return a block from buddy_alloc with the same order.  Returns 0, or
 * -EINVAL when p is not the start of a live block of that order (double
 * free, wrong order, or a pointer the allocator never handed out). */
int buddy_free(struct buddy *b, void *p, unsigned order);

static inline size_t buddy_free_pages(const struct buddy *b) { return b->free_pages; }

/* Walk the free lists and the page states and check that they agree.
 * Returns 0, or -EFAULT at the first inconsistency. */
int buddy_check(const struct buddy *b);

#endif
