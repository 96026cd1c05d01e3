# NIC and bus drivers.
# PCI core: config access, enumeration, listing, drivers (drivers/pci/pci.h)
kernel-srcs += drivers/pci/pci_config.c drivers/pci/pci_enum.c drivers/pci/pci_names.c \
	drivers/pci/pci_driver.c drivers/pci/pci_selftest.c drivers/pci/pci_irq.c \
	drivers/pci/pci_irqtest.c
# the net_device registry: the contract the network stack attaches to, and
# its /proc/net/dev and /sys/class/net views
kernel-srcs += drivers/net/netdevice.c drivers/net/netdevice_proc.c
# seeded fault injection at the driver and descriptor layer (drivers/net/fault.h)
kernel-srcs += drivers/net/fault.c drivers/net/fault_cmd.c
# the e1000/e1000e/igb driver and the l2reflect self-test responder
kernel-srcs += drivers/net/l2reflect.c drivers/net/l2reflect_run.c \
	drivers/net/e1000/e1000_hw.c drivers/net/e1000/e1000_desc.c \
	drivers/net/e1000/e1000_txrx.c drivers/net/e1000/e1000_rxpool.c \
	drivers/net/e1000/e1000_stats.c \
	drivers/net/e1000/e1000_netdev.c drivers/net/e1000/e1000_irq.c \
	drivers/net/e1000/e1000_itr.c drivers/net/e1000/e1000_main.c \
	drivers/net/e1000/e1000_fault.c drivers/net/e1000/e1000_watchdog.c \
	drivers/net/e1000/e1000_mq.c drivers/net/e1000/e1000_mq_ethtool.c \
	drivers/net/e1000/e1000_vlan.c
