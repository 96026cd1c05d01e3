# barenet: top Makefile.  Per-directory fragments (*/build.mk) list sources;
# this file holds the toolchain, flags and the targets.  `make help` lists them.

.DEFAULT_GOAL := all

CROSS_COMPILE ?=
CC      := $(CROSS_COMPILE)gcc
LD      := $(CROSS_COMPILE)ld
OBJCOPY := $(CROSS_COMPILE)objcopy
NM      := $(CROSS_COMPILE)nm
HOSTCC  ?= gcc
PYTHON  := /usr/bin/python3

# V=1 shows the full commands
ifeq ($(V),1)
Q :=
else
Q := @
endif

# Two flavours of the image, each in its own build directory, as a Linux
# distribution ships a kernel and its debug variant:
#   release  LOCK_DEBUG=0 KMALLOC_DEBUG=0, in $(RELEASE_BUILD) (build/release):
#            what make, make run, make debug and make bench build and boot
#   checked  LOCK_DEBUG=1 KMALLOC_DEBUG=1, in $(BUILD) (build): what make test
#            boots (make checked builds it)
# FLAVOUR (default checked) is the flavour of $(BUILD); the release image is
# made by a sub-make with FLAVOUR=release BUILD=$(RELEASE_BUILD).  A target
# that takes one image (app-kernel, iso) builds $(BUILD)'s: FLAVOUR=release
# makes that build/release.  Each directory records the flags it was built
# with ($(BUILD)/gen/kflags): LOCK_DEBUG= or KMALLOC_DEBUG= rebuilds it.
# (only make's own command line sets FLAVOUR and BUILD, not the environment)
ifneq ($(origin FLAVOUR),command line)
FLAVOUR := checked
endif
ifeq ($(FLAVOUR),release)
ifneq ($(origin BUILD),command line)
BUILD   := build/release
endif
LOCK_DEBUG ?= 0
KMALLOC_DEBUG ?= 0
LTO ?= 1
else ifeq ($(FLAVOUR),checked)
ifneq ($(origin BUILD),command line)
BUILD   := build
endif
LOCK_DEBUG ?= 1
KMALLOC_DEBUG ?= 1
LTO ?= 0
else
$(error FLAVOUR must be release or checked, not '$(FLAVOUR)')
endif
# the image make run boots: this directory's when it is the release one
RELEASE_BUILD ?= $(if $(filter release,$(FLAVOUR)),$(BUILD),$(BUILD)/release)
RELEASE_KERNEL := $(RELEASE_BUILD)/barenet.elf
DEPS    := build/deps
LWIP    := $(DEPS)/lwip-2.2.1
UPLOT   := $(DEPS)/uplot-1.6.32

# Kernel flags: freestanding, no SSE/x87 anywhere (IRQ-reachable code must not
# touch FPU state; CR4.OSFXSR is never set), kernel code model in the top 2 GiB.
KCFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc -fno-builtin \
	-isystem lib/libc -isystem $(shell $(CC) -print-file-name=include) -I. \
	-fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -mno-red-zone -mgeneral-regs-only -mcmodel=kernel \
	-fno-common -fno-strict-aliasing -Wall -Wextra -Werror -MMD -MP
# LOCK_DEBUG=0 builds spinlocks without the checks of kernel/spinlock_debug.c
# (owner, recursion, IRQ safety, hold and spin times); KMALLOC_DEBUG=0 builds
# kmalloc without redzones, caller tracking and live list (kernel/kmalloc.c).
# Their defaults come from FLAVOUR (above); the image names its flavour
# (kernel/version.h: BARENET_FLAVOUR), "custom" when they are mixed.
flavour-name := $(if $(filter 0/0,$(LOCK_DEBUG)/$(KMALLOC_DEBUG)),release,$(if \
	$(filter 1/1,$(LOCK_DEBUG)/$(KMALLOC_DEBUG)),checked,custom))
KCFLAGS += -DLOCK_DEBUG=$(LOCK_DEBUG) -DKMALLOC_DEBUG=$(KMALLOC_DEBUG) \
	-DBARENET_FLAVOUR='"$(flavour-name)"'
# gcc may inline small memcpy/memset in ordinary code ...
KCFLAGS += -fbuiltin
# Link-time optimisation (LTO=1, the release flavour's default; the checked
# flavour's is LTO=0, since each LTO link of an image takes tens of seconds
# and the QEMU tests link many application images): gcc inlines across files at
# the link, so the small functions a frame's path calls through (the
# clock, bottom halves, the socket and system call layers, pbuf helpers)
# cost no call and return; under QEMU's TCG each return is a lookup of the
# next translated block.  The objects hold gcc's IR only; the link compiles
# them with KLTOFLAGS, the code-generation options above.  lib/string.c is
# compiled outside it: gcc's own calls to memcpy/memset/memmove (struct
# copies, loops it recognises) must find real symbols at the link.
# docs/BENCHMARKS.md has what it changed.  `make test LTO=1` runs the
# tests on a checked image built this way too.
KLTOFLAGS := -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -mno-red-zone \
	-mgeneral-regs-only -mcmodel=kernel -fno-common -fno-strict-aliasing -fbuiltin
# the build id (gen/build_id.c) stays outside it too: one string the
# image carries as it is, that an application's build links a copy of
KCFLAGS_NOLTO := $(KCFLAGS)
ifeq ($(LTO),1)
KCFLAGS += -flto=auto -fno-fat-lto-objects
endif
# ... but not in lib/string.c, where it would turn the loops into calls to themselves
NOBUILTIN_CFLAGS := -fno-builtin -fno-tree-loop-distribute-patterns
KASFLAGS := $(filter-out -std=gnu11 -flto=auto -fno-fat-lto-objects,$(KCFLAGS)) -D__ASSEMBLY__
KLDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
	-Wl,--no-warn-rwx-segments -T linker.ld
ifeq ($(LTO),1)
KLDFLAGS += -flto=auto $(KLTOFLAGS)
endif

kernel-srcs :=
kernel-extra-objs :=
include boot/build.mk
include kernel/build.mk
include kernel/app/build.mk
include lib/build.mk
include drivers/build.mk
include net/build.mk
include fs/build.mk

# a source that two fragments list (a shared layer several branches need)
# is built and linked once; first-listed order is kept
uniq = $(if $(1),$(firstword $(1)) $(call uniq,$(filter-out $(firstword $(1)),$(1))))
kernel-objs := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(call uniq,$(kernel-srcs)))) \
	$(kernel-extra-objs) $(BUILD)/obj/gen/build_id.o
# much of the kernel sees lwIP's headers: on a fresh clone, lwIP is fetched
# (tools/deps.sh) before anything compiles, whatever -j says
$(kernel-objs): | $(LWIP)/.verified
# the application's rules need the object list (make APP=)
include kernel/app/app.mk

# The flags this directory's objects were built with, rewritten (at parse
# time, before make compares any dates) only when they change: a different
# LOCK_DEBUG, KMALLOC_DEBUG or toolchain rebuilds the directory, as Linux's
# .cmd files do per object.
# make -n and -q write nothing: they see every object out of date instead.
kflags-stamp := $(BUILD)/gen/kflags
kflags-now := $(CC) $(KCFLAGS) $(KLDFLAGS)
ifneq ($(kflags-now),$(file <$(kflags-stamp)))
ifeq ($(findstring n,$(firstword -$(MAKEFLAGS)))$(findstring q,$(firstword -$(MAKEFLAGS))),)
$(shell mkdir -p $(BUILD)/gen)
$(file >$(kflags-stamp),$(kflags-now))
else
$(kernel-objs) $(BUILD)/barenet.elf: FORCE
endif
endif
# (a stamp make -n has not written yet is no error)
$(kflags-stamp): ;
$(kernel-objs): $(kflags-stamp)

# make: the release image (what make run boots); make checked: the checked
# one in $(BUILD) and the host tools the QEMU tests use; make test: both
.PHONY: all release checked
ifeq ($(FLAVOUR),release)
all release: $(BUILD)/barenet.elf $(BUILD)/barenet.sym
checked:
	@echo "make checked: the checked image is built by a make without FLAVOUR=release" >&2; exit 1
else
all: release
# one sub-make for the release directory; the dependencies are fetched
# first, so that the two makes never run tools/deps.sh at once
release: | $(LWIP)/.verified $(UPLOT)/.verified
	$(Q)$(MAKE) --no-print-directory FLAVOUR=release BUILD=$(RELEASE_BUILD) \
		release
checked: $(BUILD)/barenet.elf $(BUILD)/barenet.sym
endif

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) $(CFLAGS_$(subst /,_,$*)) -c $< -o $@

# the tree the image is built from (kernel/version.h: barenet_build),
# checked on every make, rewritten only when it changes
$(BUILD)/gen/build_id.c: FORCE
	$(Q)tools/gen-build-id.sh $@
$(BUILD)/obj/gen/build_id.o: $(BUILD)/gen/build_id.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS_NOLTO) -c $< -o $@
.PHONY: FORCE
FORCE:

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

# The kernel carries its own symbol table (kernel/kallsyms.c), made in
# passes as Linux's kallsyms is: link with an empty table, generate the table
# from `nm -n` of that image, link again with it, and once more with the
# table of the second image.  The table sits in .rodata, after all the text,
# so its size cannot move a text symbol; the third image's table must equal
# the second's, i.e. the table in the final image describes that image.
KSYMS := $(BUILD)/kallsyms

# $(call kallsyms-link,out,table-object[,objects])
define kallsyms-link
	$(Q)$(CC) $(KLDFLAGS) -o $(1) $(or $(3),$(kernel-objs)) $(2) -lgcc
endef
# $(call kallsyms-table,elf-or-empty,out-basename)
define kallsyms-table
	$(Q)$(if $(1),$(NM) -n $(1),cat /dev/null) | tools/gen-kallsyms.sh > $(2).S
	$(Q)$(CC) $(KASFLAGS) -c $(2).S -o $(2).o
endef
# $(call kernel-link,out,objects,kallsyms-dir): the three passes
define kernel-link
	@mkdir -p $(3)
	@$(if $(Q),echo "  KSYMS   $(1) (3 link passes)")
	$(call kallsyms-table,,$(3)/table0)
	$(call kallsyms-link,$(3)/pass1.elf,$(3)/table0.o,$(2))
	$(call kallsyms-table,$(3)/pass1.elf,$(3)/table1)
	$(call kallsyms-link,$(3)/pass2.elf,$(3)/table1.o,$(2))
	$(call kallsyms-table,$(3)/pass2.elf,$(3)/table2)
	$(call kallsyms-link,$(3)/pass3.elf,$(3)/table2.o,$(2))
	$(call kallsyms-table,$(3)/pass3.elf,$(3)/table3)
	$(Q)cmp -s $(3)/table2.S $(3)/table3.S || \
		{ echo "kallsyms: the symbol table of pass 3 differs from pass 2" >&2; exit 1; }
	$(Q)tools/check-image.sh $(3)/pass3.elf
	$(Q)cp $(3)/pass3.elf $(1)
endef

$(BUILD)/barenet.elf: $(kernel-objs) linker.ld tools/check-image.sh tools/gen-kallsyms.sh $(kflags-stamp)
	$(call kernel-link,$@,$(kernel-objs),$(KSYMS))

$(BUILD)/barenet.sym: $(BUILD)/barenet.elf
	$(Q)$(NM) -n $< > $@

include tests/build.mk
include tests/unit/build.mk
include tests/fuzz/build.mk
include tests/lab/build.mk
include tools/build.mk
include bench/build.mk
include apps/iperf3.mk

.PHONY: clean distclean help
clean:
	rm -rf $(BUILD)/obj $(BUILD)/host $(BUILD)/iso $(BUILD)/fuzz $(BUILD)/kallsyms $(BUILD)/barenet.* $(BUILD)/test-* \
		$(BUILD)/gen $(RELEASE_BUILD)

distclean:
	rm -rf $(BUILD)

help:
	@echo "barenet targets:"
	@echo "  make            the release image build/release/barenet.elf (LOCK_DEBUG=0 KMALLOC_DEBUG=0;"
	@echo "                  QEMU -kernel) and its barenet.sym: what make run, debug and bench boot"
	@echo "  make checked    the checked image build/barenet.elf (LOCK_DEBUG=1 KMALLOC_DEBUG=1), its .sym"
	@echo "                  and build/tools/bn-inject: what the QEMU tests boot (make test builds both)"
	@echo "  make iso        build build/barenet.iso (GRUB, BIOS + UEFI; dd it to a USB stick)"
	@echo "                  ISO_APPEND='...' default entry's options, ISO_OUT=, ISO_TIMEOUT="
	@echo "  make run        boot the release image in QEMU (NIC=e1000|e1000e|igb, ACCEL=auto|kvm|tcg, CPUS=2, APPEND='...')"
	@echo "                  NET=user (127.0.0.1 forwards) or NET=tap (root: a namespace with a tap);"
	@echo "                  the dashboard: http://127.0.0.1:8080/ (docs/DASHBOARD.md)"
	@echo "  make APP=prog.c an image with that program as its application (a file, files or a directory;"
	@echo "                  built against musl, run after ready; make run APP=... boots it; docs/APPS.md)"
	@echo "  make app-kernel APP=...  build/apps/<name>/barenet.elf, sharing the kernel objects"
	@echo "  make run-iso    boot the ISO in QEMU (FW=bios|uefi)"
	@echo "  make debug      boot in QEMU stopped for gdb; 'gdb -x tools/gdbinit' attaches"
	@echo "  make test       install missing deps, run host unit tests and QEMU tests (lower counts,"
	@echo "                  TEST_WORKERS=$(TEST_WORKERS) QEMU tests at once; prints the 15 slowest and the wall time)"
	@echo "  make test-full  the QEMU tests with full counts, every NIC model x interrupt mode"
	@echo "                  and the long (slow) variants; serial unless TEST_WORKERS=N"
	@echo "  make unit       host unit tests only (ASan + UBSan, Check)"
	@echo "  make fuzz       libFuzzer targets rx, frag and text, FUZZ_TIME=600 s each (docs/FUZZING.md);"
	@echo "                  fuzz-regress replays the kept inputs, fuzz-quick runs 20 s each"
	@echo "  make stress     1,000,000 frames (10% malformed) through build/tools/bn-inject,"
	@echo "                  overload per NIC model (recovery < 1 s), a 1-minute soak,"
	@echo "                  hostile traffic (thc-ipv6, hping3, nmap) per NIC model"
	@echo "  make soak       SOAK_MINUTES (10) at half load, mixed, memory flat (root; build/soak-<nic>.csv)"
	@echo "  make lab        lab mode: a student tree with the e1000 rings as stubs (LAB=e1000-tx|e1000-rx|e1000,"
	@echo "                  LAB_OUT=dir); make grade [LAB_TREE=dir] [LAB_QEMU=0] grades one;"
	@echo "                  make lab-selftest proves the grader (docs/LAB.md)"
	@echo "  make deps       install dependencies (Debian packages, lwIP source)"
	@echo "  make bench      barenet vs a Debian Linux guest, same NIC (root; BENCH_MODELS, BENCH_MODES, BENCH_QUICK=1)"
	@echo "  make clean      remove build outputs (keeps build/deps)"
	@echo "  make distclean  remove build/ entirely"
	@echo "Variables: CROSS_COMPILE=x86_64-elf- (toolchain prefix), BUILD=dir (the checked image's;"
	@echo "  the release one goes in dir/release), FLAVOUR=release (app-kernel, iso: build/release),"
	@echo "  V=1, APP, APP_NAME,"
	@echo "  APP_CFLAGS, APP_LDLIBS,"
	@echo "  ACCEL, NIC, NET, NETNS, APPEND, MEM, SMP, MACHINE, HOSTFWD, GDBPORT, PYTEST_ARGS (see docs/USAGE.md)"
	@echo "  LOCK_DEBUG=0|1 spinlocks without/with owner/recursion/IRQ-safety/hold-time checks, and"
	@echo "  KMALLOC_DEBUG=0|1 kmalloc without/with redzones/caller tracking/live list (defaults: the"
	@echo "  flavour's; a build directory remembers its flags and rebuilds when they change)"

-include $(kernel-objs:.o=.d)
