// Package alloc counts what Go code allocates on the heap, with the
// runtime's own counters: testing.AllocsPerRun for the number of
// allocations, and runtime.MemStats for the bytes.
package alloc

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

// Counts is what one call of a function allocates on average.
type Counts struct {
	// Allocs is heap allocations per call (testing.AllocsPerRun: an
	// integer, rounded down).
	Allocs float64
	// Bytes is heap bytes allocated per call.
	Bytes float64
}

// Per measures f over runs calls (after one warm-up call).
func Per(runs int, f func()) Counts {
	allocs := testing.AllocsPerRun(runs, f)
	// Bytes, the same way AllocsPerRun counts: one P, so no other
	// goroutine's allocations land between the two readings.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < runs; i++ {
		f()
	}
	runtime.ReadMemStats(&after)
	return Counts{Allocs: allocs, Bytes: float64(after.TotalAlloc-before.TotalAlloc) / float64(runs)}
}

// HeapAfterGC is the live heap in bytes after two full collections (the
// second one finishes sweeping what the first freed).
func HeapAfterGC() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc)
}

// HeapNow is the heap in bytes as it stands, without collecting.
func HeapNow() float64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc)
}

// NoGC runs f with the collector off and restores the previous setting.
func NoGC(f func()) {
	old := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(old)
	f()
}

// Scannable reads /gc/scan/heap:bytes, the heap bytes the collector would
// scan (Go 1.21+); false when this Go does not have the metric.
func Scannable() (float64, bool) {
	s := []metrics.Sample{{Name: "/gc/scan/heap:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0, false
	}
	return float64(s[0].Value.Uint64()), true
}
