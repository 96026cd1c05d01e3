#!/usr/bin/env bash
# barenet dependency installer: `make deps`.
#
# Idempotent: checks first, installs only what is missing.  Everything comes
# from Debian's packages.  QEMU >= 8 (for igb) comes from <codename>-backports;
# lwIP comes from Debian's *source* package.  Both need extra apt sources, so
# apt runs against a private sources dir and private lists/cache dirs under
# $DEPS_DIR: the machine's own package lists are never touched.
#
# Usage: tools/deps.sh [--check]     (--check: report only, exit 1 if missing)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
DEPS_DIR=${DEPS_DIR:-$here/build/deps}
LWIP_VERSION=2.1.3
LWIP_ORIG=lwip_${LWIP_VERSION}+dfsg1.orig.tar.xz
LWIP_SHA256=0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24
LWIP_DIR=$DEPS_DIR/lwip-$LWIP_VERSION

check_only=0
[ "${1:-}" = "--check" ] && check_only=1

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

# --- what we need, as (test, debian package) --------------------------------
missing_pkgs=()
need_backports_qemu=0

qemu_ok() {
    command -v qemu-system-x86_64 >/dev/null 2>&1 || return 1
    local v
    v=$(qemu-system-x86_64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p' | head -1)
    [ -n "$v" ] && [ "$v" -ge 8 ]
}
have_file() { [ -e "$1" ]; }
have_cmd() { command -v "$1" >/dev/null 2>&1; }
pymod() { /usr/bin/python3 -c "import $1" >/dev/null 2>&1; }

qemu_ok || need_backports_qemu=1
have_file /usr/lib/grub/i386-pc/multiboot2.mod   || missing_pkgs+=(grub-pc-bin)
have_file /usr/lib/grub/x86_64-efi/multiboot2.mod || missing_pkgs+=(grub-efi-amd64-bin)
have_cmd grub-mkrescue || missing_pkgs+=(grub-common)
have_cmd xorriso       || missing_pkgs+=(xorriso)
have_cmd mformat       || missing_pkgs+=(mtools)
have_file /usr/share/OVMF/OVMF_CODE_4M.fd || missing_pkgs+=(ovmf)
have_file /usr/bin/python3 || missing_pkgs+=(python3)
pymod pytest || missing_pkgs+=(python3-pytest)
pymod scapy  || missing_pkgs+=(python3-scapy)
have_file /usr/include/check.h || missing_pkgs+=(check)
have_cmd pkg-config || missing_pkgs+=(pkg-config)
have_cmd xz || missing_pkgs+=(xz-utils)
have_cmd sha256sum || missing_pkgs+=(coreutils)
have_cmd ip || missing_pkgs+=(iproute2)
have_cmd objcopy || missing_pkgs+=(binutils)
have_cmd gdb || missing_pkgs+=(gdb)

lwip_ok() { [ -f "$LWIP_DIR/src/core/tcp.c" ] && [ -f "$LWIP_DIR/.verified" ]; }

if [ ${#missing_pkgs[@]} -eq 0 ] && [ $need_backports_qemu -eq 0 ] && lwip_ok; then
    say "all dependencies present"
    exit 0
fi

if [ $check_only -eq 1 ]; then
    [ $need_backports_qemu -eq 1 ] && say "missing: qemu-system-x86 >= 8 (from backports)"
    [ ${#missing_pkgs[@]} -gt 0 ] && say "missing: ${missing_pkgs[*]}"
    lwip_ok || say "missing: lwIP $LWIP_VERSION source in $LWIP_DIR"
    exit 1
fi

# --- private apt configuration -----------------------------------------------
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || die "cannot read VERSION_CODENAME from /etc/os-release (Debian needed)"

# The archive URI and keyring are taken from the machine's own apt sources, so
# we use whatever mirror the machine already trusts.
mirror_uri=""
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822 stanza whose Suites contain the bare codename
    uri=$(awk -v c="$codename" '
        /^[[:space:]]*$/ { if (ok && u != "") { print u; exit } ok=0; u="" ; next }
        /^URIs:/ { u=$2 }
        /^Suites:/ { for (i=2;i<=NF;i++) if ($i==c) ok=1 }
        END { if (ok && u != "") print u }' "$f" | head -1)
    if [ -n "$uri" ]; then mirror_uri=$uri; break; fi
done
if [ -z "$mirror_uri" ] && [ -f /etc/apt/sources.list ]; then
    mirror_uri=$(awk -v c="$codename" '$1=="deb" { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i+1)==c) { print $i; exit } } }' /etc/apt/sources.list | head -1)
fi
[ -n "$mirror_uri" ] || die "no apt source for '$codename' found in /etc/apt; cannot locate the Debian archive"

APT_DIR=$DEPS_DIR/apt
mkdir -p "$APT_DIR/sources.list.d" "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
cat > "$APT_DIR/sources.list.d/barenet.sources" <<SRC
Types: deb deb-src
URIs: $mirror_uri
Suites: $codename $codename-updates $codename-backports
Components: main
Signed-By: $keyring
SRC
APT_OPTS=(-o "Dir::Etc::SourceList=/dev/null"
          -o "Dir::Etc::SourceParts=$APT_DIR/sources.list.d"
          -o "Dir::State::Lists=$APT_DIR/lists"
          -o "Dir::Cache=$APT_DIR/cache"
          -o "APT::Sandbox::User=root"
          -o "Debug::NoLocking=0")

is_root() { [ "$(id -u)" -eq 0 ]; }

apt_update_private() {
    # Refresh at most once an hour.
    local stamp=$APT_DIR/.updated
    if [ -f "$stamp" ] && [ -n "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then return 0; fi
    say "apt-get update (private lists in $APT_DIR)"
    apt-get "${APT_OPTS[@]}" -q update >"$APT_DIR/update.log" 2>&1 ||
        { cat "$APT_DIR/update.log" >&2; die "apt-get update failed: no network or no mirror reachable"; }
    touch "$stamp"
}

install_list=("${missing_pkgs[@]}")
if [ ${#install_list[@]} -gt 0 ] || [ $need_backports_qemu -eq 1 ]; then
    if ! is_root; then
        echo "deps: not root; run these commands as root (or with sudo), then 'make' again:" >&2
        echo "  sudo $0" >&2
        echo "  (it installs: ${install_list[*]} ${need_backports_qemu:+qemu-system-x86 from $codename-backports})" >&2
        exit 1
    fi
    apt_update_private
    export DEBIAN_FRONTEND=noninteractive
    if [ ${#install_list[@]} -gt 0 ]; then
        say "installing: ${install_list[*]}"
        apt-get "${APT_OPTS[@]}" -y -q install --no-install-recommends "${install_list[@]}" ||
            die "could not install: ${install_list[*]}"
    fi
    if [ $need_backports_qemu -eq 1 ]; then
        say "installing qemu-system-x86 from $codename-backports"
        apt-get "${APT_OPTS[@]}" -y -q install --no-install-recommends \
            -t "$codename-backports" qemu-system-x86 qemu-utils ||
            die "could not install qemu-system-x86 from $codename-backports"
        qemu_ok || die "qemu-system-x86_64 is still older than 8 after install"
    fi
fi

# --- lwIP from Debian's source package ---------------------------------------
if ! lwip_ok; then
    tarball=$DEPS_DIR/$LWIP_ORIG
    if [ ! -f "$tarball" ]; then
        apt_update_private
        say "apt-get source --download-only lwip"
        (cd "$DEPS_DIR" && apt-get "${APT_OPTS[@]}" -q source --download-only lwip >"$APT_DIR/source.log" 2>&1) ||
            { cat "$APT_DIR/source.log" >&2; die "could not download Debian source package 'lwip'"; }
        [ -f "$tarball" ] || die "source package 'lwip' did not contain $LWIP_ORIG"
    fi
    echo "$LWIP_SHA256  $tarball" | sha256sum -c --quiet - ||
        die "$LWIP_ORIG sha256 mismatch (want $LWIP_SHA256); refusing to use it"
    rm -rf "$LWIP_DIR" "$DEPS_DIR/lwip-unpack"
    mkdir -p "$DEPS_DIR/lwip-unpack"
    tar -C "$DEPS_DIR/lwip-unpack" -xJf "$tarball"
    top=$(find "$DEPS_DIR/lwip-unpack" -mindepth 1 -maxdepth 1 -type d | head -1)
    [ -f "$top/src/core/tcp.c" ] || die "unexpected layout in $LWIP_ORIG"
    mv "$top" "$LWIP_DIR"
    rmdir "$DEPS_DIR/lwip-unpack"
    touch "$LWIP_DIR/.verified"
    say "lwIP $LWIP_VERSION unpacked into $LWIP_DIR (sha256 verified)"
fi
say "all dependencies present"
