	/* TODO (lab e1000-rx): pass the good frame in slot i (wb->len bytes
	 * in r->buf[i]->va) up the stack without copying it, and give the
	 * slot a fresh buffer.  Buffer ownership (e1000_rxpool.c):
	 *   spare = e1000_rx_pool_get(r->pool)  -- a free buffer, or NULL;
	 *   skb = skb_from_rx_buffer(a->netdev, b->va, wb->len,
	 *                            e1000_rx_buf_release, b)
	 *     -- an skb whose data IS buffer b (b returns to the pool when
	 *        the stack frees the skb);
	 *   e1000_rx_pool_lend(b) -- b now belongs to the skb: the slot must
	 *     not keep it (r->buf[i] = spare), or the device writes the next
	 *     frame into memory the stack is still reading.
	 * No spare: copy into netdev_alloc_skb(a->netdev, len) (skb_put) and
	 * keep b; skb_from_rx_buffer failing: e1000_rx_pool_put(spare).  No
	 * skb at all: a->sw.rx_alloc_failed++, rx_dropped++.  Otherwise count
	 * rx_packets, rx_bytes, rx_csum_offloaded += wb->csum_ok != 0,
	 * rx_zc_frames (in place) or rx_copied_frames; a tag the chip took
	 * out (wb->vlan) goes beside the frame:
	 *   __vlan_hwaccel_put_tag(skb, ETH_P_8021Q, wb->vlan_tci),
	 * counted in rx_vlan_stripped; and hand it over:
	 *   if (likely(!e1000_fault_rx(a, skb, wb->csum_ok)))
	 *           netdev_rx(a->netdev, skb, wb->csum_ok); */
