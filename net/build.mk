# net/: the network stack glue, and lwIP 2.2.1 built from Debian's source
# package (unpacked and patched with net/lwip/patches by tools/deps.sh into
# build/deps, never committed).

LWIPDIR := $(LWIP)/src

# lwIP's own file lists (src/Filelists.mk has CRLF line ends, which make
# cannot read: the lists for the pinned 2.2.1 are spelled out here; acd.c is
# new in 2.2 (IPv4 address conflict detection, empty while LWIP_ACD is 0);
# altcp is not used)
lwip-core := init def dns inet_chksum ip mem memp netif pbuf raw stats sys \
	tcp tcp_in tcp_out timeouts udp
lwip-core4 := acd autoip dhcp etharp icmp igmp ip4_frag ip4 ip4_addr
lwip-core6 := dhcp6 ethip6 icmp6 inet6 ip6 ip6_addr ip6_frag mld6 nd6
lwip-srcs := $(lwip-core:%=core/%.c) $(lwip-core4:%=core/ipv4/%.c) \
	$(lwip-core6:%=core/ipv6/%.c) netif/ethernet.c
# lwIP's iperf 2 server (kernel only: the host tests need no apps)
lwip-apps := apps/lwiperf/lwiperf.c
lwip-objs := $(lwip-srcs:%.c=$(BUILD)/obj/lwip/%.o) $(lwip-apps:%.c=$(BUILD)/obj/lwip/%.o)

# lwIP is third-party code: the kernel's flags, its headers and our port,
# -Werror kept (2.2.1 builds clean with these warnings)
LWIP_CFLAGS := $(KCFLAGS) -Inet/lwip/include -I$(LWIPDIR)/include

$(BUILD)/obj/lwip/%.o: $(LWIPDIR)/%.c $(LWIP)/.verified
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      lwip/$*.c")
	$(Q)$(CC) $(LWIP_CFLAGS) $(LWIP_CFLAGS_$(subst /,_,$*)) -c $< -o $@

# the stamp is rewritten (and lwIP unpacked and patched afresh) when the
# patch set changes: tools/deps.sh compares the set's hash with the stamp.
# A removed patch makes no prerequisite newer: the list of names is kept in
# a file rewritten (at parse time) only when it changes.
lwip-patches := $(sort $(wildcard net/lwip/patches/*.patch))
lwip-patch-list := $(DEPS)/lwip-patches.list
$(shell mkdir -p $(DEPS) && { echo '$(notdir $(lwip-patches))' | cmp -s - $(lwip-patch-list) || \
	echo '$(notdir $(lwip-patches))' > $(lwip-patch-list); })
$(LWIP)/.verified: $(lwip-patches) $(lwip-patch-list) tools/deps.sh
	tools/deps.sh
# lwIP's sources appear when tools/deps.sh unpacks them (precious: make
# must not take them for intermediate files and delete them).  Only the
# files we build: a "%.c" pattern would let make's built-in "%: %.o" chain
# invent sources for the not-yet-generated .d files of a fresh clone.
lwip-src-files := $(addprefix $(LWIPDIR)/,$(lwip-srcs) $(lwip-apps))
.PRECIOUS: $(lwip-src-files)
$(lwip-src-files): | $(LWIP)/.verified
	@:

# the glue: core lock, timers and loopback, netifs over net_devices,
# addressing, services, self-test (every file here sees lwIP's headers)
net-lwip-glue := port stack core_lock netif ipconfig ipconfig_parse selftest_stack \
	loopback_proc taps snmp_proc snmp6_proc sock_proc arp_proc cmd_ip cmd_ping addr_query \
	netinject tcp_tw secure_seq icmp_limit tcp_guard syncookie tso selftest_smpnet vlan cmd_ip_set \
	netif_csum selftest_corelock
kernel-srcs += $(net-lwip-glue:%=net/lwip/%.c)
$(foreach f,$(net-lwip-glue),$(eval CFLAGS_net_lwip_$(f) := -Inet/lwip/include -I$(LWIPDIR)/include))

# the kernel socket API over lwIP's raw API (issue 15)
net-socket := socket sock_udp sock_tcp sock_ss selftest_sock socktest_cmd
kernel-srcs += $(net-socket:%=net/socket/%.c)
$(foreach f,$(net-socket),$(eval CFLAGS_net_socket_$(f) := -Inet/lwip/include -I$(LWIPDIR)/include))

# ethtool: validated NIC settings, the shell command and ethtool= (no lwIP)
kernel-srcs += net/ethtool/ethtool.c net/ethtool/ethtool_cmd.c net/ethtool/cmd_ethtool.c \
	net/ethtool/ethtool_rss.c

# the services over lwIP's raw API
net-services := services svc_conn echo discard http http_views iperf status metrics netgen capture_srv \
	shell_srv stats_json views_index www
kernel-srcs += $(net-services:%=net/services/%.c)
$(foreach f,$(net-services),$(eval CFLAGS_net_services_$(f) := -Inet/lwip/include -I$(LWIPDIR)/include))
# the dashboard's files, embedded: ours and uPlot's (tools/deps.sh fetches
# it from the npm registry, sha256 pinned, into build/deps)
www-files := net/services/www/index.html net/services/www/dashboard.js
kernel-srcs += net/services/www_assets.S
www-asset-flags := -DUPLOT_JS='"$(UPLOT)/uPlot.iife.min.js"' -DUPLOT_CSS='"$(UPLOT)/uPlot.min.css"'
$(BUILD)/obj/net/services/www_assets.o: KASFLAGS += $(www-asset-flags)
$(BUILD)/obj/net/services/www_assets.o: $(www-files) $(UPLOT)/.verified
# after lwIP's: one tools/deps.sh at a time, whatever -j says
$(UPLOT)/.verified: | $(LWIP)/.verified
	tools/deps.sh
kernel-extra-objs += $(lwip-objs)

# the receive core: sk_buff, softnet/NAPI, tunables (only skbuff.c sees lwIP),
# the error rate limits' token buckets
kernel-srcs += net/core/xrlim.c
kernel-srcs += net/core/skbuff.c net/core/rx_chain.c net/core/dev.c net/core/napi.c net/core/gro.c net/core/sysctl_net_core.c \
	net/core/selftest_napi.c net/core/xmit.c net/core/journey.c net/core/journey_report.c \
	net/core/capture.c net/core/capture_cmd.c net/core/journey_cmd.c \
	net/core/watchdog.c net/core/watchdog_cmd.c net/core/rps.c net/core/xps.c net/core/queues.c
# the packet generator (pktgen) and its frame builder
kernel-srcs += net/core/pktbuild.c net/core/pktgen.c net/core/pktgen_params.c \
	net/core/pktgen_cmd.c
# the capture and journey taps inside lwIP (net/lwip/taps.c): lwIP's calls
# between its own files go through these wrappers
KLDFLAGS += $(foreach f,netif_loop_output ip4_input ip6_input udp_input tcp_input,-Wl,--wrap=$(f))
# the ICMP/ICMPv6 error and RST rate limits (net/lwip/icmp_limit.c): lwIP's
# error senders, called from its other files, go through the limits first
NET_ICMP_LIMIT_WRAPS := icmp_dest_unreach icmp_time_exceeded icmp6_dest_unreach \
	icmp6_time_exceeded icmp6_time_exceeded_with_addrs icmp6_param_problem tcp_rst_netif
KLDFLAGS += $(foreach f,$(NET_ICMP_LIMIT_WRAPS),-Wl,--wrap=$(f))
# The linker's --wrap redirects only references it resolves itself: with
# link-time optimisation a call inside the IR to a function the IR also
# defines is bound before the linker sees it, and would skip the wrapper.
# The lwIP files that define wrapped functions are compiled outside it.
ifeq ($(LTO),1)
$(foreach f,core/netif core/ipv4/ip4 core/ipv6/ip6 core/udp core/tcp_in core/ipv4/icmp \
	core/ipv6/icmp6 core/tcp_out,$(eval LWIP_CFLAGS_$(subst /,_,$(f)) := -fno-lto))
endif
CFLAGS_net_core_skbuff := -Inet/lwip/include -I$(LWIPDIR)/include
# net.ipv4.* read-only sysctls: lwIP's build-time TCP/IP settings (lwipopts.h)
CFLAGS_net_core_sysctl_net_core := -Inet/lwip/include -I$(LWIPDIR)/include
