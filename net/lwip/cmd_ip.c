/* `ip` in the shell: addr, link, route and neigh from lwIP's netif list,
 * its default route, ARP table and IPv6 neighbour cache, in iproute2 6.1's
 * output format (including its trailing blanks).
 *
 *   ip [-4|-6] addr|a [show]     ip [-s] link|l [show]
 *   ip [-4|-6] route|r [show]    ip [-4|-6] neigh|n [show]
 *
 * ip -s link adds each interface's counters (those of /proc/net/dev, from
 * ndo_get_stats64) in iproute2's two RX and TX blocks.  The -s -s error
 * details are refused: ethtool -S DEV has them.
 *
 * lwIP routes by interface: each netif with an IPv4 address reaches its
 * subnet ("proto kernel scope link"), the default netif's gateway is the
 * default route; IPv6 has the on-link /64 of each address and the routers
 * learnt from advertisements. */
#include "kernel/shell/shell.h"
#include "drivers/net/netdevice.h"
#include "drivers/net/netdevice_proc.h"
#include "net/core/xmit.h"
#include "kernel/errno.h"
#include "net/lwip/cmd_ip_set.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/netif_glue.h"
#include "net/lwip/vlan.h"
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/priv/nd6_priv.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define LO_MTU          65536   /* lwIP's loopback has no MTU: Linux lo's */
#define LO_QLEN         1000
#define IP6_LINK_PREFIX 64      /* SLAAC and link-local addresses are /64 */
#define IP6_RA_METRIC   1024    /* Linux's metric for RA default routes */
#define IP6_KERNEL_METRIC 256

enum { FAM_ALL, FAM_4, FAM_6 };

/* an IPv6 address as iproute2 prints it: lwIP's text in lower case */
static char *ip6_str(const ip6_addr_t *a, char *buf, size_t size)
{
	ip6addr_ntoa_r(a, buf, (int)size);
	for (char *p = buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return buf;
}

static bool netif_is_lo(const struct netif *n)
{
	return n->name[0] == 'l' && n->name[1] == 'o';
}

/* the netifs in index order (lwIP's list is newest first) */
static unsigned int netifs_sorted(struct netif **out, unsigned int max)
{
	unsigned int n = 0;
	struct netif *ni;

	NETIF_FOREACH(ni) {
		unsigned int j = n < max ? n++ : max - 1;

		for (; j > 0 && netif_get_index(out[j - 1]) > netif_get_index(ni); j--)
			out[j] = out[j - 1];
		out[j] = ni;
	}
	return n;
}

static void link_lines(struct netif *n, bool mode)
{
	char name[IFNAMSIZ], mac[18];
	struct net_device *dev = net_dev_of_netif(n);
	bool up = netif_is_up(n), lower = netif_is_link_up(n);

	net_netif_name(n, name, sizeof(name));
	if (netif_is_lo(n)) {
		shell_printf("%d: %s: <LOOPBACK%s> mtu %u qdisc noqueue state UNKNOWN %sgroup "
			     "default qlen %u\n", netif_get_index(n), name,
			     up ? ",UP,LOWER_UP" : "", n->mtu ? n->mtu : LO_MTU,
			     mode ? "mode DEFAULT " : "", LO_QLEN);
		shell_puts("    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n");
		return;
	}
	{
		struct qdisc_stats qs = { 0 };

		if (dev)
			dev_qdisc_stats(dev, &qs);
		struct net_device *real = vlan_dev_real(dev);
		char full[2 * IFNAMSIZ + 1];

		/* a VLAN sub-interface is NAME@REAL, as iproute2 shows it */
		snprintf(full, sizeof(full), "%s%s%s", name, real ? "@" : "", real ? real->name : "");
		shell_printf("%d: %s: <%sBROADCAST,MULTICAST%s%s> mtu %u qdisc pfifo state %s %sgroup "
			     "default qlen %u\n", netif_get_index(n), full,
			     up && !lower ? "NO-CARRIER," : "", up ? ",UP" : "",
			     up && lower ? ",LOWER_UP" : "", n->mtu,
			     up && lower ? "UP" : "DOWN", mode ? "mode DEFAULT " : "", qs.limit);
		shell_printf("    link/ether %s brd ff:ff:ff:ff:ff:ff\n",
			     netdev_fmt_mac(mac, n->hwaddr));
	}
}

static void addr_lines(struct netif *n, int fam)
{
	char name[IFNAMSIZ], a[IP6ADDR_STRLEN_MAX], b[IP4ADDR_STRLEN_MAX];

	net_netif_name(n, name, sizeof(name));
	if (fam != FAM_6 && !ip4_addr_isany_val(*netif_ip4_addr(n))) {
		u32 mask = lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(n)));
		ip4_addr_t brd;
		int prefix = 0;

		while (prefix < 32 && (mask & (0x80000000u >> prefix)))
			prefix++;
		ip4_addr_set_u32(&brd, ip4_addr_get_u32(netif_ip4_addr(n)) |
			~ip4_addr_get_u32(netif_ip4_netmask(n)));
		ip4addr_ntoa_r(netif_ip4_addr(n), a, sizeof(a));
		if (netif_is_lo(n)) {
			shell_printf("    inet %s/%d scope host %s\n", a, prefix, name);
		} else {
			ip4addr_ntoa_r(&brd, b, sizeof(b));
			shell_printf("    inet %s/%d brd %s scope global %s%s\n", a, prefix, b,
				     dhcp_supplied_address(n) ? "dynamic " : "", name);
		}
		shell_puts("       valid_lft forever preferred_lft forever\n");
	}
	if (fam == FAM_4)
		return;
	/* iproute2 lists the newest address first: global before link-local */
	for (int i = LWIP_IPV6_NUM_ADDRESSES - 1; i >= 0; i--) {
		u8 st = netif_ip6_addr_state(n, i);
		const ip6_addr_t *ip6 = netif_ip6_addr(n, i);
		bool ll = ip6_addr_islinklocal(ip6), loop = ip6_addr_isloopback(ip6);
		u32 valid = netif_ip6_addr_valid_life(n, i), pref = netif_ip6_addr_pref_life(n, i);

		if (ip6_addr_isinvalid(st))
			continue;
		ip6_str(ip6, a, sizeof(a));
		shell_printf("    inet6 %s/%d scope %s %s%s\n", a, loop ? 128 : IP6_LINK_PREFIX,
			     loop ? "host" : ll ? "link" : "global",
			     ip6_addr_istentative(st) ? "tentative " : "",
			     ip6_addr_life_isstatic(valid) ? "" : "dynamic mngtmpaddr ");
		if (ip6_addr_life_isstatic(valid))
			shell_puts("       valid_lft forever preferred_lft forever\n");
		else
			shell_printf("       valid_lft %usec preferred_lft %usec\n", valid, pref);
	}
}

/* the columns of ip -s link, as iproute2 6.1's print_link_stats64 sizes
 * them: at least as wide as the titles of the -s -s lines ("RX errors:",
 * "packets", "errors", "dropped", "heartbt", "overrun", "compressed"),
 * wider for a value with more digits, in RX or TX */
static const unsigned int stats_min_cols[] = { 10, 7, 6, 7, 7, 7, 10 };
#define STATS_COLS ARRAY_SIZE(stats_min_cols)
#define STATS_BYTES_INDENT 4   /* "bytes" sits 4 left of its column's end */

static unsigned int dec_width(u64 v)
{
	unsigned int n = 1;

	for (; v > 9; v /= 10)
		n++;
	return n;
}

static void stats_block(const char *dir, const char *const *titles, const u64 *v,
			const unsigned int *cols)
{
	shell_printf("    %s: %*s", dir, (int)(cols[0] - STATS_BYTES_INDENT), titles[0]);
	for (unsigned int c = 1; c < STATS_COLS - 1; c++)
		shell_printf(" %*s", (int)cols[c], titles[c]);
	shell_printf(" %*s\n    ", (int)cols[STATS_COLS - 1],
		     v[STATS_COLS - 1] ? "compressed" : "");
	for (unsigned int c = 0; c < STATS_COLS - (v[STATS_COLS - 1] ? 0 : 1); c++)
		shell_printf("%*llu ", (int)cols[c], (unsigned long long)v[c]);
	shell_puts("\n");
}

/* ip -s link's counters of one interface (iproute2 6.1, one -s) */
static void link_stats(const char *name)
{
	static const char *const rx_titles[] = {
		"bytes", "packets", "errors", "dropped", "missed", "mcast", "" };
	static const char *const tx_titles[] = {
		"bytes", "packets", "errors", "dropped", "carrier", "collsns", "" };
	struct rtnl_link_stats64 st;
	unsigned int cols[STATS_COLS];

	if (netdev_proc_find(name, &st))
		return;
	const u64 rx[STATS_COLS] = { st.rx_bytes, st.rx_packets, st.rx_errors, st.rx_dropped,
				     st.rx_missed_errors, st.multicast, st.rx_compressed };
	const u64 tx[STATS_COLS] = { st.tx_bytes, st.tx_packets, st.tx_errors, st.tx_dropped,
				     st.tx_carrier_errors, st.collisions, st.tx_compressed };

	for (unsigned int c = 0; c < STATS_COLS; c++)
		cols[c] = MAX(stats_min_cols[c], MAX(dec_width(rx[c]), dec_width(tx[c])));
	stats_block("RX", rx_titles, rx, cols);
	stats_block("TX", tx_titles, tx, cols);
}

/* ip -s link: each interface's lines under the core lock, its counters
 * after it (the loopback's take the lock themselves) */
static void show_links_stats(void)
{
	for (unsigned int i = 0;; i++) {
		struct netif *list[NETDEV_MAX + 2];
		char name[IFNAMSIZ];
		unsigned int k;

		net_core_lock();
		k = netifs_sorted(list, ARRAY_SIZE(list));
		if (i >= k) {
			net_core_unlock();
			return;
		}
		link_lines(list[i], true);
		net_netif_name(list[i], name, sizeof(name));
		net_core_unlock();
		link_stats(name);
	}
}

static void show_links(bool addrs, int fam)
{
	struct netif *list[NETDEV_MAX + 2];
	unsigned int k = netifs_sorted(list, ARRAY_SIZE(list));

	for (unsigned int i = 0; i < k; i++) {
		link_lines(list[i], !addrs);
		if (addrs)
			addr_lines(list[i], fam);
	}
}

static void route4(void)
{
	struct netif *list[NETDEV_MAX + 2];
	unsigned int k = netifs_sorted(list, ARRAY_SIZE(list));
	char name[IFNAMSIZ], a[IP4ADDR_STRLEN_MAX], b[IP4ADDR_STRLEN_MAX];
	struct netif *d = netif_default;

	if (d && !ip4_addr_isany_val(*netif_ip4_gw(d)) && netif_is_up(d)) {
		ip4addr_ntoa_r(netif_ip4_gw(d), a, sizeof(a));
		shell_printf("default via %s dev %s %s\n", a, net_netif_name(d, name, sizeof(name)),
			     dhcp_supplied_address(d) ? "proto dhcp " : "");
	}
	for (unsigned int i = 0; i < k; i++) {
		struct netif *n = list[i];
		u32 mask = lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(n)));
		ip4_addr_t net;
		int prefix = 0;

		/* Linux keeps lo's 127.0.0.0/8 in the local table, not here */
		if (netif_is_lo(n) || ip4_addr_isany_val(*netif_ip4_addr(n)) || !netif_is_up(n))
			continue;
		while (prefix < 32 && (mask & (0x80000000u >> prefix)))
			prefix++;
		ip4_addr_set_u32(&net, ip4_addr_get_u32(netif_ip4_addr(n)) &
			ip4_addr_get_u32(netif_ip4_netmask(n)));
		ip4addr_ntoa_r(&net, a, sizeof(a));
		ip4addr_ntoa_r(netif_ip4_addr(n), b, sizeof(b));
		shell_printf("%s/%d dev %s proto kernel scope link src %s \n", a, prefix,
			     net_netif_name(n, name, sizeof(name)), b);
	}
}

static void route6(void)
{
	struct netif *list[NETDEV_MAX + 2];
	unsigned int k = netifs_sorted(list, ARRAY_SIZE(list));
	char name[IFNAMSIZ], a[IP6ADDR_STRLEN_MAX];

	for (unsigned int i = 0; i < k; i++) {
		struct netif *n = list[i];

		net_netif_name(n, name, sizeof(name));
		for (int j = 0; j < LWIP_IPV6_NUM_ADDRESSES; j++) {
			const ip6_addr_t *ip6 = netif_ip6_addr(n, j);
			ip6_addr_t pfx;

			if (!ip6_addr_isvalid(netif_ip6_addr_state(n, j)))
				continue;
			if (ip6_addr_isloopback(ip6)) {
				shell_printf("::1 dev %s proto kernel metric %d pref medium\n", name,
					     IP6_KERNEL_METRIC);
				continue;
			}
			/* the /64 the address is in */
			ip6_addr_set_zero(&pfx);
			pfx.addr[0] = ip6->addr[0];
			pfx.addr[1] = ip6->addr[1];
			ip6_str(&pfx, a, sizeof(a));
			shell_printf("%s/%d dev %s proto kernel metric %d pref medium\n", a,
				     IP6_LINK_PREFIX, name, IP6_KERNEL_METRIC);
		}
	}
	for (int i = 0; i < LWIP_ND6_NUM_ROUTERS; i++) {
		const struct nd6_router_list_entry *r = &default_router_list[i];

		if (!r->neighbor_entry || !r->invalidation_timer)
			continue;
		ip6_str(&r->neighbor_entry->next_hop_address, a, sizeof(a));
		shell_printf("default via %s dev %s proto ra metric %d expires %usec pref medium\n",
			     a, net_netif_name(r->neighbor_entry->netif, name, sizeof(name)),
			     IP6_RA_METRIC, (unsigned int)r->invalidation_timer);
	}
}

static const char *const nd6_states[] = {
	[ND6_NO_ENTRY] = "NONE", [ND6_INCOMPLETE] = "INCOMPLETE", [ND6_REACHABLE] = "REACHABLE",
	[ND6_STALE] = "STALE", [ND6_DELAY] = "DELAY", [ND6_PROBE] = "PROBE",
};

static void neigh(int fam)
{
	char name[IFNAMSIZ], a[IP6ADDR_STRLEN_MAX], mac[18];

	if (fam != FAM_6) {
		for (size_t i = 0; i < ARP_TABLE_SIZE; i++) {
			ip4_addr_t *ip;
			struct netif *n;
			struct eth_addr *eth;

			/* lwIP hands out only its stable (reachable) entries */
			if (!etharp_get_entry(i, &ip, &n, &eth))
				continue;
			shell_printf("%s dev %s lladdr %s REACHABLE \n", ip4addr_ntoa_r(ip, a, sizeof(a)),
				     net_netif_name(n, name, sizeof(name)),
				     netdev_fmt_mac(mac, eth->addr));
		}
	}
	if (fam == FAM_4)
		return;
	for (int i = 0; i < LWIP_ND6_NUM_NEIGHBORS; i++) {
		const struct nd6_neighbor_cache_entry *e = &neighbor_cache[i];

		if (e->state == ND6_NO_ENTRY || e->state >= ARRAY_SIZE(nd6_states))
			continue;
		ip6_str(&e->next_hop_address, a, sizeof(a));
		net_netif_name(e->netif, name, sizeof(name));
		if (e->state == ND6_INCOMPLETE)
			shell_printf("%s dev %s INCOMPLETE \n", a, name);
		else
			shell_printf("%s dev %s lladdr %s %s%s \n", a, name, netdev_fmt_mac(mac, e->lladdr),
				     e->isrouter ? "router " : "", nd6_states[e->state]);
	}
}

static bool prefix_of(const char *word, const char *full, size_t min)
{
	size_t n = strlen(word);

	return n >= min && n <= strlen(full) && !strncmp(word, full, n);
}

static int cmd_ip(int argc, char **argv)
{
	int fam = FAM_ALL, i = 1, stats = 0;
	const char *obj;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-4"))
			fam = FAM_4;
		else if (!strcmp(argv[i], "-6"))
			fam = FAM_6;
		else if (!strcmp(argv[i], "-s") || !strcmp(argv[i], "-stats") ||
			 !strcmp(argv[i], "-statistics"))
			stats++;
		else
			return shell_error("ip", "Option \"%s\" is unknown, try \"ip -help\".", argv[i]);
	}
	if (i == argc)
		return shell_error("ip", "usage: ip [-4|-6] addr|link|route|neigh [show]");
	obj = argv[i++];
	/* add, delete, set: cmd_ip_set.c */
	if (i < argc && prefix_of(obj, "link", 1)) {
		int rc = ip_link_change(argc - i, argv + i);

		if (rc != -ENOENT)
			return rc;
	}
	if (i < argc && prefix_of(obj, "address", 1)) {
		int rc = ip_addr_change(argc - i, argv + i);

		if (rc != -ENOENT)
			return rc;
	}
	if (i < argc && !prefix_of(argv[i], "show", 1) && !prefix_of(argv[i], "list", 1))
		return shell_error("ip", "Command \"%s\" is unknown, try \"ip %s help\".", argv[i],
				   obj);
	if (stats > 1)
		return shell_error("ip", "-s -s (the error details) is not supported here: "
				   "ethtool -S DEV has them");
	if (stats && prefix_of(obj, "link", 1)) {
		show_links_stats();
		return 0;
	}
	net_core_lock();
	if (prefix_of(obj, "address", 1))
		show_links(true, fam);
	else if (prefix_of(obj, "link", 1))
		show_links(false, fam);
	else if (prefix_of(obj, "route", 1))
		fam == FAM_6 ? route6() : route4();
	else if (prefix_of(obj, "neighbour", 1) || prefix_of(obj, "neighbor", 1))
		neigh(fam);
	else {
		net_core_unlock();
		return shell_error("ip", "Object \"%s\" is unknown, try \"ip help\".", obj);
	}
	net_core_unlock();
	return 0;
}
SHELL_CMD("ip", cmd_ip,
	  "addresses, links, routes, neighbours: ip [-4|-6] [-s] addr|link|route|neigh; "
	  "ip link add|del|set, ip addr add|del");
