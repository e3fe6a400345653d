// A hostile Go program for the stress_hostile scenario: it looks like any
// Go program to oomprof-read (which registers it from its executable, as
// every Go program), then forges its own heap-profile bucket list
// (runtime.mbuckets) into a shape no runtime makes, and leaks memory until
// its cgroup's OOM killer SIGKILLs it. The module's capture must stay
// bounded and say why it stopped.
//
// runtime.mbuckets is found in the ELF symbol table of /proc/self/exe
// (Go 1.23+ refuses go:linkname to it); the load bias comes from a
// variable of ours whose symbol we look up the same way. The garbage
// collector is off from the start: it walks mbuckets itself (mProf_Flush)
// and would loop or crash on the forged list; with it off nothing in the
// runtime reads the list, and MemProfileRate 0 keeps the runtime from
// pushing buckets of its own.
//
// Bucket layout (runtime/mprof.go): next, allnext, typ, hash, size, nstk,
// nstk PCs, then the memRecord (16 words).
package main

import (
	"debug/elf"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

var (
	mode     = flag.String("mode", "cycle", "cycle, unmapped, kernel, nstk, grow, device or fuse")
	delay    = flag.Duration("delay", 2500*time.Millisecond, "wait before leaking (to be registered)")
	growBase = flag.Int("grow", 60000, "grow: buckets in the list before leaking")
	growMore = flag.Int("growmore", 100000, "grow: buckets appended while it leaks")
	fuseFile = flag.String("fuse", "/mnt/fh/x", "fuse: a file whose reads are never answered")
	waitFile = flag.String("wait", "", "wait until this file exists before leaking, instead of -delay")
)

// anchor's address, against its symbol's value, gives the load bias.
var anchor uint64

const words = 6 + 1 + 16 // header, one PC, memRecord

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "stress_forge: "+format+"\n", a...)
	os.Exit(2)
}

func symbols() (mbuckets, bias uintptr) {
	f, err := elf.Open("/proc/self/exe")
	if err != nil {
		die("%v", err)
	}
	syms, err := f.Symbols()
	if err != nil {
		die("no symbol table (%v): use a build that is not stripped", err)
	}
	var mb, an uint64
	for _, s := range syms {
		switch s.Name {
		case "runtime.mbuckets":
			mb = s.Value
		case "main.anchor":
			an = s.Value
		}
	}
	if mb == 0 || an == 0 {
		die("runtime.mbuckets or main.anchor not in the symbol table")
	}
	bias = uintptr(unsafe.Pointer(&anchor)) - uintptr(an)
	return uintptr(mb) + bias, bias
}

// mapAnon: n bytes of anonymous memory, every page written (resident).
func mapAnon(n int) []uint64 {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		die("mmap: %v", err)
	}
	for i := 0; i < len(b); i += 4096 {
		b[i] = 0
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), n/8)
}

var pc uint64

// bucket writes a valid-looking one-frame bucket at w[0:], linked to next.
func bucket(w []uint64, next uint64) uint64 {
	w[0] = 0
	w[1] = next
	w[2] = 1 // memProfile
	w[3] = 0x9e3779b97f4a7c15
	w[4] = 64
	w[5] = 1
	w[6] = pc
	w[7] = 1  // active.allocs
	w[9] = 64 // active.alloc_bytes
	return uint64(uintptr(unsafe.Pointer(&w[0])))
}

func addr(w []uint64) uint64 { return uint64(uintptr(unsafe.Pointer(&w[0]))) }

// deviceMemory: a mapping of a PCI memory BAR (the emulated VGA card's
// frame buffer), which the kernel maps VM_IO | VM_PFNMAP: device memory,
// that holds what is written to it.
func deviceMemory() []uint64 {
	devs, _ := filepath.Glob("/sys/bus/pci/devices/*")
	for _, d := range devs {
		class, err := os.ReadFile(d + "/class")
		if err != nil || !strings.HasPrefix(string(class), "0x03") {
			continue
		}
		f, err := os.OpenFile(d+"/resource0", os.O_RDWR, 0)
		if err != nil {
			continue
		}
		b, err := syscall.Mmap(int(f.Fd()), 0, 1<<16,
			syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
		f.Close()
		if err != nil {
			continue
		}
		fmt.Fprintf(os.Stderr, "device memory: %s/resource0\n", d)
		return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), len(b)/8)
	}
	die("no mappable PCI display memory BAR in /sys/bus/pci/devices")
	return nil
}

// fuseMemory: a read-only private mapping (fusehang opens with
// FOPEN_DIRECT_IO, which refuses shared mappings) of a file on a FUSE file system
// that never answers a read (progs/fusehang): nothing of it is resident,
// and touching it would wait forever. Only the forged list points there.
func fuseMemory() uint64 {
	f, err := os.Open(*fuseFile)
	if err != nil {
		die("%v", err)
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, 1<<16, syscall.PROT_READ,
		syscall.MAP_PRIVATE)
	f.Close()
	if err != nil {
		die("mmap %s: %v", *fuseFile, err)
	}
	return uint64(uintptr(unsafe.Pointer(&b[0])))
}

func main() {
	flag.Parse()
	debug.SetGCPercent(-1)
	runtime.MemProfileRate = 0
	head, _ := symbols()
	pc = uint64(uintptr(unsafe.Pointer(&anchor))) // any address will do
	arena := mapAnon(1 << 20)
	b0, b1, b2 := arena[0:words], arena[words:2*words], arena[2*words:3*words]

	var first uint64
	var grow func(k int) bool
	switch *mode {
	case "cycle":
		// 0 -> 1 -> 2 -> 1 -> ...: into the middle, not to the head.
		bucket(b2, addr(b1))
		bucket(b1, addr(b2))
		first = bucket(b0, addr(b1))
	case "unmapped":
		// 16 TiB: far below the mmap base and the Go heap's 0xc000000000
		// hints, above any executable: nothing is ever mapped there.
		bucket(b1, 0x100000000000)
		first = bucket(b0, addr(b1))
	case "kernel":
		bucket(b1, 0xffff888000100000)
		first = bucket(b0, addr(b1))
	case "nstk":
		first = bucket(b0, addr(b1))
		bucket(b1, 0)
		b1[5] = 1000000
	case "device":
		dev := deviceMemory()
		bucket(dev, 0)
		first = bucket(b0, addr(dev))
	case "fuse":
		first = bucket(b0, fuseMemory())
	case "grow":
		// A list longer than a capture buffer holds whose tail keeps
		// growing while the program leaks (and, once killed, until its
		// threads die).
		//
		// The forged buckets lead to the runtime's own list, as
		// buckets pushed at its head would: oomprof-read registers
		// the program at its exec and may have learned that list
		// (the runtime's start-up allocations, profiled before main
		// set the rate to 0) before this head is written, and a list
		// that no longer reaches the head it learned is no Go
		// runtime's: it would stop learning, rightly.
		big := mapAnon((*growBase + *growMore) * words * 8)
		n := *growBase
		runtimeHead := *(*uint64)(unsafe.Pointer(head))
		for i := n - 1; i >= 0; i-- {
			next := runtimeHead
			if i+1 < n {
				next = addr(big[(i+1)*words:])
			}
			bucket(big[i*words:(i+1)*words], next)
		}
		first = addr(big)
		// Appends up to k buckets; false once the mapping is full.
		grow = func(k int) bool {
			for ; k > 0 && (n+1)*words <= len(big); k-- {
				bucket(big[n*words:(n+1)*words], 0)
				big[(n-1)*words+1] = addr(big[n*words:])
				n++
			}
			return (n+1)*words <= len(big)
		}
	default:
		die("unknown -mode %s", *mode)
	}
	*(*uint64)(unsafe.Pointer(head)) = first
	fmt.Println(os.Getpid())
	if *waitFile != "" {
		for {
			if _, err := os.Stat(*waitFile); err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	} else {
		time.Sleep(*delay)
	}
	if grow != nil {
		// One batch before the leak starts: with -wait given after
		// oomprof-read learned the list, the list at the kill is
		// always longer than the one learned.
		grow(128)
		go func() {
			for grow(128) {
				time.Sleep(time.Millisecond)
			}
		}()
	}

	var leak [][]byte
	for {
		b := make([]byte, 1<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		leak = append(leak, b)
	}
}
