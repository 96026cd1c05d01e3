/* udpflood: the scaling bench's flood sender (bench/scaling.py).
 *
 * Small UDP datagrams to one guest address and port over many flows (one
 * socket per flow, bound to its own source port and connected), a batch
 * per flow per round with sendmmsg(2), round robin over the flows, bounded
 * in time and in count, optionally paced to a rate.  It replaces a Python
 * loop of sendto() that filled one of the host's two cores by itself: the
 * per-frame cost on the host here is the kernel's UDP send alone.
 *
 * Run it inside the test's network namespace (bench/scaling.py starts it
 * with `ip netns exec`): there the only route is the tap's subnet.  As a
 * second guard it sends only to a private (RFC 1918) IPv4 address.
 *
 * Prints one line at the end:
 *   sent <datagrams> errors <failed sends> elapsed <s> cpu <user+sys s>
 * the CPU being this process's own (getrusage), so that the bench can say
 * what the sender cost per frame. */
#define _GNU_SOURCE             /* sendmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FLOWS   1024
#define MAX_BURST   64
#define MAX_SECONDS 60.0        /* a bench cell is seconds long, never more */
#define PAYLOAD_MAX 64

struct opts {
	struct in_addr dst, src;
	unsigned int port, sport, flows, burst, len;
	double seconds, rate;       /* rate: datagrams/s, 0 = as fast as it goes */
	unsigned long long count;   /* 0 = no limit but the time */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t };

	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* 10/8, 172.16/12, 192.168/16 */
static int is_private(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return (h >> 24) == 10 || (h >> 20) == 0xac1 || (h >> 16) == 0xc0a8;
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s --dst A.B.C.D --src A.B.C.D [--port 9] [--sport 42000] [--flows 64]\n"
		"          [--burst 4] [--len 18] [--seconds 3] [--count N] [--rate R]\n"
		"  --dst      the guest's address (private IPv4 only)\n"
		"  --src      the host's address the flows are bound to\n"
		"  --flows    sockets, source ports sport..sport+flows-1 (at most %d)\n"
		"  --burst    datagrams per flow per sendmmsg (at most %d)\n"
		"  --len      payload bytes (at most %d)\n"
		"  --seconds  how long (at most %.0f)\n"
		"  --count    stop after this many datagrams\n"
		"  --rate     datagrams per second, 0 (default) as fast as it goes\n",
		argv0, MAX_FLOWS, MAX_BURST, PAYLOAD_MAX, MAX_SECONDS);
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "dst", required_argument, 0, 'd' }, { "src", required_argument, 0, 's' },
		{ "port", required_argument, 0, 'p' }, { "sport", required_argument, 0, 'P' },
		{ "flows", required_argument, 0, 'f' }, { "burst", required_argument, 0, 'b' },
		{ "len", required_argument, 0, 'l' }, { "seconds", required_argument, 0, 't' },
		{ "count", required_argument, 0, 'n' }, { "rate", required_argument, 0, 'r' },
		{ 0, 0, 0, 0 }
	};
	int c, have_dst = 0, have_src = 0;

	*o = (struct opts){ .port = 9, .sport = 42000, .flows = 64, .burst = 4, .len = 18,
			    .seconds = 3.0 };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': have_dst = inet_pton(AF_INET, optarg, &o->dst) == 1; break;
		case 's': have_src = inet_pton(AF_INET, optarg, &o->src) == 1; break;
		case 'p': o->port = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'P': o->sport = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'f': o->flows = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'b': o->burst = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'l': o->len = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 't': o->seconds = strtod(optarg, NULL); break;
		case 'n': o->count = strtoull(optarg, NULL, 0); break;
		case 'r': o->rate = strtod(optarg, NULL); break;
		default: usage(argv[0]);
		}
	}
	if (!have_dst || !have_src || optind != argc)
		usage(argv[0]);
	if (!is_private(o->dst)) {
		fprintf(stderr, "udpflood: %s is not a private address; refusing\n",
			inet_ntoa(o->dst));
		exit(2);
	}
	if (!o->flows || o->flows > MAX_FLOWS || !o->burst || o->burst > MAX_BURST ||
	    o->len < 8 || o->len > PAYLOAD_MAX || o->port == 0 || o->port > 65535 ||
	    o->sport == 0 || o->sport + o->flows - 1 > 65535 ||
	    !(o->seconds > 0 && o->seconds <= MAX_SECONDS) || o->rate < 0)
		usage(argv[0]);
}

static int open_flow(const struct opts *o, unsigned int i)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	a.sin_addr = o->src;
	a.sin_port = htons((uint16_t)(o->sport + i));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		goto err;
	a.sin_addr = o->dst;
	a.sin_port = htons((uint16_t)o->port);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		goto err;
	return fd;
err:
	close(fd);
	return -1;
}

int main(int argc, char **argv)
{
	static int fds[MAX_FLOWS];
	static char payload[MAX_BURST][PAYLOAD_MAX];
	static struct iovec iov[MAX_BURST];
	static struct mmsghdr msgs[MAX_BURST];
	unsigned long long sent = 0, errors = 0;
	struct rusage ru;
	struct opts o;
	double t0, end, el;
	unsigned int i, k;

	parse(argc, argv, &o);
	for (i = 0; i < o.flows; i++) {
		fds[i] = open_flow(&o, i);
		if (fds[i] < 0) {
			fprintf(stderr, "udpflood: flow %u (port %u): %s\n", i, o.sport + i,
				strerror(errno));
			return 1;
		}
	}
	for (k = 0; k < o.burst; k++) {
		iov[k] = (struct iovec){ .iov_base = payload[k], .iov_len = o.len };
		msgs[k].msg_hdr = (struct msghdr){ .msg_iov = &iov[k], .msg_iovlen = 1 };
	}
	t0 = now_s();
	end = t0 + o.seconds;
	for (;;) {
		double t = now_s();

		if (t >= end || (o.count && sent >= o.count))
			break;
		for (i = 0; i < o.flows; i++) {
			unsigned int n = o.burst;
			int r;

			if (o.count && o.count - sent < n)
				n = (unsigned int)(o.count - sent);
			if (!n)
				break;
			for (k = 0; k < n; k++)
				snprintf(payload[k], PAYLOAD_MAX, "flood %*llu", (int)o.len - 7,
					 (sent + k) % 100000000000ULL);
			r = sendmmsg(fds[i], msgs, n, 0);
			if (r > 0)
				sent += (unsigned int)r;
			if (r < (int)n)
				errors++;       /* EAGAIN/ENOBUFS: the tap's queue is full */
		}
		/* paced: sleep until the time the datagrams sent so far are due */
		if (o.rate > 0 && t0 + (double)sent / o.rate > now_s())
			sleep_until(t0 + (double)sent / o.rate);
	}
	el = now_s() - t0;
	getrusage(RUSAGE_SELF, &ru);
	printf("sent %llu errors %llu elapsed %.6f cpu %.6f\n", sent, errors, el,
	       (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	for (i = 0; i < o.flows; i++)
		close(fds[i]);
	return 0;
}
