/* IPv4 configuration from the command line, and the address report.
 *
 *   ip=dhcp                          DHCPv4 on eth0 (the default)
 *   ip=<addr>/<prefix>[,<gateway>]   static, e.g. ip=10.0.2.15/24,10.0.2.2
 *   ip=off                           no IPv4 address (IPv6 still comes up)
 *
 * IPv6 needs no option: every interface gets a link-local address from its
 * MAC (EUI-64) and SLAAC addresses from router advertisements.  Each
 * address is reported once bound:
 *   net: eth0 10.0.2.15/24 gw 10.0.2.2 (dhcp)
 *   net: eth0 inet6 fe80::5054:ff:fe12:3456 (link-local) */
#ifndef NET_LWIP_IPCONFIG_H
#define NET_LWIP_IPCONFIG_H

#include "kernel/types.h"

enum ip_config_mode { IP_CONFIG_DHCP, IP_CONFIG_STATIC, IP_CONFIG_OFF };

/* addresses in host byte order */
struct ip_config {
	enum ip_config_mode mode;
	u32 addr;
	u32 gateway;          /* 0: none */
	u8 prefix;            /* 1..32 */
};

/* Parse an ip= value.  0, or -EINVAL with *why set to a sentence that says
 * what is wrong (for the boot log).  No lwIP inside: host-testable. */
int ip_config_parse(const char *s, struct ip_config *out, const char **why);

/* "a.b.c.d" of a host-order address into buf (>= 16 bytes) */
const char *ip_config_fmt(char *buf, u32 addr);

/* the configuration ip= asked for (DHCP unless given) */
extern struct ip_config ip_config;

/* Register the address reports (after lwip_init, before any interface
 * is attached); core lock held. */
void net_ipconfig_init(void);
/* Apply ip_config to the default interface and start the address reports
 * for every interface; core lock held. */
void net_ipconfig_start(void);

#endif
