// The values oracle for user/gomemstats.c: allocates (tiny, small and
// large objects, some kept, some garbage), runs a GC, then calls
// runtime.ReadMemStats (until two reads agree) and prints the fields
// gomemstats computes as one JSON line, and stops itself with SIGSTOP so that the test reads its
// memory with nothing running. The line is formatted into a buffer
// allocated beforehand: nothing is allocated after ReadMemStats.
//
// Measured here: now and then a self-sent SIGSTOP does not hold (the
// process runs on at once); it then blocks reading stdin, and the test
// stops it from outside.
package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"
)

var names = [...]string{
	"Alloc", "TotalAlloc", "Sys", "Mallocs", "Frees", "HeapAlloc",
	"HeapSys", "HeapIdle", "HeapInuse", "HeapReleased", "HeapObjects",
	"StackInuse", "StackSys", "MSpanInuse", "MSpanSys", "MCacheInuse",
	"MCacheSys", "BuckHashSys", "GCSys", "OtherSys", "NextGC", "LastGC",
	"PauseTotalNs", "NumGC", "NumForcedGC",
}

var m runtime.MemStats

func read(v *[len(names)]uint64) {
	runtime.ReadMemStats(&m)
	*v = [...]uint64{
		m.Alloc, m.TotalAlloc, m.Sys, m.Mallocs, m.Frees, m.HeapAlloc,
		m.HeapSys, m.HeapIdle, m.HeapInuse, m.HeapReleased, m.HeapObjects,
		m.StackInuse, m.StackSys, m.MSpanInuse, m.MSpanSys, m.MCacheInuse,
		m.MCacheSys, m.BuckHashSys, m.GCSys, m.OtherSys, m.NextGC, m.LastGC,
		m.PauseTotalNs, uint64(m.NumGC), uint64(m.NumForcedGC),
	}
}

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
	// memory limit sets NextGC above 33 MiB, where Go 1.26's headroom
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
	// ReadMemStats until two reads 50 ms apart agree: the runtime works on
	// after a GC (the background sweeper returns work buffers to the heap,
	// the scavenger releases pages), and what the test reads afterwards
	// must be what was printed.
	var a, b [len(names)]uint64
	read(&a)
	for i := 0; i < 100; i++ {
		time.Sleep(50 * time.Millisecond)
		read(&b)
		if a == b {
			break
		}
		a = b
	}
	buf = append(buf, '{')
	for i, name := range names {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '"')
		buf = append(buf, name...)
		buf = append(buf, '"', ':')
		buf = strconv.AppendUint(buf, b[i], 10)
	}
	buf = append(buf, '}', '\n')
	syscall.Write(1, buf)
	syscall.Kill(syscall.Getpid(), syscall.SIGSTOP)
	var in [1]byte
	syscall.Read(0, in[:])
	runtime.KeepAlive(keep)
	runtime.KeepAlive(keepTiny)
}
