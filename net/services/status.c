/* The status page: uptime, interfaces and their addresses, and the
 * counters of each stage of the frame's journey (device glue, qdisc, lwIP
 * protocols and memory, services).  Plain text, one fact per line. */
#include "net/services/services.h"
#include "net/services/svc_conn.h"
#include "drivers/net/netdevice.h"
#include "kernel/percpu.h"
#include "kernel/time.h"
#include "kernel/version.h"
#include "net/core/dev.h"
#include "net/core/xmit.h"
#include "net/lwip/netif_glue.h"
#include "net/lwip/stack.h"
#include "net/lwip/tcp_guard.h"
#include "lwip/dhcp.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lib/seq_buf.h"
#include <stdarg.h>
#include <stdio.h>

static void put_netif(struct seq_buf *pg, struct netif *n)
{
	struct net_device *dev = net_dev_of_netif(n);
	char a[IPADDR_STRLEN_MAX], m[IPADDR_STRLEN_MAX], g[IPADDR_STRLEN_MAX];
	struct net_glue_stats gs;
	struct qdisc_stats qs;

	if (dev) {
		seq_buf_printf(pg, "%s: mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u link %s",
		    dev->name, n->hwaddr[0], n->hwaddr[1], n->hwaddr[2], n->hwaddr[3],
		    n->hwaddr[4], n->hwaddr[5], n->mtu, netif_is_link_up(n) ? "up" : "down");
		if (dev->carrier)
			seq_buf_printf(pg, " %u Mb/s", dev->speed_mbps);
		seq_buf_printf(pg, "\n");
	} else {
		seq_buf_printf(pg, "lo: loopback mtu %u\n", n->mtu);
	}
	if (!ip4_addr_isany_val(*netif_ip4_addr(n))) {
		ip4addr_ntoa_r(netif_ip4_addr(n), a, sizeof(a));
		ip4addr_ntoa_r(netif_ip4_netmask(n), m, sizeof(m));
		ip4addr_ntoa_r(netif_ip4_gw(n), g, sizeof(g));
		seq_buf_printf(pg, "  inet %s netmask %s gw %s (%s)\n", a, m, g,
		    !dev ? "loopback" : dhcp_supplied_address(n) ? "dhcp" : "static");
	}
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
		u8_t st = netif_ip6_addr_state(n, i);

		if (ip6_addr_isinvalid(st))
			continue;
		ip6addr_ntoa_r(netif_ip6_addr(n, i), a, sizeof(a));
		seq_buf_printf(pg, "  inet6 %s %s\n", a, ip6_addr_istentative(st) ? "tentative" :
		    ip6_addr_ispreferred(st) ? "preferred" : "valid");
	}
	if (dev && !net_glue_stats(dev, &gs))
		seq_buf_printf(pg, "  rx %llu frames %llu bytes, %llu no-memory, %llu hw-checksummed; "
		    "tx %llu frames, %llu no-memory, %llu qdisc-full, %llu errors\n",
		    (unsigned long long)gs.rx_frames, (unsigned long long)gs.rx_bytes,
		    (unsigned long long)gs.rx_nomem, (unsigned long long)gs.rx_csum_hw,
		    (unsigned long long)gs.tx_frames, (unsigned long long)gs.tx_nomem,
		    (unsigned long long)gs.tx_qdisc_full, (unsigned long long)gs.tx_errors);
	if (dev && !dev_qdisc_stats(dev, &qs))
		seq_buf_printf(pg, "  qdisc pfifo limit %u: sent %llu pkt %llu bytes, backlog %u (max %u), "
		    "dropped %llu, requeues %llu\n", qs.limit, (unsigned long long)qs.packets,
		    (unsigned long long)qs.bytes, qs.backlog, qs.backlog_max,
		    (unsigned long long)qs.tx_dropped, (unsigned long long)qs.requeues);
}

static void put_proto(struct seq_buf *pg, const char *name, const struct stats_proto *p)
{
	seq_buf_printf(pg, "%s: xmit %u recv %u fw %u drop %u chkerr %u lenerr %u memerr %u "
	    "rterr %u proterr %u opterr %u err %u\n", name,
	    p->xmit, p->recv, p->fw, p->drop, p->chkerr, p->lenerr, p->memerr,
	    p->rterr, p->proterr, p->opterr, p->err);
}

static void put_svc(struct seq_buf *pg, const char *name, const struct svc_stats *s)
{
	seq_buf_printf(pg, "%s: tcp %llu accepted %llu closed %llu aborted, %llu bytes in %llu out; "
	    "udp %llu datagrams %llu bytes\n", name,
	    (unsigned long long)s->tcp_accepted, (unsigned long long)s->tcp_closed,
	    (unsigned long long)s->tcp_aborted, (unsigned long long)s->tcp_bytes_in,
	    (unsigned long long)s->tcp_bytes_out, (unsigned long long)s->udp_datagrams,
	    (unsigned long long)s->udp_bytes);
}

int net_status_page(char *buf, size_t size)
{
	struct seq_buf pg;
	u64 ns = ktime_get_ns();
	const struct stats_mem *tcp_pcbs = lwip_stats.memp[MEMP_TCP_PCB];
	struct svc_conn_stats slots;
	u64 sn_processed = 0, sn_dropped = 0, sn_squeeze = 0;
	struct netif *n;

	/* summed over the CPUs: NET_RX runs where the interrupt went */
	for (unsigned int c = 0; c < nr_cpu_ids_online(); c++) {
		const struct softnet_data *sd = softnet_data_cpu(c);

		sn_processed += READ_ONCE(sd->processed);
		sn_dropped += READ_ONCE(sd->dropped);
		sn_squeeze += READ_ONCE(sd->time_squeeze);
	}
	seq_buf_init(&pg, buf, size);
	seq_buf_printf(&pg, "barenet " BARENET_VERSION " (x86-64)\n");
	seq_buf_printf(&pg, "uptime: %llu.%03llu s\n", (unsigned long long)(ns / NSEC_PER_SEC),
	    (unsigned long long)(ns % NSEC_PER_SEC / NSEC_PER_MSEC));
	seq_buf_printf(&pg, "\n[interfaces]\n");
	NETIF_FOREACH(n)
		put_netif(&pg, n);
	seq_buf_printf(&pg, "\n[lwip]\n");
	put_proto(&pg, "link", &lwip_stats.link);
	put_proto(&pg, "etharp", &lwip_stats.etharp);
	put_proto(&pg, "ip", &lwip_stats.ip);
	put_proto(&pg, "icmp", &lwip_stats.icmp);
	put_proto(&pg, "ip6", &lwip_stats.ip6);
	put_proto(&pg, "icmp6", &lwip_stats.icmp6);
	put_proto(&pg, "udp", &lwip_stats.udp);
	put_proto(&pg, "tcp", &lwip_stats.tcp);
	seq_buf_printf(&pg, "heap (kmalloc): used %llu max %llu, err %u\n",
	    (unsigned long long)lwip_stats.mem.used, (unsigned long long)lwip_stats.mem.max,
	    lwip_stats.mem.err);
	seq_buf_printf(&pg, "tcp pcbs: used %u max %u of %u, %d in TIME_WAIT\n",
	    (unsigned int)tcp_pcbs->used, (unsigned int)tcp_pcbs->max,
	    (unsigned int)tcp_pcbs->avail, net_tcp_timewait_count());
	seq_buf_printf(&pg, "loopback: %llu polls; timers: %llu runs\n",
	    (unsigned long long)net_loopback_polls(), (unsigned long long)net_timer_runs());
	seq_buf_printf(&pg, "softnet: %llu processed, %llu dropped, %llu time_squeeze\n",
	    (unsigned long long)sn_processed, (unsigned long long)sn_dropped,
	    (unsigned long long)sn_squeeze);
	seq_buf_printf(&pg, "\n[services]\n");
	put_svc(&pg, "echo", &svc_echo_stats);
	put_svc(&pg, "discard", &svc_discard_stats);
	put_svc(&pg, "http", &svc_http_stats);
	svc_conn_get_stats(&slots);
	seq_buf_printf(&pg, "slots: %u open, %u without a request; %llu refused (per source), "
	    "%llu idle closed (%llu reset), %llu evicted; %llu stalled reset, %llu orphans reset\n",
	    slots.open, slots.unserved, (unsigned long long)slots.refused,
	    (unsigned long long)slots.idle_closed, (unsigned long long)slots.idle_reset,
	    (unsigned long long)slots.evicted, (unsigned long long)tcp_stall_aborts,
	    (unsigned long long)tcp_orphan_aborts);
	seq_buf_printf(&pg, "iperf: %llu runs, last %llu bytes at %llu kbit/s\n",
	    (unsigned long long)svc_iperf_runs, (unsigned long long)svc_iperf_last_bytes,
	    (unsigned long long)svc_iperf_last_kbps);
	return seq_buf_used(&pg);
}
