/* What iperf3 needs from the socket layer, checked from inside
 * (tests/qemu/test_iperf3.py).  getsockopt(TCP_INFO) as Linux's struct
 * tcp_info (net/socket/sock_tcp.c tcp_sock_info): sane fields over a
 * loopback connection that carried data.  SO_REUSEADDR as Linux's
 * (net/lwip/include/lwipopts.h, SO_REUSE): a server that closed its side of
 * a connection first leaves it in TIME_WAIT on the server's port; a new
 * listener with SO_REUSEADDR binds that port at once (iperf3 re-listens on
 * 5201 after every test), one without it gets EADDRINUSE.  Prints "ok
 * <name>" or "FAIL <name>: why"; the number failed is the exit status. */
#define _GNU_SOURCE             /* struct tcp_info */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

#define PORT 5301

static int listener(int reuse)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (reuse)
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4)) {
		int e = errno;

		close(s);
		errno = e;
		return -1;
	}
	return s;
}

/* l listening, c connected to s (accepted) */
static void tcp_info_checks(int l, int c, int s)
{
	static char buf[64 * 1024];
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	size_t got = 0;
	long r;
	int u;

	memset(&ti, 0xa5, sizeof(ti));
	r = getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len);
	CHECK("tcp_info", r == 0 && len == sizeof(ti), "rc %ld len %u errno %d", r, len, errno);
	CHECK("tcp_info_state_established", ti.tcpi_state == TCP_ESTABLISHED, "state %u", ti.tcpi_state);
	/* data both ways: the RTT is measured on an ACK of data */
	memset(buf, 'x', sizeof(buf));
	r = write(c, buf, sizeof(buf));
	while (r == (long)sizeof(buf) && got < sizeof(buf)) {
		long n = read(s, buf, sizeof(buf) - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	CHECK("tcp_info_data_sent", got == sizeof(buf), "wrote %ld read %zu errno %d", r, got, errno);
	write(s, "y", 1);
	read(c, buf, 1);
	len = sizeof(ti);
	memset(&ti, 0xa5, sizeof(ti));
	getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len);
	printf("tcp_info: state %u ca_state %u rto %u snd_mss %u rcv_mss %u unacked %u rtt %u rttvar %u "
	       "min_rtt %u snd_cwnd %u snd_ssthresh %u pmtu %u total_retrans %u snd_wnd %u options %#x\n",
	       ti.tcpi_state, ti.tcpi_ca_state, ti.tcpi_rto, ti.tcpi_snd_mss, ti.tcpi_rcv_mss,
	       ti.tcpi_unacked, ti.tcpi_rtt, ti.tcpi_rttvar, ti.tcpi_min_rtt, ti.tcpi_snd_cwnd,
	       ti.tcpi_snd_ssthresh, ti.tcpi_pmtu, ti.tcpi_total_retrans, ti.tcpi_snd_wnd, ti.tcpi_options);
	CHECK("tcp_info_mss", ti.tcpi_snd_mss >= 536 && ti.tcpi_snd_mss <= 65495 &&
	      ti.tcpi_snd_mss + 40 <= ti.tcpi_pmtu, "snd_mss %u pmtu %u", ti.tcpi_snd_mss, ti.tcpi_pmtu);
	/* microseconds, over loopback: above 0, well below a second */
	CHECK("tcp_info_rtt", ti.tcpi_rtt > 0 && ti.tcpi_rtt < 1000000 && ti.tcpi_min_rtt > 0 &&
	      ti.tcpi_min_rtt <= ti.tcpi_rtt * 8, "rtt %u min_rtt %u", ti.tcpi_rtt, ti.tcpi_min_rtt);
	CHECK("tcp_info_cwnd", ti.tcpi_snd_cwnd > 0 && ti.tcpi_snd_cwnd < 100000, "cwnd %u", ti.tcpi_snd_cwnd);
	/* lwIP's RTO floor is its 500 ms tick... up to its 60 s cap */
	CHECK("tcp_info_rto", ti.tcpi_rto >= 200000 && ti.tcpi_rto <= 60000000, "rto %u", ti.tcpi_rto);
	CHECK("tcp_info_nothing_in_flight", ti.tcpi_unacked == 0 && ti.tcpi_ca_state == 0 &&
	      ti.tcpi_total_retrans == 0, "unacked %u ca_state %u total_retrans %u", ti.tcpi_unacked,
	      ti.tcpi_ca_state, ti.tcpi_total_retrans);
	CHECK("tcp_info_snd_wnd", ti.tcpi_snd_wnd >= sizeof(buf) / 2, "snd_wnd %u", ti.tcpi_snd_wnd);
	/* a short buffer gets the head of the struct, as Linux */
	len = 8;
	memset(&ti, 0xa5, sizeof(ti));
	r = getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len);
	CHECK("tcp_info_short", r == 0 && len == 8 && ti.tcpi_state == TCP_ESTABLISHED && ti.tcpi_rto == 0xa5a5a5a5,
	      "rc %ld len %u state %u", r, len, ti.tcpi_state);
	len = sizeof(ti);
	r = getsockopt(l, IPPROTO_TCP, TCP_INFO, &ti, &len);
	CHECK("tcp_info_listener", r == 0 && ti.tcpi_state == TCP_LISTEN, "rc %ld state %u", r, ti.tcpi_state);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	len = sizeof(ti);
	r = getsockopt(u, IPPROTO_TCP, TCP_INFO, &ti, &len);
	CHECK("tcp_info_udp_enoprotoopt", r == -1 && errno == ENOPROTOOPT, "rc %ld errno %d", r, errno);
	close(u);
}

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int l = listener(1), c = socket(AF_INET, SOCK_STREAM, 0), s;
	char b;

	CHECK("listen", l >= 0, "errno %d", errno);
	CHECK("connect", !connect(c, (struct sockaddr *)&a, sizeof(a)), "errno %d", errno);
	s = accept(l, NULL, NULL);
	CHECK("accept", s >= 0, "errno %d", errno);
	tcp_info_checks(l, c, s);
	/* the server's side closes first: TIME_WAIT is on port PORT */
	close(s);
	CHECK("peer_sees_eof", read(c, &b, 1) == 0, "errno %d", errno);
	close(c);
	close(l);
	usleep(100000);
	l = listener(0);
	CHECK("time_wait_without_reuseaddr_eaddrinuse", l < 0 && errno == EADDRINUSE, "fd %d errno %d", l, errno);
	if (l >= 0)
		close(l);
	l = listener(1);
	CHECK("time_wait_with_reuseaddr_binds", l >= 0, "errno %d", errno);
	if (l >= 0)
		close(l);
	printf("reuseaddr: %d failed\n", failures);
	return failures;
}
