# Fuzz targets: tests/fuzz/fuzz_<name>.c, libFuzzer programs built for the
# host with clang (-fsanitize=fuzzer,address,undefined) from the project's
# own sources, which are compiled again here with coverage instrumentation
# into $(BUILD)/fuzz/.  A target lists its sources in fuzz-<name>-srcs.
#
#   make fuzz           each target for FUZZ_TIME seconds (default 600) on
#                       the seeds of tests/fuzz/corpus/<name>/ plus what
#                       earlier runs found ($(BUILD)/fuzz/corpus/<name>/);
#                       crashes are written to $(BUILD)/fuzz/artifacts/<name>/
#   make fuzz-regress   replay tests/fuzz/regressions/<name>/* and the seeds
#                       once: fails if any input crashes or leaks
#   make fuzz-quick     each target for FUZZ_QUICK_TIME seconds (default 20)
#                       from the seeds only, fixed seed (make test runs both)
#   make fuzz-corpus    regenerate the seed corpus (tests/fuzz/gen_corpus.py)

FUZZ_CC         ?= clang
FUZZ_TIME       ?= 600
FUZZ_QUICK_TIME ?= 20
FUZZ_JOBS       ?= 1
# an input that runs longer than this is reported as a hang (timeout-*
# artifact; a replay fails): an endless loop in the stack, e.g. ip6_frag
# on a tiny path MTU before net/lwip/patches/0003-0004
FUZZ_INPUT_TIMEOUT ?= 25
FUZZ_ARGS       ?=

FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) \
	-fsanitize=fuzzer-no-link -Wall -Wextra -Werror -I. -Itests/unit -Itests/fuzz \
	-include tests/unit/shim/host_x86.h -DHOST_TEST
FUZZ_LWIP_CFLAGS := $(FUZZ_CFLAGS) -Inet/lwip/include -I$(LWIPDIR)/include \
	-DLWIP_HOOK_FILENAME='"fuzz_hooks.h"' \
	'-DLWIP_HOOK_TCP_SEG_MAX(pcb)=((pcb)->mss)' \
	'-DLWIP_HOOK_TCP_SPLIT_COPIED(pcb,bytes)=' \
	'-DLWIP_HOOK_TCP_RCV_WND_START(pcb,lpcb,wnd)=(wnd)'
# no sockets: every connection starts with lwIP's own window.
# no TSO glue (net/lwip/netif.c) here either: lwIP's segments stay at the
# MSS, as in tests/unit/build.mk's host lwIP
FUZZ_LDFLAGS := -fsanitize=fuzzer $(FUZZ_SAN)

fuzz-names := rx text frag
fuzz-bins  := $(fuzz-names:%=$(BUILD)/fuzz/fuzz_%)

# lwIP with the kernel's options and the fuzz hooks, instrumented
fuzz-lwip-srcs := $(lwip-srcs) apps/lwiperf/lwiperf.c
fuzz-lwip-objs := $(fuzz-lwip-srcs:%.c=$(BUILD)/fuzz/lwip/%.o) $(BUILD)/fuzz/lwip/tcp_tw.o \
	$(BUILD)/fuzz/lwip/secure_seq.o $(BUILD)/fuzz/lwip/random.o $(BUILD)/fuzz/lwip/siphash.o \
	$(BUILD)/fuzz/lwip/syncookie.o
FUZZ_LWIP_LIB  := $(BUILD)/fuzz/liblwip.a

$(BUILD)/fuzz/lwip/%.o: $(LWIPDIR)/%.c $(LWIP)/.verified $(HOST_LWIP_CONFIG) tests/fuzz/fuzz_hooks.h \
		net/build.mk
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  lwip/$*.c")
	$(Q)$(FUZZ_CC) $(FUZZ_LWIP_CFLAGS) -c $< -o $@

# the hook the kernel's lwipopts.h names (LWIP_HOOK_TCP_INPACKET_PCB)
$(BUILD)/fuzz/lwip/tcp_tw.o: net/lwip/tcp_tw.c net/lwip/tcp_tw.h $(HOST_LWIP_CONFIG) \
		tests/fuzz/fuzz_hooks.h
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_LWIP_CFLAGS) -c $< -o $@

# the IP ID hooks (net/lwip/secure_seq.c: LWIP_HOOK_IP4_ID,
# LWIP_HOOK_IP6_FRAG_ID; the fuzz build's ISN stays fixed) and what they use
$(BUILD)/fuzz/lwip/secure_seq.o: net/lwip/secure_seq.c net/lwip/secure_seq.h kernel/random.h \
		lib/siphash.h $(HOST_LWIP_CONFIG) tests/fuzz/fuzz_hooks.h
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_LWIP_CFLAGS) -c $< -o $@

$(BUILD)/fuzz/lwip/random.o: kernel/random.c kernel/random.h lib/siphash.h
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

# the SYN cookie hooks (net/lwip/syncookie.c) and their hash
$(BUILD)/fuzz/lwip/syncookie.o: net/lwip/syncookie.c net/lwip/syncookie.h lib/siphash.h \
		$(HOST_LWIP_CONFIG) tests/fuzz/fuzz_hooks.h
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_LWIP_CFLAGS) -c $< -o $@

$(BUILD)/fuzz/lwip/siphash.o: lib/siphash.c lib/siphash.h
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_LWIP_LIB): $(fuzz-lwip-objs)
	$(Q)rm -f $@ && ar rcs $@ $^

# the whole receive path: the core, the lwIP glue with its taps (linked with
# --wrap as the kernel is, net/build.mk), the services and what they use
fuzz-rx-srcs := net/lwip/port.c tests/unit/host_stubs.c kernel/softirq.c kernel/errno.c \
	lib/seq_buf.c drivers/net/netdevice.c $(net-core-srcs) net/core/watchdog.c net/core/rps.c \
	net/ethtool/ethtool.c net/ethtool/ethtool_cmd.c net/ethtool/ethtool_rss.c \
	$(addprefix net/lwip/,netif.c netif_csum.c vlan.c tso.c core_lock.c stack.c taps.c ipconfig.c \
		ipconfig_parse.c \
		tcp_guard.c) \
	$(addprefix net/services/,services.c svc_conn.c echo.c discard.c http.c http_views.c status.c \
		iperf.c capture_srv.c www.c www_assets.S) \
	$(addprefix net/lwip/,arp_proc.c snmp_proc.c snmp6_proc.c sock_proc.c) net/services/metrics.c \
	net/core/journey_report.c drivers/net/netdevice_proc.c fs/view.c tests/fuzz/fuzz_stubs.c \
	net/lwip/icmp_limit.c net/core/xrlim.c kernel/ratelimit.c
fuzz-rx-lwip := y
fuzz-rx-ldflags := $(foreach f,netif_loop_output ip4_input ip6_input udp_input tcp_input \
	$(NET_ICMP_LIMIT_WRAPS),-Wl,--wrap=$(f))

# sequences of fragments, nested fragments and ICMP errors made from a
# small program (tests/fuzz/fuzz_frag.c), fed through fuzz_rx.c's path
fuzz-frag-srcs = $(fuzz-rx-srcs)
fuzz-frag-lwip := y
fuzz-frag-ldflags = $(fuzz-rx-ldflags)

fuzz-text-srcs := tests/unit/host_stubs.c kernel/cmdline_parse.c net/lwip/ipconfig_parse.c \
	net/core/capture.c net/ethtool/ethtool.c net/ethtool/ethtool_cmd.c net/ethtool/ethtool_rss.c drivers/net/netdevice.c \
	kernel/shell/line.c lib/seq_buf.c kernel/errno.c tests/fuzz/fuzz_stubs.c \
	net/core/skbuff.c net/core/journey.c net/lwip/port.c
# capture.c copies frames out of skbs (skbuff.c, over lwIP's pbufs)
fuzz-text-lwip := y

# the dashboard's files, embedded as in the kernel (net/build.mk)
$(BUILD)/fuzz/obj/net/services/www_assets.o: net/services/www_assets.S $(www-files) \
		$(UPLOT)/.verified
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZAS  $<")
	$(Q)$(FUZZ_CC) $(www-asset-flags) -c $< -o $@

# kept: they are intermediate files of the pattern rule below
.PRECIOUS: $(BUILD)/fuzz/obj/%.o $(BUILD)/fuzz/lwip/%.o
$(BUILD)/fuzz/obj/%.o: %.c tests/fuzz/build.mk | $(LWIP)/.verified
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_LWIP_CFLAGS) $(FUZZ_CFLAGS_$(subst /,_,$*)) -MMD -MP -c $< -o $@


.SECONDEXPANSION:
# (no patsubst here: its % would be the rule's stem)
fuzz-objs-of = $(addsuffix .o,$(addprefix $(BUILD)/fuzz/obj/,$(basename $(fuzz-$(1)-srcs) tests/fuzz/fuzz_$(1).c)))
$(BUILD)/fuzz/fuzz_%: $$(call fuzz-objs-of,$$*) \
		$$(if $$(fuzz-$$*-lwip),$(FUZZ_LWIP_LIB)) tests/fuzz/build.mk
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_LDFLAGS) $(fuzz-$*-ldflags) -o $@ \
		$(filter %.o,$^) $(if $(fuzz-$*-lwip),$(FUZZ_LWIP_LIB))

.PHONY: fuzz fuzz-build fuzz-quick fuzz-regress fuzz-corpus
fuzz-build: $(fuzz-bins)

# fuzz-run NAME SECONDS WORKDIR OPTIONS...: one target on the seeds plus
# WORKDIR (where it writes what it finds); crashes into artifacts/NAME/
fuzz-run = run() { t=$$1 secs=$$2 dir=$$3; shift 3; \
	mkdir -p $$dir $(BUILD)/fuzz/artifacts/$$t; echo "  FUZZ    $$t for $$secs s $$*"; \
	ASAN_OPTIONS=detect_leaks=1 $(BUILD)/fuzz/fuzz_$$t -max_total_time=$$secs \
		-dict=tests/fuzz/$$t.dict -artifact_prefix=$(BUILD)/fuzz/artifacts/$$t/ \
		-timeout=$(FUZZ_INPUT_TIMEOUT) -print_final_stats=1 "$$@" $(FUZZ_ARGS) $$dir \
		tests/fuzz/corpus/$$t; }; run

fuzz: $(fuzz-bins)
	$(Q)for t in $(fuzz-names); do \
		$(fuzz-run) $$t $(FUZZ_TIME) $(BUILD)/fuzz/corpus/$$t -jobs=$(FUZZ_JOBS) || exit 1; \
	done

# from the seeds only, into a fresh directory, with a fixed seed; one
# target per make job (each is one process, and each still gets its
# FUZZ_QUICK_TIME).  FUZZ_QUICK_RUNS=1 (make test, which runs them under
# nice 19 beside the QEMU tests, where a wall-clock time buys fewer inputs
# the busier the guests are) runs instead the inputs 20 s gave each target
# on an idle 2-core host (fuzz-quick-runs-NAME; a make test there,
# 2026-12-07: rx 153109, text 1232674, frag 29467), the same ones each
# time (-seed=1), with FUZZ_QUICK_TIME only a limit
FUZZ_QUICK_RUNS ?=
fuzz-quick-runs-rx   := 150000
fuzz-quick-runs-text := 1200000
fuzz-quick-runs-frag := 30000
.PHONY: $(fuzz-names:%=fuzz-quick-%) $(fuzz-names:%=fuzz-regress-%)
fuzz-quick: $(fuzz-names:%=fuzz-quick-%)
$(fuzz-names:%=fuzz-quick-%): fuzz-quick-%: $(BUILD)/fuzz/fuzz_%
	$(Q)rm -rf $(BUILD)/fuzz/quick/$*
	$(Q)$(fuzz-run) $* $(FUZZ_QUICK_TIME) $(BUILD)/fuzz/quick/$* -seed=1 \
		$(if $(filter 1,$(FUZZ_QUICK_RUNS)),-runs=$(fuzz-quick-runs-$*)) \
		>$(BUILD)/fuzz/quick-$*.log 2>&1 || \
		{ tail -40 $(BUILD)/fuzz/quick-$*.log; echo "fuzz-quick: $* failed" >&2; exit 1; }
	@grep -h "^  FUZZ\|stat::number_of_executed_units" $(BUILD)/fuzz/quick-$*.log

# each file once, in one process per target; the log is shown on a failure
fuzz-regress: $(fuzz-names:%=fuzz-regress-%)
$(fuzz-names:%=fuzz-regress-%): fuzz-regress-%: $(BUILD)/fuzz/fuzz_%
	$(Q)files=$$(ls -d tests/fuzz/regressions/$*/* tests/fuzz/corpus/$*/* 2>/dev/null | grep -v /README); \
	echo "  REPLAY  $*: $$(echo $$files | wc -w) inputs"; \
	ASAN_OPTIONS=detect_leaks=1 $(BUILD)/fuzz/fuzz_$* -timeout=$(FUZZ_INPUT_TIMEOUT) $$files \
		>$(BUILD)/fuzz/regress-$*.log 2>&1 || \
		{ tail -40 $(BUILD)/fuzz/regress-$*.log; echo "fuzz-regress: $* failed" >&2; exit 1; }

fuzz-corpus:
	$(PYTHON) tests/fuzz/gen_corpus.py tests/fuzz/corpus

-include $(wildcard $(BUILD)/fuzz/obj/*/*.d $(BUILD)/fuzz/obj/*/*/*.d $(BUILD)/fuzz/obj/*/*/*/*.d)
