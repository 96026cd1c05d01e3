/* Interrupt and exception entry: one stub per vector, one common path.
 *
 * Each stub makes the stack look the same for every vector: it pushes a zero
 * where the CPU pushes no error code (SDM vol.3A 6.13, 6.15: only 8, 10-14,
 * 17, 21, 29 and 30 have one), then the vector number.  The common path
 * saves every general register (TRAP_REGS_SAVE, kernel/trap_regs.inc, as
 * the system call entry does), so the stack holds a struct trap_frame
 * (kernel/idt.h), calls trap_dispatch(frame) and returns with iretq.
 *
 * Stack alignment: in 64-bit mode the CPU aligns RSP to 16 bytes before it
 * pushes its frame (SDM vol.3A 6.14.2); 6 + 1 + 15 pushes keep that, and the
 * two-word frame record below keeps it at the call, as the ABI requires.
 */
#include "kernel/idt.h"
#include "kernel/trap_regs.inc"

#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			   (v) == 21 || (v) == 29 || (v) == 30)

	.section .rodata
	.balign 8
	.globl isr_stub_table
isr_stub_table:                 /* IDT_VECTORS entry addresses, filled below */

	.text
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept IDT_VECTORS
	.balign 16
9:
	.if HAS_ERROR_CODE(vec) == 0
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	.pushsection .rodata
	.quad 9b
	.popsection
	.set vec, vec + 1
	.endr

	.balign 16
isr_common:
	TRAP_REGS_SAVE
	movq %rsp, %rdi                 /* struct trap_frame * */
	/* A frame record (saved rbp, "return address") for the interrupted
	 * code, so a backtrace taken inside a handler walks on into it. */
	pushq TF_RIP(%rdi)
	pushq TF_RBP(%rdi)
	movq %rsp, %rbp
	call trap_dispatch
	addq $16, %rsp
	TRAP_REGS_RESTORE

	.section .note.GNU-stack, "", @progbits
