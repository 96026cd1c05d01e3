/* The dashboard's samples: /proc/barenet/stats.json, served as GET
 * /api/stats.json.  One JSON object of running counters (the page polls
 * it and turns successive samples into per-second rates) and gauges:
 *
 *   {"v":1, "version":"0.1.0", "uptime_ns":N, "cpus":C,
 *    "cpu":{"0":{"nic_irqs","net_rx_softirqs","net_rx_runs","processed",
 *                "time_squeeze","backlog_drops"}, ...},
 *    "dev":{"eth0":{"irqs","napi_polls","rx_packets","tx_packets",
 *                   "rx_bytes","tx_bytes","rx_dropped","rx_missed",
 *                   "tx_dropped","rx_ring_size","rx_ring_ready",
 *                   "tx_ring_size","tx_ring_used","rx_pool_size",
 *                   "rx_pool_free","rx_pool_lent"}, ...},
 *    "skb_drops":N, "heap_used":N,
 *    "journey":{"sample":N,"records":N,
 *               "stages":[{"name","count","p50_ns","p90_ns","p99_ns",
 *                          "max_ns"}, ..., {"name":"total",...}]}}
 *
 * "cpu" is keyed by CPU number: each CPU's NIC interrupts (a device's
 * interrupts go to the CPU of its affinity), NET_RX and softnet counts.  A device's key is there only when its driver
 * reports it (ethtool -S names).  Counters are read without locks: a
 * sample is a snapshot good to one count. */
#include "fs/view.h"
#include "drivers/net/netdevice.h"
#include "drivers/net/netdevice_proc.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/version.h"
#include "lib/seq_buf.h"
#include "net/core/dev.h"
#include "net/core/journey.h"
#include "net/core/skbuff.h"
#include "net/ethtool/ethtool.h"
#include "lwip/stats.h"
#include <string.h>

/* the ethtool -S counters the page charts, and their JSON names */
static const struct {
	const char *stat, *key;
} dev_stats[] = {
	{ "interrupts", "irqs" }, { "napi_polls", "napi_polls" },
	{ "rx_ring_ready", "rx_ring_ready" }, { "tx_ring_used", "tx_ring_used" },
	{ "rx_pool_size", "rx_pool_size" }, { "rx_pool_free", "rx_pool_free" },
	{ "rx_pool_lent", "rx_pool_lent" },
};

static void kv(struct seq_buf *s, bool *first, const char *key, u64 v)
{
	seq_buf_printf(s, "%s\"%s\":%llu", *first ? "" : ",", key, (unsigned long long)v);
	*first = false;
}

/* interrupts cpu took on the vectors a net_device's driver registered (its
 * handlers are named after the device) */
static u64 nic_irqs(unsigned int cpu)
{
	struct net_device *dev;
	u64 n = 0;

	for (int v = 0; v < IRQ_VECTORS; v++) {
		const char *name = irq_name(v);

		if (!name)
			continue;
		for (int d = 0; (dev = netdev_get_by_index(d)); d++) {
			size_t len = strlen(dev->name);

			if (!strncmp(name, dev->name, len) && (!name[len] || name[len] == '-')) {
				n += irq_count_cpu(v, cpu);
				break;
			}
		}
	}
	return n;
}

static void put_cpus(struct seq_buf *s)
{
	seq_buf_puts(s, "\"cpu\":{");
	for (unsigned int c = 0; c < nr_cpu_ids_online(); c++) {
		const struct softnet_data *sd = softnet_data_cpu(c);
		bool first = true;

		seq_buf_printf(s, "%s\"%u\":{", c ? "," : "", c);
		kv(s, &first, "nic_irqs", nic_irqs(c));
		kv(s, &first, "net_rx_softirqs", kstat_softirqs_cpu(NET_RX_SOFTIRQ, c));
		kv(s, &first, "net_rx_runs", sd->net_rx_runs);
		kv(s, &first, "processed", sd->processed);
		kv(s, &first, "time_squeeze", sd->time_squeeze);
		kv(s, &first, "backlog_drops", sd->dropped);
		seq_buf_puts(s, "}");
	}
	seq_buf_puts(s, "}");
}

static void put_dev(struct seq_buf *s, struct net_device *dev, struct ethtool_stat *st,
		    char *text)
{
	struct rtnl_link_stats64 ls;
	struct ethtool_ringparam ring;
	bool first = true;
	int n;

	seq_buf_printf(s, "\"%s\":{", dev->name);
	if (!netdev_proc_find(dev->name, &ls)) {
		kv(s, &first, "rx_packets", ls.rx_packets);
		kv(s, &first, "tx_packets", ls.tx_packets);
		kv(s, &first, "rx_bytes", ls.rx_bytes);
		kv(s, &first, "tx_bytes", ls.tx_bytes);
		kv(s, &first, "rx_dropped", ls.rx_dropped);
		kv(s, &first, "rx_missed", ls.rx_missed_errors);
		kv(s, &first, "tx_dropped", ls.tx_dropped);
	}
	memset(&ring, 0, sizeof(ring));
	if (!ethtool_get_ringparam(dev, &ring)) {
		kv(s, &first, "rx_ring_size", ring.rx_pending);
		kv(s, &first, "tx_ring_size", ring.tx_pending);
	}
	n = ethtool_get_stats(dev, st, ETHTOOL_STATS_MAX, text);
	for (int i = 0; i < n && i < ETHTOOL_STATS_MAX; i++)
		for (size_t k = 0; k < ARRAY_SIZE(dev_stats); k++)
			if (!strcmp(st[i].name, dev_stats[k].stat))
				kv(s, &first, dev_stats[k].key, st[i].value);
	seq_buf_puts(s, "}");
}

static void put_devs(struct seq_buf *s)
{
	struct ethtool_stat *st = kmalloc(sizeof(*st) * ETHTOOL_STATS_MAX);
	char *text = kmalloc(ETHTOOL_HW_STATS_TEXT);
	struct net_device *dev;

	seq_buf_puts(s, "\"dev\":{");
	for (int d = 0; st && text && (dev = netdev_get_by_index(d)); d++) {
		if (d)
			seq_buf_puts(s, ",");
		put_dev(s, dev, st, text);
	}
	seq_buf_puts(s, "}");
	kfree(st);
	kfree(text);
}

static void put_journey(struct seq_buf *s)
{
	struct journey_stage_stat *js = kmalloc(sizeof(*js) * (JOURNEY_STAGES + 1));
	int n = js ? journey_stage_stats(js, NULL) : -ENOMEM;

	seq_buf_printf(s, "\"journey\":{\"sample\":%u,\"records\":%d,\"stages\":[",
		       journey_sample(), n > 0 ? n : 0);
	for (int st = 0; n > 0 && st <= JOURNEY_STAGES; st++) {
		bool first = false;

		seq_buf_printf(s, "%s{\"name\":\"%s\"", st ? "," : "",
			       st < JOURNEY_STAGES ? journey_stage_name(st) : "total");
		kv(s, &first, "count", js[st].count);
		kv(s, &first, "p50_ns", js[st].p50_ns);
		kv(s, &first, "p90_ns", js[st].p90_ns);
		kv(s, &first, "p99_ns", js[st].p99_ns);
		kv(s, &first, "max_ns", js[st].max_ns);
		seq_buf_puts(s, "}");
	}
	seq_buf_puts(s, "]}");
	kfree(js);
}

static int stats_json_show(char *buf, size_t size, const char *const *args)
{
	struct seq_buf s;
	u64 drops = 0;

	(void)args;
	for (int r = SKB_CONSUMED + 1; r < SKB_DROP_REASON_MAX; r++)
		drops += skb_drop_count(r);
	seq_buf_init(&s, buf, size);
	seq_buf_printf(&s, "{\"v\":1,\"version\":\"" BARENET_VERSION "\",\"uptime_ns\":%llu,"
		       "\"cpus\":%u,",
		       (unsigned long long)ktime_get_ns(), nr_cpu_ids_online());
	put_cpus(&s);
	seq_buf_puts(&s, ",");
	put_devs(&s);
	seq_buf_printf(&s, ",\"skb_drops\":%llu,\"heap_used\":%llu,", (unsigned long long)drops,
		       (unsigned long long)lwip_stats.mem.used);
	put_journey(&s);
	seq_buf_puts(&s, "}\n");
	return seq_buf_used(&s);
}
VIEW("/proc/barenet/stats.json", stats_json_show);
