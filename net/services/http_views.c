/* The HTTP view renderer: requests for /proc/..., /sys/..., /metrics,
 * /trace.csv, /api/stats.json and /api/views (the dashboard's samples and
 * links) wait on a queue; a napi polled from NET_RX (where the lwIP core
 * lock is not held) generates each body with view_read, exactly what the
 * shell's cat prints, then takes the lock and writes the response. */
#include "net/services/http_views.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "net/core/dev.h"
#include "net/core/napi.h"
#include "net/lwip/core_lock.h"
#include "lwip/mem.h"
#include <stdio.h>
#include <string.h>

#define HTTP_VIEWS_QUEUE_MAX 64         /* requests waiting to be rendered */
#define HTTP_TYPE_TEXT       "text/plain; charset=utf-8"
/* Prometheus text exposition format 0.0.4 */
#define HTTP_TYPE_METRICS    "text/plain; version=0.0.4; charset=utf-8"
#define HTTP_TYPE_CSV        "text/csv; charset=utf-8"
#define HTTP_TYPE_JSON       "application/json"

void http_conn_free(struct http_conn *c);

static const struct {
	const char *url;
	const char *view;
	const char *type;
} aliases[] = {
	{ "/metrics", "/proc/barenet/metrics", HTTP_TYPE_METRICS },
	{ "/trace.csv", "/proc/barenet/trace.csv", HTTP_TYPE_CSV },
	{ "/api/stats.json", "/proc/barenet/stats.json", HTTP_TYPE_JSON },
	{ "/api/views", "/proc/barenet/views", HTTP_TYPE_TEXT },
};

static struct napi_struct render_napi;
static struct http_conn *queue_head, **queue_tail = &queue_head;
static unsigned int queue_len;

bool http_path_is_clean(const char *path)
{
	const char *seg = path;

	if (*path != '/')
		return false;
	while (*seg == '/') {
		const char *end = strchr(seg + 1, '/');
		size_t len = end ? (size_t)(end - seg - 1) : strlen(seg + 1);

		if (len == 0 && end)
			return false;           /* "//" */
		if ((len == 1 && seg[1] == '.') || (len == 2 && seg[1] == '.' && seg[2] == '.'))
			return false;
		if (!end)
			break;
		seg = end;
	}
	return true;
}

bool http_views_wants(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
		if (!strcmp(path, aliases[i].url))
			return true;
	return !strncmp(path, "/proc/", 6) || !strncmp(path, "/sys/", 5);
}

int http_views_queue(struct http_conn *c, const char *path)
{
	if (queue_len >= HTTP_VIEWS_QUEUE_MAX)
		return -EBUSY;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->deferred = true;
	c->next = NULL;
	*queue_tail = c;
	queue_tail = &c->next;
	queue_len++;
	napi_schedule(&render_napi);
	return 0;
}

/* the whole response for c->path into c->resp (mem_malloc, as http.c
 * frees it); core lock not held */
static void render(struct http_conn *c)
{
	const char *view = c->path, *type = HTTP_TYPE_TEXT, *status = "200 OK";
	char *text = NULL, *resp;
	size_t len = 0;
	int rc, hdr;

	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++) {
		if (!strcmp(c->path, aliases[i].url)) {
			view = aliases[i].view;
			type = aliases[i].type;
		}
	}
	rc = view_read(view, &text, &len);
	if (!rc && len > HTTP_VIEW_MAX)
		rc = -E2BIG;
	if (rc) {
		kfree(text);
		text = NULL;
		switch (rc) {
		case -ENOENT: case -EISDIR: case -ENOTDIR: case -ENAMETOOLONG:
			status = "404 Not Found";
			break;
		case -ENOMEM: case -EAGAIN:
			status = "503 Service Unavailable";
			break;
		default:
			status = "500 Internal Server Error";
		}
		type = HTTP_TYPE_TEXT;
		len = strlen(status) + 1;
	}
	resp = mem_malloc(HTTP_HDR_MAX + len);
	if (!resp) {
		kfree(text);
		return;
	}
	hdr = http_format_header(resp, HTTP_HDR_MAX, status, type, "", len);
	if (text)
		memcpy(resp + hdr, text, len);
	else
		snprintf(resp + hdr, len + 1, "%s\n", status);
	kfree(text);
	c->resp = resp;
	c->resp_len = (u32)hdr + (c->head ? 0 : (u32)len);
	c->sent = 0;
}

static int render_poll(struct napi_struct *napi, int budget)
{
	struct http_conn *list, *c;
	int work = 0;

	net_core_lock();
	list = queue_head;
	queue_head = NULL;
	queue_tail = &queue_head;
	queue_len = 0;
	net_core_unlock();

	/* the connections stay (deferred) while we render without the lock */
	for (c = list; c; c = c->next, work++)
		if (!c->dead)
			render(c);

	net_core_lock();
	while ((c = list)) {
		list = c->next;
		c->deferred = false;
		if (c->dead) {
			http_conn_free(c);
		} else if (!c->resp) {
			/* no memory for any answer: reset the connection */
			struct tcp_pcb *pcb = c->pcb;

			tcp_arg(pcb, NULL);
			http_conn_free(c);
			tcp_abort(pcb);
		} else {
			http_send(c->pcb, c);
		}
	}
	net_core_unlock();
	napi_complete_done(napi, work);
	return work < budget ? work : budget - 1;
}

void http_views_init(void)
{
	netif_napi_add_weight(NULL, &render_napi, render_poll, DEV_WEIGHT_DEFAULT);
	napi_enable(&render_napi);
}
