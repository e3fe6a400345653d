// The Go victim of the VM scenarios. It retains known numbers of objects
// of exact size-class sizes at several allocation sites, writes its own
// heap profile with runtime/pprof (the oracle the OOM profile is checked
// against), then leaks 1 MiB at a time at one more site until its cgroup's
// OOM kill, reporting how much it retains after every step.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

var (
	rate     = flag.Int("rate", 1, "runtime.MemProfileRate")
	selfProf = flag.String("selfprof", "", "write the runtime's own heap profile here")
	progress = flag.String("progress", "", "append retained-byte counts here")
	chunk    = flag.Int("chunk", 1<<20, "bytes per leaked allocation")
	delay    = flag.Duration("delay", 0, "wait this long before leaking (to be discovered by a /proc scan)")
	buckets  = flag.Int("buckets", 0, "also make this many distinct allocation stacks (benchmarks)")
	hold     = flag.Bool("hold", false, "after writing the own profile, stay quiet forever instead of leaking")
	bulkMB   = flag.Int("retainmb", 0, "also retain this many MiB in 8 KiB objects")
	lite     = flag.Bool("lite", false, "retain a tenth as many objects at the known sites (a fast start)")
	lifetime = flag.Duration("lifetime", 0, "exit (status 0) this long after start instead of leaking")
	fast     = flag.Bool("fast", false, "no GC and no own profile: leak right after retaining (exec-to-kill timing runs)")
	timing   = flag.Bool("timing", false, "report on stderr how long each start-up step took")
	memstats = flag.String("memstats", "", "just before leaking (or holding), write runtime.ReadMemStats here as one JSON line")
	blockOn  = flag.String("blockread", "", "leak on another thread while the main thread reads this file (a read that never ends keeps it in the kernel)")
)

// With -blockread the main goroutine stays on the main thread (the thread
// group leader, the task the OOM killer hands to mark_victim). Only a
// LockOSThread during init is sure to hold the main thread, before flags
// are parsed.
func init() {
	for _, a := range os.Args[1:] {
		if strings.TrimLeft(a, "-") == "blockread" || strings.HasPrefix(strings.TrimLeft(a, "-"), "blockread=") {
			runtime.LockOSThread()
		}
	}
}

// boottime is CLOCK_BOOTTIME, the clock of execat and of the module's
// records, so the host can place each step between exec and kill.
func boottime() int64 {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 7 /* CLOCK_BOOTTIME */, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

func phase(name string) {
	if *timing {
		fmt.Fprintf(os.Stderr, "phase %s %d\n", name, boottime())
	}
}

// Retained objects, so the GC keeps them.
var keep [][]byte
var leak [][]byte

// Sizes are exact size classes: a profile's bytes are count * size.

//go:noinline
func retainSmall(n int) {
	for i := 0; i < n; i++ {
		keep = append(keep, make([]byte, 64))
	}
}

// Small enough to be inlined into retainInlinedCaller.
func inlinedAlloc() []byte {
	return make([]byte, 128)
}

//go:noinline
func retainInlinedCaller(n int) {
	for i := 0; i < n; i++ {
		keep = append(keep, inlinedAlloc())
	}
}

//go:noinline
func deep(depth, n int) {
	if depth > 0 {
		deep(depth-1, n)
		return
	}
	for i := 0; i < n; i++ {
		keep = append(keep, make([]byte, 256))
	}
}

//go:noinline
func leakChunk() []byte {
	b := make([]byte, *chunk)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	return b
}

// branch walks down a binary tree of calls: the two call sites have
// different return addresses, so every path is a distinct stack and, at
// MemProfileRate 1, a distinct heap-profile bucket.
//
//go:noinline
func branch(depth int, path uint) {
	if depth == 0 {
		keep = append(keep, make([]byte, 16))
		return
	}
	if path&1 != 0 {
		branch(depth-1, path>>1)
	} else {
		branch(depth-1, path>>1)
	}
}

//go:noinline
func retainBulk(mb int) {
	for i := 0; i < mb*128; i++ {
		keep = append(keep, make([]byte, 8192))
	}
}

func makeBuckets(n int) {
	depth := 0
	for 1<<depth < n {
		depth++
	}
	for i := 0; i < n; i++ {
		branch(depth, uint(i))
	}
}

func writeSelfProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
}

func main() {
	flag.Parse()
	phase("main")
	runtime.MemProfileRate = *rate
	// Room for keep without growth allocations in the measured sites.
	keep = make([][]byte, 0, 4096+*bulkMB*128)
	leak = make([][]byte, 0, 1<<16)

	scale := 10
	if *lite {
		scale = 1
	}
	retainSmall(100 * scale)
	retainInlinedCaller(50 * scale)
	deep(150, 10*scale)
	makeBuckets(*buckets)
	retainBulk(*bulkMB)
	phase("retained")

	if !*fast {
		runtime.GC()
		runtime.GC()
		phase("gc")
		if *selfProf != "" {
			writeSelfProfile(*selfProf)
			phase("selfprof")
		}
	}

	if *hold {
		if *memstats != "" {
			writeMemStats(*memstats)
		}
		fmt.Println(os.Getpid())
		for {
			time.Sleep(time.Hour)
		}
	}

	var out *os.File
	if *progress != "" {
		out, _ = os.OpenFile(*progress, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	}
	fmt.Println(os.Getpid())
	if *lifetime > 0 {
		time.Sleep(*lifetime)
		os.Exit(0)
	}
	time.Sleep(*delay)
	if *memstats != "" {
		writeMemStats(*memstats)
	}
	phase("leak")
	if *blockOn != "" {
		f, err := os.Open(*blockOn)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		go leakForever(out)
		var b [1]byte
		// A raw read(2) on this (the leader) thread: it does not return.
		syscall.Read(int(f.Fd()), b[:])
		fmt.Fprintln(os.Stderr, "blockread: the read returned")
		os.Exit(3)
	}
	leakForever(out)
}

// The runtime's own statistics just before the leak: the oracle for the
// ones oomprof reads at the kill, which may differ by what was leaked since
// (the progress file says how much).
func writeMemStats(path string) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b, err := json.Marshal(&ms)
	if err == nil {
		err = os.WriteFile(path, append(b, '\n'), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func leakForever(out *os.File) {
	for n := 1; ; n++ {
		leak = append(leak, leakChunk())
		if out != nil {
			fmt.Fprintf(out, "%d\n", n**chunk)
		}
	}
}
