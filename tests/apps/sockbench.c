/* The socket API's side of make bench (bench/run.py): the same work as the
 * kernel's callback services, done by an application through system calls.
 *
 *   UDP echo    port 7007: recvfrom() a datagram, sendto() it back, a loop
 *               (the callback echo is the kernel's udp/7)
 *   TCP sink    port 5002: accept(), read() until end of file, discard;
 *               the host's `iperf -c <guest> -p 5002` measures it (the
 *               callback counterpart: lwiperf on 5001)
 *   TCP source  port 5003: a client writes "PORT SECONDS\n"; the program
 *               connects back to the client's address on PORT and write()s
 *               for SECONDS, as lwiperf's tradeoff test does to the host's
 *               iperf listener, then answers "sent BYTES\n" and closes
 *   busy echo   port 7008: the UDP echo on a socket with SO_BUSY_POLL
 *               (BUSY_POLL_US): its reads poll the NIC before they sleep
 *               (tests/qemu/test_apps.py counts what they took)
 *
 * One thread each, all blocked in a system call when idle; each prints a
 * line per TCP connection.  `make run APP=tests/apps/sockbench.c`. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UDP_ECHO_PORT	7007
#define TCP_SINK_PORT	5002
#define TCP_SOURCE_PORT	5003
#define UDP_BUSY_PORT	7008
#define BUSY_POLL_US	200000	/* the busy echo's SO_BUSY_POLL: 200 ms */
#define CHUNK		65536

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int bound_socket(int type, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_ANY) };
	int one = 1, fd = socket(AF_INET, type, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(fd, 4))) {
		perror("sockbench: socket");
		exit(1);
	}
	return fd;
}

/* a UDP echo on the socket arg: the main thread's (UDP_ECHO_PORT) and the
 * busy-polling one's, each with a buffer of its own */
static void *udp_echo(void *arg)
{
	char *buf = malloc(CHUNK);
	int fd = (int)(long)arg;

	if (!buf) {
		perror("sockbench: malloc");
		exit(1);
	}
	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, CHUNK, 0, (struct sockaddr *)&from, &len);

		if (n >= 0)
			sendto(fd, buf, n, 0, (struct sockaddr *)&from, len);
	}
	return NULL;
}

static void *tcp_sink(void *arg)
{
	static char buf[CHUNK];
	int ls = (int)(long)arg;

	for (;;) {
		int c = accept(ls, NULL, NULL);
		long long total = 0;
		ssize_t n;

		if (c < 0)
			continue;
		while ((n = read(c, buf, sizeof(buf))) > 0)
			total += n;
		close(c);
		printf("sockbench: sink read %lld bytes\n", total);
	}
	return NULL;
}

/* One source run on control connection c: connect back, write for the
 * asked time, report the bytes written on c. */
static void source_run(int c)
{
	static char buf[CHUNK];	/* zeros: iperf's server reads no header flags */
	char line[64];
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	ssize_t n = read(c, line, sizeof(line) - 1);
	long long total = 0;
	int port, fd;
	double secs, end;

	if (n <= 0)
		return;
	line[n] = '\0';
	if (sscanf(line, "%d %lf", &port, &secs) != 2 ||
	    getpeername(c, (struct sockaddr *)&peer, &len))
		return;
	peer.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&peer, sizeof(peer))) {
		perror("sockbench: source connect");
		if (fd >= 0)
			close(fd);
		return;
	}
	end = now_s() + secs;
	while (now_s() < end) {
		n = write(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	n = snprintf(line, sizeof(line), "sent %lld\n", total);
	write(c, line, n);
	printf("sockbench: source wrote %lld bytes in %.1f s\n", total, secs);
}

static void *tcp_source(void *arg)
{
	int ls = (int)(long)arg;

	for (;;) {
		int c = accept(ls, NULL, NULL);

		if (c < 0)
			continue;
		source_run(c);
		close(c);
	}
	return NULL;
}

int main(void)
{
	long udp = bound_socket(SOCK_DGRAM, UDP_ECHO_PORT);
	long sink = bound_socket(SOCK_STREAM, TCP_SINK_PORT);
	long source = bound_socket(SOCK_STREAM, TCP_SOURCE_PORT);
	long busy = bound_socket(SOCK_DGRAM, UDP_BUSY_PORT);
	int busy_us = BUSY_POLL_US;
	pthread_t t[2], busy_t;

	/* every socket bound before the line the bench waits for */
	if (pthread_create(&t[0], NULL, tcp_sink, (void *)sink) ||
	    pthread_create(&t[1], NULL, tcp_source, (void *)source)) {
		perror("sockbench: pthread_create");
		return 1;
	}
	if (setsockopt(busy, SOL_SOCKET, SO_BUSY_POLL, &busy_us, sizeof(busy_us)) ||
	    pthread_create(&busy_t, NULL, udp_echo, (void *)busy)) {
		perror("sockbench: busy echo");
		return 1;
	}
	printf("sockbench: udp echo %d, tcp sink %d, tcp source %d\n", UDP_ECHO_PORT,
	       TCP_SINK_PORT, TCP_SOURCE_PORT);
	fflush(stdout);
	udp_echo((void *)udp);
	return 0;
}
