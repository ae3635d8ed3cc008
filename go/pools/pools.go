// Package pools measures the seeds' pools in Go: what sync.Pool,
// channel pools and size-class pools allocate (testing.AllocsPerRun), what
// they hand back, and how many collections they save (runtime.MemStats).
//
// The seeds' pools are rebuilt here from their descriptions, each with the
// behaviour a claim is about (a value type in sync.Pool, a size-class pool
// that returns the class's length, a shared "thread-local" map); none is
// the seeds' text.
package pools

import (
	"bytes"
	"runtime"
	"sync"

	"perfworkbook/internal/alloc"
	"perfworkbook/internal/ev"
)

var (
	sinkBytes []byte
	sinkBuf   *bytes.Buffer
)

// onOneP runs f with GOMAXPROCS=1, so that sync.Pool's per-P caches behave
// the same on every run: what one goroutine puts, the next Get on that P
// finds.
func onOneP(f func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f()
}

// valuePool is a generic pool over sync.Pool, as seed 000 §1.2.1 (L156-188)
// builds one: Put stores a T in an interface{}.
type valuePool[T any] struct {
	p sync.Pool
}

func newValuePool[T any](mk func() T) *valuePool[T] {
	vp := &valuePool[T]{}
	vp.p.New = func() interface{} { return mk() }
	return vp
}

func (vp *valuePool[T]) Get() T  { return vp.p.Get().(T) }
func (vp *valuePool[T]) Put(x T) { vp.p.Put(x) }

// allocCounts is one measurement shared by several claims: allocations per
// get+put cycle of each pool shape, against allocating directly.
var allocCounts = ev.Once(func(*ev.Ctx) (*ev.Evidence, error) {
	e := ev.New("testing.AllocsPerRun over 1000 get/put cycles of a 4 KiB buffer, GOMAXPROCS=1 (%s)", ev.Version())
	onOneP(func() {
		direct := alloc.Per(1000, func() { sinkBytes = make([]byte, 0, 4096) })
		values := newValuePool(func() []byte { return make([]byte, 0, 4096) })
		byValue := alloc.Per(1000, func() {
			b := values.Get()
			values.Put(b[:0])
		})
		pointers := newValuePool(func() *[]byte { b := make([]byte, 0, 4096); return &b })
		byPointer := alloc.Per(1000, func() {
			b := pointers.Get()
			*b = (*b)[:0]
			pointers.Put(b)
		})
		ch := make(chan []byte, 16)
		byChannel := alloc.Per(1000, func() {
			var b []byte
			select {
			case b = <-ch:
			default:
				b = make([]byte, 0, 4096)
			}
			select {
			case ch <- b[:0]:
			default:
			}
		})
		buffers := sync.Pool{New: func() interface{} { return new(bytes.Buffer) }}
		freshBuffer := alloc.Per(1000, func() {
			b := new(bytes.Buffer)
			b.Grow(4096)
			sinkBuf = b
		})
		pooledBuffer := alloc.Per(1000, func() {
			b := buffers.Get().(*bytes.Buffer)
			b.Reset()
			b.Grow(4096)
			buffers.Put(b)
		})
		e.Add("direct make: allocations per buffer", direct.Allocs, ev.Count)
		e.Add("sync.Pool of []byte: allocations per get/put", byValue.Allocs, ev.Count)
		e.Add("sync.Pool of []byte: bytes per get/put", byValue.Bytes, ev.Bytes)
		e.Add("sync.Pool of *[]byte: allocations per get/put", byPointer.Allocs, ev.Count)
		e.Add("channel pool of []byte: allocations per get/put", byChannel.Allocs, ev.Count)
		e.Add("new *bytes.Buffer: allocations per buffer", freshBuffer.Allocs, ev.Count)
		e.Add("sync.Pool of *bytes.Buffer: allocations per get/put", pooledBuffer.Allocs, ev.Count)
	})
	return e.Say("direct: %.0f allocation per buffer; sync.Pool of []byte: %.0f per get/put (%.0f B: the slice header boxed by Put); of *[]byte: %.0f; channel pool: %.0f",
		e.Get("direct make: allocations per buffer"), e.Get("sync.Pool of []byte: allocations per get/put"),
		e.Get("sync.Pool of []byte: bytes per get/put"), e.Get("sync.Pool of *[]byte: allocations per get/put"),
		e.Get("channel pool of []byte: allocations per get/put")), nil
})

func shared(summary func(e *ev.Evidence) string) func(*ev.Ctx) (*ev.Evidence, error) {
	return func(c *ev.Ctx) (*ev.Evidence, error) {
		e, err := allocCounts.Get(c)
		if err != nil {
			return nil, err
		}
		cp := *e
		if summary != nil {
			cp.Summary = summary(e)
		}
		return &cp, nil
	}
}

// bufferPool is seed 000's BufferPool (§1.2.1, L190-213): 4 KiB buffers,
// length reset to 0 on Put, nothing else checked.
type bufferPool struct{ p sync.Pool }

func newBufferPool() *bufferPool {
	bp := &bufferPool{}
	bp.p.New = func() interface{} { return make([]byte, 0, 4096) }
	return bp
}

func (bp *bufferPool) Get() []byte    { return bp.p.Get().([]byte) }
func (bp *bufferPool) Put(buf []byte) { bp.p.Put(buf[:0]) }

func c00007(c *ev.Ctx) (*ev.Evidence, error) {
	big := c.Pick(64<<20, 16<<20)
	e := ev.New("seed 000's BufferPool shape (sync.Pool of []byte, 4 KiB, length reset on Put), GOMAXPROCS=1; then one %s buffer put back", ev.Human(float64(big)))
	onOneP(func() {
		bp := newBufferPool()
		b := bp.Get()
		e.Add("new buffer: cap", float64(cap(b)), ev.Bytes)
		b = append(b, "request one"...)
		bp.Put(b)
		again := bp.Get()
		e.Add("after Put and Get: len", float64(len(again)), ev.Bytes)
		e.B("after Put and Get: the same buffer", &again[:1][0] == &b[0])
		bp.Put(again)
		huge := make([]byte, 0, big)
		bp.Get()
		bp.Put(huge)
		kept := bp.Get()
		e.Add("a big buffer put back: cap of the next Get", float64(cap(kept)), ev.Bytes)
		e.Add("big buffer size", float64(big), ev.Bytes)
	})
	return e.Say("Put resets len to %.0f and the same 4 KiB buffer comes back; a %s buffer put back is handed out again (cap %s): nothing caps what the pool keeps",
		e.Get("after Put and Get: len"), ev.Human(float64(big)), ev.Human(e.Get("a big buffer put back: cap of the next Get"))), nil
}

// d08 is seed 000's pools of []byte (L169-213): one allocation per Put, and
// no cap on pooled buffers.
func d08(c *ev.Ctx) (*ev.Evidence, error) {
	counts, err := allocCounts.Get(c)
	if err != nil {
		return nil, err
	}
	keep, err := c00007(c)
	if err != nil {
		return nil, err
	}
	e := ev.New("%s; %s", counts.Condition, keep.Condition)
	for _, n := range []string{"sync.Pool of []byte: allocations per get/put", "sync.Pool of []byte: bytes per get/put", "sync.Pool of *[]byte: allocations per get/put"} {
		e.Add(n, counts.Get(n), ev.Count)
	}
	e.Figures[1].Unit = ev.Bytes
	e.Add("a big buffer put back: cap of the next Get", keep.Get("a big buffer put back: cap of the next Get"), ev.Bytes)
	e.Add("big buffer size", keep.Get("big buffer size"), ev.Bytes)
	return e.Say("every Put of a []byte allocates %.0f time (%.0f B; *[]byte: %.0f); a %s buffer put back stays pooled",
		counts.Get("sync.Pool of []byte: allocations per get/put"), counts.Get("sync.Pool of []byte: bytes per get/put"),
		counts.Get("sync.Pool of *[]byte: allocations per get/put"), ev.Human(keep.Get("big buffer size"))), nil
}

// resetOnGet is seed 000's ObjectPool order (L176-188): reset runs when an
// object is taken out, so an idle object keeps its contents.
type resetOnGet struct {
	p     sync.Pool
	reset func(*bytes.Buffer)
}

func (r *resetOnGet) Get() *bytes.Buffer {
	b := r.p.Get().(*bytes.Buffer)
	r.reset(b)
	return b
}
func (r *resetOnGet) Put(b *bytes.Buffer) { r.p.Put(b) }

func d09(*ev.Ctx) (*ev.Evidence, error) {
	e := ev.New("a pool that resets on Get (seed 000 L176-188); one request writes a secret and puts the buffer back; what the idle pooled buffer holds, GOMAXPROCS=1")
	onOneP(func() {
		pool := &resetOnGet{reset: func(b *bytes.Buffer) { b.Reset() }}
		pool.p.New = func() interface{} { return new(bytes.Buffer) }
		b := pool.Get()
		b.WriteString("card=4111-1111-1111-1111")
		pool.Put(b)
		idle := pool.p.Get().(*bytes.Buffer) // what the pool holds, before any reset
		e.B("the idle buffer still holds the secret", bytes.Contains(idle.Bytes(), []byte("4111")))
		e.Add("bytes kept while idle", float64(idle.Len()), ev.Bytes)
		pool.Put(idle)
		fixed := sync.Pool{New: func() interface{} { return new(bytes.Buffer) }}
		f := fixed.Get().(*bytes.Buffer)
		f.WriteString("card=4111-1111-1111-1111")
		f.Reset()
		fixed.Put(f)
		idle2 := fixed.Get().(*bytes.Buffer)
		e.B("reset on Put: the idle buffer holds the secret", bytes.Contains(idle2.Bytes(), []byte("4111")))
	})
	return e.Say("while idle in the pool the buffer still holds the last user's %.0f bytes (secret: %v); resetting on Put leaves none",
		e.Get("bytes kept while idle"), e.Get("the idle buffer still holds the secret") == 1), nil
}

func init() {
	ev.Register("pools", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C000-06": shared(nil),
		"C001-36": shared(nil),
		"C001-38": shared(func(e *ev.Evidence) string {
			return ev.New("").Say("sync.Pool of *bytes.Buffer: %.0f allocations per get/put; a new buffer each time: %.0f",
				e.Get("sync.Pool of *bytes.Buffer: allocations per get/put"), e.Get("new *bytes.Buffer: allocations per buffer")).Summary
		}),
		"C000-07": c00007,
		"D08":     d08,
		"D09":     d09,
	})
}
