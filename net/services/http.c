/* HTTP on TCP port 80: the dashboard, the status page, the views and the
 * metrics, with our own small responder on lwIP's raw TCP API (no
 * generated file system to build).  HTTP/1.0 semantics: one request per
 * connection, we close after the response.
 *
 * GET or HEAD of
 *   /                the dashboard (text/html; net/services/www/), which
 *                    polls /api/stats.json; /dashboard.js, /uplot.min.js
 *                    and /uplot.min.css are its script and uPlot's files,
 *                    all embedded in the image (net/services/www.c)
 *   /status          the status page (text/plain)
 *   /proc/..., /sys/...  a view, exactly what the shell's cat prints
 *   /metrics         every counter, Prometheus text exposition format
 *   /trace.csv       the frame journey records
 *   /api/stats.json  the dashboard's samples (/proc/barenet/stats.json)
 *   /api/views       every view's path, one a line (/proc/barenet/views)
 * answers 200; an unknown path 404; a path with "." or ".." segments 400;
 * another method 405 (with Allow); a request head larger than
 * HTTP_REQ_MAX 431.  Views are generated outside the lwIP core lock (they
 * may take it themselves): net/services/http_views.c renders them from
 * NET_RX and hands the response back.  The response is written as the
 * send buffer allows (tcp_sent and the poll continue it). */
#include "net/services/services.h"
#include "net/services/http_views.h"
#include "net/services/www.h"
#include "kernel/errno.h"
#include "net/core/journey.h"
#include "kernel/version.h"
#include "lwip/mem.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include <stdio.h>
#include <string.h>

#define HTTP_PAGE_MAX    8192      /* status page body */
#define HTTP_POLL_TICKS  4         /* 2 s of 500 ms lwIP ticks */
#define HTTP_IDLE_POLLS  5         /* closed after ~10 s without a request */

struct svc_stats svc_http_stats;

void http_conn_free(struct http_conn *c);

void http_conn_free(struct http_conn *c)
{
	svc_conn_forget(&c->slot);
	if (c->resp)
		mem_free(c->resp);
	mem_free(c);
}

/* the connection is done with c: free it, or leave that to the renderer */
static void http_release(struct http_conn *c)
{
	svc_conn_forget(&c->slot);
	if (c->deferred)
		c->dead = true;
	else
		http_conn_free(c);
}

/* what a callback must return */
static err_t http_close(struct http_conn *c, enum svc_close_why why)
{
	err_t err = svc_tcp_close(&c->slot, &svc_http_stats, why);

	http_release(c);
	return err;
}

/* write what fits; close once it is all queued (lwIP sends it, then FIN).
 * A static body is copied too: the driver's zero-copy transmit maps heap
 * buffers, not the image. */
err_t http_send(struct tcp_pcb *pcb, struct http_conn *c)
{
	u32 total = c->resp_len + c->body_len;

	while (c->sent < total) {
		bool hdr = c->sent < c->resp_len;
		const void *p = hdr ? (const void *)(c->resp + c->sent) :
				      (const void *)(c->body + (c->sent - c->resp_len));
		u32 n = MIN((hdr ? c->resp_len : total) - c->sent, svc_tcp_room(pcb));

		if (!c->sent)
			journey_tx_app();
		n = LWIP_MIN(n, 0xffffu);
		if (!n || tcp_write(pcb, p, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;
		c->sent += n;
		svc_http_stats.tcp_bytes_out += n;
	}
	tcp_output(pcb);
	if (c->sent == total)
		return http_close(c, SVC_CLOSE_DONE);
	return ERR_OK;
}

/* copy the space-delimited token at *s into dst (truncated to size - 1)
 * and step past it and the spaces after it */
static void next_token(const char **s, char *dst, size_t size)
{
	size_t n = 0;

	while (**s && **s != ' ' && **s != '\r' && **s != '\n') {
		if (n + 1 < size)
			dst[n++] = **s;
		(*s)++;
	}
	dst[n] = '\0';
	while (**s == ' ')
		(*s)++;
}

/* build the response to the request head in c->req; false if it was
 * handed to the view renderer instead */
static int http_respond(struct http_conn *c, bool too_long, bool *deferred)
{
	char method[8] = "", path[HTTP_PATH_MAX + 2] = "";
	const char *status = "200 OK", *extra = "";
	const struct www_file *file;
	bool head = false, found;
	int body_len = 0, hdr_len;
	const char *req;
	char *body, *q;

	*deferred = false;
	c->req[c->req_len < HTTP_REQ_MAX ? c->req_len : HTTP_REQ_MAX - 1] = '\0';
	req = c->req;
	next_token(&req, method, sizeof(method));
	next_token(&req, path, sizeof(path));
	q = strchr(path, '?');
	if (q)
		*q = '\0';                /* no query parameters here */
	file = www_find(path);
	found = file || !strcmp(path, "/status");
	head = !strcmp(method, "HEAD");
	if (too_long) {
		status = "431 Request Header Fields Too Large";
	} else if (strcmp(method, "GET") && !head) {
		status = "405 Method Not Allowed";
		extra = "Allow: GET, HEAD\r\n";
	} else if (!found && strlen(path) > HTTP_PATH_MAX) {
		status = "414 URI Too Long";
	} else if (!found && !http_path_is_clean(path)) {
		status = "400 Bad Request";
	} else if (!found && http_views_wants(path)) {
		c->head = head;
		*deferred = !http_views_queue(c, path);
		if (*deferred)
			return 0;
		status = "503 Service Unavailable";
	} else if (!found) {
		status = "404 Not Found";
	}
	if (file && status[0] == '2') {
		/* the header here, the body straight from the image */
		c->resp = mem_malloc(HTTP_HDR_MAX);
		if (!c->resp)
			return -ENOMEM;
		c->body = file->start;
		c->body_len = head ? 0 : (u32)(file->end - file->start);
		c->resp_len = (u32)http_format_header(c->resp, HTTP_HDR_MAX, status, file->type,
						      "", (size_t)(file->end - file->start));
		return 0;
	}
	c->resp = mem_malloc(HTTP_HDR_MAX + HTTP_PAGE_MAX);
	if (!c->resp)
		return -ENOMEM;
	body = c->resp + HTTP_HDR_MAX;
	if (status[0] == '2')
		body_len = net_status_page(body, HTTP_PAGE_MAX);
	else
		body_len = snprintf(body, HTTP_PAGE_MAX, "%s\n", status);
	if (body_len >= HTTP_PAGE_MAX)
		body_len = HTTP_PAGE_MAX - 1;  /* truncated page, still valid */
	hdr_len = http_format_header(c->resp, HTTP_HDR_MAX, status, "text/plain; charset=utf-8",
				     extra, (size_t)body_len);
	/* header and body contiguous */
	memmove(c->resp + hdr_len, body, head ? 0 : (size_t)body_len);
	c->resp_len = (u32)hdr_len + (head ? 0 : (u32)body_len);
	return 0;
}

int http_format_header(char *buf, size_t size, const char *status, const char *type,
		       const char *extra, size_t body_len)
{
	return snprintf(buf, size,
			"HTTP/1.0 %s\r\nServer: barenet/" BARENET_VERSION "\r\n"
			"Content-Type: %s\r\n%s"
			"Content-Length: %zu\r\nConnection: close\r\n\r\n", status, type, extra,
			body_len);
}

static err_t http_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct http_conn *c = arg;
	bool complete, too_long, deferred;
	u16 room;

	if (err != ERR_OK || !c) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p)
		return http_close(c, SVC_CLOSE_DONE);   /* the client gave up */
	svc_http_stats.tcp_bytes_in += p->tot_len;
	svc_conn_active(&c->slot);
	tcp_recved(pcb, p->tot_len);
	if (c->resp || c->deferred) {         /* a body or pipelined data: ignore */
		pbuf_free(p);
		return ERR_OK;
	}
	/* the room left before this segment decides whether it fits */
	room = (u16)(HTTP_REQ_MAX - 1 - c->req_len);
	c->req_len = (u16)(c->req_len + pbuf_copy_partial(p, c->req + c->req_len,
		(u16)LWIP_MIN(p->tot_len, room), 0));
	too_long = p->tot_len > room || c->req_len >= HTTP_REQ_MAX - 1;
	pbuf_free(p);
	c->req[c->req_len] = '\0';
	complete = strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n");
	if (!complete && !too_long)
		return ERR_OK;
	journey_mark_rx(JOURNEY_RX_APP);
	svc_conn_served(&c->slot);     /* a whole request: not evicted now */
	if (http_respond(c, too_long && !complete, &deferred)) {
		svc_http_stats.tcp_aborted++;
		http_conn_free(c);
		tcp_arg(pcb, NULL);
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	if (deferred)
		return ERR_OK;          /* http_views sends it when rendered */
	return http_send(pcb, c);
}

static err_t http_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct http_conn *c = arg;

	(void)len;
	return c && c->resp ? http_send(pcb, c) : ERR_OK;
}

static err_t http_poll(void *arg, struct tcp_pcb *pcb)
{
	struct http_conn *c = arg;

	if (!c || c->deferred)
		return ERR_OK;          /* being rendered: the renderer sends */
	if (c->resp)
		return http_send(pcb, c);
	if (++c->idle_polls >= HTTP_IDLE_POLLS)
		return http_close(c, SVC_CLOSE_IDLE);
	return ERR_OK;
}

static void http_err(void *arg, err_t err)
{
	struct http_conn *c = arg;

	svc_http_stats.tcp_aborted++;
	if (c) {
		svc_conn_error(&c->slot, err);
		http_release(c);
	}
}

static err_t http_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct http_conn *c;

	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	c = mem_malloc(sizeof(*c));
	if (!c) {
		svc_http_stats.tcp_aborted++;
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	memset(c, 0, sizeof(*c));
	if (svc_conn_admit(&c->slot, pcb)) {
		/* over the per-source limit: refused with a RST (counted there) */
		mem_free(c);
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	c->pcb = pcb;
	svc_http_stats.tcp_accepted++;
	tcp_arg(pcb, c);
	tcp_recv(pcb, http_recv);
	tcp_sent(pcb, http_sent);
	tcp_err(pcb, http_err);
	tcp_poll(pcb, http_poll, HTTP_POLL_TICKS);
	return ERR_OK;
}

int svc_http_start(void)
{
	http_views_init();
	return svc_tcp_listen(HTTP_PORT, http_accept) ? 0 : -ENOMEM;
}
