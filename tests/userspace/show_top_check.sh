#!/bin/bash
# --show's top allocation sites against `go tool pprof -top -nodecount=10`
# itself, on real profiles: one the Go runtime writes (runtime/pprof, a
# program allocating from 14 sites, some inlined, so the cut at 10 and the
# 0.5% node fraction matter) and any given on the command line (the
# heapprof suite's c.pb.gz, written by oomprof's own writer). Each profile
# is named by a kill line in a fresh DIR/events.jsonl, --show DIR is run,
# and its table rows must equal pprof's: function names, order, flat,
# flat%, sum%, cum, cum%. Prints PASS/FAIL lines.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
go=${GO:-/usr/local/go/bin/go}
bin=$top/user/oomprof-read
work=$(mktemp -d /tmp/oomprof-showtop.XXXXXX)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$go" ]; then
	echo "FAIL show top: no Go toolchain at $go (set GO=)"
	exit 0
fi

mkdir -p "$work/gen"
cat > "$work/gen/main.go" << 'GO'
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
)

var keep [][]byte

//go:noinline
func site(n, size int) {
	for i := 0; i < n; i++ {
		keep = append(keep, make([]byte, size))
	}
}

func inl(n int) { keep = append(keep, make([]byte, n)) } // inlined

//go:noinline
func a() { site(300, 4096) }

//go:noinline
func b() { site(200, 8192) }

//go:noinline
func c() { site(64, 65536) }

//go:noinline
func d() {
	for i := 0; i < 50; i++ {
		inl(10000)
	}
}

//go:noinline
func e() { keep = append(keep, make([]byte, 3<<20)) }

//go:noinline
func f() { keep = append(keep, make([]byte, 1<<20)) }

//go:noinline
func g() { keep = append(keep, make([]byte, 1<<20)) }

//go:noinline
func h() { keep = append(keep, make([]byte, 700<<10)) }

//go:noinline
func i() { keep = append(keep, make([]byte, 600<<10)) }

//go:noinline
func j() { keep = append(keep, make([]byte, 500<<10)) }

//go:noinline
func k() { keep = append(keep, make([]byte, 400<<10)) }

//go:noinline
func l() { keep = append(keep, make([]byte, 300<<10)) }

//go:noinline
func m() { keep = append(keep, make([]byte, 20<<10)) }

func main() {
	runtime.MemProfileRate = 1
	a(); b(); c(); d(); e(); f(); g(); h(); i(); j(); k(); l(); m()
	runtime.GC()
	out, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := pprof.WriteHeapProfile(out); err != nil {
		panic(err)
	}
	out.Close()
}
GO
profiles=()
if (cd "$work/gen" && GOFLAGS=-mod=mod GO111MODULE=off "$go" run main.go \
	"$work/runtime.pb.gz") > "$work/gen.log" 2>&1; then
	profiles+=("$work/runtime.pb.gz")
else
	echo "FAIL show top: the Go program that writes a heap profile did not run"
	sed 's/^/    /' "$work/gen.log" | head -20
fi
profiles+=("$@")

n=0
for p in "${profiles[@]}"; do
	n=$((n + 1))
	d=$work/d$n
	mkdir -m 0700 "$d"
	cp "$p" "$d/p.pb.gz"
	# A kill line as the daemon writes it, naming the profile.
	printf '{"type":"oom_kill","seq":1,"time":"2026-11-23T08:10:11.000000000Z","pid":42,"tgid":42,"comm":"x","uid":0,"cgroup":"/t","constraint":"memcg","oom_cgroup":"/t","profile":"%s/p.pb.gz"}\n' \
		"$d" > "$d/events.jsonl"
	"$bin" --show "$d" > "$d/show.txt" 2> "$d/show.err"
	"$go" tool pprof -top -nodecount=10 "$d/p.pb.gz" > "$d/pprof.txt" 2>&1
	rows() { sed -n '/flat  *flat%  *sum%  *cum  *cum%/,$p' "$1" | tail -n +2 |
		awk '{$1=$1; print}'; }
	rows "$d/show.txt" > "$d/show.rows"
	rows "$d/pprof.txt" > "$d/pprof.rows"
	label=${p#"$top"/}
	if [ -s "$d/pprof.rows" ] && cmp -s "$d/show.rows" "$d/pprof.rows"; then
		echo "PASS show top: $label: $(wc -l < "$d/show.rows") sites equal go tool pprof -top -nodecount=10 (name, flat, flat%, sum%, cum, cum%)"
	else
		echo "FAIL show top: $label: --show's sites differ from go tool pprof -top -nodecount=10"
		diff "$d/show.rows" "$d/pprof.rows" | head -20 | sed 's/^/    /'
		sed 's/^/    show: /' "$d/show.err" | head -5
	fi
done
