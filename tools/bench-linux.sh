#!/usr/bin/env bash
# The bench's Linux guest, assembled from Debian packages (make bench).
#
# Downloads with `apt-get download` (private apt state under
# build/bench/apt: the machine's own lists are never touched; no root
# needed), then builds build/bench/linux/:
#   vmlinuz           Debian's kernel (linux-image-<abi>-amd64)
#   initrd.cpio.gz    busybox-static, Debian's iperf 2 with its shared
#                     libraries (libc6, libgcc-s1, libstdc++6),
#                     inetutils-inetd (echo and discard), the modules
#                     e1000, e1000e, igb and what modinfo says they depend
#                     on, and an /init (tools/bench-linux-init.sh)
#   versions.txt      the package versions used, one "name version" a line
# Cached: a second run with the same package versions does nothing.
#
# Usage: tools/bench-linux.sh [outdir]      (default build/bench/linux)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$here/build/bench/linux}
APT_DIR=$here/build/bench/apt
PKGS=(busybox-static iperf inetutils-inetd libc6 libgcc-s1 libstdc++6)
MODULES=(e1000 e1000e igb)

say() { printf 'bench-linux: %s\n' "$*"; }
die() { printf 'bench-linux: error: %s\n' "$*" >&2; exit 1; }

for t in apt-get dpkg-deb cpio gzip; do
    command -v "$t" >/dev/null || die "$t is missing"
done

# --- private apt state: the machine's Debian sources, our own lists ----------
mkdir -p "$APT_DIR/sources.list.d" "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && cp "$f" "$APT_DIR/sources.list.d/"
done
[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$APT_DIR/sources.list"
touch "$APT_DIR/sources.list"
APT_OPTS=(-o "Dir::Etc::SourceList=$APT_DIR/sources.list"
          -o "Dir::Etc::SourceParts=$APT_DIR/sources.list.d"
          -o "Dir::State::Lists=$APT_DIR/lists"
          -o "Dir::State::Status=/var/lib/dpkg/status"
          -o "Dir::Cache=$APT_DIR/cache"
          -o "APT::Sandbox::User=$(id -un)"
          -o "Debug::NoLocking=1")
stamp=$APT_DIR/.updated
if [ ! -f "$stamp" ] || [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
    say "apt-get update (private lists in $APT_DIR)"
    apt-get "${APT_OPTS[@]}" -q update >"$APT_DIR/update.log" 2>&1 ||
        { cat "$APT_DIR/update.log" >&2; die "apt-get update failed"; }
    touch "$stamp"
fi

candidate() { apt-cache "${APT_OPTS[@]}" policy "$1" | awk '/Candidate:/ { print $2 }'; }
# linux-image-amd64 is a metapackage: the real kernel is its dependency
kpkg=$(apt-cache "${APT_OPTS[@]}" depends linux-image-amd64 |
       awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$kpkg" ] || die "cannot resolve linux-image-amd64 to a kernel package"
want=""
for p in "$kpkg" "${PKGS[@]}"; do
    v=$(candidate "$p")
    [ -n "$v" ] && [ "$v" != "(none)" ] || die "package $p not in the archive"
    want+="$p $v"$'\n'
done

if [ -f "$OUT/versions.txt" ] && [ "$(cat "$OUT/versions.txt")" = "${want%$'\n'}" ] &&
   [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.cpio.gz" ] &&
   [ "$OUT/initrd.cpio.gz" -nt "$here/tools/bench-linux-init.sh" ] &&
   [ "$OUT/initrd.cpio.gz" -nt "$0" ]; then
    say "cached: $OUT ($(echo "$want" | tr '\n' ' '))"
    exit 0
fi

DEB=$APT_DIR/debs
mkdir -p "$DEB"
while read -r p v; do
    [ -n "$p" ] || continue
    ls "$DEB/${p}_"*.deb >/dev/null 2>&1 && [ -n "$(ls "$DEB/${p}_$(echo "$v" | sed 's/:/%3a/')_"*.deb 2>/dev/null)" ] && continue
    say "apt-get download $p=$v"
    (cd "$DEB" && apt-get "${APT_OPTS[@]}" -q download "$p=$v" >/dev/null) ||
        die "apt-get download $p=$v failed"
done <<<"$want"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ex=$work/x
root=$work/root
mkdir -p "$ex" "$root"
while read -r p v; do
    [ -n "$p" ] || continue
    dpkg-deb -x "$(ls "$DEB/${p}_$(echo "$v" | sed 's/:/%3a/')_"*.deb | head -1)" "$ex"
done <<<"$want"

kver=${kpkg#linux-image-}
moddir=$ex/lib/modules/$kver
[ -d "$moddir" ] || die "no modules for $kver in $kpkg"

# --- the initramfs -----------------------------------------------------------
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,lib/modules,lib64,lib/x86_64-linux-gnu,usr/bin}
cp "$ex/bin/busybox" "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
    [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
done
cp "$ex/usr/bin/iperf" "$root/usr/bin/iperf"
# busybox-static has no inetd: inetutils' inetd gives the internal echo and
# discard services (UDP echo answered in its own loop: recvfrom, sendto)
cp "$ex/usr/sbin/inetutils-inetd" "$root/sbin/inetd"
# iperf's libraries, from the Debian packages just extracted (not the host's)
for lib in libstdc++.so.6 libm.so.6 libgcc_s.so.1 libc.so.6; do
    src=$(find "$ex/lib/x86_64-linux-gnu" "$ex/usr/lib/x86_64-linux-gnu" -name "$lib" 2>/dev/null | head -1)
    [ -n "$src" ] || die "$lib not found in the extracted packages"
    cp -L "$src" "$root/lib/x86_64-linux-gnu/$lib"
done
cp -L "$ex/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$root/lib64/ld-linux-x86-64.so.2"

# modules and their dependencies, from each module's .modinfo "depends="
# (the package has no modules.dep: depmod runs at install); dependencies first
modcat() { case "$1" in *.xz) xz -dc "$1" ;; *.zst) zstd -qdc "$1" ;; *) cat "$1" ;; esac; }
modpath() { # module name -> path relative to the module dir (- and _ alike)
    local pat
    pat=$(echo "$1" | sed 's/[-_]/[-_]/g')
    (cd "$moddir" && find kernel -regextype posix-extended -regex ".*/$pat\.ko(\.xz|\.zst)?" | head -1)
}
declare -A seen=()
order=()
add_module() { # module name
    local rel dep
    [ -n "${seen[$1]:-}" ] && return 0
    seen[$1]=1
    rel=$(modpath "$1")
    [ -n "$rel" ] || die "module $1 not in $kpkg"
    for dep in $(modcat "$moddir/$rel" | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '); do
        add_module "$dep"
    done
    order+=("$rel")
}
for m in "${MODULES[@]}"; do
    add_module "$m"
done
: > "$root/lib/modules/load-order"
for rel in "${order[@]}"; do
    base=$(basename "$rel")
    case "$base" in
        *.xz) xz -dc "$moddir/$rel" > "$root/lib/modules/${base%.xz}"; base=${base%.xz} ;;
        *.zst) zstd -qdc "$moddir/$rel" > "$root/lib/modules/${base%.zst}"; base=${base%.zst} ;;
        *) cp "$moddir/$rel" "$root/lib/modules/$base" ;;
    esac
    echo "$base" >> "$root/lib/modules/load-order"
done

cp "$here/tools/bench-linux-init.sh" "$root/init"
chmod +x "$root/init"
cat > "$root/etc/inetd.conf" <<'EOF'
echo dgram udp wait root internal
echo stream tcp nowait root internal
discard dgram udp wait root internal
EOF
cat > "$root/etc/services" <<'EOF'
echo 7/tcp
echo 7/udp
discard 9/tcp
discard 9/udp
EOF
printf 'ip 0 IP\nicmp 1 ICMP\ntcp 6 TCP\nudp 17 UDP\n' > "$root/etc/protocols"
printf 'services: files\nprotocols: files\npasswd: files\n' > "$root/etc/nsswitch.conf"
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"

mkdir -p "$OUT"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9) > "$OUT/initrd.cpio.gz"
cp "$ex/boot/vmlinuz-$kver" "$OUT/vmlinuz"
printf '%s' "${want%$'\n'}" > "$OUT/versions.txt"
printf '%s\n' "${order[@]}" > "$OUT/modules.txt"
say "built $OUT: vmlinuz $(stat -c %s "$OUT/vmlinuz") B, initrd $(stat -c %s "$OUT/initrd.cpio.gz") B"
say "packages: $(tr '\n' ' ' < "$OUT/versions.txt")"
