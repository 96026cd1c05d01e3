	/* TODO (lab e1000-rx): (re)arm a legacy receive descriptor (8254x SDM
	 * 3.2.3, table 3-1; struct e1000_rx_desc) with the buffer at bus
	 * address buf: buffer_addr = buf, and every written-back field
	 * (length, csum, status, errors, special) zero.  STATUS.DD must be
	 * clear before the device gets the descriptor back: DD is how
	 * e1000_clean_rx knows the device filled it. */
