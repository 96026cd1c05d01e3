/* Multiboot 1 and 2 boot information -> struct boot_info.
 * Multiboot Specification 0.6.96 section 3.3, and 2.0 section 3.6. */
#include "kernel/bootinfo.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "boot/multiboot.h"
#include <string.h>

struct boot_info boot_info;

struct mb1_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr;
	u32 config_table;
	u32 boot_loader_name;
} __packed;

struct mb1_mmap_entry {
	u32 size;               /* of the rest of the entry */
	u64 base, len;
	u32 type;
} __packed;

struct mb2_tag {
	u32 type, size;
} __packed;

struct mb2_mmap {
	u32 type, size, entry_size, entry_version;
} __packed;

struct mb2_mmap_entry {
	u64 base, len;
	u32 type, reserved;
} __packed;

static void add_region(u64 base, u64 len, u32 type)
{
	if (boot_info.nr_mmap >= BOOT_MMAP_MAX || !len)
		return;
	if (type < MEM_AVAILABLE || type > MEM_BAD)
		type = MEM_RESERVED;
	boot_info.mmap[boot_info.nr_mmap++] = (struct mem_region){ base, len, type };
}

/* Copy the command line.  Multiboot1 loaders (QEMU -kernel, GRUB legacy)
 * put the image path in front of the options: drop a first word that is not
 * a key=value option. */
static void set_cmdline(const char *s, bool drop_path)
{
	while (*s == ' ')
		s++;
	if (drop_path) {
		const char *w = s;

		while (*w && *w != ' ' && *w != '=')
			w++;
		if (*w != '=') {
			while (*w && *w != ' ')
				w++;
			s = w;
		}
	}
	while (*s == ' ')
		s++;
	strlcpy(boot_info.cmdline, s, sizeof(boot_info.cmdline));
}

static void parse_mb1(const struct mb1_info *mi)
{
	boot_info.protocol = BOOT_MULTIBOOT1;
	strlcpy(boot_info.loader, "multiboot1 loader", sizeof(boot_info.loader));
	if (mi->flags & MB1_INFO_MEM) {
		boot_info.mem_lower_kib = mi->mem_lower;
		boot_info.mem_upper_kib = mi->mem_upper;
	}
	if (mi->flags & MB1_INFO_CMDLINE)
		set_cmdline(phys_to_virt(mi->cmdline), true);
	if (mi->flags & MB1_INFO_LOADER_NAME && mi->boot_loader_name)
		strlcpy(boot_info.loader, phys_to_virt(mi->boot_loader_name), sizeof(boot_info.loader));
	if (mi->flags & MB1_INFO_MMAP) {
		u64 p = mi->mmap_addr, end = p + mi->mmap_length;

		while (p < end) {
			const struct mb1_mmap_entry *e = phys_to_virt(p);
			add_region(e->base, e->len, e->type);
			p += e->size + sizeof(e->size);
		}
	}
}

static void parse_mb2(phys_addr_t info)
{
	u32 total = *(const u32 *)phys_to_virt(info);
	u64 p = info + 8, end = info + total;

	boot_info.protocol = BOOT_MULTIBOOT2;
	strlcpy(boot_info.loader, "multiboot2 loader", sizeof(boot_info.loader));
	while (p + sizeof(struct mb2_tag) <= end) {
		const struct mb2_tag *t = phys_to_virt(p);
		const u8 *body = (const u8 *)(t + 1);

		if (t->type == MB2_TAG_END)
			break;
		switch (t->type) {
		case MB2_TAG_CMDLINE:
			set_cmdline((const char *)body, false);
			break;
		case MB2_TAG_LOADER:
			strlcpy(boot_info.loader, (const char *)body, sizeof(boot_info.loader));
			break;
		case MB2_TAG_BASIC_MEM:
			boot_info.mem_lower_kib = ((const u32 *)body)[0];
			boot_info.mem_upper_kib = ((const u32 *)body)[1];
			break;
		case MB2_TAG_MMAP: {
			const struct mb2_mmap *m = (const void *)t;
			for (u64 q = p + sizeof(*m); q + m->entry_size <= p + t->size; q += m->entry_size) {
				const struct mb2_mmap_entry *e = phys_to_virt(q);
				add_region(e->base, e->len, e->type);
			}
			break;
		}
		case MB2_TAG_EFI64:
			boot_info.efi = true;
			break;
		case MB2_TAG_ACPI_NEW:
		case MB2_TAG_ACPI_OLD: {
			size_t n = t->size - sizeof(*t);
			/* prefer the ACPI 2.0 copy when both are given */
			if (boot_info.has_rsdp && t->type == MB2_TAG_ACPI_OLD)
				break;
			memcpy(boot_info.rsdp, body, MIN(n, sizeof(boot_info.rsdp)));
			boot_info.has_rsdp = true;
			break;
		}
		}
		p += ALIGN_UP((u64)t->size, 8);
	}
}

int bootinfo_parse(u32 magic, phys_addr_t info)
{
	if (magic == MB1_BOOT_MAGIC)
		parse_mb1(phys_to_virt(info));
	else if (magic == MB2_BOOT_MAGIC)
		parse_mb2(info);
	else
		return -EINVAL;
	return 0;
}
