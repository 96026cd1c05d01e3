/* The application's memory: its pages in the lower half of the kernel's one
 * page table (kernel/app/app.h), brk, mmap/munmap/mprotect of anonymous
 * memory, and the copies system calls make.
 *
 * Pages are allocated when mapped (no demand paging), zeroed, 4 KiB each,
 * user-accessible, writable and executable as the protection asks.  A
 * PROT_NONE page that had a frame keeps it, not present, marked with
 * PTE_SW_FRAME (an ignored bit, SDM vol.3A 4.5 table 4-19) so a later
 * mprotect gives the contents back, as Linux does.  The page tables are the
 * truth about what is mapped; the range list only says which addresses
 * mmap has handed out (so a new mmap does not reuse them).
 *
 * Layout: the ELF's segments where it was linked (0x400000), the brk heap
 * right after them, mmap from UVM_MMAP_BASE up.
 *
 * User memory access is Linux's: a system call checks only that a user
 * range is below USER_TOP and does not wrap (access_ok, kernel/app/app.h),
 * then copies with instructions listed in the exception table
 * (kernel/uaccess.S, section __ex_table; Linux's _ASM_EXTABLE).  A page
 * that is not there or is read-only makes the copy fault; the #PF handler
 * (kernel/idt.c, Linux's fixup_exception) finds the faulting RIP in the
 * table and resumes at its fixup, so the copy returns what it did not copy
 * and the system call returns EFAULT (or the short count Linux returns).
 * Why not walk the page tables first, as this file did (under uvm_lock,
 * with a per-thread cache of checked ranges to make it cheap): there is one
 * address space and no SMAP (CR4.SMAP stays off, so no stac/clac marks the
 * kernel's user accesses; the table is what marks them), and nothing
 * stopped another thread from unmapping a buffer between the walk and the
 * copy: the copy then faulted in kernel mode, a panic caused by an
 * application.  A fault cannot be raced.  Any other kernel-mode fault,
 * on a user address or not, is still fatal (kernel/idt.c).  A kernel
 * write to a read-only user page faults only with CR0.WP set: boot/entry.S
 * and the AP trampoline set it, uvm_init checks it. */
#include "kernel/app/app.h"
#include "kernel/app/tmpfs.h"
#include "kernel/app/uapi.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/list.h"
#include "kernel/mm.h"
#include "kernel/mm_internal.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/uaccess.h"
#include "kernel/x86.h"
#include <stdlib.h>
#include <string.h>

#define UVM_MMAP_BASE    0x0000100000000000UL
#define UVM_MMAP_END     0x00007f0000000000UL
#define UVM_BRK_MAX      (1UL << 30)            /* the heap's reach past its start */
#define PTE_SW_FRAME     BIT_ULL(9)             /* PROT_NONE page keeping its frame */
#define PTE_SW_SHARED    BIT_ULL(10)            /* a memory file's page (tmpfs.c), not ours to free */
/* not present, no frame: a shared file mapping's page past the file's end
 * at mmap time; touching it is SIGBUS, as Linux (uvm_fault_signal) */
#define PTE_SW_SIGBUS    BIT_ULL(11)
/* a MAP_SHARED | MAP_ANONYMOUS page: MADV_DONTNEED keeps its contents
 * (Linux: shared memory, not the process's own) */
#define PTE_SW_SHM       BIT_ULL(52)
#define PTE_FRAME_MASK   0x000ffffffffff000ULL
#define CR0_WP           BIT_ULL(16)            /* supervisor writes obey R/W: SDM vol.3A 2.5 */

struct uvm_range {
	unsigned long start, end;
	struct list_head node;
};

/* guards the lower half's page tables, ranges, brk, pages; thread
 * context only (the application's system calls, its start and end), so
 * interrupts stay on while a big mapping is zeroed */
static struct spinlock uvm_lock = SPINLOCK_INIT("uvm");
static struct list_head ranges = LIST_HEAD_INIT(ranges);               /* sorted, disjoint, merged */
static unsigned long brk_start, brk_cur;
static unsigned long pages;
/* the most pages the application may hold (app.mem_max=, in MiB) */
static unsigned long pages_max;

static u64 prot_flags(int prot)
{
	u64 f = PTE_P | PTE_U;

	if (prot & PROT_WRITE)
		f |= PTE_W;
	if (!(prot & PROT_EXEC))
		f |= paging_nx();
	return f;
}

static bool pte_has_frame(u64 pte)
{
	return pte & (PTE_P | PTE_SW_FRAME);
}

/* map one zeroed page (or keep its frame) at va with prot; locked */
static int map_page(unsigned long va, int prot)
{
	u64 *pte = paging_user_pte(va, true);
	void *page;

	if (!pte)
		return -ENOMEM;
	if (pte_has_frame(*pte)) {
		*pte = (*pte & (PTE_FRAME_MASK | PTE_SW_SHARED | PTE_SW_SHM)) |
		       (prot ? prot_flags(prot) : PTE_SW_FRAME);
		invlpg((void *)va);
		return 0;
	}
	if (*pte & PTE_SW_SIGBUS)
		return 0;       /* mprotect gives it no page: still past the file's end */
	if (!prot)
		return 0;       /* PROT_NONE and never touched: no frame */
	if (pages >= pages_max)
		return -ENOMEM;
	page = page_alloc(0);
	if (!page)
		return -ENOMEM;
	memset(page, 0, PAGE_SIZE);
	pages++;
	*pte = virt_to_phys(page) | prot_flags(prot);
	invlpg((void *)va);
	return 0;
}

static void unmap_page(unsigned long va)
{
	u64 *pte = paging_user_pte(va, false);

	if (!pte || !pte_has_frame(*pte)) {
		if (pte)
			*pte = 0;       /* a SIGBUS mark goes with the mapping */
		return;
	}
	if (*pte & PTE_SW_SHARED) {
		tmpfs_unmap_frame(*pte & PTE_FRAME_MASK);
	} else {
		page_free(phys_to_virt(*pte & PTE_FRAME_MASK), 0);
		pages--;
	}
	*pte = 0;
	invlpg((void *)va);
}

static void unmap_pages(unsigned long start, unsigned long end)
{
	for (unsigned long va = start; va < end; va += PAGE_SIZE)
		unmap_page(va);
}

static int map_pages(unsigned long start, unsigned long end, int prot)
{
	for (unsigned long va = start; va < end; va += PAGE_SIZE) {
		int rc = map_page(va, prot);

		if (rc) {
			unmap_pages(start, va);
			return rc;
		}
	}
	return 0;
}

/* --- the ranges mmap handed out --- */

static int range_add(unsigned long start, unsigned long end)
{
	struct uvm_range *r, *n = kmalloc(sizeof(*n));
	struct list_head *pos = &ranges;

	if (!n)
		return -ENOMEM;
	n->start = start;
	n->end = end;
	list_for_each_entry(r, &ranges, node) {
		if (r->start > start) {
			pos = &r->node;
			break;
		}
	}
	list_add_tail(&n->node, pos);
	return 0;
}

/* take [start, end) out of the ranges; -ENOMEM when a split needs memory */
static int range_del(unsigned long start, unsigned long end)
{
	struct uvm_range *r, *t;

	list_for_each_entry_safe(r, t, &ranges, node) {
		if (r->end <= start || r->start >= end)
			continue;
		if (r->start < start && r->end > end) {
			struct uvm_range *tail = kmalloc(sizeof(*tail));

			if (!tail)
				return -ENOMEM;
			tail->start = end;
			tail->end = r->end;
			r->end = start;
			list_add(&tail->node, &r->node);
			return 0;
		}
		if (r->start < start)
			r->end = start;
		else if (r->end > end)
			r->start = end;
		else {
			list_del_init(&r->node);
			kfree(r);
		}
	}
	return 0;
}

static bool range_free(unsigned long start, unsigned long end)
{
	struct uvm_range *r;

	list_for_each_entry(r, &ranges, node)
		if (r->start < end && r->end > start)
			return false;
	return true;
}

static bool range_covered(unsigned long start, unsigned long end)
{
	struct uvm_range *r;

	list_for_each_entry(r, &ranges, node) {
		if (r->end <= start)
			continue;
		if (r->start > start)
			return false;
		start = r->end;
		if (start >= end)
			return true;
	}
	return start >= end;
}

/* first fit in the mmap area */
static unsigned long range_find(unsigned long len)
{
	unsigned long at = UVM_MMAP_BASE;
	struct uvm_range *r;

	list_for_each_entry(r, &ranges, node) {
		if (r->end <= at)
			continue;
		if (r->start >= at + len)
			break;
		at = r->end;
	}
	return at + len <= UVM_MMAP_END ? at : 0;
}

/* --- the interface --- */

static unsigned long mem_max_mib;

static int set_mem_max(const char *v)
{
	char *end;
	unsigned long mib = strtoul(v, &end, 10);

	if (end == v || *end || !mib)
		return -EINVAL;
	mem_max_mib = mib;
	return 0;
}
CMDLINE_OPT("app.mem_max", set_mem_max,
	    "MiB the application may map (default: half the free memory at its start)");

void uvm_set_brk(unsigned long brk_at)
{
	brk_start = brk_cur = ALIGN_UP(brk_at, PAGE_SIZE);
}

int uvm_init(void)
{
	/* without WP a kernel copy to a read-only user page would write it */
	if (!(read_cr0() & CR0_WP))
		return -EINVAL;
	pages_max = mem_max_mib ? mem_max_mib << (20 - PAGE_SHIFT)
				: (unsigned long)(mm_free_kib() / 2 >> (PAGE_SHIFT - 10));
	return 0;
}

int clear_user(unsigned long udst, size_t n)
{
	if (!access_ok(udst, n) || uaccess_clear((void *)udst, n))
		return -EFAULT;
	return 0;
}

int uvm_map_fixed(unsigned long addr, size_t len, int prot)
{
	unsigned long end = ALIGN_UP(addr + len, PAGE_SIZE);
	int rc;

	addr = ALIGN_DOWN(addr, PAGE_SIZE);
	spin_lock(&uvm_lock);
	rc = map_pages(addr, end, prot);
	/* handed out, as an mmap's: munmap and mprotect apply */
	if (!rc && range_free(addr, end))
		rc = range_add(addr, end);
	spin_unlock(&uvm_lock);
	return rc;
}

long uvm_mmap_anon(unsigned long hint, size_t len, int prot, bool fixed)
{
	unsigned long at;
	long rc;

	if (!len || len > UVM_MMAP_END - UVM_MMAP_BASE)
		return -ENOMEM;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (fixed && (hint & (PAGE_SIZE - 1) || hint + len > USER_TOP || hint + len < hint))
		return -EINVAL;
	if (fixed && hint < USER_MIN)
		return -EPERM;          /* Linux: below vm.mmap_min_addr */
	spin_lock(&uvm_lock);
	if (fixed) {
		at = hint;
		/* MAP_FIXED replaces what was there */
		rc = range_del(at, at + len);
		if (!rc)
			unmap_pages(at, at + len);
	} else {
		at = hint && !(hint & (PAGE_SIZE - 1)) && hint >= UVM_MMAP_BASE &&
		     hint + len <= UVM_MMAP_END && range_free(hint, hint + len) ? hint : range_find(len);
		rc = at ? 0 : -ENOMEM;
	}
	if (!rc)
		rc = range_add(at, at + len);
	if (!rc) {
		rc = map_pages(at, at + len, prot);
		if (rc)
			range_del(at, at + len);
	}
	spin_unlock(&uvm_lock);
	return rc ? rc : (long)at;
}

long uvm_mmap_frames(unsigned long hint, size_t len, int prot, bool fixed,
		     const unsigned long *frames)
{
	long at = uvm_mmap_anon(hint, len, PROT_NONE, fixed);
	u64 *pte;

	if (at < 0)
		return at;
	spin_lock(&uvm_lock);
	for (size_t i = 0; i < ALIGN_UP(len, PAGE_SIZE) / PAGE_SIZE; i++) {
		unsigned long va = (unsigned long)at + i * PAGE_SIZE;

		/* PROT_NONE left no frame there; the table page exists if the
		 * range needed one, else it is made now */
		pte = paging_user_pte(va, true);
		if (!pte) {
			spin_unlock(&uvm_lock);
			uvm_munmap((unsigned long)at, len);
			return -ENOMEM;
		}
		if (!frames[i])
			*pte = PTE_SW_SIGBUS;
		else
			*pte = frames[i] | PTE_SW_SHARED | (prot ? prot_flags(prot) : PTE_SW_FRAME);
		invlpg((void *)va);
	}
	spin_unlock(&uvm_lock);
	return at;
}

int uvm_munmap(unsigned long addr, size_t len)
{
	unsigned long end = addr + ALIGN_UP(len, PAGE_SIZE);
	int rc;

	if (addr & (PAGE_SIZE - 1) || !len || end > USER_TOP || end < addr)
		return -EINVAL;
	spin_lock(&uvm_lock);
	rc = range_del(addr, end);
	if (!rc)
		unmap_pages(addr, end);
	spin_unlock(&uvm_lock);
	return rc;
}

/* addr lies in what mmap handed out or in the heap; locked */
static bool uvm_mapped(unsigned long start, unsigned long end)
{
	return range_covered(start, end) || (start >= brk_start && end <= ALIGN_UP(brk_cur, PAGE_SIZE));
}

int uvm_fault_signal(unsigned long addr, int *code)
{
	unsigned long va = ALIGN_DOWN(addr, PAGE_SIZE);
	int sig = APP_SIGSEGV;
	u64 *pte;

	*code = APP_SEGV_MAPERR;
	if (addr >= USER_TOP)
		return sig;
	spin_lock(&uvm_lock);
	pte = paging_user_pte(va, false);
	if (pte && *pte & PTE_SW_SIGBUS) {
		sig = APP_SIGBUS;
		*code = APP_BUS_ADRERR;
	} else if ((pte && pte_has_frame(*pte)) || uvm_mapped(va, va + PAGE_SIZE)) {
		*code = APP_SEGV_ACCERR;        /* mapped: the protection refused it */
	}
	spin_unlock(&uvm_lock);
	return sig;
}

long uvm_madvise_dontneed(unsigned long addr, size_t len)
{
	unsigned long end = addr + ALIGN_UP(len, PAGE_SIZE);
	long rc = 0;

	if (addr & (PAGE_SIZE - 1) || end > USER_TOP || end < addr)
		return -EINVAL;
	spin_lock(&uvm_lock);
	if (!uvm_mapped(addr, end))
		rc = -ENOMEM;           /* Linux: part of the range is not mapped */
	for (unsigned long va = addr; !rc && va < end; va += PAGE_SIZE) {
		u64 *pte = paging_user_pte(va, false);

		/* a memory file's page is the file (re-reading it gives the
		 * file's bytes: nothing to drop), as is shared anonymous
		 * memory; the process's own page reads back as zeros */
		if (!pte || !pte_has_frame(*pte) || *pte & (PTE_SW_SHARED | PTE_SW_SHM))
			continue;
		memset(phys_to_virt(*pte & PTE_FRAME_MASK), 0, PAGE_SIZE);
	}
	spin_unlock(&uvm_lock);
	return rc;
}

void uvm_mark_shm(unsigned long addr, size_t len)
{
	spin_lock(&uvm_lock);
	for (unsigned long va = addr; va < addr + ALIGN_UP(len, PAGE_SIZE); va += PAGE_SIZE) {
		u64 *pte = paging_user_pte(va, false);

		if (pte && pte_has_frame(*pte))
			*pte |= PTE_SW_SHM;
	}
	spin_unlock(&uvm_lock);
}

int uvm_mprotect(unsigned long addr, size_t len, int prot)
{
	unsigned long end = addr + ALIGN_UP(len, PAGE_SIZE);
	int rc = 0;

	if (addr & (PAGE_SIZE - 1) || end > USER_TOP || end < addr ||
	    prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (!len)
		return 0;
	spin_lock(&uvm_lock);
	/* Linux: ENOMEM when part of the range is not mapped */
	if (!uvm_mapped(addr, end))
		rc = -ENOMEM;
	for (unsigned long va = addr; !rc && va < end; va += PAGE_SIZE)
		rc = map_page(va, prot);
	spin_unlock(&uvm_lock);
	return rc;
}

unsigned long uvm_brk(unsigned long want)
{
	unsigned long old_end, new_end;

	if (want < brk_start || want > brk_start + UVM_BRK_MAX)
		return brk_cur;
	spin_lock(&uvm_lock);
	old_end = ALIGN_UP(brk_cur, PAGE_SIZE);
	new_end = ALIGN_UP(want, PAGE_SIZE);
	if (new_end > old_end) {
		if (!map_pages(old_end, new_end, PROT_READ | PROT_WRITE))
			brk_cur = want;
	} else {
		unmap_pages(new_end, old_end);
		brk_cur = want;
	}
	want = brk_cur;
	spin_unlock(&uvm_lock);
	return want;
}

static void free_leaf(u64 pte)
{
	if (pte_has_frame(pte) && pte & PTE_SW_SHARED) {
		tmpfs_unmap_frame(pte & PTE_FRAME_MASK);
	} else if (pte_has_frame(pte)) {
		page_free(phys_to_virt(pte & PTE_FRAME_MASK), 0);
		pages--;
	}
}

void uvm_teardown(void)
{
	struct uvm_range *r, *t;

	spin_lock(&uvm_lock);
	paging_user_free(free_leaf);
	list_for_each_entry_safe(r, t, &ranges, node) {
		list_del_init(&r->node);
		kfree(r);
	}
	brk_start = brk_cur = 0;
	spin_unlock(&uvm_lock);
}

unsigned long uvm_pages(void)
{
	return READ_ONCE(pages);
}
