/* /proc and /sys for applications: barenet's views (fs/view.h), the files
 * `cat` shows in the shell, opened read-only by a program (docs/APPS.md,
 * files).  Open takes a snapshot of the file's text, as a Linux seq_file
 * read from the start does; read and lseek walk it; close frees it.
 * Directories cannot be opened (no getdents), writing is EACCES (the
 * shell's sysctl and echo change what is writable).
 *
 * Why: programs written for Linux read their counters there (a socket
 * test reads /proc/net/snmp's Udp line around a read that faults). */
#include "fs/view.h"
#include "kernel/app/app.h"
#include "kernel/app/fd.h"
#include "kernel/app/procview.h"
#include "kernel/app/uapi.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include <string.h>

/* guards every open snapshot's pos (two threads reading one descriptor);
 * thread context only (the application's system calls), plain spin_lock */
static struct spinlock procview_lock = SPINLOCK_INIT("procview");

struct procview_open {
	char *text;                     /* the snapshot, len bytes */
	size_t len;
	long pos;                       /* procview_lock */
};

/* path is dir or under it */
static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (!path[n] || path[n] == '/');
}

bool procview_path(const char *path)
{
	return path_under(path, "/proc") || path_under(path, "/sys");
}

static long procview_read(struct app_file *f, void *buf, size_t len)
{
	struct procview_open *o = f->priv;
	long rc = 0;
	size_t n;

	spin_lock(&procview_lock);
	if ((size_t)o->pos < o->len) {
		n = MIN(len, o->len - (size_t)o->pos);
		if (copy_to_user((unsigned long)buf, o->text + o->pos, n)) {
			rc = -EFAULT;
		} else {
			o->pos += (long)n;
			rc = (long)n;
		}
	}
	spin_unlock(&procview_lock);
	return rc;
}

static long procview_write(struct app_file *f, const void *buf, size_t len)
{
	(void)f;
	(void)buf;
	(void)len;
	return -EBADF;                  /* opened read-only */
}

static long procview_lseek(struct app_file *f, long off, int whence)
{
	struct procview_open *o = f->priv;
	long base, rc;

	spin_lock(&procview_lock);
	base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? o->pos :
	       whence == SEEK_END ? (long)o->len : -1;
	if (base < 0 || off < -base) {
		rc = -EINVAL;
	} else {
		o->pos = base + off;
		rc = o->pos;
	}
	spin_unlock(&procview_lock);
	return rc;
}

static void procview_release(struct app_file *f)
{
	struct procview_open *o = f->priv;

	kfree(o->text);
	kfree(o);
}

static const struct app_file_ops procview_ops = {
	.name = "proc",
	.read = procview_read,
	.write = procview_write,
	.lseek = procview_lseek,
	.release = procview_release,
};

long procview_open(const char *path, int flags)
{
	struct procview_open *o;
	struct app_file *f;
	int rc;

	switch (view_stat(path)) {
	case VIEW_FILE:
		break;
	case VIEW_DIRECTORY:
		return (flags & O_ACCMODE) != O_RDONLY || flags & O_CREAT ? -EISDIR : -EACCES;
	default:
		return flags & O_CREAT ? -EACCES : -ENOENT;
	}
	if ((flags & O_ACCMODE) != O_RDONLY || flags & (O_CREAT | O_TRUNC))
		return -EACCES;
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	o = kmalloc(sizeof(*o));
	if (!o)
		return -ENOMEM;
	memset(o, 0, sizeof(*o));
	rc = view_read(path, &o->text, &o->len);
	if (rc) {
		kfree(o);
		return rc;
	}
	f = app_file_alloc(&procview_ops, o);
	if (!f) {
		kfree(o->text);
		kfree(o);
		return -ENOMEM;
	}
	return fd_install(f);
}
