	/* TODO (lab e1000-rx): receive up to budget descriptors; return how
	 * many were consumed.  Software looks at r->next_to_clean; the device
	 * owns [RDH, RDT) and has filled a descriptor when its STATUS.DD is
	 * set (8254x SDM 3.2.3.1, 3.2.6).  For each descriptor d:
	 *  - stop at the first without DD (ops->rx_done(d)), or when
	 *    unlikely(e1000_fault_dd_delay(a));
	 *  - journey_mark_cpu(JOURNEY_RX_DRIVER); rmb() (read the rest of
	 *    the descriptor only after seeing DD); ops->rx_parse(d, hw_csum,
	 *    &wb) with hw_csum = (a->hw.chip->flags & E1000_F_RX_CSUM) &&
	 *    (READ_ONCE(a->netdev->features) & NETIF_F_RXCSUM);
	 *  - hand it to e1000_rx_desc(a, r, ntc, &wb): it drops errors,
	 *    gathers a frame that spans several buffers (up to its EOP: it
	 *    may span polls) and delivers whole frames, each piece's buffer
	 *    taken by your e1000_rx_take;
	 *  - re-arm the descriptor with the slot's buffer, which may be a new
	 *    one now: ops->rx_arm(d, r->buf[ntc]->dma) (DD cleared).
	 * Then, if anything was consumed: store next_to_clean, wmb() (the
	 * re-armed descriptors in memory before the tail moves over them),
	 * and unless r->stopped or unlikely(e1000_fault_rx_exhaust(a)) write
	 * RDT (hw->q.rdt) = the INDEX of the descriptor before next_to_clean:
	 * software keeps RDT = next_to_clean - 1 so the device never fills
	 * the slot it looks at next (SDM 3.2.6, 13.4.28: RDT counts
	 * descriptors, not bytes; RDH == RDT means "no free descriptor").
	 * Until this is written no frame is received. */
	(void)e1000_rx_desc;
	return 0;
