/* Shell `ss`: sockets and lwIP's PCBs in iproute2's `ss -tuan` format
 * (Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port), from
 * the same fields /proc/net/{tcp,udp}{,6} show: a socket's queues (UDP:
 * the truesize charged; TCP: unread and unacknowledged bytes; a listener:
 * waiting connections and its backlog).  Options -t -u -a -l -n, as ss:
 * without -a or -l only connections, -l only listening and unconnected.
 * Addresses are always numeric (there is no name service). */
#include "net/socket/sock_internal.h"
#include "kernel/errno.h"
#include "kernel/shell/shell.h"
#include "net/lwip/core_lock.h"
#include "lwip/ip_addr.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/priv/tcp_priv.h"
#include <stdio.h>
#include <string.h>

#define SS_ROWS_MAX 128
#define SS_ADDR_LEN 64

struct ss_row {
	const char *netid, *state;
	u32 rq, sq;
	char local[SS_ADDR_LEN], lport[8], peer[SS_ADDR_LEN], pport[8];
	bool listening;                 /* LISTEN or UNCONN: shown with -l or -a */
};

static const char *tcp_state_name(enum tcp_state st)
{
	switch (st) {
	case LISTEN:      return "LISTEN";
	case SYN_SENT:    return "SYN-SENT";
	case SYN_RCVD:    return "SYN-RECV";
	case ESTABLISHED: return "ESTAB";
	case FIN_WAIT_1:  return "FIN-WAIT-1";
	case FIN_WAIT_2:  return "FIN-WAIT-2";
	case CLOSE_WAIT:  return "CLOSE-WAIT";
	case CLOSING:     return "CLOSING";
	case LAST_ACK:    return "LAST-ACK";
	case TIME_WAIT:   return "TIME-WAIT";
	default:          return "UNCONN";
	}
}

/* ss's address: a.b.c.d, [v6], * for a dual-stack wildcard */
static void ss_addr(char *out, const ip_addr_t *a, bool v6sock)
{
	char tmp[IP6ADDR_STRLEN_MAX];

	if (IP_IS_ANY_TYPE_VAL(*a)) {
		snprintf(out, SS_ADDR_LEN, "*");
		return;
	}
	if (IP_IS_V4(a) && v6sock) {
		ip4addr_ntoa_r(ip_2_ip4(a), tmp, sizeof(tmp));
		snprintf(out, SS_ADDR_LEN, "[::ffff:%s]", tmp);
	} else if (IP_IS_V4(a)) {
		ip4addr_ntoa_r(ip_2_ip4(a), out, SS_ADDR_LEN);
	} else {
		ip6addr_ntoa_r(ip_2_ip6(a), tmp, sizeof(tmp));
		snprintf(out, SS_ADDR_LEN, "[%s]", tmp);
	}
}

static void ss_port(char *out, u16 port, bool wild)
{
	if (wild)
		snprintf(out, 8, "*");
	else
		snprintf(out, 8, "%u", port);
}

static unsigned int ss_collect(struct ss_row *rows, bool tcp, bool udp)
{
	unsigned int n = 0;

	net_core_lock();
	for (const struct udp_pcb *p = udp ? udp_pcbs : NULL; p && n < SS_ROWS_MAX; p = p->next) {
		struct sock_proc_info si = { 0 };
		bool has = sock_proc_lookup(p, &si), conn = p->flags & UDP_FLAGS_CONNECTED;
		bool v6 = has && si.family == AF_INET6;
		struct ss_row *r = &rows[n++];

		r->netid = "udp";
		r->state = conn ? "ESTAB" : "UNCONN";
		r->listening = !conn;
		r->rq = si.rx_queue;
		r->sq = si.tx_queue;
		ss_addr(r->local, &p->local_ip, v6);
		ss_port(r->lport, p->local_port, false);
		ss_addr(r->peer, conn ? &p->remote_ip : &p->local_ip, v6);
		if (!conn && !IP_IS_ANY_TYPE_VAL(p->local_ip))
			ss_addr(r->peer, IP_IS_V6(&p->local_ip) ? IP6_ADDR_ANY : IP4_ADDR_ANY, v6);
		ss_port(r->pport, p->remote_port, !conn);
	}
	for (const struct tcp_pcb_listen *l = tcp ? tcp_listen_pcbs.listen_pcbs : NULL;
	     l && n < SS_ROWS_MAX; l = l->next) {
		struct sock_proc_info si = { 0 };
		bool has = sock_proc_lookup(l, &si), v6 = has && si.family == AF_INET6;
		struct ss_row *r = &rows[n++];

		r->netid = "tcp";
		r->state = "LISTEN";
		r->listening = true;
		r->rq = has ? si.rx_queue : 0;
#if TCP_LISTEN_BACKLOG
		r->sq = has ? si.backlog : l->backlog;
#else
		r->sq = si.backlog;
#endif
		ss_addr(r->local, &l->local_ip, v6);
		ss_port(r->lport, l->local_port, false);
		if (IP_IS_ANY_TYPE_VAL(l->local_ip))
			snprintf(r->peer, SS_ADDR_LEN, "*");
		else
			ss_addr(r->peer, IP_IS_V6(&l->local_ip) ? IP6_ADDR_ANY : IP4_ADDR_ANY, v6);
		ss_port(r->pport, 0, true);
	}
	for (int list = 0; list < 2 && tcp; list++) {
		for (const struct tcp_pcb *p = list ? tcp_tw_pcbs : tcp_active_pcbs;
		     p && n < SS_ROWS_MAX; p = p->next) {
			struct sock_proc_info si = { 0 };
			bool has = sock_proc_lookup(p, &si), v6 = has && si.family == AF_INET6;
			struct ss_row *r = &rows[n++];

			r->netid = "tcp";
			r->state = tcp_state_name(p->state);
			r->listening = false;
			r->rq = has ? si.rx_queue : (p->refused_data ? p->refused_data->tot_len : 0);
			r->sq = has ? si.tx_queue : p->snd_lbb - p->lastack;
			ss_addr(r->local, &p->local_ip, v6);
			ss_port(r->lport, p->local_port, false);
			ss_addr(r->peer, &p->remote_ip, v6);
			ss_port(r->pport, p->remote_port, false);
		}
	}
	net_core_unlock();
	return n;
}

static int cmd_ss(int argc, char **argv)
{
	static struct ss_row rows[SS_ROWS_MAX];
	bool tcp = false, udp = false, all = false, listening = false;
	int wl = 13, wp = 13;           /* "Local Address", "Peer Address" */
	unsigned int n;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-')
			return shell_error("ss", "unknown argument '%s'", argv[i]);
		for (const char *c = argv[i] + 1; *c; c++) {
			switch (*c) {
			case 't': tcp = true; break;
			case 'u': udp = true; break;
			case 'a': all = true; break;
			case 'l': listening = true; break;
			case 'n': break;        /* always numeric */
			default:
				return shell_error("ss", "unknown option -%c (use -t -u -a -l -n)", *c);
			}
		}
	}
	if (!tcp && !udp)
		tcp = udp = true;
	n = ss_collect(rows, tcp, udp);
	for (unsigned int i = 0; i < n; i++) {
		wl = MAX(wl, (int)(strlen(rows[i].local) + 1 + strlen(rows[i].lport)));
		wp = MAX(wp, (int)(strlen(rows[i].peer) + 1 + strlen(rows[i].pport)));
	}
	shell_printf("%-5s %-10s %-6s %-6s %*s:%-5s %*s:%-5s Process\n", "Netid", "State", "Recv-Q",
		     "Send-Q", wl - 5, "Local Address", "Port", wp - 5, "Peer Address", "Port");
	for (unsigned int i = 0; i < n; i++) {
		const struct ss_row *r = &rows[i];
		char rq[12], sq[12];

		if (!all && r->listening != listening)
			continue;
		snprintf(rq, sizeof(rq), "%u", r->rq);
		snprintf(sq, sizeof(sq), "%u", r->sq);
		shell_printf("%-5s %-10s %-6s %-6s %*s:%-5s %*s:%-5s\n", r->netid, r->state, rq, sq,
			     wl - 5, r->local, r->lport, wp - 5, r->peer, r->pport);
	}
	return 0;
}
SHELL_CMD("ss", cmd_ss, "sockets: ss [-tuanl] (iproute2's columns)");
