/* ip's commands that change things (net/lwip/cmd_ip_set.c); cmd_ip.c
 * hands them argv from the verb on.  Only net/ includes this. */
#ifndef NET_LWIP_CMD_IP_SET_H
#define NET_LWIP_CMD_IP_SET_H

/* ip link add|delete|set ...: argv[0] is the verb.  The exit status
 * (iproute2's: 0, 1, 2 or 255, the message printed), or -ENOENT for a verb
 * that is not one of these.  Process context, core lock not held. */
int ip_link_change(int argc, char **argv);
/* ip addr add|delete ...: the same contract */
int ip_addr_change(int argc, char **argv);

#endif
