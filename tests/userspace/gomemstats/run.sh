#!/bin/bash
# Oracle tests for user/godwarf.c and user/gomemstats.c (the Go runtime's
# memory statistics read from a victim's memory with the layout its DWARF
# gives), for each Go toolchain (default: the current Go and Debian's Go
# 1.19), each build plain, -buildmode=pie and -ldflags='-s -w':
# - layout: tests/userspace/gomemstats/layout (Go's debug/dwarf) prints the
#   offsets and sizes of every member gomemstats reads, the array lengths
#   and the variables' addresses; godwarf must read the same from the file;
# - stripped: gomemstats_layout_find refuses with the "no DWARF" sentence;
# - values: gomemstats/live allocates, calls runtime.ReadMemStats, prints
#   the result and stops itself; the regions read through /proc/PID/mem
#   must give the same figures (also with GOMEMLIMIT low enough that the
#   memory limit sets NextGC, through either of its branches);
# Then fuzzes godwarf (fuzz_godwarf) for ${FUZZ_SECONDS:-30}s, seeded with
# the real sections and with inputs that probe super-linear cost.
#
# Prints "PASS ..." / "FAIL ...: why" lines and always exits 0.
set -uo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
out=$top/tests/userspace/build/gomemstats
src=$top/tests/userspace/gomemstats
fuzz_seconds=${FUZZ_SECONDS:-30}
toolchains=${GO_TOOLCHAINS:-"/usr/local/go/bin/go /usr/lib/go-1.19/bin/go"}
mkdir -p "$out"
cd "$top" || exit 1

cflags=(-std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Iinclude/uapi -Iuser)
# shellcheck disable=SC2054 # commas inside one flag
san=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
srcs=(user/gobin.c user/symbolize.c user/godwarf.c user/gomemstats.c)

indent() { sed 's/^/    /' | head -30; }

if ! gcc "${cflags[@]}" "${san[@]}" -o "$out/gomemstats_check" \
	tests/userspace/gomemstats_check.c "${srcs[@]}" -lelf -lz 2> "$out/check.build.log"; then
	echo "FAIL gomemstats: gomemstats_check does not build (libelf-dev, zlib1g-dev installed?)"
	indent < "$out/check.build.log"
	exit 0
fi
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1
# Offline and self-contained: no module downloads, caches under build/.
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off CGO_ENABLED=0 \
	GOPATH="$out/gopath" GOCACHE="$out/gocache"

# Build from copies with their own go.mod (the repo's .gitignore has *.mod).
for p in layout live; do
	rm -rf "$out/src-$p" && mkdir -p "$out/src-$p" && cp "$src/$p/main.go" "$out/src-$p/"
	printf 'module oomprof.test/%s\n\ngo 1.19\n' "$p" > "$out/src-$p/go.mod"
done
oracle=$out/layout-oracle
if ! (cd "$out/src-layout" && /usr/local/go/bin/go build -o "$oracle" .) > "$out/layout.build.log" 2>&1; then
	echo "FAIL gomemstats layout oracle: go build failed"
	indent < "$out/layout.build.log"
	oracle=
fi

# Run $1 (env in $2) until it has printed ReadMemStats' figures and is
# stopped (by itself, or by us if it ran on into its read of stdin), check
# it, kill it.
check_live() {
	local bin=$1 env=$2 label=$3 arg=${4:-} pid state fifo=$out/stdin.fifo
	rm -f "$fifo" && mkfifo "$fifo"
	exec 3<> "$fifo"
	# shellcheck disable=SC2086 # $env: zero or more words
	env $env "$bin" $arg <&3 > "$bin.$label.json" 2> "$bin.$label.err" &
	pid=$!
	# /proc/PID/stat: "PID (COMM) STATE ...": T once stopped
	for _ in $(seq 600); do
		state=$(sed 's/.*) //; s/ .*//' "/proc/$pid/stat" 2> /dev/null)
		[ "$state" = T ] && break
		[ -z "$state" ] && break
		if [ -s "$bin.$label.json" ]; then
			sleep 0.1
			kill -STOP "$pid" 2> /dev/null
		fi
		sleep 0.05
	done
	if [ "$state" = T ] && [ -s "$bin.$label.json" ]; then
		"$out/gomemstats_check" "$label" --values "$bin" "$pid" \
			"$bin.$label.json"
	else
		echo "FAIL gomemstats $label: the live program did not print and stop (state '$state')"
		indent < "$bin.$label.err"
	fi
	kill -KILL "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	exec 3>&-
	rm -f "$fifo"
}

rm -rf "$out/seeds" && mkdir -p "$out/seeds"
for gobin in $toolchains; do
	if [ ! -x "$gobin" ]; then
		echo "FAIL gomemstats $gobin: no such Go toolchain (Go 1.19: apt-get install golang-1.19-go)"
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
		if ! (cd "$out/src-live" && "$gobin" build "${flags[@]}" -o "$bin" .) \
			> "$bin.build.log" 2>&1; then
			echo "FAIL gomemstats $label: go build failed"
			indent < "$bin.build.log"
			continue
		fi
		if [ $mode = stripped ]; then
			"$out/gomemstats_check" "$label" --stripped "$bin"
			continue
		fi
		if [ -n "$oracle" ]; then
			if "$oracle" "$bin" > "$bin.layout" 2> "$bin.layout.err"; then
				"$out/gomemstats_check" "$label" --layout "$bin" "$bin.layout"
			else
				echo "FAIL gomemstats $label: the layout oracle failed"
				indent < "$bin.layout.err"
			fi
		fi
		check_live "$bin" "" "$label"
		# NextGC from the memory limit: set by heapMarked at 24 MiB,
		# by the limit minus headroom at 96 MiB with a 57 MiB heap
		[ $mode = plain ] && check_live "$bin" "GOMEMLIMIT=24MiB" "$label-gomemlimit"
		[ $mode = plain ] && check_live "$bin" "GOMEMLIMIT=96MiB" "$label-gomemlimit-big" big
	done
done
