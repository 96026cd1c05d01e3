/* Linux's x86-64 user ABI as the application sees it: system call numbers
 * (arch/x86/entry/syscalls/syscall_64.tbl) and the constants of the calls
 * barenet implements (include/uapi/...).  tests/unit/test_uapi.py checks
 * every SYS_ number here against musl's <bits/syscall.h>. */
#ifndef KERNEL_APP_UAPI_H
#define KERNEL_APP_UAPI_H

#define SYS_read             0
#define SYS_write            1
#define SYS_open             2
#define SYS_close            3
#define SYS_stat             4
#define SYS_fstat            5
#define SYS_lstat            6
#define SYS_poll             7
#define SYS_lseek            8
#define SYS_mmap             9
#define SYS_mprotect         10
#define SYS_munmap           11
#define SYS_brk              12
#define SYS_rt_sigaction     13
#define SYS_rt_sigprocmask   14
#define SYS_rt_sigreturn     15
#define SYS_ioctl            16
#define SYS_readv            19
#define SYS_writev           20
#define SYS_access           21
#define SYS_pipe             22
#define SYS_select           23
#define SYS_sched_yield      24
#define SYS_mremap           25
#define SYS_madvise          28
#define SYS_dup              32
#define SYS_dup2             33
#define SYS_nanosleep        35
#define SYS_getpid           39
#define SYS_socket           41
#define SYS_connect          42
#define SYS_accept           43
#define SYS_sendto           44
#define SYS_recvfrom         45
#define SYS_sendmsg          46
#define SYS_recvmsg          47
#define SYS_shutdown         48
#define SYS_bind             49
#define SYS_listen           50
#define SYS_getsockname      51
#define SYS_getpeername      52
#define SYS_setsockopt       54
#define SYS_getsockopt       55
#define SYS_clone            56
#define SYS_exit             60
#define SYS_kill             62
#define SYS_uname            63
#define SYS_fcntl            72
#define SYS_ftruncate        77
#define SYS_unlink           87
#define SYS_gettimeofday     96
#define SYS_getrlimit        97
#define SYS_getrusage        98
#define SYS_getuid           102
#define SYS_getgid           104
#define SYS_geteuid          107
#define SYS_getegid          108
#define SYS_getppid          110
#define SYS_rt_sigpending    127
#define SYS_sigaltstack      131
#define SYS_prctl            157
#define SYS_arch_prctl       158
#define SYS_gettid           186
#define SYS_tkill            200
#define SYS_time             201
#define SYS_futex            202
#define SYS_sched_setaffinity 203
#define SYS_sched_getaffinity 204
#define SYS_epoll_create     213
#define SYS_set_tid_address  218
#define SYS_clock_gettime    228
#define SYS_clock_getres     229
#define SYS_clock_nanosleep  230
#define SYS_exit_group       231
#define SYS_epoll_wait       232
#define SYS_epoll_ctl        233
#define SYS_tgkill           234
#define SYS_openat           257
#define SYS_unlinkat         263
#define SYS_pselect6         270
#define SYS_ppoll            271
#define SYS_set_robust_list  273
#define SYS_epoll_pwait      281
#define SYS_accept4          288
#define SYS_epoll_create1    291
#define SYS_prlimit64        302
#define SYS_getrandom        318
#define SYS_membarrier       324
#define SYS_rseq             334

/* errno values the application side needs beyond kernel/errno.h's */
#ifndef ESRCH
#define ESRCH     3
#endif
#ifndef EINTR
#define EINTR     4
#endif
#ifndef ENOEXEC
#define ENOEXEC   8
#endif
#ifndef EBADF
#define EBADF     9
#endif
#ifndef ENOTTY
#define ENOTTY   25
#endif
#ifndef EMFILE
#define EMFILE   24
#endif
#ifndef ENFILE
#define ENFILE   23
#endif
#ifndef ESPIPE
#define ESPIPE   29
#endif
#ifndef ENOTSOCK
#define ENOTSOCK 88
#endif

/* mmap: include/uapi/asm-generic/mman-common.h */
#define PROT_NONE      0
#define PROT_READ      1
#define PROT_WRITE     2
#define PROT_EXEC      4
#define MAP_SHARED     0x01
#define MAP_PRIVATE    0x02
#define MAP_FIXED      0x10
#define MAP_ANONYMOUS  0x20
#define MAP_FIXED_NOREPLACE 0x100000

/* futex: include/uapi/linux/futex.h */
#define FUTEX_WAIT            0
#define FUTEX_WAKE            1
#define FUTEX_REQUEUE         3
#define FUTEX_CMP_REQUEUE     4
#define FUTEX_WAIT_BITSET     9
#define FUTEX_WAKE_BITSET     10
#define FUTEX_PRIVATE_FLAG    128
#define FUTEX_CLOCK_REALTIME  256

/* clone: include/uapi/linux/sched.h */
#define CLONE_VM              0x00000100
#define CLONE_THREAD          0x00010000
#define CLONE_SETTLS          0x00080000
#define CLONE_PARENT_SETTID   0x00100000
#define CLONE_CHILD_CLEARTID  0x00200000
#define CLONE_CHILD_SETTID    0x01000000

/* arch_prctl: arch/x86/include/uapi/asm/prctl.h */
#define ARCH_SET_GS  0x1001
#define ARCH_SET_FS  0x1002
#define ARCH_GET_FS  0x1003
#define ARCH_GET_GS  0x1004

/* clocks: include/uapi/linux/time.h */
#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define TIMER_ABSTIME            1

/* auxiliary vector: include/uapi/linux/auxvec.h */
#define AT_NULL    0
#define AT_PHDR    3
#define AT_PHENT   4
#define AT_PHNUM   5
#define AT_PAGESZ  6
#define AT_ENTRY   9
#define AT_UID     11
#define AT_EUID    12
#define AT_GID     13
#define AT_EGID    14
#define AT_HWCAP   16
#define AT_CLKTCK  17
#define AT_SECURE  23
#define AT_RANDOM  25
#define AT_EXECFN  31

/* ioctl: include/uapi/asm-generic/ioctls.h */
#define TCGETS     0x5401
#define TIOCGWINSZ 0x5413
#define FIONREAD   0x541b
#define FIONBIO    0x5421

/* fcntl: include/uapi/asm-generic/fcntl.h */
#define F_DUPFD         0
#define F_GETFD         1
#define F_SETFD         2
#define F_GETFL         3
#define F_SETFL         4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC      1
#define O_ACCMODE       03
#define O_RDONLY        00
#define O_WRONLY        01
#define O_RDWR          02
#define O_CREAT         0100
#define O_EXCL          0200
#define O_TRUNC         01000
#define O_APPEND        02000
#define O_DIRECTORY     0200000
#define AT_FDCWD        (-100)
#define AT_REMOVEDIR    0x200
#define SEEK_SET        0
#define SEEK_CUR        1
#define SEEK_END        2
#define PATH_MAX        4096
#define O_NONBLOCK      04000
#define O_CLOEXEC       02000000

#define UIO_MAXIOV 1024

/* the user structures system calls copy (x86-64 layout) */
struct uapi_timespec {
	long tv_sec;
	long tv_nsec;
};

struct uapi_timeval {
	long tv_sec;
	long tv_usec;
};

struct uapi_iovec {
	unsigned long iov_base;
	unsigned long iov_len;
};

struct uapi_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

struct uapi_winsize {
	unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel;
};

struct uapi_rlimit {
	unsigned long rlim_cur, rlim_max;
};

#endif
