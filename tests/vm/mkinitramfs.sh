#!/bin/bash
# mkinitramfs.sh [--overlay DIR] [--kmod] OUT.cpio.gz KVER MODULE_KO READER_BIN [KUNIT_KO]
#
# Builds the test guest's initramfs (gzip, newc): busybox-static with applet
# links in /bin and /sbin, /init, the module at /oomprof.ko, oomprof-read at
# /bin/oomprof-read with its shared libraries, the static test programs and
# the scenario scripts. MODULE_KO or READER_BIN may be "none" while the lead's
# code does not build yet: the guest then reports the missing piece clearly
# instead of the harness refusing to boot at all.
#
# The initramfs is unpacked into RAM of a 512 MiB guest, so only what the
# scenarios use goes in: no kernel modules, no locales, no docs.
#
# --overlay DIR: DIR's contents are copied to the image's root as they are
# (the dkms scenarios: a dkms install tree under lib/modules/KVER and a
# `make install DESTDIR=` root, so the guest loads the module the way a
# fleet host boots). --kmod: the host's kmod (with its libraries) as the
# guest's modprobe/modinfo/insmod/lsmod/rmmod/depmod instead of busybox's,
# as on a Debian host: it reads depmod's binary indexes and .ko.xz.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

overlay=
with_kmod=0
while [ $# -gt 0 ]; do
	case "$1" in
		--overlay) [ $# -ge 2 ] || { echo "$0: --overlay needs a directory" >&2; exit 2; }
			overlay=$2; shift 2 ;;
		--kmod) with_kmod=1; shift ;;
		*) break ;;
	esac
done
[ $# -eq 4 ] || [ $# -eq 5 ] || { echo "usage: $0 [--overlay DIR] [--kmod] OUT.cpio.gz KVER MODULE_KO|none READER_BIN|none [KUNIT_KO]" >&2; exit 2; }
[ -z "$overlay" ] || [ -d "$overlay" ] || { echo "$0: overlay $overlay is not a directory" >&2; exit 2; }
out=$1 kver=$2 module_ko=$3 reader=$4 kunit_ko=${5:-none}

busybox=/bin/busybox
# busybox-static is what we want: a dynamic busybox would need its libc too.
ldd_out=$(LC_ALL=C ldd "$busybox" 2>&1 || true)
if [[ "$ldd_out" != *"not a dynamic executable"* ]]; then
	echo "mkinitramfs.sh: $busybox is not static: apt-get install busybox-static" >&2
	exit 1
fi

# Static test programs, rebuilt only when their source changed. -Werror keeps
# them warning-free; -static keeps them independent of the guest's libraries.
progs_out=$here/.work/progs
mkdir -p "$progs_out"
progs=()
for src in "$here"/progs/*.c; do
	name=$(basename "$src" .c)
	bin=$progs_out/$name
	# Some include the uapi header: its structures size their ioctls.
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] ||
		[ "$here/../../include/uapi/linux/oomprof.h" -nt "$bin" ]; then
		gcc -static -O2 -Wall -Wextra -Werror -o "$bin.tmp" "$src"
		mv "$bin.tmp" "$bin"
	fi
	progs+=("$bin")
done

# 32-bit (i386) test programs: freestanding (system calls through int
# $0x80), so no 32-bit C library is needed, only gcc's -m32 code generation
# and binutils' elf_i386, which Debian's gcc and binutils have.
for src in "$here"/progs32/*.c; do
	name=$(basename "$src" .c)
	bin=$progs_out/$name
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		gcc -m32 -nostdlib -static -ffreestanding -fno-pie -no-pie -O2 \
			-Wall -Wextra -Werror -o "$bin.tmp" "$src"
		mv "$bin.tmp" "$bin"
	fi
	progs+=("$bin")
done

# Go test programs (tests/vm/go/NAME), built with Debian's Go 1.19 and with
# the current toolchain, each as a plain static executable, as a PIE and
# stripped (-ldflags='-s -w'): /bin/NAME-go119, NAME-go119pie, NAME-go119s,
# and the same with gocur, in the guest (a PIE loads at a random address:
# the load bias path; a stripped one has no symbol table). With
# their symbol tables; CGO_ENABLED=0 (the PIE needs only the dynamic loader,
# which oomprof-read brings).
declare -A gotool=([go119]=/usr/lib/go-1.19/bin/go [gocur]=${GO:-$(command -v go || echo /usr/local/go/bin/go)})
go_out=$here/.work/go
mkdir -p "$go_out"
for tag in go119 gocur; do
	tool=${gotool[$tag]}
	if [ ! -x "$tool" ]; then
		echo "mkinitramfs.sh: $tool not found: apt-get install golang-1.19-go (make deps)" >&2
		exit 1
	fi
	for dir in "$here"/go/*/; do
		name=$(basename "$dir")
		for variant in exe pie stripped; do
			mode=exe ldflags=
			case $variant in
				exe) suffix=$tag ;;
				pie) suffix=${tag}pie mode=pie ;;
				stripped) suffix=${tag}s ldflags='-s -w' ;;
			esac
			bin=$go_out/$name-$suffix
			if [ ! -x "$bin" ] || [ -n "$(find "$dir" -newer "$bin" -print -quit)" ]; then
				(cd "$dir" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod \
					GOCACHE="$go_out/cache-$tag" GOPATH="$go_out/gopath" \
					"$tool" build -buildmode="$mode" -ldflags="$ldflags" -o "$bin.tmp" .)
				mv "$bin.tmp" "$bin"
			fi
			progs+=("$bin")
		done
	done
done

root=$(mktemp -d "${TMPDIR:-/tmp}/oomprof-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,results,scenarios,etc}
cp "$busybox" "$root/bin/busybox"
# Every applet as a relative symlink; usr/bin and usr/sbin applets are folded
# into bin and sbin so PATH=/bin:/sbin finds all of them.
while read -r applet; do
	case "$applet" in
		*sbin/*) dir=sbin ;;
		*) dir=bin ;;
	esac
	name=${applet##*/}
	[ "$name" = busybox ] && continue
	if [ "$dir" = sbin ]; then
		ln -sf ../bin/busybox "$root/sbin/$name"
	else
		ln -sf busybox "$root/bin/$name"
	fi
done < <("$busybox" --list-full)

# /dev/console must exist before devtmpfs is mounted: the kernel opens it for
# init's stdin/stdout, and without it early init output is lost.
mknod -m 600 "$root/dev/console" c 5 1
mknod -m 666 "$root/dev/null" c 1 3

install -m 755 "$here/guest/init" "$root/init"
install -m 644 "$here/guest/lib.sh" "$root/lib.sh"
for s in "$here"/guest/scenarios/*.sh; do
	install -m 755 "$s" "$root/scenarios/"
done
for p in "${progs[@]}"; do
	install -m 755 "$p" "$root/bin/"
done

if [ "$module_ko" != none ]; then
	install -m 644 "$module_ko" "$root/oomprof.ko"
	# Debug info is most of a .ko's size and the guest never uses it.
	strip --strip-debug "$root/oomprof.ko"
fi

# fuse.ko where the kernel has FUSE as a module (Debian 6.1), for the
# go_fuse_fallback scenario: KMODDIR (run.sh, from kernels.sh) is the
# kernel's own module tree.
for f in "${KMODDIR:-/nonexistent}"/kernel/fs/fuse/fuse.ko; do
	[ -f "$f" ] && install -m 644 "$f" "$root/fuse.ko"
done

# The KUnit test module (tests/kunit), for the kunit scenario.
if [ "$kunit_ko" != none ]; then
	install -m 644 "$kunit_ko" "$root/oomprof_kunit.ko"
	strip --strip-debug "$root/oomprof_kunit.ko"
fi

if [ "$reader" != none ]; then
	install -m 755 "$reader" "$root/bin/oomprof-read"
	# Copy each shared library (and the dynamic loader) at the path ldd
	# reports, following symlinks, so the guest's loader finds them where
	# the binary's PT_INTERP and the default search path say.
	if LC_ALL=C ldd "$reader" >/dev/null 2>&1; then
		LC_ALL=C ldd "$reader" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
		# Debian's loader lives in /lib64 -> /lib/x86_64-linux-gnu via the
		# usr-merge symlinks; ldd names both forms, and cp created real dirs
		# for each, which is all the loader needs.
	fi
fi

# Copy each shared library of a host binary (and the dynamic loader) at the
# path ldd reports, following symlinks, so the guest's loader finds them
# where the binary's PT_INTERP and the default search path say.
copy_libs() {
	if LC_ALL=C ldd "$1" >/dev/null 2>&1; then
		LC_ALL=C ldd "$1" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	fi
}

# Debian's python3 with the few stdlib files its startup needs under -S -I
# (the encodings package; the rest of what it imports is frozen in the
# binary), for the python_seed scenario: about 7 MB before compression.
# /usr/bin/python3 explicitly: a pyenv python in PATH is not Debian's.
py=$(readlink -f /usr/bin/python3 2>/dev/null || true)
if [ -x "$py" ]; then
	pyver=$(basename "$py")
	install -D -m 755 "$py" "$root/usr/bin/$pyver"
	ln -sf "$pyver" "$root/usr/bin/python3"
	copy_libs "$py"
	for f in __init__ aliases utf_8 ascii latin_1; do
		install -D -m 644 "/usr/lib/$pyver/encodings/$f.py" \
			"$root/usr/lib/$pyver/encodings/$f.py"
	done
fi

if [ "$with_kmod" = 1 ]; then
	kmod=$(command -v kmod || true)
	[ -n "$kmod" ] || { echo "mkinitramfs.sh: kmod not found: apt-get install kmod" >&2; exit 1; }
	install -m 755 "$kmod" "$root/bin/kmod"
	copy_libs "$kmod"
	for tool in modprobe modinfo insmod lsmod rmmod depmod; do
		ln -sf ../bin/kmod "$root/sbin/$tool"
		rm -f "$root/bin/$tool"
	done
fi

if [ -n "$overlay" ]; then
	cp -a "$overlay/." "$root/"
fi

# A record of what went into this image, for the guest's results.
{
	echo "kver=$kver"
	echo "module=$module_ko"
	echo "reader=$reader"
	[ "$module_ko" != none ] && echo "module_sha256=$(sha256sum < "$module_ko" | cut -d' ' -f1)"
	[ "$reader" != none ] && echo "reader_sha256=$(sha256sum < "$reader" | cut -d' ' -f1)"
} > "$root/etc/oomprof-image"

mkdir -p "$(dirname "$out")"
# Sorted names and a fixed owner make the image reproducible for the same
# inputs; cpio -R needs GNU cpio.
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0) | gzip -6 > "$out.tmp"
mv "$out.tmp" "$out"
