/* A small HTTP/1.0 server with epoll(7), edge-triggered: every socket is
 * non-blocking, each event is served until EAGAIN.  GET / answers a page
 * that counts the requests; GET /bye answers and ends the program (exit
 * status 0).  Port from the first argument (default 8080; the kernel's
 * own HTTP service has 80): `make run APP=examples/http_epoll.c`, then
 * `curl http://<guest>:8080/`. */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_EVENTS 32

struct conn {
	int fd;
	size_t got;
	char req[2048];
};

static long served;

/* a whole request header arrived: answer it; true to end the program */
static bool answer(struct conn *c)
{
	char body[256], head[256];
	bool bye = !strncmp(c->req, "GET /bye ", 9);
	int blen, hlen;

	served++;
	blen = snprintf(body, sizeof(body), "hello from an epoll server on barenet: request %ld%s\n",
			served, bye ? ", bye" : "");
	hlen = snprintf(head, sizeof(head),
			"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n", blen);
	/* small: the send buffer takes it at once */
	if (write(c->fd, head, hlen) != hlen || write(c->fd, body, blen) != blen)
		perror("http_epoll: write");
	return bye;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 8080, one = 1;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct epoll_event ev, events[MAX_EVENTS];
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), ep = epoll_create1(0);

	if (ls < 0 || ep < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&addr, sizeof(addr)) || listen(ls, 64)) {
		perror("http_epoll: listen");
		return 1;
	}
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLET, .data.ptr = NULL };
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	printf("http_epoll: listening on port %d\n", port);
	fflush(stdout);
	for (;;) {
		int n = epoll_wait(ep, events, MAX_EVENTS, -1);

		if (n < 0) {
			perror("http_epoll: epoll_wait");
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = events[i].data.ptr;

			if (!c) {
				int fd;

				/* edge-triggered: accept until EAGAIN */
				while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					c = calloc(1, sizeof(*c));
					c->fd = fd;
					ev = (struct epoll_event){ .events = EPOLLIN | EPOLLRDHUP | EPOLLET,
								   .data.ptr = c };
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			for (;;) {
				ssize_t r = read(c->fd, c->req + c->got, sizeof(c->req) - 1 - c->got);
				bool bye = false;

				if (r > 0) {
					c->got += r;
					c->req[c->got] = 0;
					if (!strstr(c->req, "\r\n\r\n") && c->got < sizeof(c->req) - 1)
						continue;
					bye = answer(c);
				} else if (r < 0 && errno == EAGAIN) {
					if (!(events[i].events & EPOLLRDHUP))
						break;
				}
				/* answered, the peer's end, or an error: done with it
				 * (close takes it out of the epoll set) */
				close(c->fd);
				free(c);
				if (bye) {
					printf("http_epoll: %ld requests served, bye\n", served);
					return 0;
				}
				break;
			}
		}
	}
}
