/* services=: which services run; their start at boot; the shared
 * listen helper. */
#include "net/services/services.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include <stdlib.h>
#include <string.h>

unsigned int services_enabled = SVC_ALL;

static const struct {
	const char *name;
	unsigned int bit;
	int (*start)(void);
	const char *what;
} services[] = {
	{ "echo", SVC_ECHO, svc_echo_start, "echo tcp+udp/7" },
	{ "discard", SVC_DISCARD, svc_discard_start, "discard tcp+udp/9" },
	{ "http", SVC_HTTP, svc_http_start, "http tcp/80" },
	{ "iperf", SVC_IPERF, svc_iperf_start, "iperf tcp/5001" },
};

int services_parse(const char *s, unsigned int *mask)
{
	unsigned int m = 0;

	if (!strcmp(s, "all")) {
		*mask = SVC_ALL;
		return 0;
	}
	if (!strcmp(s, "none")) {
		*mask = 0;
		return 0;
	}
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		unsigned int bit = 0;

		for (size_t i = 0; i < ARRAY_SIZE(services); i++)
			if (strlen(services[i].name) == len && !strncmp(services[i].name, s, len))
				bit = services[i].bit;
		if (!bit || (m & bit))
			return -EINVAL;     /* unknown, empty or repeated */
		m |= bit;
		s += len;
		if (comma && !*++s)
			return -EINVAL;     /* trailing comma */
	}
	if (!m)
		return -EINVAL;
	*mask = m;
	return 0;
}

static int set_services(const char *v)
{
	unsigned int m;

	if (services_parse(v, &m)) {
		pr_err("net: services=%s: expected all, none, or a comma list of "
		       "echo,discard,http,iperf (each once)\n", v);
		return -EINVAL;
	}
	services_enabled = m;
	return 0;
}
CMDLINE_OPT("services", set_services, "network services: all (default), none, or echo,discard,http,iperf");

/* netctl=<port>: a UDP datagram "poweroff" to that port prints the status
 * page and powers off with EXIT_OK, so host-driven tests end with the
 * kernel's own exit status.  Off by default. */
#define NETCTL_CMD_POWEROFF "poweroff"
static u16 netctl_port;

static int set_netctl(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < 1 || n > 65535)
		return -EINVAL;
	netctl_port = (u16)n;
	return 0;
}
CMDLINE_OPT("netctl", set_netctl, "UDP port where \"poweroff\" powers off (tests); off by default");

static void netctl_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
			const ip_addr_t *addr, u16_t port)
{
	static char page[8192];
	char cmd[16] = "";

	(void)arg;
	(void)pcb;
	(void)addr;
	(void)port;
	pbuf_copy_partial(p, cmd, sizeof(cmd) - 1, 0);
	pbuf_free(p);
	if (strncmp(cmd, NETCTL_CMD_POWEROFF, strlen(NETCTL_CMD_POWEROFF)))
		return;
	net_status_page(page, sizeof(page));
	pr_info("netctl: poweroff; status page:\n");
	for (char *l = page, *nl; *l; l = nl + 1) {
		nl = strchr(l, '\n');
		if (!nl)
			break;
		*nl = '\0';
		pr_info("| %s\n", l);
	}
	machine_poweroff(EXIT_OK);
}

static int netctl_start(void)
{
	struct udp_pcb *u;

	if (!netctl_port)
		return 0;
	u = udp_new_ip_type(IPADDR_TYPE_ANY);
	if (!u)
		return -ENOMEM;
	if (udp_bind(u, IP_ANY_TYPE, netctl_port) != ERR_OK) {
		udp_remove(u);
		return -EBUSY;
	}
	udp_recv(u, netctl_recv, NULL);
	pr_info("net: netctl on udp/%u\n", netctl_port);
	return 0;
}

struct tcp_pcb *svc_tcp_listen(u16 port, tcp_accept_fn accept_fn)
{
	struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_ANY), *lpcb;

	if (!pcb)
		return NULL;
	if (tcp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK) {
		tcp_close(pcb);
		return NULL;
	}
	lpcb = tcp_listen(pcb);
	if (!lpcb) {
		tcp_close(pcb);
		return NULL;
	}
	tcp_accept(lpcb, accept_fn);
	return lpcb;
}

int net_services_start(void)
{
	int first_err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(services); i++) {
		int rc;

		if (!(services_enabled & services[i].bit))
			continue;
		rc = services[i].start();
		if (rc) {
			pr_err("net: service %s did not start (%d)\n", services[i].name, rc);
			if (!first_err)
				first_err = rc;
			continue;
		}
		pr_info("net: service %s\n", services[i].what);
	}
	if (!services_enabled)
		pr_info("net: no services (services=none)\n");
	if (netctl_start())
		pr_err("net: netctl did not start\n");
	if (capture_srv_start())
		pr_err("net: capture stream did not start\n");
	if (shell_srv_start() == -ENOMEM)
		pr_err("net: remote shell did not start\n");
	return first_err;
}
