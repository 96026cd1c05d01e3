# NIC and bus drivers (PCI, e1000 family) arrive with their issues.
