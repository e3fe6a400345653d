// bigheap: a Go victim with N distinct heap-profile stacks at
// MemProfileRate 1 (the issue 11 tests and make bench).
//
// Stack i is built from the bits of i, lowest first, through two mutually
// recursive functions: at each level, a 0 bit calls zero and a 1 bit calls
// one, each from its own call site, so the chain of frames spells i and
// every i < N is a distinct stack (ceil(log2 N) + 1 recursive frames under
// main.makeStacks, main.main, runtime.main: 25 frames for 1M). The leaf
// keeps one 32-byte object, so each stack is one bucket with one object
// in use.
//
// Then two GCs, its own runtime/pprof heap profile (-selfprof: the oracle),
// one line of runtime.ReadMemStats figures on stdout and in the -ready file
// (created last: the scenario waits for it), then it waits for the -go
// file to exist before it leaks -chunk bytes at a time (a byte written per
// page, so the memcg is charged) until its cgroup's OOM killer SIGKILLs it.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

var (
	stacks   = flag.Int("stacks", 200000, "distinct allocation stacks (heap-profile buckets) to make")
	rate     = flag.Int("rate", 1, "runtime.MemProfileRate")
	selfProf = flag.String("selfprof", "", "write the runtime's own heap profile here")
	ready    = flag.String("ready", "", "create this file (with the figures line) once ready to leak")
	goFile   = flag.String("go", "", "wait until this file exists before leaking")
	chunk    = flag.Int("chunk", 1<<20, "bytes per leaked allocation")
)

type obj struct{ a, b, c, d uint64 }

var keep []*obj
var leak [][]byte

//go:noinline
func zero(i uint, bits uint, left int) {
	if left == 0 {
		keep[i] = new(obj)
		return
	}
	if bits&1 != 0 {
		one(i, bits>>1, left-1)
	} else {
		zero(i, bits>>1, left-1)
	}
}

//go:noinline
func one(i uint, bits uint, left int) {
	if left == 0 {
		keep[i] = new(obj)
		return
	}
	if bits&1 != 0 {
		one(i, bits>>1, left-1)
	} else {
		zero(i, bits>>1, left-1)
	}
}

//go:noinline
func makeStacks(n int) int {
	depth := 1
	for 1<<depth < n {
		depth++
	}
	for i := 0; i < n; i++ {
		zero(uint(i), uint(i), depth)
	}
	return depth
}

//go:noinline
func leakChunk() []byte {
	b := make([]byte, *chunk)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	return b
}

func die(err error) {
	fmt.Fprintln(os.Stderr, "bigheap:", err)
	os.Exit(1)
}

func main() {
	flag.Parse()
	runtime.MemProfileRate = *rate
	// Made before the stacks and never grown: its own allocation is one
	// more bucket, not one per growth.
	keep = make([]*obj, *stacks)
	leak = make([][]byte, 0, 1<<16)
	t0 := time.Now()
	depth := makeStacks(*stacks)
	tMake := time.Since(t0)
	runtime.GC()
	runtime.GC()
	t1 := time.Now()
	if *selfProf != "" {
		f, err := os.Create(*selfProf)
		if err != nil {
			die(err)
		}
		if err := pprof.WriteHeapProfile(f); err != nil {
			die(err)
		}
		if err := f.Close(); err != nil {
			die(err)
		}
	}
	tProf := time.Since(t1)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// buckhash_sys: the bucket hash table and every bucket (persistentalloc).
	line := fmt.Sprintf("pid=%d stacks=%d depth=%d buckhash_sys=%d heap_inuse=%d sys=%d make_ms=%d selfprof_ms=%d\n",
		os.Getpid(), *stacks, depth, ms.BuckHashSys, ms.HeapInuse, ms.Sys,
		tMake.Milliseconds(), tProf.Milliseconds())
	os.Stdout.WriteString(line)
	if *ready != "" {
		tmp := *ready + ".tmp"
		if err := os.WriteFile(tmp, []byte(line), 0o644); err != nil {
			die(err)
		}
		if err := os.Rename(tmp, *ready); err != nil {
			die(err)
		}
	}
	if *goFile != "" {
		for {
			if _, err := os.Stat(*goFile); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for {
		leak = append(leak, leakChunk())
	}
}
