	/* TODO (lab e1000-tx): transmit initialization, 8254x SDM 14.5.
	 * The ring (a->tx) is allocated: t->desc (t->count descriptors of
	 * E1000_DESC_SIZE bytes at bus address t->desc_dma) and t->slot[].
	 *  1. Zero every descriptor; set every t->slot[i].last to -1 and
	 *     .journey to 0; next_to_use = next_to_clean = 0; ctx_key = 0;
	 *     tail_pending = false.
	 *  2. TDBAL/TDBAH = t->desc_dma (low, high 32 bits), TDLEN = the ring's
	 *     size in BYTES (SDM 13.4.38), TDH = TDT = 0 (13.4.39/13.4.41: the
	 *     ring is empty when head == tail).  Use hw->q.tdbal ... hw->q.tdt:
	 *     the offsets differ between chips.
	 *  3. Chips with E1000_F_QUEUE_ENABLE: e1000_queue_enable(hw,
	 *     hw->q.txdctl, true); the others: TIPG (13.4.34, IPGT 10, IPGR1 8,
	 *     IPGR2 6: the E1000_TIPG_* constants), TIDV = TADV = 0.
	 *  4. TCTL (13.4.33): EN, PSP, RTLC, CT = E1000_TCTL_CT_DEFAULT,
	 *     COLD = E1000_TCTL_COLD_FD; then e1000_flush(hw).
	 * Until this is written the transmitter stays off. */
	(void)e1000_queue_enable;
