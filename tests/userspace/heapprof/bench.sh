#!/bin/bash
# Benchmark, not a test: heapprof_build (with symbolization) and
# pprof_write for 1k, 10k, 100k and 1M synthetic bucket entries (stacks of
# 20-32 PCs inside a real Go binary, default: the go command's compiler;
# BENCH_BINARY=/path overrides; BENCH_SIZES="N..." the sizes), with
# buckets/s and the ratio to zlib alone on the same encoded profile, then
# how long `go tool pprof -top` takes to open the BENCH_PPROF_TOP-bucket
# profile (default 100000: at 1M it takes minutes, nearly all of it in
# pprof's own graph building, graph.newGraph, as for runtime/pprof's;
# BENCH_PPROF_TOP=none skips it).
set -euo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
here=$top/tests/userspace/heapprof
out=$top/tests/userspace/build/heapprof-bench
go=${BENCH_GO:-/usr/local/go/bin/go}
bin=${BENCH_BINARY:-$("$go" env GOROOT)/pkg/tool/linux_amd64/compile}
sizes=${BENCH_SIZES:-1000 10000 100000 1000000}
mkdir -p "$out/gen"
cd "$top"
protoc-c --c_out="$out/gen" --proto_path=user user/profile.proto
gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Iinclude/uapi -Iuser \
	-I"$out/gen" -I"$here" -o "$out/bench" "$here/bench.c" user/heapprof.c \
	user/pprof.c "$out/gen/profile.pb-c.c" user/gobin.c user/symbolize.c \
	-lprotobuf-c -lz -lelf -lm
# shellcheck disable=SC2086 # a list of sizes
"$out/bench" "$bin" "$out" $sizes
largest=${BENCH_PPROF_TOP:-100000}
[ "$largest" = none ] && exit 0
case " $sizes " in
*" $largest "*) ;;
*) largest=$(for n in $sizes; do echo "$n"; done | sort -n | tail -1) ;;
esac
t0=$(date +%s%N)
if "$go" tool pprof -top "$out/bench-$largest.pb.gz" > "$out/top.log" 2>&1; then
	t1=$(date +%s%N)
	printf 'go tool pprof -top on the %s-bucket profile: %d ms (%s lines)\n' \
		"$largest" $(((t1 - t0) / 1000000)) "$(wc -l < "$out/top.log")"
else
	echo "go tool pprof -top cannot open the $largest-bucket profile:"
	sed 's/^/    /' "$out/top.log" | head -20
	exit 1
fi
