	/* TODO (lab e1000-tx): fill one legacy transmit data descriptor
	 * (8254x SDM 3.3.3, table 3-8; struct e1000_tx_desc).
	 *  - buffer_addr = buf (the bus address of len bytes of the frame);
	 *  - lower = length | CMD: IFCS always (insert the FCS); on the
	 *    frame's last descriptor (eop) also EOP and RS (report status:
	 *    the device writes DD back, which e1000_clean_tx waits for);
	 *  - upper: STATUS must be 0 (DD clear: this descriptor is not done
	 *    yet) -- it still holds the DD of the frame sent in it last time.
	 *  - checksum offload (csum_flags != 0, 3.3.5-3.3.7): CMD also DEXT
	 *    and E1000_TXD_DTYP_D; POPTS (upper << E1000_TXD_POPTS_SHIFT):
	 *    IXSM for NETDEV_CSUM_IP, TXSM for NETDEV_CSUM_TCP/UDP.
	 * frame_len is for the advanced format only. */
