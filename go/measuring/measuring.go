// Package measuring re-runs the seeds' benchmarks with Go's own testing
// package (testing.Benchmark, with allocation reporting), so that what the
// benchmarks measure, or fail to, is shown by the tool the seeds used.
package measuring

import (
	"flag"
	"sync"
	"testing"
	"time"

	"perfworkbook/internal/ev"
	"perfworkbook/mmap"
)

var (
	sinkBytes []byte
	initOnce  sync.Once
)

// bench runs f with testing.Benchmark for about d (the -test.benchtime
// flag, set here since no `go test` sets it).
func bench(d time.Duration, f func(b *testing.B)) testing.BenchmarkResult {
	initOnce.Do(testing.Init)
	_ = flag.Set("test.benchtime", d.String())
	return testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		f(b)
	})
}

func benchtime(c *ev.Ctx) time.Duration {
	if c.Quick {
		return 10 * time.Millisecond
	}
	return 50 * time.Millisecond
}

func nsPerOp(r testing.BenchmarkResult) float64 {
	return float64(r.T.Nanoseconds()) / float64(r.N)
}

// objectPool is a generic pool over sync.Pool with a reset function, as
// seed 000 §1.2.1 (L156-188) builds one; with T = []byte every Put boxes
// the slice header.
type objectPool[T any] struct {
	p     sync.Pool
	reset func(T) T
}

func newObjectPool[T any](mk func() T, reset func(T) T) *objectPool[T] {
	op := &objectPool[T]{reset: reset}
	op.p.New = func() interface{} { return mk() }
	return op
}

func (op *objectPool[T]) Get() T {
	x := op.p.Get().(T)
	if op.reset != nil {
		x = op.reset(x)
	}
	return x
}

func (op *objectPool[T]) Put(x T) { op.p.Put(x) }

var payload = []byte("test data")

// benches are the seeds' benchmarks, rebuilt from their descriptions:
// seed 001 §6.1.1.8.2 (L775-810) and seed 000 §1.5.2 (L746-772).
var benches = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	d := benchtime(c)
	e := ev.New("testing.Benchmark with ReportAllocs, benchtime %v each (%s)", d, ev.Version())
	res := map[string]testing.BenchmarkResult{}
	// Seed 001 L777-784: a 1024-byte make whose result is never used.
	res["make 1024, unused"] = bench(d, func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			buf := make([]byte, 1024)
			_ = buf
		}
	})
	// The same make, kept: the allocation the benchmark meant to time.
	res["make 1024, kept"] = bench(d, func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sinkBytes = make([]byte, 1024)
		}
	})
	// Seed 000 L764-771: a fresh buffer appended to and dropped.
	res["direct make(0, 1024) + append"] = bench(d, func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			buf := make([]byte, 0, 1024)
			buf = append(buf, payload...)
			_ = buf
		}
	})
	// Seed 000 L748-762: the generic pool of []byte.
	pool := newObjectPool(func() []byte { return make([]byte, 0, 1024) }, func(b []byte) []byte { return b[:0] })
	res["generic sync.Pool of []byte"] = bench(d, func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			buf := pool.Get()
			buf = append(buf, payload...)
			pool.Put(buf)
		}
	})
	// Seed 001 L786-799: a channel pool of []byte.
	ch := make(chan []byte, 100)
	res["channel pool of []byte"] = bench(d, func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var buf []byte
			select {
			case buf = <-ch:
			default:
				buf = make([]byte, 1024)
			}
			select {
			case ch <- buf:
			default:
			}
		}
	})
	// Seed 001 L801-810: a size-class pool of []byte in sync.Pools.
	classes := newObjectPool(func() []byte { return make([]byte, 1024) }, nil)
	res["size-class sync.Pool of []byte"] = bench(d, func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			classes.Put(classes.Get())
		}
	})
	// A pool doing its least: get and put a pointer.
	ptrs := sync.Pool{New: func() interface{} { b := make([]byte, 0, 1024); return &b }}
	res["sync.Pool of *[]byte, get+put"] = bench(d, func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ptrs.Put(ptrs.Get())
		}
	})
	res["empty loop"] = bench(d, func(b *testing.B) {
		for i := 0; i < b.N; i++ {
		}
	})
	for _, name := range []string{"make 1024, unused", "make 1024, kept", "direct make(0, 1024) + append",
		"generic sync.Pool of []byte", "channel pool of []byte", "size-class sync.Pool of []byte",
		"sync.Pool of *[]byte, get+put", "empty loop"} {
		r := res[name]
		e.Add(name+": ns/op", nsPerOp(r), ev.Nanos)
		e.Add(name+": allocs/op", float64(r.AllocsPerOp()), ev.Count)
	}
	return e, nil
})

func withSummary(f func(e *ev.Evidence) string) func(*ev.Ctx) (*ev.Evidence, error) {
	return func(c *ev.Ctx) (*ev.Evidence, error) {
		e, err := benches.Get(c)
		if err != nil {
			return nil, err
		}
		cp := *e
		cp.Summary = f(e)
		return &cp, nil
	}
}

func say(format string, args ...interface{}) string { return ev.New("").Say(format, args...).Summary }

var (
	unusedMake = withSummary(func(e *ev.Evidence) string {
		return say("as written: %s/op and %.0f allocs/op; keeping the buffer: %s/op and %.0f allocs/op",
			ev.Dur(e.Get("make 1024, unused: ns/op")), e.Get("make 1024, unused: allocs/op"),
			ev.Dur(e.Get("make 1024, kept: ns/op")), e.Get("make 1024, kept: allocs/op"))
	})
	poolVsDirect = withSummary(func(e *ev.Evidence) string {
		return say("direct: %.0f allocs/op, %s/op (the buffer stays on the stack); pool of []byte: %.0f allocs/op, %s/op",
			e.Get("direct make(0, 1024) + append: allocs/op"), ev.Dur(e.Get("direct make(0, 1024) + append: ns/op")),
			e.Get("generic sync.Pool of []byte: allocs/op"), ev.Dur(e.Get("generic sync.Pool of []byte: ns/op")))
	})
	twoPools = withSummary(func(e *ev.Evidence) string {
		return say("channel pool: %.0f allocs/op, %s/op; size-class sync.Pool of []byte: %.0f allocs/op, %s/op",
			e.Get("channel pool of []byte: allocs/op"), ev.Dur(e.Get("channel pool of []byte: ns/op")),
			e.Get("size-class sync.Pool of []byte: allocs/op"), ev.Dur(e.Get("size-class sync.Pool of []byte: ns/op")))
	})
	subNano = withSummary(func(e *ev.Evidence) string {
		return say("a sync.Pool get+put takes %s/op here; an empty benchmark loop %s/op (the seed: 0.40 ns)",
			ev.Dur(e.Get("sync.Pool of *[]byte, get+put: ns/op")), ev.Dur(e.Get("empty loop: ns/op")))
	})
)

// c00308 is seed 003 §4 (L151-165): -benchmem numbers, compared across
// runs. The same benchmark twice: allocations repeat exactly, time does not.
func c00308(c *ev.Ctx) (*ev.Evidence, error) {
	d := benchtime(c)
	run := func() testing.BenchmarkResult {
		return bench(d, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				sinkBytes = make([]byte, 1024)
			}
		})
	}
	a, b := run(), run()
	e := ev.New("one benchmark (a kept 1024-byte make) run twice with testing.Benchmark and ReportAllocs, benchtime %v", d)
	e.Add("run 1: allocs/op", float64(a.AllocsPerOp()), ev.Count)
	e.Add("run 2: allocs/op", float64(b.AllocsPerOp()), ev.Count)
	e.Add("run 1: B/op", float64(a.AllocedBytesPerOp()), ev.Bytes)
	e.Add("run 2: B/op", float64(b.AllocedBytesPerOp()), ev.Bytes)
	e.Add("run 1: ns/op", nsPerOp(a), ev.Nanos)
	e.Add("run 2: ns/op", nsPerOp(b), ev.Nanos)
	return e.Say("allocs/op %d and %d, B/op %d and %d; ns/op %s and %s", a.AllocsPerOp(), b.AllocsPerOp(),
		a.AllocedBytesPerOp(), b.AllocedBytesPerOp(), ev.Dur(nsPerOp(a)), ev.Dur(nsPerOp(b))), nil
}

func init() {
	ev.Register("measuring", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C001-33": unusedMake,
		"D43":     unusedMake,
		"C000-28": poolVsDirect,
		"D28":     poolVsDirect,
		"C001-34": twoPools,
		"D44":     twoPools,
		"C003-26": subNano,
		"D55":     subNano,
		"C003-08": c00308,
		"C004-16": mmap.Versus,
		"D63":     mmap.Versus,
	})
}
