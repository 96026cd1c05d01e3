/* 16550 UART console on COM1, polled (no interrupts, so it works from any
 * context, including exceptions and panic). */
#include "kernel/console.h"
#include "kernel/x86.h"

#define COM1_BASE     0x3F8
#define UART_THR      0       /* transmit holding (write) */
#define UART_RBR      0       /* receive buffer (read) */
#define UART_DLL      0       /* divisor latch low (DLAB=1) */
#define UART_IER      1       /* interrupt enable */
#define UART_DLM      1       /* divisor latch high (DLAB=1) */
#define UART_FCR      2       /* FIFO control */
#define UART_LCR      3       /* line control */
#define UART_MCR      4       /* modem control */
#define UART_LSR      5       /* line status */
#define UART_SCR      7       /* scratch */

#define LCR_8N1       0x03
#define LCR_DLAB      0x80
#define FCR_ENABLE    0x01
#define FCR_CLEAR     0x06
#define FCR_TRIG_14   0xC0
#define MCR_DTR_RTS   0x03
#define MCR_OUT2      0x08
#define LSR_DR        0x01    /* data ready */
#define LSR_THRE      0x20    /* transmit holding register empty */
#define UART_CLOCK    115200
#define UART_BAUD     115200

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
	outb(COM1_BASE + UART_FCR, FCR_ENABLE | FCR_CLEAR | FCR_TRIG_14);
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
