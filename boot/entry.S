/* 32-bit protected mode entry -> 64-bit long mode -> kmain().
 *
 * Entered by QEMU's multiboot1 loader or GRUB's multiboot2 loader with
 * %eax = boot magic, %ebx = physical address of the boot information,
 * paging off, interrupts off.  This code runs at its physical address but is
 * linked in the top 2 GiB, so every absolute reference goes through PHYS().
 *
 * Early page tables (Intel SDM vol. 3A, 4.5: 4-level paging, 2 MiB pages):
 *   PML4[0]     identity map of 0..4 GiB (only for the jump to the high half)
 *   PML4[273]   direct map of 0..4 GiB at DIRECT_MAP_BASE (kernel/mm.c extends it)
 *   PML4[511]   kernel image: -2 GiB .. 0 -> 0..2 GiB
 */
#define KERNEL_VMA      0xffffffff80000000
#define DIRECT_MAP_BASE 0xffff888000000000
#define PHYS(x) ((x) - KERNEL_VMA)

#define PTE_P     0x001
#define PTE_W     0x002
#define PTE_PS    0x080      /* 2 MiB page in a PD entry */
#define CR0_PE    (1 << 0)
#define CR0_WP    (1 << 16)
#define CR0_PG    (1 << 31)
#define CR4_PAE   (1 << 5)
#define MSR_EFER  0xC0000080
#define EFER_LME  (1 << 8)
#define EFER_NXE  (1 << 11)
#define CPUID_EXT_LM  (1 << 29)
#define CPUID_EXT_NX  (1 << 20)
#define COM1      0x3f8
#define BOOT_STACK_SIZE 32768

    .section .boot.text, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    movl %eax, %edi                 /* boot magic */
    movl %ebx, %esi                 /* boot info (physical) */
    rdtsc                           /* "time from the first instruction" */
    movl %eax, PHYS(boot_tsc)
    movl %edx, PHYS(boot_tsc) + 4
    movl $PHYS(boot_stack_top), %esp

    /* zero .bss; the page tables live there (GRUB and QEMU zero it too,
     * but nothing promises that for every loader) */
    movl $PHYS(__bss_start), %ebx
1:  cmpl $PHYS(__bss_end), %ebx
    jae 2f
    movl $0, (%ebx)
    addl $4, %ebx
    jmp 1b
2:
    /* long mode available? */
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb no_long_mode
    movl $0x80000001, %eax
    cpuid
    testl $CPUID_EXT_LM, %edx
    jz no_long_mode
    movl %edx, %ebp                 /* keep the NX bit */

    /* 4 page directories of 2 MiB pages: 0..4 GiB */
    movl $PHYS(boot_pd), %ebx
    xorl %ecx, %ecx
3:  movl %ecx, %eax
    shll $21, %eax
    orl $(PTE_P | PTE_W | PTE_PS), %eax
    movl %eax, (%ebx, %ecx, 8)
    movl %ecx, %eax
    shrl $11, %eax                  /* high dword: bits 32+ of ecx << 21 */
    movl %eax, 4(%ebx, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jb 3b

    /* PDPT for the low identity map and the direct map: 4 x 1 GiB */
    movl $PHYS(boot_pdpt_low), %ebx
    movl $PHYS(boot_pd) + (PTE_P | PTE_W), %eax
    movl %eax, 0(%ebx)
    addl $4096, %eax
    movl %eax, 8(%ebx)
    addl $4096, %eax
    movl %eax, 16(%ebx)
    addl $4096, %eax
    movl %eax, 24(%ebx)

    /* PDPT for the kernel: entries 510, 511 -> first 2 GiB */
    movl $PHYS(boot_pdpt_high), %ebx
    movl $PHYS(boot_pd) + (PTE_P | PTE_W), %eax
    movl %eax, 510*8(%ebx)
    addl $4096, %eax
    movl %eax, 511*8(%ebx)

    movl $PHYS(boot_pml4), %ebx
    movl $PHYS(boot_pdpt_low) + (PTE_P | PTE_W), %eax
    movl %eax, 0(%ebx)
    movl %eax, ((DIRECT_MAP_BASE >> 39) & 511)*8(%ebx)
    movl $PHYS(boot_pdpt_high) + (PTE_P | PTE_W), %eax
    movl %eax, 511*8(%ebx)

    movl %cr4, %eax
    orl $CR4_PAE, %eax
    movl %eax, %cr4
    movl %ebx, %cr3

    movl $MSR_EFER, %ecx
    rdmsr
    orl $EFER_LME, %eax
    testl $CPUID_EXT_NX, %ebp
    jz 4f
    orl $EFER_NXE, %eax
4:  wrmsr

    movl %cr0, %eax
    orl $(CR0_PG | CR0_PE | CR0_WP), %eax
    movl %eax, %cr0

    lgdt PHYS(boot_gdt_ptr)
    ljmp $0x08, $PHYS(long_mode_low)

no_long_mode:
    /* no printk yet: say it on COM1 by hand, then stop */
    movl $PHYS(no_lm_msg), %ebx
5:  movb (%ebx), %al
    testb %al, %al
    jz 6f
    movw $COM1, %dx
    outb %al, %dx
    incl %ebx
    jmp 5b
6:  hlt
    jmp 6b

    .code64
long_mode_low:
    movabs $long_mode_high, %rax
    jmp *%rax
long_mode_high:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movabs $boot_stack_top, %rsp
    xorl %ebp, %ebp
    /* kmain(magic = %edi, info_phys = %esi): already in place */
    call kmain
7:  cli
    hlt
    jmp 7b

    .section .rodata
no_lm_msg:
    .asciz "barenet: this CPU has no 64-bit long mode; stopping\r\n"

    .balign 16
boot_gdt:
    .quad 0
    .quad 0x00209A0000000000        /* 0x08: 64-bit code, DPL0 */
    .quad 0x0000920000000000        /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
    .short boot_gdt_end - boot_gdt - 1
    .long PHYS(boot_gdt)

    .data
    .balign 8
    .globl boot_tsc
boot_tsc:
    .quad 0

    .bss
    .balign 4096
    .globl boot_pml4
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4 * 4096
    /* the boot stack, with a page below it that mm_init leaves unmapped:
     * an overflow faults instead of running into the page tables below */
    .balign 4096
    .globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
    .skip 4096
boot_stack_bottom:
    .skip BOOT_STACK_SIZE
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
