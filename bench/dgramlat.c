/* How long one sendto()/recvfrom() of the largest datagram takes, as the
 * application sees it: the bound on how long kernel/app/syscall.c's
 * app_dgram_call keeps interrupts off (a call that does not wait runs
 * with them off, apart from the softirqs its bottom-half enable runs).
 * ROUNDS calls of each kind, 65,507 bytes each (UDP's largest payload):
 *   bcast  sendto the broadcast address argv[1] (no ARP: its 45 IP
 *          fragments go through lwIP and the NIC driver in the call);
 *   loop   sendto 127.0.0.1, to this socket (the fragments queued on the
 *          loopback interface; its NAPI poll runs at the call's end);
 *   read   recvfrom of one such datagram (one copy out of 45 pbufs);
 * and the same for 64 B datagrams.  Prints, per kind, the median and the
 * largest in microseconds by CLOCK_MONOTONIC (the guest's clock follows
 * the host's under TCG: the load moves it; compare images in turn).
 *
 *   make app-kernel APP=bench/dgramlat.c FLAVOUR=release BUILD=build/release
 *   qemu-system-x86_64 -nodefaults -no-reboot -machine q35 -m 256 -smp 1 \
 *     -display none -serial stdio -accel tcg \
 *     -netdev hubport,id=n0,hubid=0 -device e1000,netdev=n0 \
 *     -kernel build/release/apps/dgramlat/barenet.elf \
 *     -append "exit=app ip=10.0.2.15/24,10.0.2.2 -- 10.0.2.255"
 * (the hub has no other port: the frames go nowhere). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS  200
#define BIG     65507

static char buf[BIG];
static long t_us[ROUNDS];

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

static int last_errno;          /* of the last call that failed */

static void report(const char *what, size_t size, int n, int failed)
{
	qsort(t_us, (size_t)n, sizeof(t_us[0]), cmp_long);
	printf("dgramlat %-5s %5zu B: %d calls (%d failed%s%s), median %ld us, max %ld us\n",
	       what, size, n, failed, failed ? ": " : "", failed ? strerror(last_errno) : "",
	       n ? t_us[n / 2] : 0, n ? t_us[n - 1] : 0);
}

/* ROUNDS sendto of size bytes to dst (and, for loop, the reads back) */
static void run(int fd, const char *what, const struct sockaddr_in *dst, size_t size, bool read)
{
	int failed = 0;

	for (int i = 0; i < ROUNDS; i++) {
		long t0 = now_ns();

		if (sendto(fd, buf, size, 0, (const struct sockaddr *)dst, sizeof(*dst)) != (ssize_t)size) {
			last_errno = errno;
			failed++;
		}
		t_us[i] = (now_ns() - t0) / 1000;
		if (read) {
			/* taken out of the timing: this is the send's figure */
			if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) != (ssize_t)size)
				failed++;
		}
	}
	report(what, size, ROUNDS, failed);
	if (!read)
		return;
	/* the reads: one datagram queued, then read and timed */
	failed = 0;
	for (int i = 0; i < ROUNDS; i++) {
		long t0;

		sendto(fd, buf, size, 0, (const struct sockaddr *)dst, sizeof(*dst));
		usleep(1000);           /* its loopback poll has run */
		t0 = now_ns();
		if (recvfrom(fd, buf, sizeof(buf), 0, NULL, NULL) != (ssize_t)size)
			failed++;
		t_us[i] = (now_ns() - t0) / 1000;
	}
	report("read", size, ROUNDS, failed);
}

/* a UDP socket bound to addr (port 0), with room for 4 MiB each way */
static int dgram_socket(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int on = 1, big = 4 << 20;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof(*addr)) ||
	    getsockname(fd, (struct sockaddr *)addr, &len) ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big))) {
		perror("dgramlat: socket");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_in self = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in any = { .sin_family = AF_INET };
	struct sockaddr_in bcast = { .sin_family = AF_INET, .sin_port = htons(9) };
	int lo, out;

	if (argc < 2 || inet_pton(AF_INET, argv[1], &bcast.sin_addr) != 1) {
		fprintf(stderr, "usage: dgramlat BROADCAST_ADDRESS\n");
		return 2;
	}
	lo = dgram_socket(&self);
	out = dgram_socket(&any);
	memset(buf, 0x5a, sizeof(buf));
	for (size_t size = 64; size <= BIG; size = size == 64 ? BIG : BIG + 1) {
		run(out, "bcast", &bcast, size, false);
		run(lo, "loop", &self, size, true);
	}
	return 0;
}
