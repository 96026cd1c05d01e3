/* The system calls musl issues, by number (kernel/app/uapi.h), called from
 * kernel/app/entry.S.  Each returns what Linux returns: a value, or -errno.
 * A call barenet does not implement returns -ENOSYS and is named on the
 * console the first time, never a success it did not earn.  The stubs
 * below (ids, rlimits) answer as Linux answers a single-process,
 * root-owned program; signals are kernel/app/signal.c's. */
#include "kernel/app/app.h"
#include "kernel/app/fd.h"
#include "kernel/app/signal.h"
#include "kernel/app/syscall.h"
#include "kernel/app/tmpfs.h"
#include "kernel/app/uapi.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/printk.h"
#include "kernel/random.h"
#include "kernel/time.h"
#include "kernel/version.h"
#include "kernel/x86.h"
#include "net/core/xmit.h"
#include "net/socket/socket.h"
#include <stdio.h>
#include <string.h>

#define SYSCALL_MAX     512
#define MADV_DONTNEED   4
#define RLIMIT_NOFILE   7
#define RLIM_INFINITY   (~0UL)

/* the numbers already reported as missing */
static unsigned long enosys_seen[SYSCALL_MAX / 64];

static long sys_enosys(unsigned long nr)
{
	if (nr < SYSCALL_MAX && !(enosys_seen[nr / 64] & BIT_ULL(nr % 64))) {
		enosys_seen[nr / 64] |= BIT_ULL(nr % 64);
		pr_warn("app: %s called system call %lu, not implemented: ENOSYS\n",
			the_app.name, nr);
	} else if (nr >= SYSCALL_MAX) {
		pr_warn("app: %s called system call %lu, not implemented: ENOSYS\n",
			the_app.name, nr);
	}
	return -ENOSYS;
}

/* --- files --- */

static long sys_read(int fd, unsigned long buf, size_t len)
{
	struct app_file *f = fd_get(fd);
	long rc;

	if (!f)
		return -EBADF;
	if (!access_ok(buf, len))
		rc = -EFAULT;
	else
		rc = f->ops->read ? f->ops->read(f, (void *)buf, len) : -EINVAL;
	fd_put(f);
	return rc;
}

static long sys_write(int fd, unsigned long buf, size_t len)
{
	struct app_file *f = fd_get(fd);
	long rc;

	if (!f)
		return -EBADF;
	if (!access_ok(buf, len))
		rc = -EFAULT;
	else
		rc = f->ops->write ? f->ops->write(f, (const void *)buf, len) : -EINVAL;
	fd_put(f);
	return rc;
}

/* readv/writev: the file's rwv when it has one (a socket: one sendmsg, so
 * a datagram socket sends one datagram, as Linux; the console: one line
 * stays one line), otherwise one call per piece, a short transfer ending
 * it (Linux's semantics for terminals) */
static long sys_rwv(int fd, unsigned long uiov, int iovcnt, bool write)
{
	struct iovec small[8], *iov;
	struct app_file *f;
	long total = 0;

	if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
		return -EINVAL;
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	iov = iovcnt <= 8 ? small : kmalloc(sizeof(*iov) * (size_t)iovcnt);
	if (!iov) {
		fd_put(f);
		return -ENOMEM;
	}
	if (copy_from_user(iov, uiov, sizeof(*iov) * (size_t)iovcnt)) {
		total = -EFAULT;
		goto out;
	}
	for (int i = 0; i < iovcnt; i++) {
		if ((long)iov[i].iov_len < 0 || (long)(total + (long)iov[i].iov_len) < 0) {
			total = -EINVAL;
			goto out;
		}
		if (!access_ok((unsigned long)iov[i].iov_base, iov[i].iov_len)) {
			total = -EFAULT;
			goto out;
		}
		total += (long)iov[i].iov_len;
	}
	if (f->ops->rwv) {
		total = f->ops->rwv(f, iov, iovcnt, write);
		goto out;
	}
	total = 0;
	for (int i = 0; i < iovcnt; i++) {
		long rc;

		if (!iov[i].iov_len)
			continue;
		if (write)
			rc = f->ops->write ? f->ops->write(f, iov[i].iov_base, iov[i].iov_len) : -EINVAL;
		else
			rc = f->ops->read ? f->ops->read(f, iov[i].iov_base, iov[i].iov_len) : -EINVAL;
		if (rc < 0) {
			total = total ? total : rc;
			break;
		}
		total += rc;
		if ((unsigned long)rc < iov[i].iov_len)
			break;
	}
out:
	if (iov != small)
		kfree(iov);
	fd_put(f);
	return total;
}

static long sys_ioctl(int fd, unsigned int cmd, unsigned long arg)
{
	struct app_file *f = fd_get(fd);
	long rc;

	if (!f)
		return -EBADF;
	if (cmd == FIONBIO) {
		int on;

		rc = copy_from_user(&on, arg, sizeof(on));
		if (!rc)
			app_file_set_nonblock(f, on);
	} else {
		rc = f->ops->ioctl ? f->ops->ioctl(f, cmd, arg) : -ENOTTY;
	}
	fd_put(f);
	return rc;
}

static long sys_fcntl(int fd, int cmd, unsigned long arg)
{
	struct app_file *f = fd_get(fd);
	long rc = 0;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_GETFD:
		rc = 0;                 /* no exec: close-on-exec has no effect */
		break;
	case F_SETFD:
		break;
	case F_GETFL:
		rc = READ_ONCE(f->flags);
		break;
	case F_SETFL:
		/* only O_NONBLOCK can change (Linux: also O_APPEND, O_ASYNC...) */
		app_file_set_nonblock(f, arg & O_NONBLOCK);
		break;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
		rc = fd_install(f);
		break;
	default:
		rc = -EINVAL;
	}
	fd_put(f);
	return rc;
}

static long sys_dup2(int oldfd, int newfd)
{
	struct app_file *f = fd_get(oldfd);

	if (!f)
		return -EBADF;
	if (oldfd == newfd) {
		fd_put(f);
		return newfd;
	}
	return fd_install_at(f, newfd);
}

/* --- memory --- */

static long sys_mmap(unsigned long addr, size_t len, int prot, int flags, int fd, long off)
{
	long rc;

	if (!(flags & MAP_ANONYMOUS)) {
		struct app_file *f = fd_get(fd);

		if (!f)
			return -EBADF;
		if (off < 0 || off & (PAGE_SIZE - 1) || !len ||
		    (flags & (MAP_PRIVATE | MAP_SHARED)) == (MAP_PRIVATE | MAP_SHARED) ||
		    !(flags & (MAP_PRIVATE | MAP_SHARED)) ||
		    prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
			rc = -EINVAL;
		else
			rc = f->ops->mmap ? f->ops->mmap(f, addr, len, prot, flags, off) : -ENODEV;
		fd_put(f);
		return rc;
	}
	if (!(flags & (MAP_PRIVATE | MAP_SHARED)) || prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	rc = uvm_mmap_anon(addr, len, prot, flags & MAP_FIXED);
	if (rc >= 0 && flags & MAP_SHARED)
		uvm_mark_shm((unsigned long)rc, len);
	return rc;
}

static long sys_madvise(unsigned long addr, size_t len, int advice)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (advice == MADV_DONTNEED)
		return uvm_madvise_dontneed(addr, len);
	return 0;               /* advice: taking none is allowed */
}

static long sys_mremap(unsigned long old, size_t old_len, size_t new_len)
{
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	if (old & (PAGE_SIZE - 1) || !new_len)
		return -EINVAL;
	if (new_len <= old_len) {
		if (new_len < old_len)
			uvm_munmap(old + new_len, old_len - new_len);
		return (long)old;
	}
	/* growing would need the pages moved: musl's realloc copies instead */
	return -ENOMEM;
}

/* --- time --- */

static long sys_clock_gettime(int clock, unsigned long uts)
{
	struct uapi_timespec ts;
	u64 ns;

	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		/* no wall clock: the realtime clock counts from boot too */
		ns = ktime_get_ns();
		break;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		ns = current->runtime_ns + (ktime_get_ns() - current->last_switch_ns);
		break;
	default:
		return -EINVAL;
	}
	ts.tv_sec = (long)(ns / NSEC_PER_SEC);
	ts.tv_nsec = (long)(ns % NSEC_PER_SEC);
	return copy_to_user(uts, &ts, sizeof(ts));
}

static long sys_clock_getres(int clock, unsigned long uts)
{
	struct uapi_timespec ts = { 0, 1 };

	if (clock < CLOCK_REALTIME || clock > CLOCK_BOOTTIME)
		return -EINVAL;
	return uts ? copy_to_user(uts, &ts, sizeof(ts)) : 0;
}

static long sys_gettimeofday(unsigned long utv)
{
	u64 ns = ktime_get_ns();
	struct uapi_timeval tv = { (long)(ns / NSEC_PER_SEC),
				   (long)(ns % NSEC_PER_SEC / NSEC_PER_USEC) };

	return utv ? copy_to_user(utv, &tv, sizeof(tv)) : 0;
}

/* sleep until ktime reaches deadline; -EINTR when the application ends
 * or a signal comes (Linux: EINTR once a handler has run) */
static long sleep_until(u64 deadline)
{
	for (;;) {
		u64 now = ktime_get_ns();
		unsigned long j;

		if (READ_ONCE(app_current()->killed))
			return -EINTR;
		if (now >= deadline)
			return 0;
		j = (unsigned long)(((deadline - now) * HZ + NSEC_PER_SEC - 1) / NSEC_PER_SEC);
		set_current_state(TASK_UNINTERRUPTIBLE);
		/* after the state: a signal sent from now on wakes the sleep */
		if (app_signal_pending()) {
			set_current_state(TASK_RUNNING);
			return -EINTR;
		}
		schedule_timeout(j ? j : 1);
	}
}

static long sys_clock_nanosleep(int clock, int flags, unsigned long ureq, unsigned long urem)
{
	struct uapi_timespec ts;
	u64 ns, deadline, now = ktime_get_ns();
	long rc;

	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME)
		return -EINVAL;
	if (copy_from_user(&ts, ureq, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NSEC_PER_SEC)
		return -EINVAL;
	ns = (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec;
	deadline = flags & TIMER_ABSTIME ? ns : now + ns;
	rc = sleep_until(deadline);
	if (rc && urem && !(flags & TIMER_ABSTIME)) {
		u64 left = deadline - ktime_get_ns();

		ts.tv_sec = (long)(left / NSEC_PER_SEC);
		ts.tv_nsec = (long)(left % NSEC_PER_SEC);
		copy_to_user(urem, &ts, sizeof(ts));
	}
	return rc;
}

/* --- process, identity, stubs --- */

static long sys_uname(unsigned long ubuf)
{
	static struct uapi_utsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, "Linux", sizeof(u.sysname));        /* the ABI it speaks */
	strlcpy(u.nodename, "barenet", sizeof(u.nodename));
	strlcpy(u.release, BARENET_VERSION "-barenet", sizeof(u.release));
	/* as Linux's: "#1 SMP <flavour> <tree>" (kernel/version.h) */
	snprintf(u.version, sizeof(u.version), "#1 SMP " BARENET_FLAVOUR " %s", barenet_build);
	strlcpy(u.machine, "x86_64", sizeof(u.machine));
	strlcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copy_to_user(ubuf, &u, sizeof(u));
}

static long sys_prlimit(int resource, unsigned long unew, unsigned long uold)
{
	struct uapi_rlimit r = { RLIM_INFINITY, RLIM_INFINITY };

	if (resource < 0 || resource > 15)
		return -EINVAL;
	if (resource == RLIMIT_NOFILE)
		r.rlim_cur = r.rlim_max = APP_FD_MAX;
	if (unew)
		return -EPERM;          /* the limits are fixed */
	return uold ? copy_to_user(uold, &r, sizeof(r)) : 0;
}

static long sys_getrusage(unsigned long uru)
{
	/* struct rusage: ru_utime, ru_stime, 14 longs */
	struct { struct uapi_timeval utime, stime; long rest[14]; } ru;
	struct app_thread *at;
	unsigned long flags;
	u64 ns = 0;

	memset(&ru, 0, sizeof(ru));
	flags = spin_lock_irqsave(&the_app.lock);
	list_for_each_entry(at, &the_app.threads, node)
		ns += at->task->runtime_ns;
	spin_unlock_irqrestore(&the_app.lock, flags);
	ru.stime.tv_sec = (long)(ns / NSEC_PER_SEC);
	ru.stime.tv_usec = (long)(ns % NSEC_PER_SEC / NSEC_PER_USEC);
	return copy_to_user(uru, &ru, sizeof(ru));
}

static long sys_getrandom(unsigned long ubuf, size_t len)
{
	u8 chunk[64];
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);

		get_random_bytes(chunk, n);
		if (copy_to_user(ubuf + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)len;
}

static long sys_sched_getaffinity(size_t size, unsigned long umask)
{
	u64 mask = READ_ONCE(the_app.cpus);     /* its one CPU (kernel/app/app.h) */

	if (size < sizeof(mask))
		return -EINVAL;
	if (copy_to_user(umask, &mask, sizeof(mask)))
		return -EFAULT;
	return sizeof(mask);
}

/* Linux's sched_setaffinity for the calling thread (pid 0 or its tid, or
 * the application's pid while it is the only thread): the thread moves to
 * the first CPU of the mask that is online, unless its CPU is in it.  An
 * application's threads share one CPU here (app.h: one TLB holds its
 * mappings), so with more than one thread only a mask holding their CPU
 * is taken (-EINVAL otherwise).  -EINVAL also for a mask with no online
 * CPU, as Linux. */
static long sys_sched_setaffinity(int pid, size_t size, unsigned long umask)
{
	unsigned long flags, cur;
	u64 mask = 0;
	int nthreads;
	unsigned int dst;

	if (pid && pid != current->pid && pid != the_app.pid)
		return -ESRCH;
	if (copy_from_user(&mask, umask, MIN(size, sizeof(mask))))
		return -EFAULT;
	mask &= cpu_online_mask();
	if (!mask)
		return -EINVAL;
	flags = spin_lock_irqsave(&the_app.lock);
	nthreads = the_app.nthreads;
	cur = the_app.cpus;
	if (pid == the_app.pid && pid != current->pid && nthreads > 1) {
		spin_unlock_irqrestore(&the_app.lock, flags);
		return -EINVAL;         /* another thread: only the caller moves */
	}
	if (mask & cur) {
		spin_unlock_irqrestore(&the_app.lock, flags);
		return 0;               /* already on a CPU of the mask */
	}
	if (nthreads > 1) {
		spin_unlock_irqrestore(&the_app.lock, flags);
		return -EINVAL;
	}
	dst = (unsigned int)__builtin_ctzll(mask);
	the_app.cpus = BIT(dst);
	spin_unlock_irqrestore(&the_app.lock, flags);
	if (set_cpus_allowed(current, BIT(dst)))
		return -EINVAL;
	/* on dst now: entries this CPU's TLB may hold from an earlier stay
	 * of the application here are stale (its unmaps flushed only the
	 * CPU it ran on) */
	write_cr3(read_cr3());
	return 0;
}

/* every call but app_syscall's two it makes itself; the result */
static __attribute__((noinline)) long app_syscall_other(struct trap_frame *tf, unsigned long nr)
{
	struct app_thread *at = app_current();
	unsigned long a1 = tf->rdi, a2 = tf->rsi, a3 = tf->rdx, a4 = tf->r10, a5 = tf->r8,
		      a6 = tf->r9;
	long rc;

	/* TX tails this thread's datagram sends left for later (net/core/
	 * xmit.h, deferred tails) go before any call but the next socket
	 * send or receive */
	if (nr != SYS_sendmsg && nr != SYS_recvmsg && dev_xmit_deferred_pending())
		dev_xmit_flush_deferred();
	switch (nr) {
	case SYS_read:
		rc = sys_read((int)a1, a2, a3);
		break;
	case SYS_write:
		rc = sys_write((int)a1, a2, a3);
		break;
	case SYS_readv:
		rc = sys_rwv((int)a1, a2, (int)a3, false);
		break;
	case SYS_writev:
		rc = sys_rwv((int)a1, a2, (int)a3, true);
		break;
	case SYS_close:
		rc = fd_close((int)a1);
		break;
	case SYS_ioctl:
		rc = sys_ioctl((int)a1, (unsigned int)a2, a3);
		break;
	case SYS_fcntl:
		rc = sys_fcntl((int)a1, (int)a2, a3);
		break;
	case SYS_lseek: {
		struct app_file *f = fd_get((int)a1);

		rc = !f ? -EBADF : f->ops->lseek ? f->ops->lseek(f, (long)a2, (int)a3) : -ESPIPE;
		if (f)
			fd_put(f);
		break;
	}
	case SYS_ftruncate: {
		struct app_file *f = fd_get((int)a1);

		rc = !f ? -EBADF : f->ops->truncate ? f->ops->truncate(f, (long)a2) : -EINVAL;
		if (f)
			fd_put(f);
		break;
	}
	case SYS_open:
		rc = app_sys_openat(AT_FDCWD, a1, (int)a2, (int)a3);
		break;
	case SYS_openat:
		rc = app_sys_openat((int)a1, a2, (int)a3, (int)a4);
		break;
	case SYS_unlink:
		rc = app_sys_unlinkat(AT_FDCWD, a1, 0);
		break;
	case SYS_unlinkat:
		rc = app_sys_unlinkat((int)a1, a2, (int)a3);
		break;
	case SYS_dup: {
		struct app_file *f = fd_get((int)a1);

		rc = f ? fd_install(f) : -EBADF;
		break;
	}
	case SYS_dup2:
		rc = sys_dup2((int)a1, (int)a2);
		break;
	case SYS_mmap:
		rc = sys_mmap(a1, a2, (int)a3, (int)a4, (int)a5, (long)a6);
		break;
	case SYS_munmap:
		rc = uvm_munmap(a1, a2);
		break;
	case SYS_mprotect:
		rc = uvm_mprotect(a1, a2, (int)a3);
		break;
	case SYS_brk:
		rc = (long)uvm_brk(a1);
		break;
	case SYS_madvise:
		rc = sys_madvise(a1, a2, (int)a3);
		break;
	case SYS_mremap:
		rc = sys_mremap(a1, a2, a3);
		break;
	case SYS_clock_gettime:
		rc = sys_clock_gettime((int)a1, a2);
		break;
	case SYS_clock_getres:
		rc = sys_clock_getres((int)a1, a2);
		break;
	case SYS_gettimeofday:
		rc = sys_gettimeofday(a1);
		break;
	case SYS_time: {
		long t = (long)(ktime_get_ns() / NSEC_PER_SEC);

		rc = a1 && copy_to_user(a1, &t, sizeof(t)) ? -EFAULT : t;
		break;
	}
	case SYS_nanosleep:
		rc = sys_clock_nanosleep(CLOCK_MONOTONIC, 0, a1, a2);
		break;
	case SYS_clock_nanosleep:
		rc = sys_clock_nanosleep((int)a1, (int)a2, a3, a4);
		break;
	case SYS_sched_yield:
		cond_resched();
		rc = 0;
		break;
	case SYS_exit:
		app_thread_exit((int)(a1 & 0xff));
	case SYS_exit_group:
		app_exit_group((int)(a1 & 0xff));
	case SYS_set_tid_address:
		at->clear_child_tid = a1;
		rc = current->pid;
		break;
	case SYS_set_robust_list:
		/* robust futexes matter when a process dies holding one: here
		 * the whole application ends at once */
		rc = a2 == 24 ? 0 : -EINVAL;
		break;
	case SYS_arch_prctl:
		if (a1 == ARCH_SET_FS) {
			if (a2 >> 47)
				rc = -EPERM;
			else {
				app_set_fs(a2);
				rc = 0;
			}
		} else if (a1 == ARCH_GET_FS) {
			rc = copy_to_user(a2, &at->fs_base, sizeof(at->fs_base));
		} else {
			rc = -EINVAL;   /* GS holds the kernel's per-CPU base */
		}
		break;
	case SYS_clone:
		rc = app_clone(a1, a2, a3, a4, a5);
		break;
	case SYS_futex:
		rc = app_futex(a1, (int)a2, (u32)a3, a4, a5, (u32)a6);
		break;
	case SYS_getpid:
		rc = the_app.pid;
		break;
	case SYS_gettid:
		rc = current->pid;
		break;
	case SYS_getppid:
		rc = 0;
		break;
	case SYS_getuid:
	case SYS_geteuid:
	case SYS_getgid:
	case SYS_getegid:
		rc = 0;                 /* root */
		break;
	case SYS_rt_sigprocmask:
		rc = app_sys_rt_sigprocmask((int)a1, a2, a3, a4);
		break;
	case SYS_rt_sigaction:
		rc = app_sys_rt_sigaction((int)a1, a2, a3, a4);
		break;
	case SYS_rt_sigpending:
		rc = app_sys_rt_sigpending(a1, a2);
		break;
	case SYS_rt_sigreturn:
		rc = app_sys_rt_sigreturn(tf);
		break;
	case SYS_sigaltstack:
		rc = app_sys_sigaltstack(a1, a2, tf->rsp);
		break;
	case SYS_uname:
		rc = sys_uname(a1);
		break;
	case SYS_getrlimit:
		rc = sys_prlimit((int)a1, 0, a2);
		break;
	case SYS_prlimit64:
		rc = a1 && (int)a1 != the_app.pid ? -ESRCH : sys_prlimit((int)a2, a3, a4);
		break;
	case SYS_getrusage:
		rc = sys_getrusage(a2);
		break;
	case SYS_getrandom:
		rc = sys_getrandom(a1, a2);
		break;
	case SYS_sched_getaffinity:
		rc = sys_sched_getaffinity(a2, a3);
		break;
	case SYS_sched_setaffinity:
		rc = sys_sched_setaffinity((int)a1, a2, a3);
		break;
	case SYS_kill:
		rc = app_sys_kill((int)a1, (int)a2);
		break;
	case SYS_tkill:
		rc = app_sys_tgkill(0, (int)a1, (int)a2, true);
		break;
	case SYS_tgkill:
		rc = app_sys_tgkill((int)a1, (int)a2, (int)a3, false);
		break;
	default:
		rc = app_syscall_net(nr, a1, a2, a3, a4, a5, a6);
		if (rc == -ENOSYS)
			rc = sys_enosys(nr);
		break;
	}
	return rc;
}

/* The datagram calls' bodies with interrupts off, as the entry left
 * them (kernel/app/entry.S): every local_irq_restore inside them (lwIP's
 * pbuf and memp protection, the skb and RX-buffer caches, the driver's
 * TX lock, the IP identifier's random bytes) then finds them off and
 * leaves them so, where with them on each would be a popfq, an exit from
 * QEMU's translated code.  Only the part that cannot wait: the call is
 * first made with MSG_DONTWAIT, which waits nowhere (no busy poll, no
 * sleep: the socket's timeout is 0), and what would have waited (-EAGAIN
 * from a call that may block, or the rest of a stream socket's partial
 * send) is made again with interrupts on, as before.  A datagram send
 * never waits and a datagram read waits only for an empty queue, so the
 * answers are the blocking call's.  Softirqs raised meanwhile run at the
 * bottom-half enable inside the call with interrupts on (do_softirq) and
 * it comes back with them off.  APP_IRQOFF_MAX bounds what such a call
 * copies and sends with interrupts off: a datagram is at most 64 KiB, and
 * so is a stream call's part of the buffer (MSG_WAITALL, a loop over
 * several waits, always goes the old way).  A reader whose last read
 * slept (one request in flight) goes the old way at once, not twice. */
#define APP_IRQOFF_MAX 65536

static long app_dgram_call(struct app_thread *at, struct trap_frame *tf, unsigned long nr)
{
	int flags = (int)tf->r10;
	long rc, sent = 0;
	bool recv = nr == SYS_recvfrom;
	u64 slept = at->task->nvcsw;    /* at->task is current */

	/* a reader whose last read slept goes the blocking way at once: its
	 * queue is likely empty again (one request in flight), and a first
	 * try would only find that out twice */
	if (tf->rdx <= APP_IRQOFF_MAX && !(flags & MSG_WAITALL) && !(recv && at->dgram_slept))
		flags |= MSG_DONTWAIT;
	else
		local_irq_enable();
	/* one call site each, so that the link inlines both here; the
	 * arguments from tf each time (fewer values kept across the call) */
	for (;;) {
		if (recv)
			rc = app_sys_recvfrom((int)tf->rdi, tf->rsi, tf->rdx, flags, tf->r8, tf->r9);
		else
			rc = app_sys_sendto((int)tf->rdi, tf->rsi + (size_t)sent,
					    tf->rdx - (size_t)sent, flags, tf->r8, (int)tf->r9);
		if (flags == (int)tf->r10)
			break;          /* the call as the application made it */
		if (!recv && rc >= 0 && (size_t)rc < tf->rdx) {
			/* a stream socket's partial send: the rest may wait */
			sent = rc;
		} else if (likely(rc != -EAGAIN)) {
			break;
		}
		local_irq_enable();
		flags = (int)tf->r10;
	}
	if (recv)
		at->dgram_slept = at->task->nvcsw != slept;
	/* what went counts even when the rest fails (Linux's answer) */
	if (unlikely(sent))
		return rc > 0 ? sent + rc : sent;
	return rc;
}

void app_syscall(struct trap_frame *tf)
{
	struct app_thread *at = app_current();
	unsigned long nr = tf->rax;
	long rc;

	at->regs = tf;
	/* a datagram loop's two calls, each request, before the switch (and
	 * its prologue, which saves every register the switch's cases use):
	 * socket calls, which leave deferred TX tails pending (above) */
	if (nr == SYS_recvfrom || nr == SYS_sendto) {
		rc = app_dgram_call(at, tf, nr);
	} else {
		local_irq_enable();
		rc = app_syscall_other(tf, nr);
	}
	/* a result is stored as it is; only a restart asks more */
	if (likely(rc != -ERESTARTSYS))
		tf->rax = (u64)rc;
	else
		app_syscall_set_return(tf, nr, rc);
	/* the way back to CPL 3 (entry.S): interrupts off from here, and
	 * app_exit_to_user's look (a kill, a signal) with this thread's at
	 * in hand, its call only when it has work */
	local_irq_disable();
	if (unlikely(app_exit_work(at)))
		app_exit_to_user(tf);
}
