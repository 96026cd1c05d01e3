# Tests: host unit tests (tests/unit/, `make unit`) and QEMU integration tests
# (tests/qemu/, pytest through tests/qemu/harness.py).
#
# make test: dependencies first (tools/deps.sh installs what is missing, or,
# when not root, prints the commands to run and stops), then the kernel and
# the ISO, the unit tests, and the QEMU tests.  Any failure fails the target.
# PYTEST_ARGS adds pytest options, e.g. PYTEST_ARGS='-k iso -x'.
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
	BARENET_QUICK=1 $(PYTHON) -m pytest -q $(PYTEST_ARGS) tests/qemu

# make stress: the malformed-frame stress at full size (tests/qemu/test_stress.py,
# 1,000,000 frames through bn-inject, 10 % malformed, seeded); a 50,000-frame
# part of it runs in make test.
.PHONY: stress
stress: all
	$(PYTHON) -m pytest -q -m stress $(PYTEST_ARGS) tests/qemu/test_stress.py
