/* `ping [-4|-6] [-c count] [-i interval] [-W timeout] address` from the
 * guest: ICMP/ICMPv6 echo through a lwIP raw PCB, printing what iputils'
 * ping prints (its lines, the blank line and the statistics).
 *
 * ping runs in the session's shell thread: it sends under the core lock,
 * then sleeps (a tick at most) while replies arrive in NET_RX (the raw
 * PCB's callback notes them in a small ring this loop prints from, and
 * wakes the thread).  Each run has its own state, so two sessions may
 * ping at once.
 * Without -c it runs until Ctrl-C, as iputils does; with -c it stops after
 * the last reply or -W seconds (default 10) after the last request.  A
 * Ctrl-C typed on the console stops it at any time with the statistics. */
#include "kernel/shell/shell.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "net/lwip/core_lock.h"
#include "lwip/icmp.h"
#include "lwip/icmp6.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/ip6.h"
#include "lwip/raw.h"
#include "lwip/snmp.h"
#include "lwip/stats.h"
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

#define PING_DATALEN     56      /* iputils' default payload */
#define ICMP_HLEN        8       /* type, code, checksum, id, sequence */
#define ICMP6_CSUM_OFF   2       /* lwIP fills the ICMPv6 checksum here */
#define IP6_HOPLIM_OFF   7       /* RFC 8200 3 */
#define PING_RING        32      /* replies not yet printed */
#define PING_SENT_MAX    1024    /* send times kept (sequence modulo) */
#define PING_WAIT_DEFAULT_S 10   /* iputils' MAXWAIT */
#define PING_INTERVAL_MIN_MS 1
#define CTRL_C           0x03
#define NS_PER_US        1000ull
#define US_PER_MS        1000ull
#define MS_PER_S         1000ull

struct ping_reply {
	u16 seq;
	u8 ttl;
	u16 bytes;
	u64 rtt_us;
};

struct ping_state {
	struct task_struct *task;       /* the shell thread running this ping */
	bool v6;
	u16 id;
	u64 sent_ns[PING_SENT_MAX];
	u32 ntransmitted;
	struct ping_reply ring[PING_RING];
	u32 head, tail;                 /* head: written by NET_RX, tail: by ping */
	u32 lost_ring;                  /* replies the full ring could not hold */
	u8 seen[PING_SENT_MAX / 8];     /* duplicate detection */
};

/* raw PCB callback (NET_RX, core lock held): p points at the IP header.
 * Returns 0 so that lwIP's ICMP code counts the reply (InEchoReps). */
static u8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	struct ping_state *ps = arg;
	u8 hdr[IP6_HLEN + ICMP_HLEN];
	unsigned int ihl, want_type;
	struct ping_reply r;
	u16 id, seq;
	u32 h;

	(void)pcb;
	(void)addr;
	if (pbuf_copy_partial(p, hdr, MIN(sizeof(hdr), p->tot_len), 0) < IP_HLEN + ICMP_HLEN)
		return 0;
	if (ps->v6) {
		ihl = IP6_HLEN;
		want_type = ICMP6_TYPE_EREP;
		r.ttl = hdr[IP6_HOPLIM_OFF];
		if (p->tot_len < IP6_HLEN + ICMP_HLEN)
			return 0;
	} else {
		ihl = (hdr[0] & 0x0f) * 4;
		want_type = ICMP_ER;
		r.ttl = IPH_TTL((const struct ip_hdr *)hdr);
		if (ihl > IP_HLEN || p->tot_len < ihl + ICMP_HLEN)
			return 0;
		pbuf_copy_partial(p, hdr + ihl, ICMP_HLEN, (u16)ihl);
	}
	if (hdr[ihl] != want_type)
		return 0;
	id = (u16)(hdr[ihl + 4] << 8 | hdr[ihl + 5]);
	seq = (u16)(hdr[ihl + 6] << 8 | hdr[ihl + 7]);
	if (id != ps->id || seq == 0 || seq > ps->ntransmitted)
		return 0;
	r.seq = seq;
	r.bytes = (u16)(p->tot_len - ihl);
	r.rtt_us = (ktime_get_ns() - ps->sent_ns[seq % PING_SENT_MAX]) / NS_PER_US;
	h = ps->head;
	if (h - READ_ONCE(ps->tail) >= PING_RING) {
		ps->lost_ring++;
		return 0;
	}
	ps->ring[h % PING_RING] = r;
	WRITE_ONCE(ps->head, h + 1);
	wake_up_process(ps->task);
	return 0;
}

/* one echo request; 0 or a negative errno */
static int ping_send(struct ping_state *ps, struct raw_pcb *pcb, const ip_addr_t *dst, u16 seq)
{
	struct pbuf *p = pbuf_alloc(PBUF_IP, ICMP_HLEN + PING_DATALEN, PBUF_RAM);
	u8 *b;
	err_t err;

	if (!p)
		return -ENOMEM;
	b = p->payload;
	b[0] = ps->v6 ? ICMP6_TYPE_EREQ : ICMP_ECHO;
	b[1] = 0;
	b[2] = b[3] = 0;
	b[4] = (u8)(ps->id >> 8);
	b[5] = (u8)ps->id;
	b[6] = (u8)(seq >> 8);
	b[7] = (u8)seq;
	for (unsigned int i = 0; i < PING_DATALEN; i++)
		b[ICMP_HLEN + i] = (u8)i;       /* iputils' fill after its timestamp */
	if (!ps->v6) {
		u16 c = inet_chksum(b, ICMP_HLEN + PING_DATALEN);

		memcpy(b + 2, &c, sizeof(c));
	}
	ps->seen[(seq % PING_SENT_MAX) / 8] &= (u8)~BIT(seq % 8);
	ps->sent_ns[seq % PING_SENT_MAX] = ktime_get_ns();
	net_core_lock();
	err = raw_sendto(pcb, p, dst);
	if (err == ERR_OK && !ps->v6) {
		/* RFC 2011: an application's echo requests count too */
		MIB2_STATS_INC(mib2.icmpoutmsgs);
		MIB2_STATS_INC(mib2.icmpoutechos);
	}
	net_core_unlock();
	pbuf_free(p);
	return err == ERR_OK ? 0 : -ENETDOWN;
}

/* "0.2" seconds into milliseconds; -EINVAL when not a number */
static int parse_seconds(const char *s, u64 *ms)
{
	u64 whole = 0, frac = 0, scale = MS_PER_S;
	const char *p = s;

	if (!*p)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++)
		whole = whole * 10 + (u64)(*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale > 1) {
				scale /= 10;
				frac += (u64)(*p - '0') * scale;
			}
	if (*p || whole > 1000000)
		return -EINVAL;
	*ms = whole * MS_PER_S + frac;
	return 0;
}

/* integer square root (no floating point in the kernel) */
static u64 isqrt(u64 v)
{
	u64 r = 0, bit = 1ull << 62;

	while (bit > v)
		bit >>= 2;
	while (bit) {
		if (v >= r + bit) {
			v -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* iputils prints fewer decimals for longer times */
static void print_rtt(u64 us)
{
	if (us >= 100000 - 50)
		shell_printf(" time=%llu ms\n", (unsigned long long)((us + 500) / 1000));
	else if (us >= 10000 - 5)
		shell_printf(" time=%llu.%01llu ms\n", (unsigned long long)((us + 50) / 1000),
			     (unsigned long long)((us + 50) % 1000 / 100));
	else if (us >= 1000)
		shell_printf(" time=%llu.%02llu ms\n", (unsigned long long)((us + 5) / 1000),
			     (unsigned long long)((us + 5) % 1000 / 10));
	else
		shell_printf(" time=%llu.%03llu ms\n", (unsigned long long)(us / 1000),
			     (unsigned long long)(us % 1000));
}

static int usage(void)
{
	shell_puts("Usage: ping [-4|-6] [-c count] [-i interval] [-W timeout] destination\n");
	return 2;
}

static int cmd_ping(int argc, char **argv)
{
	u64 interval_ms = MS_PER_S, wait_ms = PING_WAIT_DEFAULT_S * MS_PER_S;
	u64 start, next_send, last_send = 0, tsum = 0, tsum2 = 0, tmin = ~0ull, tmax = 0;
	unsigned long count = 0;
	const char *host = NULL;
	u32 nreceived = 0, ndup = 0;
	int want = 0;                   /* 4, 6, or 0: by the address */
	bool stop = false;
	struct raw_pcb *pcb;
	ip_addr_t dst;
	char abuf[IP6ADDR_STRLEN_MAX];
	struct ping_state *ps;
	int rc;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "-4") || !strcmp(argv[i], "-6")) {
			want = argv[i][1] - '0';
		} else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			count = strtoul(argv[++i], &end, 10);
			if (*end || !*argv[i] || count == 0 || count > 0xffff) {
				shell_printf("ping: invalid argument: '%s': out of range: 1 <= value "
					     "<= %u\n", argv[i], 0xffffu);
				return 1;
			}
		} else if (!strcmp(argv[i], "-i") && i + 1 < argc) {
			if (parse_seconds(argv[++i], &interval_ms) ||
			    interval_ms < PING_INTERVAL_MIN_MS) {
				shell_printf("ping: bad timing interval: %s\n", argv[i]);
				return 1;
			}
		} else if (!strcmp(argv[i], "-W") && i + 1 < argc) {
			if (parse_seconds(argv[++i], &wait_ms)) {
				shell_printf("ping: bad linger time: %s\n", argv[i]);
				return 1;
			}
		} else if (argv[i][0] == '-' || host) {
			return usage();
		} else {
			host = argv[i];
		}
	}
	if (!host)
		return usage();
	if (!ipaddr_aton(host, &dst) || (want == 4 && !IP_IS_V4(&dst)) ||
	    (want == 6 && !IP_IS_V6(&dst))) {
		shell_printf("ping: %s: %s\n", host, want == 6 ? "Address family for hostname not "
			     "supported" : "Name or service not known");
		return 2;
	}
	ps = kzalloc(sizeof(*ps));
	if (!ps)
		return shell_error("ping", "%s", errno_desc(-ENOMEM));
	ps->task = current;
	ps->v6 = IP_IS_V6(&dst);
	ps->id = (u16)(ktime_get_ns() >> 10);
	net_core_lock();
	if (!ip_route(IP46_ADDR_ANY(IP_GET_TYPE(&dst)), &dst)) {
		net_core_unlock();
		kfree(ps);
		shell_puts("ping: connect: Network is unreachable\n");
		return 2;
	}
	pcb = raw_new_ip_type(ps->v6 ? IPADDR_TYPE_V6 : IPADDR_TYPE_V4,
			      ps->v6 ? IP6_NEXTH_ICMP6 : IP_PROTO_ICMP);
	if (pcb) {
		if (ps->v6) {
			pcb->chksum_reqd = 1;
			pcb->chksum_offset = ICMP6_CSUM_OFF;
		}
		raw_recv(pcb, ping_recv, ps);
	}
	net_core_unlock();
	if (!pcb) {
		kfree(ps);
		return shell_error("ping", "%s", errno_desc(-ENOMEM));
	}

	ipaddr_ntoa_r(&dst, abuf, sizeof(abuf));
	for (char *q = abuf; *q; q++)
		*q = (char)tolower((unsigned char)*q);     /* as iputils prints it */
	if (ps->v6)
		shell_printf("PING %s(%s) %d data bytes\n", host, abuf, PING_DATALEN);
	else
		shell_printf("PING %s (%s) %d(%d) bytes of data.\n", host, abuf, PING_DATALEN,
			     PING_DATALEN + ICMP_HLEN + IP_HLEN);
	start = next_send = ktime_get_ns();
	while (!stop) {
		u64 now = ktime_get_ns();
		int c;

		if ((!count || ps->ntransmitted < count) && now >= next_send) {
			ps->ntransmitted++;
			if (ping_send(ps, pcb, &dst, (u16)ps->ntransmitted))
				shell_puts("ping: sendmsg: No buffer space available\n");
			last_send = now;
			next_send = now + interval_ms * NS_PER_US * US_PER_MS;
		}
		while (READ_ONCE(ps->tail) != READ_ONCE(ps->head)) {
			struct ping_reply r = ps->ring[ps->tail % PING_RING];
			bool dup = ps->seen[(r.seq % PING_SENT_MAX) / 8] & BIT(r.seq % 8);

			WRITE_ONCE(ps->tail, ps->tail + 1);
			ps->seen[(r.seq % PING_SENT_MAX) / 8] |= (u8)BIT(r.seq % 8);
			if (dup) {
				ndup++;
			} else {
				nreceived++;
				tsum += r.rtt_us;
				tsum2 += r.rtt_us * r.rtt_us;
				tmin = MIN(tmin, r.rtt_us);
				tmax = MAX(tmax, r.rtt_us);
			}
			shell_printf("%u bytes from %s: icmp_seq=%u ttl=%u", r.bytes, abuf, r.seq,
				     r.ttl);
			if (dup)
				shell_puts(" (DUP!)");
			print_rtt(r.rtt_us);
		}
		while ((c = shell_getc()) >= 0)
			if (c == CTRL_C) {
				shell_puts("^C");
				stop = true;
			}
		if (shell_hungup())
			stop = true;
		if (count && ps->ntransmitted >= count &&
		    (nreceived >= count || now - last_send >= wait_ms * NS_PER_US * US_PER_MS))
			stop = true;
		/* a reply (ping_recv wakes us), a key, the next send: at most
		 * a tick away */
		set_current_state(TASK_UNINTERRUPTIBLE);
		if (!stop && READ_ONCE(ps->tail) == READ_ONCE(ps->head))
			schedule_timeout(1);
		set_current_state(TASK_RUNNING);
	}
	net_core_lock();
	raw_remove(pcb);
	net_core_unlock();

	shell_printf("\n--- %s ping statistics ---\n", host);
	shell_printf("%u packets transmitted, %u received", ps->ntransmitted, nreceived);
	if (ndup)
		shell_printf(", +%u duplicates", ndup);
	shell_printf(", %u%% packet loss, time %llums\n",
		     ps->ntransmitted ? (ps->ntransmitted - nreceived) * 100 / ps->ntransmitted : 0,
		     (unsigned long long)((ktime_get_ns() - start) / (NS_PER_US * US_PER_MS)));
	if (nreceived) {
		u64 avg = tsum / nreceived, mdev = isqrt(tsum2 / nreceived - avg * avg);

		shell_printf("rtt min/avg/max/mdev = %llu.%03llu/%llu.%03llu/%llu.%03llu/"
			     "%llu.%03llu ms\n",
			     (unsigned long long)(tmin / 1000), (unsigned long long)(tmin % 1000),
			     (unsigned long long)(avg / 1000), (unsigned long long)(avg % 1000),
			     (unsigned long long)(tmax / 1000), (unsigned long long)(tmax % 1000),
			     (unsigned long long)(mdev / 1000), (unsigned long long)(mdev % 1000));
	}
	rc = nreceived ? 0 : 1;
	kfree(ps);
	return rc;
}
SHELL_CMD("ping", cmd_ping, "ICMP echo: ping [-4|-6] [-c count] [-i interval] [-W timeout] addr");
