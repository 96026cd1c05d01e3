/* /sys/class/net/<dev>/queues/{rx-N,tx-N}/: each kind of queue lists and
 * serves its own files (net/core/queues.h); a name of the other kind's is
 * not there (tx-0/rps_cpus: no such file).  The queue directories
 * themselves are listed by rps.c (rx-N, then tx-N). */
#include "net/core/queues.h"
#include "fs/view.h"
#include "kernel/errno.h"
#include <stdio.h>
#include <string.h>

struct queue_file {
	const char *name;
	view_show_t show;
	view_store_t store;     /* NULL: read-only */
};

/* sorted by name, as ls shows them */
static const struct queue_file rx_queue_files[] = {
	{ "rps_cpus", rps_cpus_show, rps_cpus_store },
	{ "rps_flow_cnt", rps_flow_cnt_show, rps_flow_cnt_store },
	{ NULL, NULL, NULL },
};

static const struct queue_file tx_queue_files[] = {
	{ "tx_timeout", tx_timeout_show, NULL },
	{ "xps_cpus", xps_cpus_show, xps_cpus_store },
	{ NULL, NULL, NULL },
};

/* the files of queue directory args[1] ("rx-N" or "tx-N"), NULL for none */
static const struct queue_file *queue_files_of(const char *const *args)
{
	if (!strncmp(args[1], "rx-", 3))
		return rx_queue_files;
	if (!strncmp(args[1], "tx-", 3))
		return tx_queue_files;
	return NULL;
}

static const struct queue_file *queue_file_find(const char *const *args)
{
	const struct queue_file *f = queue_files_of(args);

	for (; f && f->name; f++)
		if (!strcmp(f->name, args[2]))
			return f;
	return NULL;
}

static int queue_files_list(unsigned int idx, const char *const *args, char *name,
			    size_t size)
{
	const struct queue_file *f = queue_files_of(args);

	for (unsigned int i = 0; f && f->name; i++, f++) {
		if (i == idx) {
			snprintf(name, size, "%s", f->name);
			return 0;
		}
	}
	return -ENOENT;
}
VIEW_DIR("/sys/class/net/*/queues/*/*", queue_files_list);

/* the queue's own file: its show, with args device, queue as it expects */
static int queue_file_show(char *buf, size_t size, const char *const *args)
{
	const struct queue_file *f = queue_file_find(args);

	return f ? f->show(buf, size, args) : -ENOENT;
}

static int queue_file_store(const char *text, const char *const *args)
{
	const struct queue_file *f = queue_file_find(args);

	if (!f)
		return -ENOENT;
	return f->store ? f->store(text, args) : -EACCES;
}
VIEW_RW("/sys/class/net/*/queues/*/*", queue_file_show, queue_file_store);
