kernel-srcs += kernel/main.c kernel/bootinfo.c kernel/cmdline.c kernel/cmdline_parse.c \
	kernel/serial.c kernel/vga.c kernel/printk.c kernel/power.c kernel/panic.c \
	kernel/clock.c kernel/errno.c
kernel-srcs += kernel/acpi_tables.c kernel/acpi.c kernel/lapic.c kernel/ioapic.c kernel/pic.c \
	kernel/pit.c kernel/hpet.c kernel/intc.c kernel/tick.c
kernel-srcs += kernel/gdt.c kernel/idt.c kernel/isr.S kernel/irq.c kernel/kallsyms.c \
	kernel/backtrace.c kernel/selftest.c kernel/selftest_irq.c kernel/extable.c kernel/uaccess.S kernel/uaccess_copy.c
# the application processors (kernel/smp.h), /proc/cpuinfo
kernel-srcs += kernel/smp.c kernel/smp_trampoline.S kernel/cpuinfo.c kernel/spinlock_debug.c \
	kernel/smp_call.c kernel/selftest_spinlock.c
# kernel threads and the scheduler (kernel/sched.h)
kernel-srcs += kernel/sched.c kernel/switch.S kernel/kthread.c kernel/selftest_sched.c \
	kernel/mutex.c kernel/completion.c kernel/selftest_mutex.c kernel/selftest_smp_stress.c \
	kernel/top.c
kernel-srcs += kernel/softirq.c kernel/selftest_softirq.c kernel/workqueue.c kernel/kworker.c \
	kernel/softlockup.c
kernel-srcs += kernel/mm.c kernel/buddy.c kernel/page_alloc.c kernel/paging.c kernel/kmalloc.c \
	kernel/dma.c kernel/mmio.c kernel/mmtest.c
# console input, idle and CPU time accounting (/proc/stat), and the /proc files the kernel core owns
kernel-srcs += kernel/serial_rx.c kernel/idle.c kernel/cpustat.c kernel/meminfo.c kernel/version_proc.c
# the random generator and its boot seed (RDSEED/RDRAND/TSC jitter);
# rate-limited log lines
kernel-srcs += kernel/random.c kernel/ratelimit.c
# the serial console shell (kernel/shell/shell.h)
kernel-srcs += kernel/shell/shell.c kernel/shell/line.c kernel/shell/complete.c \
	kernel/shell/cmd_fs.c kernel/shell/cmd_sys.c kernel/shell/cmd_sysctl.c kernel/shell/cmd_grep.c \
	kernel/shell/cmd_watch.c kernel/shell/cmd_netstat.c kernel/shell/cmd_irqbalance.c
