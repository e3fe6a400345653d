// The layout oracle for user/godwarf.c and user/gomemstats.c: Go's own
// debug/dwarf reads the executable named on the command line and prints,
// one line each, "STRUCT PATH OFFSET SIZE" for the member paths that
// gomemstats.c reads (PATH's components are members of nested structs),
// then "COUNT STRUCT PATH N" for array lengths, and "VAR NAME ADDRESS"
// from the variables' DW_OP_addr locations. A path this Go version does
// not have prints "STRUCT PATH absent".
package main

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
)

var paths = [][2]string{
	{"runtime.mstats", "heapStats"},
	{"runtime.mstats", "heapStats.stats"},
	{"runtime.mstats", "stacks_sys"},
	{"runtime.mstats", "mspan_sys"},
	{"runtime.mstats", "mcache_sys"},
	{"runtime.mstats", "buckhash_sys"},
	{"runtime.mstats", "gcMiscSys"},
	{"runtime.mstats", "other_sys"},
	{"runtime.mstats", "last_gc_unix"},
	{"runtime.mstats", "pause_total_ns"},
	{"runtime.mstats", "numgc"},
	{"runtime.mstats", "numforcedgc"},
	{"runtime.heapStatsDelta", "inStacks"},
	{"runtime.heapStatsDelta", "inWorkBufs"},
	{"runtime.heapStatsDelta", "inPtrScalarBits"},
	{"runtime.heapStatsDelta", "tinyAllocCount"},
	{"runtime.heapStatsDelta", "largeAllocCount"},
	{"runtime.heapStatsDelta", "largeFreeCount"},
	{"runtime.heapStatsDelta", "smallAllocCount"},
	{"runtime.heapStatsDelta", "smallFreeCount"},
	{"runtime.gcControllerState", "heapInUse"},
	{"runtime.gcControllerState", "heapFree"},
	{"runtime.gcControllerState", "heapReleased"},
	{"runtime.gcControllerState", "totalAlloc"},
	{"runtime.gcControllerState", "totalFree"},
	{"runtime.gcControllerState", "mappedReady"},
	{"runtime.gcControllerState", "gcPercentHeapGoal"},
	{"runtime.gcControllerState", "sweepDistMinTrigger"},
	{"runtime.gcControllerState", "triggered"},
	{"runtime.gcControllerState", "memoryLimit"},
	{"runtime.gcControllerState", "heapMarked"},
	{"runtime.mheap", "spanalloc.inuse"},
	{"runtime.mheap", "cachealloc.inuse"},
}

var arrays = [][2]string{
	{"runtime.mstats", "heapStats.stats"},
	{"runtime.heapStatsDelta", "smallAllocCount"},
	{"runtime.heapStatsDelta", "smallFreeCount"},
}

var vars = []string{"runtime.memstats", "runtime.gcController", "runtime.mheap_"}

func main() {
	f, err := elf.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	d, err := f.DWARF()
	if err != nil {
		fmt.Fprintln(os.Stderr, "no DWARF:", err)
		os.Exit(3)
	}
	structs := map[string]*dwarf.StructType{}
	addrs := map[string]uint64{}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if e == nil {
			break
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		switch e.Tag {
		case dwarf.TagStructType:
			if _, ok := structs[name]; ok || !wanted(name) {
				continue
			}
			t, err := d.Type(e.Offset)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			structs[name] = t.(*dwarf.StructType)
		case dwarf.TagVariable:
			loc, ok := e.Val(dwarf.AttrLocation).([]byte)
			if ok && len(loc) == 9 && loc[0] == 0x03 {
				addrs[name] = binary.LittleEndian.Uint64(loc[1:])
			}
		}
	}
	for _, p := range paths {
		off, t := member(structs, p[0], p[1])
		if t == nil {
			fmt.Printf("%s %s absent\n", p[0], p[1])
			continue
		}
		fmt.Printf("%s %s %d %d\n", p[0], p[1], off, t.Size())
	}
	for _, p := range arrays {
		if _, t := member(structs, p[0], p[1]); t != nil {
			if a, ok := skip(t).(*dwarf.ArrayType); ok {
				fmt.Printf("COUNT %s %s %d\n", p[0], p[1], a.Count)
			}
		}
	}
	for _, v := range vars {
		fmt.Printf("VAR %s 0x%x\n", v, addrs[v])
	}
}

func wanted(name string) bool {
	for _, p := range paths {
		if p[0] == name {
			return true
		}
	}
	return name == "runtime.consistentHeapStats" || name == "runtime.fixalloc"
}

func skip(t dwarf.Type) dwarf.Type {
	for {
		td, ok := t.(*dwarf.TypedefType)
		if !ok {
			return t
		}
		t = td.Type
	}
}

func member(structs map[string]*dwarf.StructType, s, path string) (int64, dwarf.Type) {
	st := structs[s]
	var off int64
	var t dwarf.Type
	for _, name := range strings.Split(path, ".") {
		if st == nil {
			return 0, nil
		}
		var f *dwarf.StructField
		for _, x := range st.Field {
			if x.Name == name {
				f = x
			}
		}
		if f == nil {
			return 0, nil
		}
		off += f.ByteOffset
		t = f.Type
		st, _ = skip(t).(*dwarf.StructType)
	}
	return off, t
}
