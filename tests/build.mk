# Tests: host unit tests (tests/unit/, `make unit`) and QEMU integration tests
# (tests/qemu/, pytest through tests/qemu/harness.py).
#
# make test: dependencies first (tools/deps.sh installs what is missing, or,
# when not root, prints the commands to run and stops), then the kernel and
# the ISO, the unit tests, and the QEMU tests.  Any failure fails the target.
# PYTEST_ARGS adds pytest options, e.g. PYTEST_ARGS='-k iso -x'.
PYTEST_ARGS ?=

.PHONY: test
test:
	@tools/deps.sh --check >/dev/null || tools/deps.sh
	$(MAKE) --no-print-directory all
	$(MAKE) --no-print-directory iso
	$(MAKE) --no-print-directory unit
	$(PYTHON) -m pytest -q $(PYTEST_ARGS) tests/qemu
