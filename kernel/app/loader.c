/* Starting the application: the static ELF that `make APP=` embedded in
 * the image (app_image_start..app_image_end, kernel/app/image.S) is loaded
 * into the lower half, given a stack with argv, an empty environment and
 * the auxiliary vector musl reads (AT_PHDR for its TLS, AT_RANDOM, ...),
 * and its main thread entered at e_entry, as Linux's execve leaves a
 * static program (System V ABI AMD64, 3.4.1). */
#include "kernel/app/app.h"
#include "kernel/app/fd.h"
#include "kernel/app/uapi.h"
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/gdt.h"
#include "kernel/mm.h"
#include "kernel/printk.h"
#include "kernel/random.h"
#include "kernel/x86.h"
#include <string.h>

/* ELF-64 object file format (System V gABI, x86-64 psABI) */
#define EI_NIDENT   16
#define ELFCLASS64  2
#define ET_EXEC     2
#define EM_X86_64   62
#define PT_LOAD     1
#define PT_PHDR     6
#define PF_X        1
#define PF_W        2
#define PF_R        4

struct elf64_ehdr {
	unsigned char e_ident[EI_NIDENT];
	u16 e_type, e_machine;
	u32 e_version;
	u64 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	u32 p_type, p_flags;
	u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

#define APP_STACK_SIZE  (512 * 1024)    /* main thread's stack, mapped at once */
#define RFLAGS_IF       BIT(9)
#define RFLAGS_RESERVED BIT(1)          /* always 1 */

extern const u8 app_image_start[], app_image_end[];
extern const char app_image_name[];

static int prot_of(u32 pf)
{
	return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) |
	       (pf & PF_X ? PROT_EXEC : 0);
}

/* the PT_LOAD segments; *phdr_va and *brk get where the program headers
 * and the end of the image are */
static int load_segments(const struct elf64_ehdr *eh, size_t size, u64 *phdr_va, u64 *brk)
{
	const struct elf64_phdr *ph = (const void *)(app_image_start + eh->e_phoff);

	*phdr_va = 0;
	*brk = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		int rc;

		if (p->p_type == PT_PHDR)
			*phdr_va = p->p_vaddr;
		if (p->p_type != PT_LOAD || !p->p_memsz)
			continue;
		if (p->p_offset + p->p_filesz > size || p->p_filesz > p->p_memsz ||
		    p->p_vaddr + p->p_memsz < p->p_vaddr || p->p_vaddr + p->p_memsz > (1UL << 46))
			return -ENOEXEC;
		/* writable first, to copy the file's bytes in; then the
		 * segment's own protection */
		rc = uvm_map_fixed(p->p_vaddr, p->p_memsz + (p->p_vaddr & (PAGE_SIZE - 1)),
				   PROT_READ | PROT_WRITE);
		if (rc)
			return rc;
		memcpy((void *)p->p_vaddr, app_image_start + p->p_offset, p->p_filesz);
		rc = uvm_map_fixed(p->p_vaddr, p->p_memsz + (p->p_vaddr & (PAGE_SIZE - 1)),
				   prot_of(p->p_flags));
		if (rc)
			return rc;
		/* the headers lie in the segment that maps file offset e_phoff */
		if (!*phdr_va && eh->e_phoff >= p->p_offset &&
		    eh->e_phoff < p->p_offset + p->p_filesz)
			*phdr_va = p->p_vaddr + (eh->e_phoff - p->p_offset);
		if (p->p_vaddr + p->p_memsz > *brk)
			*brk = p->p_vaddr + p->p_memsz;
	}
	return *brk ? 0 : -ENOEXEC;
}

/* push n bytes on the new stack */
static unsigned long push_bytes(unsigned long sp, const void *p, size_t n)
{
	sp -= n;
	memcpy((void *)sp, p, n);
	return sp;
}

static char argbuf[CMDLINE_VALUE_MAX * 2];

/* argv, envp, auxv on the stack at top; the initial %rsp */
static unsigned long build_stack(unsigned long top, const struct elf64_ehdr *eh, u64 phdr_va)
{
	char *argv[APP_ARGV_MAX];
	unsigned long uargv[APP_ARGV_MAX], sp = top, execfn, random;
	const char *rest = cmdline_app_args(boot_info.cmdline);
	u8 rnd[16];
	int argc = 1, n, words;
	u64 aux[][2] = {
		{ AT_PHDR, phdr_va }, { AT_PHENT, eh->e_phentsize }, { AT_PHNUM, eh->e_phnum },
		{ AT_PAGESZ, PAGE_SIZE }, { AT_ENTRY, eh->e_entry }, { AT_UID, 0 }, { AT_EUID, 0 },
		{ AT_GID, 0 }, { AT_EGID, 0 }, { AT_HWCAP, 0 }, { AT_CLKTCK, 100 },
		{ AT_SECURE, 0 }, { AT_RANDOM, 0 }, { AT_EXECFN, 0 }, { AT_NULL, 0 },
	};

	argv[0] = the_app.name;
	if (rest) {
		strlcpy(argbuf, rest, sizeof(argbuf));
		n = cmdline_argv_split(argbuf, argv + 1, APP_ARGV_MAX - 1);
		if (n < 0)
			pr_warn("app: the arguments after -- are malformed or too many (%d); ignored\n", n);
		else
			argc += n;
	}
	get_random_bytes(rnd, sizeof(rnd));
	random = sp = push_bytes(sp, rnd, sizeof(rnd));
	for (int i = argc - 1; i >= 0; i--)
		uargv[i] = sp = push_bytes(sp, argv[i], strlen(argv[i]) + 1);
	execfn = uargv[0];
	for (unsigned i = 0; i < ARRAY_SIZE(aux); i++) {
		if (aux[i][0] == AT_RANDOM)
			aux[i][1] = random;
		if (aux[i][0] == AT_EXECFN)
			aux[i][1] = execfn;
	}
	sp = ALIGN_DOWN(sp, 16);
	/* argc, argv[argc + 1], envp[1], auxv: %rsp 16-byte aligned at argc */
	words = 1 + argc + 1 + 1 + (int)ARRAY_SIZE(aux) * 2;
	if (words & 1)
		sp -= 8;
	sp = push_bytes(sp, aux, sizeof(aux));
	sp -= 8;
	*(u64 *)sp = 0;                         /* envp: empty */
	sp -= 8;
	*(u64 *)sp = 0;                         /* argv[argc] */
	for (int i = argc - 1; i >= 0; i--) {
		sp -= 8;
		*(u64 *)sp = uargv[i];
	}
	sp -= 8;
	*(u64 *)sp = (u64)argc;
	return sp;
}

static int app_load(void)
{
	size_t size = (size_t)(app_image_end - app_image_start);
	const struct elf64_ehdr *eh = (const void *)app_image_start;
	struct trap_frame main_frame = { 0 };
	struct app_thread *at;
	u64 phdr_va, brk;
	long stack;
	int rc;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) ||
	    eh->e_ident[4] != ELFCLASS64 || eh->e_type != ET_EXEC || eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != sizeof(struct elf64_phdr) ||
	    eh->e_phoff + (u64)eh->e_phnum * sizeof(struct elf64_phdr) > size)
		return -ENOEXEC;
	rc = uvm_init();
	if (rc)
		return rc;
	rc = load_segments(eh, size, &phdr_va, &brk);
	if (rc)
		return rc;
	uvm_set_brk(brk);
	stack = uvm_mmap_anon(0, APP_STACK_SIZE, PROT_READ | PROT_WRITE, false);
	if (stack < 0)
		return (int)stack;
	/* a guard page under the stack */
	uvm_mprotect((unsigned long)stack, PAGE_SIZE, PROT_NONE);
	rc = fd_table_init();
	if (rc)
		return rc;
	main_frame.rip = eh->e_entry;
	main_frame.cs = GDT_USER_CS;
	main_frame.ss = GDT_USER_DS;
	main_frame.rflags = RFLAGS_IF | RFLAGS_RESERVED;
	main_frame.rsp = build_stack((unsigned long)stack + APP_STACK_SIZE, eh, phdr_va);
	at = app_thread_alloc();
	if (!at)
		return -ENOMEM;
	app_fpu_init(at->fxsave);
	rc = app_thread_create(&main_frame, at);
	if (rc < 0) {
		app_thread_free(at);
		return rc;
	}
	the_app.pid = rc;
	the_app.running = true;
	pr_info("app: %s started (pid %d, %zu bytes, entry %#llx)\n", the_app.name, rc, size,
		(unsigned long long)eh->e_entry);
	wake_up_process(at->task);
	return 0;
}

void app_start(void)
{
	int rc;

	app_threads_init();
	if ((size_t)(app_image_end - app_image_start) == 0)
		return;
	strlcpy(the_app.name, app_image_name, sizeof(the_app.name));
	rc = app_load();
	if (rc) {
		pr_err("app: %s not started: %s\n", the_app.name, errno_name(rc));
		uvm_teardown();
	}
}
