/* Kernel services that project sources call, provided on the host for unit
 * tests: printk goes to stderr (unless host_printk_quiet), panic aborts the
 * test. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int printk(const char *fmt, ...);
void panic(const char *fmt, ...);

bool host_printk_quiet;

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (host_printk_quiet)
		return 0;
	/* a KERN_<level> prefix: SOH and a digit */
	if (fmt[0] == '\001' && fmt[1])
		fmt += 2;
	va_start(ap, fmt);
	n = vfprintf(stderr, fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "panic: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

/* --- the simulated CPU: interrupt flag, hard IRQ nesting, clock, heap --- */
#include <stdbool.h>
#include <stdint.h>
#include "host_stubs.h"

bool host_irqs_enabled = true;
unsigned long host_irq_disable_count;
uint64_t host_clock_ns;
uint64_t host_clock_step_ns;
int host_irq_depth;
long host_kmalloc_live;
long host_kmalloc_fail_after;

bool in_irq(void);
uint64_t ktime_get_ns(void);
/* weak: the tests of kernel/kmalloc.c and kernel/dma.c link the real heap */
void *kmalloc(size_t size) __attribute__((weak));
void *kzalloc(size_t size) __attribute__((weak));
void kfree(void *p) __attribute__((weak));
void softirq_irq_exit(void) __attribute__((weak));
/* kernel/softlockup.c is not linked into the unit tests */
void softlockup_touch(void) __attribute__((weak));
void softlockup_touch(void) {}

bool in_irq(void)
{
	return host_irq_depth != 0;
}

uint64_t ktime_get_ns(void)
{
	uint64_t now = host_clock_ns;

	host_clock_ns += host_clock_step_ns;
	return now;
}

/* the journey sampler converts TSC deltas (net/core/journey.c): one tick
 * is one ns here; weak for a test that links the real clock */
uint64_t tsc_to_ns(uint64_t delta) __attribute__((weak));
uint64_t tsc_to_ns(uint64_t delta)
{
	return delta;
}

void *kmalloc(size_t size)
{
	void *p;

	if (host_kmalloc_fail_after && --host_kmalloc_fail_after == 0) {
		host_kmalloc_fail_after = 1;   /* keep failing */
		return NULL;
	}
	p = malloc(size);
	if (p)
		host_kmalloc_live++;
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	host_kmalloc_live--;
	free(p);
}

void host_irq_simulate(void (*fn)(void *ctx), void *ctx)
{
	bool was = host_irqs_enabled;

	host_irqs_enabled = false;   /* the CPU clears IF on interrupt entry */
	host_irq_depth++;
	fn(ctx);
	host_irq_depth--;
	if (softirq_irq_exit)
		softirq_irq_exit();
	host_irqs_enabled = was;     /* iretq restores RFLAGS */
}

/* lwIP's LWIP_ASSERT_CORE_LOCKED hook (lwipopts.h): the host tests drive
 * lwIP from one thread without the kernel's core lock; a test that links
 * net/lwip/core_lock.c gets the real check instead */
void net_core_assert_locked(const char *fn) __attribute__((weak));
void net_core_assert_locked(const char *fn)
{
	(void)fn;
}

/* kernel/cpustat.c's context switch (kernel/softirq.c calls it): no time
 * accounting on the host */
int cpustat_switch(int to) __attribute__((weak));
int cpustat_switch(int to)
{
	return to;
}

/* RPS's IPI (net/core/dev.c netif_rx_cpu): one CPU on the host, so the
 * function runs here and now */
int smp_call_function_single(unsigned int cpu, void (*fn)(void *info), void *info, bool wait)
{
	(void)cpu;
	(void)wait;
	fn(info);
	return 0;
}

struct mutex;

/* RFS's table writers (net/core/rps.c): one thread on the host, and no
 * other CPU to wait for */
int smp_call_function_many(unsigned long mask, void (*fn)(void *info), void *info, bool wait)
{
	(void)mask;
	(void)fn;
	(void)info;
	(void)wait;
	return 0;
}

void mutex_lock(struct mutex *m) __attribute__((weak));
void mutex_lock(struct mutex *m)
{
	(void)m;
}

void mutex_unlock(struct mutex *m) __attribute__((weak));
void mutex_unlock(struct mutex *m)
{
	(void)m;
}

/* rps.c's sysfs files name a device; tests without the device registry */
struct net_device;
struct net_device *netdev_get_by_name(const char *name) __attribute__((weak));
struct net_device *netdev_get_by_name(const char *name)
{
	(void)name;
	return NULL;
}

/* drivers/net/netdevice.c's registry check (net/core/xmit.c's deferred
 * tails): the tests that link the real registry use it */
/* free_netdev's call into net/core/napi.c, for tests without it */
struct net_device;
void netif_napi_forget_dev(const struct net_device *dev) __attribute__((weak));
void netif_napi_forget_dev(const struct net_device *dev)
{
	(void)dev;
}

/* net/core/napi.c's busy poll asks (no other thread on the host) */
bool sched_runnable(void) __attribute__((weak));
bool sched_runnable(void)
{
	return false;
}

/* and yields with this when one is */
void cond_resched(void) __attribute__((weak));
void cond_resched(void)
{
}

bool netdev_registered(const struct net_device *dev) __attribute__((weak));
bool netdev_registered(const struct net_device *dev)
{
	(void)dev;
	return true;
}
