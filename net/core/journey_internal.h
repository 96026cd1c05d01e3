/* Shared between the journey sampler (journey.c) and its readers
 * (journey_report.c); nothing else includes this. */
#ifndef NET_CORE_JOURNEY_INTERNAL_H
#define NET_CORE_JOURNEY_INTERNAL_H

#include "net/core/journey.h"

#ifndef JOURNEY_INFLIGHT
#define JOURNEY_INFLIGHT   64       /* records travelling with frames at once */
#endif
#ifndef JOURNEY_RING
#define JOURNEY_RING       1024     /* completed records kept (the newest) */
#endif
#define JOURNEY_SAMPLE_MAX 1000000

/* Copy the newest completed records, oldest first, at most max; returns
 * how many. */
int journey_ring_copy(struct journey_rec *out, unsigned int max);

#endif
