/* The kernel's page tables (Intel SDM vol.3A 4.5: 4-level paging).
 *
 * paging_build() replaces the boot tables of boot/entry.S with:
 *   - the direct map: 0..4 GiB (RAM, and firmware tables such as ACPI's that
 *     sit outside the RAM regions) and every RAM region above 4 GiB, with
 *     the largest pages that fit (1 GiB when CPUID has Page1GB, else 2 MiB;
 *     4 KiB at unaligned region edges), write-back, not executable;
 *   - the kernel image at KERNEL_VMA + phys with 4 KiB pages: text
 *     read-only and executable, rodata read-only, data and bss writable and
 *     not executable, and the page below the boot stack left out (guard);
 *   - nothing at all in the lower half, so a NULL dereference faults.
 * The MMIO window (mmio.c) is filled later with 4 KiB uncached pages.
 */
#include "kernel/bootinfo.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/mm_internal.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/x86.h"
#include <string.h>

#define PT_ENTRIES      512
#define PT_LEVEL_SHIFT  9
#define PTE_ADDR_MASK   0x000ffffffffff000ULL   /* bits 51:12 */
#define LEVEL_PT        0                       /* 4 KiB pages */
#define LEVEL_PD        1                       /* 2 MiB pages */
#define LEVEL_PDPT      2                       /* 1 GiB pages */
#define LEVEL_PML4      3

#define MSR_EFER        0xC0000080              /* SDM vol.4 table 2-2 */
#define EFER_NXE        BIT(11)
#define CPUID_EXT_MAX   0x80000000
#define CPUID_EXT_FEAT  0x80000001
#define CPUID_EDX_PAGE1GB BIT(26)               /* SDM vol.2A CPUID: 1-GByte pages */

extern char __image_start[], __rodata_start[], __data_start[], __image_end[];

static u64 *pml4;                       /* direct-map address of the new PML4 */
static bool have_1g;
static u64 pte_nx;                      /* PTE_NX when EFER.NXE is on, else 0 */
/* guards the kernel page tables (mmio_map/unmap, guard pages); thread
 * context, irqsave */
static struct spinlock paging_lock = SPINLOCK_INIT("paging");

static inline u64 level_size(int level)
{
	return 1ULL << (PAGE_SHIFT + PT_LEVEL_SHIFT * level);
}

static inline unsigned level_index(u64 va, int level)
{
	return (va >> (PAGE_SHIFT + PT_LEVEL_SHIFT * level)) & (PT_ENTRIES - 1);
}

static u64 *table_of(u64 entry)
{
	return phys_to_virt(entry & PTE_ADDR_MASK);
}

/* the entry for va at level, creating the tables above it; NULL when a
 * table page cannot be allocated or a large page is in the way */
static u64 *walk_create(u64 va, int level)
{
	u64 *t = pml4;

	for (int l = LEVEL_PML4; l > level; l--) {
		u64 *e = &t[level_index(va, l)];

		if (!(*e & PTE_P)) {
			u64 *n = page_alloc(0);

			if (!n)
				return NULL;
			memset(n, 0, PAGE_SIZE);
			/* upper levels allow everything; the leaf decides */
			*e = virt_to_phys(n) | PTE_P | PTE_W;
		} else if (*e & PTE_PS) {
			return NULL;
		}
		t = table_of(*e);
	}
	return &t[level_index(va, level)];
}

u64 paging_lookup(u64 va, u64 *page_size)
{
	u64 *t = pml4;

	for (int l = LEVEL_PML4; l >= LEVEL_PT; l--) {
		u64 e = t[level_index(va, l)];

		if (!(e & PTE_P))
			return 0;
		if (l == LEVEL_PT || (l <= LEVEL_PDPT && (e & PTE_PS))) {
			if (page_size)
				*page_size = level_size(l);
			return e;
		}
		t = table_of(e);
	}
	return 0;
}

/* map [va, va+size) -> pa with the largest pages alignment and size allow,
 * leaving alone whatever part is mapped already (regions may overlap) */
static int map_direct(u64 va, u64 pa, u64 size, u64 flags)
{
	u64 end = va + size;

	while (va < end) {
		u64 have, ps;
		int level = LEVEL_PT;
		u64 *e;

		if (paging_lookup(va, &have)) {
			u64 next = ALIGN_DOWN(va, have) + have;

			pa += next - va;
			va = next;
			continue;
		}
		if (have_1g && IS_ALIGNED(va | pa, GiB(1)) && end - va >= GiB(1))
			level = LEVEL_PDPT;
		else if (IS_ALIGNED(va | pa, MiB(2)) && end - va >= MiB(2))
			level = LEVEL_PD;
		/* a table already below this slot: use smaller pages */
		e = walk_create(va, level);
		while (e && *e && level > LEVEL_PT)
			e = walk_create(va, --level);
		if (!e)
			return -ENOMEM;
		ps = level_size(level);
		*e = pa | flags | PTE_P | (level > LEVEL_PT ? PTE_PS : 0);
		va += ps;
		pa += ps;
	}
	return 0;
}

int paging_map_4k(u64 va, u64 pa, u64 size, u64 flags)
{
	unsigned long irq = spin_lock_irqsave(&paging_lock);
	int rc = 0;

	if (!pte_nx)
		flags &= ~PTE_NX;       /* a reserved bit without EFER.NXE */
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		u64 *e = walk_create(va + off, LEVEL_PT);

		if (!e) {
			rc = -ENOMEM;
			break;
		}
		*e = (pa + off) | flags | PTE_P;
	}
	spin_unlock_irqrestore(&paging_lock, irq);
	return rc;
}

void paging_unmap_4k(u64 va, u64 size)
{
	unsigned long irq = spin_lock_irqsave(&paging_lock);

	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		u64 ps, e = paging_lookup(va + off, &ps);

		if (!e || ps != PAGE_SIZE)
			continue;
		*walk_create(va + off, LEVEL_PT) = 0;
		invlpg((void *)(va + off));
	}
	spin_unlock_irqrestore(&paging_lock, irq);
}

/* the lower half: PML4 slots 0..255 (SDM vol.3A 4.5: canonical addresses
 * below 2^47) */
#define USER_PML4_SLOTS 256

u64 *paging_user_pte(u64 va, bool create)
{
	u64 *t = pml4;

	if (level_index(va, LEVEL_PML4) >= USER_PML4_SLOTS || va >> 47)
		return NULL;
	for (int l = LEVEL_PML4; l > LEVEL_PT; l--) {
		u64 *e = &t[level_index(va, l)];

		if (!(*e & PTE_P)) {
			u64 *n;

			if (!create)
				return NULL;
			n = page_alloc(0);
			if (!n)
				return NULL;
			memset(n, 0, PAGE_SIZE);
			/* user bit on every level: the leaf decides the rest */
			*e = virt_to_phys(n) | PTE_P | PTE_W | PTE_U;
		}
		t = table_of(*e);
	}
	return &t[level_index(va, LEVEL_PT)];
}

u64 paging_nx(void)
{
	return pte_nx;
}

static void user_free_level(u64 *t, int level, void (*leaf)(u64 pte))
{
	for (int i = 0; i < PT_ENTRIES; i++) {
		if (level == LEVEL_PT) {
			if (t[i])
				leaf(t[i]);
		} else if (t[i] & PTE_P) {
			user_free_level(table_of(t[i]), level - 1, leaf);
			page_free(table_of(t[i]), 0);
		}
		t[i] = 0;
	}
}

void paging_user_free(void (*leaf)(u64 pte))
{
	for (int i = 0; i < USER_PML4_SLOTS; i++) {
		if (!(pml4[i] & PTE_P))
			continue;
		user_free_level(table_of(pml4[i]), LEVEL_PDPT, leaf);
		page_free(table_of(pml4[i]), 0);
		pml4[i] = 0;
	}
	/* every user translation goes */
	write_cr3(read_cr3());
}

static void cpu_features(void)
{
	u32 a, b, c, d;

	cpuid(CPUID_EXT_MAX, 0, &a, &b, &c, &d);
	if (a >= CPUID_EXT_FEAT) {
		cpuid(CPUID_EXT_FEAT, 0, &a, &b, &c, &d);
		have_1g = d & CPUID_EDX_PAGE1GB;
	}
	pte_nx = rdmsr(MSR_EFER) & EFER_NXE ? PTE_NX : 0;
}

/* the kernel image, section by section (linker.ld), minus the stack guard */
static int map_kernel(void)
{
	struct { char *start, *end; u64 flags; } part[] = {
		{ __image_start, __rodata_start, 0 },
		{ __rodata_start, __data_start, pte_nx },
		{ __data_start, boot_stack_guard, PTE_W | pte_nx },
		{ boot_stack_guard + PAGE_SIZE, __image_end, PTE_W | pte_nx },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(part); i++) {
		u64 va = (u64)part[i].start;

		for (; va < (u64)part[i].end; va += PAGE_SIZE) {
			u64 *e = walk_create(va, LEVEL_PT);

			if (!e)
				return -ENOMEM;
			*e = (va - KERNEL_VMA) | part[i].flags | PTE_P;
		}
	}
	return 0;
}

int paging_build(void)
{
	u64 rw = PTE_W;
	int rc;

	cpu_features();
	rw |= pte_nx;
	pml4 = page_alloc(0);
	if (!pml4)
		return -ENOMEM;
	memset(pml4, 0, PAGE_SIZE);
	rc = map_direct(DIRECT_MAP_BASE, 0, GiB(4), rw);
	for (int i = 0; !rc && i < boot_info.nr_mmap; i++) {
		const struct mem_region *r = &boot_info.mmap[i];
		u64 start = ALIGN_DOWN(MAX(r->base, GiB(4)), PAGE_SIZE);
		u64 end = ALIGN_UP(r->base + r->len, PAGE_SIZE);

		if (r->type != MEM_AVAILABLE && r->type != MEM_ACPI_RECLAIM &&
		    r->type != MEM_ACPI_NVS)
			continue;
		if (end > start)
			rc = map_direct(DIRECT_MAP_BASE + start, start, end - start, rw);
	}
	if (!rc)
		rc = map_kernel();
	if (!rc)
		pr_info("mm: direct map with %s pages%s\n", have_1g ? "1 GiB" : "2 MiB",
			pte_nx ? ", NX" : "");
	return rc;
}

void paging_activate(void)
{
	write_cr3(virt_to_phys(pml4));
}
