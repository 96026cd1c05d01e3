/* A TCP listener with a small receive buffer and a slow reader, for
 * tests/qemu/test_rcvwin.py: SO_RCVBUF set before listen(), so that the
 * window of the SYN|ACK already fits the buffer (lwIP patch 0061,
 * net/socket/sock_tcp.c), then one connection read CHUNK bytes at a time
 * with a pause of PAUSE_MS after each read, until the peer's FIN.
 *
 * With a fifth argument, an IPv4 address, it connects to that address's
 * PORT instead (SO_RCVBUF set before connect(): the window of its SYN).
 *
 * usage: rcvwin PORT RCVBUF CHUNK PAUSE_MS [CONNECT_TO]
 * prints "rcvwin: rcvbuf N" (getsockopt: Linux doubles what was asked),
 * "rcvwin: listening on port P" (or "rcvwin: connected to A:P"), and at
 * the end "rcvwin: bytes=B sum=S
 * max_queued=Q reads=R" (S the bytes' sum mod 2^32, Q the most bytes
 * FIONREAD found waiting before a read); exit status 0, or 1 when a call
 * failed (named on the console). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what)
{
	printf("rcvwin: %s failed: errno %d\n", what, errno);
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int port, rcvbuf, chunk, pause_ms, ls, c, v = 0, queued;
	socklen_t len = sizeof(v);
	unsigned long sum = 0;
	long bytes = 0, reads = 0, n;
	int max_queued = 0;
	unsigned char *buf;
	struct timespec pause;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 5 && argc != 6) {
		printf("rcvwin: usage: rcvwin PORT RCVBUF CHUNK PAUSE_MS [CONNECT_TO]\n");
		return 1;
	}
	port = atoi(argv[1]);
	rcvbuf = atoi(argv[2]);
	chunk = atoi(argv[3]);
	pause_ms = atoi(argv[4]);
	pause.tv_sec = pause_ms / 1000;
	pause.tv_nsec = (long)(pause_ms % 1000) * 1000000L;
	buf = malloc((size_t)chunk);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (!buf || ls < 0)
		return fail("socket");
	if (setsockopt(ls, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) ||
	    getsockopt(ls, SOL_SOCKET, SO_RCVBUF, &v, &len))
		return fail("SO_RCVBUF");
	printf("rcvwin: rcvbuf %d\n", v);
	a.sin_port = htons((unsigned short)port);
	if (argc == 6) {
		if (inet_pton(AF_INET, argv[5], &a.sin_addr) != 1) {
			printf("rcvwin: not an IPv4 address: %s\n", argv[5]);
			return 1;
		}
		if (connect(ls, (struct sockaddr *)&a, sizeof(a)))
			return fail("connect");
		printf("rcvwin: connected to %s:%d\n", argv[5], port);
		c = ls;
		ls = -1;
	} else {
		if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 1))
			return fail("bind/listen");
		printf("rcvwin: listening on port %d\n", port);
		c = accept(ls, NULL, NULL);
		if (c < 0)
			return fail("accept");
	}
	for (;;) {
		if (ioctl(c, FIONREAD, &queued))
			return fail("FIONREAD");
		if (queued > max_queued)
			max_queued = queued;
		n = read(c, buf, (size_t)chunk);
		if (n < 0)
			return fail("read");
		if (!n)
			break;
		for (long i = 0; i < n; i++)
			sum += buf[i];
		bytes += n;
		reads++;
		nanosleep(&pause, NULL);
	}
	printf("rcvwin: bytes=%ld sum=%lu max_queued=%d reads=%ld\n", bytes, sum & 0xffffffffUL,
	       max_queued, reads);
	close(c);
	if (ls >= 0)
		close(ls);
	free(buf);
	return 0;
}
