/* The HTTP service's connection and its view renderer: the views
 * (/proc/..., /sys/..., /metrics, /trace.csv) are generated outside the
 * lwIP core lock, from a napi in NET_RX, then written on the connection.
 * net/ only: includes lwIP's headers. */
#ifndef NET_SERVICES_HTTP_VIEWS_H
#define NET_SERVICES_HTTP_VIEWS_H

#include "kernel/types.h"
#include "fs/view.h"
#include "lwip/tcp.h"

#define HTTP_REQ_MAX     1024           /* request head we read */
#define HTTP_HDR_MAX     256            /* response header */
#define HTTP_PATH_MAX    VIEW_PATH_MAX  /* longest path served */
#ifndef HTTP_VIEW_MAX
#define HTTP_VIEW_MAX    (1024 * 1024)  /* largest view body; more is a 500 */
#endif

struct http_conn {
	struct http_conn *next;     /* on the renderer's queue */
	struct tcp_pcb *pcb;
	char req[HTTP_REQ_MAX];
	char path[HTTP_PATH_MAX + 1];   /* the view to render */
	u16 req_len;
	u8 idle_polls;
	bool head;                  /* HEAD: header only */
	bool deferred;              /* queued for or being rendered */
	bool dead;                  /* the pcb went while deferred: renderer frees */
	char *resp;                 /* mem_malloc'd response, NULL until built */
	const u8 *body;             /* then this static body (an embedded file), or NULL */
	u32 resp_len, body_len;
	u32 sent;                   /* bytes of resp, then of body, queued on the pcb */
};

/* write what fits of c->resp and c->body, close when all is queued; core
 * lock held */
err_t http_send(struct tcp_pcb *pcb, struct http_conn *c);
/* the response header; returns its length (as snprintf) */
int http_format_header(char *buf, size_t size, const char *status, const char *type,
		       const char *extra, size_t body_len);

/* a path of "/"-separated segments, none empty, "." or ".." */
bool http_path_is_clean(const char *path);
/* is path one the renderer serves (/proc/, /sys/, /metrics, /trace.csv,
 * /api/stats.json, /api/views) */
bool http_views_wants(const char *path);
/* Queue c to render path; core lock held.  0, or -EBUSY when the queue is
 * full (the caller answers 503). */
int http_views_queue(struct http_conn *c, const char *path);
/* the renderer's napi; at stack start */
void http_views_init(void);

#endif
