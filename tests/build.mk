# Tests: host unit tests (tests/unit/, `make unit`) and QEMU integration tests
# (tests/qemu/, pytest through tests/qemu/harness.py).
#
# make test: dependencies first (tools/deps.sh installs what is missing, or,
# when not root, prints the commands to run and stops), then the kernel and
# the ISO, the unit tests, the fuzz targets (every regression input and seed
# replayed, then FUZZ_QUICK_TIME seconds each: tests/fuzz/build.mk), and the
# QEMU tests.  Any failure fails the target.
# PYTEST_ARGS adds pytest options, e.g. PYTEST_ARGS='-k iso -x'.  The 15 slowest tests are
# listed at the end (--durations), to watch the ~15-minute budget.
# BARENET_QUICK=1: the host-driven network tests (test_journey.py,
# test_tunables.py) use lower counts here; a plain pytest run uses the
# issue's full counts, and `pytest -m slow` runs the long variants.
PYTEST_ARGS ?=

.PHONY: test
test:
	@tools/deps.sh --check >/dev/null || tools/deps.sh
	$(MAKE) --no-print-directory all
	$(MAKE) --no-print-directory iso
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory lab-selftest-host
	$(MAKE) --no-print-directory fuzz-regress fuzz-quick
	BARENET_QUICK=1 $(PYTHON) -m pytest -q --durations=15 $(PYTEST_ARGS) tests/qemu

# make stress: the malformed-frame stress at full size (tests/qemu/test_stress.py,
# 1,000,000 frames through bn-inject, 10 % malformed, seeded); a 50,000-frame
# part of it runs in make test.
# It also runs the overload per NIC model (tests/qemu/test_overload.py: 3x the
# sustained UDP echo rate for 3 x 10 s, every frame accounted, recovery < 1 s;
# one 3 s flood on e1000 runs in make test), a 1-minute soak, the hostile
# traffic tests on e1000e and igb (tests/qemu/test_hostile.py; e1000 in make
# test; its slots and SYN-flood section at full counts on all three), and the
# hostile traffic from Debian's attack tools at full length on every NIC model
# (tests/qemu/test_hostile_tools.py: thc-ipv6, hping3, nmap; root: a test
# namespace; short e1000 variants run in make test).
.PHONY: stress
stress: all
	$(PYTHON) -m pytest -q -m stress $(PYTEST_ARGS) tests/qemu/test_stress.py \
		tests/qemu/test_overload.py tests/qemu/test_soak.py tests/qemu/test_hostile.py \
		tests/qemu/test_hostile_tools.py

# make soak: half the sustained load, mixed (UDP echo, ping, TCP connections,
# 2 % malformed), for SOAK_MINUTES (default 10) on SOAK_NIC (default e1000),
# memory sampled every 10 s into build/soak-<nic>.csv and asserted flat
# (tests/qemu/test_soak.py; root: a test namespace).  Outside CI and make test.
SOAK_MINUTES ?= 10
SOAK_NIC ?= e1000
.PHONY: soak
soak: all
	SOAK_MINUTES=$(SOAK_MINUTES) SOAK_NIC=$(SOAK_NIC) $(PYTHON) -m pytest -q -m soak \
		$(PYTEST_ARGS) tests/qemu/test_soak.py
