#!/bin/bash
# Oracle tests for user/godwarf.c and user/gomemstats.c (the Go runtime's
# memory statistics read from a victim's memory with the layout its DWARF
# gives), for each Go toolchain (default: the current Go and Debian's Go
# 1.19), each build plain, -buildmode=pie, -ldflags='-s -w', and the plain
# one with its DWARF rewritten by objcopy as .zdebug_* and uncompressed:
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
	for mode in plain pie stripped zdebug uncompressed; do
		label=$ver-$mode
		bin=$out/$label
		case $mode in
		plain) flags=() ;;
		pie) flags=(-buildmode=pie) ;;
		stripped) flags=("-ldflags=-s -w") ;;
		# the plain build's DWARF rewritten by GNU objcopy: the older
		# ".zdebug_*" sections, and no compression at all
		zdebug) objcopy --compress-debug-sections=zlib-gnu "$out/$ver-plain" "$bin" ;;
		uncompressed) objcopy --decompress-debug-sections "$out/$ver-plain" "$bin" ;;
		esac
		case $mode in
		zdebug) readelf -SW "$bin" 2> /dev/null | grep -q ' .zdebug_info ' ||
			echo "FAIL gomemstats $label: objcopy wrote no .zdebug_info" ;;
		uncompressed) readelf -SW "$bin" 2> /dev/null | grep ' .debug_info ' | grep -q ' C ' &&
			echo "FAIL gomemstats $label: .debug_info still compressed" ;;
		esac
		if [ $mode != zdebug ] && [ $mode != uncompressed ] &&
			! (cd "$out/src-live" && "$gobin" build "${flags[@]}" -o "$bin" .) \
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
		[ $mode = plain ] && "$out/gomemstats_check" "$label" --hostile "$bin"
		check_live "$bin" "" "$label"
		# NextGC from the memory limit: set by heapMarked at 24 MiB,
		# by the limit minus headroom at 96 MiB with a 57 MiB heap
		[ $mode = plain ] && check_live "$bin" "GOMEMLIMIT=24MiB" "$label-gomemlimit"
		[ $mode = plain ] && check_live "$bin" "GOMEMLIMIT=96MiB" "$label-gomemlimit-big" big
	done
done

# Seeds: the real sections of the plain builds (as stored, compressed,
# and inflated), and inputs that probe super-linear cost.
for b in "$out"/go*-plain; do
	[ -x "$b" ] || continue
	objcopy --dump-section .debug_info="$b.info" \
		--dump-section .debug_abbrev="$b.abbrev" "$b" /dev/null 2> /dev/null || continue
done
python3 - "$out/seeds" "$out"/go*-plain.info << 'PYEOF'
import struct, sys, zlib
d, infos = sys.argv[1], sys.argv[2:]
def seed(name, flags, abbrev, info, s=b"", ls=b"", so=b""):
    hdr = bytes([flags]) + struct.pack("<IIII", len(abbrev), len(s), len(ls), len(so))
    open(d + "/" + name, "wb").write(hdr + abbrev + s + ls + so + info)
def uleb(v):
    o = bytearray()
    while True:
        b = v & 0x7f
        v >>= 7
        o.append(b | (0x80 if v else 0))
        if not v:
            return bytes(o)
def unit4(body, abbrev_off=0):      # DWARF 4, 32-bit
    return struct.pack("<IHIB", 7 + len(body), 4, abbrev_off, 8) + body
def unit5(body, abbrev_off=0):      # DWARF 5 compile unit
    return struct.pack("<IHBBI", 8 + len(body), 5, 1, 8, abbrev_off) + body
for path in infos:
    info = open(path, "rb").read()
    abbrev = open(path[:-5] + ".abbrev", "rb").read()
    name = path.split("/")[-1][:-5]
    seed(name + "-stored", 1 | 8, abbrev, info)
    # inflate: Elf64_Chdr is 24 bytes
    seed(name + "-plain", 0, zlib.decompress(abbrev[24:]), zlib.decompress(info[24:]))
# A struct asked for with members, a typedef, an array with a subrange,
# a variable with DW_OP_addr; names inline, in .debug_str (strp) and via
# DW_FORM_strx1 and .debug_str_offsets (DWARF 5).
ab = (uleb(1) + uleb(0x13) + b"\x01" + uleb(3) + uleb(0x08) + uleb(0x0b) + uleb(0x0b) + b"\0\0" +
      uleb(2) + uleb(0x0d) + b"\x00" + uleb(3) + uleb(0x0e) + uleb(0x38) + uleb(0x0f) + uleb(0x49) + uleb(0x10) + b"\0\0" +
      uleb(3) + uleb(0x24) + b"\x00" + uleb(3) + uleb(0x25) + uleb(0x0b) + uleb(0x21) + struct.pack("b", 8) + b"\0\0" +
      uleb(4) + uleb(0x01) + b"\x01" + uleb(0x49) + uleb(0x13) + uleb(0x0b) + uleb(0x0f) + b"\0\0" +
      uleb(5) + uleb(0x21) + b"\x00" + uleb(0x37) + uleb(0x0b) + b"\0\0" +
      uleb(6) + uleb(0x34) + b"\x00" + uleb(3) + uleb(0x08) + uleb(2) + uleb(0x18) + b"\0\0" +
      uleb(7) + uleb(0x11) + b"\x01" + uleb(0x72) + uleb(0x17) + b"\0\0" + b"\0")
strs = b"\0numgc\0runtime.uint32\0"
so = struct.pack("<IHH", 4 + 4 * 2, 5, 0) + struct.pack("<II", 1, 7)
body = (uleb(7) + struct.pack("<I", 8) +
        uleb(1) + b"runtime.mstats\0" + uleb(64) +
        uleb(2) + struct.pack("<I", 1) + uleb(16) + struct.pack("<I", 0) +
        b"\0" +
        uleb(3) + bytes([1]) +
        uleb(4) + struct.pack("<I", 0) + uleb(24) + uleb(5) + bytes([3]) + b"\0" +
        uleb(6) + b"runtime.memstats\0" + uleb(9) + b"\x03" + struct.pack("<Q", 0x5a6ba0) +
        b"\0")
seed("synthetic-v5", 0, ab, unit5(body), strs, b"", so)
# Deep nesting: 20000 structs each the child of the one before.
ab1 = uleb(1) + uleb(0x13) + b"\x01" + uleb(3) + uleb(0x08) + b"\0\0\0"
seed("deep", 0, ab1, unit4((uleb(1) + b"x\0") * 20000))
# Many DIEs of an abbreviation with 256 zero-byte attributes
# (flag_present): cost per input byte is high, bounded by the DIE+attribute bound.
ab2 = uleb(1) + uleb(0x24) + b"\x00" + (uleb(0x3f) + uleb(0x19)) * 256 + b"\0\0\0"
seed("wide", 0, ab2, unit4(uleb(1) * 200000))
# A zero stream: null entries, inflated by the harness (flags bit 1).
seed("zeros", 2, ab1, struct.pack("<IHIB", 0x7ffffff0, 4, 0, 8) + bytes(900000))
# Five big abbreviation tables and tiny units cycling through them (the
# cache holds four): re-parsing is bounded by the abbreviation work bound.
tabs, offs = b"", []
for t in range(5):
    offs.append(len(tabs))
    tabs += b"".join(uleb(c) + uleb(0x24) + b"\x00" + b"\0\0" for c in range(1, 20001)) + b"\0"
seed("abbrev-thrash", 0, tabs, b"".join(unit4(b"\0", offs[i % 5]) for i in range(20000)))
# The struct asked for with 5000 members (1024 are kept).
ab3 = (uleb(1) + uleb(0x13) + b"\x01" + uleb(3) + uleb(0x08) + b"\0\0" +
       uleb(2) + uleb(0x0d) + b"\x00" + uleb(3) + uleb(0x08) + uleb(0x38) + uleb(0x0f) + b"\0\0\0")
seed("members", 0, ab3, unit4(uleb(1) + b"runtime.mheap\0" +
     b"".join(uleb(2) + b"m%d\0" % i + uleb(i) for i in range(5000)) + b"\0"))
PYEOF
if ! command -v clang > /dev/null; then
	echo "FAIL fuzz godwarf: clang not found — apt-get install clang libclang-rt-14-dev"
	exit 0
fi
if ! clang "${cflags[@]}" -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -o "$out/fuzz_godwarf" \
	tests/userspace/fuzz_godwarf.c user/godwarf.c user/gomemstats.c user/gobin.c \
	user/symbolize.c -lelf -lz 2> "$out/fuzz.build.log"; then
	echo "FAIL fuzz godwarf: does not build"
	indent < "$out/fuzz.build.log"
	exit 0
fi
# Each seed alone first, timed: the bounds must hold on each of them.
for f in "$out"/seeds/*; do
	start=$(date +%s%N)
	if ! "$out/fuzz_godwarf" -runs=1 "$f" > "$out/seed.log" 2>&1; then
		echo "FAIL fuzz godwarf seed $(basename "$f"): crash or over 2 s"
		grep -A20 'ERROR\|runtime error\|took' "$out/seed.log" | indent
	else
		echo "PASS fuzz godwarf seed $(basename "$f"): $((($(date +%s%N) - start) / 1000000)) ms under ASan+UBSan"
	fi
done
rm -rf "$out/corpus" && mkdir -p "$out/corpus" && cp "$out"/seeds/* "$out/corpus/"
if "$out/fuzz_godwarf" -max_total_time="$fuzz_seconds" -max_len=1200000 \
	-timeout=10 -rss_limit_mb=4096 -artifact_prefix="$out/" \
	"$out/corpus" > "$out/fuzz.log" 2>&1; then
	runs=$(grep -o 'Done [0-9]* runs' "$out/fuzz.log" | tail -1)
	echo "PASS fuzz godwarf: ${runs:-done} in ${fuzz_seconds}s, no crash, no input over 2 s of CPU"
else
	echo "FAIL fuzz godwarf: crash, slow input or sanitizer report (see $out/fuzz.log)"
	grep -A30 'ERROR\|runtime error\|timeout\|took' "$out/fuzz.log" | head -60 | indent
fi
