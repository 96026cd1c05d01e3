#!/bin/sh
# /init of the bench's Linux guest (tools/bench-linux.sh builds it in).
# Kernel command line: bn_ip=A.B.C.D/N (eth0's address), bn_nic=e1000|e1000e|igb
# (the NIC module to load), bn_modopt="..." (its options, e.g. IntMode=1).
# Serves ICMP (the kernel), UDP/TCP echo and discard (busybox inetd's
# internal services) and iperf 2 on 5001; prints "bench-linux: ready", then
# runs each line typed on the console as a shell command (the bench reads
# /proc/interrupts, /proc/net/dev, /proc/stat that way).
export PATH=/bin:/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
bn_ip=10.0.2.15/24
bn_nic=e1000
bn_modopt=
for a in $(cat /proc/cmdline); do
    case "$a" in
        bn_ip=*) bn_ip=${a#bn_ip=} ;;
        bn_nic=*) bn_nic=${a#bn_nic=} ;;
        bn_modopt=*) bn_modopt=$(echo "${a#bn_modopt=}" | tr ',' ' ') ;;
    esac
done
# the NIC module's dependencies, then the module itself
for m in $(cat /lib/modules/load-order); do
    name=${m%.ko}
    case "$name" in
        e1000|e1000e|igb) [ "$name" = "$bn_nic" ] || continue
                          insmod /lib/modules/$m $bn_modopt ;;
        *) insmod /lib/modules/$m ;;
    esac
done
ip link set lo up
n=0
while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
ip addr add "$bn_ip" dev eth0
ip link set eth0 up
n=0
while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ $n -lt 100 ]; do
    sleep 0.1; n=$((n + 1))
done
inetd /etc/inetd.conf
iperf -s -D >/dev/null 2>&1 </dev/null || iperf -s >/dev/null 2>&1 </dev/null &
echo "bench-linux: ready ($bn_nic $bn_ip, carrier $(cat /sys/class/net/eth0/carrier))"
while IFS= read -r line; do
    eval "$line"
done
poweroff -f
