	/* TODO (lab e1000-tx): how many descriptors software may still fill.
	 * Software owns [next_to_clean, next_to_use) (filled, not yet
	 * completed); the rest is free.  The device sees the ring through
	 * TDH/TDT only and takes TDH == TDT to mean "empty" (8254x SDM 3.4,
	 * 13.4.39/13.4.41), so one descriptor must always stay unused:
	 * otherwise a full ring writes TDT equal to TDH and the device
	 * sees nothing to send.  Mind the wrap (next_to_use < next_to_clean).
	 * Returning 0 makes e1000_xmit answer -EBUSY to every frame. */
	return 0;
