/* The fixed cost of a system call as an application sees it: getppid()
 * (the least work a call can do here) 200,000 times a round, five rounds,
 * each round's nanoseconds per call by CLOCK_MONOTONIC on the console.
 * Under QEMU's TCG the guest's clock follows the host's, so the figure
 * moves with the host's load: compare images in alternating boots.
 *
 *   make app-kernel APP=bench/sysloop.c FLAVOUR=release BUILD=build/release
 *   qemu-system-x86_64 -nodefaults -no-reboot -machine q35 -m 256 -smp 1 \
 *     -display none -serial stdio -accel tcg \
 *     -kernel build/release/apps/sysloop/barenet.elf -append exit=app
 */
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 5
#define CALLS  200000

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void)
{
	for (int round = 0; round < ROUNDS; round++) {
		long long t0 = now_ns();

		for (int i = 0; i < CALLS; i++)
			syscall(SYS_getppid);
		printf("sysloop round %d: %lld ns per getppid\n", round, (now_ns() - t0) / CALLS);
	}
	return 0;
}
