/* Address configuration: ip= applied to the default interface (static or
 * DHCPv4), IPv6 link-local and SLAAC on every interface, and one log line
 * per address bound (see net/lwip/ipconfig.h). */
#include "net/lwip/ipconfig.h"
#include "drivers/net/netdevice.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "net/lwip/netif_glue.h"
#include "lwip/dhcp.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include <string.h>

struct ip_config ip_config = { .mode = IP_CONFIG_DHCP };

static int set_ip(const char *v)
{
	const char *why;
	struct ip_config c;

	if (ip_config_parse(v, &c, &why)) {
		pr_err("net: ip=%s: %s\n", v, why);
		return -EINVAL;
	}
	ip_config = c;
	return 0;
}
CMDLINE_OPT("ip", set_ip, "IPv4 of eth0: dhcp (default), off, or <a.b.c.d>/<prefix>[,<gateway>]");

/* the last IPv4 settings reported per netif index, so each is said once */
static struct {
	u32 addr, mask, gw;
} reported_v4[NETDEV_MAX + 2];

static const char *netif_dev_name(struct netif *netif)
{
	struct net_device *dev = net_dev_of_netif(netif);

	return dev ? dev->name : "lo";
}

static void report_ipv4(struct netif *netif)
{
	unsigned int idx = netif_get_index(netif);
	u32 addr = ip4_addr_get_u32(netif_ip4_addr(netif));
	u32 mask = ip4_addr_get_u32(netif_ip4_netmask(netif));
	u32 gw = ip4_addr_get_u32(netif_ip4_gw(netif));
	char a[IP4ADDR_STRLEN_MAX], g[IP4ADDR_STRLEN_MAX];

	if (!addr || idx >= ARRAY_SIZE(reported_v4))
		return;
	if (reported_v4[idx].addr == addr && reported_v4[idx].mask == mask &&
	    reported_v4[idx].gw == gw)
		return;
	reported_v4[idx].addr = addr;
	reported_v4[idx].mask = mask;
	reported_v4[idx].gw = gw;
	ip4addr_ntoa_r(netif_ip4_addr(netif), a, sizeof(a));
	ip4addr_ntoa_r(netif_ip4_gw(netif), g, sizeof(g));
	pr_info("net: %s %s/%d gw %s (%s)\n", netif_dev_name(netif), a,
		__builtin_popcount(lwip_ntohl(mask)), gw ? g : "none",
		dhcp_supplied_address(netif) ? "dhcp" : "static");
}

static void report_ipv6(struct netif *netif, s8_t i, u8_t old_state)
{
	const ip6_addr_t *a = netif_ip6_addr(netif, i);
	char buf[IP6ADDR_STRLEN_MAX];

	if (!ip6_addr_isvalid(netif_ip6_addr_state(netif, i)) || ip6_addr_isvalid(old_state))
		return;
	ip6addr_ntoa_r(a, buf, sizeof(buf));
	pr_info("net: %s inet6 %s (%s)\n", netif_dev_name(netif), buf,
		ip6_addr_islinklocal(a) ? "link-local" : "slaac");
}

static void ipconfig_ext_callback(struct netif *netif, netif_nsc_reason_t reason,
				  const netif_ext_callback_args_t *args)
{
	if (reason & (LWIP_NSC_IPV4_ADDRESS_CHANGED | LWIP_NSC_IPV4_NETMASK_CHANGED |
		      LWIP_NSC_IPV4_GATEWAY_CHANGED | LWIP_NSC_IPV4_SETTINGS_CHANGED))
		report_ipv4(netif);
	if ((reason & LWIP_NSC_IPV6_ADDR_STATE_CHANGED) && args)
		report_ipv6(netif, args->ipv6_addr_state_changed.addr_index,
			    args->ipv6_addr_state_changed.old_state);
}

NETIF_DECLARE_EXT_CALLBACK(ipconfig_cb)

void net_ipconfig_init(void)
{
	netif_add_ext_callback(&ipconfig_cb, ipconfig_ext_callback);
}

void net_ipconfig_start(void)
{
	struct netif *netif = netif_default;
	ip4_addr_t addr, mask, gw;
	err_t err;

	if (!netif || !net_dev_of_netif(netif)) {
		pr_info("net: no network device: IPv4 configuration (ip=) not applied\n");
		return;
	}
	switch (ip_config.mode) {
	case IP_CONFIG_OFF:
		pr_info("net: %s: IPv4 off (ip=off)\n", netif_dev_name(netif));
		break;
	case IP_CONFIG_STATIC:
		ip4_addr_set_u32(&addr, lwip_htonl(ip_config.addr));
		ip4_addr_set_u32(&mask, lwip_htonl(~0u << (32 - ip_config.prefix)));
		ip4_addr_set_u32(&gw, lwip_htonl(ip_config.gateway));
		netif_set_addr(netif, &addr, &mask, &gw);
		break;
	case IP_CONFIG_DHCP:
		err = dhcp_start(netif);
		if (err != ERR_OK)
			pr_err("net: %s: DHCP could not start (lwIP error %d)\n",
			       netif_dev_name(netif), err);
		else
			pr_info("net: %s: DHCP started\n", netif_dev_name(netif));
		break;
	}
}
