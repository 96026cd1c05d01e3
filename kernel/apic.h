/* Interrupt controllers: the boot CPU's local APIC (kernel/lapic.c), the
 * IOAPICs (kernel/ioapic.c), the legacy 8259 pair (kernel/pic.c) and the
 * choice between them (kernel/intc.c, cmdline `pic=apic|8259`). */
#ifndef KERNEL_APIC_H
#define KERNEL_APIC_H

#include "kernel/types.h"

/* --- local APIC (xAPIC, memory-mapped) --- */

/* Enable the boot CPU's LAPIC: software-enable through the SVR with the
 * spurious vector, error LVT, LINT0/LINT1 from the MADT's NMI entries.
 * lint0_extint routes the 8259's INTR through LINT0 (8259 mode).
 * Returns -ENODEV when the CPU has no APIC. */
int lapic_init(bool lint0_extint);
/* Enable an application processor's LAPIC (on that CPU) as lapic_init()
 * does the boot CPU's, LINT0 masked.  0, -ENODEV (no LAPIC mapped) or
 * -EINVAL (the CPU's APIC base differs from the boot CPU's). */
int lapic_init_ap(void);
/* Inter-processor interrupts (SDM vol.3A 11.6): a fixed vector, an NMI,
 * INIT (asserted or deasserted) and a start-up IPI to the physical APIC
 * id apic_id.  Each waits for the local APIC to send it: 0, -EINVAL, or
 * -ETIMEDOUT when the send stayed pending for a millisecond.  page is the
 * 4 KiB page (below 1 MiB) where a started AP begins in real mode. */
int lapic_send_ipi(u32 apic_id, int vector);
int lapic_send_nmi(u32 apic_id);
int lapic_send_init(u32 apic_id, bool assert);
int lapic_send_startup(u32 apic_id, u32 page);
/* true once lapic_init succeeded */
bool lapic_present(void);
/* raise vector on this CPU as a fixed interrupt (self IPI): fault
 * injection's spurious device interrupts.  0 or -EINVAL */
int lapic_send_self_ipi(int vector);
/* end of interrupt for the interrupt in service */
void lapic_eoi(void);
/* this CPU's APIC id */
u32 lapic_id(void);
/* the APIC id to send an interrupt for cpu to (an IOAPIC entry's or an
 * MSI message's destination): this CPU's own id when cpu is this CPU or
 * not online (routes made before the APs start) */
u32 lapic_cpu_dest(unsigned int cpu);
/* MSI message address that targets dest_apic_id (0xFEE00000 | dest << 12) */
u64 lapic_msi_address(u32 dest_apic_id);

/* the timer counts down at the bus clock divided by this */
#define LAPIC_TIMER_DIVIDE 16
/* the timer counts are 32 bits wide */
#define LAPIC_TIMER_COUNT_MAX 0xffffffffU
/* start the timer: count ticks, once or periodically, on vector; a masked
 * timer counts but raises no interrupt (calibration) */
void lapic_timer_start(u32 count, bool periodic, int vector, bool masked);
void lapic_timer_stop(void);
/* the timer's current count */
u32 lapic_timer_current(void);

/* --- IOAPIC --- */

/* every IOAPIC the MADT lists, all pins masked; -ENODEV without any */
int ioapic_init(void);
/* route gsi to vector on the boot CPU, unmasked; -ENOENT for no such GSI */
int ioapic_route_gsi(u32 gsi, int vector, bool level, bool active_low);
/* mask or unmask gsi; -ENOENT for no such GSI */
int ioapic_mask_gsi(u32 gsi, bool masked);

/* --- 8259 pair --- */

#define PIC_NR_IRQS 16
/* remap to IRQ_VECTOR_PIC_BASE.. and mask every line */
void pic_init(void);
void pic_mask_irq(int irq, bool masked);
/* end of interrupt for irq.  True for an IRQ 7 or 15 that is not in
 * service: the 8259's own spurious interrupt (a level request withdrawn
 * before INTA), not a device's; it gets no EOI (IRQ 15's: the master's) */
bool pic_eoi_irq(int irq);

/* --- the choice --- */

/* set up the controllers: APIC mode (8259 masked, IOAPICs) when the MADT
 * allows and the cmdline does not say pic=8259; sets irq_eoi */
int intc_init(void);
/* true when pic=8259 or there is no MADT */
bool irq_using_8259(void);
/* route ISA IRQ isa_irq to vector, applying the MADT overrides; in 8259
 * mode the vector must be IRQ_VECTOR_PIC_BASE + isa_irq (else -EINVAL) */
int irq_route_isa(int isa_irq, int vector);

#endif
