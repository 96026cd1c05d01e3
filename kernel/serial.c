/* 16550 UART console on COM1: output is polled (no interrupts, so it works
 * from any context, including exceptions and panic); input arrives by
 * interrupt into a ring (kernel/serial_rx.c). */
#include "kernel/console.h"
#include "kernel/serial_regs.h"
#include "kernel/x86.h"

static bool serial_present;

void serial_init(void)
{
	u16 div = UART_CLOCK / UART_BAUD;

	/* a UART keeps what is written to its scratch register; nothing else does */
	outb(COM1_BASE + UART_SCR, 0x5A);
	if (inb(COM1_BASE + UART_SCR) != 0x5A)
		return;
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_LCR, LCR_DLAB);
	outb(COM1_BASE + UART_DLL, div & 0xFF);
	outb(COM1_BASE + UART_DLM, div >> 8);
	outb(COM1_BASE + UART_LCR, LCR_8N1);
	outb(COM1_BASE + UART_FCR, FCR_ENABLE | FCR_CLEAR | FCR_TRIG_1);
	outb(COM1_BASE + UART_MCR, MCR_DTR_RTS | MCR_OUT2);
	serial_present = true;
}

static void serial_putc(char c)
{
	/* bounded wait: a stuck UART must not hang the kernel */
	for (int i = 0; i < 100000 && !(inb(COM1_BASE + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(COM1_BASE + UART_THR, c);
}

void serial_write(const char *s, size_t n)
{
	if (!serial_present)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

int serial_getc(void)
{
	if (!serial_present || !(inb(COM1_BASE + UART_LSR) & LSR_DR))
		return -1;
	return inb(COM1_BASE + UART_RBR);
}

bool serial_exists(void)
{
	return serial_present;
}
