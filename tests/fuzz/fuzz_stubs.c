/* Kernel services the fuzzed sources call that the host has no use for. */
#include <stdio.h>
#include <stdlib.h>
#include "fuzz.h"
#include "host_stubs.h"
#include "kernel/apic.h"
#include "kernel/idle.h"
#include "kernel/irq.h"
#include "kernel/mm.h"
#include "kernel/power.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "net/ethtool/ethtool_cmd.h"
#include "net/services/services.h"
#include "net/socket/sock_internal.h"
#include "net/socket/socket.h"

/* kernel/tick.c: the timer tick asks this whether lwIP's timers are due;
 * the fuzz targets run them themselves */
bool (*tick_timer_due)(void);
bool (*tick_net_tx_due)(void);

/* kernel/idle.c: net_stack_wait_ready halts until the next interrupt
 * while a NIC is not ready; the fuzz targets have no NICs to wait for */
void idle_halt(void)
{
}

/* net/lwip/core_lock.c wakes the CPUs halted for the core lock; the fuzz
 * targets run on one CPU, where no one waits for it: a call is a bug */
u32 cpu_apic_id(unsigned int cpu)
{
	FUZZ_CHECK(0, "cpu_apic_id(%u)", cpu);
	abort();
}

int lapic_send_ipi(u32 apic_id, int vector)
{
	FUZZ_CHECK(0, "lapic_send_ipi(%u, %d)", apic_id, vector);
	abort();
}

/* netctl= is off in the fuzz targets: a call is a bug */
void machine_poweroff(int status)
{
	FUZZ_CHECK(0, "machine_poweroff(%d)", status);
	abort();
}

/* net/ethtool/cmd_ethtool.c (ethtool= options; its strlcpy is not in the
 * host's libc): no options given here */
void ethtool_cmdline_apply(struct net_device *dev)
{
	(void)dev;
}

/* what /proc/barenet/metrics reports of the machine (net/services/metrics.c):
 * no interrupts, memory or DMA on the host */

u64 boot_tsc;

u64 irq_count(int vector)
{
	(void)vector;
	return 0;
}

u64 irq_spurious_count(void)
{
	return 0;
}

const char *irq_name(int vector)
{
	(void)vector;
	return NULL;
}

u64 mm_total_ram_kib(void)
{
	return 0;
}

u64 mm_free_kib(void)
{
	return 0;
}

size_t kmalloc_live_objects(void)
{
	return 0;
}

u64 dma_outstanding_bytes(void)
{
	return 0;
}

/* The kernel log (host_stubs.c's printk): silent (a fuzzer runs millions
 * of inputs) unless FUZZ_LOG is set in the environment, e.g. to replay one
 * input; set before libFuzzer starts, so for the targets' set-up too. */
__attribute__((constructor)) static void fuzz_log_init(void)
{
	host_printk_quiet = getenv("FUZZ_LOG") == NULL;
}

/* net/services/shell_srv.c, the remote shell: off unless shell.tcp= is
 * given, and it needs the whole shell; not linked here */

int shell_srv_start(void)
{
	return 0;
}

/* kernel/irq.c's per-CPU count, for /metrics: no interrupts here */
u64 irq_count_cpu(int vector, unsigned int cpu)
{
	(void)vector;
	(void)cpu;
	return 0;
}

/* net/socket/: the fuzz targets feed frames to the services through lwIP's
 * raw API and open no sockets, so the views that list sockets find none
 * and the socket counters stay zero */
struct udp_sock_mib udp_sock_mib;
struct sock_rx_stats sock_rx_stats;
u64 sk_rx_cache_hits;

unsigned int sk_rx_cache_count(void)
{
	return 0;
}

unsigned int sock_count(void)
{
	return 0;
}

bool sock_proc_lookup(const void *pcb, struct sock_proc_info *out)
{
	(void)pcb;
	(void)out;
	return false;
}
