/* The application runtime, checked from inside (tests/qemu/test_apps.py):
 * argv, printf, malloc (brk and mmap), TLS, threads with a mutex and a
 * condition variable, pthread_join, nanosleep against clock_gettime,
 * sched_yield, an unknown system call, the exit status; signals to threads
 * (kernel/app/signal.c): pthread_cancel of a thread blocked in recv() and
 * one in nanosleep(), a handler run in the thread signalled, SA_RESTART
 * and EINTR, blocked and ignored signals, ESRCH.  Every check prints
 * "ok <name>" or "FAIL <name>: why"; the last line says how many failed,
 * and that number is the exit status. */
#define _GNU_SOURCE             /* gettid */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static __thread int tls_value = 7;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int ready_threads;

#define NTHREADS 4
#define ROUNDS 20000

static void *worker(void *arg)
{
	long id = (long)arg;

	tls_value = (int)id * 100;      /* each thread its own copy */
	pthread_mutex_lock(&lock);
	ready_threads++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		if (i % 1000 == 0)
			sched_yield();
	}
	return (void *)(long)(tls_value + 1);
}

/* threads that block for good: exit() must still end the program */
static void *block_accept(void *arg)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(7100) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)arg;
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	listen(fd, 1);
	accept(fd, NULL, NULL);
	return NULL;
}

static void *block_recv(void *arg)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(7101) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char c;

	(void)arg;
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	recv(fd, &c, 1, 0);
	return NULL;
}

/* recv on a socket whose descriptor main closes meanwhile: exit_group's
 * shutdown of the descriptor table cannot reach it, the thread's kill
 * must end the wait */
static int closed_fd = -1;

static void *block_recv_closed(void *arg)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(7102) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char c;

	(void)arg;
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	closed_fd = fd;
	recv(fd, &c, 1, 0);
	return NULL;
}

static void *block_cond(void *arg)
{
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	static pthread_cond_t c = PTHREAD_COND_INITIALIZER;

	(void)arg;
	pthread_mutex_lock(&m);
	pthread_cond_wait(&c, &m);
	return NULL;
}

static void *block_sleep(void *arg)
{
	(void)arg;
	sleep(1000);
	return NULL;
}

static void *block_poll(void *arg)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ep = epoll_create1(0);
	struct pollfd p = { fd, POLLIN, 0 };
	struct epoll_event ev = { .events = EPOLLIN }, out;

	if (arg) {
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
		epoll_wait(ep, &out, 1, -1);
	} else {
		poll(&p, 1, -1);
	}
	return NULL;
}

/* floating point in two threads the tick preempts (no call in the loop,
 * so the values stay in SSE and x87 registers across the switches): each
 * keeps its own only if a switch saves and restores them */
#define FPU_ROUNDS 3000000

static void *fpu_worker(void *arg)
{
	double seed = *(double *)arg, acc = 0;
	long double x87 = seed;

	for (int i = 1; i <= FPU_ROUNDS; i++) {
		acc += seed / i;
		x87 = x87 * 1.0000001L;
	}
	*(double *)arg = acc + (double)x87;
	return NULL;
}

static double fpu_expected(double seed)
{
	double acc = 0;
	long double x87 = seed;

	for (int i = 1; i <= FPU_ROUNDS; i++) {
		acc += seed / i;
		x87 = x87 * 1.0000001L;
	}
	return acc + (double)x87;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- signals --- */

static volatile int handler_tid, handler_runs;
static char *volatile handler_stack;

static void on_signal(int sig)
{
	volatile char here = (char)sig;

	handler_stack = (char *)&here;
	handler_tid = gettid();
	handler_runs++;
}

/* a UDP socket on 127.0.0.1:port */
static int udp_bound(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	return bind(fd, (struct sockaddr *)&a, sizeof(a)) ? -1 : fd;
}

static void *cancel_in_recv(void *arg)
{
	char c;

	recv(*(int *)arg, &c, 1, 0);
	return (void *)1;               /* not reached when cancelled */
}

static void *cancel_in_sleep(void *arg)
{
	struct timespec ts = { 1000, 0 };

	(void)arg;
	nanosleep(&ts, NULL);
	return (void *)1;
}

struct recv_run {
	int fd, err;
	volatile int tid;
	long rc;
};

static void *recv_once(void *arg)
{
	struct recv_run *r = arg;
	char c;

	r->tid = gettid();
	r->rc = recv(r->fd, &c, 1, 0);
	r->err = errno;
	return NULL;
}

static int use_action(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/* a handler run in thread t while it is blocked in recv(), then a
 * datagram: recv's result (restarted: 1; interrupted: -1 EINTR) */
static void signal_recv(int port, int flags, struct recv_run *r)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	pthread_t t;

	memset(r, 0, sizeof(*r));
	r->fd = udp_bound(port);
	handler_runs = handler_tid = 0;
	use_action(SIGUSR1, flags);
	pthread_create(&t, NULL, recv_once, r);
	/* running, then (surely, after 100 ms) blocked in recv */
	while (!r->tid)
		sched_yield();
	usleep(100000);
	pthread_kill(t, SIGUSR1);
	usleep(100000);
	sendto(s, "d", 1, 0, (struct sockaddr *)&a, sizeof(a));
	pthread_join(t, NULL);
	close(s);
	close(r->fd);
}

static void signal_checks(void)
{
	struct recv_run r;
	pthread_t tr, ts;
	void *ret_r = NULL, *ret_s = NULL;
	sigset_t set, pend;
	double t0 = now_s();
	int u = udp_bound(7110);

	/* musl's pthread_cancel: SIGCANCEL by tkill, its handler sends the
	 * thread out of the cancellation point it is blocked in */
	pthread_create(&tr, NULL, cancel_in_recv, &u);
	pthread_create(&ts, NULL, cancel_in_sleep, NULL);
	usleep(100000);
	int cr = pthread_cancel(tr), cs = pthread_cancel(ts);
	/* a bounded wait: a thread the cancel did not reach fails the
	 * check instead of hanging the test */
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	int jr = pthread_timedjoin_np(tr, &ret_r, &until), js = pthread_timedjoin_np(ts, &ret_s, &until);
	if (jr || js)
		printf("runtime: join after cancel: %d %d\n", jr, js);
	CHECK("cancel_thread_in_recv", cr == 0 && ret_r == PTHREAD_CANCELED, "rc %d ret %p", cr, ret_r);
	CHECK("cancel_thread_in_nanosleep", cs == 0 && ret_s == PTHREAD_CANCELED && now_s() - t0 < 5,
	      "rc %d ret %p after %.1f s", cs, ret_s, now_s() - t0);
	close(u);

	errno = 0;
	long k1 = syscall(SYS_tkill, 0x7ffffff0, SIGUSR1);
	int e1 = errno;
	long k2 = syscall(SYS_tgkill, getpid(), 0x7ffffff0, SIGUSR1);
	int e2 = errno;
	long k3 = syscall(SYS_tgkill, 0x7ffffff0, gettid(), SIGUSR1);
	CHECK("signal_bad_tid_esrch", k1 == -1 && e1 == ESRCH && k2 == -1 && e2 == ESRCH && k3 == -1 &&
	      errno == ESRCH, "%ld/%d %ld/%d %ld/%d", k1, e1, k2, e2, k3, errno);
	CHECK("signal_zero_probes_tid", syscall(SYS_tgkill, getpid(), gettid(), 0) == 0, "errno %d", errno);

	signal_recv(7111, SA_RESTART, &r);
	CHECK("signal_handler_runs_in_its_thread", handler_runs == 1 && handler_tid == r.tid && r.tid != gettid(),
	      "runs %d in tid %d, thread %d", handler_runs, handler_tid, r.tid);
	CHECK("signal_sa_restart_recv_restarts", r.rc == 1, "rc %ld errno %d", r.rc, r.err);
	signal_recv(7112, 0, &r);
	CHECK("signal_no_sa_restart_recv_eintr", handler_runs == 1 && r.rc == -1 && r.err == EINTR,
	      "runs %d rc %ld errno %d", handler_runs, r.rc, r.err);

	handler_runs = 0;
	use_action(SIGUSR2, 0);
	raise(SIGUSR2);
	CHECK("raise_runs_handler", handler_runs == 1 && handler_tid == gettid(), "runs %d", handler_runs);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR2);
	int runs_blocked = handler_runs;
	sigpending(&pend);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	CHECK("blocked_signal_waits_until_unblocked", runs_blocked == 1 && sigismember(&pend, SIGUSR2) &&
	      handler_runs == 2, "runs %d then %d pending %d", runs_blocked, handler_runs,
	      sigismember(&pend, SIGUSR2));
	signal(SIGUSR2, SIG_IGN);
	raise(SIGUSR2);
	CHECK("ignored_signal_dropped", handler_runs == 2, "runs %d", handler_runs);

	/* SA_ONSTACK: the handler runs on the sigaltstack */
	static char alt[16384];
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt) }, old;
	int sa_rc = sigaltstack(&ss, NULL);
	use_action(SIGUSR2, SA_ONSTACK);
	raise(SIGUSR2);
	sigaltstack(NULL, &old);
	CHECK("sigaltstack_sa_onstack", sa_rc == 0 && handler_runs == 3 && handler_stack >= alt &&
	      handler_stack < alt + sizeof(alt) && old.ss_sp == alt && old.ss_flags == 0,
	      "rc %d runs %d stack %p alt %p flags %d", sa_rc, handler_runs, (void *)handler_stack,
	      (void *)alt, old.ss_flags);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

int main(int argc, char **argv)
{
	pthread_t th[NTHREADS];
	int good_ret = 1;

	printf("runtime: argc=%d", argc);
	for (int i = 0; i < argc; i++)
		printf(" argv[%d]=%s", i, argv[i]);
	printf("\n");
	CHECK("argv", argc >= 1 && argv[argc] == NULL && !strcmp(argv[0], "runtime"),
	      "argc %d argv[0] %s", argc, argv[0]);

	/* small blocks (brk or mmap'd groups) and a large one (its own mmap) */
	char *small = malloc(100), *big = malloc(4 << 20);
	CHECK("malloc", small && big, "small %p big %p", (void *)small, (void *)big);
	if (big) {
		memset(big, 0xab, 4 << 20);
		CHECK("malloc_big_rw", big[0] == (char)0xab && big[(4 << 20) - 1] == (char)0xab, "pattern");
		free(big);
	}
	free(small);
	void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap_zeroed", p != MAP_FAILED && ((char *)p)[8191] == 0, "mmap %p", p);
	CHECK("munmap", p != MAP_FAILED && munmap(p, 8192) == 0, "errno %d", errno);
	CHECK("munmap_einval", munmap((void *)1, 10) == -1 && errno == EINVAL, "errno %d", errno);
	/* a page unmapped or made read-only after a system call used it is
	 * refused by the next one (EFAULT: its copy faults and is fixed up,
	 * kernel/app/uvm.c), not written to */
	struct timespec *ts = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				   -1, 0);
	long r1 = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ts);
	int ro = mprotect(ts, 4096, PROT_READ);
	long r2 = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ts);
	int e2 = errno, rw = mprotect(ts, 4096, PROT_READ | PROT_WRITE);
	long r3 = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ts);
	int um = munmap(ts, 4096);
	long r4 = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ts);
	CHECK("efault_after_mprotect_and_munmap",
	      ts != MAP_FAILED && r1 == 0 && ro == 0 && r2 == -1 && e2 == EFAULT && rw == 0 && r3 == 0 &&
	      um == 0 && r4 == -1 && errno == EFAULT,
	      "%ld %d %ld/%d %d %ld %d %ld/%d", r1, ro, r2, e2, rw, r3, um, r4, errno);
	CHECK("mmap_file_enodev_or_ebadf",
	      mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 99, 0) == MAP_FAILED && errno == EBADF,
	      "errno %d", errno);
	CHECK("tls_main", tls_value == 7, "tls %d", tls_value);

	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(i + 1)))
			CHECK("pthread_create", 0, "thread %ld", i);
	pthread_mutex_lock(&lock);
	while (ready_threads < NTHREADS)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	for (long i = 0; i < NTHREADS; i++) {
		void *ret;

		pthread_join(th[i], &ret);
		if ((long)ret != (i + 1) * 100 + 1)
			good_ret = 0;
	}
	CHECK("threads_counter", counter == (long)NTHREADS * ROUNDS, "counter %ld", counter);
	CHECK("threads_tls", good_ret && tls_value == 7, "tls %d", tls_value);
	CHECK("gettid", syscall(SYS_gettid) == getpid(), "main thread tid %ld pid %d",
	      syscall(SYS_gettid), getpid());

	double fa = 1.5, fb = -2.25;
	pthread_t ta, tb;
	pthread_create(&ta, NULL, fpu_worker, &fa);
	pthread_create(&tb, NULL, fpu_worker, &fb);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK("fpu_state_per_thread", fa == fpu_expected(1.5) && fb == fpu_expected(-2.25),
	      "got %.17g %.17g want %.17g %.17g", fa, fb, fpu_expected(1.5), fpu_expected(-2.25));

	double t0 = now_s();
	struct timespec req = { 0, 200 * 1000 * 1000 };
	int rc = nanosleep(&req, NULL);
	double slept = now_s() - t0;
	CHECK("nanosleep", rc == 0 && slept >= 0.2 && slept < 5.0, "slept %.3f s", slept);
	CHECK("sleep_1s", (t0 = now_s(), sleep(1) == 0 && now_s() - t0 >= 1.0), "sleep");

	/* not in the runs that test the end of the program (a second less) */
	if (argc < 2 || (strcmp(argv[1], "status") && strcmp(argv[1], "crash") && strcmp(argv[1], "blocked")))
		signal_checks();

	errno = 0;
	long r = syscall(444);      /* not a Linux x86-64 system call barenet has */
	CHECK("enosys", r == -1 && errno == ENOSYS, "ret %ld errno %d", r, errno);
	CHECK("bad_pointer_efault", write(1, (void *)16, 10) == -1 && errno == EFAULT,
	      "errno %d", errno);
	CHECK("bad_fd_ebadf", write(57, "x", 1) == -1 && errno == EBADF, "errno %d", errno);

	if (argc > 1 && !strcmp(argv[1], "blocked")) {
		void *(*fns[])(void *) = { block_accept, block_recv, block_cond, block_sleep, block_poll,
					   block_poll, block_recv_closed };
		pthread_t t;

		for (unsigned i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
			pthread_create(&t, NULL, fns[i], i == 5 ? (void *)1 : NULL);
		usleep(300000);
		close(closed_fd);
		printf("runtime: exiting with 7 threads blocked\n");
		exit(3);
	}
	if (argc > 1 && !strcmp(argv[1], "crash")) {
		printf("runtime: crashing on purpose\n");
		fflush(stdout);
		*(volatile int *)8 = 1;
	}
	printf("runtime: %d failed\n", failures);
	return argc > 2 && !strcmp(argv[1], "status") ? atoi(argv[2]) : failures;
}
