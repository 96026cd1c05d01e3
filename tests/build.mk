# Tests: host unit tests (tests/unit/, `make unit`) and QEMU integration tests
# (tests/qemu/, pytest through tests/qemu/harness.py).
#
# make test: dependencies first (tools/deps.sh installs what is missing, or,
# when not root, prints the commands to run and stops), then both images
# (the checked one the tests boot, the release one a smoke test boots) and
# the ISO, then the QEMU tests, with the unit tests, the fuzz targets
# (every regression input and seed replayed, then FUZZ_QUICK_TIME seconds
# each: tests/fuzz/build.mk) and the lab grader's self-test built and run
# beside them (see below).  Any failure fails the target.

# Both cores, whatever -j says: the build, the unit programs and the fuzz
# targets (one make, so the fuzz build overlaps the unit programs) run
# TEST_JOBS at a time (a plain `make test` gets one job per
# CPU; under `make -jN test` make's own jobserver decides), and the QEMU
# tests run in TEST_WORKERS pytest-xdist processes (python3-pytest-xdist;
# 1 runs them in this process): two per CPU, as a TCG guest is mostly one
# thread and the tests mostly wait (for timers, replies, the guest's
# console, their own pings and sleeps): with 3 workers the QEMU tests'
# process trees used 450 CPU seconds in 1078 s of QEMU tests (a fresh clone
# at load 13-21, 2026-12-07), 0.42 of the two cores; one worker more than
# the CPUs until then.
# tests/qemu/conftest.py keeps the rate and flood tests alone on the machine
# and hands the longest tests out first.
#
# PYTEST_ARGS adds pytest options, e.g. PYTEST_ARGS='-k iso -x'.  The 15
# slowest tests are listed at the end (--durations), and the wall time of
# each phase and of the whole target, to watch the 12-minute budget.
# BARENET_QUICK=1: the host-driven network tests (test_journey.py,
# test_tunables.py, test_nic.py, ...) use lower counts here; `make
# test-full` runs the same suite with the full counts and the long (slow)
# variants, serially as before unless TEST_WORKERS is given.
PYTEST_ARGS ?=
NPROC := $(shell nproc 2>/dev/null || echo 1)
TEST_WORKERS ?= $(shell echo $$(( 2 * $(NPROC) )))
TEST_JOBS ?= $(NPROC)
pytest-workers = $(if $(filter-out 0 1,$(1)),-n $(1) --dist loadgroup)
# -j for a sub-make unless make already runs with a jobserver
test-j = $$(case "$$MAKEFLAGS" in *jobserver*|*-j*) ;; *) echo -j$(TEST_JOBS);; esac)
# $(call timed,what,command): run command, say how long it took
timed = { t0=$$(date +%s); { $(2); }; rc=$$?; \
	echo "make test: $(1) $$(( $$(date +%s) - t0 )) s"; [ $$rc -eq 0 ]; }

# The unit tests, the fuzz targets and the lab self-test are built and run
# beside the QEMU tests once the ALONE block is over, under nice 19: they
# take only the CPU time the guests leave idle (a guest waiting on a timer
# or the network), and once the QEMU tests are done they have the machine
# to themselves.  The rate tests of the ALONE block run before them (even
# at nice 19 they took enough from a ring-burst test to fail it once).  Their
# wall-clock limits leave room for that: Check's UNIT_CK_TIMEOUT (120 s a
# test), FUZZ_INPUT_TIMEOUT (25 s an input, the slowest takes
# milliseconds); fuzz-quick runs a fixed number of inputs per target, those
# 20 s gave on an idle host, not 20 s of wall-clock time, which under
# nice 19 on a busy host gave a fifth of them (tests/fuzz/build.mk).  The
# output goes to build/test-logs/unit-fuzz.log, printed after the QEMU
# tests; this phase used to run after them, 77 s of the 718 s on 2 cores.
UNIT_FUZZ_LOG := $(BUILD)/test-logs/unit-fuzz.log
# written by tests/qemu/conftest.py when the ALONE tests (rates, losses
# under a burst) are done: the unit and fuzz job starts only then, so it
# takes no CPU from them (a ring-burst test failed once beside fuzzing)
ALONE_DONE := $(BUILD)/test-logs/.alone-done

.PHONY: test test-full
test:
	@start=$$(date +%s); rc=0; \
	{ $(call timed,deps,tools/deps.sh --check >/dev/null || tools/deps.sh) && \
	  $(call timed,build,$(MAKE) --no-print-directory $(test-j) checked release && \
		$(MAKE) --no-print-directory $(test-j) iso) && \
	  { mkdir -p $(dir $(UNIT_FUZZ_LOG)); rm -f $(ALONE_DONE); \
	    ( n=0; while [ ! -f $(ALONE_DONE) ] && [ $$n -lt 600 ]; do sleep 1; n=$$((n + 1)); done; \
	      t0=$$(date +%s); nice -n 19 $(MAKE) --no-print-directory $(test-j) unit fuzz-regress \
		fuzz-quick FUZZ_QUICK_RUNS=1 FUZZ_QUICK_TIME=600 lab-selftest-host >$(UNIT_FUZZ_LOG) 2>&1; \
		echo "$$? $$(( $$(date +%s) - t0 ))" >$(UNIT_FUZZ_LOG).rc ) & \
	    bg=$$!; \
	    $(call timed,QEMU tests,BARENET_QUICK=1 $(PYTHON) -m pytest -q --durations=15 \
		$(call pytest-workers,$(TEST_WORKERS)) $(PYTEST_ARGS) tests/qemu); qrc=$$?; \
	    touch $(ALONE_DONE); \
	    t0=$$(date +%s); wait $$bg; cat $(UNIT_FUZZ_LOG); set -- $$(cat $(UNIT_FUZZ_LOG).rc); \
	    echo "make test: unit, fuzz and lab self-test (nice 19, beside the QEMU tests) $$2 s," \
		"$$([ "$$1" = 0 ] && echo passed || echo FAILED), done $$(( $$(date +%s) - t0 )) s after them"; \
	    [ $$qrc -eq 0 ] && [ "$$1" = 0 ]; }; } || rc=1; \
	echo "make test: $$([ $$rc -eq 0 ] && echo passed || echo FAILED) in $$(( $$(date +%s) - start )) s wall"; \
	exit $$rc

# the long variants: full counts (no BARENET_QUICK), the slow-marked tests,
# and every NIC model in every interrupt mode where make test takes a
# subset; make stress and make soak stay separate
test-full: TEST_WORKERS = 1
test-full: checked release iso unit fuzz-regress
	@start=$$(date +%s); \
	BARENET_FULL=1 $(PYTHON) -m pytest -q --durations=15 $(call pytest-workers,$(TEST_WORKERS)) \
		$(PYTEST_ARGS) tests/qemu; rc=$$?; \
	echo "make test-full: QEMU tests $$(( $$(date +%s) - start )) s wall"; exit $$rc

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
stress: checked
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
soak: checked
	SOAK_MINUTES=$(SOAK_MINUTES) SOAK_NIC=$(SOAK_NIC) $(PYTHON) -m pytest -q -m soak \
		$(PYTEST_ARGS) tests/qemu/test_soak.py
