/* Intel 8254 PIT: channel 2 polled through port 0x61, channel 0 periodic.
 * Intel 8254 datasheet (order 231164): control word and modes 0 and 2;
 * port 0x61 is the PC/AT "NMI status and control" register (Intel ICH/PCH
 * datasheets: NMI_STS_CNT). */
#include "kernel/pit.h"
#include "kernel/errno.h"
#include "kernel/x86.h"

#define PIT_CH0_DATA        0x40
#define PIT_CH2_DATA        0x42
#define PIT_CONTROL         0x43

/* 8254 control word: SC1:SC0 counter, RW1:RW0 access, M2:M0 mode, BCD */
#define PIT_SEL_CH0         (0U << 6)
#define PIT_SEL_CH2         (2U << 6)
#define PIT_RW_LATCH        (0U << 4)   /* counter latch command */
#define PIT_RW_LSB_MSB      (3U << 4)
#define PIT_MODE_0          (0U << 1)   /* interrupt on terminal count */
#define PIT_MODE_2          (2U << 1)   /* rate generator */
#define PIT_BINARY          0U
#define PIT_BYTE_MASK       0xff
#define PIT_BYTE_SHIFT      8

/* port 0x61 (NMI_STS_CNT) */
#define PORT_NMI_SC         0x61
#define NMI_SC_TIM2_GATE    BIT(0)      /* timer 2 gate */
#define NMI_SC_SPKR_DAT_EN  BIT(1)      /* speaker data enable */
#define NMI_SC_TMR2_OUT_STS BIT(5)      /* timer 2 output, read-only */

static void pit_load(u16 data_port, u16 count)
{
	outb(data_port, count & PIT_BYTE_MASK);
	outb(data_port, count >> PIT_BYTE_SHIFT);
}

void pit_oneshot_start(u16 count)
{
	u8 sc = inb(PORT_NMI_SC);

	/* gate on so the counter runs, speaker off so nothing beeps */
	outb(PORT_NMI_SC, (sc & ~NMI_SC_SPKR_DAT_EN) | NMI_SC_TIM2_GATE);
	/* mode 0: OUT2 goes low at the control word, high at terminal count */
	outb(PIT_CONTROL, PIT_SEL_CH2 | PIT_RW_LSB_MSB | PIT_MODE_0 | PIT_BINARY);
	pit_load(PIT_CH2_DATA, count);
}

bool pit_oneshot_done(void)
{
	return inb(PORT_NMI_SC) & NMI_SC_TMR2_OUT_STS;
}

u16 pit_oneshot_read(void)
{
	u8 lo, hi;

	outb(PIT_CONTROL, PIT_SEL_CH2 | PIT_RW_LATCH);
	lo = inb(PIT_CH2_DATA);
	hi = inb(PIT_CH2_DATA);
	return (u16)hi << PIT_BYTE_SHIFT | lo;
}

int pit_periodic_start(unsigned int hz)
{
	u64 count = hz ? (PIT_HZ + hz / 2) / hz : 0;

	if (count < 2 || count > PIT_MAX_COUNT)
		return -EINVAL;
	outb(PIT_CONTROL, PIT_SEL_CH0 | PIT_RW_LSB_MSB | PIT_MODE_2 | PIT_BINARY);
	pit_load(PIT_CH0_DATA, count);
	return 0;
}
