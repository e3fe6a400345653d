// Oracle for the C .gopclntab symbolizer (tests/userspace/gosym_check.c).
//
// It captures stacks with runtime.Callers from deep recursion, inlined
// calls (including inline within inline), closures, method values,
// generics, goroutines and a recover during panic, and prints for each
// stack the raw PCs and runtime.CallersFrames' answer. It prints each stack
// twice: as runtime.Callers returned it ("full": one virtual PC per inlined
// frame) and reduced to physical return PCs only ("phys"), which is what a
// frame-pointer unwinder would see; on Go 1.21+ CallersFrames re-expands
// the inlined frames of the latter itself.
//
// Output, one record per line, fields separated by tabs:
//
//	go	<runtime.Version()>
//	bias	<hex PIE load bias, 0 for a fixed-address executable>
//	stack	<label>	<kind>	<npcs>
//	pc	<hex>                       (npcs lines)
//	frame	<function>	<file>	<line>  (one per frame)
//	end
package main

import (
	"bufio"
	"debug/elf"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

var out = bufio.NewWriter(os.Stdout)

func emit(label, kind string, pcs []uintptr) {
	fmt.Fprintf(out, "stack\t%s\t%s\t%d\n", label, kind, len(pcs))
	for _, pc := range pcs {
		fmt.Fprintf(out, "pc\t%#x\n", pc)
	}
	fr := runtime.CallersFrames(pcs)
	for {
		f, more := fr.Next()
		if f.PC != 0 || f.Function != "" {
			fmt.Fprintf(out, "frame\t%s\t%s\t%d\n", f.Function, f.File, f.Line)
		}
		if !more {
			break
		}
	}
	fmt.Fprintf(out, "end\n")
}

// physical drops the virtual PCs runtime.Callers adds for the callers of
// an inlined frame: a PC whose frame is inlined (Func == nil) is followed
// by PCs of the same physical function (same Entry) standing for its
// inlined callers, then the physical frame itself.
func physical(pcs []uintptr) []uintptr {
	var phys []uintptr
	prevInlined := false
	var prevEntry uintptr
	for _, pc := range pcs {
		fr := runtime.CallersFrames([]uintptr{pc})
		f, _ := fr.Next()
		if !(prevInlined && f.Entry == prevEntry) {
			phys = append(phys, pc)
		}
		prevInlined = f.Func == nil && f.Entry != 0
		if !prevInlined || f.Entry != prevEntry {
			prevEntry = f.Entry
		}
	}
	return phys
}

//go:noinline
func capture(label string) int {
	pcs := make([]uintptr, 1024)
	n := runtime.Callers(0, pcs)
	pcs = pcs[:n]
	emit(label, "full", pcs)
	emit(label, "phys", physical(pcs))
	return n
}

// Deep recursion: 150 frames of the same function.
//
//go:noinline
func deep(n int) int {
	if n == 0 {
		return capture("deep")
	}
	return deep(n-1) + 1
}

// Inline within inline: inlOuter -> inlMiddle -> inlInner -> capture; the
// three small functions are inlined into their callers (-gcflags=-m).
func inlInner(x int) int  { return capture("inline3") + x }
func inlMiddle(x int) int { return inlInner(x+1) * 2 }
func inlOuter(x int) int  { return inlMiddle(x*3) - 1 }

//go:noinline
func callsInlined(x int) int { return inlOuter(x) + 7 }

// Mutual recursion mixed with inlining.
func evenInl(n int) int { return odd(n) }

//go:noinline
func odd(n int) int {
	if n <= 0 {
		return capture("mutual")
	}
	return evenInl(n-1) + 1
}

type T struct{ k int }

//go:noinline
func (t *T) M() int { return capture("methodvalue") + t.k }

func (t T) Small() int { return capture("valuemethod") + t.k }

type I interface{ Small() int }

//go:noinline
func viaInterface(i I) int { return i.Small() }

//go:noinline
func gen[X any](x X, n int) int {
	if n == 0 {
		return capture("generic")
	}
	return gen(x, n-1)
}

//go:noinline
func closures(k int) int {
	add := func(v int) int { return capture("closure") + v + k }
	var indirect func(int) int = add
	nested := func() int {
		return func() int { return indirect(k) }()
	}
	return nested()
}

//go:noinline
func panicky() (r int) {
	defer func() {
		if recover() != nil {
			r = capture("recover")
		}
	}()
	var m map[string]int
	m["x"] = 1 // panics: assignment to entry in nil map
	return 0
}

func inGoroutine() int {
	done := make(chan int)
	go func() {
		done <- inlOuter(deep(3))
	}()
	return <-done
}

// loadBias returns where the kernel mapped the executable minus its
// link-time address: 0 for ET_EXEC, the ASLR slide for PIE.
func loadBias() uint64 {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	var vaddr uint64
	found := false
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			vaddr, found = p.Vaddr, true
			break
		}
	}
	if !found {
		panic("no PT_LOAD")
	}
	vaddr &^= uint64(os.Getpagesize() - 1)
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(string(maps), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 6 || fields[5] != exe || fields[2] != "00000000" {
			continue
		}
		start, err := strconv.ParseUint(strings.Split(fields[0], "-")[0], 16, 64)
		if err != nil {
			panic(err)
		}
		return start - vaddr
	}
	panic("executable not found in /proc/self/maps")
}

func main() {
	fmt.Fprintf(out, "go\t%s\n", runtime.Version())
	fmt.Fprintf(out, "bias\t%#x\n", loadBias())
	sum := deep(150)
	sum += callsInlined(2)
	sum += odd(6)
	t := &T{k: 1}
	mv := t.M
	sum += mv()
	sum += viaInterface(T{k: 2})
	sum += gen("s", 2) + gen(3, 1)
	sum += closures(4)
	sum += panicky()
	sum += inGoroutine()
	fmt.Fprintf(out, "sum\t%d\n", sum)
	out.Flush()
}
