/* SO_REUSEADDR as Linux's (net/lwip/include/lwipopts.h, SO_REUSE), checked
 * from inside (tests/qemu/test_iperf3.py): a server that closed its side of
 * a connection first leaves it in TIME_WAIT on the server's port; a new
 * listener with SO_REUSEADDR binds that port at once (iperf3 re-listens on
 * 5201 after every test), one without it gets EADDRINUSE.  Prints "ok
 * <name>" or "FAIL <name>: why"; the number failed is the exit status. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

#define PORT 5301

static int listener(int reuse)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (reuse)
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4)) {
		int e = errno;

		close(s);
		errno = e;
		return -1;
	}
	return s;
}

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int l = listener(1), c = socket(AF_INET, SOCK_STREAM, 0), s;
	char b;

	CHECK("listen", l >= 0, "errno %d", errno);
	CHECK("connect", !connect(c, (struct sockaddr *)&a, sizeof(a)), "errno %d", errno);
	s = accept(l, NULL, NULL);
	CHECK("accept", s >= 0, "errno %d", errno);
	/* the server's side closes first: TIME_WAIT is on port PORT */
	close(s);
	CHECK("peer_sees_eof", read(c, &b, 1) == 0, "errno %d", errno);
	close(c);
	close(l);
	usleep(100000);
	l = listener(0);
	CHECK("time_wait_without_reuseaddr_eaddrinuse", l < 0 && errno == EADDRINUSE, "fd %d errno %d", l, errno);
	if (l >= 0)
		close(l);
	l = listener(1);
	CHECK("time_wait_with_reuseaddr_binds", l >= 0, "errno %d", errno);
	if (l >= 0)
		close(l);
	printf("reuseaddr: %d failed\n", failures);
	return failures;
}
