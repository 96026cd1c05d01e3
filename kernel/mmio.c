/* mmio_map: uncached kernel mappings of device memory (PCI BARs, APICs,
 * HPET), at any physical address the CPU can address.
 *
 * Mappings live in their own window at MMIO_BASE, 4 KiB pages with PCD|PWT
 * (PAT entry 3: UC, Intel SDM vol.3A 11.12.3, with the power-on PAT), and
 * one unmapped page after each, so a driver running off the end of a BAR
 * faults instead of reaching the next device.  Window addresses are handed
 * out from a bump pointer; freed ranges are kept in a small table and
 * reused first-fit.
 */
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/mm_internal.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/x86.h"

#define MMIO_GAP          PAGE_SIZE     /* unmapped page after each mapping */
#define MMIO_FREE_SLOTS   32
#define CPUID_EXT_MAX     0x80000000
#define CPUID_EXT_ADDR    0x80000008    /* EAX[7:0]: physical address bits */
#define CPUID_ADDR_PHYS_MASK 0xff
#define PHYS_BITS_DEFAULT 36            /* SDM vol.3A 4.1.4 when leaf 0x80000008 is absent */

struct va_range {
	u64 start, len;
};

static u64 window_next = MMIO_BASE;
static struct va_range free_slots[MMIO_FREE_SLOTS];
static int nr_free_slots;
static unsigned phys_bits;
/* guards the MMIO window's allocation (window_next, free_slots); thread
 * context, irqsave */
static struct spinlock window_lock = SPINLOCK_INIT("mmio");

static u64 va_get(u64 len)
{
	for (int i = 0; i < nr_free_slots; i++) {
		struct va_range *r = &free_slots[i];
		u64 va = r->start;

		if (r->len < len)
			continue;
		r->start += len;
		r->len -= len;
		if (!r->len)
			*r = free_slots[--nr_free_slots];
		return va;
	}
	if (MMIO_BASE + MMIO_SIZE - window_next < len)
		return 0;
	window_next += len;
	return window_next - len;
}

static void va_put(u64 va, u64 len)
{
	/* merge with a neighbour, or give back the top of the window */
	for (int i = 0; i < nr_free_slots; i++) {
		struct va_range *r = &free_slots[i];

		if (r->start + r->len == va) {
			r->len += len;
			return;
		}
		if (va + len == r->start) {
			r->start = va;
			r->len += len;
			return;
		}
	}
	if (va + len == window_next) {
		window_next = va;
		return;
	}
	if (nr_free_slots < MMIO_FREE_SLOTS)
		free_slots[nr_free_slots++] = (struct va_range){ va, len };
	else
		pr_warn("mmio: window free table full; %llu KiB of addresses lost\n",
			(unsigned long long)len / 1024);
}

static unsigned cpu_phys_bits(void)
{
	u32 a, b, c, d;

	cpuid(CPUID_EXT_MAX, 0, &a, &b, &c, &d);
	if (a < CPUID_EXT_ADDR)
		return PHYS_BITS_DEFAULT;
	cpuid(CPUID_EXT_ADDR, 0, &a, &b, &c, &d);
	return a & CPUID_ADDR_PHYS_MASK;
}

void *mmio_map(phys_addr_t phys, size_t size)
{
	u64 offset = phys & (PAGE_SIZE - 1), base = phys - offset;
	u64 len = ALIGN_UP(offset + size, PAGE_SIZE), va;
	unsigned long flags;

	if (!phys_bits)
		phys_bits = cpu_phys_bits();
	if (!size || phys + size < phys || (phys + size - 1) >> phys_bits) {
		pr_err("mmio: cannot map %#llx+%#zx: beyond the CPU's %u physical address bits\n",
		       (unsigned long long)phys, size, phys_bits);
		return NULL;
	}
	flags = spin_lock_irqsave(&window_lock);
	va = va_get(len + MMIO_GAP);
	spin_unlock_irqrestore(&window_lock, flags);
	if (!va) {
		pr_err("mmio: window full mapping %#llx+%#zx\n", (unsigned long long)phys, size);
		return NULL;
	}
	if (paging_map_4k(va, base, len, PTE_W | PTE_PCD | PTE_PWT | PTE_NX) < 0) {
		paging_unmap_4k(va, len);
		flags = spin_lock_irqsave(&window_lock);
		va_put(va, len + MMIO_GAP);
		spin_unlock_irqrestore(&window_lock, flags);
		pr_err("mmio: out of page-table memory mapping %#llx\n", (unsigned long long)phys);
		return NULL;
	}
	return (void *)(va + offset);
}

void mmio_unmap(void *v, size_t size)
{
	u64 offset = (u64)v & (PAGE_SIZE - 1), va = (u64)v - offset;
	u64 len = ALIGN_UP(offset + size, PAGE_SIZE);
	unsigned long flags;

	if (!v)
		return;
	if (va < MMIO_BASE || va + len > window_next) {
		pr_err("mmio: unmap of %p: not an mmio_map address\n", v);
		return;
	}
	paging_unmap_4k(va, len);
	flags = spin_lock_irqsave(&window_lock);
	va_put(va, len + MMIO_GAP);
	spin_unlock_irqrestore(&window_lock, flags);
}
