# make bench: barenet against a Linux guest on the same emulated NIC.
# tools/bench-linux.sh assembles (and caches) the Linux guest from Debian
# packages in build/bench/linux; bench/run.py measures both guests per NIC
# model and interrupt mode and writes bench/results/<date>-<model>-<mode>.{md,json,
# -load.png}.  Root (network namespaces).  BENCH_MODELS="e1000 e1000e igb",
# BENCH_MODES="auto" (barenet irqmode=: auto|msix|msi|intx), BENCH_QUICK=1
# (short counts), BENCH_OUT=dir.
.PHONY: bench
bench: $(BUILD)/barenet.elf
	tools/bench-linux.sh
	$(PYTHON) bench/run.py
