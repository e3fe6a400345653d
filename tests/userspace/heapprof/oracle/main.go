// Oracle for user/heapprof.c: allocate at known call sites, then write the
// runtime's own heap profile (runtime/pprof.WriteHeapProfile) and a dump of
// runtime.mbuckets in exactly the byte format the kernel module emits, so
// the C builder's profile can be compared with the runtime's.
//
// Usage: oracle rate1|default OUTDIR
//
//	OUTDIR/runtime.pb.gz  the runtime's heap profile
//	OUTDIR/buckets.bin    u64 bucket address, then the bucket as in memory
//	                      (6-word header, nstk PCs, memRecord), per bucket
//	OUTDIR/meta.txt       rate, load bias, executable and its text mapping
//
// Built with -ldflags=-checklinkname=0 on Go 1.23+ for the linkname below;
// run.sh gives it a go.mod in the build directory (make clean deletes *.mod).
package main

import (
	"bufio"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"unsafe"
)

// runtime.mbuckets is a *bucket in Go 1.19 and an atomic.UnsafePointer
// (one pointer word) since; either way one pointer.
//
//go:linkname mbuckets runtime.mbuckets
var mbuckets unsafe.Pointer

type small struct{ a, b int64 } // 16 bytes

type medium struct{ buf [200]byte } // 208-byte size class

var (
	keepSmall  []*small
	keepMedium []*medium
	keepBytes  [][]byte
	sinkGarb   *small
)

//go:noinline
func allocSmall(n int) {
	for i := 0; i < n; i++ {
		keepSmall = append(keepSmall, new(small))
	}
}

// newMedium is inlined into allocInlined: one Location with two Lines.
func newMedium() *medium { return &medium{} }

//go:noinline
func allocInlined(n int) {
	for i := 0; i < n; i++ {
		keepMedium = append(keepMedium, newMedium())
	}
}

// deepA and the inlined deepB make two frames per level: 20 levels are 40
// frames, deeper than Go 1.19's 32-PC limit, so its stacks end truncated,
// sometimes inside inlined code (runtime_expandFinalInlineFrame).
//
//go:noinline
func deepA(n int) []byte {
	if n == 0 {
		return make([]byte, 4096)
	}
	return deepB(n - 1)
}

func deepB(n int) []byte { return deepA(n) }

//go:noinline
func allocDeep(n int) {
	for i := 0; i < n; i++ {
		keepBytes = append(keepBytes, deepA(20))
	}
}

// Go 1.19 keeps 32 PCs: for some depth r in 22..29 the cut lands inside
// the inlined chain inl1 > inl2 > inl3 (runtime_expandFinalInlineFrame).
//
//go:noinline
func rec(n int) []byte {
	if n == 0 {
		return make([]byte, 48)
	}
	return rec(n - 1)
}

func inl3(n int) []byte { return rec(n) }
func inl2(n int) []byte { return inl3(n) }
func inl1(n int) []byte { return inl2(n) }

//go:noinline
func allocTrunc() {
	for r := 22; r < 30; r++ {
		for i := 0; i < 10; i++ {
			keepBytes = append(keepBytes, inl1(r))
		}
	}
}

//go:noinline
func allocSizes() {
	for _, sz := range []int{100, 1000, 33000, 1 << 20} {
		for i := 0; i < 8; i++ {
			keepBytes = append(keepBytes, make([]byte, sz))
		}
	}
}

// allocGarbage allocates objects that are freed by the next GC: inuse
// differs from alloc.
//
//go:noinline
func allocGarbage(n int) {
	for i := 0; i < n; i++ {
		sinkGarb = new(small)
	}
}

// retain64 keeps 64 MiB in 1 KiB objects (the default-rate check).
//
//go:noinline
func retain64() {
	for i := 0; i < 64<<10; i++ {
		keepBytes = append(keepBytes, make([]byte, 1024))
	}
}

func die(f string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "oracle: "+f+"\n", a...)
	os.Exit(1)
}

// dumpBuckets appends every bucket to buf without allocating (buf has the
// room), so the list does not change under the walk.
func dumpBuckets(buf []byte) []byte {
	word := func(p unsafe.Pointer, i uintptr) uint64 {
		return *(*uint64)(unsafe.Add(p, 8*i))
	}
	// Buckets are persistentalloc'd (never moved or freed): plain
	// pointers are safe to hold. allnext is word 1.
	for b := mbuckets; b != nil; b = *(*unsafe.Pointer)(unsafe.Add(b, 8)) {
		nstk := uintptr(word(b, 5))
		n := 6 + nstk + 16
		if len(buf)+8*int(n)+8 > cap(buf) {
			die("dump buffer too small")
		}
		buf = binary.LittleEndian.AppendUint64(buf, uint64(uintptr(b)))
		for i := uintptr(0); i < n; i++ {
			buf = binary.LittleEndian.AppendUint64(buf, word(b, i))
		}
	}
	return buf
}

// loadBias: runtime address of main.main minus its link-time address.
func loadBias(exe string) uint64 {
	f, err := elf.Open(exe)
	if err != nil {
		die("%v", err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		die("%s: %v", exe, err)
	}
	for _, s := range syms {
		if s.Name == "main.main" {
			return uint64(reflect.ValueOf(main).Pointer()) - s.Value
		}
	}
	die("%s: no main.main", exe)
	return 0
}

// textMapping: the executable's r-xp line of /proc/self/maps.
func textMapping(exe string) (start, limit, off uint64) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		die("%v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		if len(fl) < 6 || fl[1] != "r-xp" || fl[5] != exe {
			continue
		}
		lo, hi, _ := strings.Cut(fl[0], "-")
		start, _ = strconv.ParseUint(lo, 16, 64)
		limit, _ = strconv.ParseUint(hi, 16, 64)
		off, _ = strconv.ParseUint(fl[2], 16, 64)
		return
	}
	return 0, 0, 0
}

func main() {
	if len(os.Args) != 3 {
		die("usage: oracle rate1|default OUTDIR")
	}
	mode, dir := os.Args[1], os.Args[2]
	if mode == "rate1" {
		runtime.MemProfileRate = 1
	}
	keepSmall = make([]*small, 0, 1000)
	keepMedium = make([]*medium, 0, 500)
	keepBytes = make([][]byte, 0, 100+32+80+(64<<10))
	if mode == "rate1" {
		allocSmall(1000)
		allocInlined(500)
		allocDeep(100)
		allocSizes()
		allocTrunc()
		allocGarbage(3000)
	} else {
		retain64()
	}
	runtime.GC()
	runtime.GC()
	// No GC from here on: nothing moves into memRecord.active between the
	// dump and the runtime's profile (mprof.go: only GC and MemProfile
	// flush, and MemProfile's flush of the current cycle is empty right
	// after a GC).
	debug.SetGCPercent(-1)
	buf := dumpBuckets(make([]byte, 0, 64<<20))

	exe, err := os.Executable()
	if err != nil {
		die("%v", err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		die("%v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "buckets.bin"), buf, 0o644); err != nil {
		die("%v", err)
	}
	f, err := os.Create(filepath.Join(dir, "runtime.pb.gz"))
	if err != nil {
		die("%v", err)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		die("%v", err)
	}
	f.Close()
	start, limit, off := textMapping(exe)
	meta := fmt.Sprintf("rate %d\nbias %#x\nexe %s\nmap_start %#x\nmap_limit %#x\nmap_offset %#x\ngoversion %s\n",
		runtime.MemProfileRate, loadBias(exe), exe, start, limit, off, runtime.Version())
	if err := os.WriteFile(filepath.Join(dir, "meta.txt"), []byte(meta), 0o644); err != nil {
		die("%v", err)
	}
	runtime.KeepAlive(keepSmall)
	runtime.KeepAlive(keepMedium)
	runtime.KeepAlive(keepBytes)
}
