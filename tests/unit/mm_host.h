/* A page allocator for host unit tests of kmalloc.c and dma.c: the buddy
 * core over an aligned malloc'd arena, plus no-op mm locks. */
#ifndef TESTS_UNIT_MM_HOST_H
#define TESTS_UNIT_MM_HOST_H

#include "kernel/buddy.h"

extern struct buddy mm_host_buddy;
extern u8 *mm_host_arena;

/* a fresh arena of npages pages, all free */
void mm_host_setup(size_t npages);
void mm_host_teardown(void);

#endif
