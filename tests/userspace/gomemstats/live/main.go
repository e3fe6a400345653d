// The values oracle for user/gomemstats.c: allocates (tiny, small and
// large objects, some kept, some garbage), runs a GC, then calls
// runtime.ReadMemStats and prints the fields gomemstats computes as one
// JSON line, and stops itself with SIGSTOP so that the test reads its
// memory with nothing running. The line is formatted into a buffer
// allocated beforehand: nothing is allocated after ReadMemStats.
//
// Measured here: now and then a self-sent SIGSTOP does not hold (the
// process runs on at once); it then blocks reading stdin, and the test
// stops it from outside. debug.FreeOSMemory (a GC that also returns all
// free memory to the OS) leaves the background scavenger nothing to
// release while the test looks: otherwise HeapReleased moves between
// ReadMemStats and the stop.
package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
)

var keep [][]byte
var keepTiny []*int64

func main() {
	for i := 0; i < 20000; i++ {
		b := make([]byte, 16+(i%2000))
		b[0] = byte(i)
		if i%3 == 0 {
			keep = append(keep, b)
		}
	}
	for i := 0; i < 5000; i++ {
		v := new(int64)
		*v = int64(i)
		if i%2 == 0 {
			keepTiny = append(keepTiny, v)
		}
	}
	for i := 0; i < 40; i++ {
		b := make([]byte, 64<<10+i*4096)
		b[len(b)-1] = 1
		if i%4 == 0 {
			keep = append(keep, b)
		}
	}
	// "big": 48 MiB more live heap, so that with GOMEMLIMIT=96MiB the
	// memory limit sets NextGC above 33 MiB, where Go 1.21+'s headroom
	// (3% of the goal) differs from Go 1.19's (1 MiB).
	if len(os.Args) > 1 && os.Args[1] == "big" {
		for i := 0; i < 48; i++ {
			b := make([]byte, 1<<20)
			for j := 0; j < len(b); j += 4096 {
				b[j] = 1
			}
			keep = append(keep, b)
		}
	}
	done := make(chan bool)
	for i := 0; i < 8; i++ {
		go func() { done <- true }()
	}
	for i := 0; i < 8; i++ {
		<-done
	}
	debug.FreeOSMemory()
	buf := make([]byte, 0, 8192)
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fields := []struct {
		name string
		v    uint64
	}{
		{"Alloc", m.Alloc}, {"TotalAlloc", m.TotalAlloc}, {"Sys", m.Sys},
		{"Mallocs", m.Mallocs}, {"Frees", m.Frees}, {"HeapAlloc", m.HeapAlloc},
		{"HeapSys", m.HeapSys}, {"HeapIdle", m.HeapIdle}, {"HeapInuse", m.HeapInuse},
		{"HeapReleased", m.HeapReleased}, {"HeapObjects", m.HeapObjects},
		{"StackInuse", m.StackInuse}, {"StackSys", m.StackSys},
		{"MSpanInuse", m.MSpanInuse}, {"MSpanSys", m.MSpanSys},
		{"MCacheInuse", m.MCacheInuse}, {"MCacheSys", m.MCacheSys},
		{"BuckHashSys", m.BuckHashSys}, {"GCSys", m.GCSys}, {"OtherSys", m.OtherSys},
		{"NextGC", m.NextGC}, {"LastGC", m.LastGC}, {"PauseTotalNs", m.PauseTotalNs},
		{"NumGC", uint64(m.NumGC)}, {"NumForcedGC", uint64(m.NumForcedGC)},
	}
	buf = append(buf, '{')
	for i, f := range fields {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '"')
		buf = append(buf, f.name...)
		buf = append(buf, '"', ':')
		buf = strconv.AppendUint(buf, f.v, 10)
	}
	buf = append(buf, '}', '\n')
	syscall.Write(1, buf)
	syscall.Kill(syscall.Getpid(), syscall.SIGSTOP)
	var b [1]byte
	syscall.Read(0, b[:])
	runtime.KeepAlive(keep)
	runtime.KeepAlive(keepTiny)
}
