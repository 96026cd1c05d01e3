/* Power-off: QEMU's isa-debug-exit device (tests), ACPI S5, or halt. */
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/x86.h"

void (*acpi_poweroff_hook)(void);

void machine_poweroff(int status)
{
	local_irq_disable();
	pr_info("power: off (exit status %d)\n", status);
	outl(ISA_DEBUG_EXIT_PORT, status);
	/* QEMU acts on the exit request from its main loop, a moment later:
	 * give it that moment before trying ACPI */
	for (int i = 0; i < 10000; i++)
		io_delay();
	if (acpi_poweroff_hook)
		acpi_poweroff_hook();
	pr_emerg("power: could not power off; halted\n");
	for (;;)
		hlt();
}
