#!/usr/bin/env bash
# barenet dependency installer: `make deps`.
#
# Idempotent: checks first, installs only what is missing.  Everything comes
# from Debian's packages.  QEMU >= 8 (for igb) comes from <codename>-backports;
# lwIP comes from Debian's *source* package.  Both need extra apt sources, so
# apt runs against a private sources dir and private lists/cache dirs under
# $DEPS_DIR: the machine's own package lists are never touched.  lwIP 2.2.1 is
# in trixie only: the private sources add trixie as deb-src (no binaries from
# it); the binaries still come from <codename> and <codename>-backports.
#
# lwIP is unpacked from the pristine upstream tarball (sha256 pinned), then
# barenet's own patches (net/lwip/patches/NNNN-name.patch, each saying what it
# fixes and why) are applied in order with patch -p1.  The stamp
# $LWIP_DIR/.verified holds the tarball's sha256 and a hash of the patch set:
# editing, adding or removing a patch unpacks and patches afresh.
#
# Usage: tools/deps.sh [--check]     (--check: report only, exit 1 if missing)
#
# Not root: installs nothing, prints the exact commands to run, exits 1.
# Environment: DEPS_DIR (default build/deps), DEPS_MIRROR (archive URI instead
# of the one in /etc/apt), DEPS_PRETEND_MISSING="pkg ..." (treat those as
# missing: for the tests of this script).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
DEPS_DIR=${DEPS_DIR:-$here/build/deps}
LWIP_VERSION=2.2.1
LWIP_SUITE=trixie               # the Debian suite whose source package has it
LWIP_ORIG=lwip_${LWIP_VERSION}+dfsg1.orig.tar.xz
LWIP_SHA256=83729c274c499d3348e9fbbe043a3113f3fa8953e7efddc7c21c7fcbb1f2b7b1
LWIP_DIR=$DEPS_DIR/lwip-$LWIP_VERSION
# DEPS_LWIP_PATCHES: another patch dir (for the tests of this script)
LWIP_PATCHES=${DEPS_LWIP_PATCHES:-$here/net/lwip/patches}
# microsocks (a SOCKS5 proxy with a thread per client and poll(): the
# third-party program run unmodified as an application, tests/qemu/test_apps.py):
# the pristine upstream tarball of Debian's source package, sha256 pinned,
# unpacked into $MICROSOCKS_DIR (Debian's one patch only changes its Makefile,
# which the application build does not use)
MICROSOCKS_VERSION=1.0.3
MICROSOCKS_ORIG=microsocks_${MICROSOCKS_VERSION}.orig.tar.gz
MICROSOCKS_SHA256=6801559b6f8e17240ed8eef17a36eea8643412b5a7476980fd4e24b02a021b82
MICROSOCKS_DIR=$DEPS_DIR/microsocks-$MICROSOCKS_VERSION
# iperf3 (a select() server with a thread per stream, measured by the host's
# stock iperf3 client: tests/qemu/test_iperf3.py, make bench): ESnet's
# pristine iperf-3.20 tarball, Debian's orig for iperf3 3.20-1, sha256 pinned,
# unpacked into $IPERF3_DIR.  apt-get source is tried first (trixie, through
# the private lists); on 2026-12-07 the archive served the indexes but 404 for
# every orig tarball they name (bookworm 3.12, trixie 3.18, sid 3.22), while
# the pool still served this one file: so it is fetched from the pool by its
# exact name, and the pinned sha256 is what makes it trustworthy
IPERF3_VERSION=3.20
IPERF3_SUITE=trixie
IPERF3_ORIG=iperf3_${IPERF3_VERSION}.orig.tar.gz
IPERF3_SHA256=84640ea0f43831850434e50134d0554b7a94f97fb02e2488ffbe252c9fb05a56
IPERF3_DIR=$DEPS_DIR/iperf-$IPERF3_VERSION
# uPlot (the dashboard's charts, embedded in the kernel image): the npm
# registry's tarball of this version, pinned by sha256; only its minified
# JS and CSS (and its licence) are unpacked into $UPLOT_DIR
UPLOT_VERSION=1.6.32
UPLOT_TGZ=uplot-$UPLOT_VERSION.tgz
UPLOT_SHA256=4b8a8191e425658e3ea8c8c1314b0fc679c861ee3a1af2b20c7b16ba50b5133d
UPLOT_DIR=$DEPS_DIR/uplot-$UPLOT_VERSION

check_only=0
[ "${1:-}" = "--check" ] && check_only=1

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

# --- what we need, as (debian package, why, test) ---------------------------
# DEPS_PRETEND_MISSING="pkg ..." treats those packages as missing whatever the
# checks say: the tests of this script use it to exercise the install path.
missing_pkgs=()
missing_why=()
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
pretend_missing() { [[ " ${DEPS_PRETEND_MISSING:-} " == *" $1 "* ]]; }

need() { # package, why, check command...
    local pkg=$1 why=$2
    shift 2
    if pretend_missing "$pkg" || ! "$@"; then
        # one package may back several checks: list it once
        [[ " ${missing_pkgs[*]} " == *" $pkg "* ]] && return 0
        missing_pkgs+=("$pkg")
        missing_why+=("$why")
    fi
}

{ ! pretend_missing qemu-system-x86 && qemu_ok; } || need_backports_qemu=1
need grub-pc-bin        "GRUB for BIOS (make iso)"      have_file /usr/lib/grub/i386-pc/multiboot2.mod
need grub-efi-amd64-bin "GRUB for UEFI (make iso)"      have_file /usr/lib/grub/x86_64-efi/multiboot2.mod
need grub-common        "grub-mkrescue (make iso)"      have_cmd grub-mkrescue
need xorriso            "ISO writer (make iso)"         have_cmd xorriso
need mtools             "EFI partition (make iso)"      have_cmd mformat
need ovmf               "UEFI firmware for QEMU"        have_file /usr/share/OVMF/OVMF_CODE_4M.fd
need python3            "test runner"                   have_file /usr/bin/python3
need python3-pytest     "test runner"                   pymod pytest
need python3-pytest-xdist "parallel QEMU tests (make test)" pymod xdist
need python3-scapy      "packet tests"                  pymod scapy
need check              "host unit tests"               have_file /usr/include/check.h
need pkg-config         "host unit tests"               have_cmd pkg-config
need gcc                "compiler"                      have_cmd gcc
need make               "build"                         have_cmd make
need gcc-x86-64-linux-gnu "prefixed gcc: CROSS_COMPILE test" have_cmd x86_64-linux-gnu-gcc
need binutils           "objcopy nm readelf"          have_cmd objcopy
need musl-dev           "applications: musl's headers, crt1.o and libc.a (make APP=)" have_file /usr/lib/x86_64-linux-musl/libc.a
need xz-utils           "lwIP source unpacking"         have_cmd xz
need patch              "lwIP patches (net/lwip/patches)" have_cmd patch
need coreutils          "sha256sum"                     have_cmd sha256sum
need gdb                "make debug"                    have_cmd gdb
# for the network tests of later issues: cheap to check now
need iproute2           "ip: network namespaces"       have_cmd ip
need iputils-ping       "ping"                          have_cmd ping
need curl               "HTTP client"                   have_cmd curl
need netcat-openbsd     "nc: TCP/UDP echo checks"      have_file /bin/nc.openbsd
need net-tools          "netstat -s: the reference for the guest's" have_cmd netstat
need iperf              "iperf 2: throughput"          have_cmd iperf
need wrk                "HTTP load: connection storms"  have_cmd wrk
need tshark             "packet capture"                have_cmd tshark
need gnuplot-nox        "plots"                         have_cmd gnuplot
need cpio               "make bench: the Linux guest's initramfs" have_cmd cpio
# hostile-traffic tests (tests/qemu/test_hostile_tools.py): stock attack tools
need thc-ipv6           "IPv6 attacks: atk6-fragmentation6, atk6-implementation6" have_cmd atk6-fragmentation6
need hping3             "SYN and fragment floods"       have_cmd hping3
need nmap               "port scans"                    have_cmd nmap
need iperf3             "iperf3 client: measures the iperf3 application" have_cmd iperf3
# fuzz targets (tests/fuzz, make fuzz): clang 14 and its libFuzzer runtime
have_libfuzzer() { compgen -G "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; }
need clang              "fuzz targets (make fuzz)"      have_cmd clang
need libclang-rt-14-dev "libFuzzer runtime (make fuzz)" have_libfuzzer
# the dashboard: uPlot from the npm registry, and its test's browser and scraper
need npm                "npm pack: uPlot for the dashboard" have_cmd npm
need chromium           "headless browser: dashboard test" have_cmd chromium
need prometheus         "scrapes /metrics: dashboard test" have_cmd prometheus

lwip_patches() { compgen -G "$LWIP_PATCHES/*.patch" | LC_ALL=C sort || true; }
# what the stamp must say: the tarball's pinned sha256 and the patch set's hash
# (names and contents, in the order they are applied)
lwip_stamp() {
    local f
    echo "orig $LWIP_SHA256"
    echo "patches $(for f in $(lwip_patches); do basename "$f"; sha256sum <"$f"; done |
                    sha256sum | cut -d' ' -f1)"
}
lwip_ok() {
    [ -f "$LWIP_DIR/src/core/tcp.c" ] && [ -f "$LWIP_DIR/.verified" ] &&
        [ "$(cat "$LWIP_DIR/.verified")" = "$(lwip_stamp)" ]
}
# make runs this script when a patch, the list of their names it keeps
# (net/build.mk) or this script is newer than the stamp: if the set is
# unchanged (a patch touched, not edited; this script edited), bring the
# stamp's time forward so make does not run this script again and again
if lwip_ok && [ -n "$(find "$LWIP_PATCHES" "$DEPS_DIR/lwip-patches.list" "$here/tools/deps.sh" \
                    -newer "$LWIP_DIR/.verified" \
                    \( -name '*.patch' -o -name lwip-patches.list -o -name deps.sh \) 2>/dev/null)" ]; then
    touch "$LWIP_DIR/.verified"
fi

microsocks_ok() { [ -f "$MICROSOCKS_DIR/sockssrv.c" ] && [ -f "$MICROSOCKS_DIR/.verified" ]; }
iperf3_ok() { [ -f "$IPERF3_DIR/src/iperf_api.c" ] && [ -f "$IPERF3_DIR/.verified" ]; }
uplot_ok() { [ -f "$UPLOT_DIR/uPlot.iife.min.js" ] && [ -f "$UPLOT_DIR/uPlot.min.css" ] && [ -f "$UPLOT_DIR/.verified" ]; }

if [ ${#missing_pkgs[@]} -eq 0 ] && [ $need_backports_qemu -eq 0 ] && lwip_ok && uplot_ok && microsocks_ok && iperf3_ok; then
    say "all dependencies present"
    exit 0
fi

report_missing() {
    local i
    [ $need_backports_qemu -eq 1 ] && say "missing: qemu-system-x86 >= 8 (QEMU with igb; from backports)"
    for i in "${!missing_pkgs[@]}"; do
        say "missing: ${missing_pkgs[$i]} (${missing_why[$i]})"
    done
    lwip_ok || say "missing: lwIP $LWIP_VERSION source in $LWIP_DIR"
    uplot_ok || say "missing: uPlot $UPLOT_VERSION in $UPLOT_DIR"
    microsocks_ok || say "missing: microsocks $MICROSOCKS_VERSION source in $MICROSOCKS_DIR"
    iperf3_ok || say "missing: iperf3 $IPERF3_VERSION source in $IPERF3_DIR"
    return 0
}

if [ $check_only -eq 1 ]; then
    report_missing
    exit 1
fi

is_root() { [ "$(id -u)" -eq 0 ]; }
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")

# Not root: install nothing, say exactly what to run.
if { [ ${#missing_pkgs[@]} -gt 0 ] || [ $need_backports_qemu -eq 1 ]; } && ! is_root; then
    report_missing >&2
    {
        echo "deps: not root, so nothing was installed.  Run as root (sudo, or su -c '...'):"
        echo "  sudo $here/tools/deps.sh"
        echo "deps: or install the packages yourself from the machine's apt sources:"
        echo "  sudo apt-get update"
        [ ${#missing_pkgs[@]} -gt 0 ] &&
            echo "  sudo apt-get install --no-install-recommends ${missing_pkgs[*]}"
        [ $need_backports_qemu -eq 1 ] &&
            echo "  sudo apt-get install --no-install-recommends -t ${codename:-bookworm}-backports qemu-system-x86 qemu-utils" \
                 "  (needs ${codename:-bookworm}-backports in the apt sources)"
        echo "deps: then run 'make test' again."
    } >&2
    exit 1
fi

# --- private apt configuration -----------------------------------------------
[ -n "$codename" ] || die "cannot read VERSION_CODENAME from /etc/os-release (Debian needed)"

# The archive URI and keyring are taken from the machine's own apt sources, so
# we use whatever mirror the machine already trusts.
mirror_uri=${DEPS_MIRROR:-}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
for f in /etc/apt/sources.list.d/*.sources; do
    [ -z "$mirror_uri" ] && [ -f "$f" ] || continue
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
# lwIP's source package from a newer suite: sources only, nothing installable
cat > "$APT_DIR/sources.list.d/barenet-lwip-src.sources" <<SRC
Types: deb-src
URIs: $mirror_uri
Suites: $LWIP_SUITE
Components: main
Signed-By: $keyring
SRC
APT_OPTS=(-o "Dir::Etc::SourceList=/dev/null"
          -o "Dir::Etc::SourceParts=$APT_DIR/sources.list.d"
          -o "Dir::State::Lists=$APT_DIR/lists"
          -o "Dir::Cache=$APT_DIR/cache"
          -o "APT::Sandbox::User=root"
          -o "Debug::NoLocking=0")

apt_update_private() { # what is wanted, for the error message
    # Refresh at most once an hour.
    local stamp=$APT_DIR/.updated
    if [ -f "$stamp" ] && [ -n "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then return 0; fi
    say "apt-get update (private lists in $APT_DIR)"
    apt-get "${APT_OPTS[@]}" -q --error-on=any update >"$APT_DIR/update.log" 2>&1 ||
        { cat "$APT_DIR/update.log" >&2
          die "apt-get update failed: no network, or $mirror_uri unreachable; could not fetch: ${1:-packages}"; }
    touch "$stamp"
}

# After a failed install, name the packages the archive does not have.
explain_install_failure() {
    local p unknown=()
    for p in "$@"; do
        apt-cache "${APT_OPTS[@]}" show "$p" >/dev/null 2>&1 || unknown+=("$p")
    done
    if [ ${#unknown[@]} -gt 0 ]; then
        die "package(s) not found in $mirror_uri ($codename): ${unknown[*]}"
    fi
    die "could not install: $* (download failed? no network? see apt's messages above)"
}

install_list=("${missing_pkgs[@]}")
if [ ${#install_list[@]} -gt 0 ] || [ $need_backports_qemu -eq 1 ]; then
    wanted="${install_list[*]}"
    [ $need_backports_qemu -eq 1 ] && wanted+=" qemu-system-x86"
    apt_update_private "$wanted"
    export DEBIAN_FRONTEND=noninteractive
    if [ ${#install_list[@]} -gt 0 ]; then
        say "installing: ${install_list[*]}"
        apt-get "${APT_OPTS[@]}" -y -q install --no-install-recommends "${install_list[@]}" ||
            explain_install_failure "${install_list[@]}"
    fi
    if [ $need_backports_qemu -eq 1 ]; then
        say "installing qemu-system-x86 from $codename-backports"
        apt-get "${APT_OPTS[@]}" -y -q install --no-install-recommends \
            -t "$codename-backports" qemu-system-x86 qemu-utils ||
            die "could not install qemu-system-x86 from $codename-backports"
        qemu_ok || die "qemu-system-x86_64 is still older than 8 after install"
    fi
fi

# die unless FILE's sha256 is SHA256 (the pin beside its name above)
sha256_verified() { # file sha256
    echo "$2  $1" | sha256sum -c --quiet - ||
        die "$(basename "$1") sha256 mismatch (want $2); refusing to use it"
}

# Debian source package PACKAGE's orig tarball ORIG into $DEPS_DIR (kept
# there: a later run does not download it again) by apt-get source from
# SUITE; with POOL (the package's pool directory, main/i/iperf3), when apt's
# source package names another orig, the pool's file by its exact name.
# Then its sha256 checked, unpacked (its top directory is DIR), FILE looked
# for in DIR and DIR stamped .verified.
fetch_verified_orig() { # package version suite orig sha256 dir file [pool]
    local pkg=$1 version=$2 suite=$3 orig=$4 sha=$5 dir=$6 file=$7 pool=${8:-}
    local tarball=$DEPS_DIR/$orig log=$APT_DIR/source-$1.log
    if [ ! -f "$tarball" ]; then
        apt_update_private "$pkg source ($suite)"
        say "apt-get source --download-only $pkg/$suite"
        if ! (cd "$DEPS_DIR" && apt-get "${APT_OPTS[@]}" -q source --download-only "$pkg/$suite" >"$log" 2>&1) &&
                [ -z "$pool" ]; then
            cat "$log" >&2
            die "could not download Debian source package '$pkg'"
        fi
    fi
    if [ ! -f "$tarball" ]; then
        [ -n "$pool" ] || die "source package '$pkg' did not contain $orig"
        say "apt-get source did not give $orig (see $log); fetching it from the pool"
        have_cmd curl || die "curl is needed to fetch $orig"
        curl -sSf -o "$tarball.part" "$mirror_uri/pool/$pool/$orig" ||
            { rm -f "$tarball.part"; die "could not fetch $mirror_uri/pool/$pool/$orig"; }
        mv "$tarball.part" "$tarball"
    fi
    sha256_verified "$tarball" "$sha"
    rm -rf "$dir"
    tar -C "$DEPS_DIR" -xzf "$tarball"
    [ -f "$dir/$file" ] || die "unexpected layout in $orig"
    touch "$dir/.verified"
    say "$pkg $version unpacked into $dir (sha256 verified)"
}

# --- lwIP from Debian's source package ---------------------------------------
if ! lwip_ok; then
    tarball=$DEPS_DIR/$LWIP_ORIG
    if [ ! -f "$tarball" ]; then
        # the stamp of an older apt-get update may predate the trixie stanza
        [ -n "$(ls "$APT_DIR"/lists/*_"${LWIP_SUITE}"_*Sources* 2>/dev/null)" ] || rm -f "$APT_DIR/.updated"
        apt_update_private "lwip source ($LWIP_SUITE)"
        say "apt-get source --download-only lwip/$LWIP_SUITE"
        (cd "$DEPS_DIR" && apt-get "${APT_OPTS[@]}" -q source --download-only "lwip/$LWIP_SUITE" >"$APT_DIR/source.log" 2>&1) ||
            { cat "$APT_DIR/source.log" >&2; die "could not download Debian source package 'lwip' ($LWIP_SUITE)"; }
        [ -f "$tarball" ] || die "source package 'lwip' ($LWIP_SUITE) did not contain $LWIP_ORIG"
    fi
    sha256_verified "$tarball" "$LWIP_SHA256"
    rm -rf "$LWIP_DIR" "$DEPS_DIR/lwip-unpack"
    mkdir -p "$DEPS_DIR/lwip-unpack"
    tar -C "$DEPS_DIR/lwip-unpack" -xJf "$tarball"
    top=$(find "$DEPS_DIR/lwip-unpack" -mindepth 1 -maxdepth 1 -type d | head -1)
    [ -f "$top/src/core/tcp.c" ] || die "unexpected layout in $LWIP_ORIG"
    # barenet's patches, in order, after the sha256 check; any that does not
    # apply cleanly stops here (no fuzz, no rejects left behind)
    for p in $(lwip_patches); do
        say "patching lwIP: $(basename "$p")"
        patch -d "$top" -p1 --forward --batch --fuzz=0 --no-backup-if-mismatch -s -r - <"$p" ||
            { rm -rf "$DEPS_DIR/lwip-unpack"; die "lwIP patch $(basename "$p") does not apply to lwIP $LWIP_VERSION"; }
    done
    mv "$top" "$LWIP_DIR"
    rmdir "$DEPS_DIR/lwip-unpack"
    lwip_stamp >"$LWIP_DIR/.verified"
    say "lwIP $LWIP_VERSION unpacked into $LWIP_DIR (sha256 verified, $(lwip_patches | wc -l) patches)"
fi
# --- microsocks and iperf3: Debian's orig tarballs (see their pins above) ----
microsocks_ok || fetch_verified_orig microsocks "$MICROSOCKS_VERSION" "$codename" "$MICROSOCKS_ORIG" \
    "$MICROSOCKS_SHA256" "$MICROSOCKS_DIR" sockssrv.c
iperf3_ok || fetch_verified_orig iperf3 "$IPERF3_VERSION" "$IPERF3_SUITE" "$IPERF3_ORIG" \
    "$IPERF3_SHA256" "$IPERF3_DIR" src/iperf_api.c main/i/iperf3
# --- uPlot from the npm registry ----------------------------------------------
if ! uplot_ok; then
    tgz=$DEPS_DIR/$UPLOT_TGZ
    mkdir -p "$DEPS_DIR"
    if [ ! -f "$tgz" ]; then
        have_cmd npm || die "npm is needed to fetch uPlot (apt-get install npm)"
        say "npm pack uplot@$UPLOT_VERSION"
        (cd "$DEPS_DIR" && npm pack --silent "uplot@$UPLOT_VERSION" >"$DEPS_DIR/npm-pack.log" 2>&1) ||
            { cat "$DEPS_DIR/npm-pack.log" >&2; die "could not fetch uplot@$UPLOT_VERSION from the npm registry"; }
        [ -f "$tgz" ] || die "npm pack did not write $tgz"
    fi
    sha256_verified "$tgz" "$UPLOT_SHA256"
    rm -rf "$UPLOT_DIR" "$DEPS_DIR/uplot-unpack"
    mkdir -p "$DEPS_DIR/uplot-unpack" "$UPLOT_DIR"
    tar -C "$DEPS_DIR/uplot-unpack" -xzf "$tgz" package/dist/uPlot.iife.min.js \
        package/dist/uPlot.min.css package/LICENSE || die "unexpected layout in $UPLOT_TGZ"
    mv "$DEPS_DIR/uplot-unpack/package/dist/uPlot.iife.min.js" \
       "$DEPS_DIR/uplot-unpack/package/dist/uPlot.min.css" \
       "$DEPS_DIR/uplot-unpack/package/LICENSE" "$UPLOT_DIR/"
    rm -rf "$DEPS_DIR/uplot-unpack"
    touch "$UPLOT_DIR/.verified"
    say "uPlot $UPLOT_VERSION unpacked into $UPLOT_DIR (sha256 verified)"
fi
say "all dependencies present"
