/* mm_init: from the loader's memory map to the final page tables and a
 * running page allocator.
 *
 * Free memory is every AVAILABLE region of the memory map except the first
 * MiB (BIOS data, EBDA, option ROMs: left to firmware), the kernel image
 * (1 MiB .. __image_end), anything another region of the map claims as
 * not available, and the allocator's own state array.  Until the final
 * page tables are loaded only 0..4 GiB is mapped (boot/entry.S), so memory
 * below 4 GiB is given to the allocator first: the new page tables come
 * from it, and memory above 4 GiB follows once it is mapped.
 */
#include "kernel/bootinfo.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/mm_internal.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include <string.h>

#define LOW_MEMORY_END  MiB(1)          /* real-mode memory, left alone */
#define BOOT_MAPPED_END GiB(4)          /* what the boot page tables map */

extern char __image_start[], __image_end[];

struct phys_range {
	u64 start, end;
};

static struct phys_range excluded[BOOT_MMAP_MAX + 3];
static int nr_excluded;
static u64 total_ram_kib;

static void exclude(u64 start, u64 end)
{
	if (nr_excluded < (int)ARRAY_SIZE(excluded) && start < end)
		excluded[nr_excluded++] = (struct phys_range){ ALIGN_DOWN(start, PAGE_SIZE),
							       ALIGN_UP(end, PAGE_SIZE) };
}

typedef void (*piece_fn)(u64 start, u64 end, void *ctx);

/* call fn on [start, end) minus the excluded ranges from index `from` on */
static void split_piece(u64 start, u64 end, int from, piece_fn fn, void *ctx)
{
	for (int i = from; i < nr_excluded; i++) {
		const struct phys_range *x = &excluded[i];

		if (x->end <= start || x->start >= end)
			continue;
		if (x->start > start)
			split_piece(start, x->start, i + 1, fn, ctx);
		if (x->end < end)
			split_piece(x->end, end, i + 1, fn, ctx);
		return;
	}
	fn(start, end, ctx);
}

/* call fn on every free piece of RAM within [lo, hi), page aligned */
static void for_each_free_piece(u64 lo, u64 hi, piece_fn fn, void *ctx)
{
	for (int i = 0; i < boot_info.nr_mmap; i++) {
		const struct mem_region *r = &boot_info.mmap[i];
		u64 start = ALIGN_UP(MAX(r->base, lo), PAGE_SIZE);
		u64 end = ALIGN_DOWN(MIN(r->base + r->len, hi), PAGE_SIZE);

		if (r->type == MEM_AVAILABLE && start < end)
			split_piece(start, end, 0, fn, ctx);
	}
}

struct meta_search {
	u64 bytes;
	u64 found;
};

static void meta_fit(u64 start, u64 end, void *ctx)
{
	struct meta_search *m = ctx;

	if (!m->found && end - start >= m->bytes)
		m->found = end - m->bytes;
}

static void give_piece(u64 start, u64 end, void *ctx)
{
	(void)ctx;
	if (page_alloc_add(start, end))
		pr_warn("mm: [mem %#llx-%#llx] overlaps another region; not used\n",
			(unsigned long long)start, (unsigned long long)end - 1);
}

static const char *region_name(u32 type)
{
	static const char *const names[] = {
		[MEM_AVAILABLE] = "available", [MEM_RESERVED] = "reserved",
		[MEM_ACPI_RECLAIM] = "ACPI data", [MEM_ACPI_NVS] = "ACPI NVS", [MEM_BAD] = "bad",
	};

	return type < ARRAY_SIZE(names) && names[type] ? names[type] : "?";
}

int mm_init(void)
{
	u64 max_phys = 0;
	struct meta_search meta = { 0, 0 };
	size_t npages;
	int rc;

	if (!boot_info.nr_mmap && boot_info.mem_upper_kib) {
		/* a loader without a memory map: its basic info says how much
		 * RAM follows 1 MiB (Multiboot 0.6.96 3.3, mem_upper) */
		boot_info.mmap[0] = (struct mem_region){ LOW_MEMORY_END,
			KiB(boot_info.mem_upper_kib), MEM_AVAILABLE };
		boot_info.nr_mmap = 1;
		pr_warn("mm: no memory map from the loader; using %llu KiB above 1 MiB\n",
			(unsigned long long)boot_info.mem_upper_kib);
	}
	for (int i = 0; i < boot_info.nr_mmap; i++) {
		const struct mem_region *r = &boot_info.mmap[i];

		pr_debug("mm: [mem 0x%016llx-0x%016llx] %s\n", (unsigned long long)r->base,
			 (unsigned long long)(r->base + r->len - 1), region_name(r->type));
		if (r->type != MEM_AVAILABLE) {
			exclude(r->base, r->base + r->len);
			continue;
		}
		total_ram_kib += r->len / 1024;
		max_phys = MAX(max_phys, ALIGN_DOWN(r->base + r->len, PAGE_SIZE));
	}
	exclude(0, LOW_MEMORY_END);
	exclude(virt_to_phys(__image_start), virt_to_phys(__image_end));
	if (max_phys <= LOW_MEMORY_END)
		panic("mm: the memory map reports no RAM above 1 MiB");

	/* the allocator's state: one byte per page up to the end of RAM */
	npages = max_phys >> PAGE_SHIFT;
	meta.bytes = ALIGN_UP(npages, PAGE_SIZE);
	for_each_free_piece(0, BOOT_MAPPED_END, meta_fit, &meta);
	if (!meta.found)
		panic("mm: no room below 4 GiB for %llu KiB of page state",
		      (unsigned long long)meta.bytes / 1024);
	exclude(meta.found, meta.found + meta.bytes);
	page_alloc_init(npages, phys_to_virt(meta.found));

	for_each_free_piece(0, BOOT_MAPPED_END, give_piece, NULL);
	rc = paging_build();
	if (rc)
		panic("mm: out of memory building the page tables");
	paging_activate();
	for_each_free_piece(BOOT_MAPPED_END, ~0ULL, give_piece, NULL);

	pr_info("mm: ram total %llu KiB, free %llu KiB\n", (unsigned long long)total_ram_kib,
		(unsigned long long)mm_free_kib());
	mm_selftest_run();
	return 0;
}

u64 mm_total_ram_kib(void)
{
	return total_ram_kib;
}

int dma_addr_of(const void *v, size_t len, phys_addr_t *dma)
{
	uintptr_t a = (uintptr_t)v, end = a + len;

	if (end < a)
		return -EFAULT;
	/* the direct map ends where the MMIO window begins; the image is
	 * loaded contiguously from 1 MiB (linker.ld) */
	if ((a >= DIRECT_MAP_BASE && end <= MMIO_BASE) ||
	    (a >= KERNEL_VMA && end <= (uintptr_t)__image_end)) {
		*dma = virt_to_phys(v);
		return 0;
	}
	return -EFAULT;
}
