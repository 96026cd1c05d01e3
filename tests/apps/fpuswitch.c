/* Each application thread's FPU/SSE registers and FS base stay its own
 * across every way it leaves the CPU and comes back (kernel/app/arch.c,
 * app_switch_to, which loads them only when the CPU's registers no longer
 * hold that thread's; tests/qemu/test_apps.py runs this on 1 and 2 CPUs).
 *
 * Workers on one CPU each load xmm0-xmm15, two x87 registers, MXCSR and
 * the x87 control word with values of their own, then, in the same asm
 * block, make a system call that leaves the CPU (sched_yield to another
 * worker, nanosleep through the idle thread, a signal to itself whose
 * handler uses the FPU and sleeps), or spin with no call while the main
 * thread signals them and the tick preempts them; then they read every
 * register back and compare, along with a __thread variable and %fs:0
 * (musl's thread pointer, pthread_self()).  The handler checks its own
 * registers across its own sleep.  On 2 CPUs the main thread, alone,
 * moves to CPU 1 and back with its registers loaded (a stale copy on the
 * CPU it left must not be taken for its state), and the workers run a
 * second time on CPU 1.  Every check prints "ok <name>" or "FAIL <name>:
 * why"; the exit status is the number that failed. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define NWORKERS   3
#define ROUNDS     240
#define SPIN_LOOPS 4000000L     /* one spin round: milliseconds under TCG */
#define NO_CALL    (-1L)        /* fpu_call: spin instead of a system call */
#define MXCSR_DEFAULT 0x1f80
#define FCW_DEFAULT   0x037f

/* what fpu_call loads and reads back; offsets used by its asm */
struct fpregs {
	uint64_t xmm[16][2];    /* 0 */
	uint8_t st[2][16];      /* 256: two 80-bit x87 values (6 bytes unused each) */
	uint32_t mxcsr;         /* 288 */
	uint16_t fcw;           /* 292 */
};

/* the ways the registers leave the CPU between load and read-back */
enum via { VIA_YIELD, VIA_SLEEP, VIA_OWN_SIGNAL, VIA_SPIN, VIA_MIGRATE, VIA_N };
static const char *const via_name[VIA_N] = {
	"yield", "sleep", "own_signal", "async_signal_spin", "migration",
};

static __thread long tls_word;          /* this thread's round mark */
static __thread int tls_slot;           /* its pattern's number */
static __thread long tls_handler_runs;

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long checks[VIA_N], bad[VIA_N];
static long handler_checks, handler_bad;
static char handler_why[160];           /* the handler's first mismatch */
static long spin_signalled;             /* spin rounds a handler interrupted */
static int workers_done;

/* The registers of in loaded, then the system call nr(a1, a2, a3, a4)
 * (NO_CALL: a1 iterations of pause instead), then every register stored
 * in out; MXCSR and FCW back to their defaults.  Nothing between the load
 * and the store is compiled code. */
static long fpu_call(const struct fpregs *in, struct fpregs *out, long nr, long a1, long a2,
		     long a3, long a4)
{
	register long r10 __asm__("r10") = a4;
	long ret = nr;
	uint32_t mxcsr_default = MXCSR_DEFAULT;
	uint16_t fcw_default = FCW_DEFAULT;

	__asm__ volatile(
		"movdqu 0(%[in]), %%xmm0\n\t"
		"movdqu 16(%[in]), %%xmm1\n\t"
		"movdqu 32(%[in]), %%xmm2\n\t"
		"movdqu 48(%[in]), %%xmm3\n\t"
		"movdqu 64(%[in]), %%xmm4\n\t"
		"movdqu 80(%[in]), %%xmm5\n\t"
		"movdqu 96(%[in]), %%xmm6\n\t"
		"movdqu 112(%[in]), %%xmm7\n\t"
		"movdqu 128(%[in]), %%xmm8\n\t"
		"movdqu 144(%[in]), %%xmm9\n\t"
		"movdqu 160(%[in]), %%xmm10\n\t"
		"movdqu 176(%[in]), %%xmm11\n\t"
		"movdqu 192(%[in]), %%xmm12\n\t"
		"movdqu 208(%[in]), %%xmm13\n\t"
		"movdqu 224(%[in]), %%xmm14\n\t"
		"movdqu 240(%[in]), %%xmm15\n\t"
		"fldt 256(%[in])\n\t"
		"fldt 272(%[in])\n\t"
		"ldmxcsr 288(%[in])\n\t"
		"fldcw 292(%[in])\n\t"
		"cmpq $-1, %%rax\n\t"
		"jne 2f\n\t"
		"1: decq %%rdi\n\t"
		"jnz 1b\n\t"
		"xorl %%eax, %%eax\n\t"
		"jmp 3f\n\t"
		"2: syscall\n\t"
		"3: movdqu %%xmm0, 0(%[out])\n\t"
		"movdqu %%xmm1, 16(%[out])\n\t"
		"movdqu %%xmm2, 32(%[out])\n\t"
		"movdqu %%xmm3, 48(%[out])\n\t"
		"movdqu %%xmm4, 64(%[out])\n\t"
		"movdqu %%xmm5, 80(%[out])\n\t"
		"movdqu %%xmm6, 96(%[out])\n\t"
		"movdqu %%xmm7, 112(%[out])\n\t"
		"movdqu %%xmm8, 128(%[out])\n\t"
		"movdqu %%xmm9, 144(%[out])\n\t"
		"movdqu %%xmm10, 160(%[out])\n\t"
		"movdqu %%xmm11, 176(%[out])\n\t"
		"movdqu %%xmm12, 192(%[out])\n\t"
		"movdqu %%xmm13, 208(%[out])\n\t"
		"movdqu %%xmm14, 224(%[out])\n\t"
		"movdqu %%xmm15, 240(%[out])\n\t"
		"fstpt 272(%[out])\n\t"
		"fstpt 256(%[out])\n\t"
		"stmxcsr 288(%[out])\n\t"
		"fnstcw 292(%[out])\n\t"
		"ldmxcsr %[mxd]\n\t"
		"fldcw %[cwd]\n\t"
		: "+a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10)
		: [in] "r"(in), [out] "r"(out), [mxd] "m"(mxcsr_default), [cwd] "m"(fcw_default)
		: "rcx", "r11", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
		  "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
		  "xmm15");
	return ret;
}

/* slot's values for round r: every register different from every other
 * slot's and round's; rounding modes and precision of its own */
static void fpu_pattern(struct fpregs *p, int slot, long r)
{
	long double a = (long double)slot * 1000003.0L + (long double)r + 0.25L;
	long double b = -a * 3.5L;

	memset(p, 0, sizeof(*p));
	for (int i = 0; i < 16; i++) {
		p->xmm[i][0] = (uint64_t)slot << 56 | (uint64_t)r << 16 | (uint64_t)i;
		p->xmm[i][1] = ~p->xmm[i][0] ^ 0x5a5a5a5a00000000ULL;
	}
	memcpy(p->st[0], &a, 10);
	memcpy(p->st[1], &b, 10);
	/* RC (bits 13-14) and FTZ (15) by slot; all exceptions masked */
	p->mxcsr = MXCSR_DEFAULT | (uint32_t)(slot & 3) << 13 | (uint32_t)(slot & 4) << 13;
	/* RC (bits 10-11) and PC (8-9: 53 or 64 bits) by slot */
	p->fcw = (uint16_t)((FCW_DEFAULT & ~0xf00) | ((slot + 1) & 3) << 10 |
			    (slot & 1 ? 2 : 3) << 8);
}

/* how out differs from in: NULL when it does not */
static const char *fpu_diff(const struct fpregs *in, const struct fpregs *out, char *why,
			    size_t n)
{
	for (int i = 0; i < 16; i++)
		if (memcmp(in->xmm[i], out->xmm[i], 16)) {
			snprintf(why, n, "xmm%d %#llx:%#llx want %#llx:%#llx", i,
				 (unsigned long long)out->xmm[i][1], (unsigned long long)out->xmm[i][0],
				 (unsigned long long)in->xmm[i][1], (unsigned long long)in->xmm[i][0]);
			return why;
		}
	if (memcmp(in->st[0], out->st[0], 10) || memcmp(in->st[1], out->st[1], 10)) {
		snprintf(why, n, "x87 registers");
		return why;
	}
	if (in->mxcsr != (out->mxcsr & ~0x3fu)) {    /* bits 0-5: exception flags */
		snprintf(why, n, "mxcsr %#x want %#x", out->mxcsr, in->mxcsr);
		return why;
	}
	if (in->fcw != out->fcw) {
		snprintf(why, n, "fcw %#x want %#x", out->fcw, in->fcw);
		return why;
	}
	return NULL;
}

static void *fs_self(void)
{
	void *p;

	__asm__ volatile("movq %%fs:0, %0" : "=r"(p));
	return p;
}

/* in's registers across the call, and the thread's TLS: counted under via */
static void round_check(enum via via, int slot, long r, long nr, long a1, long a2, long a3,
			long a4)
{
	struct fpregs in, out;
	char why[160];
	const char *diff;
	long mark = (long)slot << 32 | r;
	void *self = (void *)pthread_self();
	sigset_t usr1, old;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);

	fpu_pattern(&in, slot, r);
	tls_word = mark;
	fpu_call(&in, &out, nr, a1, a2, a3, a4);
	diff = fpu_diff(&in, &out, why, sizeof(why));
	if (!diff && tls_word != mark) {
		snprintf(why, sizeof(why), "__thread %#lx want %#lx", tls_word, mark);
		diff = why;
	}
	if (!diff && fs_self() != self) {
		snprintf(why, sizeof(why), "%%fs:0 %p want %p", fs_self(), self);
		diff = why;
	}
	/* SIGUSR1 blocked meanwhile: its handler may have interrupted
	 * neither the lock nor printf's */
	sigprocmask(SIG_BLOCK, &usr1, &old);
	pthread_mutex_lock(&count_lock);
	checks[via]++;
	if (diff && bad[via]++ < 3)
		printf("mismatch %s slot %d round %ld: %s\n", via_name[via], slot, r, diff);
	pthread_mutex_unlock(&count_lock);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* SIGUSR1: the FPU in use in the handler, with its own values across
 * its own sleep (Linux starts a handler with a clean FPU and puts the
 * interrupted state back at sigreturn) */
static void on_usr1(int sig)
{
	struct fpregs in, out;
	struct timespec ts = { 0, 100000 };
	char why[160];
	const char *diff;
	volatile double x = 1.0;

	(void)sig;
	for (int i = 0; i < 50; i++)
		x = x * 1.25 + 0.5;
	fpu_pattern(&in, 40 + tls_slot, tls_handler_runs);
	fpu_call(&in, &out, SYS_nanosleep, (long)&ts, 0, 0, 0);
	diff = fpu_diff(&in, &out, why, sizeof(why));
	tls_handler_runs++;
	/* no lock, no stdio: the signal may have interrupted either */
	__atomic_add_fetch(&handler_checks, 1, __ATOMIC_RELAXED);
	if (diff && __atomic_fetch_add(&handler_bad, 1, __ATOMIC_RELAXED) == 0)
		memcpy(handler_why, why, sizeof(why));
}

static void *worker(void *arg)
{
	int slot = (int)(long)arg;
	struct timespec nap = { 0, 200000 };

	tls_slot = slot;
	for (long r = 1; r <= ROUNDS; r++) {
		switch (r % 5) {
		case 0:
		case 1:
			round_check(VIA_YIELD, slot, r, SYS_sched_yield, 0, 0, 0, 0);
			break;
		case 2:
			round_check(VIA_SLEEP, slot, r, SYS_nanosleep, (long)&nap, 0, 0, 0);
			break;
		case 3:
			round_check(VIA_OWN_SIGNAL, slot, r, SYS_tgkill, getpid(), gettid(), SIGUSR1,
				    0);
			break;
		default:
			if (r % 20 == 4) {
				long before = tls_handler_runs;

				round_check(VIA_SPIN, slot, r, NO_CALL, SPIN_LOOPS, 0, 0, 0);
				if (tls_handler_runs != before)
					__atomic_add_fetch(&spin_signalled, 1, __ATOMIC_RELAXED);
			} else {
				round_check(VIA_YIELD, slot, r, SYS_sched_yield, 0, 0, 0, 0);
			}
			break;
		}
	}
	__atomic_add_fetch(&workers_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* NWORKERS workers from slot base, the main thread signalling one of
 * them every few milliseconds (asynchronously: it may be in the middle of
 * a spin) until they end; not faster, or the handlers would be all the
 * workers ever run */
static void run_workers(int base)
{
	pthread_t t[NWORKERS];
	struct timespec gap = { 0, 3000000 };

	__atomic_store_n(&workers_done, 0, __ATOMIC_RELAXED);
	for (int i = 0; i < NWORKERS; i++)
		pthread_create(&t[i], NULL, worker, (void *)(long)(base + i));
	for (int n = 0; n < 20000 && __atomic_load_n(&workers_done, __ATOMIC_ACQUIRE) < NWORKERS;
	     n++) {
		pthread_kill(t[n % NWORKERS], SIGUSR1);
		nanosleep(&gap, NULL);
	}
	for (int i = 0; i < NWORKERS; i++)
		pthread_join(t[i], NULL);
	printf("workers %d-%d done\n", base, base + NWORKERS - 1);
}

/* the calling thread to cpu, its registers checked across the move */
static void move_checked(int cpu, int slot, long r)
{
	unsigned long mask = 1UL << cpu;

	round_check(VIA_MIGRATE, slot, r, SYS_sched_setaffinity, 0, sizeof(mask), (long)&mask, 0);
}

/* the calling thread to cpu once it is alone (a joined thread may not
 * have left the application's count yet: EINVAL meanwhile); 0 or -1 */
static int move_alone(int cpu)
{
	unsigned long mask = 1UL << cpu;
	struct timespec ms = { 0, 1000000 };

	for (int i = 0; i < 2000; i++) {
		if (!sched_setaffinity(0, sizeof(mask), (cpu_set_t *)&mask))
			return 0;
		nanosleep(&ms, NULL);
	}
	return -1;
}

static unsigned long on_cpus(void)
{
	unsigned long mask = 0;

	sched_getaffinity(0, sizeof(mask), (cpu_set_t *)&mask);
	return mask;
}

static void report(const char *name, enum via via, long want)
{
	CHECK(name, checks[via] >= want && !bad[via], "%ld of %ld checks differ (want %ld checks)",
	      bad[via], checks[via], want);
}

/* argv[1]: the CPUs the guest has (the test's -smp: sysconf counts the
 * application's affinity, one CPU) */
int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	bool smp = argc > 1 && atoi(argv[1]) > 1;

	sigaction(SIGUSR1, &sa, NULL);
	tls_slot = 30;
	run_workers(0);
	if (smp) {
		/* back and forth with the registers loaded: the CPU it comes
		 * back to still holds what they were when it left */
		CHECK("fpu_alone_moves", !move_alone(1) && on_cpus() == 2, "on cpus %#lx",
		      on_cpus());
		for (long r = 1; r <= 20; r++)
			move_checked(r % 2 ? 0 : 1, 30, r);
		CHECK("fpu_workers_on_cpu1", on_cpus() == 2, "on cpus %#lx", on_cpus());
		run_workers(10);
		CHECK("fpu_back_on_cpu0", !move_alone(0) && on_cpus() == 1, "on cpus %#lx",
		      on_cpus());
	}
	for (int i = 0; i < VIA_N; i++)
		printf("%s: %ld checks, %ld differ\n", via_name[i], checks[i], bad[i]);
	printf("handler: %ld checks, %ld differ%s%s; spin rounds signalled %ld\n", handler_checks,
	       handler_bad, handler_bad ? ", first: " : "", handler_why, spin_signalled);
	report("fpu_across_yield", VIA_YIELD, NWORKERS * (smp ? 2 : 1) * ROUNDS / 2);
	report("fpu_across_sleep", VIA_SLEEP, NWORKERS * (smp ? 2 : 1) * ROUNDS / 5);
	report("fpu_across_own_signal", VIA_OWN_SIGNAL, NWORKERS * (smp ? 2 : 1) * ROUNDS / 5);
	report("fpu_across_async_signal_spin", VIA_SPIN, NWORKERS * (smp ? 2 : 1) * ROUNDS / 20);
	CHECK("fpu_spin_rounds_signalled", spin_signalled > 0, "no spin round took a signal");
	CHECK("fpu_signal_handler_keeps_its_own", handler_checks >= NWORKERS * ROUNDS / 5 &&
	      !handler_bad, "%ld of %ld differ", handler_bad, handler_checks);
	if (smp)
		report("fpu_across_migration", VIA_MIGRATE, 20);
	printf("fpuswitch: %d failed\n", failures);
	return failures;
}
