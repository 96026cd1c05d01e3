/* printk: leveled kernel log on every console, with monotonic timestamps.
 *
 * A message may start with a KERN_<LEVEL> marker (Linux style); messages
 * at or above the console loglevel (cmdline `loglevel=N`, default 7:
 * all but debug) are
 * kept out of the consoles. */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include "kernel/types.h"

#define KERN_SOH     "\001"
#define KERN_EMERG   KERN_SOH "0"
#define KERN_ALERT   KERN_SOH "1"
#define KERN_CRIT    KERN_SOH "2"
#define KERN_ERR     KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE  KERN_SOH "5"
#define KERN_INFO    KERN_SOH "6"
#define KERN_DEBUG   KERN_SOH "7"
#define KERN_CONT    KERN_SOH "c"    /* continue the previous line, no timestamp */

#define MESSAGE_LOGLEVEL_DEFAULT 4   /* a printk without a level: warning */
#define CONSOLE_LOGLEVEL_DEFAULT 7   /* consoles show everything but debug */

/* print to every console; returns the number of characters formatted */
int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap) __printf(1, 0);

#define pr_emerg(fmt, ...)  printk(KERN_EMERG fmt, ##__VA_ARGS__)
#define pr_crit(fmt, ...)   printk(KERN_CRIT fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...)    printk(KERN_ERR fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)   printk(KERN_WARNING fmt, ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)   printk(KERN_INFO fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)  printk(KERN_DEBUG fmt, ##__VA_ARGS__)
#define pr_cont(fmt, ...)   printk(KERN_CONT fmt, ##__VA_ARGS__)

/* bytes as they are, no timestamp or level, to the consoles and the log
 * ring (an application's standard output); a printk after a partial line
 * starts a new one */
void printk_raw(const char *s, size_t n);

/* The console shell's output to the serial port, not logged: under the
 * printk lock in pieces of up to 256 bytes, so that a kernel message from
 * another CPU lands between two writes, never inside one (a fresh make
 * test saw the DHCP line and the shell's banner interleaved character by
 * character).  Any context. */
void console_tty_write(const char *s, size_t n);

/* console loglevel: messages with level < this are printed */
extern int console_loglevel;

/* panic path: stop taking the console lock so a crash can always print */
void printk_enter_panic(void);

#endif
