/* The RX refill pool: the DMA buffers of one receive ring and its spares.
 *
 * A good frame goes up in the buffer the device wrote it to (an skb over
 * it, skb_from_rx_buffer), and a spare from the pool takes its place in
 * the ring slot.  When the stack frees the skb's last reference,
 * e1000_rx_buf_release puts the buffer back on the free list.  That may
 * happen in NET_RX (the frame consumed, or sent back out and completed),
 * in TIMER (lwIP's timers freeing queued segments), in NET_TX (frees
 * deferred from hard IRQ) or in process context (the shell): so the pool
 * is a spinlock taken with interrupts off, and nothing here sleeps.
 *
 * Lifetime: the ring holds the pool (attached) and every buffer with the
 * stack holds it too (lent).  Freeing the ring (stop, resize) detaches it;
 * whoever drops the last hold (the detach, or the last release) frees the
 * buffers and the pool, so a ring may go while the stack still has frames
 * of it, and a new ring gets a new pool. */
#include "drivers/net/e1000/e1000.h"
#include "kernel/mm.h"

/* a pool of size buffers, all on the free list; NULL if memory is short */
struct e1000_rx_pool *e1000_rx_pool_create(u32 size)
{
	struct e1000_rx_pool *pool = kzalloc(sizeof(*pool) + (size_t)size * sizeof(pool->bufs[0]));

	if (!pool)
		return NULL;
	pool->lock = (struct spinlock)SPINLOCK_INIT("e1000_rx_pool");
	pool->size = size;
	pool->attached = true;
	for (u32 i = 0; i < size; i++) {
		struct e1000_rx_buf *b = &pool->bufs[i];

		b->va = dma_alloc_coherent(E1000_RX_BUF_SIZE, &b->dma);
		if (!b->va) {
			pool->attached = false;
			pool->size = i;
			e1000_rx_pool_detach(pool, NULL, 0);
			return NULL;
		}
		b->pool = pool;
		b->next = pool->free;
		pool->free = b;
		pool->nfree++;
	}
	return pool;
}

static void e1000_rx_pool_free(struct e1000_rx_pool *pool)
{
	for (u32 i = 0; i < pool->size; i++)
		dma_free_coherent(pool->bufs[i].va, E1000_RX_BUF_SIZE);
	kfree(pool);
}

/* a free buffer, or NULL when the stack holds every spare */
struct e1000_rx_buf *e1000_rx_pool_get(struct e1000_rx_pool *pool)
{
	unsigned long flags = spin_lock_irqsave(&pool->lock);
	struct e1000_rx_buf *b = pool->free;

	if (b) {
		pool->free = b->next;
		pool->nfree--;
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	return b;
}

/* back on the free list, unused (the ring still holds the pool) */
void e1000_rx_pool_put(struct e1000_rx_buf *b)
{
	struct e1000_rx_pool *pool = b->pool;
	unsigned long flags = spin_lock_irqsave(&pool->lock);

	b->next = pool->free;
	pool->free = b;
	pool->nfree++;
	spin_unlock_irqrestore(&pool->lock, flags);
}

/* b goes to the stack inside an skb: it comes back through
 * e1000_rx_buf_release, exactly once */
void e1000_rx_pool_lend(struct e1000_rx_buf *b)
{
	struct e1000_rx_pool *pool = b->pool;
	unsigned long flags = spin_lock_irqsave(&pool->lock);

	pool->lent++;
	spin_unlock_irqrestore(&pool->lock, flags);
}

/* the skb layer's release callback (skb_release_fn): ctx is the buffer */
void e1000_rx_buf_release(void *ctx, void *va)
{
	struct e1000_rx_buf *b = ctx;
	struct e1000_rx_pool *pool = b->pool;
	unsigned long flags;
	bool last;

	(void)va;
	flags = spin_lock_irqsave(&pool->lock);
	b->next = pool->free;
	pool->free = b;
	pool->nfree++;
	pool->lent--;
	last = !pool->attached && !pool->lent;
	spin_unlock_irqrestore(&pool->lock, flags);
	if (last)
		e1000_rx_pool_free(pool);
}

/* The ring lets go: its n slot buffers (ring_bufs, NULL entries skipped)
 * return to the pool, which is freed now, or by the last release if the
 * stack still holds buffers of it. */
void e1000_rx_pool_detach(struct e1000_rx_pool *pool, struct e1000_rx_buf **ring_bufs, u32 n)
{
	unsigned long flags;
	bool last;

	for (u32 i = 0; i < n; i++)
		if (ring_bufs[i])
			e1000_rx_pool_put(ring_bufs[i]);
	flags = spin_lock_irqsave(&pool->lock);
	pool->attached = false;
	last = !pool->lent;
	spin_unlock_irqrestore(&pool->lock, flags);
	if (last)
		e1000_rx_pool_free(pool);
}
