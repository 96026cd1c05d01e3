# NIC and bus drivers (PCI, e1000 family) arrive with their issues.
# the net_device registry (the contract drivers and the stack share) and its
# /proc/net/dev and /sys/class/net views
kernel-srcs += drivers/net/netdevice.c drivers/net/netdevice_proc.c
