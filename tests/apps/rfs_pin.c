/* A UDP echo server pinned to one CPU, for RFS (tests/qemu/test_rfs.py):
 * `rfs_pin CPU PORT COUNT` moves itself to CPU with sched_setaffinity,
 * checks with sched_getaffinity that it is there, binds PORT and echoes
 * COUNT datagrams back to their senders, then exits with status 0.  A
 * bad CPU must be refused: sched_setaffinity with CPU 63 alone fails
 * with EINVAL first (no such CPU online). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	cpu_set_t set;
	int cpu, port, count, fd;
	struct sockaddr_in a = { .sin_family = AF_INET };

	if (argc != 4) {
		fprintf(stderr, "usage: rfs_pin CPU PORT COUNT\n");
		return 2;
	}
	cpu = atoi(argv[1]);
	port = atoi(argv[2]);
	count = atoi(argv[3]);
	CPU_ZERO(&set);
	CPU_SET(63, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == 0 || errno != EINVAL) {
		printf("rfs_pin: CPU 63 was not refused (errno %d)\n", errno);
		return 1;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		printf("rfs_pin: sched_setaffinity: %s\n", strerror(errno));
		return 1;
	}
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) || !CPU_ISSET(cpu, &set) || CPU_COUNT(&set) != 1) {
		printf("rfs_pin: sched_getaffinity does not say CPU %d\n", cpu);
		return 1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = htons((unsigned short)port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		printf("rfs_pin: socket/bind: %s\n", strerror(errno));
		return 1;
	}
	printf("rfs_pin: on CPU %d, port %d\n", cpu, port);
	fflush(stdout);
	for (int i = 0; i < count; i++) {
		char buf[256];
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);

		if (n < 0 || sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen) != n) {
			printf("rfs_pin: %s\n", strerror(errno));
			return 1;
		}
	}
	printf("rfs_pin: echoed %d\n", count);
	return 0;
}
