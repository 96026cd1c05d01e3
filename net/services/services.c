/* services=: which services run; their start at boot; the shared
 * listen helper. */
#include "net/services/services.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "lwip/tcp.h"
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
	return first_err;
}
