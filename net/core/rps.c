/* Receive Packet Steering (rps.h).  The hash input is what Linux's flow
 * dissector feeds its hash: addresses, ports and protocol; the keyed
 * function is SipHash (lib/siphash.h) under a key drawn at first use,
 * so a sender cannot aim its flows at one CPU. */
#include "net/core/rps.h"
#include "fs/view.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/random.h"
#include "kernel/softirq.h"
#include "lib/siphash.h"
#include "net/core/dev.h"
#include <stdio.h>
#include <string.h>

#define ETH_P_IPV4      0x0800
#define ETH_P_IPV6      0x86DD
#define IPPROTO_TCP_NR  6
#define IPPROTO_UDP_NR  17
#define IPV4_FRAG_MASK  0x3FFF  /* MF and the offset */

static struct siphash_key rps_key;
static bool rps_key_ready;

static u16 get_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

u32 rps_flow_hash(struct sk_buff *skb)
{
	const u8 *f = skb_mac_header(skb), *l4 = NULL;
	u8 in[40];
	size_t n = 0;
	u8 proto = 0;
	u32 len = skb->len, h;

	if (skb->hash)
		return skb->hash;
	if (len < ETH_HLEN)
		return 0;
	if (get_be16(f + 12) == ETH_P_IPV4 && len >= ETH_HLEN + 20) {
		const u8 *ip = f + ETH_HLEN;
		u32 ihl = (u32)(ip[0] & 0x0F) * 4;

		memcpy(in, ip + 12, 8);
		n = 8;
		proto = ip[9];
		if (!(get_be16(ip + 6) & IPV4_FRAG_MASK) && len >= ETH_HLEN + ihl + 4)
			l4 = ip + ihl;
	} else if (get_be16(f + 12) == ETH_P_IPV6 && len >= ETH_HLEN + 40) {
		const u8 *ip = f + ETH_HLEN;

		memcpy(in, ip + 8, 32);
		n = 32;
		proto = ip[6];
		if (len >= ETH_HLEN + 40 + 4)
			l4 = ip + 40;
	} else {
		return 0;
	}
	in[n++] = proto;
	if (l4 && (proto == IPPROTO_TCP_NR || proto == IPPROTO_UDP_NR)) {
		memcpy(in + n, l4, 4);
		n += 4;
	}
	if (!READ_ONCE(rps_key_ready)) {
		get_random_bytes(&rps_key, sizeof(rps_key));
		WRITE_ONCE(rps_key_ready, true);
	}
	h = (u32)siphash_2_4(in, n, &rps_key);
	skb->hash = h ? h : 1;
	return skb->hash;
}

int rps_get_cpu(struct net_device *dev, struct sk_buff *skb)
{
	unsigned int ncpu = nr_cpu_ids_online();
	u32 online = ncpu >= 32 ? ~0U : (1U << ncpu) - 1;
	u32 m = READ_ONCE(dev->rps_cpus) & online, h;
	unsigned int k;

	if (!m)
		return -1;
	h = rps_flow_hash(skb);
	if (!h)
		return -1;
	/* Linux's reciprocal_scale over the map's CPUs */
	k = (unsigned int)(((u64)h * (u64)__builtin_popcount(m)) >> 32);
	while (k--)
		m &= m - 1;
	return __builtin_ctz(m);
}

bool rps_steer(struct net_device *dev, struct sk_buff *skb)
{
	int cpu;

	if (likely(!READ_ONCE(dev->rps_cpus)) || in_irq())
		return false;
	cpu = rps_get_cpu(dev, skb);
	if (cpu < 0 || (unsigned int)cpu == smp_processor_id())
		return false;
	return netif_rx_cpu((unsigned int)cpu, skb) != -EINVAL;
}

/* --- /sys/class/net/<dev>/queues/rx-0/rps_cpus --- */

/* Linux's "%*pb" of the mask: hex, as wide as the CPU count needs */
static int rps_cpus_show(char *buf, size_t size, const char *const *args)
{
	struct net_device *dev = netdev_get_by_name(args[0]);
	unsigned int ncpu = nr_cpu_ids_online();

	/* lo (lwIP's loopback, no net_device) is never steered */
	if (!dev && strcmp(args[0], "lo"))
		return -ENOENT;
	return snprintf(buf, size, "%0*x\n", (int)((ncpu + 3) / 4), dev ? READ_ONCE(dev->rps_cpus) : 0U);
}

/* a hex mask (a trailing newline allowed); a CPU that is not there is
 * refused, as Linux's store_rps_map refuses a mask beyond nr_cpu_ids */
static int rps_cpus_store(const char *text, const char *const *args)
{
	struct net_device *dev = netdev_get_by_name(args[0]);
	unsigned int ncpu = nr_cpu_ids_online();
	u32 online = ncpu >= 32 ? ~0U : (1U << ncpu) - 1, m = 0;
	const char *p = text;
	int digits = 0;

	if (!dev)
		return strcmp(args[0], "lo") ? -ENOENT : -EOPNOTSUPP;
	for (; *p && *p != '\n'; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 :
			*p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;

		if (d < 0 || ++digits > 8)
			return -EINVAL;
		m = m << 4 | (u32)d;
	}
	if (!digits || (p[0] == '\n' && p[1]) || (m & ~online))
		return -EINVAL;
	WRITE_ONCE(dev->rps_cpus, m);
	return 0;
}
VIEW_RW("/sys/class/net/*/queues/rx-0/rps_cpus", rps_cpus_show, rps_cpus_store);
