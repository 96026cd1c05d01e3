/* /proc/net/arp: lwIP's ARP table in Linux's layout (net/ipv4/arp.c,
 * arp_seq_show): complete entries only, as lwIP's etharp_get_entry()
 * returns them; Flags 0x2 is ATF_COM (completed). */
#include "fs/view.h"
#include "lib/seq_buf.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/netif_glue.h"
#include "drivers/net/netdevice.h"
#include "lwip/etharp.h"
#include "lwip/ip4_addr.h"

#define ARPHRD_ETHER 1          /* Linux include/uapi/linux/if_arp.h */
#define ATF_COM      0x02       /* completed entry (ha valid) */

static int arp_show(char *buf, size_t size, const char *const *args)
{
	struct seq_buf s;

	(void)args;
	seq_buf_init(&s, buf, size);
	seq_buf_puts(&s, "IP address       HW type     Flags       HW address            Mask     "
		     "Device\n");
	net_core_lock();
	for (size_t i = 0; i < ARP_TABLE_SIZE; i++) {
		ip4_addr_t *ip;
		struct netif *netif;
		struct eth_addr *eth;
		char ipbuf[IP4ADDR_STRLEN_MAX], mac[18], name[IFNAMSIZ];

		if (!etharp_get_entry(i, &ip, &netif, &eth))
			continue;
		ip4addr_ntoa_r(ip, ipbuf, sizeof(ipbuf));
		seq_buf_printf(&s, "%-16s 0x%-10x0x%-10x%-17s     %-8s %s\n", ipbuf, ARPHRD_ETHER,
			       ATF_COM, netdev_fmt_mac(mac, eth->addr), "*",
			       net_netif_name(netif, name, sizeof(name)));
	}
	net_core_unlock();
	return seq_buf_used(&s);
}
VIEW("/proc/net/arp", arp_show);
