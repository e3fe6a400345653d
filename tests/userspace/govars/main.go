// The test program of tests/userspace/govars/run.sh: a Go program that can
// write heap profiles (it imports runtime/pprof, so the linker keeps
// memory profiling on and runtime.MemProfileRate at its default), makes a
// few sampled allocations so that runtime.mbuckets is not empty, says
// "ready" and waits for its standard input to close. The checker reads
// both variables through /proc/PID/mem meanwhile.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

var keep [][]byte

//go:noinline
func alloc(n int) {
	for i := 0; i < n; i++ {
		keep = append(keep, make([]byte, 64<<10))
	}
}

func main() {
	alloc(256) // 16 MiB: ~32 samples at the default rate of 512 KiB
	runtime.GC()
	if len(os.Args) > 1 && os.Args[1] == "-profile" {
		_ = pprof.WriteHeapProfile(io.Discard)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	runtime.KeepAlive(keep)
}
