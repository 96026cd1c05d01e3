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
 * The way back is sysretq when it restores what iretq would, Linux's rule
 * (do_syscall_64, arch/x86/entry): RCX equal to RIP and R11
 * to RFLAGS (SYSRET takes RIP from RCX and RFLAGS from R11: a frame a
 * signal or a restart changed has them apart), RIP canonical in the user
 * half (Intel's SYSRET raises #GP for a non-canonical RCX at CPL 0, on the
 * user's stack), neither TF nor RF set (SYSRET cannot restore RF, and TF
 * would trap after the first user instruction), and the user selectors
 * SYSRET loads (MSR_STAR, kernel/gdt.h).  Anything else returns by iretq,
 * which restores the whole frame.  Under QEMU's TCG both leave the
 * translated code, but helper_sysret sets RFLAGS and two segment caches
 * from registers where helper_iret_protected reads five quads off the
 * stack and both descriptors from the GDT and checks them.  Between the
 * user RSP's load and sysretq interrupts are off and NMI and #MC run on
 * IST stacks (kernel/idt.c), as in Linux.
 */
#include "kernel/gdt.h"
#include "kernel/idt.h"
#include "kernel/trap_regs.inc"

#define RFLAGS_TF 0x100                 /* SDM vol.1 3.4.3 */
#define RFLAGS_IF 0x200
#define RFLAGS_RF 0x10000
#define USER_VA_BITS 47                 /* RIP >> 47 == 0: the user half */

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
	/* interrupts still off (SFMASK): app_syscall turns them on for
	 * every call but the datagram ones' part that cannot wait
	 * (kernel/app/syscall.c, app_dgram_call) */
	call app_syscall                /* back with interrupts off and
					 * app_exit_to_user's work done */
	/* sysretq or iretq (above): one branch, on the OR of the tests */
	movq TF_RCX(%rsp), %rcx
	movq TF_R11(%rsp), %r11
	movq TF_RIP(%rsp), %rax
	xorq %rcx, %rax                 /* RCX == RIP */
	movq TF_RFLAGS(%rsp), %rdx
	xorq %r11, %rdx                 /* R11 == RFLAGS */
	orq %rdx, %rax
	movq %rcx, %rdx
	shrq $USER_VA_BITS, %rdx        /* canonical, user half */
	orq %rdx, %rax
	movl %r11d, %edx
	andl $(RFLAGS_TF | RFLAGS_RF), %edx
	orq %rdx, %rax
	movq TF_CS(%rsp), %rdx
	xorq $GDT_USER_CS, %rdx
	orq %rdx, %rax
	movq TF_SS(%rsp), %rdx
	xorq $GDT_USER_DS, %rdx
	orq %rdx, %rax
	jnz app_pop_frame
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	addq $8, %rsp                   /* r11: in %r11 already */
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	addq $8, %rsp                   /* rcx: in %rcx already */
	popq %rbx
	popq %rax
	/* at the vector: the user RSP is TF_RSP - TF_VECTOR above */
	movq (TF_RSP - TF_VECTOR)(%rsp), %rsp
	sysretq

	/* app_enter_user(struct trap_frame *tf): a new thread's first entry */
	.globl app_enter_user
app_enter_user:
	cli
	movq %rdi, %rsp
app_pop_frame:
	TRAP_REGS_RESTORE

	.section .note.GNU-stack, "", @progbits
