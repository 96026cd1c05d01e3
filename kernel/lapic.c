/* The boot CPU's local APIC in xAPIC (MMIO) mode: enable, EOI, LVTs, timer.
 * Intel SDM vol.3A chapter 11 ("Advanced Programmable Interrupt Controller"). */
#include "kernel/apic.h"
#include "kernel/acpi.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/x86.h"

/* SDM vol.2A CPUID leaf 1: EDX bit 9, on-chip APIC */
#define CPUID_1_EDX_APIC          BIT(9)

/* SDM vol.3A 11.4.4: IA32_APIC_BASE MSR */
#define MSR_IA32_APIC_BASE        0x1b
#define APIC_BASE_BSP             BIT(8)
#define APIC_BASE_GLOBAL_ENABLE   BIT(11)
#define APIC_BASE_ADDR_MASK       0xffffff000ULL
#define LAPIC_MMIO_SIZE           0x1000

/* SDM vol.3A 11.4.1 table 11-1: local APIC register offsets */
#define LAPIC_ID                  0x020
#define  LAPIC_ID_SHIFT           24
#define LAPIC_VERSION             0x030
#define  LAPIC_VERSION_VERSION_MASK 0xff
#define  LAPIC_VERSION_MAXLVT_SHIFT 16
#define  LAPIC_VERSION_MAXLVT_MASK  0xff
#define LAPIC_TPR                 0x080
#define LAPIC_EOI                 0x0b0
#define LAPIC_SVR                 0x0f0
#define  LAPIC_SVR_ENABLE         BIT(8)   /* 11.4.3: APIC software enable */
#define LAPIC_ESR                 0x280
#define LAPIC_ICR_LOW             0x300
#define  LAPIC_ICR_DELIVERY_INIT  (5U << 8)  /* 11.6.1: delivery mode INIT */
#define  LAPIC_ICR_DELIVERY_STARTUP (6U << 8) /* 11.6.1: start-up (SIPI) */
#define  LAPIC_ICR_LEVEL          BIT(15)  /* 11.6.1: trigger mode level (INIT) */
#define LAPIC_ICR_HIGH            0x310
#define  LAPIC_ICR_DEST_SHIFT     24       /* 11.6.1: physical destination, xAPIC */
#define  LAPIC_ICR_ASSERT         BIT(14)  /* 11.6.1: level, 1 for every mode but INIT deassert */
#define  LAPIC_ICR_SELF           (1U << 18) /* 11.6.1: destination shorthand 01b, self */
#define  LAPIC_ICR_BUSY           BIT(12)  /* 11.6.1: delivery status, send pending */
#define LAPIC_LVT_TIMER           0x320
#define LAPIC_LVT_LINT0           0x350
#define LAPIC_LVT_LINT1           0x360
#define LAPIC_LVT_ERROR           0x370
#define LAPIC_TIMER_INITIAL       0x380
#define LAPIC_TIMER_CURRENT       0x390
#define LAPIC_TIMER_DIVIDE_CONF   0x3e0

/* SDM vol.3A 11.5.1 figure 11-8: local vector table fields */
#define LVT_VECTOR_MASK           0xff
#define LVT_DELIVERY_FIXED        (0U << 8)
#define LVT_DELIVERY_NMI          (4U << 8)
#define LVT_DELIVERY_EXTINT       (7U << 8)
#define LVT_ACTIVE_LOW            BIT(13)
#define LVT_LEVEL                 BIT(15)
#define LVT_MASKED                BIT(16)
#define LVT_TIMER_ONESHOT         (0U << 17)
#define LVT_TIMER_PERIODIC        (1U << 17)

/* SDM vol.3A 11.5.4 figure 11-10: divide configuration register */
#define LAPIC_DIVIDE_BY_16        0x3

/* SDM vol.3A 11.11.1: MSI message address */
#define MSI_ADDR_BASE             0xfee00000ULL
#define MSI_ADDR_DEST_ID_SHIFT    12

static volatile u32 *lapic_regs;
static u64 lapic_phys;
/* guards the ICR (two registers: destination, then the command that
 * sends) from the first write to the end of delivery; every context
 * (IPIs are sent from threads and from handlers), always irqsave.  The
 * self IPI (lapic_send_self_ipi) does without it */
static struct spinlock icr_lock = SPINLOCK_INIT("lapic-icr");

static inline u32 lapic_read(u32 reg)
{
	return lapic_regs[reg / 4];
}

static inline void lapic_write(u32 reg, u32 v)
{
	lapic_regs[reg / 4] = v;
}

/* SDM vol.3A 11.6.1: write the destination, then the command (which sends
 * it), and wait until the local APIC has delivered it; -ETIMEDOUT when the
 * delivery status stays busy for a millisecond */
static int lapic_icr_send(u32 apic_id, u32 low)
{
	unsigned long flags = spin_lock_irqsave(&icr_lock);
	u64 t0 = ktime_get_ns();
	int rc = 0;

	lapic_write(LAPIC_ICR_HIGH, apic_id << LAPIC_ICR_DEST_SHIFT);
	lapic_write(LAPIC_ICR_LOW, low);
	while (lapic_read(LAPIC_ICR_LOW) & LAPIC_ICR_BUSY) {
		if (ktime_get_ns() - t0 > NSEC_PER_MSEC) {
			rc = -ETIMEDOUT;
			break;
		}
		cpu_relax();
	}
	spin_unlock_irqrestore(&icr_lock, flags);
	return rc;
}

int lapic_send_ipi(u32 apic_id, int vector)
{
	if (!lapic_regs || vector < IRQ_VECTOR_FIRST || vector >= IRQ_VECTORS)
		return -EINVAL;
	return lapic_icr_send(apic_id, (u32)vector | LVT_DELIVERY_FIXED | LAPIC_ICR_ASSERT);
}

int lapic_send_nmi(u32 apic_id)
{
	if (!lapic_regs)
		return -EINVAL;
	return lapic_icr_send(apic_id, LVT_DELIVERY_NMI | LAPIC_ICR_ASSERT);
}

int lapic_send_init(u32 apic_id, bool assert)
{
	if (!lapic_regs)
		return -EINVAL;
	/* MP spec B.4.1: INIT is level triggered, asserted then deasserted */
	return lapic_icr_send(apic_id, LAPIC_ICR_DELIVERY_INIT | LAPIC_ICR_LEVEL |
			      (assert ? LAPIC_ICR_ASSERT : 0));
}

int lapic_send_startup(u32 apic_id, u32 page)
{
	if (!lapic_regs || page > 0xff)
		return -EINVAL;
	/* SDM vol.3A 9.4.4.1: the vector is the 4 KiB page the AP starts at */
	return lapic_icr_send(apic_id, LAPIC_ICR_DELIVERY_STARTUP | LAPIC_ICR_ASSERT | page);
}

int lapic_send_self_ipi(int vector)
{
	if (!lapic_regs || vector < IRQ_VECTOR_FIRST || vector >= IRQ_VECTORS)
		return -EINVAL;
	/* fixed delivery to ourselves: the vector arrives as a device's
	 * would.  No ICR lock: the self shorthand ignores the destination
	 * register, so a send interrupted between another sender's two
	 * writes changes nothing, and interrupts stay on (the vector is
	 * taken at once, as before the send returns) */
	lapic_write(LAPIC_ICR_LOW, (u32)vector | LVT_DELIVERY_FIXED | LAPIC_ICR_ASSERT |
		    LAPIC_ICR_SELF);
	while (lapic_read(LAPIC_ICR_LOW) & LAPIC_ICR_BUSY)
		cpu_relax();
	return 0;
}

bool lapic_present(void)
{
	return lapic_regs != NULL;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

u32 lapic_id(void)
{
	return lapic_regs ? lapic_read(LAPIC_ID) >> LAPIC_ID_SHIFT : 0;
}

u32 lapic_cpu_dest(unsigned int cpu)
{
	u32 id = cpu == smp_processor_id() ? ~0U : cpu_apic_id(cpu);

	return id == ~0U ? lapic_id() : id;
}

u64 lapic_msi_address(u32 dest_apic_id)
{
	return MSI_ADDR_BASE | ((u64)dest_apic_id << MSI_ADDR_DEST_ID_SHIFT);
}

void lapic_timer_start(u32 count, bool periodic, int vector, bool masked)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_DIVIDE_CONF, LAPIC_DIVIDE_BY_16);
	lapic_write(LAPIC_LVT_TIMER, (vector & LVT_VECTOR_MASK) |
		    (periodic ? LVT_TIMER_PERIODIC : LVT_TIMER_ONESHOT) | (masked ? LVT_MASKED : 0));
	/* 11.5.4: writing the initial count starts the countdown */
	lapic_write(LAPIC_TIMER_INITIAL, count);
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INITIAL, 0);
}

u32 lapic_timer_current(void)
{
	return lapic_read(LAPIC_TIMER_CURRENT);
}

/* ACPI MPS INTI flags -> LVT polarity/trigger bits (NMIs: edge, high by default) */
static u32 lvt_flags(u16 mps)
{
	u32 v = 0;

	if ((mps & ACPI_MPS_POLARITY_MASK) == ACPI_MPS_POLARITY_LOW)
		v |= LVT_ACTIVE_LOW;
	if ((mps & ACPI_MPS_TRIGGER_MASK) == ACPI_MPS_TRIGGER_LEVEL)
		v |= LVT_LEVEL;
	return v;
}

/* this CPU's ACPI processor UID, from the MADT entry with our APIC id */
static bool lapic_uid(const struct madt_info *m, u32 *uid)
{
	u32 id = lapic_id();

	for (int i = 0; i < MIN(m->nr_cpus, MADT_MAX_CPUS); i++)
		if (m->cpus[i].apic_id == id) {
			*uid = m->cpus[i].uid;
			return true;
		}
	return false;
}

/* LINT0: ExtINT (8259 through the LAPIC) or masked; LINT1: NMI */
static void lapic_setup_lints(bool lint0_extint)
{
	const struct madt_info *m = acpi_madt();
	u32 lint[2] = { LVT_MASKED, LVT_DELIVERY_NMI };
	u32 uid;

	if (m && lapic_uid(m, &uid)) {
		/* the MADT says where NMIs come in; without an entry LINT1 is
		 * left as the BIOS's virtual-wire default, NMI */
		for (int i = 0; i < m->nr_nmis; i++) {
			const struct madt_nmi *n = &m->nmis[i];

			if ((n->uid != ~0U && n->uid != uid) || n->lint > 1)
				continue;
			lint[n->lint] = LVT_DELIVERY_NMI | lvt_flags(n->flags);
		}
	}
	if (lint0_extint)
		lint[0] = LVT_DELIVERY_EXTINT;
	lapic_write(LAPIC_LVT_LINT0, lint[0]);
	lapic_write(LAPIC_LVT_LINT1, lint[1]);
}

/* this CPU's LAPIC: priorities, LVTs, error vector, software enable */
static void lapic_setup_local(bool lint0_extint)
{
	lapic_write(LAPIC_TPR, 0);                       /* accept every priority */
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_setup_lints(lint0_extint);
	lapic_write(LAPIC_LVT_ERROR, IRQ_VECTOR_ERROR);
	/* 11.5.3: the ESR is updated by a write; clear what the BIOS left */
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | IRQ_VECTOR_SPURIOUS);
	lapic_eoi();                                      /* nothing left in service */
}

int lapic_init_ap(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	if (!lapic_regs)
		return -ENODEV;
	/* every CPU's LAPIC answers at the same physical address; this
	 * one must sit where the boot CPU's mapping points */
	if ((base & APIC_BASE_ADDR_MASK) != lapic_phys)
		return -EINVAL;
	if (!(base & APIC_BASE_GLOBAL_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_GLOBAL_ENABLE);
	/* an AP never takes the 8259's ExtINT (virtual wire is the BSP's) */
	lapic_setup_local(false);
	return 0;
}

int lapic_init(bool lint0_extint)
{
	const struct madt_info *m = acpi_madt();
	u32 a, b, c, d;
	u64 base;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & CPUID_1_EDX_APIC)) {
		pr_warn("lapic: the CPU has no local APIC\n");
		return -ENODEV;
	}
	base = rdmsr(MSR_IA32_APIC_BASE);
	lapic_phys = m && m->lapic_address ? m->lapic_address : (base & APIC_BASE_ADDR_MASK);
	if ((base & APIC_BASE_ADDR_MASK) != lapic_phys)
		pr_warn("lapic: MADT address %#llx differs from IA32_APIC_BASE %#llx\n",
			(unsigned long long)lapic_phys,
			(unsigned long long)(base & APIC_BASE_ADDR_MASK));
	lapic_regs = mmio_map(lapic_phys, LAPIC_MMIO_SIZE);      /* uncached */
	if (!lapic_regs)
		return -ENOMEM;
	if (!(base & APIC_BASE_GLOBAL_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_GLOBAL_ENABLE);

	lapic_setup_local(lint0_extint);
	pr_info("lapic: id %u at %#llx, version %#x, %u LVT entries%s\n", lapic_id(),
		(unsigned long long)lapic_phys, lapic_read(LAPIC_VERSION) & LAPIC_VERSION_VERSION_MASK,
		((lapic_read(LAPIC_VERSION) >> LAPIC_VERSION_MAXLVT_SHIFT) &
		 LAPIC_VERSION_MAXLVT_MASK) + 1,
		lint0_extint ? ", LINT0 ExtINT (8259)" : "");
	return 0;
}
