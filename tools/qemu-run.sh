#!/usr/bin/env bash
# Boot barenet in QEMU with the serial console on this terminal: `make run`,
# `make run-iso`, `make debug`.  Settings come from the environment (the make
# variables of the same names):
#
#   KERNEL   ELF to boot with -kernel (default build/barenet.elf)
#   ISO      boot this image as a CD instead of KERNEL (GRUB; APPEND unused)
#   FW       bios (SeaBIOS, default) or uefi (OVMF; needs ISO)
#   APPEND   kernel command line (with KERNEL)
#   NIC      e1000 (default), e1000e or igb
#   NET      user (default): QEMU user-mode networking with host forwards on
#            127.0.0.1 (HOSTFWD, space separated, QEMU syntax);
#            tap: (root) a network namespace NETNS (default barenet-run) made
#            for this run, with tap0 holding 10.0.2.2/24 and fd00:10:0:2::2/64;
#            QEMU runs inside it on tap0, APPEND gets ip=10.0.2.15/24,10.0.2.2
#            unless it has an ip= already, and the namespace is deleted when
#            QEMU exits.  Reach the guest only from inside the namespace:
#            sudo ip netns exec barenet-run curl http://10.0.2.15/status
#   ACCEL    auto (default), kvm or tcg: see tools/qemu-accel.sh
#   MEM SMP MACHINE   -m (256), -smp (1), -machine (q35)
#   GDBPORT  if set: stop at the first instruction and wait for gdb on
#            127.0.0.1:GDBPORT (`-s -S`, but on localhost only)
#   RUN_DRY  if set: print the QEMU command line (shell-quoted) and stop
#
# Exit status: 0 when the kernel powered off with EXIT_OK or QEMU was quit
# (Ctrl-A X), 1 when the kernel reported failure or panicked.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
KERNEL=${KERNEL:-build/barenet.elf}
ISO=${ISO:-}
FW=${FW:-bios}
APPEND=${APPEND:-}
NIC=${NIC:-e1000}
NET=${NET:-user}
NETNS=${NETNS:-barenet-run}
ACCEL=${ACCEL:-${BARENET_ACCEL:-auto}}
MEM=${MEM:-256}
SMP=${SMP:-1}
MACHINE=${MACHINE:-q35}
HOSTFWD=${HOSTFWD-tcp:127.0.0.1:8080-:80 tcp:127.0.0.1:5001-:5001 tcp:127.0.0.1:7777-:7 udp:127.0.0.1:7777-:7}
GDBPORT=${GDBPORT:-}
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
# Guest MAC: QEMU's own prefix 52:54:00, fixed so logs are comparable
MAC=52:54:00:12:34:56

die() { echo "run: $*" >&2; exit 2; }

case $NIC in e1000|e1000e|igb) ;; *) die "NIC must be e1000, e1000e or igb, not '$NIC'" ;; esac
case $NET in user|tap) ;; *) die "NET must be user or tap, not '$NET'" ;; esac
[[ $NETNS =~ ^[A-Za-z0-9_.-]+$ ]] || die "NETNS must be a plain name ([A-Za-z0-9_.-]), not '$NETNS'"
case $FW in bios|uefi) ;; *) die "FW must be bios or uefi, not '$FW'" ;; esac
accel=$("$here/tools/qemu-accel.sh" "$ACCEL") || exit 2

args=(-machine "$MACHINE" -m "$MEM" -smp "$SMP" -nodefaults -no-reboot
      -display none -serial mon:stdio
      -device isa-debug-exit,iobase=0xf4,iosize=0x04)
if [ "$accel" = kvm ]; then
    args+=(-accel kvm -cpu host)
else
    args+=(-accel tcg)
fi

# NET=tap: the namespace's side of the link, and the guest's default address
TAP=tap0
HOST4=10.0.2.2
HOST6=fd00:10:0:2::2
GUEST_LL=fe80::5054:ff:fe12:3456        # modified EUI-64 of MAC
prefix=()
fwd_text=""
if [ "$NET" = user ]; then
    netdev=user,id=net0
    for f in $HOSTFWD; do
        netdev+=",hostfwd=$f"
        fwd_text+=" $f"
    done
else
    netdev="tap,id=net0,ifname=$TAP,script=no,downscript=no"
    # ip netns exec execs QEMU: its status is QEMU's own
    prefix=(ip netns exec "$NETNS")
    [[ " $APPEND " == *" ip="* ]] || APPEND="ip=10.0.2.15/24,$HOST4${APPEND:+ $APPEND}"
fi
args+=(-netdev "$netdev" -device "$NIC,netdev=net0,mac=$MAC")

made_netns=0
cleanup() {
    rm -rf "$tmp"
    if [ $made_netns -eq 1 ]; then
        ip netns del "$NETNS" && echo "run: namespace $NETNS removed" ||
            echo "run: could not remove namespace $NETNS: sudo ip netns del $NETNS" >&2
    fi
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/barenet-run.XXXXXX")
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
if [ -n "$ISO" ]; then
    [ -f "$ISO" ] || die "$ISO missing: run make iso"
    if [ "$FW" = uefi ]; then
        cp "$OVMF_VARS" "$tmp/OVMF_VARS.fd"
        args+=(-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
               -drive "if=pflash,format=raw,file=$tmp/OVMF_VARS.fd")
    fi
    args+=(-cdrom "$ISO" -boot d)
    what="$ISO ($FW)"
else
    [ "$FW" = bios ] || die "FW=uefi needs an ISO: use make run-iso FW=uefi"
    [ -f "$KERNEL" ] || die "$KERNEL missing: run make"
    args+=(-kernel "$KERNEL" -append "$APPEND")
    what="$KERNEL '$APPEND'"
fi
if [ -n "$GDBPORT" ]; then
    args+=(-S -gdb "tcp:127.0.0.1:$GDBPORT")
fi

# the guest's IPv4 address, when APPEND gives a static one
guest4=
[ -z "$ISO" ] && guest4=$(sed -n 's/\(^\|.* \)ip=\([0-9.]*\)\/.*/\2/p' <<<"$APPEND")

# NET=tap: a namespace of our own, with lo up and tap0 (no DAD on it: the
# guest is the only other node), removed by cleanup when QEMU exits
make_netns() {
    [ "$(id -u)" -eq 0 ] || die "NET=tap needs root (network namespaces): sudo make run NET=tap"
    ip netns list | grep -q "^$NETNS\( \|$\)" &&
        die "namespace $NETNS exists (another make run NET=tap?); remove it with: sudo ip netns del $NETNS"
    ip netns add "$NETNS" || die "ip netns add $NETNS failed"
    made_netns=1
    local ns=(ip netns exec "$NETNS")
    "${ns[@]}" sysctl -q -w net.ipv6.conf.default.accept_dad=0 >/dev/null &&
    "${ns[@]}" ip link set lo up &&
    "${ns[@]}" ip tuntap add "$TAP" mode tap &&
    "${ns[@]}" ip addr add "$HOST4/24" dev "$TAP" &&
    "${ns[@]}" ip -6 addr add "$HOST6/64" dev "$TAP" nodad &&
    "${ns[@]}" ip link set "$TAP" up || die "could not set up $TAP in namespace $NETNS"
}

echo "run: $what; $MACHINE, $MEM MiB, $SMP CPU, $accel, NIC $NIC ($MAC)"
[ -n "$fwd_text" ] && echo "run: host forwards (host->guest):$fwd_text"
# the dashboard: the host side of a TCP forward to the guest's port 80
dash=
for f in $fwd_text; do
    case $f in
    tcp:*-:80) hp=${f#tcp:}; hp=${hp%-:80}; [ "${hp#:}" != "$hp" ] && hp=127.0.0.1$hp
               [ -z "$dash" ] && dash=http://$hp/ ;;
    esac
done
[ -n "$dash" ] && echo "run: dashboard: $dash in a browser (${dash}status, ${dash}metrics for curl)"
if [ "$NET" = tap ]; then
    echo "run: network namespace $NETNS: $TAP $HOST4/24 $HOST6/64; the guest is ${guest4:-(see its ip= option)}"
    g=${guest4:-<guest>}
    echo "run: dashboard: http://$g/ in a browser inside the namespace"
    echo "run: reach it from inside the namespace (another terminal):"
    echo "run:   sudo ip netns exec $NETNS curl http://$g/status"
    echo "run:   sudo ip netns exec $NETNS ping $g"
    echo "run:   sudo ip netns exec $NETNS ping -6 $GUEST_LL%$TAP"
    echo "run:   sudo ip netns exec $NETNS iperf -c $g"
    echo "run:   sudo ip netns exec $NETNS nc -u $g 7        (UDP echo; nc $g 7 for TCP)"
fi
[ -n "$GDBPORT" ] && echo "run: stopped for gdb on 127.0.0.1:$GDBPORT: in another terminal run  gdb -x tools/gdbinit"
echo "run: quit with Ctrl-A X (Ctrl-A C: QEMU monitor, Ctrl-A H: help)"
[ -n "${RUN_DRY:-}" ] && { printf "%q " "${prefix[@]}" qemu-system-x86_64 "${args[@]}"; echo; exit 0; }
[ "$NET" = tap ] && make_netns

# QEMU's own errors also exit 1, like the kernel's EXIT_OK: keep a copy of
# its stderr to tell them apart
# QEMU runs as a background job (stdin passed on explicitly: a script's
# background jobs otherwise read /dev/null) so that a TERM, HUP or INT sent to
# this script is handled at once: the trap ends QEMU by its PID, then the EXIT
# trap removes the namespace
set +e
"${prefix[@]}" qemu-system-x86_64 "${args[@]}" <&0 2> >(tee "$tmp/stderr" >&2) &
qemu_pid=$!
trap 'kill "$qemu_pid" 2>/dev/null; wait "$qemu_pid"; exit 130' INT TERM HUP
wait "$qemu_pid"
rc=$?
trap - INT TERM HUP
set -e
wait
if [ -s "$tmp/stderr" ] && grep -q '^qemu-system-x86_64: ' "$tmp/stderr" && [ $rc -ne 0 ]; then
    if [ "$NET" = user ]; then
        echo "run: QEMU failed (status $rc; a host port in use? set HOSTFWD= to drop the forwards)" >&2
    else
        echo "run: QEMU failed (status $rc)" >&2
    fi
    exit 1
fi
# isa-debug-exit: the kernel's status s makes QEMU exit with 2s+1 (kernel/power.h)
case $rc in
0) echo "run: QEMU quit"; exit 0 ;;
1) echo "run: kernel powered off: ok"; exit 0 ;;
3) echo "run: kernel powered off: failure" >&2; exit 1 ;;
255) echo "run: kernel panicked" >&2; exit 1 ;;
*) echo "run: QEMU exited with status $rc" >&2; exit 1 ;;
esac
