#!/bin/bash
# Benchmark, not a test: time heapprof_build (with symbolization) and
# pprof_write for 1k, 10k and 100k synthetic bucket entries, 32-deep
# stacks of PCs inside a real Go binary (default: the go command itself;
# BENCH_BINARY=/path overrides).
set -euo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
here=$top/tests/userspace/heapprof
out=$top/tests/userspace/build/heapprof-bench
bin=${BENCH_BINARY:-$(/usr/local/go/bin/go env GOROOT)/pkg/tool/linux_amd64/compile}
mkdir -p "$out/gen"
cd "$top"
protoc-c --c_out="$out/gen" --proto_path=user user/profile.proto
gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Iinclude/uapi -Iuser \
	-I"$out/gen" -I"$here" -o "$out/bench" "$here/bench.c" user/heapprof.c \
	user/pprof.c "$out/gen/profile.pb-c.c" user/gobin.c user/symbolize.c \
	-lprotobuf-c -lz -lelf -lm
"$out/bench" "$bin" "$out" ${BENCH_SIZES:-1000 10000 100000 1000000}
