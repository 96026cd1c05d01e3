/* The application's files: open(2) and friends over a tiny namespace
 * (docs/APPS.md, files).  There is no disk; what a program may open is
 *   /tmp/NAME      a memory file (Linux's tmpfs): created with O_CREAT,
 *                  read, written, lseek'd, ftruncate'd, unlinked, and
 *                  mapped with mmap, MAP_SHARED (the mapping is the file's
 *                  own pages: a store through it is in the file) or
 *                  MAP_PRIVATE (a copy);
 *   /dev/urandom, /dev/random   reads are get_random_bytes, writes are taken;
 *   /dev/null      reads are end of file, writes are taken;
 *   /proc, /sys    barenet's views, read-only (kernel/app/procview.c).
 * Anything else does not exist (ENOENT), and cannot be created (EROFS).
 * /tmp has no subdirectories; a directory cannot be opened (EACCES, EISDIR
 * for writing).  A file is at most 64 MiB (EFBIG), all of them 64 MiB
 * (ENOSPC): kernel memory, outside app.mem_max.  A file lives while it has a name, an open
 * descriptor or a mapped page (Linux's rule); /tmp lasts as long as the
 * kernel (a reboot empties it, as tmpfs).
 *
 * Why: programs written for Linux keep scratch data in files (iperf3's
 * send buffer is a mkstemp() file it unlinks, ftruncates and maps shared)
 * and read /dev/urandom for randomness.
 *
 * Locking: tmp_lock guards the file list, names, counts and page arrays.
 * kernel/app/uvm.c calls tmpfs_unmap_frame() under its own uvm_lock, so
 * the order is uvm_lock, then tmp_lock; nothing here takes uvm_lock while
 * holding tmp_lock. */
#include "kernel/app/app.h"
#include "kernel/app/fd.h"
#include "kernel/app/procview.h"
#include "kernel/app/tmpfs.h"
#include "kernel/app/uapi.h"
#include "kernel/errno.h"
#include "kernel/list.h"
#include "kernel/mm.h"
#include "kernel/random.h"
#include "kernel/spinlock.h"
#include <string.h>

#define TMP_NAME_MAX    64              /* a name in /tmp, its NUL included */
#define TMP_SIZE_MAX    (64UL << 20)    /* a file's size: past it EFBIG */
#define TMP_PAGES_MAX   16384           /* all files' pages (64 MiB): past it ENOSPC */

struct tmp_file {
	struct list_head node;          /* tmp_files */
	char name[TMP_NAME_MAX];        /* valid while linked */
	bool linked;
	int opens;                      /* open file descriptions */
	unsigned long maps;             /* user PTEs mapping its pages */
	size_t size;
	size_t npages;                  /* pages[] entries, each allocated */
	void **pages;
};

/* an open description of a memory file */
struct tmp_open {
	struct tmp_file *t;
	long pos;
	int accmode;                    /* O_RDONLY, O_WRONLY or O_RDWR */
	bool append;
};

/* guards tmp_files, each file's name, counts and page array, tmp_pages;
 * thread context only (the application's system calls; uvm.c's unmaps
 * under uvm_lock, see above), plain spin_lock */
static struct spinlock tmp_lock = SPINLOCK_INIT("tmpfs");
static struct list_head tmp_files = LIST_HEAD_INIT(tmp_files);
static unsigned long tmp_pages;         /* pages held by all files; locked */

/* free t when nothing holds it any more; locked */
static void tmp_maybe_free(struct tmp_file *t)
{
	if (t->linked || t->opens || t->maps)
		return;
	list_del_init(&t->node);
	for (size_t i = 0; i < t->npages; i++)
		page_free(t->pages[i], 0);
	tmp_pages -= t->npages;
	kfree(t->pages);
	kfree(t);
}

/* make the file hold at least n pages (zeroed); locked; 0, -ENOSPC or
 * -ENOMEM */
static int tmp_grow(struct tmp_file *t, size_t n)
{
	void **p;

	if (n <= t->npages)
		return 0;
	if (tmp_pages + (n - t->npages) > TMP_PAGES_MAX)
		return -ENOSPC;
	p = kmalloc(n * sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (t->npages)
		memcpy(p, t->pages, t->npages * sizeof(*p));
	for (size_t i = t->npages; i < n; i++) {
		p[i] = page_alloc(0);
		if (!p[i]) {
			while (i-- > t->npages)
				page_free(p[i], 0);
			kfree(p);
			return -ENOMEM;
		}
		memset(p[i], 0, PAGE_SIZE);
	}
	kfree(t->pages);
	tmp_pages += n - t->npages;
	t->pages = p;
	t->npages = n;
	return 0;
}

/* set the size; pages past it are zeroed (a later growth reads zeros),
 * and freed unless a mapping may still use them; locked */
static int tmp_resize(struct tmp_file *t, size_t size)
{
	size_t n = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
	int rc;

	if (size > TMP_SIZE_MAX)
		return -EFBIG;
	rc = tmp_grow(t, n);
	if (rc)
		return rc;
	if (size < t->size) {
		/* the tail of the last page, and every page after it */
		if (size % PAGE_SIZE)
			memset((u8 *)t->pages[size / PAGE_SIZE] + size % PAGE_SIZE, 0,
			       PAGE_SIZE - size % PAGE_SIZE);
		for (size_t i = n; i < t->npages; i++)
			memset(t->pages[i], 0, PAGE_SIZE);
		if (!t->maps && n < t->npages) {
			for (size_t i = n; i < t->npages; i++)
				page_free(t->pages[i], 0);
			tmp_pages -= t->npages - n;
			t->npages = n;
		}
	}
	t->size = size;
	return 0;
}

static long tmp_read(struct app_file *f, void *buf, size_t len)
{
	struct tmp_open *o = f->priv;
	struct tmp_file *t = o->t;
	size_t done = 0;

	if (o->accmode == O_WRONLY)
		return -EBADF;
	spin_lock(&tmp_lock);
	while (done < len && (size_t)o->pos < t->size) {
		size_t in = (size_t)o->pos % PAGE_SIZE, n = PAGE_SIZE - in;

		n = MIN(n, len - done);
		n = MIN(n, t->size - (size_t)o->pos);
		if (copy_to_user((unsigned long)buf + done, (u8 *)t->pages[o->pos / PAGE_SIZE] + in, n))
			break;
		done += n;
		o->pos += (long)n;
	}
	spin_unlock(&tmp_lock);
	return done || !len ? (long)done : ((size_t)o->pos >= t->size ? 0 : -EFAULT);
}

static long tmp_write(struct app_file *f, const void *buf, size_t len)
{
	struct tmp_open *o = f->priv;
	struct tmp_file *t = o->t;
	size_t done = 0;
	long rc = 0;

	if (o->accmode == O_RDONLY)
		return -EBADF;
	spin_lock(&tmp_lock);
	if (o->append)
		o->pos = (long)t->size;
	if ((size_t)o->pos + len > TMP_SIZE_MAX)
		len = (size_t)o->pos < TMP_SIZE_MAX ? TMP_SIZE_MAX - (size_t)o->pos : 0;
	if (!len && (size_t)o->pos >= TMP_SIZE_MAX)
		rc = -EFBIG;
	if (!rc && len)
		rc = tmp_grow(t, ALIGN_UP((size_t)o->pos + len, PAGE_SIZE) / PAGE_SIZE);
	while (!rc && done < len) {
		size_t in = (size_t)o->pos % PAGE_SIZE, n = MIN(PAGE_SIZE - in, len - done);

		if (copy_from_user((u8 *)t->pages[o->pos / PAGE_SIZE] + in, (unsigned long)buf + done, n)) {
			rc = -EFAULT;
			break;
		}
		done += n;
		o->pos += (long)n;
		if ((size_t)o->pos > t->size)
			t->size = (size_t)o->pos;
	}
	spin_unlock(&tmp_lock);
	return done ? (long)done : rc;
}

static long tmp_lseek(struct app_file *f, long off, int whence)
{
	struct tmp_open *o = f->priv;
	long base, rc;

	spin_lock(&tmp_lock);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = o->pos;
		break;
	case SEEK_END:
		base = (long)o->t->size;
		break;
	default:
		spin_unlock(&tmp_lock);
		return -EINVAL;
	}
	rc = base + off;
	if (rc < 0 || (off > 0 && rc < base))
		rc = -EINVAL;
	else
		o->pos = rc;
	spin_unlock(&tmp_lock);
	return rc;
}

static long tmp_truncate(struct app_file *f, long len)
{
	struct tmp_open *o = f->priv;
	long rc;

	if (len < 0)
		return -EINVAL;
	if (o->accmode == O_RDONLY)
		return -EINVAL;         /* Linux: not open for writing */
	spin_lock(&tmp_lock);
	rc = tmp_resize(o->t, (size_t)len);
	spin_unlock(&tmp_lock);
	return rc;
}

static long tmp_mmap(struct app_file *f, unsigned long hint, size_t len, int prot, int flags,
		     long off)
{
	struct tmp_open *o = f->priv;
	struct tmp_file *t = o->t;
	size_t first = (size_t)off / PAGE_SIZE, n = ALIGN_UP(len, PAGE_SIZE) / PAGE_SIZE;
	unsigned long frames[64], *fr;
	long rc;

	if (o->accmode == O_WRONLY ||
	    (flags & MAP_SHARED && prot & PROT_WRITE && o->accmode != O_RDWR))
		return -EACCES;
	if (flags & MAP_PRIVATE) {
		/* a copy of the file's bytes, zeros past its end */
		long at = uvm_mmap_anon(hint, len, PROT_READ | PROT_WRITE, flags & MAP_FIXED);
		size_t pos = (size_t)off, done = 0;

		if (at < 0)
			return at;
		spin_lock(&tmp_lock);
		while (done < len && pos < t->size) {
			size_t c = MIN(PAGE_SIZE, MIN(len - done, t->size - pos));

			copy_to_user((unsigned long)at + done, t->pages[pos / PAGE_SIZE], c);
			done += c;
			pos += c;
		}
		spin_unlock(&tmp_lock);
		if (prot != (PROT_READ | PROT_WRITE))
			uvm_mprotect((unsigned long)at, len, prot);
		return at;
	}
	/* shared: the file's own pages, as far as the file goes (a page past
	 * its end is left unmapped: touching it faults, Linux's SIGBUS) */
	fr = n <= 64 ? frames : kmalloc(n * sizeof(*fr));
	if (!fr)
		return -ENOMEM;
	spin_lock(&tmp_lock);
	for (size_t i = 0; i < n; i++)
		fr[i] = first + i < t->npages && (first + i) * PAGE_SIZE < t->size ?
			virt_to_phys(t->pages[first + i]) : 0;
	/* counted before the mapping exists: the file cannot go meanwhile */
	t->maps += n;
	spin_unlock(&tmp_lock);
	rc = uvm_mmap_frames(hint, len, prot, flags & MAP_FIXED, fr);
	spin_lock(&tmp_lock);
	/* now the count of the pages really mapped */
	t->maps -= n;
	if (rc >= 0)
		for (size_t i = 0; i < n; i++)
			t->maps += fr[i] != 0;
	tmp_maybe_free(t);
	spin_unlock(&tmp_lock);
	if (fr != frames)
		kfree(fr);
	return rc;
}

static void tmp_release(struct app_file *f)
{
	struct tmp_open *o = f->priv;

	spin_lock(&tmp_lock);
	o->t->opens--;
	tmp_maybe_free(o->t);
	spin_unlock(&tmp_lock);
	kfree(o);
}

static const struct app_file_ops tmp_ops = {
	.name = "tmpfs",
	.read = tmp_read,
	.write = tmp_write,
	.lseek = tmp_lseek,
	.truncate = tmp_truncate,
	.mmap = tmp_mmap,
	.release = tmp_release,
};

void tmpfs_unmap_frame(unsigned long phys)
{
	struct tmp_file *t;

	spin_lock(&tmp_lock);
	list_for_each_entry(t, &tmp_files, node) {
		for (size_t i = 0; i < t->npages; i++) {
			if (virt_to_phys(t->pages[i]) == phys) {
				t->maps--;
				tmp_maybe_free(t);
				spin_unlock(&tmp_lock);
				return;
			}
		}
	}
	spin_unlock(&tmp_lock);
}

/* --- the devices --- */

static long urandom_read(struct app_file *f, void *buf, size_t len)
{
	u8 chunk[64];
	size_t done = 0;

	(void)f;
	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk));

		get_random_bytes(chunk, n);
		if (copy_to_user((unsigned long)buf + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)len;
}

/* writes to /dev/urandom and /dev/null are taken and dropped */
static long sink_write(struct app_file *f, const void *buf, size_t len)
{
	(void)f;
	(void)buf;
	return (long)len;
}

static long null_read(struct app_file *f, void *buf, size_t len)
{
	(void)f;
	(void)buf;
	(void)len;
	return 0;
}

/* character devices: lseek succeeds and means nothing (Linux: 0) */
static long dev_lseek(struct app_file *f, long off, int whence)
{
	(void)f;
	(void)off;
	return whence < SEEK_SET || whence > SEEK_END ? -EINVAL : 0;
}

static const struct app_file_ops urandom_ops = {
	.name = "urandom", .read = urandom_read, .write = sink_write, .lseek = dev_lseek,
};
static const struct app_file_ops null_ops = {
	.name = "null", .read = null_read, .write = sink_write, .lseek = dev_lseek,
};

/* --- names --- */

/* the path at upath, made absolute (the working directory is /):
 * 0, -EFAULT, -ENOENT (empty), -ENAMETOOLONG */
static int get_path(char *path, size_t size, unsigned long upath)
{
	size_t i = 1;

	path[0] = '/';
	for (size_t j = 0;; j++) {
		char c;

		if (copy_from_user(&c, upath + j, 1))
			return -EFAULT;
		if (j == 0 && !c)
			return -ENOENT;
		if (j == 0 && c == '/')
			i = 0;
		if (i >= size)
			return -ENAMETOOLONG;
		path[i++] = c;
		if (!c)
			return 0;
	}
}

/* a path relative to dirfd other than AT_FDCWD: no directory can be
 * opened, so dirfd is no directory (ENOTDIR) or no descriptor (EBADF) */
static int relative_to(int dirfd, unsigned long upath)
{
	struct app_file *d;
	char c = 0;

	if (dirfd == AT_FDCWD || (!copy_from_user(&c, upath, 1) && c == '/'))
		return 0;
	d = fd_get(dirfd);
	if (!d)
		return -EBADF;
	fd_put(d);
	return -ENOTDIR;
}

/* the name in /tmp path stands for ("/tmp/NAME", no further slash); NULL
 * when it is not one.  *dir: path names /tmp itself */
static const char *tmp_name(const char *path, bool *dir)
{
	*dir = false;
	if (strncmp(path, "/tmp", 4) || (path[4] && path[4] != '/'))
		return NULL;
	if (!path[4] || !path[5]) {
		*dir = true;
		return NULL;
	}
	return path + 5;
}

static struct tmp_file *tmp_lookup(const char *name)
{
	struct tmp_file *t;

	list_for_each_entry(t, &tmp_files, node)
		if (t->linked && !strcmp(t->name, name))
			return t;
	return NULL;
}

long app_sys_openat(int dirfd, unsigned long upath, int flags, int mode)
{
	static const char *const devs[] = { "/dev/urandom", "/dev/random", "/dev/null" };
	char *path = kmalloc(PATH_MAX);
	const char *name;
	struct app_file *f = NULL;
	struct tmp_open *o;
	struct tmp_file *t;
	int acc = flags & O_ACCMODE;
	bool dir;
	long rc;

	(void)mode;                     /* root: permissions do not stop it */
	if (!path)
		return -ENOMEM;
	rc = get_path(path, PATH_MAX, upath);
	if (!rc)
		rc = relative_to(dirfd, upath);
	if (rc)
		goto out;
	if (!strcmp(path, "/") || !strcmp(path, "/dev")) {
		/* directories cannot be opened here (no getdents) */
		rc = acc != O_RDONLY || flags & O_CREAT ? -EISDIR : -EACCES;
		goto out;
	}
	if (acc == O_ACCMODE) {
		rc = -EINVAL;
		goto out;
	}
	if (procview_path(path)) {
		rc = procview_open(path, flags);
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
		if (strcmp(path, devs[i]))
			continue;
		if (flags & O_CREAT && flags & O_EXCL) {
			rc = -EEXIST;
			goto out;
		}
		if (flags & O_DIRECTORY) {
			rc = -ENOTDIR;
			goto out;
		}
		f = app_file_alloc(i < 2 ? &urandom_ops : &null_ops, NULL);
		rc = f ? fd_install(f) : -ENOMEM;
		goto out;
	}
	name = tmp_name(path, &dir);
	if (dir) {
		rc = acc != O_RDONLY || flags & O_CREAT ? -EISDIR : -EACCES;
		goto out;
	}
	if (!name) {
		rc = flags & O_CREAT ? -EROFS : -ENOENT;
		goto out;
	}
	if (strchr(name, '/')) {
		rc = -ENOENT;           /* no subdirectories */
		goto out;
	}
	if (strlen(name) >= TMP_NAME_MAX) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	o = kmalloc(sizeof(*o));
	if (!o) {
		rc = -ENOMEM;
		goto out;
	}
	spin_lock(&tmp_lock);
	t = tmp_lookup(name);
	if (t && flags & O_CREAT && flags & O_EXCL)
		rc = -EEXIST;
	else if (!t && !(flags & O_CREAT))
		rc = -ENOENT;
	else if (t && flags & O_DIRECTORY)
		rc = -ENOTDIR;
	else if (!t) {
		t = kmalloc(sizeof(*t));
		if (!t) {
			rc = -ENOMEM;
		} else {
			memset(t, 0, sizeof(*t));
			strlcpy(t->name, name, sizeof(t->name));
			t->linked = true;
			list_add_tail(&t->node, &tmp_files);
		}
	}
	if (!rc && flags & O_TRUNC && acc != O_RDONLY)
		rc = tmp_resize(t, 0);
	if (!rc) {
		t->opens++;
		o->t = t;
		o->pos = 0;
		o->accmode = acc;
		o->append = flags & O_APPEND;
	}
	spin_unlock(&tmp_lock);
	if (rc) {
		kfree(o);
		goto out;
	}
	f = app_file_alloc(&tmp_ops, o);
	if (!f) {
		spin_lock(&tmp_lock);
		t->opens--;
		tmp_maybe_free(t);
		spin_unlock(&tmp_lock);
		kfree(o);
		rc = -ENOMEM;
		goto out;
	}
	rc = fd_install(f);
out:
	kfree(path);
	return rc;
}

long app_sys_unlinkat(int dirfd, unsigned long upath, int flags)
{
	char *path = kmalloc(PATH_MAX);
	const char *name;
	struct tmp_file *t;
	bool dir;
	long rc;

	if (!path)
		return -ENOMEM;
	if (flags & ~AT_REMOVEDIR) {
		rc = -EINVAL;
		goto out;
	}
	rc = get_path(path, PATH_MAX, upath);
	if (!rc)
		rc = relative_to(dirfd, upath);
	if (rc)
		goto out;
	name = tmp_name(path, &dir);
	if (dir) {
		rc = flags & AT_REMOVEDIR ? -EBUSY : -EISDIR;
		goto out;
	}
	if (!name) {
		/* /dev's names, /: there, but not to be removed here */
		rc = !strncmp(path, "/dev/", 5) || !strcmp(path, "/dev") || !strcmp(path, "/") ?
		     -EROFS : -ENOENT;
		goto out;
	}
	spin_lock(&tmp_lock);
	t = strchr(name, '/') ? NULL : tmp_lookup(name);
	if (!t)
		rc = -ENOENT;
	else if (flags & AT_REMOVEDIR)
		rc = -ENOTDIR;
	else {
		t->linked = false;
		tmp_maybe_free(t);
	}
	spin_unlock(&tmp_lock);
out:
	kfree(path);
	return rc;
}
