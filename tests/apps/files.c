/* The application's files (kernel/app/tmpfs.c), checked from inside
 * (tests/qemu/test_iperf3.py): /tmp memory files through open, read,
 * write, lseek, ftruncate, mmap (shared and private), unlink; mkstemp as
 * iperf3 uses it; /dev/urandom and /dev/null; and Linux's errno for what
 * is not there.  A shared mapping touched past the file's end raises
 * SIGBUS (a handler catches it, as SIGSEGV after munmap), and
 * madvise(MADV_DONTNEED) keeps a shared mapping's contents but zeroes
 * private anonymous memory.  Every check prints "ok <name>" or "FAIL <name>: why"; the
 * number failed is the exit status. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

/* rc == -1 with errno e */
static int fails_with(long rc, int e)
{
	return rc == -1 && errno == e;
}

static sigjmp_buf fault_jb;
static volatile int fault_sig, fault_code;
static void *volatile fault_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_sig = sig;
	fault_code = si->si_code;
	fault_addr = si->si_addr;
	siglongjmp(fault_jb, 1);
}

/* read *p: the signal that raised (0: none) */
static int touch(volatile char *p)
{
	fault_sig = 0;
	fault_addr = NULL;
	if (!sigsetjmp(fault_jb, 1))
		(void)*p;
	return fault_sig;
}

static void fault_and_madvise_checks(void)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };
	char buf[32];
	char *m, *a;
	int fd, sig;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);

	/* private anonymous memory reads back as zeros; shared anonymous
	 * memory keeps its contents (Linux: it is shared memory) */
	a = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(a, 0x5a, 2 * 4096);
	CHECK("madv_dontneed_private_anon_zeros", madvise(a, 2 * 4096, MADV_DONTNEED) == 0 &&
	      a[0] == 0 && a[2 * 4096 - 1] == 0, "%d %d", a[0], a[2 * 4096 - 1]);
	munmap(a, 2 * 4096);
	a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	memset(a, 0x5a, 4096);
	CHECK("madv_dontneed_shared_anon_keeps", madvise(a, 4096, MADV_DONTNEED) == 0 && a[0] == 0x5a,
	      "%d", a[0]);
	munmap(a, 4096);
	CHECK("madv_dontneed_unmapped_enomem", madvise(a, 4096, MADV_DONTNEED) == -1 && errno == ENOMEM,
	      "errno %d", errno);

	/* a page and a bit of file, three pages of mapping */
	fd = open("/tmp/bus", O_RDWR | O_CREAT | O_TRUNC, 0600);
	ftruncate(fd, 4096 + 100);
	m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("mmap_past_eof", m != MAP_FAILED, "errno %d", errno);
	if (m == MAP_FAILED)
		return;
	/* MADV_DONTNEED on the shared mapping: the file keeps its bytes */
	memcpy(m, "kept in the file", 16);
	CHECK("madv_dontneed_shared_file", madvise(m, 2 * 4096, MADV_DONTNEED) == 0 &&
	      !memcmp(m, "kept in the file", 16) && lseek(fd, 0, SEEK_SET) == 0 &&
	      read(fd, buf, 16) == 16 && !memcmp(buf, "kept in the file", 16), "'%.16s'", m);
	CHECK("last_partial_page_reads", touch(m + 4096 + 200) == 0, "signal %d", fault_sig);
	sig = touch(m + 2 * 4096 + 5);
	CHECK("past_eof_sigbus", sig == SIGBUS && fault_code == BUS_ADRERR && fault_addr == m + 2 * 4096 + 5,
	      "signal %d code %d addr %p (map %p)", sig, fault_code, fault_addr, (void *)m);
	/* the handler's siglongjmp put the mask back: a second one is caught too */
	CHECK("past_eof_sigbus_again", touch(m + 2 * 4096) == SIGBUS, "signal %d", fault_sig);

	munmap(m, 3 * 4096);
	sig = touch(m);
	CHECK("unmapped_sigsegv", sig == SIGSEGV && fault_code == SEGV_MAPERR && fault_addr == m,
	      "signal %d code %d addr %p", sig, fault_code, fault_addr);
	close(fd);
	unlink("/tmp/bus");

	signal(SIGBUS, SIG_DFL);
	signal(SIGSEGV, SIG_DFL);
}

int main(void)
{
	char buf[64], tmpl[] = "/tmp/files.XXXXXX";
	int fd, fd2, s, r;
	char *m, *p;

	fd = open("/tmp/a", O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK("open_create", fd >= 3, "fd %d errno %d", fd, errno);
	CHECK("open_excl_eexist", fails_with(open("/tmp/a", O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST),
	      "errno %d", errno);
	r = (int)write(fd, "hello files", 11);
	CHECK("write", r == 11, "%d errno %d", r, errno);
	CHECK("lseek_set", lseek(fd, 6, SEEK_SET) == 6, "errno %d", errno);
	memset(buf, 0, sizeof(buf));
	r = (int)read(fd, buf, sizeof(buf));
	CHECK("read_from_offset", r == 5 && !strcmp(buf, "files"), "%d '%s'", r, buf);
	CHECK("read_at_eof", read(fd, buf, sizeof(buf)) == 0, "errno %d", errno);
	CHECK("lseek_end", lseek(fd, 0, SEEK_END) == 11, "errno %d", errno);
	CHECK("lseek_negative_einval", fails_with(lseek(fd, -1, SEEK_SET), EINVAL), "errno %d", errno);
	fd2 = open("/tmp/a", O_RDONLY);
	memset(buf, 0, sizeof(buf));
	CHECK("reopen_reads_same", fd2 >= 0 && read(fd2, buf, 5) == 5 && !strcmp(buf, "hello"), "'%s'", buf);
	CHECK("write_rdonly_ebadf", fails_with(write(fd2, "x", 1), EBADF), "errno %d", errno);
	CHECK("ftruncate_rdonly_einval", fails_with(ftruncate(fd2, 0), EINVAL), "errno %d", errno);
	CHECK("mmap_shared_write_rdonly_eacces",
	      mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0) == MAP_FAILED && errno == EACCES,
	      "errno %d", errno);

	/* ftruncate grows with zeros; a shared mapping is the file */
	CHECK("ftruncate_grow", ftruncate(fd, 3 * 4096) == 0 && lseek(fd, 0, SEEK_END) == 3 * 4096,
	      "errno %d", errno);
	m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("mmap_shared", m != MAP_FAILED, "errno %d", errno);
	if (m != MAP_FAILED) {
		CHECK("mmap_shared_sees_file", !memcmp(m, "hello files", 11) && m[4096] == 0 && m[3 * 4096 - 1] == 0,
		      "'%.11s'", m);
		memcpy(m + 8192, "through the map", 15);
		memset(buf, 0, sizeof(buf));
		CHECK("store_in_map_is_in_file", lseek(fd2, 8192, SEEK_SET) == 8192 && read(fd2, buf, 15) == 15 &&
		      !strcmp(buf, "through the map"), "'%s'", buf);
		lseek(fd, 1, SEEK_SET);
		write(fd, "J", 1);
		CHECK("write_is_in_map", m[1] == 'J', "'%c'", m[1]);
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 8192);
		CHECK("mmap_private_copy", p != MAP_FAILED && !memcmp(p, "through the map", 15), "errno %d", errno);
		if (p != MAP_FAILED) {
			p[0] = 'T';
			CHECK("private_store_not_in_file", m[8192] == 't', "'%c'", m[8192]);
			munmap(p, 4096);
		}
	}
	/* unlinked and closed, the mapped file lives on */
	CHECK("unlink", unlink("/tmp/a") == 0, "errno %d", errno);
	CHECK("unlink_again_enoent", fails_with(unlink("/tmp/a"), ENOENT), "errno %d", errno);
	CHECK("open_unlinked_enoent", fails_with(open("/tmp/a", O_RDONLY), ENOENT), "errno %d", errno);
	close(fd);
	close(fd2);
	if (m != MAP_FAILED) {
		CHECK("map_outlives_name_and_fds", m[1] == 'J' && !memcmp(m + 8192, "through the map", 15), "'%c'", m[1]);
		CHECK("munmap", munmap(m, 3 * 4096) == 0, "errno %d", errno);
	}

	/* iperf3's send buffer: mkstemp, unlink, ftruncate, mmap shared */
	fd = mkstemp(tmpl);
	CHECK("mkstemp", fd >= 0 && !strncmp(tmpl, "/tmp/files.", 11) && strcmp(tmpl, "/tmp/files.XXXXXX"),
	      "fd %d '%s' errno %d", fd, tmpl, errno);
	CHECK("mkstemp_unlink", unlink(tmpl) == 0, "errno %d", errno);
	CHECK("mkstemp_ftruncate", ftruncate(fd, 131072) == 0, "errno %d", errno);
	m = mmap(NULL, 131072, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("mkstemp_mmap", m != MAP_FAILED, "errno %d", errno);
	if (m != MAP_FAILED) {
		memset(m, 0x5a, 131072);
		CHECK("mkstemp_map_rw", m[131071] == 0x5a, "%d", m[131071]);
		munmap(m, 131072);
	}
	close(fd);

	/* limits: a file past 64 MiB is EFBIG, all files past 64 MiB ENOSPC,
	 * and a removed file's pages count no more */
	fd = open("/tmp/big1", O_RDWR | O_CREAT, 0600);
	fd2 = open("/tmp/big2", O_RDWR | O_CREAT, 0600);
	CHECK("file_too_big_efbig", fails_with(ftruncate(fd, (64L << 20) + 1), EFBIG), "errno %d", errno);
	CHECK("ftruncate_40m", ftruncate(fd, 40L << 20) == 0, "errno %d", errno);
	CHECK("all_files_full_enospc", fails_with(ftruncate(fd2, 40L << 20), ENOSPC), "errno %d", errno);
	CHECK("shrink_frees", ftruncate(fd, 4096) == 0 && ftruncate(fd2, 40L << 20) == 0, "errno %d", errno);
	ftruncate(fd2, 0);
	close(fd);
	close(fd2);
	unlink("/tmp/big1");
	unlink("/tmp/big2");

	/* devices */
	fd = open("/dev/urandom", O_RDONLY);
	memset(buf, 0, sizeof(buf));
	r = fd >= 0 ? (int)read(fd, buf, 32) : -1;
	CHECK("urandom", r == 32 && memcmp(buf, (char[32]){ 0 }, 32), "%d errno %d", r, errno);
	close(fd);
	fd = open("/dev/null", O_RDWR);
	CHECK("dev_null", fd >= 0 && write(fd, "x", 1) == 1 && read(fd, buf, 1) == 0, "errno %d", errno);
	close(fd);

	/* what is not there */
	CHECK("missing_enoent", fails_with(open("/etc/localtime", O_RDONLY), ENOENT), "errno %d", errno);
	CHECK("create_outside_tmp_erofs", fails_with(open("/etc/x", O_WRONLY | O_CREAT, 0600), EROFS),
	      "errno %d", errno);
	CHECK("tmp_subdir_enoent", fails_with(open("/tmp/d/x", O_WRONLY | O_CREAT, 0600), ENOENT), "errno %d", errno);
	CHECK("empty_path_enoent", fails_with(open("", O_RDONLY), ENOENT), "errno %d", errno);
	CHECK("bad_path_efault", fails_with(open((char *)8, O_RDONLY), EFAULT), "errno %d", errno);
	CHECK("open_tmp_for_write_eisdir", fails_with(open("/tmp", O_WRONLY), EISDIR), "errno %d", errno);
	s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("ftruncate_socket_einval", fails_with(ftruncate(s, 0), EINVAL), "errno %d", errno);
	CHECK("mmap_socket_enodev", mmap(NULL, 4096, PROT_READ, MAP_SHARED, s, 0) == MAP_FAILED && errno == ENODEV,
	      "errno %d", errno);
	CHECK("lseek_socket_espipe", fails_with(lseek(s, 0, SEEK_SET), ESPIPE), "errno %d", errno);
	close(s);
	CHECK("ftruncate_ebadf", fails_with(ftruncate(99, 0), EBADF), "errno %d", errno);

	fault_and_madvise_checks();
	printf("files: %d failed\n", failures);
	return failures;
}
