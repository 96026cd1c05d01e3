/* Shell `socktest`: kernel threads that use the socket API against
 * traffic from outside (tests/qemu/test_sock.py drives them from a test
 * namespace).  One test thread at a time; it reports on the console.
 *
 *   socktest udpecho PORT           the seeds' UDP server (seed 002):
 *                                   recvfrom, print "Receive from client:%s",
 *                                   send it back
 *   socktest udpslow PORT RCVBUF MS a reader that sleeps MS (or until
 *                                   `socktest go`) before reading what its
 *                                   SO_RCVBUF let it keep
 *   socktest tcpecho PORT           accept, echo each connection to its end
 *   socktest tcpslow PORT MS        accept one, read 64 KiB, stop reading for
 *                                   MS (the window closes), then read to the
 *                                   end: bytes and their sum
 *   socktest go                     end a slow reader's sleep now
 *   socktest stop                   end the thread, close its sockets */
#include "net/socket/sock_internal.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/shell/shell.h"
#include "net/core/skbuff.h"
#include "net/lwip/core_lock.h"
#include "lwip/tcp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SOCKTEST_POLL_MS 200            /* how often a waiting thread checks for stop */
#define SOCKTEST_SLOW_FIRST (64 * 1024) /* tcpslow reads this much before it stops */

struct socktest {
	char kind[12];
	u16 port;
	int rcvbuf;
	int ms;
};

static struct socktest st;
static struct task_struct *st_thread;
static bool st_go;                     /* socktest go: a slow reader's sleep ends */
/* the thread has printed its first line (or failed): the command returns
 * only then, so that the line comes before the shell's next prompt and
 * never splits it (the tests look for the prompt at a line's start) */
static bool st_started;
#define SOCKTEST_START_WAIT_MS 5000

static bool st_stop(void)
{
	return kthread_should_stop();
}

static int st_timeo(struct socket *s, int ms)
{
	struct sock_timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return sock_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static int st_bind(struct socket *s, u16 port)
{
	struct sockaddr_in a;
	int one = 1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = lwip_htons(port);
	sock_setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return sock_bind(s, (struct sockaddr *)&a, sizeof(a));
}

static int st_udpecho(struct socket *s)
{
	struct sockaddr_in from;
	char buff[512];
	long n;

	while (!st_stop()) {
		n = sock_recv_buf(s, buff, sizeof(buff) - 1, 0, &from, NULL);
		if (n == -EAGAIN)
			continue;
		if (n < 0)
			return (int)n;
		buff[n] = '\0';
		pr_info("Receive from client:%s\n", buff);
		sock_send_buf(s, buff, (size_t)n, 0, &from);
	}
	return 0;
}

static int st_udpslow(struct socket *s)
{
	char buf[2048];
	unsigned int got = 0, drops;
	long n;

	for (int t = 0; t < st.ms && !READ_ONCE(st_go) && !st_stop(); t += 50)
		msleep(50);
	while ((n = sock_recv_buf(s, buf, sizeof(buf), 0, NULL, NULL)) >= 0)
		got++;                  /* until SO_RCVTIMEO finds nothing more */
	net_core_lock();
	drops = s->sk->drops;
	net_core_unlock();
	pr_info("socktest: udpslow read=%u drops=%u\n", got, drops);
	while (!st_stop())
		msleep(SOCKTEST_POLL_MS);
	return 0;
}

static int st_tcpecho(struct socket *l)
{
	static char buf[4096];

	while (!st_stop()) {
		struct socket *c;
		long n, total = 0;
		int rc = sock_accept(l, &c, 0);

		if (rc == -EAGAIN)
			continue;
		if (rc)
			return rc;
		st_timeo(c, 0);         /* blocking reads on the connection */
		while ((n = sock_recv_buf(c, buf, sizeof(buf), 0, NULL, NULL)) > 0) {
			if (sock_send_buf(c, buf, (size_t)n, 0, NULL) != n)
				break;
			total += n;
		}
		pr_info("socktest: tcpecho connection done: %ld bytes, last %ld\n", total, n);
		sock_release(c);
	}
	return 0;
}

static int st_tcpslow(struct socket *l)
{
	static u8 buf[8192];
	struct socket *c;
	u64 bytes = 0;
	u32 sum = 0, rxq = 0, wnd = 0;
	long n;
	int rc;

	do {
		rc = sock_accept(l, &c, 0);
	} while (rc == -EAGAIN && !st_stop());
	if (rc)
		return rc;
	st_timeo(c, 0);
	while (bytes < SOCKTEST_SLOW_FIRST &&
	       (n = sock_recv_buf(c, buf, MIN(sizeof(buf), SOCKTEST_SLOW_FIRST - bytes), 0, NULL,
				  NULL)) > 0) {
		for (long i = 0; i < n; i++)
			sum += buf[i];
		bytes += (u64)n;
	}
	pr_info("socktest: tcpslow pausing after %llu bytes\n", (unsigned long long)bytes);
	msleep((unsigned int)st.ms);
	net_core_lock();
	rxq = c->sk->rx_bytes;
	if (c->sk->pcb.tcp)
		wnd = c->sk->pcb.tcp->rcv_ann_wnd;
	net_core_unlock();
	pr_info("socktest: tcpslow paused rx_queue=%u rcv_wnd=%u\n", rxq, wnd);
	while ((n = sock_recv_buf(c, buf, sizeof(buf), 0, NULL, NULL)) > 0) {
		for (long i = 0; i < n; i++)
			sum += buf[i];
		bytes += (u64)n;
	}
	pr_info("socktest: tcpslow bytes=%llu sum=%u end=%ld\n", (unsigned long long)bytes, sum, n);
	sock_release(c);
	while (!st_stop())
		msleep(SOCKTEST_POLL_MS);
	return 0;
}

static int st_main(void *data)
{
	bool udp = !strncmp(st.kind, "udp", 3);
	size_t live0 = sock_live_objects();
	struct socket *s;
	int rc;

	(void)data;
	rc = sock_create(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0, &s);
	if (rc)
		goto out;
	if (st.rcvbuf)
		sock_setsockopt(s, SOL_SOCKET, SO_RCVBUF, &st.rcvbuf, sizeof(st.rcvbuf));
	rc = st_bind(s, st.port);
	if (!rc && !udp)
		rc = sock_listen(s, 16);
	if (!rc)
		rc = st_timeo(s, st.kind[3] == 's' ? SOCKTEST_POLL_MS * 5 : SOCKTEST_POLL_MS);
	if (!rc) {
		pr_info("socktest: %s on port %u (inode %lu)\n", st.kind, st.port, s->ino);
		WRITE_ONCE(st_started, true);
		if (!strcmp(st.kind, "udpecho"))
			rc = st_udpecho(s);
		else if (!strcmp(st.kind, "udpslow"))
			rc = st_udpslow(s);
		else if (!strcmp(st.kind, "tcpecho"))
			rc = st_tcpecho(s);
		else
			rc = st_tcpslow(s);
	}
	sock_release(s);
	msleep(SOCKTEST_POLL_MS);       /* frees done from the softirq settle */
out:
	WRITE_ONCE(st_started, true);
	pr_info("socktest: %s done: %s; kmalloc objects (less the skb caches) %zu at start, "
		"%zu at the end\n", st.kind, rc ? errno_name(rc) : "ok", live0, sock_live_objects());
	return rc;
}

static int cmd_socktest(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "go")) {
		WRITE_ONCE(st_go, true);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "stop")) {
		if (!st_thread)
			return shell_error("socktest", "no test running");
		kthread_stop(st_thread);
		st_thread = NULL;
		return 0;
	}
	if (argc < 3)
		return shell_error("socktest", "usage: socktest udpecho|udpslow|tcpecho|tcpslow PORT "
				   "[RCVBUF MS | MS] | go | stop");
	if (st_thread)
		return shell_error("socktest", "a test is running (socktest stop)");
	memset(&st, 0, sizeof(st));
	WRITE_ONCE(st_go, false);
	if (strcmp(argv[1], "udpecho") && strcmp(argv[1], "udpslow") &&
	    strcmp(argv[1], "tcpecho") && strcmp(argv[1], "tcpslow"))
		return shell_error("socktest", "unknown test '%s'", argv[1]);
	snprintf(st.kind, sizeof(st.kind), "%s", argv[1]);
	st.port = (u16)strtoul(argv[2], NULL, 10);
	if (!strcmp(st.kind, "udpslow")) {
		if (argc < 5)
			return shell_error("socktest", "udpslow PORT RCVBUF MS");
		st.rcvbuf = (int)strtol(argv[3], NULL, 10);
		st.ms = (int)strtol(argv[4], NULL, 10);
	} else if (!strcmp(st.kind, "tcpslow")) {
		if (argc < 4)
			return shell_error("socktest", "tcpslow PORT MS");
		st.ms = (int)strtol(argv[3], NULL, 10);
	}
	if (!st.port || st.ms < 0 || st.ms > 600000)
		return shell_error("socktest", "bad port or time");
	WRITE_ONCE(st_started, false);
	st_thread = kthread_run(st_main, NULL, "socktest");
	if (!st_thread)
		return shell_error("socktest", "no memory for the thread");
	for (int t = 0; t < SOCKTEST_START_WAIT_MS && !READ_ONCE(st_started); t += 10)
		msleep(10);
	return 0;
}
SHELL_CMD("socktest", cmd_socktest, "socket API test threads: socktest udpecho|udpslow|tcpecho|"
	  "tcpslow PORT ... | go | stop");
