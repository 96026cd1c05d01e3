/* irqbalance's decision, as a pure function (kernel/shell/cmd_irqbalance.c
 * gathers the counts and writes the moves; tests/unit/test_irqbalance.c
 * checks the plan on the host).
 *
 * Each device vector has a load (its interrupts since the last run, the
 * counts /proc/interrupts shows), the CPU it goes to now, and whether its
 * smp_affinity can be written.  The plan is the greedy longest-first rule:
 * the vectors that can move and took interrupts, heaviest first, each onto
 * the CPU (of the allowed mask) with the least load planned so far, a tie
 * going to the CPU it is on already, then to the lowest-numbered one.
 * Vectors that cannot move, and those that took no interrupts (there is
 * nothing to tell where they weigh least), stay where they are; their load
 * counts on their CPU from the start.  The plan is kept only when it lowers
 * the busiest CPU's load by more than an eighth, or some vector sits on a
 * CPU outside the mask: load measured over a short time is noisy, and
 * without that margin two runs over the same balanced load would swap
 * vectors back and forth. */
#ifndef LIB_IRQBALANCE_H
#define LIB_IRQBALANCE_H

#include <stdbool.h>
#include <stdint.h>

#define IRQBAL_MAX_CPUS 32      /* the masks are 32 bits */

struct irqbal_vec {
	uint64_t load;          /* interrupts since the last run */
	unsigned int cpu;       /* the CPU it goes to now */
	bool movable;           /* its smp_affinity can be written */
	int id;                 /* the caller's index: the array is sorted */
	unsigned int target;    /* out: the CPU the plan gives it */
};

struct irqbal_result {
	int moves;              /* vectors with target != cpu */
	bool applied;           /* false: the plan gained too little, nothing moves */
	uint64_t now[IRQBAL_MAX_CPUS];  /* load per CPU as the vectors sit now */
	uint64_t plan[IRQBAL_MAX_CPUS]; /* the same after the moves */
};

/* Plan the n vectors of v over the CPUs of cpus (bit c: CPU c).  Sorts v
 * by load, heaviest first (equal loads keep their order), and sets each
 * target; fills *r.  With fewer than two CPUs in cpus nothing moves. */
void irqbal_plan(struct irqbal_vec *v, int n, uint32_t cpus, struct irqbal_result *r);

#endif
