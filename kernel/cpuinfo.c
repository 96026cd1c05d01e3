/* What each CPU says about itself: CPUID, its LAPIC timer rate and a
 * delay-loop calibration, gathered on that CPU as it comes up, and
 * /proc/cpuinfo in Linux's x86 layout (arch/x86/kernel/cpu/proc.c). */
#include "kernel/smp.h"
#include "fs/view.h"
#include "kernel/apic.h"
#include "kernel/percpu.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "lib/seq_buf.h"
#include <string.h>

/* the delay loop runs this many iterations per calibration round */
#define LPJ_CAL_LOOPS    (1UL << 20)

/* Linux's names for the CPUID feature bits it shows in "flags", in its
 * order: leaf 1 EDX, 0x80000001 EDX, leaf 1 ECX, 0x80000001 ECX, leaf 7 EBX
 * (arch/x86/include/asm/cpufeatures.h); the ones QEMU's CPU models set */
struct flag_name {
	u8 word, bit;
	const char *name;
};
enum { W_1_EDX, W_EXT_EDX, W_1_ECX, W_EXT_ECX, W_7_EBX };

static const struct flag_name flag_names[] = {
	{ W_1_EDX, 0, "fpu" }, { W_1_EDX, 1, "vme" }, { W_1_EDX, 2, "de" },
	{ W_1_EDX, 3, "pse" }, { W_1_EDX, 4, "tsc" }, { W_1_EDX, 5, "msr" },
	{ W_1_EDX, 6, "pae" }, { W_1_EDX, 7, "mce" }, { W_1_EDX, 8, "cx8" },
	{ W_1_EDX, 9, "apic" }, { W_1_EDX, 11, "sep" }, { W_1_EDX, 12, "mtrr" },
	{ W_1_EDX, 13, "pge" }, { W_1_EDX, 14, "mca" }, { W_1_EDX, 15, "cmov" },
	{ W_1_EDX, 16, "pat" }, { W_1_EDX, 17, "pse36" }, { W_1_EDX, 19, "clflush" },
	{ W_1_EDX, 23, "mmx" }, { W_1_EDX, 24, "fxsr" }, { W_1_EDX, 25, "sse" },
	{ W_1_EDX, 26, "sse2" }, { W_1_EDX, 27, "ss" }, { W_1_EDX, 28, "ht" },
	{ W_EXT_EDX, 11, "syscall" }, { W_EXT_EDX, 20, "nx" }, { W_EXT_EDX, 22, "mmxext" },
	{ W_EXT_EDX, 26, "pdpe1gb" }, { W_EXT_EDX, 27, "rdtscp" }, { W_EXT_EDX, 29, "lm" },
	{ W_1_ECX, 0, "pni" }, { W_1_ECX, 1, "pclmulqdq" }, { W_1_ECX, 3, "monitor" },
	{ W_1_ECX, 9, "ssse3" }, { W_1_ECX, 12, "fma" }, { W_1_ECX, 13, "cx16" },
	{ W_1_ECX, 19, "sse4_1" }, { W_1_ECX, 20, "sse4_2" }, { W_1_ECX, 21, "x2apic" },
	{ W_1_ECX, 22, "movbe" }, { W_1_ECX, 23, "popcnt" }, { W_1_ECX, 24, "tsc_deadline_timer" },
	{ W_1_ECX, 25, "aes" }, { W_1_ECX, 26, "xsave" }, { W_1_ECX, 28, "avx" },
	{ W_1_ECX, 29, "f16c" }, { W_1_ECX, 30, "rdrand" }, { W_1_ECX, 31, "hypervisor" },
	{ W_EXT_ECX, 0, "lahf_lm" }, { W_EXT_ECX, 1, "cmp_legacy" }, { W_EXT_ECX, 2, "svm" },
	{ W_EXT_ECX, 5, "abm" }, { W_EXT_ECX, 6, "sse4a" }, { W_EXT_ECX, 8, "3dnowprefetch" },
	{ W_7_EBX, 0, "fsgsbase" }, { W_7_EBX, 3, "bmi1" }, { W_7_EBX, 5, "avx2" },
	{ W_7_EBX, 7, "smep" }, { W_7_EBX, 8, "bmi2" }, { W_7_EBX, 9, "erms" },
	{ W_7_EBX, 18, "rdseed" }, { W_7_EBX, 19, "adx" }, { W_7_EBX, 20, "smap" },
};

static u32 flag_word(const struct cpuinfo_x86 *c, int word)
{
	switch (word) {
	case W_1_EDX: return c->cpuid_1_edx;
	case W_EXT_EDX: return c->ext_1_edx;
	case W_1_ECX: return c->cpuid_1_ecx;
	case W_EXT_ECX: return c->ext_1_ecx;
	default: return c->cpuid_7_ebx;
	}
}

/* Linux's delay loop (arch/x86/lib/delay.c delay_loop): loops_per_jiffy is
 * how many of its iterations one tick lasts on this CPU */
static void delay_loop(unsigned long loops)
{
	__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(loops) : : "cc");
}

static u64 calibrate_delay_loop(void)
{
	u64 best = ~0ULL;

	/* the fastest of three rounds: an emulator's vCPU may be descheduled */
	for (int i = 0; i < 3; i++) {
		u64 t0 = rdtsc();

		delay_loop(LPJ_CAL_LOOPS);
		best = MIN(best, rdtsc() - t0);
	}
	if (!best || !tsc_hz())
		return 0;
	return (u64)LPJ_CAL_LOOPS * tsc_hz() / HZ / best;
}

void cpuinfo_collect(struct cpuinfo_x86 *c)
{
	u32 a, b, cx, d, max, ext_max;

	memset(c, 0, sizeof(*c));
	c->apic_id = lapic_id();
	cpuid(0, 0, &max, &b, &cx, &d);
	memcpy(c->vendor, &b, 4);
	memcpy(c->vendor + 4, &d, 4);
	memcpy(c->vendor + 8, &cx, 4);
	cpuid(1, 0, &a, &b, &c->cpuid_1_ecx, &c->cpuid_1_edx);
	/* SDM vol.2A CPUID leaf 1 EAX: the family and model with their extensions */
	c->family = (a >> 8) & 0xf;
	c->model = (a >> 4) & 0xf;
	c->stepping = a & 0xf;
	if (c->family == 0xf)
		c->family += (a >> 20) & 0xff;
	if (c->family >= 6)
		c->model += ((a >> 16) & 0xf) << 4;
	if (max >= 7)
		cpuid(7, 0, &a, &c->cpuid_7_ebx, &cx, &d);
	cpuid(0x80000000, 0, &ext_max, &b, &cx, &d);
	if (ext_max >= 0x80000001)
		cpuid(0x80000001, 0, &a, &b, &c->ext_1_ecx, &c->ext_1_edx);
	if (ext_max >= 0x80000004) {
		u32 *w = (u32 *)c->model_name;

		for (u32 leaf = 0; leaf < 3; leaf++)
			cpuid(0x80000002 + leaf, 0, &w[leaf * 4], &w[leaf * 4 + 1],
			      &w[leaf * 4 + 2], &w[leaf * 4 + 3]);
	}
	/* the boot CPU's timer already runs the tick: clock.c measured it */
	c->lapic_timer_hz = smp_processor_id() == 0 ? lapic_timer_hz() : lapic_timer_calibrate_cpu();
	c->loops_per_jiffy = calibrate_delay_loop();
}

/* Linux's show_cpuinfo(): one block per online CPU, a blank line after each */
static int cpuinfo_proc_show(char *buf, size_t size, const char *const *args)
{
	struct seq_buf s;
	unsigned int n = nr_cpu_ids_online();

	(void)args;
	seq_buf_init(&s, buf, size);
	for (unsigned int cpu = 0; cpu < n; cpu++) {
		const struct cpuinfo_x86 *c = cpu_data(cpu);
		const char *name = c->model_name;
		u64 khz = tsc_hz() / 1000;

		while (*name == ' ')
			name++;
		seq_buf_printf(&s, "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\n"
			       "model\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n",
			       cpu, c->vendor, c->family, c->model, *name ? name : "unknown",
			       c->stepping);
		seq_buf_printf(&s, "cpu MHz\t\t: %llu.%03llu\n", (unsigned long long)(khz / 1000),
			       (unsigned long long)(khz % 1000));
		seq_buf_printf(&s, "physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\n"
			       "cpu cores\t: %u\napicid\t\t: %u\ninitial apicid\t: %u\n",
			       n, cpu, n, c->apic_id, c->apic_id);
		seq_buf_printf(&s, "flags\t\t:");
		for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++)
			if (flag_word(c, flag_names[i].word) & (1U << flag_names[i].bit))
				seq_buf_printf(&s, " %s", flag_names[i].name);
		/* Linux: bogomips = loops_per_jiffy / (500000 / HZ), two decimals */
		seq_buf_printf(&s, "\nbogomips\t: %lu.%02lu\n",
			       (unsigned long)(c->loops_per_jiffy / (500000 / HZ)),
			       (unsigned long)(c->loops_per_jiffy / (5000 / HZ) % 100));
		seq_buf_printf(&s, "lapic timer\t: %llu Hz\n\n",
			       (unsigned long long)c->lapic_timer_hz);
	}
	return seq_buf_used(&s);
}
VIEW("/proc/cpuinfo", cpuinfo_proc_show);
