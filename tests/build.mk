# Tests: host unit tests and QEMU integration tests (see tests/README or make help).
