/* /proc/net/tcp and /proc/net/udp: lwIP's PCBs in Linux's layout
 * (net/ipv4/tcp_ipv4.c get_tcp4_sock/get_timewait4_sock, net/ipv4/udp.c
 * udp4_format_sock, Linux 6.1), so that ss's and netstat's legacy parsers
 * read them.  Addresses are the 32-bit word as it lies in memory (network
 * order) printed as a number on this little-endian CPU, ports in host
 * order: 127.0.0.1:80 is 0100007F:0050, as on Linux/x86.
 *
 * /proc/net/tcp6 and udp6 list AF_INET6 sockets (IPv4 peers as v4-mapped
 * addresses, as Linux) and IPv6-only PCBs; tcp and udp the rest: PCBs
 * bound to IPv4 or to any address (lwIP's dual-stack IPADDR_TYPE_ANY,
 * which the services use).  A PCB of a socket (net/socket/) shows the
 * socket's inode, its queues (UDP rx_queue: the truesize charged, as
 * Linux's sk_rmem_alloc; TCP: unread and unacknowledged bytes; a listener:
 * waiting connections, and tx_queue 0 as Linux's) and its drops; the
 * services' PCBs have no socket: inode 0.  uid is 0 and the kernel
 * pointer 0, as an unprivileged reader sees it on Linux. */
#include "fs/view.h"
#include "lib/seq_buf.h"
#include "net/lwip/core_lock.h"
#include "net/socket/sock_internal.h"
#include "lwip/ip_addr.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/priv/tcp_priv.h"

/* Linux's line widths (seq_setwidth before seq_pad): TMPSZ - 1, 128 - 1 */
#define TCP_LINE_WIDTH 149
#define UDP_LINE_WIDTH 127
/* USER_HZ: the clock_t unit of the timer columns */
#define USER_HZ 100
#define MS_TO_CLOCK_T(ms) ((ms) / (1000 / USER_HZ))
/* Linux's udp hash table of a small machine (UDP_HTABLE_SIZE_MIN): sl is
 * the local port's slot in it */
#define UDP_HTABLE_MASK 255
/* Linux include/net/tcp_states.h */
enum {
	LTCP_ESTABLISHED = 1, LTCP_SYN_SENT, LTCP_SYN_RECV, LTCP_FIN_WAIT1, LTCP_FIN_WAIT2,
	LTCP_TIME_WAIT, LTCP_CLOSE, LTCP_CLOSE_WAIT, LTCP_LAST_ACK, LTCP_LISTEN, LTCP_CLOSING,
};
/* the timer column: 0 none, 1 retransmit, 3 TIME_WAIT */
#define TIMER_NONE       0
#define TIMER_RETRANSMIT 1
#define TIMER_TIMEWAIT   3
/* Linux's delayed-ACK timeout (TCP_ATO_MIN) has no lwIP counterpart; lwIP
 * sends delayed ACKs from its fast timer */
#define LWIP_ATO_MS      TCP_TMR_INTERVAL

u8 linux_tcp_state(int st)
{
	switch (st) {
	case LISTEN:      return LTCP_LISTEN;
	case SYN_SENT:    return LTCP_SYN_SENT;
	case SYN_RCVD:    return LTCP_SYN_RECV;
	case ESTABLISHED: return LTCP_ESTABLISHED;
	case FIN_WAIT_1:  return LTCP_FIN_WAIT1;
	case FIN_WAIT_2:  return LTCP_FIN_WAIT2;
	case CLOSE_WAIT:  return LTCP_CLOSE_WAIT;
	case CLOSING:     return LTCP_CLOSING;
	case LAST_ACK:    return LTCP_LAST_ACK;
	case TIME_WAIT:   return LTCP_TIME_WAIT;
	default:          return LTCP_CLOSE;
	}
}

/* which file a PCB is listed in: the IPv6 one for an AF_INET6 socket's
 * and an IPv6-only PCB */
static bool pcb_is_v6(const void *pcb, const ip_addr_t *local, const struct sock_proc_info *si,
		      bool has_sock)
{
	(void)pcb;
	if (has_sock)
		return si->family == AF_INET6;
	return IP_IS_V6(local);
}

/* an address as /proc/net/tcp6 prints it: four 32-bit words as they lie
 * in memory, IPv4 as v4-mapped */
static void put_v6(struct seq_buf *s, const ip_addr_t *a)
{
	u32 w[4] = { 0, 0, 0, 0 };

	if (IP_IS_V6(a)) {
		for (int i = 0; i < 4; i++)
			w[i] = ip_2_ip6(a)->addr[i];
	} else if (IP_IS_V4(a) && !ip4_addr_isany_val(*ip_2_ip4(a))) {
		w[2] = PP_HTONL(0xffff);
		w[3] = ip4_addr_get_u32(ip_2_ip4(a));
	}
	seq_buf_printf(s, "%08X%08X%08X%08X", w[0], w[1], w[2], w[3]);
}

/* the address as /proc prints it; false for an IPv6 address */
static bool v4_word(const ip_addr_t *a, u32 *out)
{
	if (IP_IS_ANY_TYPE_VAL(*a)) {
		*out = 0;
		return true;
	}
	if (!IP_IS_V4(a))
		return false;
	*out = ip4_addr_get_u32(ip_2_ip4(a));
	return true;
}

/* pad the line that started at start to width, then end it (seq_pad) */
static void pad_line(struct seq_buf *s, size_t start, size_t width)
{
	size_t used = s->len - start;

	if (used < width)
		seq_buf_printf(s, "%*s", (int)(width - used), "");
	seq_buf_puts(s, "\n");
}

static u32 ssthresh_pkts(const struct tcp_pcb *p)
{
	return p->mss ? (u32)p->ssthresh / p->mss : 0;
}

static void tcp_line(struct seq_buf *s, int i, const struct tcp_pcb *p, bool v6)
{
	u32 src = 0, dst = 0, tx = 0, rx = 0, when = 0;
	size_t start = s->len;
	int timer = TIMER_NONE;
	struct sock_proc_info si = { 0 };
	bool has = sock_proc_lookup(p, &si);

	if (pcb_is_v6(p, &p->local_ip, &si, has) != v6)
		return;
	if (!v6 && (!v4_word(&p->local_ip, &src) || !v4_word(&p->remote_ip, &dst)))
		return;
	if (p->state != LISTEN) {
		tx = p->snd_lbb - p->lastack;
		rx = p->refused_data ? p->refused_data->tot_len : 0;
		if (p->rtime >= 0 && p->unacked) {
			timer = TIMER_RETRANSMIT;
			when = MS_TO_CLOCK_T((u32)MAX(p->rto - p->rtime, 0) * TCP_SLOW_INTERVAL);
		}
	} else {
#if TCP_LISTEN_BACKLOG
		rx = ((const struct tcp_pcb_listen *)p)->accepts_pending;
#endif
	}
	if (has) {
		rx = si.rx_queue;
		tx = si.tx_queue;
	}
	if (v6) {
		seq_buf_printf(s, "%4d: ", i);
		put_v6(s, &p->local_ip);
		seq_buf_printf(s, ":%04X ", p->local_port);
		put_v6(s, &p->remote_ip);
		seq_buf_printf(s, ":%04X", p->state == LISTEN ? 0 : p->remote_port);
	} else {
		seq_buf_printf(s, "%4d: %08X:%04X %08X:%04X", i, src, p->local_port, dst,
			       p->state == LISTEN ? 0 : p->remote_port);
	}
	seq_buf_printf(s, " %02X %08X:%08X %02X:%08X %08X %5u %8d %lu %d "
		       "%016x %u %u %u %u %d",
		       linux_tcp_state(p->state), tx, rx, timer, when,
		       p->state == LISTEN ? 0 : p->nrtx, 0u,
		       p->state == LISTEN ? 0 : p->persist_probe, si.ino, 1, 0,
		       p->state == LISTEN ? 0 : MS_TO_CLOCK_T((u32)p->rto * TCP_SLOW_INTERVAL),
		       MS_TO_CLOCK_T(LWIP_ATO_MS), 0u,
		       p->state == LISTEN ? 0 : (p->mss ? (u32)p->cwnd / p->mss : 0),
		       p->state == LISTEN ? 0 : (int)ssthresh_pkts(p));
	if (v6)
		seq_buf_puts(s, "\n");
	else
		pad_line(s, start, TCP_LINE_WIDTH);
}

/* get_timewait4_sock: expiry in clock_t, lwIP ends TIME_WAIT after 2*MSL */
static void tw_line(struct seq_buf *s, int i, const struct tcp_pcb *p, bool v6)
{
	u32 src = 0, dst = 0, age_ms = (tcp_ticks - p->tmr) * TCP_SLOW_INTERVAL;
	u32 left = age_ms < 2 * TCP_MSL ? 2 * TCP_MSL - age_ms : 0;
	size_t start = s->len;

	if (IP_IS_V6(&p->local_ip) != v6)
		return;
	if (v6) {
		seq_buf_printf(s, "%4d: ", i);
		put_v6(s, &p->local_ip);
		seq_buf_printf(s, ":%04X ", p->local_port);
		put_v6(s, &p->remote_ip);
		seq_buf_printf(s, ":%04X", p->remote_port);
	} else {
		if (!v4_word(&p->local_ip, &src) || !v4_word(&p->remote_ip, &dst))
			return;
		seq_buf_printf(s, "%4d: %08X:%04X %08X:%04X", i, src, p->local_port, dst,
			       p->remote_port);
	}
	seq_buf_printf(s, " %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016x",
		       LTCP_TIME_WAIT, 0, 0, TIMER_TIMEWAIT, MS_TO_CLOCK_T(left), 0, 0, 0, 0, 1, 0);
	if (v6)
		seq_buf_puts(s, "\n");
	else
		pad_line(s, start, TCP_LINE_WIDTH);
}

static int tcp_show_family(char *buf, size_t size, bool v6)
{
	struct seq_buf s;
	size_t start;
	int i = 0;

	seq_buf_init(&s, buf, size);
	start = s.len;
	if (v6) {
		seq_buf_puts(&s, "  sl  local_address                         remote_address"
			     "                        st tx_queue rx_queue tr tm->when retrnsmt"
			     "   uid  timeout inode\n");
	} else {
		seq_buf_puts(&s, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
			     "retrnsmt   uid  timeout inode");
		pad_line(&s, start, TCP_LINE_WIDTH);
	}
	net_core_lock();
	/* Linux walks the listening hash, then the established one (which
	 * holds TIME_WAIT too) */
	for (const struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next) {
		size_t before = s.len;

		tcp_line(&s, i, (const struct tcp_pcb *)l, v6);
		i += s.len != before;
	}
	for (const struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next) {
		size_t before = s.len;

		tcp_line(&s, i, p, v6);
		i += s.len != before;
	}
	for (const struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next) {
		size_t before = s.len;

		tw_line(&s, i, p, v6);
		i += s.len != before;
	}
	net_core_unlock();
	return seq_buf_used(&s);
}

static int tcp_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
	return tcp_show_family(buf, size, false);
}
VIEW("/proc/net/tcp", tcp_show);

static int tcp6_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
	return tcp_show_family(buf, size, true);
}
VIEW("/proc/net/tcp6", tcp6_show);

static int udp_show_family(char *buf, size_t size, bool v6)
{
	struct seq_buf s;
	size_t start;

	seq_buf_init(&s, buf, size);
	start = s.len;
	if (v6) {
		seq_buf_puts(&s, "  sl  local_address                         remote_address"
			     "                        st tx_queue rx_queue tr tm->when retrnsmt"
			     "   uid  timeout inode ref pointer drops\n");
	} else {
		seq_buf_puts(&s, "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
			     "retrnsmt   uid  timeout inode ref pointer drops");
		pad_line(&s, start, UDP_LINE_WIDTH);
	}
	net_core_lock();
	for (const struct udp_pcb *p = udp_pcbs; p; p = p->next) {
		bool connected = p->flags & UDP_FLAGS_CONNECTED;
		struct sock_proc_info si = { 0 };
		bool has = sock_proc_lookup(p, &si);
		u32 src, dst;

		if (pcb_is_v6(p, &p->local_ip, &si, has) != v6)
			continue;
		start = s.len;
		if (v6) {
			seq_buf_printf(&s, "%5d: ", p->local_port & UDP_HTABLE_MASK);
			put_v6(&s, &p->local_ip);
			seq_buf_printf(&s, ":%04X ", p->local_port);
			put_v6(&s, &p->remote_ip);
			seq_buf_printf(&s, ":%04X", connected ? p->remote_port : 0);
		} else {
			if (!v4_word(&p->local_ip, &src) || !v4_word(&p->remote_ip, &dst))
				continue;
			seq_buf_printf(&s, "%5d: %08X:%04X %08X:%04X", p->local_port & UDP_HTABLE_MASK,
				       src, p->local_port, dst, connected ? p->remote_port : 0);
		}
		seq_buf_printf(&s, " %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %016x %u",
			       connected ? LTCP_ESTABLISHED : LTCP_CLOSE, si.tx_queue, si.rx_queue,
			       0, 0ul, 0, 0u, 0, si.ino, 2, 0, si.drops);
		if (v6)
			seq_buf_puts(&s, "\n");
		else
			pad_line(&s, start, UDP_LINE_WIDTH);
	}
	net_core_unlock();
	return seq_buf_used(&s);
}

static int udp_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
	return udp_show_family(buf, size, false);
}
VIEW("/proc/net/udp", udp_show);

static int udp6_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
	return udp_show_family(buf, size, true);
}
VIEW("/proc/net/udp6", udp6_show);
