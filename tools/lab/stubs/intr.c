	/* TODO (lab e1000-irq): the hard interrupt (top half, STYLE.md "The
	 * data path contract").  Read the cause: e1000_read_cause(hw) (ICR,
	 * 8254x SDM 13.4.17; EICR on the 82576 in MSI-X mode).  Zero or
	 * E1000_REG_GONE: a->sw.irqs_not_ours++, return !cause &&
	 * e1000_irq_exclusive(hw) (a shared INTx line: not ours).  Else mask
	 * (e1000_irq_disable), acknowledge unless e1000_uses_eicr(hw): write
	 * the cause back to ICR (write 1 to clear) and add it to
	 * a->icr_pending (__atomic_fetch_or, release); if !a->running return
	 * true; if unlikely(e1000_fault_irq_lost(a)) return true; then with
	 * napi_enabled: a->sw.irqs++, and if napi_schedule_prep(&a->napi):
	 * journey_mark_cpu(JOURNEY_RX_IRQ), __napi_schedule(&a->napi);
	 * without: journey_mark_cpu(JOURNEY_RX_IRQ), e1000_intr_one_frame(a).
	 * Return true.  A cause never read (or never acknowledged where
	 * reading does not clear it) keeps the line asserted. */
	(void)e1000_read_cause;
	(void)e1000_intr_one_frame;
	return false;
