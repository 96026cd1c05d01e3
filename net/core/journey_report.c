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
	/* Shell sort (Ciura's gaps): at most JOURNEY_RING values, once per
	 * stage, on a shell command or each dashboard poll */
	static const int gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };

	for (size_t g = 0; g < ARRAY_SIZE(gaps); g++) {
		for (int i = gaps[g]; i < n; i++) {
			u64 x = v[i];
			int j = i;

			for (; j >= gaps[g] && v[j - gaps[g]] > x; j -= gaps[g])
				v[j] = v[j - gaps[g]];
			v[j] = x;
		}
	}
}

/* nearest rank: the smallest value with at least pct% of them <= it */
static u64 percentile(const u64 *v, int n, int pct)
{
	int rank = (pct * n + 99) / 100;

	return v[rank > 0 ? rank - 1 : 0];
}

static void stat_of(struct journey_stage_stat *st, u64 *v, int n)
{
	memset(st, 0, sizeof(*st));
	if (!n)
		return;
	sort_u64(v, n);
	st->count = (u32)n;
	st->p50_ns = percentile(v, n, 50);
	st->p90_ns = percentile(v, n, 90);
	st->p99_ns = percentile(v, n, 99);
	st->max_ns = v[n - 1];
}

int journey_stage_stats(struct journey_stage_stat out[JOURNEY_STAGES + 1], int *kinds)
{
	struct journey_rec *recs = kmalloc(sizeof(*recs) * JOURNEY_RING);
	u64 *v = kmalloc(sizeof(*v) * JOURNEY_RING);
	int n, k;

	if (!recs || !v) {
		kfree(recs);
		kfree(v);
		return -ENOMEM;
	}
	n = journey_ring_copy(recs, JOURNEY_RING);
	if (kinds)
		for (int i = 0; i < n; i++)
			if (recs[i].kind < ARRAY_SIZE(kind_names))
				kinds[recs[i].kind]++;
	/* each stage: the time since the previous stage the frame reached */
	for (int st = 0; st < JOURNEY_STAGES; st++) {
		k = 0;
		for (int i = 0; i < n; i++)
			if (stage_delta(&recs[i], st, &v[k]))
				k++;
		stat_of(&out[st], v, k);
	}
	k = 0;
	for (int i = 0; i < n; i++)
		if (total_ns(&recs[i], &v[k]))
			k++;
	stat_of(&out[JOURNEY_STAGES], v, k);
	kfree(recs);
	kfree(v);
	return n;
}

static void report_row(struct seq_buf *s, const char *name, const struct journey_stage_stat *st)
{
	if (!st->count)
		return;
	seq_buf_printf(s, "%-10s %7u %10llu %10llu %10llu %10llu\n", name, st->count,
		       (unsigned long long)st->p50_ns, (unsigned long long)st->p90_ns,
		       (unsigned long long)st->p99_ns, (unsigned long long)st->max_ns);
}

int journey_report(char *buf, size_t size)
{
	struct journey_stage_stat *stats = kmalloc(sizeof(*stats) * (JOURNEY_STAGES + 1));
	int kinds[ARRAY_SIZE(kind_names)] = { 0 };
	struct journey_counts c;
	struct seq_buf s;
	int n;

	if (!stats)
		return -ENOMEM;
	journey_get_counts(&c);
	n = journey_stage_stats(stats, kinds);
	if (n < 0) {
		kfree(stats);
		return n;
	}
	seq_buf_init(&s, buf, size);
	if (journey_sample())
		seq_buf_printf(&s, "trace: sampling 1 frame in %u\n", journey_sample());
	else
		seq_buf_printf(&s, "trace: off (trace sample N to start)\n");
	seq_buf_printf(&s, "frames %llu, sampled %llu, completed %llu, no slot %llu; "
		       "%d records kept (%d rx, %d tx, %d loop)\n",
		       (unsigned long long)c.frames, (unsigned long long)c.sampled,
		       (unsigned long long)c.completed, (unsigned long long)c.no_slot, n,
		       kinds[JOURNEY_KIND_RX], kinds[JOURNEY_KIND_TX], kinds[JOURNEY_KIND_LOOP]);
	seq_buf_printf(&s, "%-10s %7s %10s %10s %10s %10s\n", "stage", "count", "p50_ns",
		       "p90_ns", "p99_ns", "max_ns");
	for (int st = 0; st < JOURNEY_STAGES; st++)
		report_row(&s, journey_stage_name(st), &stats[st]);
	report_row(&s, "total", &stats[JOURNEY_STAGES]);
	kfree(stats);
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
