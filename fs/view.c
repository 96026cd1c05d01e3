/* Views: path resolution over the VIEW()/VIEW_DIR() registries, reading a
 * file into a buffer and listing a directory (see fs/view.h). */
#include "fs/view.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include <stdio.h>
#include <string.h>

/* a directory lists at most this many entries (/proc/irq: one per IRQ) */
#define VIEW_LIST_MAX   512
/* room for counters that grow between sizing and filling a file */
#define VIEW_READ_SLACK 512
#define VIEW_READ_TRIES 4

extern const struct view __start_views[], __stop_views[];
extern const struct view_dir __start_view_dirs[], __stop_view_dirs[];

struct path_segs {
	unsigned int n;
	char seg[VIEW_DEPTH_MAX][VIEW_NAME_MAX];
};

/* "/a//b/" -> {"a", "b"}; the path must be absolute */
static int path_split(const char *path, struct path_segs *p)
{
	const char *s = path;

	p->n = 0;
	if (*s != '/')
		return -ENOENT;
	if (strlen(path) >= VIEW_PATH_MAX)
		return -ENAMETOOLONG;
	while (*s) {
		size_t len;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		for (len = 0; s[len] && s[len] != '/'; len++)
			;
		if (p->n == VIEW_DEPTH_MAX || len >= VIEW_NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(p->seg[p->n], s, len);
		p->seg[p->n][len] = '\0';
		p->n++;
		s += len;
	}
	return 0;
}

static bool is_wild(const char *seg)
{
	return !strcmp(seg, "*");
}

/* the VIEW_DIR for the wildcard at segment i of pat */
static const struct view_dir *wildcard_dir(const struct path_segs *pat, unsigned int i)
{
	struct path_segs d;

	for (const struct view_dir *v = __start_view_dirs; v < __stop_view_dirs; v++) {
		unsigned int k;

		if (path_split(v->path, &d) || d.n != i + 1)
			continue;
		for (k = 0; k <= i && !strcmp(d.seg[k], pat->seg[k]); k++)
			;
		if (k > i)
			return v;
	}
	return NULL;
}

/* does the wildcard at segment i of pat stand for name (earlier wildcards
 * having matched args)? */
static bool wildcard_has(const struct path_segs *pat, unsigned int i,
			 const char *const *args, const char *name)
{
	const struct view_dir *d = wildcard_dir(pat, i);
	char entry[VIEW_NAME_MAX];

	if (!d)
		return false;
	for (unsigned int idx = 0; d->list(idx, args, entry, sizeof(entry)) == 0; idx++)
		if (!strcmp(entry, name))
			return true;
	return false;
}

/* the first n segments of path against pattern pat, collecting the
 * wildcards' values in args (pointers into path) */
static bool prefix_match(const struct path_segs *pat, const struct path_segs *path,
			 unsigned int n, const char **args, unsigned int *nargs)
{
	*nargs = 0;
	for (unsigned int i = 0; i < n; i++) {
		if (!is_wild(pat->seg[i])) {
			if (strcmp(pat->seg[i], path->seg[i]))
				return false;
			continue;
		}
		if (*nargs == VIEW_ARGS_MAX || !wildcard_has(pat, i, args, path->seg[i]))
			return false;
		args[(*nargs)++] = path->seg[i];
	}
	return true;
}

/* what path names; for a file, its view and the wildcard values */
static enum view_kind view_find(const struct path_segs *path, const struct view **file,
				const char **args)
{
	enum view_kind kind = path->n == 0 ? VIEW_DIRECTORY : VIEW_NONE;
	struct path_segs pat;
	const char *tmp[VIEW_ARGS_MAX];
	unsigned int nargs;

	for (const struct view *v = __start_views; v < __stop_views; v++) {
		if (path_split(v->path, &pat) || pat.n < path->n)
			continue;
		if (!prefix_match(&pat, path, path->n, pat.n == path->n ? args : tmp, &nargs))
			continue;
		if (pat.n == path->n) {
			*file = v;
			return VIEW_FILE;
		}
		kind = VIEW_DIRECTORY;
	}
	return kind;
}

enum view_kind view_stat(const char *path)
{
	struct path_segs p;
	const struct view *v;
	const char *args[VIEW_ARGS_MAX];

	if (path_split(path, &p))
		return VIEW_NONE;
	return view_find(&p, &v, args);
}

/* the file view at path: 0, or -EISDIR/-ENOENT and the path parser's
 * errors (view_read and view_write).  args point into *p, which the
 * caller keeps while it uses them */
static int view_file(const char *path, struct path_segs *p, const struct view **v,
		     const char **args)
{
	int rc = path_split(path, p);

	if (rc)
		return rc;
	switch (view_find(p, v, args)) {
	case VIEW_FILE:
		return 0;
	case VIEW_DIRECTORY:
		return -EISDIR;
	default:
		return -ENOENT;
	}
}

int view_read(const char *path, char **text, size_t *len)
{
	struct path_segs p;
	const struct view *v = NULL;
	const char *args[VIEW_ARGS_MAX] = { 0 };
	int need = view_file(path, &p, &v, args);

	if (need)
		return need;
	need = v->show(NULL, 0, args);
	for (int tries = 0; need >= 0 && tries < VIEW_READ_TRIES; tries++) {
		size_t size = (size_t)need + VIEW_READ_SLACK;
		char *buf = kmalloc(size);
		int got;

		if (!buf)
			return -ENOMEM;
		got = v->show(buf, size, args);
		if (got >= 0 && (size_t)got < size) {
			*text = buf;
			*len = (size_t)got;
			return 0;
		}
		kfree(buf);
		need = got;
	}
	return need < 0 ? need : -EAGAIN;
}

int view_write(const char *path, const char *text)
{
	struct path_segs p;
	const struct view *v = NULL;
	const char *args[VIEW_ARGS_MAX] = { 0 };
	int rc = view_file(path, &p, &v, args);

	if (rc)
		return rc;
	return v->store ? v->store(text, args) : -EACCES;
}

struct dir_entry {
	char name[VIEW_NAME_MAX];
	bool is_dir;
};

struct dir_list {
	struct dir_entry *e;
	unsigned int n;
};

static void dir_add(struct dir_list *l, const char *name, bool is_dir)
{
	for (unsigned int i = 0; i < l->n; i++) {
		if (!strcmp(l->e[i].name, name)) {
			l->e[i].is_dir |= is_dir;
			return;
		}
	}
	if (l->n == VIEW_LIST_MAX)
		return;
	snprintf(l->e[l->n].name, VIEW_NAME_MAX, "%s", name);
	l->e[l->n].is_dir = is_dir;
	l->n++;
}

static void dir_sort(struct dir_list *l)
{
	for (unsigned int i = 1; i < l->n; i++) {
		struct dir_entry t = l->e[i];
		unsigned int j = i;

		for (; j > 0 && strcmp(l->e[j - 1].name, t.name) > 0; j--)
			l->e[j] = l->e[j - 1];
		l->e[j] = t;
	}
}

/* the children of path contributed by pattern pat (already matched) */
static void dir_collect(struct dir_list *l, const struct path_segs *pat, unsigned int depth,
			const char *const *args)
{
	const struct view_dir *d;
	char name[VIEW_NAME_MAX];
	bool is_dir = pat->n > depth + 1;

	if (!is_wild(pat->seg[depth])) {
		dir_add(l, pat->seg[depth], is_dir);
		return;
	}
	d = wildcard_dir(pat, depth);
	for (unsigned int idx = 0; d && d->list(idx, args, name, sizeof(name)) == 0; idx++)
		dir_add(l, name, is_dir);
}

int view_list_dir(const char *path, int (*fn)(const char *name, bool is_dir, void *ctx),
		  void *ctx)
{
	struct path_segs p, pat;
	struct dir_list l = { NULL, 0 };
	const char *args[VIEW_ARGS_MAX];
	unsigned int nargs;
	int rc = path_split(path, &p);

	if (rc)
		return rc;
	for (const struct view *v = __start_views; v < __stop_views; v++) {
		if (path_split(v->path, &pat) || pat.n <= p.n)
			continue;
		if (!prefix_match(&pat, &p, p.n, args, &nargs))
			continue;
		if (!l.e) {
			l.e = kmalloc(VIEW_LIST_MAX * sizeof(*l.e));
			if (!l.e)
				return -ENOMEM;
		}
		dir_collect(&l, &pat, p.n, args);
	}
	if (!l.e) {
		const struct view *f;

		return view_find(&p, &f, args) == VIEW_FILE ? -ENOTDIR : -ENOENT;
	}
	dir_sort(&l);
	rc = 0;
	for (unsigned int i = 0; i < l.n && !rc; i++)
		rc = fn(l.e[i].name, l.e[i].is_dir, ctx);
	kfree(l.e);
	return rc;
}
