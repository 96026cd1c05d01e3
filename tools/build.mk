# run / iso / debug / deps targets (the scripts they call document every knob)

# make iso: build/barenet.iso, GRUB for BIOS and UEFI, hybrid (dd to a USB stick).
# ISO_APPEND is the default entry's kernel command line, ISO_OUT the image;
# the kernel is not rebuilt, so tests wrap the same ELF with their own options:
#   make iso ISO_APPEND='exit=ready' ISO_OUT=build/test-iso/ready.iso ISO_TIMEOUT=0
ISO_OUT     ?= $(BUILD)/barenet.iso
ISO_APPEND  ?=
ISO_TIMEOUT ?= 3

.PHONY: iso
iso: $(BUILD)/barenet.elf
	@$(if $(Q),echo "  ISO     $(ISO_OUT)")
	$(Q)ISO_TIMEOUT='$(ISO_TIMEOUT)' tools/mkiso.sh $(BUILD)/barenet.elf $(ISO_OUT) '$(ISO_APPEND)'

# make run / run-iso / debug: QEMU with the serial console on this terminal.
NIC     ?= e1000
NET     ?= user
NETNS   ?= barenet-run
ACCEL   ?= $(or $(BARENET_ACCEL),auto)
MEM     ?= 256
# CPUs (-smp): 2 unless CPUS= or SMP= says otherwise
CPUS    ?= 2
SMP     ?= $(CPUS)
MACHINE ?= q35
APPEND  ?=
FW      ?= bios
GDBPORT ?= 1234
HOSTFWD ?= tcp:127.0.0.1:8080-:80 tcp:127.0.0.1:5001-:5001 tcp:127.0.0.1:7777-:7 udp:127.0.0.1:7777-:7

qemu-run = NIC='$(NIC)' NET='$(NET)' NETNS='$(NETNS)' ACCEL='$(ACCEL)' MEM='$(MEM)' SMP='$(SMP)' MACHINE='$(MACHINE)' \
	APPEND='$(APPEND)' FW='$(FW)' HOSTFWD='$(HOSTFWD)' tools/qemu-run.sh

.PHONY: run run-iso debug
# the release image (Makefile: FLAVOUR), with APP= its application
run: release
	$(Q)KERNEL=$(RELEASE_KERNEL) $(qemu-run)

run-iso: iso
	$(Q)ISO=$(ISO_OUT) $(qemu-run)

debug: release
	$(Q)KERNEL=$(RELEASE_KERNEL) GDBPORT='$(GDBPORT)' $(qemu-run)

.PHONY: deps
deps:
	tools/deps.sh
include tools/inject/build.mk
