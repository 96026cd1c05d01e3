#!/usr/bin/env bash
# Boot barenet in QEMU with the serial console on this terminal: `make run`,
# `make run-iso`, `make debug`.  Settings come from the environment (the make
# variables of the same names):
#
#   KERNEL   ELF to boot with -kernel (default build/barenet.elf)
#   ISO      boot this image as a CD instead of KERNEL (GRUB; APPEND unused)
#   FW       bios (SeaBIOS, default) or uefi (OVMF; needs ISO)
#   APPEND   kernel command line (with KERNEL)
#   NIC      e1000 (default), e1000e or igb, on QEMU user-mode networking with
#            host forwards on 127.0.0.1 (HOSTFWD, space separated, QEMU syntax)
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

netdev=user,id=net0
fwd_text=""
for f in $HOSTFWD; do
    netdev+=",hostfwd=$f"
    fwd_text+=" $f"
done
args+=(-netdev "$netdev" -device "$NIC,netdev=net0,mac=$MAC")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/barenet-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
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

echo "run: $what; $MACHINE, $MEM MiB, $SMP CPU, $accel, NIC $NIC ($MAC)"
[ -n "$fwd_text" ] && echo "run: host forwards (host->guest):$fwd_text"
[ -n "$GDBPORT" ] && echo "run: stopped for gdb on 127.0.0.1:$GDBPORT: in another terminal run  gdb -x tools/gdbinit"
echo "run: quit with Ctrl-A X (Ctrl-A C: QEMU monitor, Ctrl-A H: help)"
[ -n "${RUN_DRY:-}" ] && { printf "%q " qemu-system-x86_64 "${args[@]}"; echo; exit 0; }

# QEMU's own errors also exit 1, like the kernel's EXIT_OK: keep a copy of
# its stderr to tell them apart
set +e
qemu-system-x86_64 "${args[@]}" 2> >(tee "$tmp/stderr" >&2)
rc=$?
set -e
wait
if [ -s "$tmp/stderr" ] && grep -q '^qemu-system-x86_64: ' "$tmp/stderr" && [ $rc -ne 0 ]; then
    echo "run: QEMU failed (status $rc; a host port in use? set HOSTFWD= to drop the forwards)" >&2
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
