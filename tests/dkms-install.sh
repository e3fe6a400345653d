#!/bin/bash
# dkms-install.sh [--reuse] KVER OUTDIR
#
# What a fleet host does with this source tree (README, "Install on a fleet
# host (DKMS)"): `dkms add`, `dkms build`, `dkms install` for kernel KVER,
# but confined to OUTDIR so the host's /var/lib/dkms, /usr/src and
# /lib/modules stay untouched:
#   OUTDIR/tree                      --dkmstree    (host: /var/lib/dkms)
#   OUTDIR/src                       --sourcetree  (host: /usr/src)
#   OUTDIR/root/lib/modules          --installtree (host: /lib/modules)
# `dkms install` ends with `depmod -a KVER`, which would rewrite the host's
# /lib/modules/KVER/modules.*: it runs with --no-depmod and
# `depmod -b OUTDIR/root KVER` indexes the private tree instead, so
# `modprobe -d OUTDIR/root -S KVER oomprof` finds the module the way
# systemd-modules-load does on a host.
#
# Debian's dkms signs what it builds with /var/lib/dkms/mok.key and creates
# that key when missing; dkms runs in a mount namespace of its own with
# OUTDIR/keys mounted over /var/lib/dkms, so the throwaway key lands there.
#
# Prints the installed module's path last (OUTDIR/root/lib/modules/KVER/
# updates/dkms/oomprof.ko, .ko.xz where the kernel's own modules are
# compressed, as dkms decides). OUTDIR/stamp records a hash of the sources,
# KVER and the dkms version; --reuse skips the work when it matches (the VM
# harness reuses what the kbuild suite just installed). dkms's output goes to
# OUTDIR.log; on failure the reason is the last line on stderr.
set -euo pipefail

reuse=0
if [ "${1:-}" = --reuse ]; then
	reuse=1
	shift
fi
[ $# -eq 2 ] || { echo "usage: $0 [--reuse] KVER OUTDIR" >&2; exit 2; }
kver=$1 out=$2
top=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "dkms-install.sh: $*" >&2; exit 1; }

command -v dkms > /dev/null || die "dkms not installed — apt-get install dkms (make deps)"
command -v depmod > /dev/null || die "depmod not found — apt-get install kmod"
command -v unshare > /dev/null || die "unshare not found — apt-get install util-linux"
[ -d "/usr/src/linux-headers-$kver" ] ||
	die "no headers for $kver — apt-get install linux-headers-$kver"
[ -e "/lib/modules/$kver/build" ] ||
	die "/lib/modules/$kver/build missing (dkms builds against it) — reinstall linux-headers-$kver"
[ -d /var/lib/dkms ] || die "/var/lib/dkms missing (the key directory is mounted over it) — reinstall dkms"

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
[ -n "$ver" ] || die "no PACKAGE_VERSION in $top/dkms.conf"

# The sources dkms gets: what a user copies to /usr/src/oomprof-<ver>, minus
# build products of the clone (they belong to whatever kernel was last built
# there, and the detected API header must come from KVER's headers).
srccopy=$(mktemp -d "${TMPDIR:-/tmp}/oomprof-dkms-src.XXXXXX")
trap 'rm -rf "$srccopy"' EXIT
tar -C "$top" -cf - \
	--exclude='*.o' --exclude='*.ko' --exclude='*.ko.*' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='*.cmd' --exclude='*.a' --exclude=modules.order \
	--exclude=Module.symvers --exclude=compat-autoconf.h --exclude=.conftest-kdir \
	Kbuild Makefile dkms.conf module include scripts | tar -C "$srccopy" -xf -
stamp=$( (cd "$srccopy" && find . -type f -print0 | LC_ALL=C sort -z |
	xargs -0 sha256sum; echo "$kver"; dpkg-query -W -f='${Version}' dkms 2>/dev/null) |
	sha256sum | cut -d' ' -f1)

root=$out/root
find_ko() { find "$root/lib/modules/$kver/updates/dkms" -name 'oomprof.ko*' -print -quit 2>/dev/null; }

if [ "$reuse" = 1 ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
	ko=$(find_ko)
	if [ -n "$ko" ]; then
		echo "$ko"
		exit 0
	fi
fi

rm -rf "$out" && mkdir -p "$out/tree" "$out/src" "$out/keys" "$root/lib/modules/$kver"
log=$out.log
: > "$log"
dk=(dkms --dkmstree "$out/tree" --sourcetree "$out/src" --installtree "$root/lib/modules")
# The source dir's name is what `dkms add` of a /usr/src/oomprof-<ver> sees.
src=$out/oomprof-$ver
mv "$srccopy" "$src"
trap - EXIT
# One namespace for the three steps: the bind mount of the key directory
# dies with it, and the host's mount table never sees it.
if ! unshare --mount --propagation private bash -euc '
	keys=$1 src=$2 kver=$3 ver=$4
	shift 4
	mount --bind "$keys" /var/lib/dkms
	"$@" add "$src"
	"$@" build "oomprof/$ver" -k "$kver"
	"$@" install --no-depmod "oomprof/$ver" -k "$kver"
' _ "$out/keys" "$src" "$kver" "$ver" "${dk[@]}" >> "$log" 2>&1; then
	tail -n 15 "$log" >&2
	find "$out/tree" -name make.log -exec tail -n 15 {} \; >&2 2>/dev/null || true
	die "dkms add/build/install of oomprof/$ver for $kver failed (log: $log)"
fi
depmod -b "$root" "$kver" >> "$log" 2>&1 || die "depmod -b $root $kver failed (log: $log)"
ko=$(find_ko)
[ -n "$ko" ] || die "dkms install succeeded but put no oomprof.ko under $root/lib/modules/$kver/updates/dkms (log: $log)"
echo "$stamp" > "$out/stamp"
echo "$ko"
