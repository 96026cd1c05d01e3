/* VGA text console (80x25 at physical 0xB8000), a mirror of the serial log
 * for bare hardware booted by a BIOS.  Scrolls; no cursor or colours beyond
 * light grey on black. */
#include "kernel/console.h"
#include "kernel/mm.h"
#include "kernel/x86.h"
#include <string.h>

#define VGA_TEXT_PHYS 0xB8000
#define VGA_COLS      80
#define VGA_ROWS      25
#define VGA_ATTR      0x07          /* light grey on black */
#define VGA_CRTC_ADDR 0x3D4
#define VGA_CRTC_DATA 0x3D5
#define CRTC_CURSOR_START 0x0A
#define CURSOR_DISABLE    0x20

static volatile u16 *vga_buf;
static int vga_row, vga_col;

void vga_init(void)
{
	vga_buf = phys_to_virt(VGA_TEXT_PHYS);
	for (int i = 0; i < VGA_COLS * VGA_ROWS; i++)
		vga_buf[i] = (VGA_ATTR << 8) | ' ';
	vga_row = vga_col = 0;
	outb(VGA_CRTC_ADDR, CRTC_CURSOR_START);
	outb(VGA_CRTC_DATA, CURSOR_DISABLE);
}

static void vga_newline(void)
{
	vga_col = 0;
	if (++vga_row < VGA_ROWS)
		return;
	for (int i = 0; i < VGA_COLS * (VGA_ROWS - 1); i++)
		vga_buf[i] = vga_buf[i + VGA_COLS];
	for (int i = 0; i < VGA_COLS; i++)
		vga_buf[(VGA_ROWS - 1) * VGA_COLS + i] = (VGA_ATTR << 8) | ' ';
	vga_row = VGA_ROWS - 1;
}

void vga_write(const char *s, size_t n)
{
	if (!vga_buf)
		return;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\n') {
			vga_newline();
			continue;
		}
		if (c == '\r') {
			vga_col = 0;
			continue;
		}
		vga_buf[vga_row * VGA_COLS + vga_col] = (VGA_ATTR << 8) | (u8)c;
		if (++vga_col == VGA_COLS)
			vga_newline();
	}
}

void console_write(const char *s, size_t n)
{
	serial_write(s, n);
	vga_write(s, n);
}
