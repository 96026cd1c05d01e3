/* The shell's `capture`: status, on/off, the filter, and a dump of the
 * ring as base64 pcap (for a console without a network path to the
 * capture port). */
#include "net/core/capture.h"
#include "kernel/errno.h"
#include "kernel/shell/shell.h"
#include <string.h>

#define FILTER_TEXT_MAX 64
#define B64_LINE        57      /* input bytes per output line: 76 characters */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* RFC 4648 4: three bytes to four characters, '=' pads the last group */
static void b64_line(const u8 *in, unsigned int n)
{
	char out[B64_LINE / 3 * 4 + 2];
	unsigned int o = 0;

	for (unsigned int i = 0; i < n; i += 3) {
		u32 v = (u32)in[i] << 16 | (i + 1 < n ? (u32)in[i + 1] << 8 : 0) |
			(i + 2 < n ? in[i + 2] : 0);

		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o++] = '\n';
	shell_write(out, o);
}

/* the pcap file header, then what waits in the ring, drained */
static int capture_dump(void)
{
	u8 buf[B64_LINE];
	u32 total = PCAP_FILE_HDR_LEN, n;

	shell_puts("-----BEGIN PCAP-----\n");
	capture_pcap_header(buf);
	n = PCAP_FILE_HDR_LEN;
	for (;;) {
		n += capture_ring_read(buf + n, B64_LINE - n);
		if (!n)
			break;
		b64_line(buf, n);
		total += n;
		if (n < B64_LINE)
			break;
		n = 0;
	}
	shell_puts("-----END PCAP-----\n");
	shell_printf("capture: dumped %u bytes\n", total - PCAP_FILE_HDR_LEN);
	return 0;
}

static void capture_status(void)
{
	struct capture_stats st;
	struct capture_filter f;
	char ftext[FILTER_TEXT_MAX];

	capture_get_stats(&st);
	capture_get_filter(&f);
	capture_filter_format(&f, ftext, sizeof(ftext));
	shell_printf("capture: %s, filter: %s, port: ", capture_active ? "on" : "off", ftext);
	if (capture_port)
		shell_printf("%u\n", capture_port);
	else
		shell_printf("none\n");
	shell_printf("seen %llu captured %llu filtered %llu dropped %llu bytes %llu\n",
		     (unsigned long long)st.seen, (unsigned long long)st.captured,
		     (unsigned long long)st.filtered, (unsigned long long)st.dropped,
		     (unsigned long long)st.bytes);
	shell_printf("rx %llu tx %llu loop %llu; ring %u/%u bytes; %llu cycles/frame\n",
		     (unsigned long long)st.point[CAPTURE_RX], (unsigned long long)st.point[CAPTURE_TX],
		     (unsigned long long)st.point[CAPTURE_LOOP], st.ring_used, st.ring_size,
		     (unsigned long long)(st.seen ? st.cycles / st.seen : 0));
}

static int cmd_capture(int argc, char **argv)
{
	if (argc == 1) {
		capture_status();
		return 0;
	}
	if (!strcmp(argv[1], "on") && argc == 2) {
		int rc = capture_set(true);

		return rc ? shell_error("capture", "on: %s", errno_desc(rc)) : 0;
	}
	if (!strcmp(argv[1], "off") && argc == 2)
		return capture_set(false);
	if (!strcmp(argv[1], "filter")) {
		char text[FILTER_TEXT_MAX] = "";
		struct capture_filter f;
		size_t len = 0;

		for (int i = 2; i < argc; i++) {
			size_t w = strlen(argv[i]);

			if (len + w + 2 > sizeof(text))
				return shell_error("capture", "filter: too long");
			if (len)
				text[len++] = ' ';
			memcpy(text + len, argv[i], w + 1);
			len += w;
		}
		if (capture_filter_parse(text, &f))
			return shell_error("capture", "filter: \"%s\": expected [ether TYPE] "
					   "[proto udp|tcp|icmp|icmp6|N] [port N], or none", text);
		capture_set_filter(&f);
		capture_filter_format(&f, text, sizeof(text));
		shell_printf("capture: filter %s\n", text);
		return 0;
	}
	if (!strcmp(argv[1], "dump") && argc == 2)
		return capture_dump();
	if (!strcmp(argv[1], "reset") && argc == 2) {
		capture_ring_discard();
		capture_reset_stats();
		return 0;
	}
	return shell_error("capture", "usage: capture [on|off|filter EXPR|dump|reset]");
}
SHELL_CMD("capture", cmd_capture,
	  "packet capture: capture [on|off|filter [ether T] [proto P] [port N]|dump|reset]");
