/* irqbalance's plan: greedy, heaviest vector first onto the least loaded
 * CPU (lib/irqbalance.h says why the margin and the ties). */
#include "lib/irqbalance.h"
#include <string.h>

static bool cpu_in(uint32_t cpus, unsigned int c)
{
	return c < IRQBAL_MAX_CPUS && (cpus & (1U << c));
}

static bool candidate(const struct irqbal_vec *v)
{
	return v->movable && v->load;
}

/* insertion sort, heaviest first; stable, and n is at most a few hundred */
static void sort_by_load(struct irqbal_vec *v, int n)
{
	for (int i = 1; i < n; i++) {
		struct irqbal_vec x = v[i];
		int j = i;

		for (; j > 0 && v[j - 1].load < x.load; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static uint64_t max_load(const uint64_t *load, uint32_t cpus)
{
	uint64_t m = 0;

	for (unsigned int c = 0; c < IRQBAL_MAX_CPUS; c++)
		if (cpu_in(cpus, c) && load[c] > m)
			m = load[c];
	return m;
}

void irqbal_plan(struct irqbal_vec *v, int n, uint32_t cpus, struct irqbal_result *r)
{
	bool outside = false;

	memset(r, 0, sizeof(*r));
	sort_by_load(v, n);
	/* what stays: its load weighs on its CPU before anything is placed */
	for (int i = 0; i < n; i++) {
		v[i].target = v[i].cpu;
		if (v[i].cpu >= IRQBAL_MAX_CPUS)
			continue;
		r->now[v[i].cpu] += v[i].load;
		if (!candidate(&v[i]))
			r->plan[v[i].cpu] += v[i].load;
	}
	if (__builtin_popcount(cpus) < 2) {
		memcpy(r->plan, r->now, sizeof(r->plan));
		return;
	}
	for (int i = 0; i < n; i++) {
		unsigned int best = v[i].cpu;

		if (!candidate(&v[i]))
			continue;
		if (!cpu_in(cpus, best)) {
			outside = true;
			best = (unsigned int)__builtin_ctz(cpus);
		}
		/* strictly less: a tie keeps the CPU it is on, else the lowest */
		for (unsigned int c = 0; c < IRQBAL_MAX_CPUS; c++)
			if (cpu_in(cpus, c) && r->plan[c] < r->plan[best])
				best = c;
		v[i].target = best;
		r->plan[best] += v[i].load;
	}
	/* keep the plan only for a gain of more than an eighth of the
	 * busiest CPU's load (or to leave CPUs outside the mask) */
	if (!outside && 8 * max_load(r->plan, cpus) >= 7 * max_load(r->now, cpus)) {
		for (int i = 0; i < n; i++)
			v[i].target = v[i].cpu;
		memcpy(r->plan, r->now, sizeof(r->plan));
		return;
	}
	r->applied = true;
	for (int i = 0; i < n; i++)
		r->moves += v[i].target != v[i].cpu;
}
