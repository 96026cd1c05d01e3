/* Entry from the application (CPL 3) by the `syscall` instruction, and the
 * way back by iretq (kernel/app/app.h).
 *
 * SYSCALL (SDM vol.2B) leaves the user RIP in %rcx and RFLAGS in %r11,
 * loads CS/SS from MSR_STAR and clears the RFLAGS bits of MSR_SFMASK (IF
 * among them), and does not touch %rsp: the first instructions move to the
 * thread's kernel stack, whose top sits in the per-CPU app_kernel_rsp
 * (app_switch_to sets it with TSS.RSP0).  GS holds the kernel's per-CPU
 * base at all times: the application never changes it (musl uses FS only),
 * so no swapgs.  The frame built is the struct trap_frame every interrupt
 * builds (vector -1 marks a system call), so one return path serves both
 * and a new thread starts by app_enter_user() on a frame of its own.
 *
 * The way back is iretq, not sysretq: it restores RSP, RFLAGS and both
 * selectors from the frame, and a non-canonical RIP faults in user mode
 * rather than at CPL 0 (SYSRET's #GP on Intel would run on the user stack).
 */
#include "kernel/gdt.h"
#include "kernel/idt.h"
#include "kernel/trap_regs.inc"

#define RFLAGS_IF 0x200                 /* SDM vol.1 3.4.3 */

	.text
	.balign 16
	.globl app_syscall_entry
app_syscall_entry:
	movq %rsp, %gs:app_user_rsp
	movq %gs:app_kernel_rsp, %rsp
	pushq $GDT_USER_DS              /* ss */
	pushq %gs:app_user_rsp          /* rsp */
	pushq %r11                      /* rflags */
	pushq $GDT_USER_CS              /* cs */
	pushq %rcx                      /* rip */
	pushq $0                        /* error code */
	pushq $-1                       /* vector: a system call */
	TRAP_REGS_SAVE
	movq %rsp, %rdi                 /* struct trap_frame * */
	xorl %ebp, %ebp                 /* backtraces stop here */
	/* interrupts on for the call, by popfq rather than sti: QEMU's TCG
	 * emulates sti's one-instruction interrupt shadow by leaving its
	 * translated code twice, popfq once (no shadow is needed here) */
	pushfq
	orq $RFLAGS_IF, (%rsp)
	popfq
	call app_syscall
	cli
	movq %rsp, %rdi
	call app_exit_to_user
	jmp app_pop_frame

	/* app_enter_user(struct trap_frame *tf): a new thread's first entry */
	.globl app_enter_user
app_enter_user:
	cli
	movq %rdi, %rsp
app_pop_frame:
	TRAP_REGS_RESTORE

	.section .note.GNU-stack, "", @progbits
