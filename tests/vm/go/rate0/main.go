// A Go program that never references runtime.MemProfile (no runtime/pprof,
// no net/http/pprof): the linker leaves memory profiling off, so its
// MemProfileRate is 0 and it has no heap profile to capture. It leaks
// until it is OOM-killed.
package main

import (
	"fmt"
	"os"
	"time"
)

var leak [][]byte

//go:noinline
func leakChunk() []byte {
	b := make([]byte, 1<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	return b
}

func main() {
	fmt.Println(os.Getpid())
	// oomprof-read finds Go programs by a /proc scan every second for now:
	// live long enough to be found before leaking.
	time.Sleep(2500 * time.Millisecond)
	for {
		leak = append(leak, leakChunk())
	}
}
