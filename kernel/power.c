/* Power-off: QEMU's isa-debug-exit device (tests), ACPI S5, or halt.
 * Restart: the 8042, the chipset reset register, a triple fault. */
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/x86.h"

/* 8042 keyboard controller (IBM PC/AT Technical Reference, keyboard
 * controller commands): writing PULSE_RESET to its command port pulses
 * output port bit 0, the CPU reset line */
#define I8042_STATUS_PORT   0x64
#define I8042_COMMAND_PORT  0x64
#define I8042_STATUS_IBF    0x02    /* input buffer full: not ready for a command */
#define I8042_PULSE_RESET   0xFE
#define I8042_WAIT_LOOPS    100000
/* Reset Control Register (Intel ICH9 datasheet 13.7.5, also PIIX3/4 and
 * QEMU's pc and q35): SYS_RST selects a full reset, RST_CPU starts it */
#define RST_CNT_PORT        0xCF9
#define RST_CNT_SYS_RST     0x02
#define RST_CNT_RST_CPU     0x04
/* each reset method gets this many io_delay()s (~1 us each) to act */
#define RESET_WAIT_LOOPS    10000

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

static void reset_wait(void)
{
	for (int i = 0; i < RESET_WAIT_LOOPS; i++)
		io_delay();
}

void machine_restart(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed no_idt = { 0, 0 };

	local_irq_disable();
	pr_info("power: restart\n");
	for (int i = 0; i < I8042_WAIT_LOOPS && (inb(I8042_STATUS_PORT) & I8042_STATUS_IBF); i++)
		io_delay();
	outb(I8042_COMMAND_PORT, I8042_PULSE_RESET);
	reset_wait();
	outb(RST_CNT_PORT, RST_CNT_SYS_RST);
	outb(RST_CNT_PORT, RST_CNT_SYS_RST | RST_CNT_RST_CPU);
	reset_wait();
	/* last resort: an empty IDT turns the next exception into a triple
	 * fault, which resets the CPU */
	__asm__ volatile("lidt %0; int3" : : "m"(no_idt) : "memory");
	for (;;)
		hlt();
}
