// A Go program that never references runtime.MemProfile (no runtime/pprof,
// no net/http/pprof): the linker leaves memory profiling off, so its
// MemProfileRate is 0 and it has no heap profile to capture. It leaks
// until it is OOM-killed.
//
// With -wait-rate it first retains -before bytes at main.retainBefore (and
// creates -ready), then waits until someone else (oomprof-read --enable-go-memprofile) makes its
// MemProfileRate non-zero, and only then leaks, at main.leakChunk, appending
// the bytes leaked so far to -progress after each chunk. Reading the
// variable does not reference runtime.MemProfile: profiling stays off in
// the binary.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"
)

var (
	waitRate = flag.Duration("wait-rate", 0, "wait up to this long for MemProfileRate to become non-zero before leaking")
	before   = flag.Int("before", 0, "bytes to retain at main.retainBefore before waiting")
	progress = flag.String("progress", "", "write the bytes leaked so far here after each chunk")
	ready    = flag.String("ready", "", "with -wait-rate: create this file once -before bytes are retained")
)

var leak, kept [][]byte

const chunk = 1 << 20

//go:noinline
func leakChunk() []byte {
	b := make([]byte, chunk)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	return b
}

//go:noinline
func retainBefore() []byte {
	b := make([]byte, chunk)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	return b
}

func main() {
	flag.Parse()
	fmt.Println(os.Getpid())
	if *waitRate == 0 {
		// oomprof-read finds Go programs by a /proc scan every second
		// for now: live long enough to be found before leaking.
		time.Sleep(2500 * time.Millisecond)
	} else {
		for n := 0; n < *before; n += chunk {
			kept = append(kept, retainBefore())
		}
		fmt.Fprintf(os.Stderr, "MemProfileRate=%d at start, %d bytes retained\n",
			runtime.MemProfileRate, len(kept)*chunk)
		if *ready != "" {
			if f, err := os.Create(*ready); err == nil {
				f.Close()
			}
		}
		t0 := time.Now()
		for runtime.MemProfileRate == 0 && time.Since(t0) < *waitRate {
			time.Sleep(10 * time.Millisecond)
		}
		fmt.Fprintf(os.Stderr, "MemProfileRate=%d after %v\n",
			runtime.MemProfileRate, time.Since(t0).Round(time.Millisecond))
	}
	var out *os.File
	if *progress != "" {
		out, _ = os.OpenFile(*progress, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	}
	for n := 1; ; n++ {
		leak = append(leak, leakChunk())
		if out != nil {
			fmt.Fprintf(out, "%d\n", n*chunk)
		}
	}
}
