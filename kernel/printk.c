/* printk: format, prefix with "[seconds.micros] ", write to the consoles and
 * keep a copy in the log ring (for `dmesg`). */
#include "kernel/printk.h"
#include "kernel/console.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/log.h"
#include <stdio.h>
#include <string.h>

#define PRINTK_LINE_MAX 1024

int console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;

/* the log ring and the consoles; every context (raw: LOCK_DEBUG's reports
 * print under it) */
static struct spinlock printk_lock = SPINLOCK_INIT_RAW("printk");
static bool printk_panicking;
static bool at_line_start = true;

static char log_ring[LOG_RING_SIZE];
static u64 log_head;    /* total bytes ever written */

static void log_store(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_ring[(log_head + i) % LOG_RING_SIZE] = s[i];
	log_head += n;
}

size_t log_read(u64 *pos, char *buf, size_t size)
{
	u64 start = *pos, oldest = log_head > LOG_RING_SIZE ? log_head - LOG_RING_SIZE : 0;
	size_t n = 0;

	if (start < oldest)
		start = oldest;
	for (; start < log_head && n < size; start++)
		buf[n++] = log_ring[start % LOG_RING_SIZE];
	*pos = start;
	return n;
}

void printk_enter_panic(void)
{
	printk_panicking = true;
}

static void emit(const char *s, size_t n, bool to_console)
{
	log_store(s, n);
	if (to_console)
		console_write(s, n);
}

int vprintk(const char *fmt, va_list ap)
{
	char line[PRINTK_LINE_MAX];
	int level = MESSAGE_LOGLEVEL_DEFAULT, len;
	bool cont = false;
	unsigned long flags = 0;
	bool locked = false;

	if (fmt[0] == KERN_SOH[0] && fmt[1]) {
		if (fmt[1] == 'c')
			cont = true;
		else if (fmt[1] >= '0' && fmt[1] <= '7')
			level = fmt[1] - '0';
		fmt += 2;
	}
	len = vsnprintf(line, sizeof(line), fmt, ap);
	if (len >= (int)sizeof(line))
		len = sizeof(line) - 1;

	/* while panicking, never wait for the lock: its holder may be the crash */
	if (!printk_panicking) {
		flags = spin_lock_irqsave(&printk_lock);
		locked = true;
	}
	bool to_console = level < console_loglevel || printk_panicking;
	if (!cont && !at_line_start)
		emit("\n", 1, to_console);
	if (!cont || at_line_start) {
		char ts[32];
		u64 ns = ktime_get_ns();
		int n = snprintf(ts, sizeof(ts), "[%5llu.%06llu] ",
				 (unsigned long long)(ns / NSEC_PER_SEC),
				 (unsigned long long)(ns % NSEC_PER_SEC / NSEC_PER_USEC));
		emit(ts, n, to_console);
	}
	emit(line, len, to_console);
	if (len)
		at_line_start = line[len - 1] == '\n';
	if (locked)
		spin_unlock_irqrestore(&printk_lock, flags);
	return len;
}

/* s in pieces of up to 256 bytes, each under the printk lock (it holds
 * interrupts off while the UART is polled), so another CPU's message lands
 * between two pieces, never inside one; while panicking, never wait for
 * the lock (as vprintk).  log: into the log ring and to the consoles, as
 * printk; else to the serial port alone. */
static void write_pieces(const char *s, size_t n, bool log)
{
	while (n) {
		size_t k = n < 256 ? n : 256;
		bool locked = !printk_panicking;
		unsigned long flags = locked ? spin_lock_irqsave(&printk_lock) : 0;

		if (log) {
			emit(s, k, true);
			at_line_start = s[k - 1] == '\n';
		} else {
			serial_write(s, k);
		}
		if (locked)
			spin_unlock_irqrestore(&printk_lock, flags);
		s += k;
		n -= k;
	}
}

void printk_raw(const char *s, size_t n)
{
	write_pieces(s, n, true);
}

void console_tty_write(const char *s, size_t n)
{
	write_pieces(s, n, false);
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}
