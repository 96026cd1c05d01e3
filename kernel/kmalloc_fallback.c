/* A stand-in kmalloc until the kernel heap (branch mem) is merged: fixed
 * 512-byte blocks from a static pool, enough for sk_buff heads and RX
 * buffer wrappers.  Every definition is weak, so the real allocator
 * replaces it at link time; delete this file once it has landed. */
#include "kernel/mm.h"
#include "kernel/x86.h"
#include <string.h>

#define FALLBACK_BLOCK_SIZE 512
#define FALLBACK_BLOCKS     256

union fallback_block {
	union fallback_block *next;
	u8 bytes[FALLBACK_BLOCK_SIZE];
};

static union fallback_block fallback_pool[FALLBACK_BLOCKS] __aligned(64);
static union fallback_block *fallback_free;
static unsigned int fallback_used;     /* blocks handed out at least once */

__attribute__((weak)) void *kmalloc(size_t size)
{
	union fallback_block *b = NULL;
	unsigned long flags;

	if (size > FALLBACK_BLOCK_SIZE)
		return NULL;
	flags = local_irq_save();
	if (fallback_free) {
		b = fallback_free;
		fallback_free = b->next;
	} else if (fallback_used < FALLBACK_BLOCKS) {
		b = &fallback_pool[fallback_used++];
	}
	local_irq_restore(flags);
	return b;
}

__attribute__((weak)) void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

__attribute__((weak)) void kfree(void *p)
{
	union fallback_block *b = p;
	unsigned long flags;

	if (!p)
		return;
	flags = local_irq_save();
	b->next = fallback_free;
	fallback_free = b;
	local_irq_restore(flags);
}
