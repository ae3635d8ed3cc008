package pools

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"

	"perfworkbook/internal/alloc"
	"perfworkbook/internal/compile"
	"perfworkbook/internal/ev"
)

// classPool has the behaviour of seed 001's tiered pool (§6.1.1.6.1,
// L433-483): power-of-two classes from 8 to 4096 bytes in sync.Pools of
// []byte; a request gets a buffer of its class's full length; a buffer goes
// back only when its length is exactly a class size.
type classPool struct {
	classes []int
	pools   []*sync.Pool
}

func newClassPool() *classPool {
	cp := &classPool{}
	for size := 8; size <= 4096; size *= 2 {
		n := size
		cp.classes = append(cp.classes, n)
		cp.pools = append(cp.pools, &sync.Pool{New: func() interface{} { return make([]byte, n) }})
	}
	return cp
}

func (cp *classPool) Allocate(n int) []byte {
	for i, size := range cp.classes {
		if n <= size {
			return cp.pools[i].Get().([]byte)
		}
	}
	return make([]byte, n)
}

func (cp *classPool) Free(b []byte) {
	for i, size := range cp.classes {
		if len(b) == size {
			cp.pools[i].Put(b)
			return
		}
	}
}

// classes is the tiered pool measured once: lengths handed out, stale
// bytes, what a resliced buffer does, and allocations per cycle.
var classes = ev.Once(func(*ev.Ctx) (*ev.Evidence, error) {
	e := ev.New("a size-class pool with seed 001's behaviour (classes 8…4096 B in sync.Pools of []byte, full class length handed out, exact-length Free), GOMAXPROCS=1")
	onOneP(func() {
		cp := newClassPool()
		b := cp.Allocate(128)
		for i := range b {
			b[i] = 0xAB
		}
		cp.Free(b)
		got := cp.Allocate(100)
		stale := 0
		for _, x := range got[100:] {
			if x == 0xAB {
				stale++
			}
		}
		e.Add("Allocate(100): len", float64(len(got)), ev.Bytes)
		e.Add("Allocate(100): stale bytes past the request", float64(stale), ev.Bytes)
		cp.Free(got)
		exact := alloc.Per(1000, func() { cp.Free(cp.Allocate(1024)) })
		resliced := alloc.Per(1000, func() { cp.Free(cp.Allocate(1024)[:10]) })
		e.Add("exact-length Free: allocations per cycle", exact.Allocs, ev.Count)
		e.Add("resliced Free: allocations per cycle", resliced.Allocs, ev.Count)
	})
	return e.Say("Allocate(100) returns len %.0f with %.0f stale bytes; a resliced buffer is dropped (%.0f allocations per cycle) and even exact-length cycles allocate %.0f (Put boxes the []byte)",
		e.Get("Allocate(100): len"), e.Get("Allocate(100): stale bytes past the request"),
		e.Get("resliced Free: allocations per cycle"), e.Get("exact-length Free: allocations per cycle")), nil
})

func fromClasses(c *ev.Ctx) (*ev.Evidence, error) { return classes.Get(c) }

// simpleAllocator has the behaviour of seed 001's SimpleAllocator
// (§6.1.1.3.3, L117-169): one sync.Pool per exact size, uint64 counters
// updated with len(buf).
type simpleAllocator struct {
	mu                     sync.Mutex
	pools                  map[int]*sync.Pool
	allocated, freed, used uint64
}

func (s *simpleAllocator) Allocate(n int) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pools[n]
	if !ok {
		p = &sync.Pool{New: func() interface{} { return make([]byte, n) }}
		s.pools[n] = p
	}
	s.allocated += uint64(n)
	s.used += uint64(n)
	return p.Get().([]byte)
}

func (s *simpleAllocator) Free(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pools[len(b)]; ok {
		p.Put(b)
	}
	s.freed += uint64(len(b))
	s.used -= uint64(len(b))
}

// sizeClasses counts Go's own allocator size classes from 16 B to 32 KiB,
// as append rounds a fresh slice's capacity up to one.
func sizeClasses() int {
	classes := 0
	for n := 16; n <= 32768; {
		c := cap(append([]byte(nil), make([]byte, n)...))
		classes++
		n = c + 1
	}
	return classes
}

var simple = ev.Once(func(*ev.Ctx) (*ev.Evidence, error) {
	e := ev.New("an allocator with seed 001's SimpleAllocator behaviour (a sync.Pool per exact size, uint64 stats by len), GOMAXPROCS=1")
	onOneP(func() {
		sa := &simpleAllocator{pools: map[int]*sync.Pool{}}
		for n := 1; n <= 1000; n++ {
			sa.Free(sa.Allocate(n))
		}
		e.Add("pools made for sizes 1…1000", float64(len(sa.pools)), ev.Count)
		e.Add("Go runtime size classes from 16 B to 32 KiB", float64(sizeClasses()), ev.Count)

		sa = &simpleAllocator{pools: map[int]*sync.Pool{}}
		b := sa.Allocate(100)
		sa.Free(b)
		sa.Free(b)
		e.Add("CurrentUsage after a double Free of 100 B", float64(sa.used), ev.Count)
		x, y := sa.Allocate(100), sa.Allocate(100)
		e.B("after a double Free two Allocates share one buffer", &x[0] == &y[0])
		x[0] = 'a'
		e.B("the second caller sees the first caller's write", y[0] == 'a')

		sa = &simpleAllocator{pools: map[int]*sync.Pool{}}
		c := sa.Allocate(100)
		sa.Free(c[:10])
		e.Add("CurrentUsage after freeing buf[:10] of 100 B", float64(sa.used), ev.Count)
	})
	return e.Say("1000 sizes make %.0f pools (Go's allocator uses %.0f size classes up to 32 KiB); a double Free wraps CurrentUsage to %.0f and hands one buffer to two callers; freeing buf[:10] leaves %.0f",
		e.Get("pools made for sizes 1…1000"), e.Get("Go runtime size classes from 16 B to 32 KiB"),
		e.Get("CurrentUsage after a double Free of 100 B"), e.Get("CurrentUsage after freeing buf[:10] of 100 B")), nil
})

func fromSimple(c *ev.Ctx) (*ev.Evidence, error) { return simple.Get(c) }

// sharedMapPool has the behaviour of seed 001's "ThreadLocalPool"
// (§6.1.1.6.2, L491-536): one map of sync.Pools behind an RWMutex.
type sharedMapPool struct {
	mu    sync.RWMutex
	pools map[int]*sync.Pool
}

func (s *sharedMapPool) pool(n int) *sync.Pool {
	s.mu.RLock()
	p := s.pools[n]
	s.mu.RUnlock()
	if p == nil {
		s.mu.Lock()
		if p = s.pools[n]; p == nil {
			p = &sync.Pool{New: func() interface{} { return make([]byte, n) }}
			s.pools[n] = p
		}
		s.mu.Unlock()
	}
	return p
}

func (s *sharedMapPool) Get(n int) []byte { return s.pool(n).Get().([]byte) }
func (s *sharedMapPool) Put(b []byte)     { s.pool(len(b)).Put(b) }

var threadLocal = ev.Once(func(*ev.Ctx) (*ev.Evidence, error) {
	e := ev.New("a pool with seed 001's ThreadLocalPool behaviour (one map of sync.Pools behind an RWMutex); goroutine A uses sizes 1…1000 and puts a 64-byte buffer back, then goroutine B asks for 64 bytes; GOMAXPROCS=1")
	onOneP(func() {
		p := &sharedMapPool{pools: map[int]*sync.Pool{}}
		var fromA *byte
		done := make(chan struct{})
		go func() {
			for n := 1; n <= 1000; n++ {
				p.Put(p.Get(n))
			}
			b := p.Get(64)
			fromA = &b[0]
			p.Put(b)
			close(done)
		}()
		<-done
		var seen int
		var same bool
		done = make(chan struct{})
		go func() {
			p.mu.RLock()
			seen = len(p.pools)
			p.mu.RUnlock()
			b := p.Get(64)
			same = &b[0] == fromA
			close(done)
		}()
		<-done
		e.Add("map entries goroutine B sees", float64(seen), ev.Count)
		e.B("goroutine B got goroutine A's buffer", same)
	})
	return e.Say("goroutine B sees the %.0f entries goroutine A created and gets A's buffer (%v): one global map, not a pool per thread",
		e.Get("map entries goroutine B sees"), e.Get("goroutine B got goroutine A's buffer") == 1), nil
})

func fromThreadLocal(c *ev.Ctx) (*ev.Evidence, error) { return threadLocal.Get(c) }

// chanPool is seed 001's channel pool (§6.1.1.5.1, L286-321) with a reset
// that takes a pointer, so that it can work.
type chanPool[T any] struct {
	ch      chan T
	mk      func() T
	reset   func(T)
	dropped int
}

func (p *chanPool[T]) Get() T {
	select {
	case x := <-p.ch:
		return x
	default:
		return p.mk()
	}
}

func (p *chanPool[T]) Put(x T) {
	if p.reset != nil {
		p.reset(x)
	}
	select {
	case p.ch <- x:
	default:
		p.dropped++
	}
}

// buffer is seed 001's Buffer (L324-327): a byte slice and a size.
type buffer struct {
	data []byte
	size int
}

var chanPools = ev.Once(func(*ev.Ctx) (*ev.Evidence, error) {
	e := ev.New("a channel pool of 10 (seed 001 L286-321): get/put cycles after warm-up, 15 Puts into it, and a reset on a value type against one on a pointer")
	byPtr := &chanPool[*buffer]{ch: make(chan *buffer, 10), mk: func() *buffer { return &buffer{data: make([]byte, 1024)} },
		reset: func(b *buffer) { b.size = 0 }}
	n := alloc.Per(1000, func() { byPtr.Put(byPtr.Get()) })
	e.Add("get/put after warm-up: allocations", n.Allocs, ev.Count)
	full := &chanPool[*buffer]{ch: make(chan *buffer, 10), mk: func() *buffer { return &buffer{} }}
	for i := 0; i < 15; i++ {
		full.Put(&buffer{})
	}
	e.Add("Puts into a pool of 10", 15, ev.Count)
	e.Add("objects dropped", float64(full.dropped), ev.Count)
	b := byPtr.Get()
	b.size = 5
	byPtr.Put(b)
	e.Add("reset through a pointer: size after Put", float64(byPtr.Get().size), ev.Count)
	byVal := &chanPool[buffer]{ch: make(chan buffer, 10), mk: func() buffer { return buffer{data: make([]byte, 1024)} },
		reset: func(b buffer) { b.size = 0 }} // the value reset the seed writes: it changes a copy
	v := byVal.Get()
	v.size = 5
	byVal.Put(v)
	e.Add("reset on a value: size after Put", float64(byVal.Get().size), ev.Count)
	return e.Say("reuse costs %.0f allocations; %.0f of 15 Puts into a pool of 10 are dropped; a reset on a value leaves size %.0f, through a pointer %.0f",
		n.Allocs, float64(full.dropped), e.Get("reset on a value: size after Put"), e.Get("reset through a pointer: size after Put")), nil
})

func fromChanPools(c *ev.Ctx) (*ev.Evidence, error) { return chanPools.Get(c) }

// resetSignature has the shape of seed 001 L286-345: a generic pool whose
// reset is func(T), given a function of type func(Buffer) Buffer.
const resetSignature = `package example

type Pool[T any] struct {
	items chan T
	reset func(T)
}

func NewPool[T any](n int, mk func() T, reset func(T)) *Pool[T] {
	return &Pool[T]{items: make(chan T, n), reset: reset}
}

type Buffer struct {
	data []byte
	size int
}

func NewBuffer() Buffer { return Buffer{data: make([]byte, 1024)} }

func ResetBuffer(b Buffer) Buffer {
	b.size = 0
	return b
}

func use() *Pool[Buffer] {
	return NewPool(10, NewBuffer, ResetBuffer)
}
`

func d35(c *ev.Ctx) (*ev.Evidence, error) {
	r := compile.Check("pool.go", resetSignature)
	pools, err := chanPools.Get(c)
	if err != nil {
		return nil, err
	}
	e := ev.New("go/types (%s) on a fresh generic pool whose reset is func(T), given func(Buffer) Buffer; and the value reset run", ev.Version())
	e.Add("type errors", float64(len(r.TypeErrors)), ev.Count)
	e.Add("reset on a value: size after Put", pools.Get("reset on a value: size after Put"), ev.Count)
	return e.Say("Go's type checker: %s; with a matching func(Buffer) the reset changes a copy (size stays %.0f)", r.First(), pools.Get("reset on a value: size after Put")), nil
}

// unusedImport has the shape of seed 000 §1.2.1 (L151-188): a pool file
// importing sync and time, using only sync.
const unusedImport = `package pool

import (
	"sync"
	"time"
)

type Pool struct {
	p sync.Pool
}
`

// topLevelStatements has the shape of seed 003 策略1 (L205-216): an import
// of a placeholder path, then statements outside any function.
const topLevelStatements = `package main

import "github.com/yourusername/example/pkg/memory"

pool := memory.NewGenericPool(1000)
obj := pool.Get()
defer pool.Put(obj)
`

func typecheck(what, name, src string) func(*ev.Ctx) (*ev.Evidence, error) {
	return func(*ev.Ctx) (*ev.Evidence, error) {
		r := compile.Check(name, src)
		e := ev.New("go/parser and go/types (%s) on a fresh file with %s", ev.Version(), what)
		e.Add("syntax errors", float64(len(r.SyntaxErrors)), ev.Count)
		e.Add("type errors", float64(len(r.TypeErrors)), ev.Count)
		return e.Say("Go's front end: %s", r.First()), nil
	}
}

// server has the behaviour of seed 001's OptimizedHTTPServer (§6.1.1.10.1,
// L877-907): a pooled 4096-byte buffer per request, all of it written out.
type server struct {
	pool  *classPool
	reply func(r *http.Request, buf []byte) int
	fixed bool
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	buf := s.pool.Allocate(4096)
	defer s.pool.Free(buf)
	n := s.reply(r, buf)
	if s.fixed {
		w.Write(buf[:n])
		return
	}
	w.Write(buf)
}

func serveTwo(fixed bool) (int, bool) {
	s := &server{pool: newClassPool(), fixed: fixed, reply: func(r *http.Request, buf []byte) int {
		return copy(buf, r.URL.Query().Get("say"))
	}}
	s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/?say=secret-of-alice", nil))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/?say=hi-bob", nil))
	body := rec.Body.Bytes()
	return len(body), bytes.Contains(body, []byte("alice"))
}

func c00143(*ev.Ctx) (*ev.Evidence, error) {
	e := ev.New("a handler with seed 001's OptimizedHTTPServer behaviour (pooled 4096-byte buffer, whole buffer written), two requests through net/http/httptest, GOMAXPROCS=1")
	onOneP(func() {
		n, leak := serveTwo(false)
		e.Add("bob's reply: bytes the handler wrote", float64(len("hi-bob")), ev.Bytes)
		e.Add("bob's reply: bytes sent", float64(n), ev.Bytes)
		e.B("bob's reply holds alice's secret", leak)
		n, leak = serveTwo(true)
		e.Add("fixed: bytes sent", float64(n), ev.Bytes)
		e.B("fixed: bob's reply holds alice's secret", leak)
	})
	return e.Say("bob's 6-byte reply goes out as %.0f bytes and holds alice's secret (%v); writing buf[:n] sends %.0f bytes",
		e.Get("bob's reply: bytes sent"), e.Get("bob's reply holds alice's secret") == 1, e.Get("fixed: bytes sent")), nil
}

var sinkOut []byte

// processPooled has the behaviour of seed 001's pipeline stage
// (§6.1.1.10.2, L947-960): a pooled buffer of the class size, then a fresh
// result of the buffer's length.
func processPooled(p *classPool, data []byte) []byte {
	buf := p.Allocate(len(data))
	defer p.Free(buf)
	copy(buf, data)
	out := make([]byte, len(buf))
	copy(out, buf)
	return out
}

// processInPlace hands the item itself on: the stage owns it.
func processInPlace(data []byte) []byte {
	for i := range data {
		data[i] ^= 0x20
	}
	return data
}

func c00144(*ev.Ctx) (*ev.Evidence, error) {
	e := ev.New("a pipeline stage with seed 001's behaviour (pooled class-size buffer, fresh result of the buffer's length) on 100-byte items, against handing the item on, GOMAXPROCS=1")
	onOneP(func() {
		p := newClassPool()
		item := bytes.Repeat([]byte("x"), 100)
		out := processPooled(p, item)
		e.Add("100-byte item: output length", float64(len(out)), ev.Bytes)
		pooled := alloc.Per(1000, func() { sinkOut = processPooled(p, item) })
		moved := alloc.Per(1000, func() { sinkOut = processInPlace(item) })
		e.Add("pooled stage: allocations per item", pooled.Allocs, ev.Count)
		e.Add("item handed on: allocations per item", moved.Allocs, ev.Count)
		e.Add("item handed on: output length", float64(len(processInPlace(item))), ev.Bytes)
	})
	runtime.GC()
	return e.Say("a 100-byte item comes out as %.0f bytes; the pooled stage allocates %.0f times per item, handing the item on %.0f",
		e.Get("100-byte item: output length"), e.Get("pooled stage: allocations per item"), e.Get("item handed on: allocations per item")), nil
}

// gcPressure is seed 001 §6.1.1.9.2 (L857-862) and seed 003 策略1
// (L171-197): how many collections a loop of 32 KiB buffers causes, with
// and without a sync.Pool of *bytes.Buffer reset before Put.
var gcPressure = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	n := c.Pick(20000, 4000)
	e := ev.New("%d requests each filling a 32 KiB buffer, GOGC=100, GOMAXPROCS=1; runtime.MemStats.NumGC before and after", n)
	payload := bytes.Repeat([]byte("p"), 32<<10)
	count := func(f func()) float64 {
		var a, b runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&a)
		for i := 0; i < n; i++ {
			f()
		}
		runtime.ReadMemStats(&b)
		return float64(b.NumGC - a.NumGC)
	}
	onOneP(func() {
		fresh := count(func() {
			b := new(bytes.Buffer)
			b.Write(payload)
			sinkBuf = b
		})
		pool := sync.Pool{New: func() interface{} { return new(bytes.Buffer) }}
		pooled := count(func() {
			b := pool.Get().(*bytes.Buffer)
			b.Write(payload)
			b.Reset()
			pool.Put(b)
		})
		e.Add("collections without a pool", fresh, ev.Count)
		e.Add("collections with sync.Pool", pooled, ev.Count)
	})
	return e.Say("%d requests: %.0f collections without a pool, %.0f with sync.Pool of *bytes.Buffer",
		n, e.Get("collections without a pool"), e.Get("collections with sync.Pool")), nil
})

func fromGC(c *ev.Ctx) (*ev.Evidence, error) { return gcPressure.Get(c) }

func init() {
	ev.Register("pools", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C001-14": fromSimple,
		"C001-15": fromSimple,
		"D31":     fromSimple,
		"C001-24": fromChanPools,
		"D35":     d35,
		"C001-28": fromClasses,
		"D38":     fromClasses,
		"D39":     fromClasses,
		"C001-29": fromThreadLocal,
		"D40":     fromThreadLocal,
		"C001-40": fromGC,
		"C003-09": fromGC,
		"C001-43": c00143,
		"D47":     c00143,
		"C001-44": c00144,
		"D49":     c00144,
		"D07":     typecheck("seed 000 §1.2.1's imports (sync and time, only sync used)", "pool.go", unusedImport),
		"D58":     typecheck("seed 003 策略1's shape (a placeholder import path, statements outside any function)", "main.go", topLevelStatements),
	})
}
