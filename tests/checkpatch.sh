#!/bin/bash
# scripts/checkpatch.pl --strict over the module's sources, taken from
# Debian's linux-source-6.1 tarball (no full tree needed). Prints one
# PASS/FAIL line.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${OOMPROF_CACHE:-/var/cache/oomprof}/checkpatch
tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null | head -n1)

if [ ! -x "$cache/scripts/checkpatch.pl" ]; then
	if [ -z "$tarball" ]; then
		echo "FAIL checkpatch: /usr/src/linux-source-6.1.tar.xz missing — apt-get install linux-source-6.1 (make deps)"
		exit 0
	fi
	mkdir -p "$cache"
	tar -xJf "$tarball" -C "$cache" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
fi

cd "$top" || exit 1
files=$(ls module/*.c module/*.h module/conftest/*.c tests/kunit/*.c tests/kunit/*.h \
	include/uapi/linux/oomprof.h | grep -v compat-autoconf.h)
# shellcheck disable=SC2086
if out=$("$cache/scripts/checkpatch.pl" --strict --no-tree --terse -f $files 2>&1) &&
	! grep -q 'ERROR\|WARNING\|CHECK' <<< "$out"; then
	echo "PASS checkpatch: --strict clean on $(wc -w <<< "$files") files"
else
	echo "FAIL checkpatch: --strict reports problems"
	grep 'ERROR\|WARNING\|CHECK' <<< "$out" | head -30 | sed 's/^/    /'
fi
