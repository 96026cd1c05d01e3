/* kmain: the boot sequence, from the loader's hand-off to `ready`. */
#include "drivers/net/e1000/e1000.h"
#include "drivers/net/l2reflect.h"
#include "drivers/pci/pci.h"
#include "kernel/acpi.h"
#include "kernel/apic.h"
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/gdt.h"
#include "kernel/idle.h"
#include "kernel/idt.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/random.h"
#include "kernel/sched.h"
#include "kernel/selftest.h"
#include "kernel/shell/shell.h"
#include "kernel/smp.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/version.h"
#include "kernel/app/app.h"
#include "kernel/workqueue.h"
#include "kernel/x86.h"
#include "net/core/dev.h"
#include "net/core/pktgen.h"
#include "net/lwip/netinject.h"
#include "net/lwip/stack.h"
#include <stdlib.h>
#include <string.h>

enum exit_when { EXIT_NEVER, EXIT_AT_READY };
static enum exit_when exit_when = EXIT_NEVER;

static int set_exit(const char *v)
{
	if (!strcmp(v, "ready"))
		exit_when = EXIT_AT_READY;
	else if (!strcmp(v, "never"))
		exit_when = EXIT_NEVER;
	else if (!strcmp(v, "app"))
		app_poweroff_at_exit = true;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_OPT("exit", set_exit,
	    "power off after boot: ready|never|app (when the application ends: ok for status 0)");

#define READY_WAIT_MS_DEFAULT   5000
#define READY_WAIT_MS_MAX       60000
static unsigned int ready_wait_ms = READY_WAIT_MS_DEFAULT;

static int set_ready_wait(const char *v)
{
	char *end;
	unsigned long ms = strtoul(v, &end, 10);

	if (end == v || *end || ms > READY_WAIT_MS_MAX)
		return -EINVAL;
	ready_wait_ms = (unsigned int)ms;
	return 0;
}
CMDLINE_OPT("ready_wait", set_ready_wait,
	    "ms `ready` waits for every attached NIC to have carrier and receive: 0..60000 (default 5000)");

__noreturn void kmain(u32 magic, u32 info_phys);

void kmain(u32 magic, u32 info_phys)
{
	int rc;

	serial_init();
	gdt_init();
	idt_init();
	rc = bootinfo_parse(magic, info_phys);
	if (!boot_info.efi)
		vga_init();
	pr_info("barenet " BARENET_VERSION " (x86-64, %s, " BARENET_FLAVOUR ") booting\n",
		barenet_build);
	if (rc)
		panic("unknown boot magic %#x: not started by a multiboot loader", magic);
	rc = cmdline_apply(boot_info.cmdline);
	/* secrets (shell.token=) never reach the log or /proc/cmdline */
	cmdline_redact_secrets(boot_info.cmdline);
	pr_info("boot: %s via multiboot%d, cmdline: '%s'\n", boot_info.loader,
		boot_info.protocol, boot_info.cmdline);
	if (rc)
		pr_warn("cmdline: some options were not applied (see above)\n");
	mm_init();

	/* platform: firmware tables, interrupt controllers, time, then the
	 * tick and interrupts on (the IDT is set up at the top of kmain) */
	acpi_init();
	intc_init();
	clock_init();
	/* the seed for the stack's secrets: after the TSC is calibrated */
	random_init();
	tick_init();
	/* console input by interrupt; the shell reads it after ready */
	serial_rx_init();
	local_irq_enable();
	/* the application processors: each halts in its idle loop; device
	 * interrupts stay on CPU 0; then every CPU's ksoftirqd thread */
	sched_init_cpu();
	smp_init();
	if (ksoftirqd_init())
		pr_warn("sched: no ksoftirqd threads\n");
	if (workqueue_init())
		pr_warn("workqueue: no kworker threads\n");

	/* after the cmdline (net.core.* tunables), before any NIC driver */
	net_dev_init();
	net_stack_init();

	/* after acpi_init (MCFG), mm_init (mmio_map) and the interrupt
	 * controllers; pcitest= runs here and powers off, before any NIC
	 * driver binds */
	if (pci_init())
		pr_warn("pci: not available\n");
	pci_selftest_run_requested();
	/* NIC drivers register here (probing binds them at once); the
	 * listing shows what bound */
	if (e1000_driver_init())
		pr_warn("e1000: driver not registered\n");
	pci_print_devices();
	/* l2reflect= takes every NIC for the self-test responder; the stack
	 * then attaches what is left (every net_device, addresses from ip=,
	 * services) */
	l2reflect_start();
	net_stack_start();
	/* `ready` means reachable: the links are up and the NICs receive */
	net_stack_wait_ready(ready_wait_ms);

	pr_info("barenet: ready in %llu.%03llu ms\n",
		(unsigned long long)(ktime_get_ns() / NSEC_PER_MSEC),
		(unsigned long long)(ktime_get_ns() % NSEC_PER_MSEC / NSEC_PER_USEC));
	if (selftest_run_requested())
		machine_poweroff(EXIT_FAIL);
	if (exit_when == EXIT_AT_READY)
		machine_poweroff(EXIT_OK);
	/* the tick drives lwIP's timers (TIMER softirq) from here on */
	net_timers_start();
	/* the threads that serve pktgen, netinject= (its thread starts
	 * pktgen= once the injection ended: pktgen= may send through inj0,
	 * and the run's reply count stays its own), the console and
	 * (started with the services) the remote shell's sessions; queued
	 * work runs in the kworker threads, l2reflect's ring resizes among
	 * it */
	if (pktgen_thread_start())
		pr_warn("pktgen: no kpktgend thread\n");
	if (!netinject_boot_start(pktgen_boot_start))
		pktgen_boot_start();
	if (shell_start())
		pr_warn("shell: no console shell thread\n");
	/* the application (make APP=), in threads of its own, after the
	 * console's banner */
	app_start();
	/* the idle loop: CPU 0's idle thread runs the threads that are
	 * runnable, serves softirqs raised outside interrupt context that
	 * ksoftirqd has not taken yet, and halts otherwise */
	sched_idle_loop_enter();
	for (;;) {
		cond_resched();
		local_irq_disable();
		/* a thread woken since cond_resched looked runs first */
		if (sched_runnable()) {
			local_irq_enable();
			continue;
		}
		if (local_softirq_pending()) {
			local_irq_enable();
			ksoftirqd_run();
			continue;
		}
		idle_halt();    /* sti;hlt: no wakeup lost in between */
	}
}
