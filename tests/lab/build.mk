# Lab mode (docs/LAB.md): the e1000 rings as an OS-course lab, generated
# from the real driver's LAB:BEGIN/LAB:END regions, and its grader.
#
#   make lab [LAB=e1000-tx|e1000-rx|e1000] [LAB_OUT=dir]
#        the student tree: a copy of the tracked files, the lab's regions
#        replaced by tools/lab/stubs/<name>.c (default build/lab/<LAB>)
#   make grade [LAB_TREE=dir] [LAB_QEMU=0|1]
#        build the tree's driver against the fake NIC and run the staged
#        tests (tests/lab/grade_host.c, grade_checks.c), then (LAB_QEMU=1, the default)
#        boot the tree's kernel on QEMU's 82540EM (tools/lab/grade_qemu.py)
#   make lab-selftest [LAB_QEMU=0|1]
#        the reference driver at full marks, and each mutation in
#        tests/lab/mutations/ caught and named; its host part (LAB_QEMU=0)
#        runs in make test
LAB ?= e1000
LAB_OUT ?= $(BUILD)/lab/$(LAB)
LAB_TREE ?= $(LAB_OUT)
LAB_QEMU ?= 1

# what the host grader links from the graded tree: the e1000 unit tests' set
# (tests/unit/build.mk), so a new driver file reaches both at once
lab-tree-srcs = $(filter-out tests/unit/%,$(unit-e1000-srcs))
lab-support-srcs = $(filter tests/unit/%,$(unit-e1000-srcs)) tests/unit/host_stubs.c

# what tools/lab/grade.py needs to build the host grader
define lab-grade-env
LAB_TREE_SRCS='$(lab-tree-srcs)' LAB_SUPPORT_SRCS='$(lab-support-srcs)' \
LAB_HOST_CFLAGS='$(HOST_CFLAGS) $(unit-e1000-cflags)' \
LAB_HOST_LIBS='$(abspath $(HOST_LWIP_LIB)) $(HOST_LIBS)' HOSTCC='$(HOSTCC)'
endef

.PHONY: lab grade lab-selftest lab-selftest-host
lab:
	$(PYTHON) tools/lab/mklab.py $(LAB) $(LAB_OUT)

grade: $(HOST_LWIP_LIB)
	@$(lab-grade-env) $(PYTHON) tools/lab/grade.py --qemu=$(LAB_QEMU) $(LAB_TREE)

lab-selftest: $(HOST_LWIP_LIB)
	@$(lab-grade-env) $(PYTHON) tools/lab/selftest.py --qemu=$(LAB_QEMU)

# the part make test runs (host only, well under a minute)
lab-selftest-host: $(HOST_LWIP_LIB)
	@$(lab-grade-env) $(PYTHON) tools/lab/selftest.py --qemu=0
