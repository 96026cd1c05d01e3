/* A TCP echo server with poll(2): one thread, non-blocking sockets, up to
 * MAX_CLIENTS connections at once.  Listens on the port given as its
 * first argument (default 7007; the kernel's own echo service has 7):
 * `make run APP=examples/tcp_echo_poll.c APPEND='-- 7007'`, then
 * `nc <guest> 7007`.  It prints a line per connection opened and closed. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 64

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 7007, one = 1, nfds = 1;
	struct pollfd pfd[MAX_CLIENTS + 1];
	struct sockaddr_in6 addr = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				     .sin6_addr = IN6ADDR_ANY_INIT };
	int ls = socket(AF_INET6, SOCK_STREAM, 0);

	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&addr, sizeof(addr)) || listen(ls, 16)) {
		perror("tcp_echo_poll: listen");
		return 1;
	}
	set_nonblock(ls);
	pfd[0] = (struct pollfd){ .fd = ls, .events = POLLIN };
	printf("tcp_echo_poll: listening on port %d\n", port);
	fflush(stdout);
	for (;;) {
		if (poll(pfd, nfds, -1) < 0) {
			perror("tcp_echo_poll: poll");
			return 1;
		}
		if (pfd[0].revents & POLLIN) {
			int c;

			while ((c = accept(ls, NULL, NULL)) >= 0) {
				if (nfds > MAX_CLIENTS) {
					close(c);
					continue;
				}
				set_nonblock(c);
				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				pfd[nfds++] = (struct pollfd){ .fd = c, .events = POLLIN };
				printf("tcp_echo_poll: connection %d open\n", c);
			}
		}
		for (int i = 1; i < nfds; i++) {
			char buf[4096];
			ssize_t n;
			bool done = false;

			if (!pfd[i].revents)
				continue;
			while ((n = read(pfd[i].fd, buf, sizeof(buf))) > 0) {
				ssize_t off = 0;

				while (off < n) {
					ssize_t w = write(pfd[i].fd, buf + off, n - off);

					if (w > 0) {
						off += w;
						continue;
					}
					if (w < 0 && errno == EAGAIN) {
						struct pollfd out = { .fd = pfd[i].fd, .events = POLLOUT };

						poll(&out, 1, 1000);
						continue;
					}
					done = true;
					break;
				}
				if (done)
					break;
			}
			if (n == 0 || done || (n < 0 && errno != EAGAIN)) {
				printf("tcp_echo_poll: connection %d closed\n", pfd[i].fd);
				close(pfd[i].fd);
				pfd[i--] = pfd[--nfds];
			}
		}
	}
}
