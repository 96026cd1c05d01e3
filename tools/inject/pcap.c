/* bn-inject: a reader for classic pcap files (the format tcpdump -w and
 * barenet's capture write): microsecond or nanosecond magic, either byte
 * order, LINKTYPE_ETHERNET only.  pcapng is refused with a hint. */
#include "inject.h"

#include <stdio.h>
#include <string.h>

#define PCAP_MAGIC_US    0xa1b2c3d4u
#define PCAP_MAGIC_NS    0xa1b23c4du
#define PCAPNG_SHB       0x0a0d0d0au   /* pcapng section header block */
#define PCAP_HDR_LEN     24
#define PCAP_REC_LEN     16
#define LINKTYPE_ETHERNET 1
#define NSEC_PER_USEC    1000u
#define NSEC_PER_SEC     1000000000ull

static uint32_t rd32(const uint8_t *p, bool swap)
{
	uint32_t le = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		      (uint32_t)p[3] << 24;

	return swap ? get32(p) : le;
}

int pcap_open(struct pcap_reader *r, const char *path)
{
	uint8_t h[PCAP_HDR_LEN];
	uint32_t magic;
	FILE *fp = fopen(path, "rb");

	memset(r, 0, sizeof(*r));
	if (!fp) {
		perror(path);
		return -1;
	}
	if (fread(h, 1, sizeof(h), fp) != sizeof(h)) {
		fprintf(stderr, "bn-inject: %s: too short for a pcap header\n", path);
		goto err;
	}
	magic = rd32(h, false);
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS) {
		r->swap = false;
	} else if (get32(h) == PCAP_MAGIC_US || get32(h) == PCAP_MAGIC_NS) {
		r->swap = true;
		magic = get32(h);
	} else {
		fprintf(stderr, "bn-inject: %s: not a pcap file%s\n", path,
			magic == PCAPNG_SHB ? " (pcapng: convert it with editcap -F pcap)" : "");
		goto err;
	}
	r->nsec = magic == PCAP_MAGIC_NS;
	r->linktype = rd32(h + 20, r->swap);
	if (r->linktype != LINKTYPE_ETHERNET) {
		fprintf(stderr, "bn-inject: %s: link type %u, only Ethernet (1) can be replayed\n",
			path, r->linktype);
		goto err;
	}
	r->fp = fp;
	return 0;
err:
	fclose(fp);
	return -1;
}

int pcap_next(struct pcap_reader *r, uint8_t *buf, size_t size, size_t *len, uint64_t *ts_ns)
{
	uint8_t h[PCAP_REC_LEN];
	uint32_t incl, sub;
	size_t got = fread(h, 1, sizeof(h), r->fp);

	if (got == 0)
		return 0;
	if (got != sizeof(h))
		return -1;
	incl = rd32(h + 8, r->swap);
	sub = rd32(h + 4, r->swap);
	*ts_ns = rd32(h, r->swap) * NSEC_PER_SEC + (r->nsec ? sub : (uint64_t)sub * NSEC_PER_USEC);
	if (incl > size) {
		/* longer than any frame we send: skip it, report it empty */
		if (fseek(r->fp, incl, SEEK_CUR))
			return -1;
		*len = 0;
		return 1;
	}
	if (fread(buf, 1, incl, r->fp) != incl)
		return -1;
	*len = incl;
	return 1;
}

void pcap_close(struct pcap_reader *r)
{
	if (r->fp)
		fclose(r->fp);
	r->fp = NULL;
}
