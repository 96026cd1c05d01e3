/* A user-space busy loop for the soft-lockup watchdog's test
 * (tests/qemu/test_softlockup.py): `spin CPU SECONDS` moves itself to CPU
 * with sched_setaffinity, measures the TSC's rate against CLOCK_MONOTONIC,
 * then spins SECONDS on the TSC alone -- no system call in the loop, so
 * the thread never enters the kernel of its own accord -- and says how
 * long the spin took by CLOCK_MONOTONIC.  Linux reports no soft lockup
 * for such a loop (its watchdog thread preempts user code); a kernel that
 * counts only switches and halts as progress would. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* the TSC's rate is measured over this long (with system calls) */
#define CALIBRATE_NS 200000000LL

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	cpu_set_t set;
	long long t0, t1;
	uint64_t c0, c1, hz, end;
	int cpu, secs;

	if (argc != 3) {
		fprintf(stderr, "usage: spin CPU SECONDS\n");
		return 2;
	}
	cpu = atoi(argv[1]);
	secs = atoi(argv[2]);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		printf("spin: sched_setaffinity CPU %d: %s\n", cpu, strerror(errno));
		return 1;
	}
	t0 = now_ns();
	c0 = rdtsc();
	do
		t1 = now_ns();
	while (t1 - t0 < CALIBRATE_NS);
	c1 = rdtsc();
	hz = (c1 - c0) * 1000000000ULL / (uint64_t)(t1 - t0);
	printf("spin: on CPU %d, spinning %d s in user mode without system calls\n", cpu, secs);
	fflush(stdout);
	t0 = now_ns();
	end = rdtsc() + hz * (uint64_t)secs;
	while (rdtsc() < end)
		__asm__ volatile("pause");
	t1 = now_ns();
	printf("spin: done after %.1f s\n", (double)(t1 - t0) / 1e9);
	return 0;
}
