# make APP=... and make app-kernel APP=... (kernel/app/build.mk says what they do)
MUSL_SPECS := /usr/lib/x86_64-linux-musl/musl-gcc.specs
APP ?=
APP_CFLAGS ?=
APP_LDLIBS ?=
app-list := $(strip $(APP))
# a directory stands for its C files
app-srcs := $(foreach a,$(app-list),$(if $(wildcard $(a)/.),$(sort $(wildcard $(a)/*.c)),$(a)))
# APP_NAME: the program's name (argv[0], the console's app: lines); by
# default the first file's or the directory's
APP_NAME ?=
app-name := $(if $(app-list),$(or $(APP_NAME),$(basename $(notdir $(patsubst %/,%,$(firstword $(app-list)))))))
app-dirs := $(sort $(dir $(app-srcs)))
app-out := $(BUILD)/apps/$(app-name)
app-elf := $(app-out)/$(app-name).elf
app-image := $(app-out)/$(app-name).image
APP_BUILD_CFLAGS := -specs $(MUSL_SPECS) -std=gnu11 -O2 -g -Wall -Wextra -fno-pie -no-pie -static

# what APP was at the last build of the default image: its object follows
$(BUILD)/gen/app.cmd: FORCE
	@mkdir -p $(dir $@)
	$(Q)echo '$(app-list) $(APP_NAME) $(APP_CFLAGS) $(APP_LDLIBS)' | cmp -s - $@ || \
		echo '$(app-list) $(APP_NAME) $(APP_CFLAGS) $(APP_LDLIBS)' > $@

ifneq ($(app-list),)
$(if $(app-srcs),,$(error APP=$(APP): no C source there))
$(app-out)/app.cmd: FORCE
	@mkdir -p $(dir $@)
	$(Q)echo '$(app-list) $(APP_NAME) $(APP_CFLAGS) $(APP_LDLIBS)' | cmp -s - $@ || \
		echo '$(app-list) $(APP_NAME) $(APP_CFLAGS) $(APP_LDLIBS)' > $@
$(app-elf): $(app-srcs) $(foreach d,$(app-dirs),$(wildcard $(d)*.h)) $(app-out)/app.cmd $(MUSL_SPECS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  APP     $@ ($(app-srcs))")
	$(Q)$(CC) $(APP_BUILD_CFLAGS) $(APP_CFLAGS) -o $@ $(app-srcs) $(APP_LDLIBS)
$(app-image): $(app-elf)
	$(Q)$(OBJCOPY) --strip-debug $< $@
app-image-defs := -DAPP_IMAGE_PATH='"$(app-image)"' -DAPP_IMAGE_NAME='"$(app-name)"'
app-image-dep := $(app-image)

$(app-out)/image.o: kernel/app/image.S $(app-image)
	@$(if $(Q),echo "  AS      $< ($(app-name))")
	$(Q)$(CC) $(KASFLAGS) $(app-image-defs) -c $< -o $@
# the tree this image is built from, recorded in its own directory: the
# shared $(BUILD)/gen/build_id.c is rewritten only by a build of
# $(BUILD)/barenet.elf, so an app build after a commit (a new id) does not
# leave that image older than its build id, which the QEMU tests' freshness
# check (tests/qemu/conftest.py) took for a stale image
$(app-out)/gen/build_id.c: FORCE
	$(Q)tools/gen-build-id.sh $@
$(app-out)/build_id.o: $(app-out)/gen/build_id.c $(BUILD)/gen/kflags
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS_NOLTO) -c $< -o $@
app-kernel-objs := $(filter-out $(BUILD)/obj/kernel/app/image.o $(BUILD)/obj/gen/build_id.o,$(kernel-objs)) \
	$(app-out)/image.o $(app-out)/build_id.o
$(app-out)/barenet.elf: $(app-kernel-objs) linker.ld tools/check-image.sh tools/gen-kallsyms.sh
	$(call kernel-link,$@,$(app-kernel-objs),$(app-out)/kallsyms)
endif

$(BUILD)/obj/kernel/app/image.o: kernel/app/image.S $(BUILD)/gen/app.cmd $(app-image-dep)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $< $(if $(app-list),($(app-name)),(no application))")
	$(Q)$(CC) $(KASFLAGS) $(app-image-defs) -c $< -o $@

.PHONY: app-kernel
app-kernel: $(if $(app-list),$(app-out)/barenet.elf)
	$(if $(app-list),,@echo "make app-kernel: name the application, APP=path" >&2; exit 1)
