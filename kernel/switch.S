/* Switching kernel threads (kernel/sched.c).
 *
 * switch_to(&prev->sp, next->sp): push the registers the SysV ABI makes
 * the callee save, keep the stack pointer in prev, take next's, pop its
 * registers and return where next called switch_to -- or, for a thread
 * that never ran, into kthread_trampoline (kthread_create lays out that
 * first frame: six zero registers, then the trampoline's address). */
	.text
	.globl switch_to
switch_to:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	/* a new thread's first instructions: an ABI-aligned call into C,
	 * which never returns (kthread_exit) */
	.globl kthread_trampoline
kthread_trampoline:
	xorl %ebp, %ebp
	andq $-16, %rsp
	call kthread_entry
	ud2

	.section .note.GNU-stack, "", @progbits
