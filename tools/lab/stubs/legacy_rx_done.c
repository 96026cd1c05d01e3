	/* TODO (lab e1000-rx): has the device written a frame into this
	 * descriptor?  True when STATUS.DD (E1000_RXD_STAT_DD) is set (8254x
	 * SDM 3.2.3.1).  Read through READ_ONCE: the device writes it by DMA. */
	return false;
