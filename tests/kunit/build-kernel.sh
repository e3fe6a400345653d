#!/bin/bash
# build-kernel.sh: the oomprof debug kernel (KUnit, KASAN, lockdep, kmemleak),
# built once from Debian's linux-source-6.1 and cached outside the clone:
#
#   ${OOMPROF_CACHE:-/var/cache/oomprof}/debug-kernel/<key>/
#       linux/        the configured and built tree (KDIR for out-of-tree
#                     modules: .config, Module.symvers, scripts, headers)
#       build.log     the full build log
#       READY         written last: the kernel release; present = reusable
#
# <key> hashes tests/kunit/debug.config, the linux-source-6.1 package version,
# the compiler version and this script's recipe version: change any of them
# and the next run builds a new kernel. An interrupted build is resumed
# (make is incremental); a concurrent run waits on a lock.
#
# Progress goes to stderr; stdout is shell assignments, as kernels.sh prints:
#   KVER=<release> VMLINUZ=<bzImage> KDIR=<tree> KMODDIR=<none>
#
# Environment: OOMPROF_CACHE, OOMPROF_KERNEL_JOBS (make -j, default nproc+1),
# OOMPROF_KERNEL_SOURCE (default /usr/src/linux-source-6.1.tar.xz).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/debug.config
recipe=1 # bump when the steps below change what gets built
src_tar=${OOMPROF_KERNEL_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
src_pkg=linux-source-6.1
jobs=${OOMPROF_KERNEL_JOBS:-$(($(nproc) + 1))}

t0=$SECONDS
say() { printf 'build-kernel: [%4ds] %s\n' $((SECONDS - t0)) "$*" >&2; }
die() { echo "build-kernel: $*" >&2; exit 1; }

[ -r "$fragment" ] || die "missing $fragment"
[ -r "$src_tar" ] || die "no kernel source at $src_tar: apt-get install $src_pkg (make deps)"
for tool in make gcc flex bison bc xz tar sha256sum flock; do
	command -v "$tool" > /dev/null ||
		die "$tool not found: apt-get install build-essential flex bison bc xz-utils (make deps)"
done
for hdr in openssl/opensslv.h gelf.h; do
	printf '#include <%s>\n' "$hdr" | gcc -E -x c - > /dev/null 2>&1 ||
		die "<$hdr> not found: apt-get install libssl-dev libelf-dev (make deps)"
done

src_ver=$(dpkg-query -W -f='${Version}' "$src_pkg" 2> /dev/null || true)
[ -n "$src_ver" ] || src_ver="file:$(stat -c '%s:%Y' "$src_tar")"
key=$({
	echo "recipe=$recipe"
	echo "source=$src_pkg $src_ver"
	gcc --version | head -n 1
	cat "$fragment"
} | sha256sum | cut -c1-16)

base=${OOMPROF_CACHE:-/var/cache/oomprof}/debug-kernel
dir=$base/$key
tree=$dir/linux
mkdir -p "$dir"

emit() {
	local kver
	kver=$(cat "$dir/READY")
	printf 'KVER=%q\nVMLINUZ=%q\nKDIR=%q\nKMODDIR=%q\n' \
		"$kver" "$tree/arch/x86/boot/bzImage" "$tree" none
}

if [ -s "$dir/READY" ]; then
	emit
	exit 0
fi

# One builder at a time per key; a second run waits and then reuses.
exec 9> "$dir/.lock"
if ! flock -n 9; then
	say "another build of $dir is running; waiting for it"
	flock 9
fi
if [ -s "$dir/READY" ]; then
	emit
	exit 0
fi

say "debug kernel $key not cached: building in $dir ($src_pkg $src_ver, make -j$jobs)"
log=$dir/build.log

if [ ! -f "$tree/.extracted" ]; then
	say "extracting $src_tar"
	rm -rf "$tree" "$dir/extract.tmp"
	mkdir -p "$dir/extract.tmp"
	tar -xJf "$src_tar" -C "$dir/extract.tmp"
	top=$(find "$dir/extract.tmp" -mindepth 1 -maxdepth 1 -type d -print -quit)
	[ -f "$top/Makefile" ] || die "$src_tar holds no kernel tree"
	mv "$top" "$tree"
	rm -rf "$dir/extract.tmp"
	touch "$tree/.extracted"
fi

say "configuring: x86_64_defconfig + $(basename "$fragment")"
# merge_config.sh -m: merge only; olddefconfig then resolves dependencies.
(cd "$tree" &&
	make x86_64_defconfig > "$log" 2>&1 &&
	scripts/kconfig/merge_config.sh -m .config "$fragment" >> "$log" 2>&1 &&
	make olddefconfig >> "$log" 2>&1) || die "configuration failed; see $log"

# Every line of the fragment must hold in the final .config: a dependency
# that silently dropped an option would otherwise build a kernel that does
# not test what it claims to.
bad=()
while IFS= read -r line; do
	if [[ "$line" =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		grep -qxF "$line" "$tree/.config" ||
			bad+=("${BASH_REMATCH[1]}: wanted ${BASH_REMATCH[2]}, got $(grep -m1 "^${BASH_REMATCH[1]}=\|^# ${BASH_REMATCH[1]} is not set" "$tree/.config" || echo 'absent')")
	elif [[ "$line" =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		! grep -q "^${BASH_REMATCH[1]}=[ym]" "$tree/.config" ||
			bad+=("${BASH_REMATCH[1]}: wanted off, got $(grep -m1 "^${BASH_REMATCH[1]}=" "$tree/.config")")
	fi
done < "$fragment"
if [ ${#bad[@]} -ne 0 ]; then
	echo "build-kernel: these options of $fragment did not survive the configuration:" >&2
	printf '  %s\n' "${bad[@]}" >&2
	exit 1
fi
say "configuration verified ($(grep -c '^CONFIG_' "$fragment") options on, $(grep -c '^# CONFIG_' "$fragment") off)"

# bzImage, and modules: their modpost pass writes Module.symvers, without
# which an out-of-tree module build warns about every kernel symbol instead
# of failing on a really unresolved one. modules_prepare for M= builds.
say "building bzImage modules modules_prepare (log: $log)"
(cd "$tree" && make -j"$jobs" bzImage modules modules_prepare >> "$log" 2>&1) &
mpid=$!
# A line a minute so a long cold build visibly makes progress.
while kill -0 "$mpid" 2> /dev/null; do
	for _ in $(seq 60); do
		sleep 1
		kill -0 "$mpid" 2> /dev/null || break
	done
	kill -0 "$mpid" 2> /dev/null &&
		say "  ... $(grep -c '^  CC ' "$log") files compiled; last: $(grep '^  [A-Z]' "$log" | tail -n 1 | sed 's/^ *//')"
done
wait "$mpid" || {
	grep -m5 -E 'error:|Error [0-9]' "$log" >&2 || tail -n 20 "$log" >&2
	die "kernel build failed; see $log"
}

for f in arch/x86/boot/bzImage Module.symvers scripts/mod/modpost include/generated/autoconf.h; do
	[ -s "$tree/$f" ] || die "build finished without $tree/$f; see $log"
done
kver=$(make -s -C "$tree" kernelrelease)
echo "$kver" > "$dir/READY.tmp"
mv "$dir/READY.tmp" "$dir/READY"
say "debug kernel $kver built in $((SECONDS - t0)) s: $tree"
emit
