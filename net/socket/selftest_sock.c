/* selftest=sock: the kernel socket API over lwIP's loopback, from kernel
 * threads: a UDP server thread blocked in recvmsg woken by a datagram; a
 * TCP echo thread (accept, recv, send, FIN) against a client sending 48 KiB
 * with MSG_WAITALL reads; MSG_PEEK/MSG_TRUNC; a receive buffer of 4096
 * (8192 charged) under 50 datagrams: read + drops = sent, RcvbufErrors
 * grows by the drops; poll and a poll-table callback; non-blocking
 * connect (EINPROGRESS, then EPOLLOUT or EPOLLERR + SO_ERROR); a full
 * accept queue refused and counted (ListenOverflows); a datagram socket
 * read on CPU 0 (without the core lock, under its rx_lock) while NET_RX
 * on CPU 1 queues to it, counted and ordered exactly; the errors of bad
 * arguments, a closed port (ECONNREFUSED), timeouts and the SOCK_MAX limit
 * (ENFILE); SO_RCVBUF doubling and the rmem_max clamp, SO_SNDBUF's by
 * wmem_max, a new socket's buffers from rmem_default and wmem_default;
 * memory back to its baseline after every socket is closed.
 *
 * Also the shell's `socktest` (net/socket/socktest_cmd.c) for the tests that
 * need traffic from a host. */
#include "net/socket/sock_internal.h"
#include "fs/view.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/sched.h"
#include "kernel/selftest.h"
#include "kernel/time.h"
#include "net/core/dev.h"
#include "net/core/skbuff.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/syncookie.h"
#include <stdio.h>
#include <string.h>

#define T "sock"
#define LO 0x7f000001u
#define UDP_PORT 7101
#define UDP_PORT2 7102
#define UDP_PORT_SMP 7107
#define TCP_PORT 7103
#define TCP_PORT_BACKLOG 7104
#define CLOSED_PORT 7199
#define UDP6_PORT 7105
#define TCP6_PORT 7106
#define SNDTIMEO_MS 200
#define TCP_BYTES (48 * 1024)
#define FLOOD 50
/* datagrams CPU 1 queues while CPU 0 reads (test_udp_cross_cpu) */
#define SMP_DGRAMS 20000

static void sin_of(struct sockaddr_in *a, u32 ip, u16 port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = lwip_htonl(ip);
	a->sin_port = lwip_htons(port);
}

long sock_send_buf(struct socket *s, const void *buf, size_t len, int flags,
		   const struct sockaddr_in *to)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr m = { 0 };

	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (to) {
		m.msg_name = (void *)to;
		m.msg_namelen = sizeof(*to);
	}
	return sock_sendmsg(s, &m, flags);
}

long sock_recv_buf(struct socket *s, void *buf, size_t len, int flags,
		   struct sockaddr_in *from, int *msg_flags)
{
	struct iovec iov = { buf, len };
	struct msghdr m = { 0 };
	long n;

	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (from) {
		m.msg_name = from;
		m.msg_namelen = sizeof(*from);
	}
	n = sock_recvmsg(s, &m, flags);
	if (msg_flags)
		*msg_flags = m.msg_flags;
	return n;
}

static int set_int(struct socket *s, int level, int name, int v)
{
	return sock_setsockopt(s, level, name, &v, sizeof(v));
}

static int get_int(struct socket *s, int level, int name)
{
	unsigned int len = sizeof(int);
	int v = -1;

	return sock_getsockopt(s, level, name, &v, &len) ? -1 : v;
}

static int set_timeo(struct socket *s, int name, int ms)
{
	struct sock_timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return sock_setsockopt(s, SOL_SOCKET, name, &tv, sizeof(tv));
}

/* wait until one of the bits turns on (poll-style, up to ms) */
static unsigned int poll_for(struct socket *s, unsigned int bits, int ms)
{
	unsigned int m = 0;

	for (int i = 0; i < ms / 10; i++) {
		m = sock_poll(s, NULL);
		if (m & bits)
			return m;
		msleep(10);
	}
	return m;
}

/* --- UDP --- */

static int udp_server(void *data)
{
	struct socket *s = data;
	struct sockaddr_in from;
	char buf[64];
	long n = sock_recv_buf(s, buf, sizeof(buf), 0, &from, NULL);

	if (n < 0)
		return (int)n;
	return (int)sock_send_buf(s, buf, (size_t)n, 0, &from);
}

static int test_udp(void)
{
	struct socket *srv = NULL, *cli = NULL;
	struct task_struct *t = NULL;
	struct sockaddr_in a, from;
	char buf[200];
	u64 read0 = udp_sock_mib.read, rbe0 = udp_sock_mib.rcvbuf_errors, hits0;
	int rc = 0, fl = 0, drops, got = 0;
	long n;

	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_DGRAM, 0, &srv) == 0);
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_DGRAM, IPPROTO_UDP, &cli) == 0);
	sin_of(&a, LO, UDP_PORT);
	SELFTEST_CHECK(T, sock_bind(srv, (struct sockaddr *)&a, sizeof(a)) == 0);
	SELFTEST_CHECK(T, sock_bind(srv, (struct sockaddr *)&a, sizeof(a)) == -EINVAL);
	t = kthread_run(udp_server, srv, "sock-udp");
	SELFTEST_CHECK(T, t != NULL);
	msleep(50);                             /* the server sleeps in recvmsg */
	SELFTEST_CHECK(T, set_timeo(cli, SO_RCVTIMEO, 2000) == 0);
	SELFTEST_CHECK(T, sock_send_buf(cli, "hello", 5, 0, &a) == 5);
	n = sock_recv_buf(cli, buf, sizeof(buf), 0, &from, NULL);
	SELFTEST_CHECK(T, n == 5 && !memcmp(buf, "hello", 5));
	SELFTEST_CHECK(T, from.sin_port == lwip_htons(UDP_PORT) && from.sin_addr.s_addr == lwip_htonl(LO));
	SELFTEST_CHECK(T, kthread_stop(t) == 5);
	t = NULL;
	SELFTEST_CHECK(T, udp_sock_mib.read - read0 == 2);

	/* MSG_PEEK, MSG_TRUNC: a 100-byte datagram into 10 bytes */
	memset(buf, 'x', 100);
	SELFTEST_CHECK(T, sock_send_buf(cli, buf, 100, 0, &a) == 100);
	SELFTEST_CHECK(T, set_timeo(srv, SO_RCVTIMEO, 2000) == 0);
	n = sock_recv_buf(srv, buf, 10, MSG_PEEK, NULL, &fl);
	SELFTEST_CHECK(T, n == 10 && (fl & MSG_TRUNC));
	SELFTEST_CHECK(T, sock_poll(srv, NULL) & EPOLLIN);
	n = sock_recv_buf(srv, buf, 10, MSG_TRUNC, NULL, &fl);
	SELFTEST_CHECK(T, n == 100 && (fl & MSG_TRUNC));
	SELFTEST_CHECK(T, !(sock_poll(srv, NULL) & EPOLLIN));
	SELFTEST_CHECK(T, sock_recv_buf(srv, buf, 10, MSG_DONTWAIT, NULL, NULL) == -EAGAIN);
	/* SO_RCVTIMEO runs out */
	SELFTEST_CHECK(T, set_timeo(srv, SO_RCVTIMEO, 100) == 0);
	SELFTEST_CHECK(T, sock_recv_buf(srv, buf, 10, 0, NULL, NULL) == -EAGAIN);

	/* a 4096-byte buffer (8192 charged) under a burst nobody reads */
	SELFTEST_CHECK(T, set_int(srv, SOL_SOCKET, SO_RCVBUF, 4096) == 0);
	SELFTEST_CHECK(T, get_int(srv, SOL_SOCKET, SO_RCVBUF) == 8192);
	memset(buf, 'y', sizeof(buf));
	hits0 = READ_ONCE(udp_txbuf_hits);
	for (int i = 0; i < FLOOD; i++)
		SELFTEST_CHECK(T, sock_send_buf(cli, buf, sizeof(buf), 0, &a) == (long)sizeof(buf));
	/* each send's buffer came back (the loopback copies it) and the next
	 * send took it from the free list, not from kmalloc */
	pr_info("sock: test: %d sends, %llu from the send-buffer cache\n", FLOOD,
		(unsigned long long)(READ_ONCE(udp_txbuf_hits) - hits0));
	SELFTEST_CHECK(T, READ_ONCE(udp_txbuf_hits) - hits0 >= (u64)FLOOD - 1);
	msleep(200);
	net_core_lock();
	drops = (int)srv->sk->drops;
	net_core_unlock();
	while (sock_recv_buf(srv, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL) == (long)sizeof(buf))
		got++;
	pr_info("sock: test: rcvbuf 8192, %d datagrams: %d read, %d dropped\n", FLOOD, got, drops);
	SELFTEST_CHECK(T, drops > 0 && got > 0 && got + drops == FLOOD);
	SELFTEST_CHECK(T, udp_sock_mib.rcvbuf_errors - rbe0 == (u64)drops);
out:
	if (t)
		kthread_stop(t);
	sock_release(srv);
	sock_release(cli);
	return rc;
}

/* CPU 1's side of test_udp_cross_cpu: SMP_DGRAMS sequence numbers sent
 * over loopback; the loopback napi that queues them on the reader's socket
 * runs in this CPU's NET_RX (net_loopback_kick at the send's unlock) */
struct udp_smp {
	struct socket *cli;
	struct sockaddr_in to;
	int sent;                       /* datagrams sent or being sent (READ_ONCE) */
	int cpu;                        /* where the sender ran */
};

static int udp_smp_sender(void *data)
{
	struct udp_smp *x = data;

	x->cpu = (int)smp_processor_id();
	for (u32 seq = 0; seq < SMP_DGRAMS; seq++) {
		/* counted first: the reader may have it before the send returns */
		WRITE_ONCE(x->sent, (int)seq + 1);
		if (sock_send_buf(x->cli, &seq, sizeof(seq), 0, &x->to) != sizeof(seq))
			return -EIO;
	}
	return 0;
}

/* A datagram socket's reader takes the queue's rx_lock, not the core lock
 * (net/socket/socket.c), so its dequeue and the queueing callback in
 * another CPU's NET_RX run at once: here CPU 0 reads (non-blocking, every
 * fourth read blocking: sk_wait_dgram woken across CPUs; every eighth
 * after a MSG_PEEK) while CPU 1's NET_RX queues, the queue kept near
 * empty, where unlinking the head and linking a tail touch the same
 * pointers.  Each datagram is read once, in order, or dropped and counted
 * (SO_RCVBUF 4096, 8192 charged); the queue and its charge end at zero.
 * Without the lock datagrams are lost (a tail linked behind a head being
 * unlinked) and the counts drift (rmem_alloc, rx_count). */
static int test_udp_cross_cpu(void)
{
	struct socket *srv = NULL;
	struct task_struct *t = NULL;
	struct udp_smp x = { 0 };
	u64 read0 = udp_sock_mib.read, rbe0 = udp_sock_mib.rcvbuf_errors;
	int rc = 0, got = 0, peeks = 0, waits = 0, drops, left;
	u32 seq, peeked = ~0u, expect = 0;
	long n;

	if (nr_cpu_ids_online() < 2) {
		pr_info("sock: test: cross-CPU reads skipped (one CPU)\n");
		return 0;
	}
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_DGRAM, 0, &srv) == 0);
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_DGRAM, 0, &x.cli) == 0);
	sin_of(&x.to, LO, UDP_PORT_SMP);
	SELFTEST_CHECK(T, sock_bind(srv, (struct sockaddr *)&x.to, sizeof(x.to)) == 0);
	SELFTEST_CHECK(T, set_int(srv, SOL_SOCKET, SO_RCVBUF, 4096) == 0);
	/* a blocking read that waits this long lost its wake-up (or the host
	 * stalled the guest that long) */
	SELFTEST_CHECK(T, set_timeo(srv, SO_RCVTIMEO, 5000) == 0);
	t = kthread_create(udp_smp_sender, &x, "sock-smp");
	SELFTEST_CHECK(T, t != NULL);
	SELFTEST_CHECK(T, kthread_bind(t, 1) == 0);
	wake_up_process(t);
	for (int i = 0;; i++) {
		int sent = READ_ONCE(x.sent);

		drops = (int)READ_ONCE(srv->sk->drops);
		left = sent - got - drops;      /* sent, neither read nor dropped */
		if (sent == SMP_DGRAMS && !left)
			break;
		SELFTEST_CHECK(T, left >= 0);
		peeked = ~0u;
		if (i % 8 == 0) {
			n = sock_recv_buf(srv, &peeked, sizeof(peeked), MSG_PEEK | MSG_DONTWAIT, NULL,
					  NULL);
			SELFTEST_CHECK(T, n == sizeof(peeked) || n == -EAGAIN);
			if (n == sizeof(peeked))
				peeks++;
			else
				peeked = ~0u;
		}
		/* blocking while one is owed (sent and not yet read or
		 * dropped) or more are to come */
		if (i % 4 == 0) {
			n = sock_recv_buf(srv, &seq, sizeof(seq), 0, NULL, NULL);
			waits++;
			if (n == -EAGAIN)
				pr_err("sock: test: cross-CPU: a blocking read timed out: %d read, "
				       "%d dropped, %d sent\n", got, (int)READ_ONCE(srv->sk->drops),
				       READ_ONCE(x.sent));
		} else {
			n = sock_recv_buf(srv, &seq, sizeof(seq), MSG_DONTWAIT, NULL, NULL);
			if (n == -EAGAIN)
				continue;
		}
		SELFTEST_CHECK(T, n == sizeof(seq));
		SELFTEST_CHECK(T, seq >= expect && seq < SMP_DGRAMS);
		SELFTEST_CHECK(T, peeked == ~0u || peeked == seq);
		expect = seq + 1;
		got++;
	}
	SELFTEST_CHECK(T, kthread_stop(t) == 0);
	t = NULL;
	drops = (int)READ_ONCE(srv->sk->drops);
	pr_info("sock: test: cross-CPU: %d datagrams queued on CPU %d, %d read on CPU %u "
		"(%d blocking reads, %d peeks), %d dropped\n",
		SMP_DGRAMS, x.cpu, got, smp_processor_id(), waits, peeks, drops);
	SELFTEST_CHECK(T, x.cpu == 1);
	SELFTEST_CHECK(T, got + drops == SMP_DGRAMS);
	SELFTEST_CHECK(T, udp_sock_mib.read - read0 == (u64)got);
	SELFTEST_CHECK(T, udp_sock_mib.rcvbuf_errors - rbe0 == (u64)drops);
	net_core_lock();
	left = srv->sk->rx_head || srv->sk->rx_count || srv->sk->rx_bytes || srv->sk->rmem_alloc;
	if (left)
		pr_err("sock: test: cross-CPU: queue not empty at the end: head %p, count %u, "
		       "bytes %u, rmem_alloc %u\n", (void *)srv->sk->rx_head, srv->sk->rx_count,
		       srv->sk->rx_bytes, srv->sk->rmem_alloc);
	net_core_unlock();
	SELFTEST_CHECK(T, !left);
out:
	if (t)
		kthread_stop(t);
	sock_release(srv);
	sock_release(x.cli);
	return rc;
}

/* --- TCP --- */

static int tcp_echo_server(void *data)
{
	struct socket *l = data, *c;
	static char buf[4096];
	long n, total = 0;
	int rc = sock_accept(l, &c, 0);

	if (rc)
		return rc;
	while ((n = sock_recv_buf(c, buf, sizeof(buf), 0, NULL, NULL)) > 0) {
		if (sock_send_buf(c, buf, (size_t)n, 0, NULL) != n) {
			total = -EIO;
			break;
		}
		total += n;
	}
	sock_release(c);
	return n < 0 ? (int)n : (int)total;
}

static unsigned int poll_cb_key;

static void poll_cb(struct wait_queue_entry *e, unsigned int key)
{
	(void)e;
	poll_cb_key |= key;
}

static struct wait_queue_entry poll_entry;

static void poll_queue(struct wait_queue_head *wq, struct poll_table_struct *pt)
{
	(void)pt;
	add_wait_queue(wq, &poll_entry);
}

static int test_tcp(void)
{
	static u8 out_buf[TCP_BYTES], in_buf[TCP_BYTES];
	struct socket *l = NULL, *c = NULL;
	struct task_struct *t = NULL;
	struct poll_table_struct pt = { poll_queue, EPOLLIN };
	struct sockaddr_in a, b;
	int rc = 0, len;
	long n;

	for (int i = 0; i < TCP_BYTES; i++)
		out_buf[i] = (u8)(i * 7 + (i >> 8));
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_STREAM, 0, &l) == 0);
	SELFTEST_CHECK(T, sock_accept(l, &c, 0) == -EINVAL);   /* not listening */
	sin_of(&a, LO, TCP_PORT);
	SELFTEST_CHECK(T, set_int(l, SOL_SOCKET, SO_REUSEADDR, 1) == 0);
	SELFTEST_CHECK(T, sock_bind(l, (struct sockaddr *)&a, sizeof(a)) == 0);
	SELFTEST_CHECK(T, sock_listen(l, 4) == 0);
	SELFTEST_CHECK(T, get_int(l, SOL_SOCKET, SO_ACCEPTCONN) == 1);
	/* a poll table's callback hears the connection arrive */
	init_waitqueue_func_entry(&poll_entry, poll_cb, NULL);
	poll_cb_key = 0;
	SELFTEST_CHECK(T, sock_poll(l, &pt) == 0);
	t = kthread_run(tcp_echo_server, l, "sock-tcp");
	SELFTEST_CHECK(T, t != NULL);
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_STREAM, 0, &c) == 0);
	SELFTEST_CHECK(T, sock_recv_buf(c, in_buf, 1, 0, NULL, NULL) == -ENOTCONN);
	/* a TCP socket that is not connected polls writable and hung up (Linux) */
	SELFTEST_CHECK(T, sock_poll(c, NULL) == (EPOLLOUT | EPOLLWRNORM | EPOLLHUP));
	SELFTEST_CHECK(T, sock_connect(c, (struct sockaddr *)&a, sizeof(a), 0) == 0);
	SELFTEST_CHECK(T, sock_connect(c, (struct sockaddr *)&a, sizeof(a), 0) == -EISCONN);
	msleep(50);
	remove_wait_queue(&l->wq, &poll_entry);
	SELFTEST_CHECK(T, poll_cb_key & EPOLLIN);
	SELFTEST_CHECK(T, set_int(c, IPPROTO_TCP, TCP_NODELAY, 1) == 0);
	SELFTEST_CHECK(T, get_int(c, IPPROTO_TCP, TCP_NODELAY) == 1);
	len = sizeof(b);
	SELFTEST_CHECK(T, sock_getname(c, (struct sockaddr *)&b, &len, 1) == 0);
	SELFTEST_CHECK(T, len == sizeof(b) && b.sin_port == a.sin_port);
	len = sizeof(b);
	SELFTEST_CHECK(T, sock_getname(c, (struct sockaddr *)&b, &len, 0) == 0);
	SELFTEST_CHECK(T, b.sin_addr.s_addr == lwip_htonl(LO) && b.sin_port != 0);
	SELFTEST_CHECK(T, sock_poll(c, NULL) & EPOLLOUT);
	n = sock_send_buf(c, out_buf, TCP_BYTES, 0, NULL);
	SELFTEST_CHECK(T, n == TCP_BYTES);
	SELFTEST_CHECK(T, set_timeo(c, SO_RCVTIMEO, 5000) == 0);
	n = sock_recv_buf(c, in_buf, TCP_BYTES, MSG_WAITALL, NULL, NULL);
	SELFTEST_CHECK(T, n == TCP_BYTES && !memcmp(in_buf, out_buf, TCP_BYTES));
	SELFTEST_CHECK(T, sock_shutdown(c, SHUT_WR) == 0);
	SELFTEST_CHECK(T, sock_send_buf(c, "x", 1, 0, NULL) == -EPIPE);
	SELFTEST_CHECK(T, sock_recv_buf(c, in_buf, 10, 0, NULL, NULL) == 0);   /* the server's FIN */
	SELFTEST_CHECK(T, (sock_poll(c, NULL) & (EPOLLIN | EPOLLRDHUP)) == (EPOLLIN | EPOLLRDHUP));
	SELFTEST_CHECK(T, kthread_stop(t) == TCP_BYTES);
	t = NULL;
out:
	if (t)
		kthread_stop(t);
	sock_release(c);
	sock_release(l);
	return rc;
}

static int test_connect_errors(void)
{
	struct socket *c = NULL, *l = NULL, *cl[3] = { NULL, NULL, NULL };
	struct sockaddr_in a;
	u64 over0 = tcp_listen_stats.listen_overflows;
	unsigned int m;
	int rc = 0;

	sin_of(&a, LO, CLOSED_PORT);
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_STREAM, 0, &c) == 0);
	SELFTEST_CHECK(T, sock_connect(c, (struct sockaddr *)&a, sizeof(a), 0) == -ECONNREFUSED);
	sock_release(c);
	c = NULL;
	/* non-blocking: EINPROGRESS, then EPOLLERR and SO_ERROR */
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0, &c) == 0);
	SELFTEST_CHECK(T, sock_connect(c, (struct sockaddr *)&a, sizeof(a), 0) == -EINPROGRESS);
	m = poll_for(c, EPOLLERR, 2000);
	SELFTEST_CHECK(T, m & EPOLLERR);
	SELFTEST_CHECK(T, get_int(c, SOL_SOCKET, SO_ERROR) == ECONNREFUSED);
	SELFTEST_CHECK(T, get_int(c, SOL_SOCKET, SO_ERROR) == 0);
	sock_release(c);
	c = NULL;

	/* a listener that never accepts: backlog 0 takes one connection
	 * (Linux: full when more than backlog wait), the others are reset */
	sin_of(&a, LO, TCP_PORT_BACKLOG);
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_STREAM, 0, &l) == 0);
	SELFTEST_CHECK(T, sock_bind(l, (struct sockaddr *)&a, sizeof(a)) == 0);
	SELFTEST_CHECK(T, sock_listen(l, 0) == 0);
	for (int i = 0; i < 3; i++) {
		SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0, &cl[i]) == 0);
		SELFTEST_CHECK(T, sock_connect(cl[i], (struct sockaddr *)&a, sizeof(a), 0) ==
				  -EINPROGRESS);
		m = poll_for(cl[i], EPOLLOUT | EPOLLERR, 2000);
		SELFTEST_CHECK(T, m & (EPOLLOUT | EPOLLERR));
	}
	msleep(100);
	pr_info("sock: test: backlog 0, 3 connections: %u queued, %llu refused\n",
		l->sk->acc_count, (unsigned long long)(tcp_listen_stats.listen_overflows - over0));
	SELFTEST_CHECK(T, l->sk->acc_count == 1);
	SELFTEST_CHECK(T, tcp_listen_stats.listen_overflows - over0 == 2);
	SELFTEST_CHECK(T, sock_poll(l, NULL) & EPOLLIN);
out:
	for (int i = 0; i < 3; i++)
		sock_release(cl[i]);
	sock_release(l);
	sock_release(c);
	return rc;
}

static int test_bad_args(void)
{
	static struct socket *many[SOCK_MAX];
	struct socket *s = NULL, *u = NULL;
	struct sockaddr_in a;
	char big[16];
	unsigned int n = 0, base = sock_count();
	int rc = 0, e = 0;
	long saved_max = 0, saved_rdef = 0, saved_wdef = 0, saved_wmax = 0;

	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_STREAM, 0, NULL) == -EINVAL);
	SELFTEST_CHECK(T, sock_create(1234, SOCK_STREAM, 0, &s) == -EAFNOSUPPORT && !s);
	SELFTEST_CHECK(T, sock_create(AF_INET, 5, 0, &s) == -ESOCKTNOSUPPORT);
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_STREAM, IPPROTO_UDP, &s) == -EPROTONOSUPPORT);
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_DGRAM | 0x100000, 0, &s) == -EINVAL);
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_DGRAM, 0, &u) == 0);
	sin_of(&a, LO, 0);
	SELFTEST_CHECK(T, sock_bind(u, (struct sockaddr *)&a, 4) == -EINVAL);
	SELFTEST_CHECK(T, sock_bind(u, NULL, sizeof(a)) == -EINVAL);
	a.sin_family = AF_INET6;
	SELFTEST_CHECK(T, sock_bind(u, (struct sockaddr *)&a, sizeof(a)) == -EAFNOSUPPORT);
	SELFTEST_CHECK(T, sock_send_buf(u, "x", 1, 0, NULL) == -EDESTADDRREQ);
	sin_of(&a, LO, 9);
	{
		struct iovec iov = { big, 70000 };
		struct msghdr m = { 0 };

		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_name = &a;
		m.msg_namelen = sizeof(a);
		SELFTEST_CHECK(T, sock_sendmsg(u, &m, 0) == -EMSGSIZE);
		m.msg_iovlen = -1;
		SELFTEST_CHECK(T, sock_sendmsg(u, &m, 0) == -EINVAL);
		m.msg_iovlen = 1025;            /* past UIO_MAXIOV */
		SELFTEST_CHECK(T, sock_sendmsg(u, &m, 0) == -EMSGSIZE);
		iov.iov_base = NULL;
		m.msg_iovlen = 1;
		SELFTEST_CHECK(T, sock_sendmsg(u, &m, 0) == -EFAULT);
	}
	SELFTEST_CHECK(T, sock_listen(u, 1) == -EOPNOTSUPP);
	SELFTEST_CHECK(T, sock_setsockopt(u, SOL_SOCKET, 9999, &e, sizeof(e)) == -ENOPROTOOPT);
	SELFTEST_CHECK(T, sock_setsockopt(u, SOL_SOCKET, SO_RCVBUF, &e, 2) == -EINVAL);
	SELFTEST_CHECK(T, sock_setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &e, sizeof(e)) == -ENOPROTOOPT);
	SELFTEST_CHECK(T, sock_shutdown(u, 7) == -EINVAL);
	/* SO_RCVBUF: doubled, clamped by rmem_max (which follows its sysctl) */
	SELFTEST_CHECK(T, net_sysctl_get("net.core.rmem_max", &saved_max) == 0);
	SELFTEST_CHECK(T, set_int(u, SOL_SOCKET, SO_RCVBUF, 1 << 30) == 0);
	SELFTEST_CHECK(T, get_int(u, SOL_SOCKET, SO_RCVBUF) == 2 * (int)saved_max);
	SELFTEST_CHECK(T, net_sysctl_set("net.core.rmem_max", 100000) == 0);
	SELFTEST_CHECK(T, set_int(u, SOL_SOCKET, SO_RCVBUF, 1 << 30) == 0);
	SELFTEST_CHECK(T, get_int(u, SOL_SOCKET, SO_RCVBUF) == 200000);
	SELFTEST_CHECK(T, set_int(u, SOL_SOCKET, SO_RCVBUF, 1) == 0);
	SELFTEST_CHECK(T, get_int(u, SOL_SOCKET, SO_RCVBUF) == 2304);   /* SOCK_MIN_RCVBUF */
	SELFTEST_CHECK(T, set_int(u, SOL_SOCKET, SO_SNDBUF, 10000) == 0);
	SELFTEST_CHECK(T, get_int(u, SOL_SOCKET, SO_SNDBUF) == 20000);
	/* a new socket's buffers are rmem_default and wmem_default as they
	 * are (not doubled); SO_SNDBUF is clamped by wmem_max */
	SELFTEST_CHECK(T, net_sysctl_get("net.core.rmem_default", &saved_rdef) == 0);
	SELFTEST_CHECK(T, net_sysctl_get("net.core.wmem_default", &saved_wdef) == 0);
	SELFTEST_CHECK(T, net_sysctl_get("net.core.wmem_max", &saved_wmax) == 0);
	SELFTEST_CHECK(T, net_sysctl_set("net.core.rmem_default", 50000) == 0);
	SELFTEST_CHECK(T, net_sysctl_set("net.core.wmem_default", 60000) == 0);
	SELFTEST_CHECK(T, net_sysctl_set("net.core.wmem_max", 30000) == 0);
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_STREAM, 0, &s) == 0);
	SELFTEST_CHECK(T, get_int(s, SOL_SOCKET, SO_RCVBUF) == 50000);
	SELFTEST_CHECK(T, get_int(s, SOL_SOCKET, SO_SNDBUF) == 60000);
	SELFTEST_CHECK(T, set_int(s, SOL_SOCKET, SO_SNDBUF, 1 << 30) == 0);
	SELFTEST_CHECK(T, get_int(s, SOL_SOCKET, SO_SNDBUF) == 60000);      /* 2 * wmem_max */
	sock_release(s);
	s = NULL;
	SELFTEST_CHECK(T, get_int(u, SOL_SOCKET, SO_TYPE) == SOCK_DGRAM);
	/* the limit: SOCK_MAX sockets, then ENFILE */
	while (n < SOCK_MAX && (e = sock_create(AF_INET, SOCK_DGRAM, 0, &many[n])) == 0)
		n++;
	pr_info("sock: test: %u sockets open at the limit (SOCK_MAX %d), then %s\n",
		n + base + 1, SOCK_MAX, errno_name(e));
	SELFTEST_CHECK(T, e == -ENFILE && n + base + 1 == SOCK_MAX);
out:
	while (n)
		sock_release(many[--n]);
	if (saved_max)
		net_sysctl_set("net.core.rmem_max", saved_max);
	if (saved_rdef)
		net_sysctl_set("net.core.rmem_default", saved_rdef);
	if (saved_wdef)
		net_sysctl_set("net.core.wmem_default", saved_wdef);
	if (saved_wmax)
		net_sysctl_set("net.core.wmem_max", saved_wmax);
	sock_release(s);
	sock_release(u);
	return rc;
}


/* --- IPv6 and v4-mapped addresses --- */

static void sin6_of(struct sockaddr_in6 *a, const u32 w[4], u16 port)
{
	memset(a, 0, sizeof(*a));
	a->sin6_family = AF_INET6;
	a->sin6_port = lwip_htons(port);
	memcpy(a->sin6_addr.s6_addr32, w, 16);
}

/* true if the view at path has a line with ":%04X" port and inode ino */
static bool view_has(const char *path, u16 port, unsigned long ino)
{
	char *text, want[16], inode[24];
	size_t len;
	bool found = false;

	if (view_read(path, &text, &len))
		return false;
	snprintf(want, sizeof(want), ":%04X ", port);
	snprintf(inode, sizeof(inode), " %lu ", ino);
	for (char *l = text; l && *l && !found;) {
		char *nl = strchr(l, '\n');

		if (nl)
			*nl = '\0';
		found = strstr(l, want) && strstr(l, inode);
		l = nl ? nl + 1 : NULL;
	}
	kfree(text);
	return found;
}

static int test_v6(void)
{
	static const u32 loop6[4] = { 0, 0, 0, PP_HTONL(1) };
	static const u32 any6[4] = { 0, 0, 0, 0 };
	static const u32 mapped_lo[4] = { 0, 0, PP_HTONL(0xffff), PP_HTONL(LO) };
	struct socket *u = NULL, *v = NULL, *l = NULL, *c = NULL, *a = NULL;
	struct sockaddr_in6 s6, from6;
	struct sockaddr_in s4;
	struct iovec iov;
	struct msghdr m = { 0 };
	char buf[16];
	int rc = 0, len, one = 1;

	/* UDP over ::1 */
	SELFTEST_CHECK(T, sock_create(AF_INET6, SOCK_DGRAM, 0, &u) == 0);
	SELFTEST_CHECK(T, sock_create(AF_INET6, SOCK_DGRAM, 0, &v) == 0);
	SELFTEST_CHECK(T, sock_setsockopt(u, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == 0);
	sin6_of(&s6, loop6, UDP6_PORT);
	SELFTEST_CHECK(T, sock_bind(u, (struct sockaddr *)&s6, sizeof(s6)) == 0);
	SELFTEST_CHECK(T, sock_setsockopt(u, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == -EINVAL);
	SELFTEST_CHECK(T, view_has("/proc/net/udp6", UDP6_PORT, u->ino));
	SELFTEST_CHECK(T, !view_has("/proc/net/udp", UDP6_PORT, u->ino));
	iov.iov_base = "six";
	iov.iov_len = 3;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_name = &s6;
	m.msg_namelen = sizeof(s6);
	SELFTEST_CHECK(T, sock_sendmsg(v, &m, 0) == 3);
	SELFTEST_CHECK(T, set_timeo(u, SO_RCVTIMEO, 2000) == 0);
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	m.msg_name = &from6;
	m.msg_namelen = sizeof(from6);
	SELFTEST_CHECK(T, sock_recvmsg(u, &m, 0) == 3 && !memcmp(buf, "six", 3));
	SELFTEST_CHECK(T, m.msg_namelen == sizeof(from6) && from6.sin6_family == AF_INET6);
	SELFTEST_CHECK(T, !memcmp(from6.sin6_addr.s6_addr32, loop6, 16) && from6.sin6_port != 0);

	/* a dual-stack TCP listener on :: takes an IPv4 client; the peer is
	 * ::ffff:127.0.0.1 */
	SELFTEST_CHECK(T, sock_create(AF_INET6, SOCK_STREAM, 0, &l) == 0);
	sin6_of(&s6, any6, TCP6_PORT);
	SELFTEST_CHECK(T, sock_bind(l, (struct sockaddr *)&s6, sizeof(s6)) == 0);
	SELFTEST_CHECK(T, sock_listen(l, 4) == 0);
	SELFTEST_CHECK(T, view_has("/proc/net/tcp6", TCP6_PORT, l->ino));
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_STREAM, 0, &c) == 0);
	sin_of(&s4, LO, TCP6_PORT);
	SELFTEST_CHECK(T, sock_connect(c, (struct sockaddr *)&s4, sizeof(s4), 0) == 0);
	SELFTEST_CHECK(T, set_timeo(l, SO_RCVTIMEO, 2000) == 0);
	SELFTEST_CHECK(T, sock_accept(l, &a, O_NONBLOCK) == 0);
	SELFTEST_CHECK(T, a->flags & O_NONBLOCK);
	len = sizeof(from6);
	SELFTEST_CHECK(T, sock_getname(a, (struct sockaddr *)&from6, &len, 1) == 0);
	SELFTEST_CHECK(T, len == sizeof(from6) && !memcmp(from6.sin6_addr.s6_addr32, mapped_lo, 16));
	SELFTEST_CHECK(T, sock_recv_buf(a, buf, sizeof(buf), 0, NULL, NULL) == -EAGAIN);
	/* a v4-mapped destination from an AF_INET6 socket */
	SELFTEST_CHECK(T, sock_send_buf(c, "v4", 2, 0, NULL) == 2);
	SELFTEST_CHECK(T, poll_for(a, EPOLLIN, 2000) & EPOLLIN);
	SELFTEST_CHECK(T, sock_recv_buf(a, buf, sizeof(buf), 0, NULL, NULL) == 2);
out:
	sock_release(a);
	sock_release(c);
	sock_release(l);
	sock_release(u);
	sock_release(v);
	return rc;
}

/* --- a peer that never reads: the send buffer fills, SO_SNDTIMEO --- */

static int test_send_timeout(void)
{
	static char chunk[16384];
	struct socket *l = NULL, *c = NULL;
	struct sockaddr_in a;
	long n, total = 0;
	u64 t0;
	int rc = 0, i;

	sin_of(&a, LO, TCP_PORT_BACKLOG + 10);
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_STREAM, 0, &l) == 0);
	SELFTEST_CHECK(T, sock_bind(l, (struct sockaddr *)&a, sizeof(a)) == 0);
	SELFTEST_CHECK(T, sock_listen(l, 1) == 0);
	SELFTEST_CHECK(T, sock_create(AF_INET, SOCK_STREAM, 0, &c) == 0);
	SELFTEST_CHECK(T, sock_connect(c, (struct sockaddr *)&a, sizeof(a), 0) == 0);
	for (i = 0; i < 1000; i++) {
		n = sock_send_buf(c, chunk, sizeof(chunk), MSG_DONTWAIT, NULL);
		if (n == -EAGAIN)
			break;
		SELFTEST_CHECK(T, n > 0);
		total += n;
		msleep(5);              /* the loopback delivers; the window closes */
	}
	SELFTEST_CHECK(T, n == -EAGAIN && total > 0);
	SELFTEST_CHECK(T, !(sock_poll(c, NULL) & EPOLLOUT));
	SELFTEST_CHECK(T, set_timeo(c, SO_SNDTIMEO, SNDTIMEO_MS) == 0);
	t0 = ktime_get_ns();
	n = sock_send_buf(c, chunk, sizeof(chunk), 0, NULL);
	pr_info("sock: test: peer not reading: %ld bytes taken, then a send returned %ld after "
		"%llu ms\n", total, n, (unsigned long long)((ktime_get_ns() - t0) / NSEC_PER_MSEC));
	SELFTEST_CHECK(T, n == -EAGAIN);
	SELFTEST_CHECK(T, ktime_get_ns() - t0 >= (u64)SNDTIMEO_MS * NSEC_PER_MSEC * 9 / 10);
out:
	/* unread data on the unaccepted connection: closing resets it */
	sock_release(l);
	sock_release(c);
	return rc;
}

static int sock_test_body(void *data)
{
	size_t live0 = sock_live_objects(), live1;
	unsigned int socks0 = sock_count();
	int rc;

	(void)data;
	rc = test_bad_args();
	if (!rc)
		rc = test_udp();
	if (!rc)
		rc = test_udp_cross_cpu();
	if (!rc)
		rc = test_tcp();
	if (!rc)
		rc = test_connect_errors();
	if (!rc)
		rc = test_v6();
	if (!rc)
		rc = test_send_timeout();
	msleep(300);
	live1 = sock_live_objects();
	pr_info("sock: test: kmalloc objects (less the skb caches) %zu before, %zu after; "
		"sockets %u before, %u after\n", live0, live1, socks0, sock_count());
	if (!rc && (live1 > live0 || sock_count() != socks0)) {
		pr_err("selftest sock: memory or sockets not back at their baseline\n");
		rc = -EIO;
	}
	return rc;
}

static int selftest_sock(void)
{
	struct task_struct *t = kthread_run(sock_test_body, NULL, "socktest");

	if (!t)
		return -ENOMEM;
	return kthread_stop(t);
}
SELFTEST("sock", selftest_sock, "the kernel socket API over loopback, from kernel threads");
