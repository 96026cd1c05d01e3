/* netstat -s: /proc/net/snmp and /proc/net/netstat as net-tools 2.10's
 * `netstat -s` prints them (the seeds' "IP/UDP protocol layer
 * statistics"), read from the views as netstat reads the files:
 *  - each "Proto:" pair of lines becomes "Proto:" and one line per field;
 *  - a field net-tools knows prints its sentence ("%llu packets received"),
 *    always or (optional ones) only when not zero; DefaultTTL, RtoAlgorithm,
 *    RtoMin, RtoMax and MaxConn are not printed;
 *  - the ICMP message types print under "ICMP input histogram:" and
 *    "ICMP output histogram:", each heading when the first of its types
 *    comes (zero or not), the non-zero types indented by 8;
 *  - a field it does not know prints as "Name: value" when not zero,
 *    indented as the section it follows (after an output histogram, 8).
 * tests/qemu/test_seeds.py runs the host's own netstat on the same files
 * and compares. */
#include "kernel/shell/shell.h"
#include "fs/view.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_LINE_FIELDS 64

enum ns_kind {
	NS_ALWAYS,              /* printed whatever the value */
	NS_NONZERO,             /* printed when not zero */
	NS_HIST_IN,             /* an ICMP input type */
	NS_HIST_OUT,            /* an ICMP output type */
	NS_HIDDEN,              /* a static setting: not printed */
};

struct ns_field {
	const char *proto, *name, *fmt;     /* fmt has one %llu */
	enum ns_kind kind;
};

static const struct ns_field ns_fields[] = {
	{ "Ip", "DefaultTTL", "", NS_HIDDEN },
	{ "Ip", "InReceives", "%llu total packets received", NS_ALWAYS },
	{ "Ip", "InHdrErrors", "%llu with invalid headers", NS_NONZERO },
	{ "Ip", "InAddrErrors", "%llu with invalid addresses", NS_NONZERO },
	{ "Ip", "ForwDatagrams", "%llu forwarded", NS_ALWAYS },
	{ "Ip", "InUnknownProtos", "%llu with unknown protocol", NS_NONZERO },
	{ "Ip", "InDiscards", "%llu incoming packets discarded", NS_ALWAYS },
	{ "Ip", "InDelivers", "%llu incoming packets delivered", NS_ALWAYS },
	{ "Ip", "OutRequests", "%llu requests sent out", NS_ALWAYS },
	{ "Ip", "OutDiscards", "%llu outgoing packets dropped", NS_NONZERO },
	{ "Ip", "OutNoRoutes", "%llu dropped because of missing route", NS_NONZERO },
	{ "Ip", "ReasmTimeout", "%llu fragments dropped after timeout", NS_NONZERO },
	{ "Ip", "ReasmReqds", "%llu reassemblies required", NS_NONZERO },
	{ "Ip", "ReasmOKs", "%llu packets reassembled ok", NS_NONZERO },
	{ "Ip", "ReasmFails", "%llu packet reassemblies failed", NS_NONZERO },
	{ "Ip", "FragOKs", "%llu outgoing packets fragmented ok", NS_NONZERO },
	{ "Ip", "FragFails", "%llu outgoing packets failed fragmentation", NS_NONZERO },
	{ "Ip", "FragCreates", "%llu fragments created", NS_NONZERO },
	{ "Icmp", "InMsgs", "%llu ICMP messages received", NS_ALWAYS },
	{ "Icmp", "InErrors", "%llu input ICMP message failed", NS_ALWAYS },
	{ "Icmp", "InDestUnreachs", "destination unreachable: %llu", NS_HIST_IN },
	{ "Icmp", "InTimeExcds", "timeout in transit: %llu", NS_HIST_IN },
	{ "Icmp", "InParmProbs", "wrong parameters: %llu", NS_HIST_IN },
	{ "Icmp", "InSrcQuenchs", "source quenches: %llu", NS_HIST_IN },
	{ "Icmp", "InRedirects", "redirects: %llu", NS_HIST_IN },
	{ "Icmp", "InEchos", "echo requests: %llu", NS_HIST_IN },
	{ "Icmp", "InEchoReps", "echo replies: %llu", NS_HIST_IN },
	{ "Icmp", "InTimestamps", "timestamp request: %llu", NS_HIST_IN },
	{ "Icmp", "InTimestampReps", "timestamp reply: %llu", NS_HIST_IN },
	{ "Icmp", "InAddrMasks", "address mask request: %llu", NS_HIST_IN },
	{ "Icmp", "InAddrMaskReps", "address mask replies: %llu", NS_HIST_IN },
	{ "Icmp", "OutMsgs", "%llu ICMP messages sent", NS_ALWAYS },
	{ "Icmp", "OutErrors", "%llu ICMP messages failed", NS_ALWAYS },
	{ "Icmp", "OutDestUnreachs", "destination unreachable: %llu", NS_HIST_OUT },
	{ "Icmp", "OutTimeExcds", "time exceeded: %llu", NS_HIST_OUT },
	{ "Icmp", "OutParmProbs", "wrong parameters: %llu", NS_HIST_OUT },
	{ "Icmp", "OutSrcQuenchs", "source quench: %llu", NS_HIST_OUT },
	{ "Icmp", "OutRedirects", "redirect: %llu", NS_HIST_OUT },
	{ "Icmp", "OutEchos", "echo requests: %llu", NS_HIST_OUT },
	{ "Icmp", "OutEchoReps", "echo replies: %llu", NS_HIST_OUT },
	{ "Icmp", "OutTimestamps", "timestamp requests: %llu", NS_HIST_OUT },
	{ "Icmp", "OutTimestampReps", "timestamp replies: %llu", NS_HIST_OUT },
	{ "Icmp", "OutAddrMasks", "address mask requests: %llu", NS_HIST_OUT },
	{ "Icmp", "OutAddrMaskReps", "address mask replies: %llu", NS_HIST_OUT },
	{ "Tcp", "RtoAlgorithm", "", NS_HIDDEN },
	{ "Tcp", "RtoMin", "", NS_HIDDEN },
	{ "Tcp", "RtoMax", "", NS_HIDDEN },
	{ "Tcp", "MaxConn", "", NS_HIDDEN },
	{ "Tcp", "ActiveOpens", "%llu active connection openings", NS_ALWAYS },
	{ "Tcp", "PassiveOpens", "%llu passive connection openings", NS_ALWAYS },
	{ "Tcp", "AttemptFails", "%llu failed connection attempts", NS_ALWAYS },
	{ "Tcp", "EstabResets", "%llu connection resets received", NS_ALWAYS },
	{ "Tcp", "CurrEstab", "%llu connections established", NS_ALWAYS },
	{ "Tcp", "InSegs", "%llu segments received", NS_ALWAYS },
	{ "Tcp", "OutSegs", "%llu segments sent out", NS_ALWAYS },
	{ "Tcp", "RetransSegs", "%llu segments retransmitted", NS_ALWAYS },
	{ "Tcp", "InErrs", "%llu bad segments received", NS_ALWAYS },
	{ "Tcp", "OutRsts", "%llu resets sent", NS_ALWAYS },
	{ "Udp", "InDatagrams", "%llu packets received", NS_ALWAYS },
	{ "Udp", "NoPorts", "%llu packets to unknown port received", NS_ALWAYS },
	{ "Udp", "InErrors", "%llu packet receive errors", NS_ALWAYS },
	{ "Udp", "OutDatagrams", "%llu packets sent", NS_ALWAYS },
	{ "Udp", "RcvbufErrors", "%llu receive buffer errors", NS_ALWAYS },
	{ "Udp", "SndbufErrors", "%llu send buffer errors", NS_ALWAYS },
	{ "TcpExt", "SyncookiesSent", "%llu SYN cookies sent", NS_NONZERO },
	{ "TcpExt", "SyncookiesRecv", "%llu SYN cookies received", NS_NONZERO },
	{ "TcpExt", "SyncookiesFailed", "%llu invalid SYN cookies received", NS_NONZERO },
	{ "TcpExt", "ListenOverflows", "%llu times the listen queue of a socket overflowed",
	  NS_NONZERO },
	{ "TcpExt", "ListenDrops", "%llu SYNs to LISTEN sockets dropped", NS_NONZERO },
};

static const struct ns_field *ns_find(const char *proto, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_fields); i++)
		if (!strcmp(ns_fields[i].proto, proto) && !strcmp(ns_fields[i].name, name))
			return &ns_fields[i];
	return NULL;
}

/* split line at spaces into at most max words, in place */
static int ns_split(char *line, char **w, int max)
{
	int n = 0;

	while (*line && n < max) {
		while (*line == ' ')
			*line++ = '\0';
		if (!*line)
			break;
		w[n++] = line;
		while (*line && *line != ' ')
			line++;
	}
	return n;
}

/* one "Proto: names" / "Proto: values" pair; *indent carries over */
static void ns_pair(char *names, char *values, int *indent, enum ns_kind *hist)
{
	char *n[NS_LINE_FIELDS], *v[NS_LINE_FIELDS];
	int nn = ns_split(names, n, NS_LINE_FIELDS), nv;
	char proto[16];

	if (nn < 1)
		return;
	snprintf(proto, sizeof(proto), "%s", n[0]);
	if (strchr(proto, ':'))
		*strchr(proto, ':') = '\0';
	nv = ns_split(values, v, NS_LINE_FIELDS);
	shell_printf("%s:\n", proto);
	for (int i = 1; i < nn && i < nv; i++) {
		unsigned long long val = strtoull(v[i], NULL, 10);
		const struct ns_field *f = ns_find(proto, n[i]);

		if (!f) {
			if (val)
				shell_printf("%*s%s: %llu\n", *indent, "", n[i], val);
			continue;
		}
		switch (f->kind) {
		case NS_HIDDEN:
			break;
		case NS_ALWAYS:
		case NS_NONZERO:
			*indent = 4;
			*hist = NS_ALWAYS;
			if (val || f->kind == NS_ALWAYS) {
				shell_printf("    ");
				shell_printf(f->fmt, val);
				shell_printf("\n");
			}
			break;
		case NS_HIST_IN:
		case NS_HIST_OUT:
			if (*hist != f->kind)
				shell_printf("    ICMP %s histogram:\n",
					     f->kind == NS_HIST_IN ? "input" : "output");
			*hist = f->kind;
			*indent = 8;
			if (val) {
				shell_printf("        ");
				shell_printf(f->fmt, val);
				shell_printf("\n");
			}
			break;
		}
	}
}

static int ns_file(const char *path, int *indent, enum ns_kind *hist)
{
	char *text, *line, *next, *prev = NULL;
	size_t len;
	int rc = view_read(path, &text, &len);

	if (rc)
		return rc;
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!prev) {
			prev = line;
			continue;
		}
		ns_pair(prev, line, indent, hist);
		prev = NULL;
	}
	kfree(text);
	return 0;
}

static int cmd_netstat(int argc, char **argv)
{
	int indent = 4, rc;
	enum ns_kind hist = NS_ALWAYS;

	if (argc != 2 || strcmp(argv[1], "-s"))
		return shell_error("netstat", "only netstat -s (the statistics) is here; "
				   "ss shows the sockets");
	rc = ns_file("/proc/net/snmp", &indent, &hist);
	if (!rc)
		rc = ns_file("/proc/net/netstat", &indent, &hist);
	return rc ? shell_error("netstat", "%s", errno_desc(rc)) : 0;
}
SHELL_CMD("netstat", cmd_netstat, "netstat -s: /proc/net/snmp and netstat as net-tools prints them");
