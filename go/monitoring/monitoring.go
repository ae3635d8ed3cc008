// Package monitoring measures, in Go, what the seeds say about Go's own
// monitoring: what runtime.ReadMemStats reports (seed 000 §1.2.3), and the
// lifecycle of seed 000's PerformanceMonitor and seed 001's MemoryMonitor:
// a loop with no Stop that outlives its monitor, a second Start that runs a
// second loop, a second Stop that panics, a range over a channel nobody
// closes, and a full channel that drops samples.
//
// The monitors here are fresh Go written to the seeds' descriptions (a
// ticker loop selecting on a stop channel, a buffered channel of 100 filled
// with select/default); none copies a seed's code.
package monitoring

import (
	"runtime"
	"runtime/metrics"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"perfworkbook/internal/ev"
)

var sinkBytes []byte

// c00014 is seed 000 §1.2.3 (L264-270): runtime.ReadMemStats reports
// NumGC, PauseTotalNs and HeapAlloc. n forced collections, then a held
// allocation; and what one call costs beside runtime/metrics.Read, which
// does not stop the world.
func c00014(c *ev.Ctx) (*ev.Evidence, error) {
	n := c.Pick(20, 5)
	size := 64 << 20
	e := ev.New("runtime.ReadMemStats around %d runtime.GC() calls, then around a held make([]byte, %d MiB); %d timed calls of ReadMemStats and of metrics.Read", n, size>>20, c.Pick(200, 50))
	var m0, m1, m2 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for i := 0; i < n; i++ {
		runtime.GC()
	}
	runtime.ReadMemStats(&m1)
	sinkBytes = make([]byte, size)
	runtime.ReadMemStats(&m2)
	e.Add("runtime.GC() calls", float64(n), ev.Count)
	e.Add("NumGC increase", float64(m1.NumGC-m0.NumGC), ev.Count)
	e.Add("PauseTotalNs increase", float64(m1.PauseTotalNs-m0.PauseTotalNs), ev.Nanos)
	e.Add("bytes allocated and held", float64(size), ev.Bytes)
	e.Add("HeapAlloc increase", float64(m2.HeapAlloc)-float64(m1.HeapAlloc), ev.Bytes)
	sinkBytes = nil
	k := c.Pick(200, 50)
	var ms runtime.MemStats
	stw := median(k, func() { runtime.ReadMemStats(&ms) })
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	read := median(k, func() { metrics.Read(sample) })
	e.Add("ReadMemStats per call (median)", stw, ev.Nanos)
	e.Add("metrics.Read per call (median)", read, ev.Nanos)
	return e.Say("%d GCs raised NumGC by %d and PauseTotalNs by %s; holding %s raised HeapAlloc by %s; ReadMemStats (stops the world) %s per call, metrics.Read %s",
		n, m1.NumGC-m0.NumGC, ev.Dur(float64(m1.PauseTotalNs-m0.PauseTotalNs)), ev.Human(float64(size)),
		ev.Human(float64(m2.HeapAlloc)-float64(m1.HeapAlloc)), ev.Dur(stw), ev.Dur(read)), nil
}

func median(k int, f func()) float64 {
	v := make([]float64, k)
	for i := range v {
		t := time.Now()
		f()
		v[i] = float64(time.Since(t).Nanoseconds())
	}
	sort.Float64s(v)
	return v[k/2]
}

// perfMonitor follows seed 000 §1.5.1 (L622-710): a map under an RWMutex,
// a ticker loop started by Start that returns only when stopChan is closed,
// and no Stop.
type perfMonitor struct {
	mu       sync.RWMutex
	metrics  map[string]float64
	interval time.Duration
	stopChan chan struct{}
	exports  *int64
}

func newPerfMonitor(interval time.Duration, exports *int64) *perfMonitor {
	return &perfMonitor{metrics: map[string]float64{}, interval: interval, stopChan: make(chan struct{}), exports: exports}
}

func (pm *perfMonitor) Start() { go pm.loop() }

func (pm *perfMonitor) loop() {
	t := time.NewTicker(pm.interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			pm.mu.RLock()
			_ = len(pm.metrics)
			pm.mu.RUnlock()
			atomic.AddInt64(pm.exports, 1)
		case <-pm.stopChan:
			return
		}
	}
}

func settledGoroutines() int {
	last := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		time.Sleep(5 * time.Millisecond)
		now := runtime.NumGoroutine()
		if now == last {
			return now
		}
		last = now
	}
	return last
}

// d25 is seed 000 §1.5.1 (L644-651, L675-692): nothing closes stopChan, and
// two Start calls run two loops. Exports over the same time started once
// and twice; goroutines left once every reference to the monitor is gone.
func d25(c *ev.Ctx) (*ev.Evidence, error) {
	interval := 10 * time.Millisecond
	run := time.Duration(c.Pick(300, 150)) * time.Millisecond
	e := ev.New("a PerformanceMonitor-shaped loop, %s ticker, %s per run; runtime.NumGoroutine before and after the monitor became unreachable (and a GC)", interval, run)
	var once, twice int64
	a := newPerfMonitor(interval, &once)
	a.Start()
	time.Sleep(run)
	close(a.stopChan)
	base := settledGoroutines()
	b := newPerfMonitor(interval, &twice)
	stop := b.stopChan // ours: to end the leaked loops after counting them
	b.Start()
	b.Start()
	time.Sleep(run)
	b = nil
	runtime.GC()
	left := settledGoroutines() - base
	close(stop)
	e.Add("exports, started once", float64(atomic.LoadInt64(&once)), ev.Count)
	e.Add("exports, started twice", float64(atomic.LoadInt64(&twice)), ev.Count)
	e.Add("goroutines left after the monitor became unreachable", float64(left), ev.Count)
	return e.Say("started twice the loop exported %d times where once gives %d; %d goroutines outlived the monitor",
		atomic.LoadInt64(&twice), atomic.LoadInt64(&once), left), nil
}

// memMonitor follows seed 001 §6.1.1.8.1 (L690-768): a ticker that sends a
// sample into a 100-slot channel with select/default, a Stop that closes
// the stop channel, and a metrics channel nobody closes.
type memMonitor struct {
	interval time.Duration
	metrics  chan runtime.MemStats
	stop     chan struct{}
	taken    int64
}

func newMemMonitor(interval time.Duration) *memMonitor {
	return &memMonitor{interval: interval, metrics: make(chan runtime.MemStats, 100), stop: make(chan struct{})}
}

func (mm *memMonitor) Start() { go mm.monitor() }
func (mm *memMonitor) Stop()  { close(mm.stop) }

func (mm *memMonitor) monitor() {
	t := time.NewTicker(mm.interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			atomic.AddInt64(&mm.taken, 1)
			select {
			case mm.metrics <- m:
			default:
			}
		case <-mm.stop:
			return
		}
	}
}

// c00132 is seed 001 §6.1.1.8.1 (L739-762): the monitor samples on its
// ticker and drops samples once its channel is full. Nothing reads it.
func c00132(c *ev.Ctx) (*ev.Evidence, error) {
	interval := time.Millisecond
	run := time.Duration(c.Pick(300, 200)) * time.Millisecond
	e := ev.New("a MemoryMonitor-shaped loop, %s ticker, unread for %s", interval, run)
	mm := newMemMonitor(interval)
	mm.Start()
	time.Sleep(run)
	mm.Stop()
	time.Sleep(5 * interval)
	taken := atomic.LoadInt64(&mm.taken)
	e.Add("samples collected", float64(taken), ev.Count)
	e.Add("samples in the channel", float64(len(mm.metrics)), ev.Count)
	e.Add("channel capacity", float64(cap(mm.metrics)), ev.Count)
	e.Add("ticks in the run", float64(run/interval), ev.Count)
	return e.Say("%d samples collected in %s, %d kept, %d dropped", taken, run, len(mm.metrics), taken-int64(len(mm.metrics))), nil
}

// d42 is seed 001 §6.1.1.8.1 (L720-726, L765-767): a second Stop panics
// (close of a closed channel), and a range over GetMetrics never ends.
func d42(c *ev.Ctx) (*ev.Evidence, error) {
	wait := time.Duration(c.Pick(500, 200)) * time.Millisecond
	e := ev.New("Start, Stop, Stop again (recovered), then a goroutine ranging over the metrics channel, given %s to end", wait)
	mm := newMemMonitor(time.Millisecond)
	mm.Start()
	time.Sleep(5 * time.Millisecond)
	mm.Stop()
	panicked := func() (p bool) {
		defer func() { p = recover() != nil }()
		mm.Stop()
		return false
	}()
	done := make(chan int, 1)
	go func() {
		n := 0
		for range mm.metrics {
			n++
		}
		done <- n // never reached: nobody closes the channel
	}()
	ended := false
	select {
	case <-done:
		ended = true
	case <-time.After(wait):
	}
	e.Add("second Stop panicked", ev.Btoi(panicked), ev.Bool)
	e.Add("range over the metrics channel ended", ev.Btoi(ended), ev.Bool)
	return e.Say("second Stop panicked: %v; the range ended within %s: %v", panicked, wait, ended), nil
}

func init() {
	ev.Register("monitoring", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C000-14": c00014,
		"C001-32": c00132,
		"D25":     d25,
		"D42":     d42,
	})
}
