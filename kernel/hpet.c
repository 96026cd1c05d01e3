/* HPET: only the main counter, as a time reference for calibration.
 * IA-PC HPET specification 1.0a, section 2.3 (register set). */
#include "kernel/hpet.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/printk.h"

#define HPET_MMIO_SIZE          0x400

/* 2.3.4: general capabilities and ID */
#define HPET_GCAP_ID            0x000
#define  GCAP_COUNT_SIZE_CAP    BIT_ULL(13)     /* 64-bit main counter */
#define  GCAP_NUM_TIM_SHIFT     8
#define  GCAP_NUM_TIM_MASK      0x1f            /* number of timers - 1 */
#define  GCAP_CLK_PERIOD_SHIFT  32              /* femtoseconds per tick */
/* 2.3.5: general configuration */
#define HPET_GEN_CONF           0x010
#define  GEN_CONF_ENABLE_CNF    BIT_ULL(0)      /* main counter runs */
#define  GEN_CONF_LEG_RT_CNF    BIT_ULL(1)      /* legacy replacement of PIT/RTC IRQs */
/* 2.3.7: main counter */
#define HPET_MAIN_CNT           0x0f0
/* 2.3.8: timer n configuration and capabilities */
#define HPET_TN_CONF(n)         (0x100 + 0x20 * (n))
#define  TN_INT_ENB_CNF         BIT_ULL(2)

/* 2.3.4: COUNTER_CLK_PERIOD is at most 100 ns */
#define HPET_MAX_PERIOD_FS      100000000ULL

static volatile u64 *hpet_regs;
static u64 period_fs;
static bool counter_64;

static u64 hpet_reg_read(u32 off)
{
	return hpet_regs[off / 8];
}

static void hpet_reg_write(u32 off, u64 v)
{
	hpet_regs[off / 8] = v;
}

u64 hpet_read(void)
{
	return counter_64 ? hpet_reg_read(HPET_MAIN_CNT)
			  : *(volatile u32 *)&hpet_regs[HPET_MAIN_CNT / 8];
}

u64 hpet_counter_mask(void)
{
	return counter_64 ? ~0ULL : 0xffffffffULL;
}

u64 hpet_period_fs(void)
{
	return period_fs;
}

int hpet_init(u64 phys)
{
	u64 cap, conf;
	unsigned int timers;

	if (!phys)
		return -ENODEV;
	hpet_regs = mmio_map(phys, HPET_MMIO_SIZE);
	if (!hpet_regs)
		return -ENOMEM;
	cap = hpet_reg_read(HPET_GCAP_ID);
	period_fs = cap >> GCAP_CLK_PERIOD_SHIFT;
	if (!period_fs || period_fs > HPET_MAX_PERIOD_FS) {
		pr_warn("hpet: at %#llx reports a period of %llu fs: not used\n",
			(unsigned long long)phys, (unsigned long long)period_fs);
		period_fs = 0;
		mmio_unmap((void *)hpet_regs, HPET_MMIO_SIZE);
		hpet_regs = NULL;
		return -EINVAL;
	}
	counter_64 = cap & GCAP_COUNT_SIZE_CAP;
	timers = ((cap >> GCAP_NUM_TIM_SHIFT) & GCAP_NUM_TIM_MASK) + 1;
	for (unsigned int n = 0; n < timers; n++)
		hpet_reg_write(HPET_TN_CONF(n), hpet_reg_read(HPET_TN_CONF(n)) & ~TN_INT_ENB_CNF);
	/* no legacy replacement: the PIT keeps IRQ 0 (8259 mode ticks with it) */
	conf = hpet_reg_read(HPET_GEN_CONF) & ~GEN_CONF_LEG_RT_CNF;
	hpet_reg_write(HPET_GEN_CONF, conf | GEN_CONF_ENABLE_CNF);
	pr_info("hpet: at %#llx, %u timers, %llu Hz, %u-bit counter\n",
		(unsigned long long)phys, timers,
		(unsigned long long)(FSEC_PER_SEC / period_fs), counter_64 ? 64 : 32);
	return 0;
}
