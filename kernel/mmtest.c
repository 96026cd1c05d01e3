/* `mmtest`: a boot-time self-check of the memory code, run by mm_init.
 *
 *   mmtest                page tables, page allocator (down to exhaustion),
 *                         kmalloc, DMA buffers, mmio_map, RAM above 4 GiB;
 *                         prints "mmtest: ok ..." or "mmtest: FAIL <why>"
 *                         (and powers off with EXIT_FAIL)
 *   mmtest=nullderef      read address 0: must fault
 *   mmtest=stackoverflow  recurse until the boot stack's guard page: must fault
 * The faults are reported by the exception handlers (kernel/idt.c).
 * `selftest=mm` runs the same checks after boot, minus the in-place probes
 * of RAM above 4 GiB (by then devices may own some of it).
 */
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/mm_internal.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/x86.h"
#include <stdio.h>
#include <string.h>

#define MSR_IA32_APIC_BASE      0x1B            /* SDM vol.3A 10.4.4 */
#define APIC_BASE_ENABLE        BIT(11)
#define APIC_BASE_ADDR_MASK     0x000ffffffffff000ULL
#define LAPIC_VERSION           0x30            /* SDM vol.3A table 10-1 */
#define LAPIC_VERSION_MASK      0xf0
#define LAPIC_VERSION_INTEGRATED 0x10           /* 1xH: integrated APIC (10.4.8) */
#define CPUID_1_EDX_APIC        BIT(9)
#define STACK_PROBE_FRAME       512
#define TAG                     0x6d6d74657374ULL       /* "mmtest" */

enum mmtest_mode { MMTEST_OFF, MMTEST_RUN, MMTEST_NULLDEREF, MMTEST_STACKOVERFLOW };
static enum mmtest_mode mode;
static char why[160];

static int set_mmtest(const char *v)
{
	if (!*v)
		mode = MMTEST_RUN;
	else if (!strcmp(v, "nullderef"))
		mode = MMTEST_NULLDEREF;
	else if (!strcmp(v, "stackoverflow"))
		mode = MMTEST_STACKOVERFLOW;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_OPT("mmtest", set_mmtest, "memory self-check: mmtest | mmtest=nullderef|stackoverflow");

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			snprintf(why, sizeof(why), __VA_ARGS__);             \
			return -EFAULT;                                      \
		}                                                            \
	} while (0)

static u32 rand_next(u32 *s)
{
	*s = *s * 1103515245 + 12345;
	return *s >> 8;
}

static int check_layout(void)
{
	u64 ps, e;

	CHECK(!paging_lookup(0, NULL), "address 0 is mapped");
	CHECK(!paging_lookup((u64)boot_stack_guard, NULL), "stack guard page %p is mapped",
	      boot_stack_guard);
	CHECK(paging_lookup((u64)boot_stack_bottom, NULL), "boot stack not mapped");
	e = paging_lookup((u64)check_layout, NULL);
	CHECK(e && !(e & PTE_W), "kernel text is writable or unmapped (pte %#llx)",
	      (unsigned long long)e);
	e = paging_lookup((u64)&mode, NULL);
	CHECK(e & PTE_W, "kernel data not writable");
	e = paging_lookup(DIRECT_MAP_BASE + MiB(1), &ps);
	CHECK(e && ps >= MiB(2), "direct map at 1 MiB uses %llu KiB pages",
	      (unsigned long long)ps / 1024);
	return 0;
}

/* allocate every free page, largest blocks first, tag them, check, free */
static int check_exhaustion(u64 base_free, u64 *above4g)
{
	void *head = NULL;
	u64 pages = 0;

	for (int order = PAGE_MAX_ORDER; order >= 0; order--) {
		u64 *p;

		while ((p = page_alloc(order))) {
			u64 words = (PAGE_SIZE << order) / sizeof(u64);

			p[0] = (u64)head;
			p[1] = (u64)p ^ TAG;
			p[words - 1] = ~((u64)p ^ TAG);
			p[2] = order;
			head = p;
			pages += 1ULL << order;
			if (virt_to_phys(p) >= GiB(4))
				(*above4g)++;
		}
	}
	CHECK(pages == base_free, "allocated %llu pages of %llu free",
	      (unsigned long long)pages, (unsigned long long)base_free);
	CHECK(!page_alloc(0) && page_free_count() == 0, "memory left after exhaustion");
	while (head) {
		u64 *p = head;
		unsigned order = p[2];

		CHECK(order <= PAGE_MAX_ORDER && p[1] == ((u64)p ^ TAG) &&
		      p[(PAGE_SIZE << order) / sizeof(u64) - 1] == ~((u64)p ^ TAG),
		      "block %p overwritten", (void *)p);
		head = (void *)p[0];
		page_free(p, order);
	}
	CHECK(page_free_count() == base_free, "free pages %zu after exhaustion, expected %llu",
	      page_free_count(), (unsigned long long)base_free);
	CHECK(page_alloc_check() == 0, "page free lists inconsistent");
	return 0;
}

static int check_page_patterns(void)
{
	enum { N = 200 };
	static struct { u8 *p; unsigned order; } b[N];
	u32 seed = 1;

	for (int i = 0; i < N; i++) {
		b[i].order = rand_next(&seed) % 5;
		b[i].p = page_alloc(b[i].order);
		CHECK(b[i].p, "page_alloc(%u) failed", b[i].order);
		CHECK(IS_ALIGNED(virt_to_phys(b[i].p), PAGE_SIZE << b[i].order),
		      "block %p not naturally aligned", b[i].p);
		memset(b[i].p, i, PAGE_SIZE << b[i].order);
	}
	for (int i = 0; i < N; i++) {
		for (size_t j = 0; j < (PAGE_SIZE << b[i].order); j += 61)
			CHECK(b[i].p[j] == (u8)i, "page block %p byte %zu overwritten", b[i].p, j);
		page_free(b[i].p, b[i].order);
	}
	return 0;
}

static int check_kmalloc(void)
{
	enum { N = 1000 };
	static struct { u8 *p; size_t size; } o[N];
	size_t live = kmalloc_live_objects();
	u32 seed = 2;

	for (int i = 0; i < N; i++) {
		o[i].size = i % 10 ? rand_next(&seed) % 2048 + 1 : rand_next(&seed) % 20000 + 1;
		o[i].p = i & 1 ? kzalloc(o[i].size) : kmalloc(o[i].size);
		CHECK(o[i].p && IS_ALIGNED((uintptr_t)o[i].p, 16), "kmalloc(%zu) gave %p",
		      o[i].size, o[i].p);
		if (i & 1)
			for (size_t j = 0; j < o[i].size; j++)
				CHECK(!o[i].p[j], "kzalloc(%zu) not zeroed", o[i].size);
		memset(o[i].p, i * 7, o[i].size);
	}
	CHECK(kmalloc_live_objects() == live + N, "live count %zu, expected %zu",
	      kmalloc_live_objects(), live + N);
	for (int k = 0; k < N; k++) {
		int i = (k * 389) % N;          /* 389 is prime to N: every object once */

		for (size_t j = 0; j < o[i].size; j++)
			CHECK(o[i].p[j] == (u8)(i * 7), "kmalloc object %p byte %zu overwritten",
			      o[i].p, j);
		kfree(o[i].p);
	}
	CHECK(kmalloc_live_objects() == live, "%zu objects leaked", kmalloc_live_objects() - live);
	return 0;
}

static int check_dma(void)
{
	static const size_t sizes[] = { 1, 100, 128, 129, 600, 1500, 2048, 2049, 4096, 5000, 65536 };
	enum { PER = 40 };
	static struct { u8 *v; phys_addr_t phys; size_t size; } d[ARRAY_SIZE(sizes) * PER];
	u64 out = dma_outstanding_bytes();
	int n = 0;

	for (unsigned s = 0; s < ARRAY_SIZE(sizes); s++) {
		size_t align = 128;

		while (align < sizes[s] && align < PAGE_SIZE)
			align <<= 1;
		for (int k = 0; k < PER; k++, n++) {
			d[n].size = sizes[s];
			d[n].v = dma_alloc_coherent(d[n].size, &d[n].phys);
			CHECK(d[n].v, "dma_alloc_coherent(%zu) failed", d[n].size);
			CHECK(d[n].phys == virt_to_phys(d[n].v) && IS_ALIGNED(d[n].phys, align),
			      "dma buffer %p (size %zu) at %#llx: not aligned to %zu", d[n].v,
			      d[n].size, (unsigned long long)d[n].phys, align);
			for (size_t j = 0; j < d[n].size; j++)
				CHECK(!d[n].v[j], "dma buffer %p not zeroed", d[n].v);
			memset(d[n].v, n, d[n].size);
		}
	}
	for (int i = 0; i < n; i++) {
		for (size_t j = 0; j < d[i].size; j++)
			CHECK(d[i].v[j] == (u8)i, "dma buffer %p byte %zu overwritten", d[i].v, j);
		dma_free_coherent(d[i].v, d[i].size);
	}
	CHECK(dma_outstanding_bytes() == out, "%llu DMA bytes outstanding after freeing all",
	      (unsigned long long)(dma_outstanding_bytes() - out));
	return 0;
}

/* write, read back and restore one word every 2 MiB of RAM above 4 GiB,
 * through the direct map, and once through an uncached mmio_map alias */
static int check_high_memory(u64 *touched)
{
	for (int i = 0; i < boot_info.nr_mmap; i++) {
		const struct mem_region *r = &boot_info.mmap[i];
		u64 end = r->base + r->len;

		if (r->type != MEM_AVAILABLE || end <= GiB(4))
			continue;
		for (u64 a = ALIGN_UP(MAX(r->base, GiB(4)), PAGE_SIZE); a + PAGE_SIZE <= end; a += MiB(2)) {
			/* the middle of the page: free-list links sit at its start */
			volatile u64 *w = phys_to_virt(a + PAGE_SIZE / 2);
			u64 old = *w;

			*w = a ^ TAG;
			CHECK(*w == (a ^ TAG), "RAM at %#llx does not hold a value", (unsigned long long)a);
			*w = old;
			if (!*touched) {
				volatile u64 *uc = mmio_map(a + PAGE_SIZE / 2, sizeof(u64));

				CHECK(uc, "mmio_map of RAM at %#llx failed", (unsigned long long)a);
				*w = a;
				__asm__ volatile("clflush (%0); mfence" : : "r"(w) : "memory");
				CHECK(*uc == a, "uncached alias of %#llx reads %#llx", (unsigned long long)a,
				      (unsigned long long)*uc);
				*w = old;
				mmio_unmap((void *)uc, sizeof(u64));
			}
			++*touched;
		}
	}
	return 0;
}

static int check_mmio(void)
{
	u32 a, b, c, d;
	u64 apic, pte;
	volatile u32 *lapic;
	void *first, *again;

	CHECK(!mmio_map(1ULL << 60, PAGE_SIZE), "mmio_map beyond the physical address width worked");
	first = mmio_map(0xfec00000 + 0x10, 0x20);
	CHECK(first && ((u64)first & (PAGE_SIZE - 1)) == 0x10, "mmio_map lost the page offset");
	mmio_unmap(first, 0x20);
	CHECK(!paging_lookup((u64)first, NULL), "mmio_unmap left %p mapped", first);
	again = mmio_map(0xfec00000, PAGE_SIZE);
	CHECK(again == (void *)ALIGN_DOWN((u64)first, PAGE_SIZE), "window address not reused");
	mmio_unmap(again, PAGE_SIZE);

	cpuid(1, 0, &a, &b, &c, &d);
	apic = rdmsr(MSR_IA32_APIC_BASE);
	if (!(d & CPUID_1_EDX_APIC) || !(apic & APIC_BASE_ENABLE))
		return 0;
	lapic = mmio_map(apic & APIC_BASE_ADDR_MASK, PAGE_SIZE);
	CHECK(lapic, "mmio_map of the local APIC failed");
	pte = paging_lookup((u64)lapic, NULL);
	CHECK((pte & (PTE_PCD | PTE_PWT)) == (PTE_PCD | PTE_PWT) && (pte & PTE_W),
	      "MMIO pte %#llx is not uncached", (unsigned long long)pte);
	CHECK((lapic[LAPIC_VERSION / 4] & LAPIC_VERSION_MASK) == LAPIC_VERSION_INTEGRATED,
	      "local APIC version register reads %#x", lapic[LAPIC_VERSION / 4]);
	mmio_unmap((void *)lapic, PAGE_SIZE);
	return 0;
}

/* at_boot: nothing else runs yet, so RAM above 4 GiB may be probed in
 * place; later (selftest=mm) only memory the test allocated is written */
static int run_all(bool at_boot, u64 *above4g_blocks, u64 *touched)
{
	u64 base_free = page_free_count();
	int rc;

	if ((rc = check_layout()) || (rc = check_exhaustion(base_free, above4g_blocks)) ||
	    (rc = check_page_patterns()) || (rc = check_kmalloc()) || (rc = check_dma()) ||
	    (rc = check_mmio()) || (at_boot && (rc = check_high_memory(touched))))
		return rc;
	/* mmio_map may keep page-table pages; everything else must be back */
	CHECK(page_free_count() + 8 >= base_free && page_free_count() <= base_free,
	      "free pages %zu after the tests, %llu before", page_free_count(),
	      (unsigned long long)base_free);
	return 0;
}

/* recurse until a frame is written below the stack: into the guard page,
 * which must fault; without a guard it returns the depth reached */
static __attribute__((noinline)) int stack_probe(int depth)
{
	volatile u8 frame[STACK_PROBE_FRAME];

	frame[0] = depth;
	if ((uintptr_t)frame < (uintptr_t)boot_stack_bottom)
		return depth;
	return stack_probe(depth + 1) + frame[0];
}

void mm_selftest_run(void)
{
	u64 above4g_blocks = 0, touched = 0;

	switch (mode) {
	case MMTEST_OFF:
		return;
	case MMTEST_NULLDEREF: {
		u64 *volatile null = NULL;

		pr_info("mmtest: reading address 0 (must fault)\n");
		pr_err("mmtest: FAIL read %#llx from address 0\n", (unsigned long long)*null);
		machine_poweroff(EXIT_FAIL);
	}
	case MMTEST_STACKOVERFLOW:
		pr_info("mmtest: overflowing the boot stack (must fault)\n");
		pr_err("mmtest: FAIL wrote below the boot stack (%d frames) without a fault\n",
		       stack_probe(0));
		machine_poweroff(EXIT_FAIL);
	case MMTEST_RUN:
		break;
	}
	if (run_all(true, &above4g_blocks, &touched)) {
		pr_err("mmtest: FAIL %s\n", why);
		machine_poweroff(EXIT_FAIL);
	}
	pr_info("mmtest: ok (%llu KiB free, %llu blocks allocated above 4 GiB, "
		"%llu probes of RAM above 4 GiB)\n", (unsigned long long)mm_free_kib(),
		(unsigned long long)above4g_blocks, (unsigned long long)touched);
}

static int selftest_mm(void)
{
	u64 above4g_blocks = 0, touched = 0;
	/* interrupts off: nothing may allocate while memory is exhausted */
	unsigned long flags = local_irq_save();
	int rc = run_all(false, &above4g_blocks, &touched);

	local_irq_restore(flags);

	if (rc)
		pr_err("mm: selftest: %s\n", why);
	else
		pr_info("mm: selftest: %llu KiB free, %llu blocks allocated above 4 GiB\n",
			(unsigned long long)mm_free_kib(), (unsigned long long)above4g_blocks);
	return rc;
}
SELFTEST("mm", selftest_mm, "page allocator to exhaustion, kmalloc, DMA buffers, mmio_map");
