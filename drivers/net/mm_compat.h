/* TEMPORARY: the DMA/MMIO part of the memory API of apis.md (branch `mem`;
 * kmalloc is already declared in kernel/mm.h), declared here until that
 * branch lands in main; then this file is deleted and the includes
 * point at kernel/mm.h.  The host unit tests provide these functions. */
#ifndef DRIVERS_NET_MM_COMPAT_H
#define DRIVERS_NET_MM_COMPAT_H

#include "kernel/mm.h"

void *dma_alloc_coherent(size_t size, phys_addr_t *phys);
void dma_free_coherent(void *v, size_t size);
void *mmio_map(phys_addr_t phys, size_t size);
void mmio_unmap(void *v, size_t size);

#endif
