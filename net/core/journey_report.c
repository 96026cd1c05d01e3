/* Readers of the journey ring: the `trace` percentile table, the CSV of
 * raw records (/proc/barenet/trace.csv, GET /trace.csv), the shell command. */
#include "net/core/journey_internal.h"
#include "fs/view.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/time.h"
#include "lib/seq_buf.h"
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
	[JOURNEY_KIND_RX] = "rx", [JOURNEY_KIND_TX] = "tx", [JOURNEY_KIND_LOOP] = "loop",
};

/* ns from the previous stage r reached to st; false if st is not reached
 * or is the first one */
static bool stage_delta(const struct journey_rec *r, int st, u64 *ns)
{
	if (!r->t[st])
		return false;
	for (int p = st - 1; p >= 0; p--) {
		if (r->t[p]) {
			*ns = r->t[st] > r->t[p] ? tsc_to_ns(r->t[st] - r->t[p]) : 0;
			return true;
		}
	}
	return false;
}

/* first to last stamp */
static bool total_ns(const struct journey_rec *r, u64 *ns)
{
	u64 lo = 0, hi = 0;
	int n = 0;

	for (int st = 0; st < JOURNEY_STAGES; st++) {
		if (!r->t[st])
			continue;
		if (!n++ || r->t[st] < lo)
			lo = r->t[st];
		if (r->t[st] > hi)
			hi = r->t[st];
	}
	if (n < 2)
		return false;
	*ns = tsc_to_ns(hi - lo);
	return true;
}

static void sort_u64(u64 *v, int n)
{
	/* insertion sort: at most JOURNEY_RING values, on a shell command */
	for (int i = 1; i < n; i++) {
		u64 x = v[i];
		int j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* nearest rank: the smallest value with at least pct% of them <= it */
static u64 percentile(const u64 *v, int n, int pct)
{
	int rank = (pct * n + 99) / 100;

	return v[rank > 0 ? rank - 1 : 0];
}

static void report_row(struct seq_buf *s, const char *name, u64 *v, int n)
{
	if (!n)
		return;
	sort_u64(v, n);
	seq_buf_printf(s, "%-10s %7d %10llu %10llu %10llu %10llu\n", name, n,
		       (unsigned long long)percentile(v, n, 50),
		       (unsigned long long)percentile(v, n, 90),
		       (unsigned long long)percentile(v, n, 99),
		       (unsigned long long)v[n - 1]);
}

int journey_report(char *buf, size_t size)
{
	struct journey_rec *recs = kmalloc(sizeof(*recs) * JOURNEY_RING);
	u64 *v = kmalloc(sizeof(*v) * JOURNEY_RING);
	struct journey_counts c;
	unsigned int kinds[ARRAY_SIZE(kind_names)] = { 0 };
	struct seq_buf s;
	int n;

	if (!recs || !v) {
		kfree(recs);
		kfree(v);
		return -ENOMEM;
	}
	journey_get_counts(&c);
	n = journey_ring_copy(recs, JOURNEY_RING);
	for (int i = 0; i < n; i++)
		if (recs[i].kind < ARRAY_SIZE(kinds))
			kinds[recs[i].kind]++;
	seq_buf_init(&s, buf, size);
	if (journey_sample())
		seq_buf_printf(&s, "trace: sampling 1 frame in %u\n", journey_sample());
	else
		seq_buf_printf(&s, "trace: off (trace sample N to start)\n");
	seq_buf_printf(&s, "frames %llu, sampled %llu, completed %llu, no slot %llu; "
		       "%d records kept (%u rx, %u tx, %u loop)\n",
		       (unsigned long long)c.frames, (unsigned long long)c.sampled,
		       (unsigned long long)c.completed, (unsigned long long)c.no_slot, n,
		       kinds[JOURNEY_KIND_RX], kinds[JOURNEY_KIND_TX], kinds[JOURNEY_KIND_LOOP]);
	seq_buf_printf(&s, "%-10s %7s %10s %10s %10s %10s\n", "stage", "count", "p50_ns",
		       "p90_ns", "p99_ns", "max_ns");
	/* each stage: the time since the previous stage the frame reached */
	for (int st = 0; st < JOURNEY_STAGES; st++) {
		int k = 0;

		for (int i = 0; i < n; i++)
			if (stage_delta(&recs[i], st, &v[k]))
				k++;
		report_row(&s, journey_stage_name(st), v, k);
	}
	{
		int k = 0;

		for (int i = 0; i < n; i++)
			if (total_ns(&recs[i], &v[k]))
				k++;
		report_row(&s, "total", v, k);
	}
	kfree(recs);
	kfree(v);
	return seq_buf_used(&s);
}

int journey_csv(char *buf, size_t size)
{
	struct journey_rec *recs = kmalloc(sizeof(*recs) * JOURNEY_RING);
	struct seq_buf s;
	int n;

	if (!recs)
		return -ENOMEM;
	n = journey_ring_copy(recs, JOURNEY_RING);
	seq_buf_init(&s, buf, size);
	seq_buf_puts(&s, "id,kind,len");
	for (int st = 0; st < JOURNEY_STAGES; st++)
		seq_buf_printf(&s, ",%s", journey_stage_name(st));
	seq_buf_puts(&s, "\n");
	/* ns since boot at each stage; empty where the frame did not pass */
	for (int i = 0; i < n; i++) {
		const struct journey_rec *r = &recs[i];

		seq_buf_printf(&s, "%llu,%s,%u", (unsigned long long)r->id,
			       r->kind < ARRAY_SIZE(kind_names) ? kind_names[r->kind] : "?", r->len);
		for (int st = 0; st < JOURNEY_STAGES; st++) {
			if (r->t[st] && r->t[st] >= boot_tsc)
				seq_buf_printf(&s, ",%llu",
					       (unsigned long long)tsc_to_ns(r->t[st] - boot_tsc));
			else
				seq_buf_puts(&s, ",");
		}
		seq_buf_puts(&s, "\n");
	}
	kfree(recs);
	return seq_buf_used(&s);
}

static int trace_csv_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
	return journey_csv(buf, size);
}
VIEW("/proc/barenet/trace.csv", trace_csv_show);

static int trace_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
	return journey_report(buf, size);
}
VIEW("/proc/barenet/trace", trace_show);
