/* The application processors' way from real mode to the kernel.
 *
 * smp.c copies smp_tr_start..smp_tr_end to SMP_TRAMPOLINE_PHYS and fills
 * the parameter block at its end, then sends INIT, SIPI, SIPI with vector
 * SMP_TRAMPOLINE_PHYS >> 12 (SDM vol.3A 9.4.4.1).  The AP starts here in
 * real mode with CS = SMP_TRAMPOLINE_PHYS >> 4, IP = 0, then, as the boot
 * CPU did in boot/entry.S: protected mode with a flat GDT, PAE, the boot
 * page tables (which map the page itself 1:1 and the kernel in the top
 * 2 GiB), EFER.LME (and NXE as the boot CPU has it), paging, a far jump to
 * 64-bit code, the AP's own stack, and a jump to smp_ap_entry in the
 * kernel's text with the kernel's CR3 in %rdi.  The blob is data here: it
 * runs only from its copy, so every address in it is computed for that
 * copy (TR_ADDR). */
#include "kernel/smp.h"

#define CR0_PE      (1 << 0)
#define CR0_WP      (1 << 16)
#define CR0_PG      (1 << 31)
#define CR4_PAE     (1 << 5)
#define MSR_EFER    0xC0000080
#define TR_CS32     0x08
#define TR_DS       0x10
#define TR_CS64     0x18
#define TR_ADDR(x)  (SMP_TRAMPOLINE_PHYS + ((x) - smp_tr_start))

	.section .rodata
	.balign 16
	.globl smp_tr_start, smp_tr_end, smp_tr_params
	.code16
smp_tr_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tr_gdt_ptr - smp_tr_start
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $TR_CS32, $TR_ADDR(tr_pm)

	.code32
tr_pm:
	movw $TR_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl TR_ADDR(tr_cr3), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl TR_ADDR(tr_efer), %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_WP), %eax
	movl %eax, %cr0
	ljmpl $TR_CS64, $TR_ADDR(tr_lm)

	.code64
tr_lm:
	movw $TR_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq TR_ADDR(tr_stack), %rsp
	movq TR_ADDR(tr_kcr3), %rdi
	movq TR_ADDR(tr_entry), %rax
	jmp *%rax

	.balign 8
tr_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff        /* 0x08: 32-bit code, 4 GiB */
	.quad 0x00cf92000000ffff        /* 0x10: data, 4 GiB */
	.quad 0x00af9a000000ffff        /* 0x18: 64-bit code */
tr_gdt_end:
tr_gdt_ptr:
	.short tr_gdt_end - tr_gdt - 1
	.long TR_ADDR(tr_gdt)

	/* struct smp_tr_params (kernel/smp.c) */
	.balign 8
smp_tr_params:
tr_stack:  .quad 0                      /* the AP's stack top */
tr_entry:  .quad 0                      /* smp_ap_entry */
tr_kcr3:   .quad 0                      /* the kernel's page tables */
tr_cr3:    .long 0                      /* the boot page tables (below 4 GiB) */
tr_efer:   .long 0                      /* EFER bits to set: LME, NXE */
smp_tr_end:

	/* In the kernel's text: switch to the kernel's page tables (the
	 * trampoline page is no longer mapped after this) and enter C. */
	.text
	.globl smp_ap_entry
smp_ap_entry:
	movq %rdi, %cr3
	xorl %ebp, %ebp
	call smp_ap_main
1:	cli
	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
