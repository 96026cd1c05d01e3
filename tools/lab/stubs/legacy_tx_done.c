	/* TODO (lab e1000-tx): has the device finished with this descriptor?
	 * True when STATUS.DD (E1000_TXD_STAT_DD, in `upper`) is set (8254x
	 * SDM 3.3.3.2).  The device writes it by DMA: read through
	 * READ_ONCE so the compiler reads memory each time. */
	return false;
