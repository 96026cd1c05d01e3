	/* TODO (lab e1000-tx): hand the filled descriptors to the device.
	 * Write the transmit tail (TDT of ring t: e1000_tx_tail_reg(&a->hw,
	 * t), hw->q.tdt on this chip) with the INDEX of the next descriptor
	 * software will fill, t->next_to_use (8254x SDM
	 * 3.4, 13.4.41: TDT counts descriptors, not bytes).  The descriptors
	 * must be in memory before the device can see the new tail: a write
	 * barrier (wmb()) first (SDM 3.3; STYLE.md "Barriers").  Then clear
	 * t->tail_pending and mark the journey: journey_mark_cpu(
	 * JOURNEY_TX_TAIL).  Keep the fault hook first:
	 *     if (unlikely(e1000_fault_tx_stall(a))) return;
	 * Until this is written nothing is ever sent. */
