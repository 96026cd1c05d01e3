# make bench: barenet against a Linux guest on the same emulated NIC.
# tools/bench-linux.sh assembles (and caches) the Linux guest from Debian
# packages in build/bench/linux; bench/run.py measures both guests per NIC
# model and interrupt mode (every mode barenet offers on the model unless
# BENCH_MODES narrows it) and writes bench/results/<date>-<model>.{md,json},
# <date>-<model>-<mode>-load.png and latest.md.  Root (network namespaces).
# The socket API cells boot tests/apps/sockbench.c (make app-kernel, run.py).
# BENCH_MODELS="e1000 e1000e igb", BENCH_MODES="msix msi intx" (barenet
# irqmode= values), BENCH_QUICK=1 (short counts), BENCH_OUT=dir, BENCH_ONLY=sock
# (only the socket API cells, no Linux guest), BENCH_ONLY=scaling (only the
# vCPU scaling table, bench/scaling.py: results in bench/results/scaling),
# BENCH_ONLY=tcp (bench/tcp.py: TCP both ways, barenet's offloads on and
# off, next to Linux; results in bench/results/tcp/), BENCH_ONLY=iperf3
# (bench/iperf3.py: iperf3 3.20 as barenet's application and in the Linux
# guest, the host's iperf3 client both ways; results in
# bench/results/iperf3/; a full make bench runs it last unless BENCH_IPERF3=0).
# barenet is the release image (build/release/barenet.elf; BENCH_KERNEL=elf
# another), the sockbench image is built in build/release too; the tables
# name the flavour each figure came from.
.PHONY: bench
bench: release
	[ "$(BENCH_ONLY)" = sock ] || [ "$(BENCH_ONLY)" = scaling ] || tools/bench-linux.sh
	$(PYTHON) bench/run.py

# udpflood: the scaling bench's flood sender (bench/udpflood.c says what it
# does), a host program (HOSTCC, build/host/ as the injector), built by
# make, make checked (its tests) and make bench
UDPFLOOD := $(BUILD)/host/udpflood

all: $(UDPFLOOD)
checked: $(UDPFLOOD)
bench: $(UDPFLOOD)

$(UDPFLOOD): bench/udpflood.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $<
