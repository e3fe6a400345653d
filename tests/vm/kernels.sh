#!/bin/bash
# kernels.sh SERIES: fetch the current Debian kernel image of SERIES (6.1 or
# 6.12) into a cache outside the clone and print shell assignments for it
# (SERIES debug: the project's debug kernel, see tests/kunit/build-kernel.sh):
#   KVER=<kver> VMLINUZ=<path> KDIR=/usr/src/linux-headers-<kver> KMODDIR=<dir>
# The ABI number in Debian's package names moves with every point release,
# so it is resolved from the meta-packages each time, never hard-coded.
set -euo pipefail

usage() { echo "usage: $0 6.1|6.12|debug" >&2; exit 2; }
[ $# -eq 1 ] || usage
series=$1

# debug: the project's own KUnit/KASAN/lockdep/kmemleak kernel, built from
# linux-source-6.1 on first use and cached (tests/kunit/build-kernel.sh).
if [ "$series" = debug ]; then
	exec "$(dirname "$0")/../kunit/build-kernel.sh"
fi

case "$series" in
	6.1)  meta=linux-image-amd64;      hdrmeta=linux-headers-amd64 ;;
	6.12) meta=linux-image-6.12-amd64; hdrmeta=linux-headers-6.12-amd64 ;;
	*) usage ;;
esac

# The meta-package depends on exactly one versioned image package; take the
# first Depends: line naming linux-image-<digit>... (not a virtual package).
pkg=$(apt-cache depends "$meta" 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
if [ -z "$pkg" ]; then
	echo "kernels.sh: cannot resolve $meta with apt-cache depends (run apt-get update?)" >&2
	exit 1
fi
kver=${pkg#linux-image-}

# A 6.1 meta-package resolving to something else means the archive moved
# under us; better to stop than to test the wrong kernel silently.
case "$kver" in
	"$series".*) ;;
	*) echo "kernels.sh: $meta resolves to $kver, not a $series kernel" >&2; exit 1 ;;
esac

cache=${OOMPROF_CACHE:-/var/cache/oomprof}/kernels/$kver
mkdir -p "$cache"

vmlinuz=$cache/root/boot/vmlinuz-$kver
if [ ! -s "$vmlinuz" ]; then
	# Download only if no .deb for this exact package is cached yet.
	deb=$(find "$cache" -maxdepth 1 -name "${pkg}_*.deb" -print -quit)
	if [ -z "$deb" ]; then
		# apt-get download writes into the current directory. As root it
		# warns that the _apt sandbox cannot write there; that is harmless.
		(cd "$cache" && apt-get download -q "$pkg" >&2)
		deb=$(find "$cache" -maxdepth 1 -name "${pkg}_*.deb" -print -quit)
		[ -n "$deb" ] || { echo "kernels.sh: apt-get download $pkg produced no .deb" >&2; exit 1; }
	fi
	# Extract into a temporary dir and rename, so an interrupted run never
	# leaves a half-extracted tree that looks complete.
	rm -rf "$cache/root.tmp"
	dpkg-deb -x "$deb" "$cache/root.tmp"
	rm -rf "$cache/root"
	mv "$cache/root.tmp" "$cache/root"
	[ -s "$vmlinuz" ] || { echo "kernels.sh: $deb has no boot/vmlinuz-$kver" >&2; exit 1; }
fi

kdir=/usr/src/linux-headers-$kver
if [ ! -f "$kdir/Makefile" ]; then
	echo "kernels.sh: $kdir missing: apt-get install $hdrmeta" >&2
	exit 1
fi

kmoddir=$cache/root/lib/modules/$kver

printf 'KVER=%q\nVMLINUZ=%q\nKDIR=%q\nKMODDIR=%q\n' "$kver" "$vmlinuz" "$kdir" "$kmoddir"
