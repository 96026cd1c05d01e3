/* /proc/barenet/views: every view file, one path per line, wildcards
 * expanded (as `find /` would list them) -- the dashboard's links, served
 * as GET /api/views. */
#include "fs/view.h"
#include "lib/seq_buf.h"
#include <string.h>

struct walk {
	struct seq_buf *s;
	char path[VIEW_PATH_MAX];
};

static int walk_entry(const char *name, bool is_dir, void *ctx)
{
	struct walk *w = ctx;
	size_t len = strlen(w->path);
	int rc = 0;

	if (len + 1 + strlen(name) >= sizeof(w->path))
		return 0;               /* too long to be a view's path */
	w->path[len] = '/';
	memcpy(w->path + len + 1, name, strlen(name) + 1);
	if (is_dir)
		rc = view_list_dir(w->path, walk_entry, w);
	else
		seq_buf_printf(w->s, "%s\n", w->path);
	w->path[len] = '\0';
	return rc;
}

static int views_show(char *buf, size_t size, const char *const *args)
{
	struct seq_buf s;
	struct walk w = { &s, "" };
	int rc;

	(void)args;
	seq_buf_init(&s, buf, size);
	rc = view_list_dir("/", walk_entry, &w);
	return rc ? rc : seq_buf_used(&s);
}
VIEW("/proc/barenet/views", views_show);
