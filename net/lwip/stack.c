/* Bring-up of lwIP: one call at boot proves the freestanding build links
 * and runs.  The netif, timers and services arrive with the frame's-journey
 * issue. */
#include "kernel/printk.h"
#include "net/lwip/stack.h"
#include "lwip/init.h"

void net_stack_init(void)
{
	lwip_init();
	pr_info("lwip: %s initialised (NO_SYS, IPv4+IPv6, TCP, UDP)\n", LWIP_VERSION_STRING);
}
