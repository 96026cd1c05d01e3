/* Views: a tiny read-only pseudo-filesystem of generated text files, the
 * barenet counterpart of Linux's /proc and /sys (`cat /proc/interrupts`).
 *
 * A file is registered with VIEW(path, show) next to the data it shows
 * (kernel/irq.c has /proc/interrupts, net/core/dev.c softnet_stat, ...).
 * show(buf, size, args) formats the whole file as snprintf does: it writes
 * at most size bytes (NUL-terminated) and returns the length it needed, or
 * a negative errno.  Readers call it twice: once to size, once to fill.
 *
 * A path segment "*" is a wildcard, e.g. "/sys/class/net/" "*" "/statistics/"
 * "*".  The names a wildcard stands for come from the VIEW_DIR registered
 * for the path up to and including that "*": list(idx, args, name, size)
 * writes the idx-th name (args holds the values of the wildcards before
 * it) and returns 0, or -ENOENT past the last.  A path resolves only to
 * names a list returns, and show receives the matched names in args[].
 * Directories are implied by the files under them.
 *
 * The registries are the linker sections "views" and "view_dirs": names
 * that are C identifiers, so a host linker provides __start_views and
 * __stop_views itself (the host unit tests); linker.ld defines the same. */
#ifndef FS_VIEW_H
#define FS_VIEW_H

#include "kernel/types.h"

#define VIEW_PATH_MAX   128     /* a whole path */
#define VIEW_NAME_MAX   32      /* one path segment */
#define VIEW_DEPTH_MAX  8       /* segments in a path */
#define VIEW_ARGS_MAX   4       /* wildcards in one pattern */

typedef int (*view_show_t)(char *buf, size_t size, const char *const *args);
/* a write to a writable view: the text written (NUL-terminated, the
 * trailing newline kept as given); 0 or a negative errno (-EINVAL: a
 * value the file refuses, nothing changed) */
typedef int (*view_store_t)(const char *text, const char *const *args);
typedef int (*view_list_t)(unsigned int idx, const char *const *args, char *name,
			   size_t size);

struct view {
	const char *path;
	view_show_t show;
	view_store_t store;     /* NULL: read-only */
};

struct view_dir {
	const char *path;       /* ends in the wildcard it enumerates */
	view_list_t list;
};

#define VIEW(p, fn)                                                          \
	static const struct view __view_##fn                                 \
	__used __section("views") __aligned(8) = { (p), (fn), NULL }
/* a file that can also be written (echo VALUE > path) */
#define VIEW_RW(p, fn, st)                                                   \
	static const struct view __view_##fn                                 \
	__used __section("views") __aligned(8) = { (p), (fn), (st) }
#define VIEW_DIR(p, fn)                                                      \
	static const struct view_dir __view_dir_##fn                         \
	__used __section("view_dirs") __aligned(8) = { (p), (fn) }

/* what a path names */
enum view_kind { VIEW_NONE, VIEW_FILE, VIEW_DIRECTORY };

/* VIEW_FILE, VIEW_DIRECTORY, or VIEW_NONE (also for a malformed path) */
enum view_kind view_stat(const char *path);

/* The file at path, formatted into a kmalloc'ed NUL-terminated buffer
 * (*text, caller kfrees; *len bytes).  Returns 0, -ENOENT, -EISDIR,
 * -ENAMETOOLONG, -ENOMEM, or show's own error. */
int view_read(const char *path, char **text, size_t *len);

/* Write text to the file at path: 0, -ENOENT, -EISDIR, -EACCES (a
 * read-only file) or the file's own error. */
int view_write(const char *path, const char *text);

/* Call fn(name, is_dir, ctx) for each entry of directory path, sorted by
 * name, each once.  Returns 0, -ENOENT, -ENOTDIR, -ENOMEM or the first
 * non-zero return of fn. */
int view_list_dir(const char *path, int (*fn)(const char *name, bool is_dir, void *ctx),
		  void *ctx);

#endif
