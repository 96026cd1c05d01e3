/* bn-inject transports: how frames reach the guest's NIC.
 *
 *  dgram   QEMU -netdev dgram: each UDP datagram is one Ethernet frame.
 *          QEMU's local address is where we send; our socket is bound to
 *          QEMU's remote address, where it sends.
 *  stream  QEMU -netdev stream (server=on): a TCP byte stream, each frame
 *          preceded by its length, 4 bytes big-endian (QEMU net/stream.c).
 *  packet  an AF_PACKET socket on an interface (a tap whose other end is
 *          QEMU), run inside the test's network namespace. */
#define _GNU_SOURCE
#include "inject.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STREAM_HDR     4                     /* the length prefix */
#define SOCK_BUF_BYTES (4 * 1024 * 1024)     /* socket buffers we ask for */
#define RETRY_MS       50

/* "HOST:PORT" (IPv4) into sin; 0 or -EINVAL with a message */
static int parse_hostport(const char *s, struct sockaddr_in *sin, const char *what)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	memset(sin, 0, sizeof(*sin));
	if (!colon || (size_t)(colon - s) >= sizeof(host) || colon == s) {
		fprintf(stderr, "bn-inject: %s: '%s' is not HOST:PORT\n", what, s);
		return -EINVAL;
	}
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || !colon[1] || port == 0 || port > 65535) {
		fprintf(stderr, "bn-inject: %s: bad port in '%s'\n", what, s);
		return -EINVAL;
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		fprintf(stderr, "bn-inject: %s: '%s' is not an IPv4 address\n", what, host);
		return -EINVAL;
	}
	return 0;
}

static void big_buffers(int fd)
{
	int v = SOCK_BUF_BYTES;

	/* the FORCE variants pass rmem_max/wmem_max when we are root */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

int tp_open_dgram(struct transport *t, const char *remote, const char *bind_to)
{
	struct sockaddr_in r, l;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = parse_hostport(remote, &r, "--dgram")) || (rc = parse_hostport(bind_to, &l, "--bind")))
		return rc;
	t->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		return -errno;
	big_buffers(t->fd);
	if (bind(t->fd, (struct sockaddr *)&l, sizeof(l))) {
		rc = -errno;
		fprintf(stderr, "bn-inject: bind %s: %s\n", bind_to, strerror(errno));
		close(t->fd);
		return rc;
	}
	memcpy(t->peer, &r, sizeof(r));
	t->peerlen = sizeof(r);
	t->kind = TP_DGRAM;
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int tp_open_stream(struct transport *t, const char *remote, int connect_ms)
{
	struct sockaddr_in r;
	uint64_t deadline = now_ms() + (uint64_t)connect_ms;
	int rc, one = 1;

	memset(t, 0, sizeof(*t));
	if ((rc = parse_hostport(remote, &r, "--stream")))
		return rc;
	for (;;) {
		t->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (t->fd < 0)
			return -errno;
		if (!connect(t->fd, (struct sockaddr *)&r, sizeof(r)))
			break;
		rc = -errno;
		close(t->fd);
		if (now_ms() >= deadline) {
			fprintf(stderr, "bn-inject: connect %s: %s\n", remote, strerror(-rc));
			return rc;
		}
		usleep(RETRY_MS * 1000);
	}
	setsockopt(t->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	big_buffers(t->fd);
	t->kind = TP_STREAM;
	return 0;
}

int tp_open_packet(struct transport *t, const char *ifname)
{
	struct sockaddr_ll sll;
	unsigned int ifindex = if_nametoindex(ifname);
	int rc;

	memset(t, 0, sizeof(*t));
	if (!ifindex) {
		fprintf(stderr, "bn-inject: --iface %s: no such interface\n", ifname);
		return -ENODEV;
	}
	t->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (t->fd < 0) {
		rc = -errno;
		fprintf(stderr, "bn-inject: AF_PACKET socket: %s (needs CAP_NET_RAW)\n",
			strerror(errno));
		return rc;
	}
	big_buffers(t->fd);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)ifindex;
	if (bind(t->fd, (struct sockaddr *)&sll, sizeof(sll))) {
		rc = -errno;
		fprintf(stderr, "bn-inject: bind to %s: %s\n", ifname, strerror(errno));
		close(t->fd);
		return rc;
	}
	memcpy(t->peer, &sll, sizeof(sll));
	t->peerlen = sizeof(sll);
	t->kind = TP_PACKET;
	return 0;
}

/* Write all of buf to the stream.  While the socket is full, what QEMU
 * sends meanwhile is read into rbuf, so that neither side can wait for
 * the other for ever. */
static int write_all(struct transport *t, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = send(t->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		struct pollfd pfd = { .fd = t->fd, .events = POLLOUT };

		if (n >= 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return -errno;
		if (t->rlen < sizeof(t->rbuf))
			pfd.events |= POLLIN;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return -errno;
		if (pfd.revents & POLLIN) {
			n = recv(t->fd, t->rbuf + t->rlen, sizeof(t->rbuf) - t->rlen, MSG_DONTWAIT);
			if (n == 0)
				return -ECONNRESET;
			if (n > 0)
				t->rlen += (size_t)n;
		}
	}
	return 0;
}

int tp_send(struct transport *t, const uint8_t *f, size_t len)
{
	ssize_t n;

	switch (t->kind) {
	case TP_DGRAM:
		n = sendto(t->fd, f, len, 0, (struct sockaddr *)t->peer, t->peerlen);
		break;
	case TP_PACKET:
		n = send(t->fd, f, len, 0);
		break;
	case TP_STREAM: {
		uint8_t hdr[STREAM_HDR];
		int rc;

		put32(hdr, (uint32_t)len);
		if ((rc = write_all(t, hdr, sizeof(hdr))) || (rc = write_all(t, f, len)))
			return rc;
		return 0;
	}
	default:
		return -EBADF;
	}
	if (n < 0)
		return (errno == EWOULDBLOCK || errno == ENOBUFS) ? -EAGAIN : -errno;
	return 0;
}

/* stream: a whole frame from the bytes buffered so far, if there is one */
static int stream_take(struct transport *t, uint8_t *f)
{
	uint32_t len;

	if (t->rlen < STREAM_HDR)
		return 0;
	len = get32(t->rbuf);
	if (len > FRAME_MAX)
		return -EPROTO;
	if (t->rlen < STREAM_HDR + len)
		return 0;
	memcpy(f, t->rbuf + STREAM_HDR, len);
	memmove(t->rbuf, t->rbuf + STREAM_HDR + len, t->rlen - STREAM_HDR - len);
	t->rlen -= STREAM_HDR + len;
	return (int)len;
}

int tp_recv(struct transport *t, uint8_t *f, int timeout_ms)
{
	struct pollfd pfd = { .fd = t->fd, .events = POLLIN };
	ssize_t n;
	int rc;

	for (;;) {
		if (t->kind == TP_STREAM && (rc = stream_take(t, f)) != 0)
			return rc;
		rc = poll(&pfd, 1, timeout_ms);
		if (rc < 0)
			return errno == EINTR ? 0 : -errno;
		if (rc == 0)
			return 0;
		if (t->kind == TP_STREAM) {
			n = recv(t->fd, t->rbuf + t->rlen, sizeof(t->rbuf) - t->rlen, MSG_DONTWAIT);
			if (n == 0)
				return -ECONNRESET;
			if (n < 0)
				return errno == EWOULDBLOCK ? 0 : -errno;
			t->rlen += (size_t)n;
			timeout_ms = 0;
			continue;
		}
		if (t->kind == TP_PACKET) {
			struct sockaddr_ll from;
			socklen_t fl = sizeof(from);

			n = recvfrom(t->fd, f, FRAME_MAX, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
			if (n >= 0 && from.sll_pkttype == PACKET_OUTGOING) {
				t->rx_dropped_own++;       /* our own frame, looped to us */
				timeout_ms = 0;
				continue;
			}
		} else {
			n = recv(t->fd, f, FRAME_MAX, MSG_DONTWAIT);
		}
		if (n < 0)
			return (errno == EWOULDBLOCK || errno == ECONNREFUSED) ? 0 : -errno;
		return (int)n;
	}
}

void tp_close(struct transport *t)
{
	if (t->kind != TP_NONE)
		close(t->fd);
	t->kind = TP_NONE;
}
