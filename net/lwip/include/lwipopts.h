/* lwIP configuration for barenet.  Every option not set here keeps lwIP's
 * default from src/include/lwip/opt.h; each override says why. */
#ifndef BARENET_LWIPOPTS_H
#define BARENET_LWIPOPTS_H

/* no threads: lwIP runs in one context at a time (the NET_RX softirq and the
 * timer softirq, under the core lock); no sequential or socket API */
#define NO_SYS                      1
#define SYS_LIGHTWEIGHT_PROT        0
#define LWIP_NETCONN                0
#define LWIP_SOCKET                 0

/* 64-bit: pointers in pbufs and pools must stay 8-byte aligned */
#define MEM_ALIGNMENT               8
/* heap and pools, sized for the services of later issues */
#define MEM_SIZE                    (1024 * 1024)
#define MEMP_NUM_PBUF               256
#define MEMP_NUM_UDP_PCB            16
#define MEMP_NUM_TCP_PCB            64
#define MEMP_NUM_TCP_PCB_LISTEN     16
#define MEMP_NUM_TCP_SEG            512
#define PBUF_POOL_SIZE              512

/* protocols */
#define LWIP_IPV4                   1
#define LWIP_IPV6                   1
#define LWIP_ARP                    1
#define LWIP_ETHERNET               1
#define LWIP_ICMP                   1
#define LWIP_RAW                    1
#define LWIP_UDP                    1
#define LWIP_TCP                    1
#define LWIP_DHCP                   1
#define LWIP_AUTOIP                 0
#define LWIP_IGMP                   1
#define LWIP_IPV6_MLD               1
#define LWIP_IPV6_AUTOCONFIG        1
#define LWIP_IPV6_DHCP6             0
#define LWIP_DNS                    0
/* without this, ip6_frag.c asserts on its first reassembly timer when
 * pointers are 64-bit (measured: about 1 s after start) */
#define IPV6_FRAG_COPYHEADER        1

/* drivers hand DMA buffers to lwIP as custom pbufs (zero-copy receive) */
#define LWIP_SUPPORT_CUSTOM_PBUF    1
/* checksum offload is decided per netif, from what the NIC really verifies */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1

#define LWIP_NETIF_STATUS_CALLBACK  1
#define LWIP_NETIF_LINK_CALLBACK    1

/* counters for /proc/net/snmp and friends */
#define LWIP_STATS                  1
#define LWIP_STATS_DISPLAY          1
#define MIB2_STATS                  1

#endif
