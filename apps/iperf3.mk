# iperf3 3.20 as barenet's application, built unmodified from the pristine
# tarball tools/deps.sh unpacks into build/deps (never committed):
#   make iperf3      build/apps/iperf3/barenet.elf (docs/APPS.md, Third-party programs)
#
# iperf3's own configure writes iperf_config.h (and version.h), run once in
# $(IPERF3_CONF) with musl's gcc specs, the compiler of every application:
# it probes what the headers and libc.a of musl-dev offer, as it would for
# any Linux/musl target, rather than a config.h kept here by hand that
# would have to follow each iperf3 release.  No OpenSSL (no -A/--rsa), no
# SCTP.  The program itself is compiled by the ordinary application rule
# (kernel/app/app.mk) from libiperf's sources and main.c (not the t_*.c
# unit tests, each of which has its own main).
IPERF3      := $(DEPS)/iperf-3.20
IPERF3_CONF := $(BUILD)/iperf3-conf
IPERF3_APP_CFLAGS := -DHAVE_CONFIG_H -I$(IPERF3_CONF)/src -pthread -w

$(IPERF3)/.verified:
	tools/deps.sh

$(IPERF3_CONF)/src/iperf_config.h: $(IPERF3)/.verified $(MUSL_SPECS)
	@rm -rf $(IPERF3_CONF) && mkdir -p $(IPERF3_CONF)
	@$(if $(Q),echo "  CONF    $(IPERF3) (configure, musl)")
	$(Q)cd $(IPERF3_CONF) && $(abspath $(IPERF3))/configure CC="$(CC) -specs $(MUSL_SPECS)" \
		CFLAGS="-O2 -g" LDFLAGS="-static" --disable-shared --enable-static \
		--without-openssl --without-sctp >configure.log 2>&1 || \
		{ cat configure.log >&2; exit 1; }

.PHONY: iperf3
iperf3: $(IPERF3_CONF)/src/iperf_config.h
	$(Q)$(MAKE) --no-print-directory app-kernel APP="$$(ls $(IPERF3)/src/*.c | grep -v '/t_[a-z]*\.c$$')" \
		APP_NAME=iperf3 APP_CFLAGS="$(IPERF3_APP_CFLAGS)" APP_LDLIBS=-lm
