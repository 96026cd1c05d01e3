/* The lwIP stack as a whole. */
#ifndef NET_LWIP_STACK_H
#define NET_LWIP_STACK_H

/* initialise lwIP (NO_SYS); call once at boot */
void net_stack_init(void);

#endif
