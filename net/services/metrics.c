/* Every counter in the Prometheus text exposition format (version 0.0.4):
 * /proc/barenet/metrics, served as GET /metrics.  Each family is a
 * "# HELP" and a "# TYPE" line, then its samples; names start barenet_,
 * counters end in _total, labels name the CPU, device, vector or type:
 *
 *   interrupts per vector, softirqs per CPU and type, softnet_stat columns,
 *   rtnl_link_stats64 per interface (from the /sys/class/net views), the
 *   qdisc, sk_buff allocations and drops per reason, lwIP's protocol and
 *   MIB-II (SNMP) counters, memory, the services, capture and journey. */
#include "fs/view.h"
#include "drivers/net/netdevice.h"
#include "kernel/irq.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "lib/seq_buf.h"
#include "net/socket/sock_internal.h"
#include "net/core/capture.h"
#include "net/core/dev.h"
#include "net/core/journey.h"
#include "net/core/skbuff.h"
#include "net/core/xmit.h"
#include "net/services/services.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/tcp_guard.h"
#include "net/lwip/tcp_tw.h"
#include "net/services/svc_conn.h"
#include "lwip/memp.h"
#include "lwip/stats.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define METRICS_DEVS_MAX  (NETDEV_MAX + 2)      /* net_devices plus lo */
#define METRICS_LABEL_MAX 96

/* the rtnl_link_stats64 fields, as the statistics views name them */
static const char *const link_fields[] = {
	"rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors",
	"rx_dropped", "tx_dropped", "multicast", "collisions", "rx_length_errors",
	"rx_over_errors", "rx_crc_errors", "rx_frame_errors", "rx_fifo_errors",
	"rx_missed_errors", "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors",
	"tx_heartbeat_errors", "tx_window_errors", "rx_compressed", "tx_compressed",
	"rx_nohandler", "rx_otherhost_dropped",
};

static void family(struct seq_buf *s, const char *name, const char *type, const char *help)
{
	seq_buf_printf(s, "# HELP barenet_%s %s\n# TYPE barenet_%s %s\n", name, help, name, type);
}

static void sample(struct seq_buf *s, const char *name, const char *labels, u64 v)
{
	seq_buf_printf(s, "barenet_%s%s %llu\n", name, labels, (unsigned long long)v);
}

/* one family with one unlabelled sample */
static void single(struct seq_buf *s, const char *name, const char *type, const char *help,
		   u64 v)
{
	family(s, name, type, help);
	sample(s, name, "", v);
}

/* {key="value"} with the value escaped as the format asks (\\, \", \n) */
static const char *label(char *buf, const char *key, const char *value)
{
	size_t n = 0;

	n += (size_t)snprintf(buf, METRICS_LABEL_MAX, "{%s=\"", key);
	for (const char *p = value; *p && n + 4 < METRICS_LABEL_MAX; p++) {
		if (*p == '\\' || *p == '"')
			buf[n++] = '\\';
		if (*p == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
			continue;
		}
		buf[n++] = *p;
	}
	buf[n++] = '"';
	buf[n++] = '}';
	buf[n] = '\0';
	return buf;
}

static void put_interrupts(struct seq_buf *s)
{
	char l[METRICS_LABEL_MAX];

	family(s, "interrupts_total", "counter",
	       "Interrupts taken per vector since boot (the /proc/interrupts counts).");
	for (int v = 0; v < IRQ_VECTORS; v++) {
		const char *name = irq_name(v);

		if (!name && !irq_count(v))
			continue;
		/* one sample per CPU that took it (CPU 0's always): a device's
		 * interrupts go to the CPU of its affinity */
		for (unsigned int c = 0; c < nr_cpu_ids_online(); c++) {
			u64 n = irq_count_cpu(v, c);

			if (c && !n)
				continue;
			snprintf(l, sizeof(l), "{cpu=\"%u\",vector=\"%d\",name=\"%s\"}", c, v,
				 name ? name : "");
			sample(s, "interrupts_total", l, n);
		}
	}
	single(s, "interrupts_spurious_total", "counter",
	       "Interrupts no handler claimed.", irq_spurious_count());
}

static void put_softirqs(struct seq_buf *s)
{
	char l[METRICS_LABEL_MAX];

	family(s, "softirqs_total", "counter", "Softirqs run per CPU and type (/proc/softirqs).");
	for (unsigned int c = 0; c < nr_cpu_ids_online(); c++) {
		for (unsigned int t = 0; t < NR_SOFTIRQS; t++) {
			snprintf(l, sizeof(l), "{cpu=\"%u\",type=\"%s\"}", c, softirq_to_name[t]);
			sample(s, "softirqs_total", l, kstat_softirqs_cpu(t, c));
		}
	}
}

static void put_softnet(struct seq_buf *s)
{
	static const struct {
		const char *name, *type, *help;
		size_t off;
	} cols[] = {
		{ "softnet_processed_total", "counter", "Frames netif_receive_skb delivered.",
		  offsetof(struct softnet_data, processed) },
		{ "softnet_dropped_total", "counter", "Frames dropped: backlog full.",
		  offsetof(struct softnet_data, dropped) },
		{ "softnet_time_squeeze_total", "counter",
		  "NET_RX runs that stopped on budget or time with work left.",
		  offsetof(struct softnet_data, time_squeeze) },
		{ "softnet_received_rps_total", "counter", "RPS IPIs received.",
		  offsetof(struct softnet_data, received_rps) },
		{ "softnet_flow_limit_count_total", "counter", "Flow limit drops.",
		  offsetof(struct softnet_data, flow_limit_count) },
		{ "softnet_net_rx_runs_total", "counter", "net_rx_action calls.",
		  offsetof(struct softnet_data, net_rx_runs) },
	};
	char l[METRICS_LABEL_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(cols); i++) {
		family(s, cols[i].name, cols[i].type, cols[i].help);
		for (unsigned int c = 0; c < nr_cpu_ids_online(); c++) {
			const struct softnet_data *sd = softnet_data_cpu(c);

			snprintf(l, sizeof(l), "{cpu=\"%u\"}", c);
			sample(s, cols[i].name, l, *(const u32 *)((const u8 *)sd + cols[i].off));
		}
	}
	family(s, "softnet_backlog", "gauge", "Frames waiting in the input_pkt_queue.");
	for (unsigned int c = 0; c < nr_cpu_ids_online(); c++) {
		snprintf(l, sizeof(l), "{cpu=\"%u\"}", c);
		sample(s, "softnet_backlog", l, skb_queue_len(&softnet_data_cpu(c)->input_pkt_queue));
	}
}

static int collect_dev(const char *name, bool is_dir, void *ctx)
{
	char (*devs)[IFNAMSIZ] = ctx;

	(void)is_dir;
	for (int i = 0; i < METRICS_DEVS_MAX; i++) {
		if (!devs[i][0]) {
			snprintf(devs[i], IFNAMSIZ, "%s", name);
			return 0;
		}
	}
	return 0;
}

/* the interface counters, read through the same views cat shows */
static void put_links(struct seq_buf *s)
{
	char devs[METRICS_DEVS_MAX][IFNAMSIZ];
	char l[METRICS_LABEL_MAX], path[VIEW_PATH_MAX], name[64];

	memset(devs, 0, sizeof(devs));
	view_list_dir("/sys/class/net", collect_dev, devs);
	for (size_t f = 0; f < ARRAY_SIZE(link_fields); f++) {
		snprintf(name, sizeof(name), "net_dev_%s_total", link_fields[f]);
		family(s, name, "counter", "Interface counter (rtnl_link_stats64, "
		       "/sys/class/net/<dev>/statistics).");
		for (int d = 0; d < METRICS_DEVS_MAX && devs[d][0]; d++) {
			char *text;
			size_t len;

			snprintf(path, sizeof(path), "/sys/class/net/%.16s/statistics/%s", devs[d],
				 link_fields[f]);
			if (view_read(path, &text, &len))
				continue;
			sample(s, name, label(l, "dev", devs[d]), strtoull(text, NULL, 10));
			kfree(text);
		}
	}
}

static void put_qdisc(struct seq_buf *s)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} cols[] = {
		{ "qdisc_enqueued_total", "Frames accepted into the qdisc.",
		  offsetof(struct qdisc_stats, enqueued) },
		{ "qdisc_packets_total", "Frames the driver accepted.",
		  offsetof(struct qdisc_stats, packets) },
		{ "qdisc_bytes_total", "Bytes the driver accepted.", offsetof(struct qdisc_stats, bytes) },
		{ "qdisc_drops_total", "Frames refused: qdisc full.", offsetof(struct qdisc_stats, drops) },
		{ "qdisc_requeues_total", "Frames requeued after a full ring.",
		  offsetof(struct qdisc_stats, requeues) },
		{ "qdisc_xmit_errors_total", "Frames the driver refused.",
		  offsetof(struct qdisc_stats, xmit_errors) },
		{ "qdisc_tx_dropped_total", "All transmit drops.",
		  offsetof(struct qdisc_stats, tx_dropped) },
		{ "qdisc_runs_total", "qdisc runs.", offsetof(struct qdisc_stats, runs) },
	};
	char l[METRICS_LABEL_MAX];
	struct net_device *dev;
	struct qdisc_stats q;

	for (size_t i = 0; i < ARRAY_SIZE(cols); i++) {
		family(s, cols[i].name, "counter", cols[i].help);
		for (int d = 0; (dev = netdev_get_by_index(d)); d++)
			if (!dev_qdisc_stats(dev, &q))
				sample(s, cols[i].name, label(l, "dev", dev->name),
				       *(const u64 *)((const u8 *)&q + cols[i].off));
	}
	family(s, "qdisc_backlog", "gauge", "Frames waiting in the qdisc.");
	for (int d = 0; (dev = netdev_get_by_index(d)); d++)
		if (!dev_qdisc_stats(dev, &q))
			sample(s, "qdisc_backlog", label(l, "dev", dev->name), q.backlog);
}

static void put_skb(struct seq_buf *s)
{
	char l[METRICS_LABEL_MAX];
	struct skb_stats st;

	skb_stats_read(&st);
	single(s, "skb_allocs_total", "counter", "sk_buff structs handed out.", st.allocs);
	single(s, "skb_frees_total", "counter", "sk_buff structs given back.", st.frees);
	single(s, "skb_clones_total", "counter", "skb_clone calls.", st.clones);
	single(s, "skb_copies_total", "counter", "skb_copy calls.", st.copies);
	single(s, "skb_in_use", "gauge", "sk_buff structs allocated now.", skb_in_use());
	single(s, "skb_cached", "gauge",
	       "sk_buff structs and RX buffer wrappers kept for reuse (kmalloc'ed, not in use).",
	       skb_cache_count());
	single(s, "skb_rx_buf_cache_hits_total", "counter",
	       "RX buffer wrappers reused instead of kmalloc'ed.", st.rx_buf_cache_hits);
	family(s, "skb_drops_total", "counter", "sk_buffs freed, per reason (CONSUMED: not a drop).");
	for (int r = SKB_CONSUMED; r < SKB_DROP_REASON_MAX; r++)
		sample(s, "skb_drops_total", label(l, "reason", skb_drop_reason_name(r)),
		       skb_drop_count(r));
}

static void put_lwip(struct seq_buf *s)
{
	static const struct {
		const char *name;
		const struct stats_proto *p;
	} protos[] = {
		{ "link", &lwip_stats.link }, { "etharp", &lwip_stats.etharp },
		{ "ip_frag", &lwip_stats.ip_frag }, { "ip", &lwip_stats.ip },
		{ "icmp", &lwip_stats.icmp }, { "udp", &lwip_stats.udp }, { "tcp", &lwip_stats.tcp },
		{ "ip6", &lwip_stats.ip6 }, { "icmp6", &lwip_stats.icmp6 },
		{ "ip6_frag", &lwip_stats.ip6_frag }, { "nd6", &lwip_stats.nd6 },
	};
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
#define F(x) { #x, offsetof(struct stats_proto, x) }
		F(xmit), F(recv), F(fw), F(drop), F(chkerr), F(lenerr), F(memerr), F(rterr),
		F(proterr), F(opterr), F(err),
#undef F
	};
	char l[METRICS_LABEL_MAX], name[64];

	for (size_t f = 0; f < ARRAY_SIZE(fields); f++) {
		snprintf(name, sizeof(name), "lwip_%s_total", fields[f].name);
		family(s, name, "counter", "lwIP protocol counter (lwip_stats), per protocol.");
		for (size_t p = 0; p < ARRAY_SIZE(protos); p++)
			sample(s, name, label(l, "proto", protos[p].name),
			       *(const STAT_COUNTER *)((const u8 *)protos[p].p + fields[f].off));
	}
}

/* the lwIP core lock: takes, contended takes, time waited */
static void put_core_lock(struct seq_buf *s)
{
	single(s, "net_core_lock_total", "counter", "lwIP core lock takes.",
	       net_core_lock_count());
	single(s, "net_core_lock_contended_total", "counter",
	       "lwIP core lock takes that found it held by another CPU.",
	       net_core_lock_contended());
	single(s, "net_core_lock_wait_ns_total", "counter",
	       "Nanoseconds CPUs waited for the lwIP core lock.", net_core_lock_wait_ns());
	single(s, "net_core_lock_held_ns_total", "counter",
	       "Nanoseconds the lwIP core lock was held.", net_core_lock_held_ns());
}

/* lwIP's MIB-II counters (the SNMP agent's), one family each */
static void put_snmp(struct seq_buf *s)
{
	static const struct {
		const char *name;
		size_t off;
	} mib[] = {
#define M(x) { #x, offsetof(struct stats_mib2, x) }
		M(ipinhdrerrors), M(ipinaddrerrors), M(ipinunknownprotos), M(ipindiscards),
		M(ipindelivers), M(ipoutrequests), M(ipoutdiscards), M(ipoutnoroutes),
		M(ipreasmoks), M(ipreasmfails), M(ipfragoks), M(ipfragfails), M(ipfragcreates),
		M(ipreasmreqds), M(ipforwdatagrams), M(ipinreceives), M(tcpactiveopens),
		M(tcppassiveopens), M(tcpattemptfails), M(tcpestabresets), M(tcpoutsegs),
		M(tcpretranssegs), M(tcpinsegs), M(tcpinerrs), M(tcpoutrsts), M(udpindatagrams),
		M(udpnoports), M(udpinerrors), M(udpoutdatagrams), M(icmpinmsgs), M(icmpinerrors),
		M(icmpindestunreachs), M(icmpintimeexcds), M(icmpinechos), M(icmpinechoreps),
		M(icmpoutmsgs), M(icmpouterrors), M(icmpoutdestunreachs), M(icmpoutechos),
		M(icmpoutechoreps),
#undef M
	};
	char name[64];

	for (size_t i = 0; i < ARRAY_SIZE(mib); i++) {
		snprintf(name, sizeof(name), "snmp_%s_total", mib[i].name);
		single(s, name, "counter", "lwIP MIB-II counter (RFC 4293/4022/4113/2011 object).",
		       *(const u32 *)((const u8 *)&lwip_stats.mib2 + mib[i].off));
	}
}

static void put_memory(struct seq_buf *s)
{
	char l[METRICS_LABEL_MAX];

	single(s, "memory_total_bytes", "gauge", "RAM the page allocator manages.",
	       mm_total_ram_kib() * 1024);
	single(s, "memory_free_bytes", "gauge", "RAM the page allocator has free.",
	       mm_free_kib() * 1024);
	single(s, "kmalloc_live_objects", "gauge", "kmalloc allocations not freed.",
	       kmalloc_live_objects());
	single(s, "dma_outstanding_bytes", "gauge", "Coherent DMA memory allocated.",
	       dma_outstanding_bytes());
	single(s, "sockets", "gauge", "Sockets open (net/socket/).", sock_count());
	single(s, "sock_rx_dma_queued_total", "counter",
	       "Received frames a socket queued still in the NIC's DMA buffer (zero copy).",
	       sock_rx_stats.dma_queued);
	single(s, "sock_rx_copied_total", "counter",
	       "Received frames a socket copied out of the DMA buffer (queue past half its buffer).",
	       sock_rx_stats.copied);
	single(s, "sock_rx_entry_cache_hits_total", "counter",
	       "Socket receive-queue entries taken from the cache of freed ones instead of kmalloc.",
	       READ_ONCE(sk_rx_cache_hits));
	single(s, "sock_rx_entry_cache_entries", "gauge",
	       "Socket receive-queue entries kept for reuse (read datagrams' entries).",
	       sk_rx_cache_count());
	single(s, "lwip_heap_used_bytes", "gauge", "lwIP heap in use.", lwip_stats.mem.used);
	single(s, "lwip_heap_max_bytes", "gauge", "lwIP heap high-water mark.", lwip_stats.mem.max);
	single(s, "lwip_heap_errors_total", "counter", "lwIP heap allocation failures.",
	       lwip_stats.mem.err);
	single(s, "tcp_timewait_reused_total", "counter",
	       "New connections that ended one of ours in TIME_WAIT (RFC 1122 4.2.2.13).",
	       tcp_tw_reused);
	family(s, "lwip_memp_used", "gauge", "lwIP pool elements in use, per pool.");
	for (int i = 0; i < MEMP_MAX; i++)
		sample(s, "lwip_memp_used", label(l, "pool", lwip_stats.memp[i]->name),
		       lwip_stats.memp[i]->used);
	family(s, "lwip_memp_errors_total", "counter", "lwIP pool allocation failures, per pool.");
	for (int i = 0; i < MEMP_MAX; i++)
		sample(s, "lwip_memp_errors_total", label(l, "pool", lwip_stats.memp[i]->name),
		       lwip_stats.memp[i]->err);
}

static void put_services(struct seq_buf *s)
{
	static const struct {
		const char *name;
		const struct svc_stats *st;
	} svcs[] = {
		{ "echo", &svc_echo_stats }, { "discard", &svc_discard_stats },
		{ "http", &svc_http_stats }, { "iperf", &svc_iperf_stats },
	};
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
#define S(x) { #x, offsetof(struct svc_stats, x) }
		S(tcp_accepted), S(tcp_closed), S(tcp_aborted), S(tcp_bytes_in), S(tcp_bytes_out),
		S(udp_datagrams), S(udp_bytes), S(udp_errors),
#undef S
	};
	char l[METRICS_LABEL_MAX], name[64];

	for (size_t f = 0; f < ARRAY_SIZE(fields); f++) {
		snprintf(name, sizeof(name), "service_%s_total", fields[f].name);
		family(s, name, "counter", "Network service counter, per service.");
		for (size_t i = 0; i < ARRAY_SIZE(svcs); i++)
			sample(s, name, label(l, "service", svcs[i].name),
			       *(const u64 *)((const u8 *)svcs[i].st + fields[f].off));
	}
	single(s, "iperf_connect_back_failed_total", "counter",
	       "Connections back to an iperf -d/-r client that could not be made "
	       "(refused for lwiperf's 2 s of retries, or unanswered).",
	       svc_iperf_connect_failed);
}

/* the services' connection slots and TCP's give-up time (issue 11) */
static void put_slots(struct seq_buf *s)
{
	struct svc_conn_stats st;

	svc_conn_get_stats(&st);
	single(s, "service_conns", "gauge", "TCP connections of the services open.", st.open);
	single(s, "service_conns_unserved", "gauge",
	       "Of them, without a completed request (the ones evicted for a new connection).",
	       st.unserved);
	single(s, "service_refused_total", "counter",
	       "Connections refused with a RST: their source at net.svc.max_per_source.", st.refused);
	single(s, "service_idle_closed_total", "counter",
	       "Connections closed after net.svc.idle_timeout without data.", st.idle_closed);
	single(s, "service_idle_reset_total", "counter",
	       "Of the idle closes, those sent as a RST: the peer never sent or acknowledged a byte.",
	       st.idle_reset);
	single(s, "service_evicted_total", "counter",
	       "Connections without a request reset for a new one while the PCB pool was full.",
	       st.evicted);
	single(s, "tcp_stall_aborts_total", "counter",
	       "Connections reset after net.ipv4.tcp_stall_timeout without an ACK for queued data.",
	       tcp_stall_aborts);
	single(s, "tcp_orphan_aborts_total", "counter",
	       "Closed connections reset after net.ipv4.tcp_orphan_retries without an ACK of their FIN.",
	       tcp_orphan_aborts);
}

static void put_capture_journey(struct seq_buf *s)
{
	struct capture_stats cs;
	struct journey_counts jc;

	capture_get_stats(&cs);
	journey_get_counts(&jc);
	single(s, "capture_active", "gauge", "1 while the capture taps are on.", capture_active);
	single(s, "capture_seen_total", "counter", "Frames the capture taps looked at.", cs.seen);
	single(s, "capture_captured_total", "counter", "Frames written to the capture ring.",
	       cs.captured);
	single(s, "capture_filtered_total", "counter", "Frames the capture filter rejected.",
	       cs.filtered);
	single(s, "capture_dropped_total", "counter", "Frames the capture ring had no room for.",
	       cs.dropped);
	single(s, "capture_ring_used_bytes", "gauge", "Capture ring bytes not yet read.",
	       cs.ring_used);
	single(s, "journey_frames_total", "counter", "Frames the journey sampler saw.", jc.frames);
	single(s, "journey_sampled_total", "counter", "Frames given a journey record.", jc.sampled);
	single(s, "journey_completed_total", "counter", "Journey records completed.", jc.completed);
}

static int metrics_show(char *buf, size_t size, const char *const *args)
{
	struct seq_buf s;
	u64 ns = ktime_get_ns();

	(void)args;
	seq_buf_init(&s, buf, size);
	family(&s, "uptime_seconds", "gauge", "Time since boot.");
	seq_buf_printf(&s, "barenet_uptime_seconds %llu.%09llu\n",
		       (unsigned long long)(ns / NSEC_PER_SEC),
		       (unsigned long long)(ns % NSEC_PER_SEC));
	put_interrupts(&s);
	put_softirqs(&s);
	put_softnet(&s);
	put_links(&s);
	put_qdisc(&s);
	put_skb(&s);
	put_lwip(&s);
	put_core_lock(&s);
	put_snmp(&s);
	put_memory(&s);
	put_services(&s);
	put_slots(&s);
	put_capture_journey(&s);
	return seq_buf_used(&s);
}
VIEW("/proc/barenet/metrics", metrics_show);
