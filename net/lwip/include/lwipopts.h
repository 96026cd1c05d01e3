/* lwIP configuration for barenet.  Every option not set here keeps lwIP's
 * default from src/include/lwip/opt.h; each override says why. */
#ifndef BARENET_LWIPOPTS_H
#define BARENET_LWIPOPTS_H

/* --- execution model -------------------------------------------------- */

/* no threads: lwIP runs in one context at a time (the NET_RX and TIMER
 * softirqs, and process context during boot and self-tests), always under
 * the core lock of net/lwip/core_lock.h; no sequential or socket API */
#define NO_SYS                      1
#define LWIP_NETCONN                0
#define LWIP_SOCKET                 0

/* every lwIP entry point (tcp_*, udp_*, netif_*, sys_check_timeouts, ...)
 * checks that its caller holds the core lock: in the checked flavour and
 * the host builds; the release flavour (LOCK_DEBUG=0) compiles the check
 * out, as Linux's lockdep_assert_held without CONFIG_LOCKDEP (it ran about
 * nine times for each UDP echo request) */
void net_core_assert_locked(const char *fn);
#if !defined(LOCK_DEBUG) || LOCK_DEBUG
#define LWIP_ASSERT_CORE_LOCKED()   net_core_assert_locked(__func__)
#else
#define LWIP_ASSERT_CORE_LOCKED()   do { } while (0)
#endif

/* pools, heap and pbuf reference counts are guarded by SYS_ARCH_PROTECT
 * (a recursive spinlock with interrupts off, net/lwip/port.c), so the sk_buff layer may free a pbuf
 * outside the core lock: NET_TX's completion queue, a driver's TX clean-up */
#define SYS_LIGHTWEIGHT_PROT        1
#define LWIP_ALLOW_MEM_FREE_FROM_OTHER_CONTEXT 1

/* --- memory ----------------------------------------------------------- */

/* 64-bit: pointers in pbufs and pools must stay 8-byte aligned */
#define MEM_ALIGNMENT               8
/* lwIP's heap is the kernel's kmalloc (interrupt-safe; lwIP 2.2's
 * MEM_CUSTOM_ALLOCATOR, which replaced 2.1's MEM_LIBC_MALLOC + mem_clib_*): it holds frames
 * lwIP builds or copies (replies, a driver's fallback copies of received
 * frames; received frames are normally custom pbufs over the driver's DMA
 * buffers) and TCP's copied send data, so it must grow with the connections and
 * windows in use rather than be a fixed array in the image.  MEM_SIZE is
 * then only what lwIP's sanity checks compare the windows with. */
#define MEM_CUSTOM_ALLOCATOR        1
#define MEM_CUSTOM_MALLOC           kmalloc
#define MEM_CUSTOM_FREE             kfree
#define MEM_CUSTOM_CALLOC(n, size)  kzalloc((n) * (size))
#define MEM_SIZE                    (4 * 1024 * 1024)
/* PBUF_REF/ROM headers (tcp_write without copy, lwiperf's ROM payload) */
#define MEMP_NUM_PBUF               512
/* the pool serves only lwIP-internal allocations: received frames are
 * custom pbufs over DMA buffers (or PBUF_RAM copies) */
#define PBUF_POOL_SIZE              64
#define MEMP_NUM_UDP_PCB            64      /* services' and sockets' */
#define MEMP_NUM_TCP_PCB_LISTEN     16
/* lwIP's own timeouts plus a few for services */
#define MEMP_NUM_SYS_TIMEOUT        (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)

/* --- TCP: connection storms ---------------------------------------------
 * The side that closes first keeps the connection in TIME_WAIT for 2*MSL.
 * Our HTTP responder closes first, so a benchmark that opens a connection
 * per request leaves one TIME_WAIT PCB per request on our side.  Unikraft's
 * lwIP port fell from 5,303 to 193 req/s over repeated wrk runs as TIME_WAIT
 * PCBs built up: once a client's ephemeral port comes round again while our
 * PCB for that 4-tuple is still in TIME_WAIT, lwIP answers the new SYN with
 * an ACK or RST (tcp_timewait_input; it has no RFC 6191 reuse), and the
 * client's SYN retry costs it a second or more.
 *
 * What keeps us out of that:
 *  - a fixed pool of MEMP_NUM_TCP_PCB PCBs, and lwIP's tcp_alloc(): when the
 *    pool is empty it recycles the oldest TIME_WAIT PCB (tcp_kill_timewait)
 *    before refusing anything.  So at most MEMP_NUM_TCP_PCB connections are
 *    ever in TIME_WAIT, fewer than the connections a client makes before
 *    its port comes round again (measured: ~2,900 for Linux 6.x, whose
 *    ports advance in random steps of ~10; ~28,000 for sequential ports).
 *    (Unbounded PCBs, MEMP_MEM_MALLOC, is exactly what lets them pile up;
 *    with 40,000 PCBs wrk -c4 fell from ~970 to 4 requests/s.)
 *  - for the clients that pick ports at random (or a pool that is large
 *    for them), a SYN above the old connection's last sequence number
 *    reopens a TIME_WAIT connection, as in Linux (RFC 1122 4.2.2.13):
 *    net/lwip/tcp_tw.c, through the hook below.
 *  - 256 PCBs: enough for a few hundred concurrent connections (wrk -c 256)
 *    before recycling starts; each is ~200 bytes.
 *  - TCP_MSL 30 s: TIME_WAIT of 60 s, as Linux's TCP_TIMEWAIT_LEN, instead of
 *    lwIP's 2 * 60 s, so the pool drains twice as fast at low rates. */
#define MEMP_NUM_TCP_PCB            256
#define TCP_MSL                     30000UL
/* tcp_tw_inpacket (net/lwip/tcp_tw.c) sees each segment that meets a PCB
 * (the fuzz build names its own file, which includes this one) */
#ifndef LWIP_HOOK_FILENAME
#define LWIP_HOOK_FILENAME          "lwip_hooks.h"
#endif

/* --- TCP: throughput ------------------------------------------------------
 * Measured with make bench's iperf -r (bench/run.py) on QEMU's e1000e and
 * igb under TCG, where the guest's CPU, not the emulated wire, is the
 * limit: the fewer guest instructions per byte, the faster.
 *  - MSS 1460 (TCP_ETH_MSS): the Ethernet MTU less 40 bytes of headers;
 *    TSO sends up to 64 KiB still go out in these segments
 *    (net/lwip/tso.h).  TCP_MSS is the largest MSS, for jumbo frames:
 *    9176, the largest MTU a driver here allows (the 82576's 9216) less
 *    40.  lwIP derives the MSS it announces and the one it sends with
 *    from the netif's MTU (TCP_CALCULATE_EFF_SEND_MSS: the smaller of
 *    TCP_MSS and mtu - 40, IPv6's mtu6 - 60), so ip link set mtu 9000
 *    gives 8960 and the default MTU 1460.  The windows and buffers below
 *    are counted in Ethernet segments, as before jumbo frames.
 *  - Window scaling (RFC 7323), shift 2: windows past 64 KiB (up to 256 KiB).
 *  - Receive window 64 segments (~91 KiB): a 1 Gb/s stream up to ~0.7 ms
 *    of round trip; lwIP's sanity check ties it to the PBUF_POOL (received
 *    data does not live there: custom pbufs over the RX buffers), and a
 *    larger pool would cost static memory for no measured gain.
 *  - Send buffer 256 segments (~365 KiB): the sender may have only what
 *    it has buffered in flight, and on a loaded host the round trip
 *    through QEMU's TCG and the host's scheduler is milliseconds (the
 *    tap's ACKs wait for QEMU's I/O thread to be scheduled): with 64
 *    segments (~91 KiB) igb's guest->host stream idled half its time
 *    waiting for ACKs (RIP samples in idle_halt, bench/tcp.py), with 256
 *    it is busy.  A window's worth queued also lets an ACK that opens
 *    the window find up to 44 segments to join into one 64 KiB TSO send.
 *    lwIP's tcp_write walks the unsent queue to append (tcp_out.c), but
 *    sent segments move to unacked, so the walk stays short.  The queue
 *    length counts pbufs: two per segment of a write referenced in place
 *    (a header pbuf and the data: LWIP_NETIF_TX_SINGLE_PBUF 0 below, as
 *    lwiperf's), so a buffer of such MSS-sized writes fits, in half the
 *    segment pool; copied writes fill one pbuf per segment (TCP_OVERSIZE).
 *  - No SACK (lwIP's default): a tap or QEMU's user network does not lose
 *    segments on its own; nothing measured here asks for it.
 *  - Delayed ACK: lwIP's (an ACK for every second full segment, the rest
 *    from the 250 ms timer); fewer ACKs are fewer guest sends, and the
 *    sender's window, not the ACK clock, is what limits a bulk stream.
 *  - Nagle stays on (lwIP's default per connection; an application that
 *    wants it off calls tcp_nagle_disable): it only holds back a small
 *    segment while data is unacknowledged, never full ones, and the TSO
 *    glue sends what a NAPI poll (or a lock hold outside one) made lwIP
 *    send at its end anyway. */
#define TCP_ETH_MSS                 1460
#define TCP_MSS                     9176
#define LWIP_WND_SCALE              1
#define TCP_RCV_SCALE               2
#define TCP_WND                     (64 * TCP_ETH_MSS)
#define TCP_SND_BUF                 (256 * TCP_ETH_MSS)
#define TCP_SND_QUEUELEN            (2 * TCP_SND_BUF / TCP_ETH_MSS)
/* lwIP's defaults from TCP_MSS, kept at what the Ethernet MSS gave: a
 * window update once a quarter window (at most 4 segments) was read, and
 * the pool's buffers (lwIP-internal only) */
#define TCP_WND_UPDATE_THRESHOLD    LWIP_MIN(TCP_WND / 4, 4 * TCP_ETH_MSS)
#define PBUF_POOL_BUFSIZE           LWIP_MEM_ALIGN_SIZE(TCP_ETH_MSS + PBUF_IP_HLEN + PBUF_TRANSPORT_HLEN + \
						       PBUF_LINK_ENCAPSULATION_HLEN + PBUF_LINK_HLEN)
/* the netconn API's "writable" mark (net/socket has its own): lwIP's
 * default, half the send buffer, fails its check against u16 overflow
 * (4 * TCP_MSS below 65535) once TCP_MSS is a jumbo one; 16 Ethernet
 * segments are below it */
#define TCP_SNDLOWAT                (16 * TCP_ETH_MSS)
#define MEMP_NUM_TCP_SEG            1024
/* --- TCP: what one connection may hold (issue 11) ----------------------
 * Out-of-order data: each segment queued out of order holds a TCP_SEG
 * element of the pool every connection shares (and its receive buffer);
 * about 1000 one-byte out-of-order segments on one connection used to take
 * all 1024.  At most 64 KiB per connection, and at most 64 segments, fewer
 * as the pool runs low (lwip_hooks.h: a quarter of the free
 * elements), so that no number of connections can empty it.  The excess is
 * dropped; the peer retransmits it. */
#define TCP_OOSEQ_MAX_BYTES         (64 * 1024)
#define TCP_OOSEQ_MAX_PBUFS         64
#define TCP_OOSEQ_PBUFS_LIMIT(pcb)  tcp_guard_ooseq_pbufs()   /* lwip_hooks.h */
/* one extension argument per PCB: the give-up timer's snapshot of the
 * acknowledged sequence number (net/lwip/tcp_guard.c) */
#define LWIP_TCP_PCB_NUM_EXT_ARGS   1
/* --- TCP: the listen path (issue 11) -------------------------------------
 * SYN cookies (barenet's patch 0021, net/lwip/syncookie.c): a SYN flood
 * cannot take the listeners' slots or the PCB pool.  The half-open budget
 * per listener (net.ipv4.tcp_max_syn_backlog) is the hook's; a half-open
 * connection lives LWIP_TCP_RTO_TIME * (2^(n+1) - 1) ms for
 * n = net.ipv4.tcp_synack_retries (patch 0022: 9 s by default, lwIP's was
 * 20 s); the smallest MSS we send with is net.ipv4.tcp_min_snd_mss (patch
 * 0020: 48 as Linux, an MSS option of 1 gave one byte per segment). */
#define LWIP_TCP_SYNCOOKIES         1
extern int tcp_synack_retries, tcp_min_snd_mss;
#define TCP_SYN_RCVD_TIMEOUT        ((u32_t)LWIP_TCP_RTO_TIME * ((2U << tcp_synack_retries) - 1U))
#define TCP_SND_MSS_MIN             tcp_min_snd_mss
/* a new connection's backlog limit is per listener (tcp_listen_with_backlog) */
#define TCP_LISTEN_BACKLOG          1
/* SO_REUSEADDR as Linux's: a socket with it binds a port that connections
 * in TIME_WAIT still hold (a server restarted on its port after it closed
 * connections first: iperf3 re-listens on 5201 after each test, and after
 * a -R test the guest closed the data connection first).  Without SO_REUSE
 * lwIP ignores SOF_REUSEADDR and such a bind is EADDRINUSE for two minutes
 * (tests/qemu/test_iperf3.py).  Two sockets that both ask may share a UDP
 * port (Linux too); one without it still gets EADDRINUSE. */
#define SO_REUSE                    1
/* Not one pbuf per TCP segment: with 1, tcp_write copies every write,
 * even one its caller says needs no copy (TCP_WRITE_FLAG_COPY clear:
 * lwiperf's constant pattern), into a ~1.5 KiB kmalloc'd buffer per
 * segment, and that copy with kmalloc's debug fill and check was most of
 * the guest's time sending TCP.  With 0, such a write is referenced in
 * place (a PBUF_ROM behind a small header pbuf); the drivers take the
 * pieces as descriptors (skb_segs, no copy) and TSO joins them as before
 * (one payload piece per segment: bench/tcp.py's descriptors per send).
 * Copying writes (the sockets) still get whole segments through
 * TCP_OVERSIZE. */
#define LWIP_NETIF_TX_SINGLE_PBUF   0

/* TCP segments larger than the MSS for a netif that does TSO: lwIP's
 * tcp_write builds up to 64 KiB per segment and tcp_output cuts them at
 * the window edge (net/lwip/patches/0045-tcp-tso-large-segments.patch,
 * hooks in lwip_hooks.h); each pbuf carries the wire segment size its
 * segment is to be cut into (0: one wire segment) to the TSO glue
 * (net/lwip/tso.h).  Per-MSS work in lwIP (a segment, its header, its
 * trip through ip_output and the glue) becomes per 64 KiB. */
#define LWIP_PBUF_CUSTOM_DATA       u16_t tcp_gso_size;
#define LWIP_PBUF_CUSTOM_DATA_INIT(p) ((p)->tcp_gso_size = 0)
#define LWIP_PBUF_TCP_GSO_SIZE(p)   ((p)->tcp_gso_size)
/* lwiperf sends from a 64 KiB pattern, a write as large as the free send
 * buffer (patch 0046): the host's iperf writes 128 KiB per call */
#define LWIPERF_TXBUF_SIZE          (64 * 1024)

/* --- protocols -------------------------------------------------------- */
#define LWIP_IPV4                   1
#define LWIP_IPV6                   1
#define LWIP_ARP                    1
/* netinject's pretend peer on inj0 is a static ARP entry (no ARP round
 * trip, no frames beyond the ones injected) */
#define ETHARP_SUPPORT_STATIC_ENTRIES 1
#define LWIP_ETHERNET               1
#define LWIP_ICMP                   1
#define LWIP_RAW                    1
#define LWIP_UDP                    1
#define LWIP_TCP                    1
#define LWIP_DHCP                   1
/* lwIP 2.2 replaced 2.1's one ARP probe and 0.5 s wait before binding a
 * DHCP lease (DHCP_DOES_ARP_CHECK) with RFC 5227 conflict detection (acd.c):
 * three probes and an announce wait, 5 to 8 s before the address is used.
 * Off, as ISC dhclient on Debian: the lease is bound on the ACK
 * (and announced with a gratuitous ARP, netif.c) */
#define LWIP_DHCP_DOES_ACD_CHECK    0
#define LWIP_AUTOIP                 0
#define LWIP_IGMP                   1
#define LWIP_IPV6_MLD               1
/* SLAAC from router advertisements (link-local addresses are made by the
 * glue, from the MAC, as Linux does by default) */
#define LWIP_IPV6_AUTOCONFIG        1
#define LWIP_IPV6_DHCP6             0
#define LWIP_DNS                    0
/* without this, ip6_frag.c asserts on its first reassembly timer when
 * pointers are 64-bit (measured: about 1 s after start) */
#define IPV6_FRAG_COPYHEADER        1
/* How long a datagram's fragments wait for the rest, in seconds (lwIP's
 * reassembly timers tick once a second and keep the count in a u8):
 * net.ipv4.ipfrag_time and net.ipv6.ip6frag_time, under Linux's names,
 * with lwIP's defaults (Linux's are 30 and 60 s).  Read when a datagram's
 * first fragment arrives, so a change applies to the next datagram. */
#define IPFRAG_TIME_DEFAULT         15
#define IP6FRAG_TIME_DEFAULT        60
#define IPFRAG_TIME_MAX             255
extern int sysctl_ipfrag_time, sysctl_ip6frag_time;      /* net/lwip/port.c */
#define IP_REASS_MAXAGE             ((u8_t)sysctl_ipfrag_time)
#define IPV6_REASS_MAXAGE           ((u8_t)sysctl_ip6frag_time)

/* --- interfaces ------------------------------------------------------- */

/* 127.0.0.1 and ::1 (the loop netif), and traffic to our own addresses,
 * go through lwIP's loop queue, which the glue drains from NET_RX */
#define LWIP_NETIF_LOOPBACK         1
#define LWIP_HAVE_LOOPIF            1
/* a bound on that queue: past it lwIP's output gets ERR_MEM */
#define LWIP_LOOPBACK_MAX_PBUFS     512

/* drivers hand DMA buffers to lwIP as custom pbufs (zero-copy receive) */
#define LWIP_SUPPORT_CUSTOM_PBUF    1
/* checksum offload is decided per netif, from what the NIC really verifies
 * (the glue sets the check flags for each received frame) */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
/* the sums lwIP still computes (offload off, e1000's received frames,
 * fragments): lwIP's algorithm 3 adds two 32-bit words per iteration
 * where its default (2) adds one 16-bit word: a quarter of the loop's
 * iterations, which under QEMU's TCG is what a byte costs */
#define LWIP_CHKSUM_ALGORITHM       3

#define LWIP_NETIF_STATUS_CALLBACK  1
#define LWIP_NETIF_LINK_CALLBACK    1
/* address changes (DHCP bound, IPv6 address valid) are reported from here */
#define LWIP_NETIF_EXT_STATUS_CALLBACK 1

/* --- statistics (the status page, /proc/net/snmp later) --------------- */
#define LWIP_STATS                  1
#define LWIP_STATS_DISPLAY          1
#define MIB2_STATS                  1
/* 32-bit counters: 16-bit ones wrap within a second of iperf */
#define LWIP_STATS_LARGE            1
/* heap counters, which lwIP turns off by default over a C-library malloc
 * (mem.c keeps them then with a size word before each block) */
#define MEM_STATS                   1

#endif
