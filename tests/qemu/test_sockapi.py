"""The socket API from inside an application (tests/apps/sockapi.c, built
with make app-kernel): each call's success and error cases, blocking and
non-blocking, timeouts, poll/select/epoll edge cases (after the peer's
close, after a reset, a listener whose backlog a flood filled: the
refusals counted in TcpExt ListenOverflows), close with unread data, many
sockets, the descriptor limit (EMFILE past APP_FD_MAX, docs/APPS.md).  The
program prints "ok NAME" / "FAIL NAME: why" per check; this test wants every
expected name and no failure, on one CPU and on two, and the kernel's
socket table empty again once the program has ended."""
import os
import re

import pytest

import apps
import harness

EXPECTED = """
socket_bad_family socket_bad_protocol socket_bad_flags bind_ebadf bind_closed_fd_ebadf
bind_console_enotsock close_ebadf listen_ebadf recv_console_enotsock socket_udp bind_efault
bind_short_len sendto_efault_buffer sendto_efault_buffer2 close close_twice
udp_bind_ephemeral udp_bind_twice udp_bind_in_use udp_sendto udp_recvfrom udp_recv_dontwait_eagain
udp_writev_one_datagram udp_recvfrom_short_addrlen
udp_setsockopt_rcvtimeo udp_rcvtimeo_eagain udp_fionread_next_datagram udp_peek udp_recvmsg_trunc_flag
udp_after_trunc_empty udp_sendmsg_iov udp_recvmsg_name udp_connect udp_send_connected
udp_recv_connected udp_getpeername udp_getpeername_unconnected udp_getsockname_efault
so_rcvbuf_doubled so_sndbuf_doubled so_type so_error_zero so_busy_poll tcp_nodelay so_reuseaddr_keepalive
sockopt_unknown_enoprotoopt sockopt_short_einval getsockopt_efault fcntl_nonblock fionbio_off
tcp_listen tcp_accept_unlistened tcp_accept_nonblock_eagain tcp_connect tcp_connect_again_eisconn
tcp_accept4_nonblock_and_peer tcp_getpeername tcp_transfer_256k_nonblocking tcp_shutdown_wr
tcp_read_eof_after_fin tcp_half_close_other_way tcp_send_after_shutdown_epipe shutdown_bad_how
tcp_recv_unconnected_enotconn tcp_shutdown_unconnected_enotconn tcp_write_read tcp_fionread
tcp_recvfrom_no_address tcp_close_after_reading_all_sends_fin
connect_refused connect_nonblock_einprogress connect_nonblock_refused_poll
connect_nonblock_so_error_refused connect_nonblock_success connect_bad_family
poll_timeout poll_pollnval poll_negative_fd_ignored poll_efault poll_writable poll_readable
select_timeout select_readable select_ebadf poll_after_peer_close poll_after_reset
read_after_reset_econnreset listen_backlog_full_refused listen_readable_when_pending
listen_flood_refused_past_the_backlog epoll_listener_backlog_full listen_flood_accepts_the_waiting
epoll_create1 epoll_create1_bad_flags epoll_ctl_add epoll_ctl_add_eexist epoll_ctl_mod_enoent
epoll_ctl_ebadf epoll_ctl_self_einval epoll_ctl_not_epoll_einval epoll_wait_bad_max epoll_wait_efault
epoll_wait_timeout epoll_lt_first epoll_lt_again_unread epoll_lt_quiet_after_read epoll_ctl_mod_et
epoll_et_first epoll_et_not_again epoll_et_new_data epoll_oneshot_first epoll_oneshot_disabled
epoll_oneshot_rearmed epoll_rdhup epoll_ctl_del epoll_quiet_after_del epoll_ctl_del_enoent
epoll_close_leaves_set epoll_maxevents
epoll_after_peer_close epoll_after_peer_close_once epoll_before_reset_quiet epoll_after_reset
epoll_after_reset_once epoll_after_reset_read_econnreset
ipv6_listen ipv6_connect ipv6_data ipv6_v4_mapped_accept
inet_pton_ntop getaddrinfo_numeric blocking_accept_and_recv_woken so_sndtimeo_set_and_get
so_sndtimeo_eagain blocking_send_partial_room_sends_all many_udp_sockets_at_once
many_tcp_connections_at_once emfile_at_the_limit sockets_again_after_closing
close_while_polled close_while_polled_fd_reused
uaccess_udp_recv_buffer_unmapped_meanwhile uaccess_udp_recv_into_readonly_page
uaccess_readonly_page_unwritten uaccess_udp_send_from_prot_none uaccess_udp_sendto_addr_prot_none
uaccess_udp_sendto_addr_straddles_prot_none uaccess_udp_recvfrom_addr_readonly
uaccess_udp_recvfrom_addrlen_prot_none uaccess_console_write_from_prot_none
uaccess_futex_wait_prot_none uaccess_tcp_recv_buffer_unmapped_meanwhile uaccess_tcp_data_kept_after_efault
uaccess_tcp_send_from_prot_none uaccess_tcp_recv_short_count_at_prot_none
uaccess_epoll_wait_readonly_array uaccess_epoll_event_kept
proc_net_snmp_readable proc_net_udp_lists_the_socket udp_recv_efault
udp_efault_counts_inerrors_not_indatagrams udp_efault_datagram_dropped udp_efault_socket_drops
udp_peek_efault udp_peek_efault_counts_nothing udp_read_after_efault_counts_indatagrams
""".split()


@pytest.mark.parametrize("smp", [1, 2])
def test_socket_api_from_an_application(smp):
    g = harness.Guest("sockapi-smp%d" % smp, kernel=apps.app_kernel("tests/apps/sockapi.c"),
                      append="ready_wait=0 shell=on", smp=smp)
    with g:
        g.wait_for(r"app: sockapi ended", timeout=240)
        out = g.output
        ok = set(re.findall(r"^(?:barenet# )?ok (\S+)$", out, re.M))
        bad = re.findall(r"^(?:barenet# )?FAIL .*$", out, re.M)
        assert not bad, bad
        missing = [n for n in EXPECTED if n not in ok]
        assert not missing, missing
        assert re.search(r"app: sockapi \(pid \d+\) exited with status 0$", out, re.M)
        # every connection refused at a full backlog was counted, and
        # nothing else overflowed (TcpExt ListenOverflows)
        refused = [int(n) for n in
                   re.findall(r"^(?:barenet# )?sockapi: listen overflows (\d+)$", out, re.M)]
        rows = [l.split() for l in g.shell("cat /proc/net/netstat").splitlines()
                if l.startswith("TcpExt:")]
        overflows = int(rows[1][rows[0].index("ListenOverflows")])
        assert len(refused) == 2 and overflows == sum(refused), (refused, overflows)
        # every socket the program made is gone: what is left are the
        # services' listeners and closed connections in TIME-WAIT
        ss = g.shell("ss -tuan")
        left = [l for l in ss.splitlines()[1:] if l.strip() and "TIME-WAIT" not in l]
        ports = {l.split()[4].rsplit(":", 1)[1] for l in left}
        assert ports <= {"7", "9", "80", "5001"}, ss


def test_descriptor_limit_is_the_documented_one():
    """EMFILE comes past the limit docs/APPS.md gives: APP_FD_MAX in
    kernel/app/fd.h, the RLIMIT_NOFILE getrlimit reports, and the last
    descriptor tests/apps/sockapi.c's emfile_at_the_limit expects."""
    def read(path):
        with open(os.path.join(harness.ROOT, path)) as fh:
            return fh.read()
    limit = int(re.search(r"^#define APP_FD_MAX (\d+)$", read("kernel/app/fd.h"), re.M).group(1))
    doc = read("docs/APPS.md")
    assert "`APP_FD_MAX` (%d, `kernel/app/fd.h`)" % limit in doc
    assert "RLIMIT_NOFILE = %d" % limit in doc
    assert "err == EMFILE && last == %d" % (limit - 1) in read("tests/apps/sockapi.c")
