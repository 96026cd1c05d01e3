	/* TODO (lab e1000-tx): reclaim the frames the device has sent.
	 * From t->next_to_clean up to t->next_to_use: a frame's first slot
	 * holds its skb, length and .last, the index of its last descriptor
	 * (the one with EOP|RS).  The device writes DD into that
	 * descriptor's status once it is done with the frame (8254x SDM
	 * 3.3.3.2, RS/DD): stop at the first frame whose last descriptor
	 * has no DD (ops->tx_done(desc_at(t->desc, last))).  For each done
	 * frame: t->sw->tx_packets++, tx_bytes += len (t->sw is &a->sw
	 * on this chip), dev_kfree_skb_any(skb),
	 * slot.skb = NULL, journey_tx_done(slot.journey), slot.journey = 0,
	 * slot.last = -1, and continue after its last descriptor
	 * (ring_next).  Store the new next_to_clean; return the frames done.
	 * Until this is written the ring fills up and never empties. */
	(void)ring_next;
	return 0;
