/* The socket API as an application sees it, checked from inside the guest
 * over loopback (tests/qemu/test_sockapi.py reads the results): every
 * call's success and error cases, blocking and non-blocking, timeouts,
 * poll/select/epoll edge cases (readiness after a reset, after the peer's
 * close, a full listen backlog), close with unread data, many sockets at
 * once, the descriptor limit.  One line per check, "ok NAME" or
 * "FAIL NAME: why"; the exit status is the number of failures. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define CHECK_TELLS_ERRNO
#include "check.h"

/* a call that must fail with err */
#define CHECK_ERR(name, call, err) do {                               \
	errno = 0;                                                    \
	long __r = (long)(call);                                      \
	CHECK(name, __r == -1 && errno == (err), "returned %ld, want errno %d", __r, err); \
} while (0)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct sockaddr_in lo4(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* a listening TCP socket on 127.0.0.1, ephemeral port */
static int tcp_listener(int backlog, int *port)
{
	struct sockaddr_in a = lo4(0);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, backlog))
		return -1;
	*port = port_of(fd);
	return fd;
}

/* a connected pair over loopback: *cl the client, returned the server side */
static int tcp_pair(int *cl)
{
	int port, ls = tcp_listener(4, &port), s;
	struct sockaddr_in a = lo4(port);

	*cl = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || *cl < 0 || connect(*cl, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	s = accept(ls, NULL, NULL);
	close(ls);
	return s;
}

static void test_create_and_bad_descriptors(void)
{
	int fd;

	CHECK_ERR("socket_bad_family", socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR("socket_bad_protocol", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	CHECK_ERR("socket_bad_flags", socket(AF_INET, SOCK_STREAM | 0x1000, 0), EINVAL);
	CHECK_ERR("bind_ebadf", bind(-1, NULL, 0), EBADF);
	CHECK_ERR("bind_closed_fd_ebadf", bind(900, NULL, 0), EBADF);
	CHECK_ERR("bind_console_enotsock", bind(1, NULL, 0), ENOTSOCK);
	CHECK_ERR("close_ebadf", close(900), EBADF);
	CHECK_ERR("listen_ebadf", listen(77, 1), EBADF);
	CHECK_ERR("recv_console_enotsock", recv(0, NULL, 0, 0), ENOTSOCK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK("socket_udp", fd >= 3, "fd %d", fd);
	CHECK_ERR("bind_efault", bind(fd, (struct sockaddr *)8, sizeof(struct sockaddr_in)), EFAULT);
	{
		struct sockaddr_in a = lo4(0);

		CHECK_ERR("bind_short_len", bind(fd, (struct sockaddr *)&a, 4), EINVAL);
	}
	CHECK_ERR("sendto_efault_buffer", sendto(fd, (void *)16, 10, 0, NULL, 0), EFAULT);
	{
		struct sockaddr_in a = lo4(9);

		CHECK_ERR("sendto_efault_buffer2", sendto(fd, (void *)16, 10, 0, (struct sockaddr *)&a, sizeof(a)),
			  EFAULT);
	}
	CHECK("close", close(fd) == 0, "close");
	CHECK_ERR("close_twice", close(fd), EBADF);
}

static void test_udp(void)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0), c;
	struct sockaddr_in any = lo4(0), from;
	socklen_t flen = sizeof(from);
	char buf[256];
	double t0;

	CHECK("udp_bind_ephemeral", !bind(a, (struct sockaddr *)&any, sizeof(any)) && port_of(a) > 0,
	      "port %d", port_of(a));
	CHECK_ERR("udp_bind_twice", bind(a, (struct sockaddr *)&any, sizeof(any)), EINVAL);
	{
		struct sockaddr_in same = lo4(port_of(a));

		c = socket(AF_INET, SOCK_DGRAM, 0);
		CHECK_ERR("udp_bind_in_use", bind(c, (struct sockaddr *)&same, sizeof(same)), EADDRINUSE);
		close(c);
	}
	struct sockaddr_in to = lo4(port_of(a));
	CHECK("udp_sendto", sendto(b, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to)) == 5, "sendto");
	memset(buf, 0, sizeof(buf));
	ssize_t n = recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	CHECK("udp_recvfrom", n == 5 && !memcmp(buf, "hello", 5) && flen == sizeof(from) &&
	      ntohs(from.sin_port) == port_of(b) && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "n %zd from port %d (b %d)", n, ntohs(from.sin_port), port_of(b));
	CHECK_ERR("udp_recv_dontwait_eagain", recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	/* writev on a connected datagram socket sends one datagram of all the
	 * pieces, as Linux does */
	{
		struct iovec parts[2] = { { (void *)"wri", 3 }, { (void *)"tev", 3 } };

		CHECK("udp_writev_one_datagram",
		      !connect(b, (struct sockaddr *)&to, sizeof(to)) && writev(b, parts, 2) == 6 &&
		      recv(a, buf, sizeof(buf), 0) == 6 && !memcmp(buf, "writev", 6) &&
		      recv(a, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN,
		      "writev");
	}
	/* an address buffer shorter than a sockaddr_in: its first bytes,
	 * the length the whole one needs (Linux's move_addr_to_user) */
	{
		unsigned char part[sizeof(struct sockaddr_in)];
		struct sockaddr_in whole = { .sin_family = AF_INET, .sin_port = htons(port_of(b)),
					     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t plen = 6;

		memset(part, 0xee, sizeof(part));
		n = send(b, "s", 1, 0) == 1 ? recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)part, &plen)
					    : -1;
		CHECK("udp_recvfrom_short_addrlen", n == 1 && plen == sizeof(whole) &&
		      !memcmp(part, &whole, 6) && part[6] == 0xee && part[sizeof(part) - 1] == 0xee,
		      "n %zd addrlen %u", n, plen);
	}

	/* SO_RCVTIMEO: a blocking receive gives up with EAGAIN */
	struct timeval tv = { 0, 300000 };
	CHECK("udp_setsockopt_rcvtimeo", !setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), "set");
	t0 = now();
	errno = 0;
	n = recv(a, buf, sizeof(buf), 0);
	double waited = now() - t0;
	CHECK("udp_rcvtimeo_eagain", n == -1 && errno == EAGAIN && waited >= 0.28 && waited < 5.0,
	      "n %zd waited %.3f", n, waited);

	/* MSG_PEEK leaves it; MSG_TRUNC and msg_flags tell of a cut datagram */
	char big[100];
	memset(big, 'x', sizeof(big));
	sendto(b, big, sizeof(big), 0, (struct sockaddr *)&to, sizeof(to));
	int avail = -1;
	CHECK("udp_fionread_next_datagram", !ioctl(a, FIONREAD, &avail) && avail == 100, "FIONREAD %d", avail);
	n = recv(a, buf, 10, MSG_PEEK);
	CHECK("udp_peek", n == 10, "n %zd", n);
	struct iovec iov = { buf, 10 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	n = recvmsg(a, &msg, 0);
	CHECK("udp_recvmsg_trunc_flag", n == 10 && (msg.msg_flags & MSG_TRUNC), "n %zd flags %#x", n,
	      msg.msg_flags);
	CHECK_ERR("udp_after_trunc_empty", recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);

	/* sendmsg with two pieces, recvmsg with the source address */
	struct iovec two[2] = { { "ab", 2 }, { "cde", 3 } };
	struct msghdr smsg = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = two, .msg_iovlen = 2 };
	CHECK("udp_sendmsg_iov", sendmsg(b, &smsg, 0) == 5, "sendmsg");
	struct sockaddr_in src;
	memset(buf, 0, sizeof(buf));
	iov = (struct iovec){ buf, sizeof(buf) };
	msg = (struct msghdr){ .msg_name = &src, .msg_namelen = sizeof(src), .msg_iov = &iov, .msg_iovlen = 1 };
	n = recvmsg(a, &msg, 0);
	CHECK("udp_recvmsg_name", n == 5 && !memcmp(buf, "abcde", 5) && msg.msg_namelen == sizeof(src) &&
	      ntohs(src.sin_port) == port_of(b), "n %zd", n);

	/* connected UDP: default peer, getpeername */
	CHECK("udp_connect", !connect(b, (struct sockaddr *)&to, sizeof(to)), "connect");
	CHECK("udp_send_connected", send(b, "xyz", 3, 0) == 3, "send");
	CHECK("udp_recv_connected", recv(a, buf, sizeof(buf), 0) == 3, "recv");
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	CHECK("udp_getpeername", !getpeername(b, (struct sockaddr *)&peer, &plen) &&
	      ntohs(peer.sin_port) == port_of(a), "getpeername");
	plen = sizeof(peer);
	CHECK_ERR("udp_getpeername_unconnected", getpeername(a, (struct sockaddr *)&peer, &plen), ENOTCONN);
	CHECK_ERR("udp_getsockname_efault", getsockname(a, (struct sockaddr *)8, &plen), EFAULT);
	close(a);
	close(b);
}

static void test_sockopts(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), v = 4096, one = 1;
	socklen_t len = sizeof(v);

	CHECK("so_rcvbuf_doubled", !setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) &&
	      !getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) && v == 8192 && len == sizeof(v),
	      "SO_RCVBUF %d", v);
	v = 10000;
	len = sizeof(v);
	CHECK("so_sndbuf_doubled", !setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) &&
	      !getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &len) && v == 20000, "SO_SNDBUF %d", v);
	len = sizeof(v);
	CHECK("so_type", !getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) && v == SOCK_STREAM, "type %d", v);
	len = sizeof(v);
	CHECK("so_error_zero", !getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len) && v == 0, "err %d", v);
	/* SO_BUSY_POLL: net.core.busy_read (0 here) until set; not negative */
	len = sizeof(v);
	CHECK("so_busy_poll", !getsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &v, &len) && v == 0 &&
	      (v = 50, !setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &v, sizeof(v))) &&
	      (v = -1, setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &v, sizeof(v)) == -1 &&
	       errno == EINVAL) &&
	      (len = sizeof(v), !getsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &v, &len)) && v == 50,
	      "busy poll %d", v);
	CHECK("tcp_nodelay", !setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) &&
	      (len = sizeof(v), !getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len)) && v, "nodelay %d", v);
	CHECK("so_reuseaddr_keepalive", !setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) &&
	      !setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)), "set");
	CHECK_ERR("sockopt_unknown_enoprotoopt", setsockopt(fd, SOL_SOCKET, 12345, &one, sizeof(one)),
		  ENOPROTOOPT);
	CHECK_ERR("sockopt_short_einval", setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &one, 1), EINVAL);
	CHECK_ERR("getsockopt_efault", getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, (socklen_t *)8), EFAULT);
	/* O_NONBLOCK through fcntl and FIONBIO */
	CHECK("fcntl_nonblock", !fcntl(fd, F_SETFL, O_NONBLOCK) && (fcntl(fd, F_GETFL) & O_NONBLOCK), "fcntl");
	int off = 0;
	CHECK("fionbio_off", !ioctl(fd, FIONBIO, &off) && !(fcntl(fd, F_GETFL) & O_NONBLOCK), "fionbio");
	close(fd);
}

static void test_tcp(void)
{
	int port, ls = tcp_listener(4, &port), cl, s, v;
	struct sockaddr_in a = lo4(port);
	char buf[65536];
	socklen_t len;

	CHECK("tcp_listen", ls >= 0 && port > 0, "listener");
	int unl = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR("tcp_accept_unlistened", accept(unl, NULL, NULL), EINVAL);
	close(unl);
	fcntl(ls, F_SETFL, O_NONBLOCK);
	CHECK_ERR("tcp_accept_nonblock_eagain", accept(ls, NULL, NULL), EAGAIN);
	fcntl(ls, F_SETFL, 0);
	cl = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("tcp_connect", !connect(cl, (struct sockaddr *)&a, sizeof(a)), "connect");
	CHECK_ERR("tcp_connect_again_eisconn", connect(cl, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	struct sockaddr_in peer;
	len = sizeof(peer);
	s = accept4(ls, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK);
	CHECK("tcp_accept4_nonblock_and_peer", s >= 0 && (fcntl(s, F_GETFL) & O_NONBLOCK) &&
	      len == sizeof(peer) && ntohs(peer.sin_port) == port_of(cl), "s %d", s);
	CHECK("tcp_getpeername", (len = sizeof(peer), !getpeername(cl, (struct sockaddr *)&peer, &len)) &&
	      ntohs(peer.sin_port) == port, "peer");
	/* a transfer bigger than the buffers: 256 KiB each way in pieces */
	long sent = 0, got = 0, total = 256 * 1024;
	fcntl(cl, F_SETFL, O_NONBLOCK);
	while (got < total) {
		if (sent < total) {
			size_t want = total - sent < (long)sizeof(buf) ? (size_t)(total - sent) : sizeof(buf);
			ssize_t w = send(cl, buf, want, 0);

			if (w > 0)
				sent += w;
			else if (errno != EAGAIN)
				break;
		}
		ssize_t r = recv(s, buf, sizeof(buf), 0);

		if (r > 0)
			got += r;
		else if (r == 0 || errno != EAGAIN)
			break;
		else {
			struct pollfd p[2] = { { s, POLLIN, 0 }, { cl, POLLOUT, 0 } };

			poll(p, sent < total ? 2 : 1, 1000);
		}
	}
	CHECK("tcp_transfer_256k_nonblocking", sent == total && got == total, "sent %ld got %ld", sent, got);
	/* FIN: the reader gets 0, the writer's other half still works */
	fcntl(s, F_SETFL, 0);
	CHECK("tcp_shutdown_wr", !shutdown(cl, SHUT_WR), "shutdown");
	CHECK("tcp_read_eof_after_fin", recv(s, buf, sizeof(buf), 0) == 0, "eof");
	CHECK("tcp_half_close_other_way", send(s, "back", 4, 0) == 4 && recv(cl, buf, 4, MSG_WAITALL) == 4,
	      "other way");
	CHECK_ERR("tcp_send_after_shutdown_epipe", send(cl, "x", 1, 0), EPIPE);
	CHECK_ERR("shutdown_bad_how", shutdown(cl, 7), EINVAL);
	close(s);
	close(cl);
	/* unconnected */
	cl = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR("tcp_recv_unconnected_enotconn", recv(cl, buf, 1, 0), ENOTCONN);
	CHECK_ERR("tcp_shutdown_unconnected_enotconn", shutdown(cl, SHUT_RDWR), ENOTCONN);
	close(cl);
	/* read/write on a socket are recv/send */
	s = tcp_pair(&cl);
	CHECK("tcp_write_read", write(cl, "rw", 2) == 2 && read(s, buf, 2) == 2 && !memcmp(buf, "rw", 2), "rw");
	int avail = -1;
	write(cl, "12345", 5);
	/* Nagle holds it until "rw" is acknowledged (delayed ACK): wait for it */
	struct pollfd pin = { s, POLLIN, 0 };
	poll(&pin, 1, 2000);
	usleep(50000);
	CHECK("tcp_fionread", !ioctl(s, FIONREAD, &avail) && avail == 5, "FIONREAD %d", avail);
	struct sockaddr_in fromx;
	socklen_t fl = sizeof(fromx);
	ssize_t got5 = recvfrom(s, buf, 5, MSG_WAITALL, (struct sockaddr *)&fromx, &fl);
	CHECK("tcp_recvfrom_no_address", got5 == 5 && fl == 0, "n %zd addrlen %u", got5, fl);
	close(s);
	close(cl);
	/* a small SO_RCVBUF keeps the window narrow; everything read, close
	 * still ends the connection with a FIN, not a reset */
	s = tcp_pair(&cl);
	v = 4096;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	struct timeval two = { 2, 0 };
	setsockopt(cl, SOL_SOCKET, SO_RCVTIMEO, &two, sizeof(two));
	write(cl, "0123456789", 10);
	ssize_t all = recv(s, buf, 10, MSG_WAITALL);
	close(s);
	errno = 0;
	ssize_t end = recv(cl, buf, sizeof(buf), 0);
	CHECK("tcp_close_after_reading_all_sends_fin", all == 10 && end == 0, "read %zd, then the peer's recv %zd",
	      all, end);
	close(cl);
	close(ls);
}

static void test_connect_errors(void)
{
	struct sockaddr_in closed = lo4(1);
	int fd = socket(AF_INET, SOCK_STREAM, 0), err = -1;
	socklen_t len = sizeof(err);

	CHECK_ERR("connect_refused", connect(fd, (struct sockaddr *)&closed, sizeof(closed)), ECONNREFUSED);
	close(fd);
	/* non-blocking: EINPROGRESS, then writable or in error, SO_ERROR says */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_ERR("connect_nonblock_einprogress", connect(fd, (struct sockaddr *)&closed, sizeof(closed)),
		  EINPROGRESS);
	struct pollfd p = { fd, POLLOUT, 0 };
	int n = poll(&p, 1, 3000);
	CHECK("connect_nonblock_refused_poll", n == 1 && (p.revents & (POLLERR | POLLHUP)), "poll %d revents %#x",
	      n, p.revents);
	CHECK("connect_nonblock_so_error_refused", !getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) &&
	      err == ECONNREFUSED, "SO_ERROR %d", err);
	close(fd);
	int port, ls = tcp_listener(4, &port);
	struct sockaddr_in a = lo4(port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	p = (struct pollfd){ fd, POLLOUT, 0 };
	n = poll(&p, 1, 3000);
	err = -1;
	len = sizeof(err);
	CHECK("connect_nonblock_success", (rc == 0 || errno == EINPROGRESS) && n == 1 && (p.revents & POLLOUT) &&
	      !getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) && err == 0, "rc %d poll %d revents %#x err %d",
	      rc, n, p.revents, err);
	close(fd);
	close(ls);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR("connect_bad_family", connect(fd, (struct sockaddr *)&(struct sockaddr_in6){ .sin6_family = 12345 },
						sizeof(struct sockaddr_in)), EAFNOSUPPORT);
	close(fd);
}

static void test_poll_select(void)
{
	int cl, s = tcp_pair(&cl), n;
	struct pollfd p[2];
	double t0;
	char buf[64];

	/* timeouts */
	p[0] = (struct pollfd){ s, POLLIN, 0 };
	t0 = now();
	n = poll(p, 1, 200);
	CHECK("poll_timeout", n == 0 && now() - t0 >= 0.19 && p[0].revents == 0, "poll %d after %.3f", n,
	      now() - t0);
	p[0] = (struct pollfd){ 555, POLLIN, 0 };
	CHECK("poll_pollnval", poll(p, 1, 0) == 1 && p[0].revents == POLLNVAL, "revents %#x", p[0].revents);
	p[0] = (struct pollfd){ -1, POLLIN, 0 };
	CHECK("poll_negative_fd_ignored", poll(p, 1, 0) == 0 && p[0].revents == 0, "revents %#x", p[0].revents);
	CHECK_ERR("poll_efault", poll((struct pollfd *)8, 1, 0), EFAULT);
	p[0] = (struct pollfd){ cl, POLLOUT, 0 };
	CHECK("poll_writable", poll(p, 1, 0) == 1 && (p[0].revents & POLLOUT), "revents %#x", p[0].revents);
	/* readable once data is there, from a wake-up while poll sleeps */
	p[0] = (struct pollfd){ s, POLLIN, 0 };
	write(cl, "ping", 4);
	CHECK("poll_readable", poll(p, 1, 2000) == 1 && (p[0].revents & POLLIN), "revents %#x", p[0].revents);
	read(s, buf, sizeof(buf));
	/* select: readable set, timeout, a closed descriptor */
	fd_set rd;
	struct timeval tv = { 0, 150000 };
	FD_ZERO(&rd);
	FD_SET(s, &rd);
	t0 = now();
	n = select(s + 1, &rd, NULL, NULL, &tv);
	CHECK("select_timeout", n == 0 && !FD_ISSET(s, &rd) && now() - t0 >= 0.14, "select %d", n);
	write(cl, "pong", 4);
	FD_ZERO(&rd);
	FD_SET(s, &rd);
	tv = (struct timeval){ 2, 0 };
	n = select(s + 1, &rd, NULL, NULL, &tv);
	CHECK("select_readable", n == 1 && FD_ISSET(s, &rd), "select %d", n);
	read(s, buf, sizeof(buf));
	FD_ZERO(&rd);
	FD_SET(600, &rd);
	tv = (struct timeval){ 0, 0 };
	CHECK_ERR("select_ebadf", select(601, &rd, NULL, NULL, &tv), EBADF);
	/* the peer's close: readable, and read gives 0 */
	close(cl);
	p[0] = (struct pollfd){ s, POLLIN | POLLRDHUP, 0 };
	n = poll(p, 1, 2000);
	CHECK("poll_after_peer_close", n == 1 && (p[0].revents & POLLIN) && (p[0].revents & POLLRDHUP) &&
	      read(s, buf, sizeof(buf)) == 0, "revents %#x", p[0].revents);
	close(s);
	/* a reset: close with unread data sends RST; the peer sees an error */
	s = tcp_pair(&cl);
	write(cl, "unread", 6);
	usleep(100000);
	close(s);
	p[0] = (struct pollfd){ cl, POLLIN, 0 };
	n = poll(p, 1, 2000);
	errno = 0;
	ssize_t r = read(cl, buf, sizeof(buf));
	CHECK("poll_after_reset", n == 1 && (p[0].revents & (POLLERR | POLLHUP)), "poll %d revents %#x", n,
	      p[0].revents);
	CHECK("read_after_reset_econnreset", r == -1 && errno == ECONNRESET, "read %zd", r);
	close(cl);
}

/* n non-blocking connections at a listener nobody accepts from; after they
 * settle, how many were refused (a reset: SO_ERROR set) and how many wait
 * established.  Each refusal is one TcpExt ListenOverflows: the program
 * prints "sockapi: listen overflows N" and test_sockapi.py compares the
 * lines' sum with /proc/net/netstat once it has ended. */
static int connect_flood(const struct sockaddr_in *a, int *c, int n, int *waiting)
{
	int refused = 0;

	*waiting = 0;
	for (int i = 0; i < n; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(c[i], (const struct sockaddr *)a, sizeof(*a));
	}
	usleep(500000);
	for (int i = 0; i < n; i++) {
		int err = -1;
		socklen_t len = sizeof(err);
		struct pollfd p = { c[i], POLLOUT, 0 };

		poll(&p, 1, 1000);
		getsockopt(c[i], SOL_SOCKET, SO_ERROR, &err, &len);
		if (err == 0 && (p.revents & POLLOUT))
			(*waiting)++;
		else
			refused++;
	}
	printf("sockapi: listen overflows %d\n", refused);
	return refused;
}

static void test_backlog(void)
{
	enum { FLOOD = 40, FLOOD_BACKLOG = 3 };
	int port, ls = tcp_listener(1, &port), c[FLOOD], connected, refused, n, got = 0;
	struct sockaddr_in a = lo4(port);
	struct epoll_event ev, out[4];

	/* nobody accepts: backlog + 1 wait (Linux's sk_acceptq_is_full:
	 * full when more than backlog wait), the rest are refused */
	refused = connect_flood(&a, c, 4, &connected);
	CHECK("listen_backlog_full_refused", connected == 2 && refused == 2, "connected %d refused %d",
	      connected, refused);
	struct pollfd p = { ls, POLLIN, 0 };
	CHECK("listen_readable_when_pending", poll(&p, 1, 0) == 1 && (p.revents & POLLIN), "revents %#x",
	      p.revents);
	for (int i = 0; i < 4; i++)
		close(c[i]);
	close(ls);
	/* a flood at a listener that never accepts: the backlog fills, every
	 * connection past it is refused; epoll says the listener is readable,
	 * and after the waiting ones are accepted nothing is left */
	ls = tcp_listener(FLOOD_BACKLOG, &port);
	a = lo4(port);
	refused = connect_flood(&a, c, FLOOD, &connected);
	CHECK("listen_flood_refused_past_the_backlog", connected == FLOOD_BACKLOG + 1 &&
	      refused == FLOOD - FLOOD_BACKLOG - 1, "connected %d refused %d", connected, refused);
	int ep = epoll_create1(0);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = ls };
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	n = epoll_wait(ep, out, 4, 0);
	CHECK("epoll_listener_backlog_full", n == 1 && out[0].events == EPOLLIN && out[0].data.fd == ls,
	      "n %d events %#x", n, n > 0 ? out[0].events : 0);
	fcntl(ls, F_SETFL, O_NONBLOCK);
	for (int s; (s = accept(ls, NULL, NULL)) >= 0; got++)
		close(s);
	int err = errno;
	n = epoll_wait(ep, out, 4, 0);
	CHECK("listen_flood_accepts_the_waiting", got == FLOOD_BACKLOG + 1 && err == EAGAIN && n == 0,
	      "accepted %d, then errno %d; epoll %d", got, err, n);
	close(ep);
	for (int i = 0; i < FLOOD; i++)
		close(c[i]);
	close(ls);
}

/* epoll at a connection's end: the peer's close (end of stream, RDHUP),
 * the peer's reset (error and hang-up, then ECONNRESET), each reported to
 * an edge-triggered registration once */
static void test_epoll_ends(void)
{
	int ep = epoll_create1(0), cl, s, n;
	struct epoll_event ev, out[4];
	char buf[16];

	s = tcp_pair(&cl);
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = s };
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	close(cl);
	n = epoll_wait(ep, out, 4, 2000);
	CHECK("epoll_after_peer_close", n == 1 && out[0].events == (EPOLLIN | EPOLLRDHUP) &&
	      read(s, buf, sizeof(buf)) == 0, "n %d events %#x", n, n > 0 ? out[0].events : 0);
	n = epoll_wait(ep, out, 4, 100);
	CHECK("epoll_after_peer_close_once", n == 0, "n %d", n);
	close(s);
	/* close with unread data resets the connection */
	s = tcp_pair(&cl);
	write(cl, "unread", 6);
	usleep(100000);
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLET, .data.fd = cl };
	epoll_ctl(ep, EPOLL_CTL_ADD, cl, &ev);
	n = epoll_wait(ep, out, 4, 0);
	CHECK("epoll_before_reset_quiet", n == 0, "n %d events %#x", n, n > 0 ? out[0].events : 0);
	close(s);
	n = epoll_wait(ep, out, 4, 2000);
	CHECK("epoll_after_reset", n == 1 && out[0].events == (EPOLLIN | EPOLLERR | EPOLLHUP),
	      "n %d events %#x", n, n > 0 ? out[0].events : 0);
	n = epoll_wait(ep, out, 4, 100);
	CHECK("epoll_after_reset_once", n == 0, "n %d", n);
	CHECK_ERR("epoll_after_reset_read_econnreset", read(cl, buf, sizeof(buf)), ECONNRESET);
	close(cl);
	close(ep);
}

static void test_epoll(void)
{
	int cl, s = tcp_pair(&cl), ep = epoll_create1(0), n;
	struct epoll_event ev, out[8];
	char buf[64];

	CHECK("epoll_create1", ep >= 0, "ep %d", ep);
	CHECK_ERR("epoll_create1_bad_flags", epoll_create1(1), EINVAL);
	fcntl(s, F_SETFL, O_NONBLOCK);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 0x1234567890ULL };
	CHECK("epoll_ctl_add", !epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev), "add");
	CHECK_ERR("epoll_ctl_add_eexist", epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev), EEXIST);
	CHECK_ERR("epoll_ctl_mod_enoent", epoll_ctl(ep, EPOLL_CTL_MOD, cl, &ev), ENOENT);
	CHECK_ERR("epoll_ctl_ebadf", epoll_ctl(ep, EPOLL_CTL_ADD, 700, &ev), EBADF);
	CHECK_ERR("epoll_ctl_self_einval", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	CHECK_ERR("epoll_ctl_not_epoll_einval", epoll_ctl(s, EPOLL_CTL_ADD, cl, &ev), EINVAL);
	CHECK_ERR("epoll_wait_bad_max", epoll_wait(ep, out, 0, 0), EINVAL);
	CHECK_ERR("epoll_wait_efault", epoll_wait(ep, (struct epoll_event *)8, 1, 0), EFAULT);
	double t0 = now();
	n = epoll_wait(ep, out, 8, 150);
	CHECK("epoll_wait_timeout", n == 0 && now() - t0 >= 0.14, "n %d", n);
	/* level-triggered: reported until read */
	write(cl, "lt", 2);
	n = epoll_wait(ep, out, 8, 2000);
	CHECK("epoll_lt_first", n == 1 && out[0].data.u64 == 0x1234567890ULL && (out[0].events & EPOLLIN),
	      "n %d", n);
	n = epoll_wait(ep, out, 8, 0);
	CHECK("epoll_lt_again_unread", n == 1, "n %d", n);
	read(s, buf, sizeof(buf));
	n = epoll_wait(ep, out, 8, 0);
	CHECK("epoll_lt_quiet_after_read", n == 0, "n %d", n);
	/* edge-triggered: once per arrival */
	ev.events = EPOLLIN | EPOLLET;
	CHECK("epoll_ctl_mod_et", !epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev), "mod");
	write(cl, "et1", 3);
	n = epoll_wait(ep, out, 8, 2000);
	CHECK("epoll_et_first", n == 1, "n %d", n);
	n = epoll_wait(ep, out, 8, 100);
	CHECK("epoll_et_not_again", n == 0, "n %d", n);
	write(cl, "et2", 3);
	n = epoll_wait(ep, out, 8, 2000);
	CHECK("epoll_et_new_data", n == 1, "n %d", n);
	while (read(s, buf, sizeof(buf)) > 0)
		;
	/* one-shot: once, then silent until MOD */
	ev.events = EPOLLIN | EPOLLONESHOT;
	epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev);
	write(cl, "os", 2);
	n = epoll_wait(ep, out, 8, 2000);
	CHECK("epoll_oneshot_first", n == 1, "n %d", n);
	write(cl, "os", 2);
	n = epoll_wait(ep, out, 8, 100);
	CHECK("epoll_oneshot_disabled", n == 0, "n %d", n);
	epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev);
	n = epoll_wait(ep, out, 8, 2000);
	CHECK("epoll_oneshot_rearmed", n == 1, "n %d", n);
	while (read(s, buf, sizeof(buf)) > 0)
		;
	/* EPOLLRDHUP when the peer shuts its side */
	ev.events = EPOLLIN | EPOLLRDHUP;
	epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev);
	shutdown(cl, SHUT_WR);
	n = epoll_wait(ep, out, 8, 2000);
	CHECK("epoll_rdhup", n == 1 && (out[0].events & EPOLLRDHUP), "n %d events %#x", n, out[0].events);
	CHECK("epoll_ctl_del", !epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL), "del");
	n = epoll_wait(ep, out, 8, 0);
	CHECK("epoll_quiet_after_del", n == 0, "n %d", n);
	CHECK_ERR("epoll_ctl_del_enoent", epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL), ENOENT);
	/* a closed descriptor leaves the set */
	ev.events = EPOLLIN;
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	close(s);
	n = epoll_wait(ep, out, 8, 0);
	CHECK("epoll_close_leaves_set", n == 0, "n %d", n);
	/* many at once, maxevents smaller than the ready count */
	int ls2[6];
	for (int i = 0; i < 6; i++) {
		int a, b = tcp_pair(&a);

		ls2[i] = a;
		ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = b };
		epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev);
		write(a, "m", 1);
	}
	usleep(100000);
	n = epoll_wait(ep, out, 4, 1000);
	int n2 = epoll_wait(ep, out + 4, 4, 1000);
	CHECK("epoll_maxevents", n == 4 && n2 >= 2, "n %d n2 %d", n, n2);
	for (int i = 0; i < 6; i++) {
		close(ls2[i]);
		close(out[i].data.fd);
	}
	close(cl);
	close(ep);
}

static void test_ipv6_and_names(void)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int ls = socket(AF_INET6, SOCK_STREAM, 0), cl, s;
	socklen_t len = sizeof(a6);
	char txt[INET6_ADDRSTRLEN];
	char buf[8];

	CHECK("ipv6_listen", ls >= 0 && !bind(ls, (struct sockaddr *)&a6, sizeof(a6)) && !listen(ls, 2) &&
	      !getsockname(ls, (struct sockaddr *)&a6, &len), "listen");
	cl = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK("ipv6_connect", !connect(cl, (struct sockaddr *)&a6, sizeof(a6)), "connect");
	s = accept(ls, NULL, NULL);
	CHECK("ipv6_data", s >= 0 && send(cl, "v6", 2, 0) == 2 && recv(s, buf, 2, MSG_WAITALL) == 2, "data");
	close(s);
	close(cl);
	close(ls);
	/* an AF_INET6 socket bound to :: reaches an IPv4 peer (v4-mapped) */
	struct sockaddr_in6 any6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	ls = socket(AF_INET6, SOCK_STREAM, 0);
	bind(ls, (struct sockaddr *)&any6, sizeof(any6));
	listen(ls, 2);
	len = sizeof(any6);
	getsockname(ls, (struct sockaddr *)&any6, &len);
	struct sockaddr_in a4 = lo4(ntohs(any6.sin6_port));
	cl = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in6 peer;
	len = sizeof(peer);
	int ok = !connect(cl, (struct sockaddr *)&a4, sizeof(a4));
	s = ok ? accept(ls, (struct sockaddr *)&peer, &len) : -1;
	inet_ntop(AF_INET6, &peer.sin6_addr, txt, sizeof(txt));
	CHECK("ipv6_v4_mapped_accept", s >= 0 && !strcmp(txt, "::ffff:127.0.0.1"), "peer %s", s >= 0 ? txt : "-");
	close(s);
	close(cl);
	close(ls);
	/* the numeric resolver is musl's own */
	struct in_addr in;
	CHECK("inet_pton_ntop", inet_pton(AF_INET, "10.1.2.3", &in) == 1 &&
	      !strcmp(inet_ntop(AF_INET, &in, txt, sizeof(txt)), "10.1.2.3"), "%s", txt);
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM }, *res;
	CHECK("getaddrinfo_numeric", !getaddrinfo("fd00::1", "80", &hints, &res) && res->ai_family == AF_INET6 &&
	      ntohs(((struct sockaddr_in6 *)res->ai_addr)->sin6_port) == 80, "getaddrinfo");
}

/* a peer that never reads: once its window and the send buffer are full
 * a blocking send waits SO_SNDTIMEO, then fails with EAGAIN (nothing sent) */
static void test_send_timeout(void)
{
	static char chunk[65536];
	int cl, s = tcp_pair(&cl);
	struct timeval tv = { 0, 200000 }, back = { -1, -1 };
	socklen_t len = sizeof(back);
	struct pollfd p = { cl, POLLOUT, 0 };
	long total = 0;

	fcntl(cl, F_SETFL, O_NONBLOCK);
	/* until the socket stays unwritable for 200 ms */
	for (int i = 0; i < 1000; i++) {
		ssize_t w = send(cl, chunk, sizeof(chunk), 0);

		if (w > 0)
			total += w;
		else if (errno != EAGAIN || poll(&p, 1, 200) == 0)
			break;
	}
	fcntl(cl, F_SETFL, 0);
	CHECK("so_sndtimeo_set_and_get", !setsockopt(cl, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) &&
	      !getsockopt(cl, SOL_SOCKET, SO_SNDTIMEO, &back, &len) && len == sizeof(back) &&
	      back.tv_sec == 0 && back.tv_usec == 200000, "got %ld.%06ld", (long)back.tv_sec,
	      (long)back.tv_usec);
	double t0 = now();

	errno = 0;
	ssize_t w = send(cl, chunk, sizeof(chunk), 0);
	double waited = now() - t0;

	CHECK("so_sndtimeo_eagain", total > 0 && w == -1 && errno == EAGAIN && waited >= 0.18 &&
	      waited < 5.0, "queued %ld, then send %zd after %.3f s", total, w, waited);
	close(s);
	close(cl);
}

/* A blocking send() of 64 KiB that finds room for only part of it
 * returns the whole count once a slow reader makes room (Linux's
 * blocking send): kernel/app/syscall.c's app_dgram_call first sends
 * without waiting, with interrupts off, and must send the rest the
 * blocking way.  Every byte of the stream carries its offset's pattern,
 * checked by the reader. */
#define STREAM_BYTE(off) ((unsigned char)(((off) * 131 + ((off) >> 9)) & 0xff))

static int part_fd;
static long part_want, part_got, part_bad = -1;

static void stream_fill(unsigned char *b, size_t n, long off)
{
	for (size_t i = 0; i < n; i++)
		b[i] = STREAM_BYTE(off + (long)i);
}

static void *thr_slow_reader(void *arg)
{
	static unsigned char b[8192];

	(void)arg;
	usleep(300000);         /* the main thread is in send by now */
	while (part_got < part_want) {
		ssize_t n = recv(part_fd, b, sizeof(b), 0);

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n && part_bad < 0; i++)
			if (b[i] != STREAM_BYTE(part_got + i))
				part_bad = part_got + i;
		part_got += n;
	}
	return NULL;
}

static void test_blocking_send_partial_room(void)
{
	static unsigned char chunk[65536];
	unsigned char sink[20000];
	int cl, s = tcp_pair(&cl);
	struct pollfd p = { cl, POLLOUT, 0 };
	long sent = 0, drained = 0;
	pthread_t t;

	/* fill until the socket stays unwritable for 200 ms */
	fcntl(cl, F_SETFL, O_NONBLOCK);
	for (int i = 0; i < 1000; i++) {
		stream_fill(chunk, sizeof(chunk), sent);
		ssize_t w = send(cl, chunk, sizeof(chunk), 0);

		if (w > 0)
			sent += w;
		else if (errno != EAGAIN || poll(&p, 1, 200) == 0)
			break;
	}
	fcntl(cl, F_SETFL, 0);
	/* room for part of the next send: 20000 bytes read, then writable */
	while (drained < (long)sizeof(sink)) {
		ssize_t n = recv(s, sink, sizeof(sink) - (size_t)drained, 0);

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n && part_bad < 0; i++)
			if (sink[i] != STREAM_BYTE(drained + i))
				part_bad = drained + i;
		drained += n;
	}
	int writable = poll(&p, 1, 2000);

	part_fd = s;
	part_got = drained;
	part_want = sent + (long)sizeof(chunk);
	pthread_create(&t, NULL, thr_slow_reader, NULL);
	stream_fill(chunk, sizeof(chunk), sent);
	double t0 = now();
	ssize_t w = send(cl, chunk, sizeof(chunk), 0);
	double waited = now() - t0;

	shutdown(cl, SHUT_WR);  /* the reader ends even after a short send */
	pthread_join(t, NULL);
	CHECK("blocking_send_partial_room_sends_all", sent > 0 && writable == 1 &&
	      w == (ssize_t)sizeof(chunk) && waited >= 0.2 && part_got == part_want && part_bad < 0,
	      "queued %ld, writable %d, send %zd after %.3f s, read %ld of %ld, first bad byte %ld",
	      sent, writable, w, waited, part_got, part_want, part_bad);
	close(s);
	close(cl);
}

/* blocking calls in threads: one blocks in accept, another in recv */
static int thr_port;

static void *thr_client(void *arg)
{
	struct sockaddr_in a = lo4(thr_port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)arg;
	usleep(200000);         /* the main thread is in accept by now */
	connect(fd, (struct sockaddr *)&a, sizeof(a));
	usleep(200000);         /* ... and in recv */
	send(fd, "late", 4, 0);
	close(fd);
	return NULL;
}

static void test_blocking_threads(void)
{
	int ls = tcp_listener(2, &thr_port), s;
	pthread_t t;
	char buf[8] = { 0 };
	double t0 = now();

	pthread_create(&t, NULL, thr_client, NULL);
	s = accept(ls, NULL, NULL);
	double at = now() - t0;
	ssize_t n = recv(s, buf, sizeof(buf), MSG_WAITALL);
	pthread_join(t, NULL);
	CHECK("blocking_accept_and_recv_woken", s >= 0 && at >= 0.15 && n == 4 && !memcmp(buf, "late", 4),
	      "s %d after %.3f n %zd", s, at, n);
	close(s);
	close(ls);
}

/* user memory the kernel cannot copy to or from (kernel/app/uvm.c): a
 * buffer another thread unmaps while recv sleeps on it, a read-only or
 * PROT_NONE page handed to a call.  Each is EFAULT (or Linux's short
 * count), never a kernel fault; the kernel resumes its copy at the
 * exception table's fixup. */
#define FUTEX_WAIT_OP 0          /* linux/futex.h's FUTEX_WAIT */

static int fault_fd;
static char *fault_buf;
static long fault_rc = -2;
static int fault_errno;

static void *thr_fault_recv(void *arg)
{
	(void)arg;
	errno = 0;
	fault_rc = recv(fault_fd, fault_buf, 4096, 0);
	fault_errno = errno;
	return NULL;
}

/* recv sleeping on fault_buf while this thread unmaps it, then wakes it
 * with data from peer (sent to `to` when not NULL); recv's result */
static long recv_on_unmapped(int fd, int peer, const struct sockaddr_in *to)
{
	pthread_t t;
	struct timespec pause = { 0, 100 * 1000 * 1000 };

	fault_fd = fd;
	fault_rc = -2;
	fault_buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_create(&t, NULL, thr_fault_recv, NULL);
	nanosleep(&pause, NULL);        /* the reader sleeps in recv by now */
	munmap(fault_buf, 4096);
	if (to)
		sendto(peer, "gone", 4, 0, (const struct sockaddr *)to, sizeof(*to));
	else
		write(peer, "x", 1);
	pthread_join(t, NULL);
	return fault_rc;
}

static void test_user_faults(void)
{
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct sockaddr_in a = lo4(0);
	int u = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0), cl, s;
	char buf[8192];
	long r;

	bind(u, (struct sockaddr *)&a, sizeof(a));
	a = lo4(port_of(u));
	r = recv_on_unmapped(u, tx, &a);
	CHECK("uaccess_udp_recv_buffer_unmapped_meanwhile", r == -1 && fault_errno == EFAULT,
	      "recv %ld errno %d", r, fault_errno);
	sendto(tx, "ro", 2, 0, (struct sockaddr *)&a, sizeof(a));
	CHECK_ERR("uaccess_udp_recv_into_readonly_page", recv(u, ro, 100, 0), EFAULT);
	CHECK("uaccess_readonly_page_unwritten", ro[0] == 0, "ro[0] %d", ro[0]);
	CHECK_ERR("uaccess_udp_send_from_prot_none", sendto(tx, none, 10, 0, (struct sockaddr *)&a, sizeof(a)),
		  EFAULT);
	/* the source address to a read-only page, its length from a PROT_NONE
	 * one: EFAULT (Linux's move_addr_to_user; the datagram is read) */
	{
		socklen_t flen = sizeof(struct sockaddr_in);

		sendto(tx, "ad", 2, 0, (struct sockaddr *)&a, sizeof(a));
		CHECK_ERR("uaccess_udp_recvfrom_addr_readonly",
			  recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)ro, &flen), EFAULT);
		sendto(tx, "al", 2, 0, (struct sockaddr *)&a, sizeof(a));
		CHECK_ERR("uaccess_udp_recvfrom_addrlen_prot_none",
			  recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)buf, (socklen_t *)none),
			  EFAULT);
	}
	/* the destination address unreadable */
	CHECK_ERR("uaccess_udp_sendto_addr_prot_none", sendto(tx, "a", 1, 0, (struct sockaddr *)none,
							      sizeof(a)), EFAULT);
	CHECK_ERR("uaccess_console_write_from_prot_none", write(1, none, 10), EFAULT);
	CHECK_ERR("uaccess_futex_wait_prot_none", syscall(SYS_futex, none, FUTEX_WAIT_OP, 0, NULL), EFAULT);

	s = tcp_pair(&cl);
	r = recv_on_unmapped(s, cl, NULL);
	CHECK("uaccess_tcp_recv_buffer_unmapped_meanwhile", r == -1 && fault_errno == EFAULT,
	      "recv %ld errno %d", r, fault_errno);
	/* the byte the faulting recv could not deliver is still there */
	CHECK("uaccess_tcp_data_kept_after_efault", recv(s, buf, sizeof(buf), 0) == 1 && buf[0] == 'x',
	      "byte %d", buf[0]);
	CHECK_ERR("uaccess_tcp_send_from_prot_none", send(cl, none, 10, 0), EFAULT);
	/* a buffer whose second page is PROT_NONE: the first page's bytes
	 * (Linux's short count), then the rest to a good buffer */
	memset(buf, 'd', 6000);
	int sent = (int)write(cl, buf, 6000), queued = 0;
	for (int i = 0; i < 200 && queued < 6000; i++) {
		struct timespec ms = { 0, 5 * 1000 * 1000 };

		ioctl(s, FIONREAD, &queued);
		if (queued < 6000)
			nanosleep(&ms, NULL);
	}
	mprotect(two + 4096, 4096, PROT_NONE);
	r = recv(s, two, 8192, 0);
	long rest = recv(s, buf, sizeof(buf), 0);
	CHECK("uaccess_tcp_recv_short_count_at_prot_none", sent == 6000 && r == 4096 && rest == 1904 &&
	      two[4095] == 'd', "sent %d queued %d recv %ld rest %ld", sent, queued, r, rest);
	/* a destination address whose second half is on the PROT_NONE page */
	memcpy(two + 4096 - 8, &a, 8);
	CHECK_ERR("uaccess_udp_sendto_addr_straddles_prot_none",
		  sendto(tx, "a", 1, 0, (struct sockaddr *)(two + 4096 - 8), sizeof(a)), EFAULT);
	/* epoll_wait's array read-only: EFAULT, the event stays ready */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = 7 }, out[1];
	epoll_ctl(ep, EPOLL_CTL_ADD, cl, &ev);
	CHECK_ERR("uaccess_epoll_wait_readonly_array", epoll_wait(ep, (struct epoll_event *)ro, 1, 0), EFAULT);
	CHECK("uaccess_epoll_event_kept", epoll_wait(ep, out, 1, 0) == 1 && out[0].data.u64 == 7, "lost");
	close(ep);
	close(s);
	close(cl);
	close(u);
	close(tx);
	munmap(ro, 4096);
	munmap(none, 4096);
	munmap(two, 8192);
}

/* the whole of a /proc file (a snapshot, kernel/app/procview.c) in buf;
 * its length, or -1 */
static long read_proc(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long len = 0, n;

	if (fd < 0)
		return -1;
	while (len < (long)size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	return len;
}

/* /proc/net/snmp's Udp InDatagrams and InErrors: 0, or -1 */
static int snmp_udp(long *in_dgrams, long *in_errors)
{
	static char text[8192];
	char *names, *vals, *ns, *vs, *n, *v;

	if (read_proc("/proc/net/snmp", text, sizeof(text)) <= 0)
		return -1;
	names = strstr(text, "\nUdp: ");
	vals = names ? strstr(names + 1, "\nUdp: ") : NULL;
	if (!vals)
		return -1;
	*strchr(vals + 1, '\n') = 0;
	*vals = 0;
	*in_dgrams = *in_errors = -1;
	n = strtok_r(names + 6, " ", &ns);
	v = strtok_r(vals + 6, " ", &vs);
	for (; n && v; n = strtok_r(NULL, " ", &ns), v = strtok_r(NULL, " ", &vs)) {
		if (!strcmp(n, "InDatagrams"))
			*in_dgrams = atol(v);
		else if (!strcmp(n, "InErrors"))
			*in_errors = atol(v);
	}
	return *in_dgrams < 0 || *in_errors < 0 ? -1 : 0;
}

/* the drops column of port's line in /proc/net/udp (Linux's format:
 * sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer
 * drops), or -1 */
static long proc_udp_drops(int port)
{
	static char text[16384];
	char *l, *save;

	if (read_proc("/proc/net/udp", text, sizeof(text)) <= 0)
		return -1;
	for (l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned int lport;
		long drops;

		if (sscanf(l, " %*d: %*x:%x %*x:%*x %*x %*x:%*x %*x:%*x %*x %*u %*d %*u %*d %*s %ld",
			   &lport, &drops) == 2 && (int)lport == port)
			return drops;
	}
	return -1;
}

/* a datagram whose copy to the application faults: EFAULT, and the
 * datagram is gone, counted as Linux's udp_recvmsg counts it (the
 * socket's drops and Udp InErrors, not InDatagrams); a peek that faults
 * leaves it queued and counts nothing */
static void test_udp_efault_counters(void)
{
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct sockaddr_in a = lo4(0);
	int u = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0), port;
	struct pollfd p = { .events = POLLIN };
	long dg0, er0, dg1, er1, dg2, er2, dg3, er3, r;
	char buf[64];

	bind(u, (struct sockaddr *)&a, sizeof(a));
	port = port_of(u);
	a = lo4(port);
	p.fd = u;
	CHECK("proc_net_snmp_readable", snmp_udp(&dg0, &er0) == 0, "no Udp line");
	CHECK("proc_net_udp_lists_the_socket", proc_udp_drops(port) == 0, "drops %ld",
	      proc_udp_drops(port));
	sendto(tx, "fault", 5, 0, (struct sockaddr *)&a, sizeof(a));
	poll(&p, 1, 2000);
	snmp_udp(&dg0, &er0);
	CHECK_ERR("udp_recv_efault", recv(u, none, 100, 0), EFAULT);
	snmp_udp(&dg1, &er1);
	CHECK("udp_efault_counts_inerrors_not_indatagrams", er1 - er0 == 1 && dg1 == dg0,
	      "InErrors %ld -> %ld, InDatagrams %ld -> %ld", er0, er1, dg0, dg1);
	CHECK_ERR("udp_efault_datagram_dropped", recv(u, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK("udp_efault_socket_drops", proc_udp_drops(port) == 1, "drops %ld", proc_udp_drops(port));
	/* a peek into a bad buffer: EFAULT, nothing counted, still queued */
	sendto(tx, "good", 4, 0, (struct sockaddr *)&a, sizeof(a));
	poll(&p, 1, 2000);
	CHECK_ERR("udp_peek_efault", recv(u, none, 100, MSG_PEEK), EFAULT);
	snmp_udp(&dg2, &er2);
	r = recv(u, buf, sizeof(buf), MSG_DONTWAIT);
	snmp_udp(&dg3, &er3);
	CHECK("udp_peek_efault_counts_nothing", er2 == er1 && dg2 == dg1 && proc_udp_drops(port) == 1,
	      "InErrors %ld -> %ld, InDatagrams %ld -> %ld", er1, er2, dg1, dg2);
	CHECK("udp_read_after_efault_counts_indatagrams", r == 4 && !memcmp(buf, "good", 4) &&
	      dg3 - dg2 == 1 && er3 == er2, "recv %ld, InDatagrams %ld -> %ld, InErrors %ld -> %ld",
	      r, dg2, dg3, er2, er3);
	close(u);
	close(tx);
	munmap(none, 4096);
}

/* a descriptor closed by another thread while poll sleeps on it: the wait
 * holds the file, so nothing is freed under it and nothing wakes it; at
 * the timeout the last pass finds the descriptor closed (POLLNVAL, as
 * Linux's do_poll) */
static int closing_fd;
static int poll_result = -2, poll_revents;

static void *thr_poller(void *arg)
{
	struct pollfd p = { closing_fd, POLLIN, 0 };

	(void)arg;
	poll_result = poll(&p, 1, 600);
	poll_revents = p.revents;
	return NULL;
}

static void test_close_while_polled(void)
{
	pthread_t t;
	double t0 = now();

	closing_fd = socket(AF_INET, SOCK_DGRAM, 0);
	pthread_create(&t, NULL, thr_poller, NULL);
	usleep(150000);
	int rc = close(closing_fd);
	pthread_join(t, NULL);
	CHECK("close_while_polled", rc == 0 && poll_result == 1 && poll_revents == POLLNVAL &&
	      now() - t0 >= 0.6, "close %d poll %d revents %#x after %.3f", rc, poll_result, poll_revents,
	      now() - t0);
	/* the descriptor number is free again */
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK("close_while_polled_fd_reused", fd == closing_fd, "fd %d was %d", fd, closing_fd);
	close(fd);
}

static void test_many_and_limit(void)
{
	/* UDP: lwIP's pool of UDP PCBs (MEMP_NUM_UDP_PCB, shared with the
	 * services) bounds these; TCP connections have 256 */
	enum { MANY_UDP = 40, MANY_TCP = 60 };
	int fds[MANY_UDP], ok = 1, dst = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in any = lo4(0);
	char buf[16];

	bind(dst, (struct sockaddr *)&any, sizeof(any));
	struct sockaddr_in to = lo4(port_of(dst));
	for (int i = 0; i < MANY_UDP; i++) {
		fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
		snprintf(buf, sizeof(buf), "%d", i);
		if (fds[i] < 0 || sendto(fds[i], buf, strlen(buf) + 1, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			ok = 0;
	}
	int seen = 0;
	for (int i = 0; i < MANY_UDP; i++)
		if (recv(dst, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			seen++;
	CHECK("many_udp_sockets_at_once", ok && seen == MANY_UDP, "ok %d seen %d", ok, seen);
	for (int i = 0; i < MANY_UDP; i++)
		close(fds[i]);
	close(dst);
	int cls[MANY_TCP], srv[MANY_TCP], good = 0;
	for (int i = 0; i < MANY_TCP; i++)
		srv[i] = tcp_pair(&cls[i]);
	for (int i = 0; i < MANY_TCP; i++)
		if (srv[i] >= 0)
			write(cls[i], "m", 1);
	for (int i = 0; i < MANY_TCP; i++)
		if (srv[i] >= 0 && recv(srv[i], buf, 1, 0) == 1)
			good++;
	CHECK("many_tcp_connections_at_once", good == MANY_TCP, "%d of %d", good, MANY_TCP);
	for (int i = 0; i < MANY_TCP; i++) {
		close(cls[i]);
		close(srv[i]);
	}
	/* the descriptor limit: EMFILE once descriptor 1023 is taken */
	int *all = malloc(sizeof(int) * 2048), n = 0, last = -1;
	errno = 0;
	while (n < 2048 && (all[n] = socket(AF_INET, SOCK_STREAM, 0)) >= 0)
		last = all[n++];
	int err = errno;
	CHECK("emfile_at_the_limit", err == EMFILE && last == 1023, "%d sockets up to fd %d, then errno %d",
	      n, last, err);
	for (int i = 0; i < n; i++)
		close(all[i]);
	free(all);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("sockets_again_after_closing", fd >= 0 && fd < 10, "fd %d", fd);
	close(fd);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("sockapi: start\n");
	test_create_and_bad_descriptors();
	test_udp();
	test_sockopts();
	test_tcp();
	test_connect_errors();
	test_poll_select();
	test_backlog();
	test_epoll();
	test_epoll_ends();
	test_ipv6_and_names();
	test_blocking_threads();
	test_send_timeout();
	test_blocking_send_partial_room();
	test_close_while_polled();
	test_user_faults();
	test_udp_efault_counters();
	if (!(argc > 1 && !strcmp(argv[1], "nolimit")))
		test_many_and_limit();
	printf("sockapi: %d failed\n", failures);
	return failures;
}
