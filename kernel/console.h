/* Consoles: the 16550 serial port (COM1) and the VGA text screen. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "kernel/types.h"

/* COM1 at 115200 8N1, polled; safe to call before anything else */
void serial_init(void);
void serial_write(const char *s, size_t n);
/* one byte from COM1, or -1 if none is waiting (polled; early boot only:
 * once serial_rx_init ran, read with serial_rx_getc) */
int serial_getc(void);
/* serial_init found a UART */
bool serial_exists(void);

/* COM1 input by interrupt (kernel/serial_rx.c): IRQ 4 through
 * irq_route_isa, the 16550's received-data interrupt, a ring the hard IRQ
 * fills.  After intc_init; 0, or -ENODEV without a UART (the routing
 * errors of irq_route_isa otherwise).  If no interrupt comes while data
 * waits, input falls back to polling the UART (cmdline serial_irq=off
 * starts without the interrupt, to exercise that path). */
int serial_rx_init(void);
/* the next received byte, or -1; thread context (the console shell's
 * thread), never from an interrupt handler */
int serial_rx_getc(void);
/* input is waiting */
bool serial_rx_pending(void);
/* sleep until input is pending or ms milliseconds passed (the receive
 * interrupt wakes the sleeper); thread context */
void serial_rx_wait(unsigned int ms);

/* VGA text mode at 0xB8000 (BIOS boots); a no-op where there is none */
void vga_init(void);
void vga_write(const char *s, size_t n);

/* write to every console */
void console_write(const char *s, size_t n);

#endif
