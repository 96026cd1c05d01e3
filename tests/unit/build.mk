# Host unit tests: tests/unit/test_<name>.c, each a Check program with its own
# main(), built with the host compiler under AddressSanitizer and UBSan.
# A test lists the project sources it links in unit-<name>-srcs, and may add
# flags in unit-<name>-cflags (e.g. -Dvsnprintf=bn_vsnprintf to test our
# libc functions beside the host's) and libraries in unit-<name>-libs.
# tests/unit/host_stubs.c provides printk, the clock, kmalloc and a simulated
# interrupt flag on the host; tests/unit/shim/ replaces kernel headers whose
# inline assembly is privileged (kernel/x86.h).

HOST_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -I. -Itests/unit \
	-include tests/unit/shim/host_x86.h -DHOST_TEST \
	$(shell pkg-config --cflags check 2>/dev/null)
HOST_LIBS := $(shell pkg-config --libs check 2>/dev/null)

unit-names := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
unit-bins := $(patsubst %,$(BUILD)/host/test_%,$(unit-names))

# lwIP's core built for the host with the kernel's own lwipopts.h and port,
# and the hook lwipopts.h names (net/lwip/tcp_tw.c), once, into a library
# the skb tests link
HOST_LWIP_CFLAGS := $(HOST_CFLAGS) -Inet/lwip/include -I$(LWIPDIR)/include
# no TSO glue (net/lwip/netif.c) here: lwIP's segments stay at the MSS
HOST_LWIP_CFLAGS += '-DLWIP_HOOK_TCP_SEG_MAX(pcb)=((pcb)->mss)'
HOST_LWIP_CFLAGS += '-DLWIP_HOOK_TCP_SPLIT_COPIED(pcb,bytes)='
# no sockets either: every connection starts with lwIP's own window
HOST_LWIP_CFLAGS += '-DLWIP_HOOK_TCP_RCV_WND_START(pcb,lpcb,wnd)=(wnd)'
host-lwip-objs := $(lwip-srcs:%.c=$(BUILD)/host/lwip/%.o) $(BUILD)/host/lwip/port.o \
	$(BUILD)/host/lwip/tcp_tw.o $(BUILD)/host/lwip/secure_seq.o $(BUILD)/host/lwip/random.o \
	$(BUILD)/host/lwip/siphash.o \
	$(BUILD)/host/lwip/syncookie.o
HOST_LWIP_LIB := $(BUILD)/host/liblwip.a

# the options change struct layouts: rebuild when they change
HOST_LWIP_CONFIG := net/lwip/include/lwipopts.h net/lwip/include/arch/cc.h \
	net/lwip/include/lwip_hooks.h

$(BUILD)/host/lwip/%.o: $(LWIPDIR)/%.c $(LWIP)/.verified $(HOST_LWIP_CONFIG)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  lwip/$*.c")
	$(Q)$(HOSTCC) $(HOST_LWIP_CFLAGS) -c $< -o $@

$(BUILD)/host/lwip/port.o: net/lwip/port.c $(HOST_LWIP_CONFIG)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_LWIP_CFLAGS) -c $< -o $@

$(BUILD)/host/lwip/tcp_tw.o: net/lwip/tcp_tw.c net/lwip/tcp_tw.h $(HOST_LWIP_CONFIG)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_LWIP_CFLAGS) -c $< -o $@

# the ISN hook (secure_seq.c) and what it draws its keys from
$(BUILD)/host/lwip/secure_seq.o: net/lwip/secure_seq.c net/lwip/secure_seq.h kernel/random.h \
		lib/siphash.h $(HOST_LWIP_CONFIG)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_LWIP_CFLAGS) -c $< -o $@

$(BUILD)/host/lwip/random.o: kernel/random.c kernel/random.h lib/siphash.h
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

# the SYN cookie hooks lwipopts.h names (net/lwip/syncookie.c) and their hash
$(BUILD)/host/lwip/syncookie.o: net/lwip/syncookie.c net/lwip/syncookie.h lib/siphash.h \
		$(HOST_LWIP_CONFIG)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_LWIP_CFLAGS) -c $< -o $@

$(BUILD)/host/lwip/siphash.o: lib/siphash.c lib/siphash.h
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(HOST_LWIP_LIB): $(host-lwip-objs)
	$(Q)rm -f $@ && ar rcs $@ $^

unit-cmdline-srcs := kernel/cmdline_parse.c
unit-siphash-srcs := lib/siphash.c
unit-toeplitz-srcs := lib/toeplitz.c
unit-irqbalance-srcs := lib/irqbalance.c
unit-csum-srcs := lib/csum.c
# ISNs and IP IDs (the host lwIP library holds secure_seq, random, siphash)
unit-secure_seq-cflags = -Inet/lwip/include -I$(LWIPDIR)/include
unit-secure_seq-libs = $(HOST_LWIP_LIB)
unit-xrlim-srcs := net/core/xrlim.c
unit-ratelimit-srcs := kernel/ratelimit.c
unit-buddy-srcs := kernel/buddy.c
unit-kmalloc-srcs := kernel/kmalloc.c kernel/buddy.c tests/unit/mm_host.c
unit-dma-srcs := kernel/dma.c kernel/kmalloc.c kernel/buddy.c tests/unit/mm_host.c
# the fake NIC and what the three e1000 tests (e1000, e1000_fault, e1000zc)
# share over it: bring-up and teardown, the interrupt/poll loop, the runner
unit-e1000-fixture-srcs := tests/unit/fake_e1000.c tests/unit/e1000_fixture.c
unit-e1000-srcs = drivers/net/netdevice.c drivers/net/e1000/e1000_hw.c \
	drivers/net/e1000/e1000_desc.c drivers/net/e1000/e1000_txrx.c drivers/net/e1000/e1000_rxpool.c \
	drivers/net/e1000/e1000_stats.c drivers/net/e1000/e1000_netdev.c \
	drivers/net/e1000/e1000_irq.c drivers/net/e1000/e1000_itr.c drivers/net/e1000/e1000_mq.c \
	drivers/net/e1000/e1000_mq_ethtool.c drivers/net/e1000/e1000_vlan.c \
	kernel/errno.c \
	$(unit-e1000-fixture-srcs) \
	kernel/softirq.c lib/seq_buf.c $(net-core-srcs) $(unit-fault-hooks-srcs)
unit-e1000-cflags = -Inet/lwip/include -I$(LWIPDIR)/include
unit-e1000-libs = $(HOST_LWIP_LIB)
# the fault layer alone, and its hooks in the e1000 driver with the TX
# watchdog over the fake NIC
unit-fault-srcs := drivers/net/fault.c
unit-fault-hooks-srcs := drivers/net/fault.c drivers/net/e1000/e1000_fault.c \
	drivers/net/e1000/e1000_watchdog.c kernel/workqueue.c net/core/watchdog.c
unit-e1000_fault-srcs = $(unit-e1000-srcs)
unit-e1000_fault-cflags = $(unit-e1000-cflags)
unit-e1000_fault-libs = $(unit-e1000-libs)
# zero copy (RX refill pool, TX scatter-gather): the same driver and fake
unit-e1000zc-srcs = $(unit-e1000-srcs)
unit-e1000zc-cflags = $(unit-e1000-cflags)
unit-e1000zc-libs = $(unit-e1000-libs)
unit-l2reflect-srcs := drivers/net/l2reflect.c
unit-views-srcs := fs/view.c drivers/net/netdevice.c drivers/net/netdevice_proc.c \
	lib/seq_buf.c kernel/errno.c
unit-line-srcs := kernel/shell/line.c
unit-ethtool-srcs := net/ethtool/ethtool.c net/ethtool/ethtool_cmd.c net/ethtool/ethtool_rss.c drivers/net/netdevice.c \
	lib/seq_buf.c kernel/errno.c

unit-acpi-srcs := kernel/acpi_tables.c
# the exception table and the copies it lists, run in a process whose
# SIGSEGV handler does what the kernel's #PF handler does
unit-extable-srcs := kernel/extable.c kernel/uaccess.S kernel/uaccess_copy.c
unit-extable-cflags := -D_GNU_SOURCE      # REG_RIP (ucontext.h)
# the table comes from a fixed nm listing through the real generator
unit-kallsyms-srcs := kernel/kallsyms.c $(BUILD)/host/kallsyms_fixture.S

$(BUILD)/host/kallsyms_fixture.S: tests/unit/kallsyms_fixture.nm tools/gen-kallsyms.sh
	@mkdir -p $(dir $@)
	$(Q)tools/gen-kallsyms.sh < $< > $@

# lib/: ours renamed bn_* (tests/unit/bn_libc.h) to sit beside the host's
unit-vsnprintf-srcs := lib/vsnprintf.c
# (lib/vsnprintf.c gets va_list through our stdio.h; the host's does not define va_arg)
unit-vsnprintf-cflags := -Dvsnprintf=bn_vsnprintf -Dsnprintf=bn_snprintf -include stdarg.h
unit-strtol-srcs := lib/strtol.c
unit-strtol-cflags := -Dstrtol=bn_strtol -Dstrtoul=bn_strtoul -Dstrtoull=bn_strtoull \
	-Datoi=bn_atoi -Dabs=bn_abs
unit-string-srcs := lib/string.c
unit-string-cflags := $(NOBUILTIN_CFLAGS) $(foreach f,memcpy memmove memset memcmp strlen strnlen \
	strcmp strncmp strchr strrchr strstr strlcpy,-D$(f)=bn_$(f))

unit-softirq-srcs := kernel/softirq.c lib/seq_buf.c
# LOCK_DEBUG's checks (the kernel build has them on by default)
unit-spinlock-srcs := kernel/spinlock_debug.c kernel/softirq.c lib/seq_buf.c
unit-spinlock-cflags := -DLOCK_DEBUG=1

net-core-srcs := net/core/skbuff.c net/core/rx_chain.c net/core/dev.c net/core/napi.c net/core/gro.c \
	net/core/sysctl_net_core.c net/core/xmit.c net/core/journey.c net/core/capture.c net/core/rps.c net/core/xps.c net/core/queues.c \
	lib/siphash.c lib/csum.c lib/parse_num.c

unit-skbuff-srcs := net/core/skbuff.c net/core/rx_chain.c net/core/journey.c
unit-skbuff-cflags := -Inet/lwip/include -I$(LWIPDIR)/include
unit-skbuff-libs := $(HOST_LWIP_LIB)

unit-napi-srcs := kernel/softirq.c lib/seq_buf.c $(net-core-srcs)
unit-napi-cflags := -Inet/lwip/include -I$(LWIPDIR)/include
unit-napi-libs := $(HOST_LWIP_LIB)

unit-gro-srcs := kernel/softirq.c lib/seq_buf.c $(net-core-srcs)
unit-gro-cflags := -Inet/lwip/include -I$(LWIPDIR)/include
unit-gro-libs := $(HOST_LWIP_LIB)

unit-ipconfig-srcs := net/lwip/ipconfig_parse.c

# lwIP's own fragmentation with tiny MTUs (net/lwip/patches/0004, 0005)
unit-lwip_frag-cflags := -Inet/lwip/include -I$(LWIPDIR)/include
unit-lwip_frag-libs := $(HOST_LWIP_LIB)

# checksums checked with lwIP's inet_chksum (built for the host)
unit-pktbuild-srcs := net/core/pktbuild.c lib/csum.c
unit-pktbuild-cflags := -Inet/lwip/include -I$(LWIPDIR)/include
unit-pktbuild-libs := $(HOST_LWIP_LIB)
unit-pktgen-srcs := net/core/pktgen_params.c net/core/pktbuild.c lib/parse_num.c lib/csum.c
unit-parse_num-srcs := lib/parse_num.c

unit-qdisc-srcs := kernel/softirq.c lib/seq_buf.c $(net-core-srcs)
unit-qdisc-cflags := -Inet/lwip/include -I$(LWIPDIR)/include
unit-qdisc-libs := $(HOST_LWIP_LIB)

# every project header: a test binary is rebuilt when any header changes
# (cheap, and a stale binary testing old struct layouts misleads)
unit-project-headers := $(shell find kernel lib drivers net fs -name '*.h')

# Check's per-test timeout (4 s by default) only has to catch a hang: a
# loaded host must not turn a slow pass into a failure
UNIT_CK_TIMEOUT ?= 120

unit-deps := $(wildcard tests/unit/*.h tests/unit/shim/*.h) $(unit-project-headers) tests/unit/build.mk

# A C source that programs with the same flags link is compiled once for
# them all: programs without flags of their own ("plain") or with exactly
# lwIP's include paths ("lwip": the e1000, napi, gro and qdisc programs
# share most of theirs) link objects from $(BUILD)/host/obj/<set>/ (make
# test built 285 sources for 36 programs, 101 of them distinct).  A
# program with other flags (-D renames, LOCK_DEBUG) compiles its sources in
# its own command, as do .S sources.
unit-lwip-cflags = -Inet/lwip/include -I$(LWIPDIR)/include
unit-objset = $(if $(strip $(unit-$(1)-cflags)),$(if $(filter-out $(strip \
	$(unit-lwip-cflags)),$(unit-$(1)-cflags))$(filter-out $(unit-$(1)-cflags),$(strip \
	$(unit-lwip-cflags))),,lwip),plain)
# what a program's link command takes: its sources, C ones as shared objects
unit-inputs = $(if $(call unit-objset,$(1)),$(patsubst %.c,$(BUILD)/host/obj/$(call \
	unit-objset,$(1))/%.o,$(unit-$(1)-srcs) tests/unit/host_stubs.c),$(unit-$(1)-srcs) \
	tests/unit/host_stubs.c)

$(BUILD)/host/obj/plain/%.o: %.c $(unit-deps) | $(LWIP)/.verified
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/host/obj/lwip/%.o: %.c $(unit-deps) | $(LWIP)/.verified
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $< (lwIP headers)")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(unit-lwip-cflags) -c $< -o $@

.PRECIOUS: $(BUILD)/host/obj/plain/%.o $(BUILD)/host/obj/lwip/%.o

.SECONDEXPANSION:
$(BUILD)/host/test_%: tests/unit/test_%.c $$(call unit-inputs,$$*) $$(unit-$$*-libs) $(unit-deps) \
		| $(LWIP)/.verified
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(unit-$*-cflags) -o $@ $< $(call unit-inputs,$*) \
		$(unit-$*-libs) $(HOST_LIBS)

# Each test program is a target of its own, so `make -jN unit` (make test
# runs it with one job per CPU) runs N at once.  A program's output is
# printed in one piece when it ends; a failure does not stop the others,
# and `unit` fails after all have run if any did.
unit-runs := $(unit-names:%=unit-run-%)

# the programs without running them (make test builds them beside the QEMU tests)
.PHONY: unit-build
unit-build: $(unit-bins)

.PHONY: unit $(unit-runs)
unit: $(unit-runs)
	@failed=; for t in $(unit-names); do \
		[ -s $(BUILD)/host/unit-status/$$t ] && failed="$$failed test_$$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "unit: failed:$$failed" >&2; exit 1; fi; \
	echo "unit: $(words $(unit-names)) programs passed"

$(unit-runs): unit-run-%: $(BUILD)/host/test_%
	@mkdir -p $(BUILD)/host/unit-status
	@rc=0; CK_VERBOSITY=normal CK_DEFAULT_TIMEOUT=$(UNIT_CK_TIMEOUT) ASAN_OPTIONS=detect_leaks=1 \
		$< >$(BUILD)/host/test_$*.log 2>&1 || rc=$$?; \
	cat $(BUILD)/host/test_$*.log; \
	if [ $$rc -ne 0 ]; then echo "exit $$rc" >$(BUILD)/host/unit-status/$*; \
	else : >$(BUILD)/host/unit-status/$*; fi
