#!/usr/bin/env bash
# Check the kernel image: QEMU's multiboot1 loader copies the file as it is
# (a.out kludge), so each loadable segment's file offset must track its
# physical address; both boot headers must be early enough in the file.
set -euo pipefail
elf=$1
first=1
while read -r _ off _ pa fsz _; do
    if [ $first = 1 ]; then off0=$((off)); pa0=$((pa)); first=0; continue; fi
    if [ $((fsz)) -gt 0 ] && [ $((off - off0)) -ne $((pa - pa0)) ]; then
        echo "check-image: $elf: file layout != physical layout (segment at $pa)" >&2; exit 1
    fi
done < <(readelf -lW "$elf" | awk '$1 == "LOAD"')
find_magic() { # magic, window in bytes
    od -An -tx4 -w4 -v -N "$2" "$elf" | grep -c " $1\$" >/dev/null
}
find_magic 1badb002 8192  || { echo "check-image: multiboot1 header not in the first 8 KiB of $elf" >&2; exit 1; }
find_magic e85250d6 32768 || { echo "check-image: multiboot2 header not in the first 32 KiB of $elf" >&2; exit 1; }
