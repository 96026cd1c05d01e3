/* Consoles: the 16550 serial port (COM1) and the VGA text screen. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "kernel/types.h"

/* COM1 at 115200 8N1, polled; safe to call before anything else */
void serial_init(void);
void serial_write(const char *s, size_t n);
/* one byte from COM1, or -1 if none is waiting */
int serial_getc(void);

/* VGA text mode at 0xB8000 (BIOS boots); a no-op where there is none */
void vga_init(void);
void vga_write(const char *s, size_t n);

/* write to every console */
void console_write(const char *s, size_t n);

#endif
