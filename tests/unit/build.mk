# Host unit tests: tests/unit/test_<name>.c, each a Check program with its own
# main(), built with the host compiler under AddressSanitizer and UBSan.
# A test lists the project sources it links in unit-<name>-srcs, and may add
# flags in unit-<name>-cflags (e.g. -Dvsnprintf=bn_vsnprintf to test our
# libc functions beside the host's).  tests/unit/host_stubs.c provides
# printk and friends on the host.

HOST_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -I. -Itests/unit -DHOST_TEST \
	$(shell pkg-config --cflags check 2>/dev/null)
HOST_LIBS := $(shell pkg-config --libs check 2>/dev/null)

unit-names := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
unit-bins := $(patsubst %,$(BUILD)/host/test_%,$(unit-names))

unit-cmdline-srcs := kernel/cmdline_parse.c
unit-e1000-srcs := drivers/net/netdevice.c drivers/net/e1000/e1000_hw.c \
	drivers/net/e1000/e1000_desc.c drivers/net/e1000/e1000_txrx.c \
	drivers/net/e1000/e1000_stats.c drivers/net/e1000/e1000_netdev.c \
	kernel/errno.c tests/unit/fake_e1000.c
unit-l2reflect-srcs := drivers/net/l2reflect.c

# the table comes from a fixed nm listing through the real generator
unit-kallsyms-srcs := kernel/kallsyms.c $(BUILD)/host/kallsyms_fixture.S

$(BUILD)/host/kallsyms_fixture.S: tests/unit/kallsyms_fixture.nm tools/gen-kallsyms.sh
	@mkdir -p $(dir $@)
	$(Q)tools/gen-kallsyms.sh < $< > $@

.SECONDEXPANSION:
$(BUILD)/host/test_%: tests/unit/test_%.c $$(unit-$$*-srcs) tests/unit/host_stubs.c tests/unit/build.mk
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(unit-$*-cflags) -o $@ $< $(unit-$*-srcs) tests/unit/host_stubs.c $(HOST_LIBS)

.PHONY: unit
unit: $(unit-bins)
	@fail=0; for t in $(unit-bins); do \
		CK_VERBOSITY=normal ASAN_OPTIONS=detect_leaks=1 $$t || fail=1; \
	done; exit $$fail
