	/* TODO (lab e1000-rx): return the piece of a frame in slot i (len
	 * bytes in r->buf[i]->va) as an skb without copying it, and give the
	 * slot a fresh buffer.  Buffer ownership (e1000_rxpool.c):
	 *   spare = e1000_rx_pool_get(r->pool)  -- a free buffer, or NULL;
	 *   skb = skb_from_rx_buffer(a->netdev, b->va, len,
	 *                            e1000_rx_buf_release, b)
	 *     -- an skb whose data IS buffer b (b returns to the pool when
	 *        the stack frees the skb);
	 *   e1000_rx_pool_lend(b) -- b now belongs to the skb: the slot must
	 *     not keep it (r->buf[i] = spare), or the device writes the next
	 *     frame into memory the stack is still reading.
	 * No spare: copy into netdev_alloc_skb(a->netdev, len) (skb_put),
	 * keep b, and set r->chain_copied = true (the frame counts as
	 * copied); skb_from_rx_buffer failing: e1000_rx_pool_put(spare).
	 * Return the skb, or NULL with no memory for one (the caller drops
	 * and counts the frame; e1000_rx_desc gathers the pieces of a frame
	 * that spans buffers, counts and delivers it). */
	(void)a;
	(void)r;
	(void)i;
	(void)len;
	return NULL;
