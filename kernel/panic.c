/* panic() */
#include "kernel/panic.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/x86.h"

void panic(const char *fmt, ...)
{
	va_list ap;

	local_irq_disable();
	printk_enter_panic();
	printk(KERN_EMERG "Kernel panic: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	pr_cont("\n");
	machine_poweroff(EXIT_PANIC);
}
