/* /proc/meminfo: the fields barenet can fill truthfully.  MemTotal is the
 * RAM the page allocator manages, MemFree what it has free, MemAvailable
 * the same (there is no page cache or reclaimable slab to add); the rest of
 * Linux's fields (Buffers, Cached, Swap..., Slab...) have no counterpart
 * here and are left out rather than shown as 0. */
#include "fs/view.h"
#include "kernel/mm.h"
#include "lib/seq_buf.h"

/* Linux fs/proc/meminfo.c show_val_kb(): the label padded to 16 columns
 * ("MemTotal:       "), the value right-aligned in 8, then " kB" */
static void show_val_kb(struct seq_buf *s, const char *label, u64 kib)
{
	seq_buf_printf(s, "%-16s%8llu kB\n", label, (unsigned long long)kib);
}

static int meminfo_show(char *buf, size_t size, const char *const *args)
{
	struct seq_buf s;
	u64 free = mm_free_kib();

	(void)args;
	seq_buf_init(&s, buf, size);
	show_val_kb(&s, "MemTotal:", mm_total_ram_kib());
	show_val_kb(&s, "MemFree:", free);
	show_val_kb(&s, "MemAvailable:", free);
	return seq_buf_used(&s);
}
VIEW("/proc/meminfo", meminfo_show);
