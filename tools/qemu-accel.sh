#!/bin/sh
# Print the QEMU accelerator to use: "kvm" or "tcg".
#
# Usage: tools/qemu-accel.sh [auto|kvm|tcg]   (default: $BARENET_ACCEL, else auto)
#
# auto picks KVM only when the CPU advertises hardware virtualisation (vmx or
# svm in /proc/cpuinfo) AND /dev/kvm opens read-write.  Some CI hosts expose
# a nested, software-emulated /dev/kvm without those flags; there KVM is ~20x
# slower than TCG and OVMF dies with "emulation failure", so TCG is chosen.
# `make run` and tests/qemu/harness.py both ask this script.
want=${1:-${BARENET_ACCEL:-auto}}
case $want in
kvm|tcg)
    echo "$want" ;;
auto)
    if grep -qsw -E 'vmx|svm' /proc/cpuinfo && { : <>/dev/kvm; } 2>/dev/null; then
        echo kvm
    else
        echo tcg
    fi ;;
*)
    echo "qemu-accel: accelerator must be auto, kvm or tcg, not '$want'" >&2
    exit 2 ;;
esac
