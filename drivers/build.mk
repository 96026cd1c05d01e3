# NIC and bus drivers (PCI, e1000 family) arrive with their issues.
# the net_device registry: the contract the network stack attaches to
kernel-srcs += drivers/net/netdevice.c
