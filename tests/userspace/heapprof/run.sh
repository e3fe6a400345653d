#!/bin/bash
# Heap profile builder (user/heapprof.c) and pprof writer (user/pprof.c):
#
#   unit     cmocka tests (tests/userspace/test_heapprof.c), plain and
#            ASan+UBSan
#   oracle   oracle/main.go, built with each Go toolchain as a plain and a
#            PIE executable, writes its own heap profile (runtime/pprof) at
#            MemProfileRate 1 and a dump of runtime.mbuckets in the kernel
#            module's format; driver.c (ASan+UBSan) turns the dump into a
#            .pb.gz with the .gopclntab symbolizer; compare/ (Go, with
#            github.com/google/pprof/profile) requires identical samples,
#            values, labels, types and period; `go tool pprof -top` opens it
#   default  at the default MemProfileRate (512 KiB), a site retaining
#            64 MiB in 1 KiB objects: each run's scaled inuse_space equals
#            the runtime's, and the mean of 4 runs is within 15% of 64 MiB
#            (one run's sampling error alone is ~9%, 1/sqrt(128 samples))
#   fuzz     libFuzzer over parser + builder + encoder, ${FUZZ_SECONDS:-30}s
#
# Prints "PASS name" / "FAIL name: why" per case and always exits 0.
# Toolchains: GO_TOOLCHAINS="/path/to/go ...", default the current Go and
# Debian's Go 1.19. The comparer's module (github.com/google/pprof, pinned
# below, hashes in compare/go.sum) comes from the Go module proxy once and
# is cached under the build directory.
set -uo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
here=$top/tests/userspace/heapprof
out=$top/tests/userspace/build/heapprof
fuzz_seconds=${FUZZ_SECONDS:-30}
toolchains=${GO_TOOLCHAINS:-"/usr/local/go/bin/go /usr/lib/go-1.19/bin/go"}
mkdir -p "$out/gen"
cd "$top" || exit 1

cflags=(-std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Iinclude/uapi
	-Iuser -I"$out/gen" -I"$here")
# shellcheck disable=SC2054 # commas inside one flag
san=(-fsanitize=address,undefined -fno-sanitize-recover=all
	-fno-omit-frame-pointer)
srcs=(user/heapprof.c user/pprof.c "$out/gen/profile.pb-c.c")
libs=(-lprotobuf-c -lz -lm)
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1

indent() { sed 's/^/    /' | head -n "${1:-30}"; }

if ! protoc-c --c_out="$out/gen" --proto_path=user user/profile.proto \
	> "$out/gen.log" 2>&1; then
	echo "FAIL heapprof: protoc-c failed (apt-get install protobuf-c-compiler libprotobuf-c-dev)"
	indent < "$out/gen.log"
	exit 0
fi

# ---- unit ----
for variant in plain asan; do
	flags=("${cflags[@]}")
	[ "$variant" = asan ] && flags+=("${san[@]}")
	bin=$out/test_heapprof.$variant
	if ! gcc "${flags[@]}" -o "$bin" tests/userspace/test_heapprof.c \
		"${srcs[@]}" -lcmocka "${libs[@]}" 2> "$bin.build.log"; then
		echo "FAIL heapprof unit $variant: does not build"
		indent < "$bin.build.log"
		continue
	fi
	"$bin" > "$bin.log" 2>&1
	rc=$?
	grep -q '^\[       OK \]' "$bin.log" || echo "FAIL heapprof unit $variant: ran no test"
	sed -n "s/^\[       OK \] /PASS heapprof unit $variant /p; s/^\[  FAILED  \] \([a-z_]*\)\$/FAIL heapprof unit $variant \1/p" "$bin.log"
	if [ $rc -ne 0 ]; then
		grep -q '^\[  FAILED  \]' "$bin.log" || echo "FAIL heapprof unit $variant: exited $rc"
		indent < "$bin.log"
	fi
done

# ---- the C driver, with the real symbolizer when it builds ----
driver=$out/driver
addr_only=()
if ! gcc "${cflags[@]}" "${san[@]}" -o "$driver" "$here/driver.c" "${srcs[@]}" \
	user/gobin.c user/symbolize.c "${libs[@]}" -lelf 2> "$out/driver.build.log"; then
	echo "FAIL heapprof symbolizer: user/gobin.c + symbolize.c do not build; comparing addresses only"
	indent 10 < "$out/driver.build.log"
	addr_only=(-addr-only)
	if ! gcc "${cflags[@]}" "${san[@]}" -DNO_GOBIN -o "$driver" "$here/driver.c" \
		"${srcs[@]}" "${libs[@]}" 2> "$out/driver.build.log"; then
		echo "FAIL heapprof oracle: driver does not build"
		indent < "$out/driver.build.log"
		driver=
	fi
fi

# ---- Go sources ----
# Kbuild's `make clean` deletes every *.mod under the tree, go.mod files
# included: build from copies, writing a go.mod where it is gone.
src=$out/src
rm -rf "$src" && mkdir -p "$src" && cp -r "$here/oracle" "$here/compare" "$src/"
[ -f "$src/oracle/go.mod" ] ||
	printf 'module oomprof.test/heapprof/oracle\n\ngo 1.19\n' > "$src/oracle/go.mod"
[ -f "$src/compare/go.mod" ] ||
	printf 'module oomprof.test/heapprof/compare\n\ngo 1.26.0\n\nrequire %s\n' \
		"github.com/google/pprof v0.0.0-20261016150608-1facf8f91b50" \
		> "$src/compare/go.mod"

# ---- the comparer ----
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPATH="$out/gopath" \
	GOCACHE="$out/gocache"
compare=$out/compare
if ! (cd "$src/compare" && /usr/local/go/bin/go build -o "$compare" .) \
	> "$out/compare.build.log" 2>&1; then
	echo "FAIL heapprof oracle: comparer does not build (github.com/google/pprof from the module proxy)"
	indent < "$out/compare.build.log"
	compare=
fi

# run_oracle LABEL MODE DIR: run DIR/../oracle, then the driver on its dump.
run_oracle() {
	local label=$1 mode=$2 dir=$3
	mkdir -p "$dir"
	if ! "$dir/../oracle" "$mode" "$dir" > "$dir/oracle.log" 2>&1; then
		echo "FAIL heapprof $label: the oracle program failed"
		indent < "$dir/oracle.log"
		return 1
	fi
	if ! "$driver" "$dir/buckets.bin" "$dir/meta.txt" "$dir/c.pb.gz" \
		> "$dir/driver.log" 2>&1; then
		echo "FAIL heapprof $label: driver failed"
		indent < "$dir/driver.log"
		return 1
	fi
}

for gobin in $toolchains; do
	if [ ! -x "$gobin" ]; then
		echo "FAIL heapprof oracle $gobin: no such Go toolchain (Go 1.19: apt-get install golang-1.19-go)"
		continue
	fi
	if [ -z "$driver" ] || [ -z "$compare" ]; then
		continue
	fi
	ver=$("$gobin" env GOVERSION 2> /dev/null) || ver=unknown
	# Go 1.23+ refuses linknames to runtime internals unless told not to.
	ldflags=
	minor=$(echo "$ver" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
	[ "${minor:-0}" -ge 23 ] && ldflags=-checklinkname=0
	for bm in exe pie; do
		label=$ver-$bm
		d=$out/$label
		mkdir -p "$d"
		if ! (cd "$src/oracle" && "$gobin" build -buildmode="$bm" \
			-ldflags="$ldflags" -o "$d/oracle" .) > "$d/build.log" 2>&1; then
			echo "FAIL heapprof oracle $label: go build failed"
			indent < "$d/build.log"
			continue
		fi
		if run_oracle "oracle $label" rate1 "$d/rate1"; then
			if "$compare" "${addr_only[@]}" "$d/rate1/runtime.pb.gz" \
				"$d/rate1/c.pb.gz" > "$d/rate1/compare.log" 2>&1; then
				echo "PASS heapprof oracle $label: $(sed 's/^ok: //' "$d/rate1/compare.log")"
			else
				echo "FAIL heapprof oracle $label: profiles differ"
				indent 40 < "$d/rate1/compare.log"
			fi
			if "$gobin" tool pprof -top "$d/rate1/c.pb.gz" > "$d/rate1/top.log" 2>&1 &&
				grep -q 'main.allocSizes' "$d/rate1/top.log"; then
				echo "PASS heapprof pprof-top $label"
			else
				echo "FAIL heapprof pprof-top $label: go tool pprof -top cannot read it"
				indent < "$d/rate1/top.log"
			fi
			# The OOM path's mode, every cycle published or not: the
			# same samples with values at least the runtime's (the
			# allocations since the last GC are in future cycles).
			if "$driver" --all-cycles "$d/rate1/buckets.bin" "$d/rate1/meta.txt" \
				"$d/rate1/all.pb.gz" > "$d/rate1/all.log" 2>&1 &&
				"$compare" -at-least "${addr_only[@]}" "$d/rate1/runtime.pb.gz" \
					"$d/rate1/all.pb.gz" >> "$d/rate1/all.log" 2>&1; then
				echo "PASS heapprof all-cycles $label"
			else
				echo "FAIL heapprof all-cycles $label"
				indent < "$d/rate1/all.log"
			fi
		fi
		[ "$bm" = exe ] || continue
		# Default rate: 4 runs; each must equal the runtime's value.
		sum=0 n=0 ok=1
		for run in 1 2 3 4; do
			r=$d/default$run
			run_oracle "default-rate $label" default "$r" || { ok=0; break; }
			if ! "$compare" -site main.retain64 "$r/runtime.pb.gz" "$r/c.pb.gz" \
				> "$r/compare.log" 2>&1; then
				echo "FAIL heapprof default-rate $label: run $run differs from the runtime"
				indent < "$r/compare.log"
				ok=0
				break
			fi
			v=$(sed -n 's/.* C \([0-9]*\) runtime.*/\1/p' "$r/compare.log")
			sum=$((sum + v))
			n=$((n + 1))
		done
		[ $ok -eq 1 ] || continue
		want=$((64 << 20))
		mean=$((sum / n))
		if [ $(( (mean - want) * 100 / want )) -le 15 ] &&
			[ $(( (want - mean) * 100 / want )) -le 15 ]; then
			echo "PASS heapprof default-rate $label: mean inuse_space $mean of $want over $n runs, each equal to the runtime's"
		else
			echo "FAIL heapprof default-rate $label: mean inuse_space $mean is more than 15% off $want"
		fi
	done
done

# ---- fuzz ----
if ! command -v clang > /dev/null; then
	echo "FAIL heapprof fuzz: clang not found (apt-get install clang libclang-rt-14-dev)"
	exit 0
fi
if ! clang "${cflags[@]}" -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -o "$out/fuzz_heapprof" \
	tests/userspace/fuzz_heapprof.c "${srcs[@]}" "${libs[@]}" \
	2> "$out/fuzz.build.log"; then
	echo "FAIL heapprof fuzz: does not build"
	indent < "$out/fuzz.build.log"
	exit 0
fi
# Seeds: the oracle's dumps behind a flags/rate prefix, and a few small ones.
rm -rf "$out/corpus" && mkdir -p "$out/corpus"
i=0
for f in "$out"/*/rate1/buckets.bin "$out"/*/default1/buckets.bin; do
	[ -f "$f" ] || continue
	# shellcheck disable=SC2059 # the flags byte is built as an escape
	{ printf "\\$(printf %o $((i % 8)))\\000\\000"; head -c 60000 "$f"; } > "$out/corpus/seed$i"
	i=$((i + 1))
done
printf '\002\000\000' > "$out/corpus/empty"
# Chosen PCs: 128k distinct PCs that the former unkeyed hash (an
# invertible mix) put all in one slot: quadratic, minutes; now keyed.
python3 - "$out/corpus/chosen-pcs" << 'EOF'
import struct, sys
M = (1 << 64) - 1
C = 0xff51afd7ed558ccd
inv = pow(C, -1, 1 << 64)
def unmix(y):
    y ^= y >> 33
    y = (y * inv) & M
    return y ^ (y >> 33)
out = bytearray(b"\x02\x00\x00")
pc = 0
for b in range(64):
    out += struct.pack("<7Q", 0xc000000000 + b, 0, 0, 1, b, 32, 2048)
    for i in range(2048):
        pc += 1
        out += struct.pack("<Q", unmix(pc << 20))
    out += struct.pack("<16Q", 1, 0, 32, 0, *([0] * 12))
open(sys.argv[1], "wb").write(out)
EOF
# -timeout: no input may cost more than 10 s (the chosen-PCs seed took
# minutes with the unkeyed hash).
if (cd "$out" && ./fuzz_heapprof -max_total_time="$fuzz_seconds" \
	-max_len=1200000 -timeout=10 corpus) > "$out/fuzz.log" 2>&1; then
	runs=$(grep -o 'Done [0-9]* runs' "$out/fuzz.log" | tail -1)
	echo "PASS heapprof fuzz: ${runs:-done} in ${fuzz_seconds}s, no crash"
else
	echo "FAIL heapprof fuzz: crash, timeout or sanitizer report"
	grep -A30 'ERROR\|runtime error\|timeout' "$out/fuzz.log" | indent 60
fi
exit 0
