/* Packet capture: the filter, the pcap record ring and its counters; the
 * contract is in net/core/capture.h. */
#include "net/core/capture.h"
#include "drivers/net/netdevice.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* header fields the filter reads */
#define ETH_TYPE_OFF        12          /* IEEE 802.3 3.1.1: after the two MACs */
#define ETH_HDR_LEN         14
#define ETH_P_IP            0x0800      /* RFC 894 */
#define ETH_P_IPV6          0x86DD      /* RFC 2464 */
#define IPV4_VER_IHL        0           /* RFC 791 3.1 */
#define IPV4_IHL_MASK       0x0f
#define IPV4_FRAG_OFF       6
#define IPV4_OFFSET_MASK    0x1fff
#define IPV4_PROTO          9
#define IPV6_NEXT_HEADER    6           /* RFC 8200 3 */
#define IPV6_HDR_LEN        40
#define IPPROTO_ICMP        1
#define IPPROTO_TCP         6
#define IPPROTO_UDP         17
#define IPPROTO_ICMPV6      58
#define L4_PORTS_LEN        4           /* source and destination port, UDP and TCP alike */

bool capture_active;
u16 capture_port;
void (*capture_notify)(void);

/* guards the capture ring and its readers' positions; softirq (RX/TX
 * taps) and thread (readers), irqsave */
static struct spinlock capture_lock = SPINLOCK_INIT("capture");
static u8 *ring;                        /* ring_size bytes of pcap records */
static u32 ring_size = CAPTURE_RING_DEFAULT_KIB * 1024;
static u64 ring_head, ring_tail;        /* bytes ever written / read */
static struct capture_filter filter = { 0, -1, -1 };
static struct capture_stats stats;

static int set_capture_port(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < 1 || n > 65535)
		return -EINVAL;
	capture_port = (u16)n;
	return 0;
}
CMDLINE_OPT("capture", set_capture_port,
	    "stream captured frames as pcap on this TCP port (1..65535); off by default");

static int set_capture_ring(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < CAPTURE_RING_MIN_KIB || n > CAPTURE_RING_MAX_KIB || ring)
		return -EINVAL;
	ring_size = (u32)n * 1024;
	return 0;
}
CMDLINE_OPT("capture.ring", set_capture_ring, "capture ring size in KiB, 4..16384 (default 256)");

static u16 get_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static void put_le32(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
	p[2] = (u8)(v >> 16);
	p[3] = (u8)(v >> 24);
}

static void put_le16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

bool capture_filter_match(const struct capture_filter *f, const u8 *frame, u32 len)
{
	u16 type;
	u32 l4 = 0;
	int proto = -1;

	if (f->ethertype == 0 && f->ip_proto < 0 && f->port < 0)
		return true;
	if (len < ETH_HDR_LEN)
		return false;
	type = get_be16(frame + ETH_TYPE_OFF);
	if (f->ethertype && type != f->ethertype)
		return false;
	if (f->ip_proto < 0 && f->port < 0)
		return true;
	if (type == ETH_P_IP && len >= ETH_HDR_LEN + IPV4_PROTO + 1) {
		const u8 *ip = frame + ETH_HDR_LEN;

		proto = ip[IPV4_PROTO];
		/* a later fragment has no ports */
		if (!(get_be16(ip + IPV4_FRAG_OFF) & IPV4_OFFSET_MASK))
			l4 = ETH_HDR_LEN + (u32)(ip[IPV4_VER_IHL] & IPV4_IHL_MASK) * 4;
	} else if (type == ETH_P_IPV6 && len >= ETH_HDR_LEN + IPV6_HDR_LEN) {
		proto = frame[ETH_HDR_LEN + IPV6_NEXT_HEADER];
		l4 = ETH_HDR_LEN + IPV6_HDR_LEN;
	} else {
		return false;
	}
	if (f->ip_proto >= 0 && proto != f->ip_proto)
		return false;
	if (f->port >= 0) {
		if ((proto != IPPROTO_UDP && proto != IPPROTO_TCP) || !l4 ||
		    len < l4 + L4_PORTS_LEN)
			return false;
		if (get_be16(frame + l4) != f->port && get_be16(frame + l4 + 2) != f->port)
			return false;
	}
	return true;
}

static const struct {
	const char *name;
	int proto;
} proto_names[] = {
	{ "icmp", IPPROTO_ICMP }, { "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
	{ "icmp6", IPPROTO_ICMPV6 },
};

/* the next space-separated word of *s into w; false at the end */
static bool next_word(const char **s, char *w, size_t size)
{
	size_t n = 0;

	while (**s == ' ')
		(*s)++;
	if (!**s)
		return false;
	while (**s && **s != ' ') {
		if (n + 1 < size)
			w[n++] = **s;
		(*s)++;
	}
	w[n] = '\0';
	return true;
}

/* a segment of the capture stream itself: capturing it would feed the
 * stream with its own traffic */
static bool is_own_stream(const u8 *frame, u32 len)
{
	struct capture_filter own = { 0, IPPROTO_TCP, 0 };

	if (!capture_port)
		return false;
	own.port = capture_port;
	return capture_filter_match(&own, frame, len);
}

int capture_filter_parse(const char *s, struct capture_filter *out)
{
	struct capture_filter f = { 0, -1, -1 };
	char key[16], val[16];

	while (next_word(&s, key, sizeof(key))) {
		char *end;
		long n;

		if (!strcmp(key, "none") && f.ethertype == 0 && f.ip_proto < 0 && f.port < 0)
			continue;
		if (!next_word(&s, val, sizeof(val)))
			return -EINVAL;
		n = strtol(val, &end, 0);
		if (!strcmp(key, "ether")) {
			if (!*val || *end || n <= 0 || n > 0xffff || f.ethertype)
				return -EINVAL;
			f.ethertype = (u16)n;
		} else if (!strcmp(key, "proto")) {
			if (f.ip_proto >= 0)
				return -EINVAL;
			for (size_t i = 0; i < ARRAY_SIZE(proto_names); i++)
				if (!strcmp(val, proto_names[i].name))
					f.ip_proto = (s16)proto_names[i].proto;
			if (f.ip_proto < 0) {
				if (!*val || *end || n < 0 || n > 255)
					return -EINVAL;
				f.ip_proto = (s16)n;
			}
		} else if (!strcmp(key, "port")) {
			if (!*val || *end || n < 0 || n > 65535 || f.port >= 0)
				return -EINVAL;
			f.port = (s32)n;
		} else {
			return -EINVAL;
		}
	}
	*out = f;
	return 0;
}

int capture_filter_format(const struct capture_filter *f, char *buf, size_t size)
{
	int n = 0;

	if (!f->ethertype && f->ip_proto < 0 && f->port < 0)
		return snprintf(buf, size, "none");
	if (size)
		buf[0] = '\0';
	if (f->ethertype)
		n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "ether 0x%04x",
			      f->ethertype);
	if (f->ip_proto >= 0) {
		const char *name = NULL;

		for (size_t i = 0; i < ARRAY_SIZE(proto_names); i++)
			if (proto_names[i].proto == f->ip_proto)
				name = proto_names[i].name;
		if (name)
			n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "%sproto %s",
				      n ? " " : "", name);
		else
			n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "%sproto %d",
				      n ? " " : "", f->ip_proto);
	}
	if (f->port >= 0)
		n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "%sport %d",
			      n ? " " : "", (int)f->port);
	return n;
}

int capture_set_filter(const struct capture_filter *f)
{
	unsigned long flags = spin_lock_irqsave(&capture_lock);

	filter = *f;
	spin_unlock_irqrestore(&capture_lock, flags);
	return 0;
}

void capture_get_filter(struct capture_filter *f)
{
	unsigned long flags = spin_lock_irqsave(&capture_lock);

	*f = filter;
	spin_unlock_irqrestore(&capture_lock, flags);
}

int capture_set(bool on)
{
	if (on && !READ_ONCE(ring)) {
		u8 *r = kmalloc(ring_size);
		unsigned long flags;

		if (!r)
			return -ENOMEM;
		flags = spin_lock_irqsave(&capture_lock);
		if (ring)
			kfree(r);
		else
			ring = r;
		spin_unlock_irqrestore(&capture_lock, flags);
	}
	WRITE_ONCE(capture_active, on);
	return 0;
}

/* copy n bytes into the ring at byte position pos; lock held */
static void ring_put(u64 pos, const void *src, u32 n)
{
	u32 off = (u32)(pos % ring_size), first = ring_size - off;

	if (first > n)
		first = n;
	memcpy(ring + off, src, first);
	memcpy(ring, (const u8 *)src + first, n - first);
}

void __capture_frame(enum capture_point pt, const void *frame, u32 caplen, u32 len)
{
	u64 t0 = rdtsc(), ns = ktime_get_ns();
	u8 hdr[PCAP_REC_HDR_LEN];
	unsigned long flags = spin_lock_irqsave(&capture_lock);
	bool written = false;

	if (caplen > CAPTURE_SNAPLEN)
		caplen = CAPTURE_SNAPLEN;
	stats.seen++;
	if (!ring) {
		stats.dropped++;
	} else if (!capture_filter_match(&filter, frame, caplen) || is_own_stream(frame, caplen)) {
		stats.filtered++;
	} else if (ring_size - (u32)(ring_head - ring_tail) < PCAP_REC_HDR_LEN + caplen) {
		stats.dropped++;
	} else {
		/* record header: seconds, nanoseconds, captured and original
		 * length, in the writer's (little-endian) byte order as the
		 * file header's magic tells readers */
		put_le32(hdr, (u32)(ns / NSEC_PER_SEC));
		put_le32(hdr + 4, (u32)(ns % NSEC_PER_SEC));
		put_le32(hdr + 8, caplen);
		put_le32(hdr + 12, len);
		ring_put(ring_head, hdr, PCAP_REC_HDR_LEN);
		ring_put(ring_head + PCAP_REC_HDR_LEN, frame, caplen);
		ring_head += PCAP_REC_HDR_LEN + caplen;
		stats.captured++;
		stats.point[pt < CAPTURE_POINTS ? pt : CAPTURE_RX]++;
		stats.bytes += PCAP_REC_HDR_LEN + caplen;
		written = true;
	}
	stats.cycles += rdtsc() - t0;
	spin_unlock_irqrestore(&capture_lock, flags);
	if (written && capture_notify)
		capture_notify();
}

static DEFINE_PER_CPU(u8[CAPTURE_SNAPLEN], capture_gather);

void __capture_skb_gather(const struct sk_buff *skb, enum capture_point pt)
{
	/* one gather buffer per CPU: interrupts off while it is in use (taps
	 * run in process, softirq and, with napi=off, hard IRQ context) */
	bool tag = skb_vlan_tag_present(skb) && skb->len >= 2 * ETH_ALEN;
	u32 len = skb->len + (tag ? VLAN_HLEN : 0);
	u32 caplen = MIN(len, (u32)CAPTURE_SNAPLEN);
	unsigned long flags = local_irq_save();
	u8 *gather = *this_cpu_ptr(&capture_gather);
	int rc;

	if (tag) {
		/* 802.1Q 9.3: TPID and TCI after the MAC addresses */
		rc = skb_copy_bits(skb, 0, gather, 2 * ETH_ALEN);
		gather[2 * ETH_ALEN] = (u8)(skb->vlan_proto >> 8);
		gather[2 * ETH_ALEN + 1] = (u8)skb->vlan_proto;
		gather[2 * ETH_ALEN + 2] = (u8)(skb->vlan_tci >> 8);
		gather[2 * ETH_ALEN + 3] = (u8)skb->vlan_tci;
		if (!rc && caplen > 2 * ETH_ALEN + VLAN_HLEN)
			rc = skb_copy_bits(skb, 2 * ETH_ALEN, gather + 2 * ETH_ALEN + VLAN_HLEN,
					   caplen - 2 * ETH_ALEN - VLAN_HLEN);
	} else {
		rc = skb_copy_bits(skb, 0, gather, caplen);
	}
	if (rc == 0)
		__capture_frame(pt, gather, caplen, len);
	local_irq_restore(flags);
}

void capture_get_stats(struct capture_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&capture_lock);

	*st = stats;
	st->ring_size = ring ? ring_size : 0;
	st->ring_used = (u32)(ring_head - ring_tail);
	spin_unlock_irqrestore(&capture_lock, flags);
}

void capture_reset_stats(void)
{
	unsigned long flags = spin_lock_irqsave(&capture_lock);

	stats = (struct capture_stats){ 0 };
	spin_unlock_irqrestore(&capture_lock, flags);
}

u32 capture_ring_avail(void)
{
	unsigned long flags = spin_lock_irqsave(&capture_lock);
	u32 n = (u32)(ring_head - ring_tail);

	spin_unlock_irqrestore(&capture_lock, flags);
	return n;
}

/* copy up to max waiting bytes; consume them if asked */
static u32 ring_get(void *buf, u32 max, bool consume)
{
	unsigned long flags = spin_lock_irqsave(&capture_lock);
	u32 n = (u32)(ring_head - ring_tail), off, first;

	if (n > max)
		n = max;
	if (n) {
		off = (u32)(ring_tail % ring_size);
		first = ring_size - off < n ? ring_size - off : n;
		memcpy(buf, ring + off, first);
		memcpy((u8 *)buf + first, ring, n - first);
		if (consume)
			ring_tail += n;
	}
	spin_unlock_irqrestore(&capture_lock, flags);
	return n;
}

u32 capture_ring_read(void *buf, u32 max)
{
	return ring_get(buf, max, true);
}

u32 capture_ring_peek(void *buf, u32 max)
{
	return ring_get(buf, max, false);
}

void capture_ring_consume(u32 n)
{
	unsigned long flags = spin_lock_irqsave(&capture_lock);

	if (n > ring_head - ring_tail)
		n = (u32)(ring_head - ring_tail);
	ring_tail += n;
	spin_unlock_irqrestore(&capture_lock, flags);
}

void capture_ring_discard(void)
{
	unsigned long flags = spin_lock_irqsave(&capture_lock);

	ring_tail = ring_head;
	spin_unlock_irqrestore(&capture_lock, flags);
}

void capture_pcap_header(u8 out[PCAP_FILE_HDR_LEN])
{
	memset(out, 0, PCAP_FILE_HDR_LEN);
	put_le32(out, PCAP_MAGIC_NSEC);
	put_le16(out + 4, PCAP_VERSION_MAJOR);
	put_le16(out + 6, PCAP_VERSION_MINOR);
	/* thiszone and sigfigs are 0 */
	put_le32(out + 16, CAPTURE_SNAPLEN);
	put_le32(out + 20, PCAP_LINKTYPE_ETHERNET);
}
