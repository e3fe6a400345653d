#!/bin/bash
# Oracle test for user/govars.c: the addresses of runtime.mbuckets and
# runtime.MemProfileRate, from the symbol table or, in a binary built with
# -ldflags='-s -w', from the code of runtime functions.
#
# Builds tests/userspace/govars/main.go with each Go toolchain four ways
# (plain, -buildmode=pie, -ldflags='-s -w', and both) and checks with
# govars_check (built under ASan+UBSan), per build:
# - unstripped: the code-derived addresses equal the symbol table's;
# - stripped: they equal the symbols of the unstripped build of the same
#   toolchain and mode, as section + offset (stripping shortens
#   .go.buildinfo's build settings, which moves later sections in Go 1.26);
# - the program, running, reads MemProfileRate = 524288 and a first
#   bucket of type 1 (memory) through /proc/PID/mem at those addresses;
# - the x86-64 decoder starts an instruction exactly where GNU objdump
#   does, through the whole Go text.
# Then fuzzes the decoder for ${FUZZ_SECONDS:-30}s.
#
# Prints "PASS ..." / "FAIL ...: why" lines and always exits 0.
# Toolchains: GO_TOOLCHAINS="/path/to/go ...", default the current Go and
# Debian's Go 1.19 (apt-get install golang-1.19-go).
set -uo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
out=$top/tests/userspace/build/govars
src=$top/tests/userspace/govars
fuzz_seconds=${FUZZ_SECONDS:-30}
toolchains=${GO_TOOLCHAINS:-"/usr/local/go/bin/go /usr/lib/go-1.19/bin/go"}
mkdir -p "$out"
cd "$top" || exit 1

cflags=(-std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Iinclude/uapi -Iuser)
# shellcheck disable=SC2054 # commas inside one flag
san=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
srcs=(user/gobin.c user/symbolize.c user/govars.c)

indent() { sed 's/^/    /' | head -30; }

if ! gcc "${cflags[@]}" "${san[@]}" -o "$out/govars_check" \
	tests/userspace/govars_check.c "${srcs[@]}" -lelf 2> "$out/check.build.log"; then
	echo "FAIL govars: govars_check does not build (libelf-dev installed?)"
	indent < "$out/check.build.log"
	exit 0
fi
have_objdump=1
command -v objdump > /dev/null || have_objdump=0

# Offline and self-contained: no module downloads, caches under build/.
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off CGO_ENABLED=0 \
	GOPATH="$out/gopath" GOCACHE="$out/gocache"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1

# Run $1 until it says "ready", check it with govars_check "${@:2}" --pid,
# then close its stdin so that it exits.
check_running() {
	local bin=$1 fifo=$out/stdin.fifo pid
	shift
	rm -f "$fifo" && mkfifo "$fifo"
	"$bin" -profile < "$fifo" > "$bin.out" 2> "$bin.err" &
	pid=$!
	exec 3> "$fifo"
	for _ in $(seq 100); do
		grep -q ready "$bin.out" 2> /dev/null && break
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.1
	done
	if grep -q ready "$bin.out"; then
		"$out/govars_check" "$@" --pid "$pid"
	else
		echo "FAIL govars $1: the test program did not start"
		indent < "$bin.err"
	fi
	exec 3>&-
	wait "$pid" 2> /dev/null
	rm -f "$fifo"
}

rm -rf "$out/seeds" && mkdir -p "$out/seeds"
# Build from a copy with its own go.mod (the repo's .gitignore has *.mod).
rm -rf "$out/src" && mkdir -p "$out/src" && cp "$src/main.go" "$out/src/"
printf 'module oomprof.test/govars\n\ngo 1.19\n' > "$out/src/go.mod"
for gobin in $toolchains; do
	if [ ! -x "$gobin" ]; then
		echo "FAIL govars $gobin: no such Go toolchain (Go 1.19: apt-get install golang-1.19-go)"
		continue
	fi
	ver=$("$gobin" env GOVERSION 2> /dev/null) || ver=unknown
	for mode in plain pie stripped pie-stripped; do
		label=$ver-$mode
		bin=$out/$label
		case $mode in
		plain) flags=() oracle=() ;;
		pie) flags=(-buildmode=pie) oracle=() ;;
		stripped) flags=("-ldflags=-s -w") oracle=(--oracle "$out/$ver-plain") ;;
		pie-stripped) flags=(-buildmode=pie "-ldflags=-s -w") oracle=(--oracle "$out/$ver-pie") ;;
		esac
		if ! (cd "$out/src" && "$gobin" build "${flags[@]}" -o "$bin" .) \
			> "$bin.build.log" 2>&1; then
			echo "FAIL govars $label: go build failed"
			indent < "$bin.build.log"
			continue
		fi
		insns=()
		if [ $have_objdump = 1 ]; then
			objdump -d -z -w --no-show-raw-insn "$bin" |
				awk '/^ *[0-9a-f]+:\t/ { sub(/:.*/, ""); print $1 }' > "$bin.insns"
			insns=(--insns "$bin.insns")
		fi
		check_running "$bin" "$label" "$bin" "${oracle[@]}" "${insns[@]}" \
			2> "$bin.check.err"
		if [ -s "$bin.check.err" ]; then
			echo "FAIL govars $label: sanitizer report or error output"
			indent < "$bin.check.err"
		fi
		# ELF seeds are large and slow the fuzzer: the stripped ones only.
		case $mode in *stripped) { printf '\1'; cat "$bin"; } > "$out/seeds/$label.elf" ;; esac
	done
	if [ -x "$out/$ver-plain" ]; then
		# Seeds for the decoder alone: the functions govars.c decodes, and
		# assembly rich in SSE/AVX encodings.
		for f in mProf_FlushLocked stkbucket profilealloc allocmcache mallocgc \
			memmove memeqbody aeshashbody memclrNoHeapPointers; do
			"$out/govars_check" --dump "$out/$ver-plain" "runtime.$f" \
				"$out/seeds/$ver-$f.code" 2>> "$out/seed.err"
		done
	fi
done
# A forged stripped binary whose runtime functions hold 8192 candidate
# references each (checked pairwise before: test_hostile_exe).
if gcc "${cflags[@]}" -Itests/userspace -o "$out/hostile_seeds" \
	tests/userspace/test_hostile_exe.c "${srcs[@]}" user/discover.c user/pprof.c user/golearn.c user/esc.c user/sbuf.c \
	user/godwarf.c user/gomemstats.c -lelf -lz -lcmocka 2> "$out/hostile.build.log" &&
	"$out/hostile_seeds" --govars-seed "$out/seeds/hostile-refs.elf"; then
	:
else
	echo "FAIL fuzz govars: cannot write the hostile seed"
	indent < "$out/hostile.build.log"
fi
[ $have_objdump = 1 ] || echo "FAIL govars decoder: GNU objdump not found (apt-get install binutils): decoder not checked against it"

if ! command -v clang > /dev/null; then
	echo "FAIL fuzz govars: clang not found — apt-get install clang libclang-rt-14-dev"
	exit 0
fi
if ! clang "${cflags[@]}" -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -o "$out/fuzz_govars" \
	tests/userspace/fuzz_govars.c "${srcs[@]}" -lelf 2> "$out/fuzz.build.log"; then
	echo "FAIL fuzz govars: does not build"
	indent < "$out/fuzz.build.log"
	exit 0
fi
# Two sessions: the decoder over code seeds (2/3 of the time; small
# inputs, many runs), then whole ELF files through govars_find (1/3).
code_s=$(((fuzz_seconds * 2 + 2) / 3))
elf_s=$((fuzz_seconds - code_s > 0 ? fuzz_seconds - code_s : 1))
fuzz() {	# name seconds max_len seed-glob
	local name=$1 secs=$2 maxlen=$3 glob=$4 runs
	rm -rf "$out/corpus-$name" && mkdir -p "$out/corpus-$name"
	# shellcheck disable=SC2086 # the glob
	cp "$out"/seeds/$glob "$out/corpus-$name/" 2> /dev/null
	if "$out/fuzz_govars" -max_total_time="$secs" -max_len="$maxlen" \
		-timeout=10 -rss_limit_mb=4096 -artifact_prefix="$out/" \
		"$out/corpus-$name" > "$out/fuzz-$name.log" 2>&1; then
		runs=$(grep -o 'Done [0-9]* runs' "$out/fuzz-$name.log" | tail -1)
		echo "PASS fuzz govars $name: ${runs:-done} in ${secs}s, no crash ($(find "$out/corpus-$name" -type f | wc -l) inputs at the end)"
	else
		echo "FAIL fuzz govars $name: crash, hang or sanitizer report (see $out/fuzz-$name.log)"
		grep -A30 'ERROR\|runtime error\|timeout' "$out/fuzz-$name.log" | head -60 | indent
	fi
}
fuzz decoder "$code_s" 65536 '*.code'
fuzz elf "$elf_s" 4194304 '*.elf'
