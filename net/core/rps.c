/* Receive Packet Steering and Receive Flow Steering (rps.h).  The hash
 * input is what Linux's flow dissector feeds its hash: addresses, ports
 * and protocol; the keyed function is SipHash (lib/siphash.h) under a key
 * drawn at first use, so a sender cannot aim its flows at one CPU.
 *
 * The tables (the global socket flow table, each RX queue's flow table)
 * are read per frame on any CPU with interrupts off (rps_get_cpu,
 * rps_record_sock_flow); a writer (process context, a sysfs or sysctl
 * write) publishes the new one, then waits for an IPI round trip to
 * every other CPU before freeing the old: an IPI is taken only with
 * interrupts on, so no reader still holds the old pointer (what Linux's
 * RCU gives it). */
#include "net/core/rps.h"
#include "fs/view.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/mm.h"
#include "kernel/mutex.h"
#include "kernel/smp.h"
#include "kernel/x86.h"
#include "kernel/percpu.h"
#include "kernel/random.h"
#include "kernel/softirq.h"
#include "lib/bitops.h"
#include "lib/parse_num.h"
#include "lib/siphash.h"
#include "net/core/dev.h"
#include "net/core/queues.h"
#include "net/core/xps.h"
#include <stdio.h>
#include <stdlib.h>
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

/* ---- tables ---- */

/* Linux's RPS_NO_CPU: an entry that names no CPU yet */
#define RPS_NO_CPU              0xFFFF
/* Linux's limits: rps_sock_flow_entries above 2^29 is refused; a flow
 * table's mask must fit 32 bits */
#define RPS_SOCK_FLOW_MAX       (1L << 29)
#define RPS_DEV_FLOW_MAX        (1UL << 31)

struct rps_dev_flow {
	u16 cpu;                /* the CPU this flow's frames go to, RPS_NO_CPU: none */
	u32 last_qtail;         /* that CPU's input_queue_tail with its last frame */
};

struct rps_dev_flow_table {
	u32 mask;               /* entries - 1 */
	struct rps_dev_flow flows[];
};

/* Linux struct rps_sock_flow_table: per hash bucket, the hash's upper
 * bits and the CPU where a consumer of the flow last read */
struct rps_sock_flow_table {
	u32 mask;
	u32 ents[];
};

static struct rps_sock_flow_table *rps_sock_flow_table;
int rps_sock_flow_entries;
/* serialises the writers of the tables (sysctl, sysfs): process context */
static DEFINE_MUTEX(rps_table_mutex);

/* the CPUs that are there, as a mask */
static u32 rps_online_mask(void)
{
	unsigned int ncpu = nr_cpu_ids_online();

	return ncpu >= 32 ? ~0U : (1U << ncpu) - 1;
}

/* Linux's rps_cpu_mask: the low bits of an ident that hold the CPU */
static u32 rps_cpu_mask(void)
{
	return (u32)roundup_pow_of_two(nr_cpu_ids_online()) - 1;
}

static void rps_sync_ipi(void *info)
{
	(void)info;
}

/* every reader that could have seen an old table pointer is done */
static void rps_synchronize(void)
{
	smp_call_function_many(rps_online_mask(), rps_sync_ipi, NULL, true);
}

/* net.core.rps_sock_flow_entries (Linux rps_sock_flow_sysctl): 0 frees
 * the table; n > 0 makes one of n rounded up to a power of two */
int rps_sock_flow_set(long n)
{
	struct rps_sock_flow_table *t = NULL, *old;
	u32 size;

	if (n < 0 || n > RPS_SOCK_FLOW_MAX)
		return -EINVAL;
	size = n ? (u32)roundup_pow_of_two((u64)n) : 0;
	mutex_lock(&rps_table_mutex);
	old = rps_sock_flow_table;
	if (size == (old ? old->mask + 1 : 0)) {
		mutex_unlock(&rps_table_mutex);
		return 0;
	}
	if (size) {
		t = kmalloc(sizeof(*t) + (size_t)size * sizeof(t->ents[0]));
		if (!t) {
			mutex_unlock(&rps_table_mutex);
			return -ENOMEM;
		}
		t->mask = size - 1;
		/* Linux: RPS_NO_CPU in every entry, so no ident matches */
		for (u32 i = 0; i < size; i++)
			t->ents[i] = RPS_NO_CPU;
	}
	WRITE_ONCE(rps_sock_flow_table, t);
	WRITE_ONCE(rps_sock_flow_entries, (int)size);
	mutex_unlock(&rps_table_mutex);
	if (old) {
		rps_synchronize();
		kfree(old);
	}
	return 0;
}

void rps_record_sock_flow(u32 hash)
{
	struct rps_sock_flow_table *t;
	unsigned long flags;

	if (!hash || !READ_ONCE(rps_sock_flow_table))
		return;
	flags = local_irq_save();
	t = READ_ONCE(rps_sock_flow_table);
	if (t) {
		u32 idx = hash & t->mask, val = (hash & ~rps_cpu_mask()) | smp_processor_id();

		/* Linux writes only on change: the line stays shared */
		if (READ_ONCE(t->ents[idx]) != val)
			WRITE_ONCE(t->ents[idx], val);
	}
	local_irq_restore(flags);
}

/* the hash of the frame lwIP is handed on each CPU (rps_set_rx_hash), for
 * the socket the frame lands in */
static u32 rps_rx_hash_cpu[NR_CPUS];

u32 rps_rx_hash_of(struct sk_buff *skb)
{
	return READ_ONCE(rps_sock_flow_table) ? rps_flow_hash(skb) : 0;
}

void rps_set_rx_hash(u32 hash)
{
	rps_rx_hash_cpu[smp_processor_id()] = hash;
}

u32 rps_current_rx_hash(void)
{
	return rps_rx_hash_cpu[smp_processor_id()];
}

/* the RX queue skb came in on (its settings), or NULL */
static struct netdev_rx_queue *rps_rxq(struct net_device *dev, const struct sk_buff *skb)
{
	return skb->rx_queue < NETDEV_RX_QUEUES_MAX ? &dev->rx_queues[skb->rx_queue] : NULL;
}

static bool rps_cpu_ok(unsigned int cpu)
{
	return cpu < nr_cpu_ids_online();
}

/* Linux's get_rps_cpu, with interrupts off.  RFS first: when the queue
 * has a flow table and the socket table knows the flow (its ident's
 * upper bits match the hash), the flow goes to the CPU its consumer last
 * read on, but moves there from the CPU it went to so far only once that
 * CPU's backlog has taken off every frame the flow queued there (its
 * input_queue_head passed the flow's last_qtail): frames of a flow are
 * never delivered out of order by the move.  Otherwise RPS's map. */
static int rps_get_cpu_locked(struct net_device *dev, struct sk_buff *skb,
			      struct rps_dev_flow **rflowp)
{
	struct netdev_rx_queue *rxq = rps_rxq(dev, skb);
	struct rps_dev_flow_table *ft;
	struct rps_sock_flow_table *st;
	u32 m, h;
	unsigned int k;

	*rflowp = NULL;
	if (!rxq)
		return -1;
	ft = READ_ONCE(rxq->rps_flow_table);
	m = READ_ONCE(rxq->rps_cpus);
	if (!ft && !m)
		return -1;
	h = rps_flow_hash(skb);
	if (!h)
		return -1;
	st = READ_ONCE(rps_sock_flow_table);
	if (ft && st) {
		u32 ident = READ_ONCE(st->ents[h & st->mask]), cmask = rps_cpu_mask();

		if (!((ident ^ h) & ~cmask)) {
			unsigned int next = ident & cmask, tcpu;
			struct rps_dev_flow *rf = &ft->flows[h & ft->mask];

			tcpu = rf->cpu;
			if (tcpu != next &&
			    (!rps_cpu_ok(tcpu) ||
			     (int)(READ_ONCE(softnet_data_cpu(tcpu)->input_queue_head) - rf->last_qtail) >= 0)) {
				tcpu = next;
				rf->cpu = (u16)next;
				/* Linux's set_rps_cpu: a CPU that is there */
				if (rps_cpu_ok(next))
					rf->last_qtail = READ_ONCE(softnet_data_cpu(next)->input_queue_head);
			}
			if (rps_cpu_ok(tcpu)) {
				*rflowp = rf;
				return (int)tcpu;
			}
		}
	}
	m &= rps_online_mask();
	if (!m)
		return -1;
	/* Linux's reciprocal_scale over the map's CPUs */
	k = (unsigned int)(((u64)h * (u64)__builtin_popcount(m)) >> 32);
	return (int)find_nth_bit32(m, k);
}

int rps_get_cpu(struct net_device *dev, struct sk_buff *skb)
{
	struct rps_dev_flow *rf;
	unsigned long flags = local_irq_save();
	int cpu = rps_get_cpu_locked(dev, skb, &rf);

	local_irq_restore(flags);
	return cpu;
}

bool rps_steer_slow(struct net_device *dev, struct sk_buff *skb)
{
	struct netdev_rx_queue *rxq = rps_rxq(dev, skb);
	struct rps_dev_flow_table *ft;
	struct rps_dev_flow *rf;
	unsigned long flags;
	u32 qtail, h;
	int cpu, rc;

	if (likely(!rxq || (!READ_ONCE(rxq->rps_cpus) && !READ_ONCE(rxq->rps_flow_table))) ||
	    in_irq())
		return false;
	flags = local_irq_save();
	cpu = rps_get_cpu_locked(dev, skb, &rf);
	if (cpu < 0 || (unsigned int)cpu == smp_processor_id()) {
		/* delivered here, now: nothing of the flow waits behind it */
		if (rf)
			rf->last_qtail = READ_ONCE(softnet_data_this_cpu()->input_queue_head);
		local_irq_restore(flags);
		return false;
	}
	ft = rf ? READ_ONCE(rxq->rps_flow_table) : NULL;
	h = skb->hash;
	local_irq_restore(flags);
	/* with interrupts on a writer may free the flow table (rf): its
	 * entry is found again below, in the table if it is still the one */
	rc = netif_rx_cpu((unsigned int)cpu, skb, &qtail);
	if (rc == -EINVAL)
		return false;
	if (rc == NET_RX_SUCCESS && ft) {
		flags = local_irq_save();
		if (READ_ONCE(rxq->rps_flow_table) == ft)
			ft->flows[h & ft->mask].last_qtail = qtail;
		local_irq_restore(flags);
	}
	return true;
}

/* ---- /sys/class/net/<dev>/queues/rx-N/{rps_cpus,rps_flow_cnt} ---- */

/* the RX queues a device shows: rx-0 .. rx-(n-1) */
static unsigned int rps_nr_rx_queues(const struct net_device *dev)
{
	unsigned int n = dev ? READ_ONCE(dev->real_num_rx_queues) : 1;

	return n ? MIN(n, (unsigned int)NETDEV_RX_QUEUES_MAX) : 1;
}

/* queues/: rx-0 .. rx-(n-1), then the TX queues tx-N (net/core/xps.c) */
static int rps_queues_list(unsigned int idx, const char *const *args, char *name, size_t size)
{
	struct net_device *dev = netdev_get_by_name(args[0]);
	unsigned int nrx;

	if (!dev && strcmp(args[0], "lo"))
		return -ENOENT;
	nrx = rps_nr_rx_queues(dev);
	if (idx < nrx)
		snprintf(name, size, "rx-%u", idx);
	else if (idx - nrx < xps_nr_tx_queues(dev))
		snprintf(name, size, "tx-%u", idx - nrx);
	else
		return -ENOENT;
	return 0;
}
VIEW_DIR("/sys/class/net/*/queues/*", rps_queues_list);

/* args: device, "rx-N"; the queue (NULL for lo, lwIP's loopback, which
 * has no net_device and is never steered), or an errno */
static int rps_queue_of(const char *const *args, struct net_device **devp,
			struct netdev_rx_queue **rxq)
{
	struct net_device *dev = netdev_get_by_name(args[0]);
	unsigned long q;
	char *end;

	*devp = dev;
	*rxq = NULL;
	if (!dev && strcmp(args[0], "lo"))
		return -ENOENT;
	if (strncmp(args[1], "rx-", 3))
		return -ENOENT;
	q = strtoul(args[1] + 3, &end, 10);
	if (*end || q >= rps_nr_rx_queues(dev))
		return -ENOENT;
	if (dev)
		*rxq = &dev->rx_queues[q];
	return 0;
}

int cpumask_parse_hex(const char *text, u32 *mask)
{
	u32 m;

	if (parse_hex_mask32(text, &m) || (m & ~rps_online_mask()))
		return -EINVAL;
	*mask = m;
	return 0;
}

int cpumask_format_hex(char *buf, size_t size, u32 mask)
{
	return format_hex_mask32(buf, size, mask, nr_cpu_ids_online());
}

/* Linux's "%*pb" of the mask: hex, as wide as the CPU count needs */
int rps_cpus_show(char *buf, size_t size, const char *const *args)
{
	struct net_device *dev;
	struct netdev_rx_queue *rxq;
	int rc = rps_queue_of(args, &dev, &rxq);

	if (rc)
		return rc;
	return cpumask_format_hex(buf, size, rxq ? READ_ONCE(rxq->rps_cpus) : 0U);
}

/* a hex mask (a trailing newline allowed); a CPU that is not there is
 * refused, as Linux's store_rps_map refuses a mask with no CPU it may
 * use: -EINVAL, nothing changed */
int rps_cpus_store(const char *text, const char *const *args)
{
	struct net_device *dev;
	struct netdev_rx_queue *rxq;
	int rc = rps_queue_of(args, &dev, &rxq);
	u32 m;

	if (rc)
		return rc;
	if (!rxq)
		return -EOPNOTSUPP;
	rc = cpumask_parse_hex(text, &m);
	if (rc)
		return rc;
	WRITE_ONCE(rxq->rps_cpus, m);
	return 0;
}

int rps_flow_cnt_show(char *buf, size_t size, const char *const *args)
{
	struct net_device *dev;
	struct netdev_rx_queue *rxq;
	struct rps_dev_flow_table *ft;
	int rc = rps_queue_of(args, &dev, &rxq);

	if (rc)
		return rc;
	ft = rxq ? READ_ONCE(rxq->rps_flow_table) : NULL;
	return snprintf(buf, size, "%lu\n", ft ? (unsigned long)ft->mask + 1 : 0UL);
}

/* Linux's store_rps_dev_flow_table_cnt: a count (decimal), rounded up to
 * a power of two; 0 frees the table; every entry starts with no CPU */
int rps_flow_cnt_store(const char *text, const char *const *args)
{
	struct net_device *dev;
	struct netdev_rx_queue *rxq;
	struct rps_dev_flow_table *t = NULL, *old;
	unsigned long count;
	char *end;
	int rc = rps_queue_of(args, &dev, &rxq);

	if (rc)
		return rc;
	if (!rxq)
		return -EOPNOTSUPP;
	if (*text < '0' || *text > '9')
		return -EINVAL;
	count = strtoul(text, &end, 10);
	if ((*end && !(end[0] == '\n' && !end[1])) || count > RPS_DEV_FLOW_MAX)
		return -EINVAL;
	if (count) {
		u32 size = (u32)roundup_pow_of_two(count);

		t = kmalloc(sizeof(*t) + (size_t)size * sizeof(t->flows[0]));
		if (!t)
			return -ENOMEM;
		t->mask = size - 1;
		for (u32 i = 0; i < size; i++)
			t->flows[i] = (struct rps_dev_flow){ RPS_NO_CPU, 0 };
	}
	mutex_lock(&rps_table_mutex);
	old = rxq->rps_flow_table;
	WRITE_ONCE(rxq->rps_flow_table, t);
	mutex_unlock(&rps_table_mutex);
	if (old) {
		rps_synchronize();
		kfree(old);
	}
	return 0;
}
