/* The remote shell (net/services/shell_srv.c): the serial shell's commands
 * over TCP, off unless the command line asks for it with a token:
 *
 *     shell.tcp=<port> shell.token=<secret, 8..64 printable characters>
 *
 * The idle loop runs the sessions' commands (net_shell_poll), as it runs
 * the console's.  No lwIP types here: kernel/main.c includes it. */
#ifndef NET_SERVICES_SHELL_SRV_H
#define NET_SERVICES_SHELL_SRV_H

#include "kernel/types.h"

#define SHELL_TCP_SESSIONS      2       /* at once; more are refused */
#define SHELL_TOKEN_MIN         8
#define SHELL_TOKEN_MAX         64
#define SHELL_TOKEN_TRIES       3       /* wrong tokens before the disconnect */

/* Process context (the idle loop), interrupts on, core lock not held:
 * check tokens and run the lines the sessions sent (one line per session
 * per call, so sessions take turns), close finished sessions. */
void net_shell_poll(void);
/* a session has input or a close waiting (the idle loop must not halt) */
bool net_shell_pending(void);

#endif
