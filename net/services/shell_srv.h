/* The remote shell (net/services/shell_srv.c): the serial shell's commands
 * over TCP, off unless the command line asks for it with a token:
 *
 *     shell.tcp=<port> shell.token=<secret, 8..64 printable characters>
 *
 * Each session slot has a thread, [shell/tcpN], that runs its commands,
 * as the console's thread runs the console's.  No lwIP types here. */
#ifndef NET_SERVICES_SHELL_SRV_H
#define NET_SERVICES_SHELL_SRV_H

#include "kernel/types.h"

#define SHELL_TCP_SESSIONS      2       /* at once; more are refused */
#define SHELL_TOKEN_MIN         8
#define SHELL_TOKEN_MAX         64
#define SHELL_TOKEN_TRIES       3       /* wrong tokens before the disconnect */

#endif
