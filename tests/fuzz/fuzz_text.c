/* libFuzzer target "text": the parsers of untrusted text, each with the
 * invariants its header promises.  The first byte picks the parser
 * (modulo FUZZ_TEXT_PARSERS); the rest is the text, NUL-terminated in a
 * buffer of exactly that size so that ASan sees a read past it:
 *
 *   0  cmdline_split (kernel/cmdline_parse.c): the boot command line;
 *      every key non-empty and shorter than CMDLINE_KEY_MAX, every value
 *      shorter than CMDLINE_VALUE_MAX
 *   1  ip_config_parse (net/lwip/ipconfig_parse.c): ip=; a static result
 *      has a prefix of 1..32 and formats back to text that parses the same
 *   2  capture_filter_parse (net/core/capture.c): the capture filter;
 *      formats back to text that parses the same
 *   3  ethtool_main (net/ethtool/ethtool_cmd.c): the words of an ethtool
 *      command line, run against eth0 (a device with no ethtool ops)
 *   4  line_feed (kernel/shell/line.c): the serial console's bytes into
 *      the shell's line editor; len, cursor and NUL stay consistent */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "drivers/net/netdevice.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/shell/line.h"
#include "lib/seq_buf.h"
#include "net/core/capture.h"
#include "net/ethtool/ethtool_cmd.h"
#include "net/lwip/ipconfig.h"

#define FUZZ_TEXT_PARSERS  5
#define FUZZ_ARGV_MAX      32
#define FUZZ_OUT_MAX       4096
#define FUZZ_FMT_MAX       64

static struct net_device *fdev;

/* --- 0: cmdline_split ------------------------------------------------------ */

static int cmdline_cb(const char *key, const char *value, void *ctx)
{
	(void)ctx;
	FUZZ_CHECK(key[0] && strlen(key) < CMDLINE_KEY_MAX, "key \"%s\"", key);
	FUZZ_CHECK(strlen(value) < CMDLINE_VALUE_MAX, "value of %zu bytes", strlen(value));
	return 0;
}

static void cmdline_err(size_t pos, const char *msg, void *ctx)
{
	FUZZ_CHECK(pos <= *(const size_t *)ctx && msg && msg[0], "error at %zu", pos);
}

static void fuzz_cmdline(const char *s)
{
	size_t len = strlen(s);
	int rc = cmdline_split(s, cmdline_cb, cmdline_err, &len);

	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "rc %d", rc);
}

/* --- 1: ip_config_parse ---------------------------------------------------- */

static void fuzz_ipconfig(const char *s)
{
	struct ip_config c, again;
	char text[FUZZ_FMT_MAX], a[16], g[16];
	const char *why = NULL;

	if (ip_config_parse(s, &c, &why)) {
		FUZZ_CHECK(why && why[0], "an error without a reason");
		return;
	}
	if (c.mode != IP_CONFIG_STATIC)
		return;
	FUZZ_CHECK(c.prefix >= 1 && c.prefix <= 32, "prefix %u", c.prefix);
	ip_config_fmt(a, c.addr);
	ip_config_fmt(g, c.gateway);
	if (c.gateway)
		snprintf(text, sizeof(text), "%s/%u,%s", a, c.prefix, g);
	else
		snprintf(text, sizeof(text), "%s/%u", a, c.prefix);
	FUZZ_CHECK(ip_config_parse(text, &again, &why) == 0, "\"%s\" from \"%s\": %s", text, s, why);
	FUZZ_CHECK(again.mode == c.mode && again.addr == c.addr && again.prefix == c.prefix &&
		   again.gateway == c.gateway, "\"%s\" parses differently from \"%s\"", text, s);
}

/* --- 2: capture_filter_parse ----------------------------------------------- */

static void fuzz_capture_filter(const char *s)
{
	struct capture_filter f, again;
	char text[FUZZ_FMT_MAX];
	int n;

	if (capture_filter_parse(s, &f))
		return;
	n = capture_filter_format(&f, text, sizeof(text));
	FUZZ_CHECK(n >= 0 && (size_t)n < sizeof(text), "format length %d", n);
	FUZZ_CHECK(capture_filter_parse(text, &again) == 0, "\"%s\" from \"%s\"", text, s);
	FUZZ_CHECK(again.ethertype == f.ethertype && again.ip_proto == f.ip_proto &&
		   again.port == f.port, "\"%s\" parses differently from \"%s\"", text, s);
}

/* --- 3: ethtool ------------------------------------------------------------ */

static int fuzz_ethtool_open(struct net_device *dev)
{
	(void)dev;
	return 0;
}

static const struct net_device_ops fuzz_ethtool_ops = {
	.ndo_open = fuzz_ethtool_open,
};

static void fuzz_ethtool(char *s)
{
	char *argv[FUZZ_ARGV_MAX + 1] = { "ethtool" };
	char *out = malloc(FUZZ_OUT_MAX);
	struct seq_buf sb;
	int argc = 1;

	FUZZ_CHECK(out, "malloc");
	for (char *w = strtok(s, " "); w && argc < FUZZ_ARGV_MAX; w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	seq_buf_init(&sb, out, FUZZ_OUT_MAX);
	ethtool_main(argc, argv, &sb);
	FUZZ_CHECK(sb.len < FUZZ_OUT_MAX ? out[sb.len] == '\0' : out[FUZZ_OUT_MAX - 1] == '\0',
		   "output not terminated");
	free(out);
}

/* the stack's hook (net/lwip/netif.c, not linked here) */
void net_glue_features_changed(struct net_device *dev)
{
	(void)dev;
}

/* --- 4: the shell's line editor --------------------------------------------- */

static void fuzz_line_write(const char *s, size_t n)
{
	(void)s;
	(void)n;
}

static void fuzz_line_complete(struct line_ed *le)
{
	line_insert(le, "cat ", 4);
}

static void fuzz_line(const char *s, size_t n)
{
	static struct line_ed le;

	line_init(&le, "barenet> ", fuzz_line_write, fuzz_line_complete);
	line_start(&le);
	for (size_t i = 0; i < n; i++) {
		enum line_result r = line_feed(&le, (unsigned char)s[i]);

		FUZZ_CHECK(le.len < SHELL_LINE_MAX && le.pos <= le.len && le.buf[le.len] == '\0' &&
			   strlen(le.buf) == le.len, "len %u pos %u strlen %zu", le.len, le.pos,
			   strnlen(le.buf, SHELL_LINE_MAX));
		if (r != LINE_EDITING)
			line_start(&le);
	}
}

/* --- libFuzzer --------------------------------------------------------------- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fdev = alloc_netdev(0);
	FUZZ_CHECK(fdev, "alloc_netdev");
	fdev->netdev_ops = &fuzz_ethtool_ops;
	fdev->mtu = 1500;
	fdev->hw_features = NETIF_F_RXCSUM | NETIF_F_IP_CSUM;
	FUZZ_CHECK(register_netdev(fdev) == 0, "register_netdev");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (!size)
		return 0;
	s = malloc(size);
	FUZZ_CHECK(s, "malloc");
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % FUZZ_TEXT_PARSERS) {
	case 0:
		fuzz_cmdline(s);
		break;
	case 1:
		fuzz_ipconfig(s);
		break;
	case 2:
		fuzz_capture_filter(s);
		break;
	case 3:
		fdev->features = fdev->hw_features;
		fuzz_ethtool(s);
		break;
	default:
		fuzz_line((const char *)data + 1, size - 1);
		break;
	}
	free(s);
	return 0;
}
