/* Parsing and checking of the ip= option (see net/lwip/ipconfig.h).  Pure
 * C without lwIP, so the host unit tests run it as it is. */
#include "net/lwip/ipconfig.h"
#include "kernel/errno.h"
#include <stdio.h>
#include <string.h>

#define IPV4_OCTET_MAX     255
#define IPV4_PREFIX_MAX    32
/* RFC 1122 3.2.1.3 / RFC 5735: addresses a host may not take */
#define IPV4_NET_ZERO      0x00000000u   /* 0.0.0.0/8, "this network" */
#define IPV4_NET_LOOPBACK  0x7f000000u   /* 127.0.0.0/8 */
#define IPV4_MASK_8        0xff000000u
#define IPV4_NET_MULTICAST 0xe0000000u   /* 224.0.0.0/4, and 240/4 above it */
#define IPV4_MASK_4        0xf0000000u

static u32 prefix_mask(unsigned int prefix)
{
	return prefix ? ~0u << (IPV4_PREFIX_MAX - prefix) : 0;
}

/* a dotted quad ending at *end (a delimiter in stop, or the string's end) */
static int parse_quad(const char *s, const char *stop, u32 *out, const char **end)
{
	u32 a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned int v = 0, digits = 0;

		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned int)(*s++ - '0');
			if (++digits > 3 || v > IPV4_OCTET_MAX)
				return -EINVAL;
		}
		if (!digits)
			return -EINVAL;
		a = a << 8 | v;
		if (i < 3 && *s++ != '.')
			return -EINVAL;
	}
	if (*s && !strchr(stop, *s))
		return -EINVAL;
	*out = a;
	*end = s;
	return 0;
}

/* an address a host may use on its own interface or as its gateway */
static const char *check_unicast(u32 a)
{
	if ((a & IPV4_MASK_8) == IPV4_NET_ZERO)
		return "is in 0.0.0.0/8";
	if ((a & IPV4_MASK_8) == IPV4_NET_LOOPBACK)
		return "is a loopback address";
	if ((a & IPV4_MASK_4) >= IPV4_NET_MULTICAST)
		return "is a multicast or reserved (class D/E) address";
	return NULL;
}

int ip_config_parse(const char *s, struct ip_config *out, const char **why)
{
	static char msg[96];
	struct ip_config c = { .mode = IP_CONFIG_STATIC };
	const char *p = s, *bad;
	unsigned int prefix = 0, digits = 0;
	u32 mask;

	*why = NULL;
	if (!strcmp(s, "dhcp") || !strcmp(s, "off")) {
		*out = (struct ip_config){ .mode = s[0] == 'd' ? IP_CONFIG_DHCP : IP_CONFIG_OFF };
		return 0;
	}
	if (parse_quad(p, "/", &c.addr, &p)) {
		*why = "expected dhcp, off or <a.b.c.d>/<prefix>[,<gateway>], a.b.c.d four numbers 0..255";
		return -EINVAL;
	}
	if (*p++ != '/') {
		*why = "the address needs a prefix length: <a.b.c.d>/<1..32>";
		return -EINVAL;
	}
	while (*p >= '0' && *p <= '9' && digits < 3) {
		prefix = prefix * 10 + (unsigned int)(*p++ - '0');
		digits++;
	}
	if (!digits || (*p && *p != ',') || prefix < 1 || prefix > IPV4_PREFIX_MAX) {
		*why = "the prefix length must be a number from 1 to 32";
		return -EINVAL;
	}
	c.prefix = (u8)prefix;
	if (*p == ',') {
		p++;
		if (parse_quad(p, "", &c.gateway, &p)) {
			*why = "the gateway must be an address a.b.c.d";
			return -EINVAL;
		}
	}
	if ((bad = check_unicast(c.addr))) {
		snprintf(msg, sizeof(msg), "the address %s", bad);
		*why = msg;
		return -EINVAL;
	}
	mask = prefix_mask(c.prefix);
	/* /31 (RFC 3021) and /32 have no network or broadcast address */
	if (c.prefix <= 30 && ((c.addr & ~mask) == 0 || (c.addr & ~mask) == ~mask)) {
		*why = "the address is the network or broadcast address of its prefix";
		return -EINVAL;
	}
	if (c.gateway) {
		if ((bad = check_unicast(c.gateway))) {
			snprintf(msg, sizeof(msg), "the gateway %s", bad);
			*why = msg;
			return -EINVAL;
		}
		if (c.gateway == c.addr) {
			*why = "the gateway is our own address";
			return -EINVAL;
		}
		if ((c.gateway & mask) != (c.addr & mask)) {
			*why = "the gateway is not inside the address's prefix";
			return -EINVAL;
		}
	}
	*out = c;
	return 0;
}

const char *ip_config_fmt(char *buf, u32 a)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	return buf;
}
