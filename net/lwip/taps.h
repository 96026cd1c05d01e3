/* Capture and journey taps inside lwIP (net/lwip/taps.c). */
#ifndef NET_LWIP_TAPS_H
#define NET_LWIP_TAPS_H

/* Point the loopback netif's output functions at the tapped loop output;
 * after lwip_init, core lock held. */
void net_taps_init(void);

#endif
