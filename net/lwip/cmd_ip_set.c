/* The changing half of the ip command (iproute2 6.1's words, errors and
 * exit statuses): ip link add/delete (VLAN sub-interfaces, net/lwip/vlan.h),
 * ip link set DEV up|down|mtu N, ip addr add/del ADDR/PREFIX dev DEV
 * (IPv4: lwIP holds one address per netif).  cmd_ip.c shows. */
#include "net/lwip/cmd_ip_set.h"
#include "drivers/net/netdevice.h"
#include "kernel/errno.h"
#include "kernel/shell/shell.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/ipconfig.h"
#include "net/lwip/netif_glue.h"
#include "net/lwip/vlan.h"
#include "lwip/netif.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* iproute2's statuses: 1 for its own checks, 2 for what the kernel
 * refused (RTNETLINK answers / Error: from the extended ack), 255 for an
 * argument its parser rejected (invarg's exit(-1)) */
#define IP_EXIT_USAGE   1
#define IP_EXIT_KERNEL  2
#define IP_EXIT_INVARG  255

static int cannot_find(const char *name)
{
	shell_printf("Cannot find device \"%s\"\n", name);
	return IP_EXIT_USAGE;
}

static int rtnl_error(int err)
{
	const char *s = err == -EEXIST ? "File exists" : err == -ENOSPC ? "No space left on device" :
			err == -ENOMEM ? "Cannot allocate memory" : err == -EINVAL ? "Invalid argument" :
			err == -ENODEV ? "No such device" : "Operation not supported";

	shell_printf("RTNETLINK answers: %s\n", s);
	return IP_EXIT_KERNEL;
}

static int invarg(const char *what, const char *arg)
{
	shell_printf("Error: argument \"%s\" is wrong: %s\n", arg, what);
	return IP_EXIT_INVARG;
}

/* ip link add [link DEV] [name] NAME type vlan id ID */
static int link_add(int argc, char **argv)
{
	const char *link = NULL, *name = NULL, *type = NULL, *id = NULL;
	struct net_device *real;
	unsigned long vid;
	char *end;
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (i + 1 < argc && !strcmp(w, "link"))
			link = argv[++i];
		else if (i + 1 < argc && (!strcmp(w, "name") || !strcmp(w, "dev")))
			name = argv[++i];
		else if (i + 1 < argc && !strcmp(w, "type"))
			type = argv[++i];
		else if (i + 1 < argc && type && !strcmp(w, "id"))
			id = argv[++i];
		else if (!name && !type)
			name = w;
		else
			return shell_printf("Garbage instead of arguments \"%s ...\". Try \"ip link help\".\n",
					    w), IP_EXIT_USAGE;
	}
	if (!type)
		return shell_printf("Not enough information: \"type\" argument is required\n"),
		       IP_EXIT_USAGE;
	if (strcmp(type, "vlan"))
		return shell_printf("Error: Unknown device type.\n"), IP_EXIT_KERNEL;
	if (!link)
		return shell_printf("Error: 8021q: link not specified.\n"), IP_EXIT_KERNEL;
	if (!id)
		return shell_printf("Error: 8021q: VLAN id not specified.\n"), IP_EXIT_KERNEL;
	vid = strtoul(id, &end, 0);
	if (!*id || *end || *id == '-' || vid > 0xffff)
		return invarg("id is invalid", id);
	if (!name || !*name || strlen(name) >= IFNAMSIZ)
		return shell_printf("Error: argument \"%s\" is wrong: \"name\" not a valid ifname\n",
				    name ? name : ""), IP_EXIT_INVARG;
	real = netdev_get_by_name(link);
	if (!real)
		return cannot_find(link);
	/* Linux takes 0..4094 (0: priority tags only); barenet 1..4094 */
	if (!vid || vid > VLAN_VID_MAX)
		return shell_printf("Error: 8021q: Invalid VLAN id.\n"), IP_EXIT_KERNEL;
	rc = vlan_dev_add(real, name, (u16)vid);
	return rc ? rtnl_error(rc) : 0;
}

/* ip link delete [dev] NAME */
static int link_del(int argc, char **argv)
{
	const char *name = NULL;
	struct net_device *dev;

	for (int i = 0; i < argc; i++)
		name = (!strcmp(argv[i], "dev") && i + 1 < argc) ? argv[++i] : argv[i];
	if (!name)
		return shell_printf("Not enough information: \"dev\" argument is required.\n"),
		       IP_EXIT_USAGE;
	dev = netdev_get_by_name(name);
	if (!dev)
		return cannot_find(name);
	if (!vlan_dev_real(dev))
		return rtnl_error(-EOPNOTSUPP);
	return vlan_dev_del(dev) ? rtnl_error(-EOPNOTSUPP) : 0;
}

/* ip link set [dev] NAME up|down|mtu N ... */
static int link_set(int argc, char **argv)
{
	struct net_device *dev = NULL;
	int i = 0, rc;

	if (i < argc && !strcmp(argv[i], "dev"))
		i++;
	if (i >= argc)
		return shell_printf("Not enough information: \"dev\" argument is required.\n"),
		       IP_EXIT_USAGE;
	dev = netdev_get_by_name(argv[i]);
	if (!dev)
		return cannot_find(argv[i]);
	for (i++; i < argc; i++) {
		if (!strcmp(argv[i], "up") || !strcmp(argv[i], "down")) {
			rc = net_glue_set_up(dev, argv[i][0] == 'u');
			if (rc)
				return rtnl_error(rc);
		} else if (!strcmp(argv[i], "mtu") && i + 1 < argc) {
			char *end;
			unsigned long mtu = strtoul(argv[++i], &end, 0);

			if (*end || !*argv[i])
				return invarg("Invalid \"mtu\" value", argv[i]);
			/* the kernel's extack messages (dev_validate_mtu) */
			rc = net_glue_set_mtu(dev, mtu > UINT32_MAX ? UINT32_MAX : (u32)mtu);
			if (rc == -EINVAL)
				return shell_printf("Error: mtu %s than device %s.\n",
						    mtu < ETH_MIN_MTU ? "less" : "greater",
						    mtu < ETH_MIN_MTU ? "minimum" : "maximum"),
				       IP_EXIT_KERNEL;
			if (rc)
				return rtnl_error(rc);
		} else {
			return shell_printf("Error: either \"dev\" is duplicate, or \"%s\" is a garbage.\n",
					    argv[i]), IP_EXIT_USAGE;
		}
	}
	return 0;
}

int ip_link_change(int argc, char **argv)
{
	const char *verb = argv[0];

	if (!strcmp(verb, "add"))
		return link_add(argc - 1, argv + 1);
	if (!strcmp(verb, "delete") || !strcmp(verb, "del"))
		return link_del(argc - 1, argv + 1);
	if (!strcmp(verb, "set"))
		return link_set(argc - 1, argv + 1);
	return -ENOENT;
}

/* a.b.c.d[/len] into a host-order address and prefix (32 without one);
 * -EINVAL */
static int parse_prefix(const char *s, u32 *addr, u8 *prefix)
{
	char spec[24];
	struct ip_config c;
	const char *why;

	if (strlen(s) + 4 > sizeof(spec))
		return -EINVAL;
	snprintf(spec, sizeof(spec), "%s%s", s, strchr(s, '/') ? "" : "/32");
	if (ip_config_parse(spec, &c, &why) || c.mode != IP_CONFIG_STATIC || c.gateway)
		return -EINVAL;
	*addr = c.addr;
	*prefix = c.prefix;
	return 0;
}

/* ip addr add|del A.B.C.D/LEN dev NAME */
int ip_addr_change(int argc, char **argv)
{
	bool add = !strcmp(argv[0], "add");
	const char *prefix = NULL, *name = NULL;
	struct net_device *dev;
	struct netif *nif;
	ip4_addr_t a, m, gw;
	u32 addr;
	u8 len;

	if (!add && strcmp(argv[0], "delete") && strcmp(argv[0], "del"))
		return -ENOENT;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "dev") && i + 1 < argc)
			name = argv[++i];
		else if (!prefix)
			prefix = argv[i];
	}
	if (!name)
		return shell_printf("Not enough information: \"dev\" argument is required.\n"),
		       IP_EXIT_USAGE;
	if (!prefix || parse_prefix(prefix, &addr, &len))
		return shell_printf("Error: any valid prefix is expected rather than \"%s\".\n",
				    prefix ? prefix : ""), IP_EXIT_USAGE;
	dev = netdev_get_by_name(name);
	if (!dev)
		return cannot_find(name);
	net_core_lock();
	nif = net_netif_of(dev);
	if (!nif) {
		net_core_unlock();
		return cannot_find(name);
	}
	if (!add && ip4_addr_get_u32(netif_ip4_addr(nif)) != lwip_htonl(addr)) {
		net_core_unlock();
		shell_printf("Error: ipv4: Address not found.\n");
		return IP_EXIT_KERNEL;
	}
	if (add && !ip4_addr_isany_val(*netif_ip4_addr(nif)) &&
	    ip4_addr_get_u32(netif_ip4_addr(nif)) != lwip_htonl(addr)) {
		/* lwIP keeps one IPv4 address per netif */
		net_core_unlock();
		return rtnl_error(-ENOSPC);
	}
	ip4_addr_set_u32(&a, add ? lwip_htonl(addr) : 0);
	ip4_addr_set_u32(&m, add && len ? lwip_htonl(0xffffffffu << (32 - len)) : 0);
	ip4_addr_set_zero(&gw);
	if (add)
		netif_set_addr(nif, &a, &m, netif_ip4_gw(nif));
	else
		netif_set_addr(nif, &a, &m, &gw);
	net_core_unlock();
	return 0;
}
