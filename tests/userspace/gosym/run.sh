#!/bin/bash
# Oracle test for the .gopclntab symbolizer (user/gobin.c, user/symbolize.c).
#
# Builds tests/userspace/gosym/main.go with each Go toolchain three ways
# (plain, -buildmode=pie, -ldflags='-s -w'), runs it, and checks with
# gosym_check (built under ASan+UBSan) that the C symbolizer agrees frame
# for frame with runtime.CallersFrames inside the process. Then fuzzes the
# parser for ${FUZZ_SECONDS:-30}s from seeds cut from those binaries.
#
# Prints "PASS ..." / "FAIL ...: why" lines and always exits 0.
# Toolchains: GO_TOOLCHAINS="/path/to/go ...", default the current Go and
# Debian's Go 1.19 (apt-get install golang-1.19-go).
set -uo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
out=$top/tests/userspace/build/gosym
src=$top/tests/userspace/gosym
fuzz_seconds=${FUZZ_SECONDS:-30}
toolchains=${GO_TOOLCHAINS:-"/usr/local/go/bin/go /usr/lib/go-1.19/bin/go"}
mkdir -p "$out"
cd "$top" || exit 1

cflags=(-std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Iinclude/uapi -Iuser)
# shellcheck disable=SC2054 # commas inside one flag
san=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
srcs=(user/gobin.c user/symbolize.c)

indent() { sed 's/^/    /' | head -30; }

if ! gcc "${cflags[@]}" "${san[@]}" -o "$out/gosym_check" \
	tests/userspace/gosym_check.c "${srcs[@]}" -lelf 2> "$out/check.build.log"; then
	echo "FAIL gosym: gosym_check does not build (libelf-dev installed?)"
	indent < "$out/check.build.log"
	exit 0
fi

# Offline and self-contained: no module downloads, caches under build/.
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off \
	GOPATH="$out/gopath" GOCACHE="$out/gocache"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1

rm -rf "$out/seeds" && mkdir -p "$out/seeds"
# Build from a copy with its own go.mod (the repo's .gitignore has *.mod).
rm -rf "$out/src" && mkdir -p "$out/src" && cp "$src/main.go" "$out/src/"
printf 'module oomprof.test/gosym\n\ngo 1.19\n' > "$out/src/go.mod"
for gobin in $toolchains; do
	if [ ! -x "$gobin" ]; then
		echo "FAIL gosym $gobin: no such Go toolchain (Go 1.19: apt-get install golang-1.19-go)"
		continue
	fi
	ver=$("$gobin" env GOVERSION 2> /dev/null) || ver=unknown
	for mode in plain pie stripped; do
		label=$ver-$mode
		bin=$out/$label
		case $mode in
		plain) flags=() ;;
		pie) flags=(-buildmode=pie) ;;
		stripped) flags=("-ldflags=-s -w") ;;
		esac
		if ! (cd "$out/src" && "$gobin" build "${flags[@]}" -o "$bin" .) \
			> "$bin.build.log" 2>&1; then
			echo "FAIL gosym $label: go build failed"
			indent < "$bin.build.log"
			continue
		fi
		if ! "$bin" > "$bin.out" 2> "$bin.err"; then
			echo "FAIL gosym $label: the oracle program failed"
			indent < "$bin.err"
			continue
		fi
		"$out/gosym_check" "$label" "$bin" "$bin.out" 2> "$bin.check.err"
		if [ -s "$bin.check.err" ]; then
			echo "FAIL gosym $label: sanitizer report"
			indent < "$bin.check.err"
		fi
		"$out/gosym_check" --seed "$bin" "$out/seeds/$label.pcln" \
			2>> "$bin.check.err"
		{ printf '\0'; cat "$bin"; } > "$out/seeds/$label.elf"
	done
done

if ! command -v clang > /dev/null; then
	echo "FAIL fuzz gopclntab: clang not found — apt-get install clang libclang-rt-14-dev"
	exit 0
fi
if ! clang "${cflags[@]}" -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -o "$out/fuzz_gopclntab" \
	tests/userspace/fuzz_gopclntab.c "${srcs[@]}" -lelf 2> "$out/fuzz.build.log"; then
	echo "FAIL fuzz gopclntab: does not build"
	indent < "$out/fuzz.build.log"
	exit 0
fi
# Seeds of the hostile shapes: names without NUL for 256k functions,
# zero-advance pc-value runs with a cyclic inline tree, oversized notes.
if gcc "${cflags[@]}" -Itests/userspace -o "$out/hostile_seeds" \
	tests/userspace/test_hostile_exe.c "${srcs[@]}" user/govars.c \
	user/discover.c user/pprof.c user/golearn.c user/esc.c user/sbuf.c user/godwarf.c \
	user/gomemstats.c -lelf -lz -lcmocka 2> "$out/seeds.build.log" &&
	"$out/hostile_seeds" --seeds "$out/seeds"; then
	:
else
	echo "FAIL fuzz gopclntab: cannot write the hostile seeds"
	indent < "$out/seeds.build.log"
fi
rm -rf "$out/corpus" && mkdir -p "$out/corpus"
cp "$out"/seeds/* "$out/corpus/" 2> /dev/null
# -timeout: one input may cost at most this many seconds. Parsing and the
# (reduced) symbolization budget take ~2 s at worst here; the quadratic name
# lookup took minutes on the hostile-names seed, the unbounded pc-value
# walk ~1 s per PC on hostile-pcvalue.
if "$out/fuzz_gopclntab" -max_total_time="$fuzz_seconds" -max_len=4194304 \
	-timeout=10 -rss_limit_mb=4096 -artifact_prefix="$out/" "$out/corpus" \
	> "$out/fuzz.log" 2>&1; then
	runs=$(grep -o 'Done [0-9]* runs' "$out/fuzz.log" | tail -1)
	echo "PASS fuzz gopclntab: ${runs:-done} in ${fuzz_seconds}s, no crash ($(find "$out/seeds" -type f | wc -l) seeds)"
else
	echo "FAIL fuzz gopclntab: crash, hang or sanitizer report (see $out/fuzz.log)"
	grep -A30 'ERROR\|runtime error\|timeout' "$out/fuzz.log" | head -60 | indent
fi
