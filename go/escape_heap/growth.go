package escapeheap

import (
	"bytes"
	"context"
	"strings"
	"sync"

	"perfworkbook/escape_heap/snippets"
	"perfworkbook/internal/alloc"
	"perfworkbook/internal/ev"
)

// Results are stored here so that nothing a measured function builds can
// stay on its stack: every count below is of a result that outlives the
// call, as in real code.
var (
	sinkInts  []int
	sinkStr   string
	sinkBytes []byte
	sinkAny   interface{}
)

const items = 1000

func appendNoCap() {
	var s []int
	for i := 0; i < items; i++ {
		s = append(s, i)
	}
	sinkInts = s
}

func appendWithCap() {
	s := make([]int, 0, items)
	for i := 0; i < items; i++ {
		s = append(s, i)
	}
	sinkInts = s
}

func indexed() {
	s := make([]int, items)
	for i := range s {
		s[i] = i
	}
	sinkInts = s
}

// growth is seed 001 §6.1.1.9.1 (L821-822) and seed 003 策略2 (L222-246):
// 1000 appends without and with preallocated capacity.
var growth = ev.Once(func(*ev.Ctx) (*ev.Evidence, error) {
	e := ev.New("1000 ints appended to a slice that outlives the call (%s)", ev.Version())
	no := alloc.Per(200, appendNoCap)
	pre := alloc.Per(200, appendWithCap)
	idx := alloc.Per(200, indexed)
	e.Add("append from nil: allocations", no.Allocs, ev.Count)
	e.Add("append from nil: bytes", no.Bytes, ev.Bytes)
	e.Add("make(0, 1000) + append: allocations", pre.Allocs, ev.Count)
	e.Add("make(0, 1000) + append: bytes", pre.Bytes, ev.Bytes)
	e.Add("make(1000) + index: allocations", idx.Allocs, ev.Count)
	e.Add("allocation cut by preallocating", 1-pre.Allocs/no.Allocs, ev.Fraction)
	e.Add("byte cut by preallocating", 1-pre.Bytes/no.Bytes, ev.Fraction)
	return e.Say("append from nil: %.0f allocations (%s); preallocated: %.0f (%s); cut %.0f%% of allocations",
		no.Allocs, ev.Human(no.Bytes), pre.Allocs, ev.Human(pre.Bytes), 100*(1-pre.Allocs/no.Allocs)), nil
})

func fromGrowth(summary string) func(*ev.Ctx) (*ev.Evidence, error) {
	return func(c *ev.Ctx) (*ev.Evidence, error) {
		e, err := growth.Get(c)
		if err != nil {
			return nil, err
		}
		cp := *e
		if summary != "" {
			cp.Summary = summary
		}
		return &cp, nil
	}
}

// bufferAppends is seed 001 §6.1.1.9.1 (L831-835): one bytes.Buffer, many
// small writes.
func c00137(*ev.Ctx) (*ev.Evidence, error) {
	piece := []byte("item-0001")
	one := alloc.Per(200, func() {
		var b bytes.Buffer
		for i := 0; i < items; i++ {
			b.Write(piece)
		}
		sinkBytes = b.Bytes()
	})
	each := alloc.Per(200, func() {
		var out [][]byte
		for i := 0; i < items; i++ {
			out = append(out, append([]byte(nil), piece...))
		}
		sinkAny = out
	})
	e := ev.New("1000 writes of 9 bytes into one bytes.Buffer, against a fresh slice per piece")
	e.Add("writes", items, ev.Count)
	e.Add("one bytes.Buffer: allocations", one.Allocs, ev.Count)
	e.Add("a slice per piece: allocations", each.Allocs, ev.Count)
	return e.Say("1000 writes into one bytes.Buffer made %.0f allocations (it doubles as it grows); a slice per piece made %.0f", one.Allocs, each.Allocs), nil
}

var words = func() []string {
	w := make([]string, 10000)
	for i := range w {
		w[i] = "item-" + string(rune('a'+i%26)) + "123"
	}
	return w
}()

func concatPlus(n int) func() {
	return func() {
		result := ""
		for _, it := range words[:n] {
			result += it
		}
		sinkStr = result
	}
}

func builderGrow(n, estimate int) func() {
	return func() {
		var b strings.Builder
		b.Grow(n * estimate)
		for _, it := range words[:n] {
			b.WriteString(it)
		}
		sinkStr = b.String()
	}
}

func builderNoGrow(n int) func() {
	return func() {
		var b strings.Builder
		for _, it := range words[:n] {
			b.WriteString(it)
		}
		sinkStr = b.String()
	}
}

// strs is seed 003 策略3 (L250-286): `result += item` against a
// strings.Builder grown to len(items)*10, for items of 9 bytes.
var strs = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	e := ev.New("items of 9 bytes; the result outlives the call (%s)", ev.Version())
	for _, n := range []int{10, items} {
		p := alloc.Per(10, concatPlus(n))
		g := alloc.Per(10, builderGrow(n, 10))
		s := alloc.Per(10, builderGrow(n, 5))
		ng := alloc.Per(10, builderNoGrow(n))
		e.Add(itemsLabel(n)+": += allocations", p.Allocs, ev.Count)
		e.Add(itemsLabel(n)+": += bytes", p.Bytes, ev.Bytes)
		e.Add(itemsLabel(n)+": Builder, Grow(n*10): allocations", g.Allocs, ev.Count)
		e.Add(itemsLabel(n)+": Builder, Grow(n*5) (too small): allocations", s.Allocs, ev.Count)
		e.Add(itemsLabel(n)+": Builder, no Grow: allocations", ng.Allocs, ev.Count)
		e.Add(itemsLabel(n)+": cut by the Builder", 1-g.Allocs/p.Allocs, ev.Fraction)
	}
	return e, nil
})

func itemsLabel(n int) string {
	if n == items {
		return "1000 items"
	}
	return "10 items"
}

func c00315(c *ev.Ctx) (*ev.Evidence, error) {
	e, err := strs.Get(c)
	if err != nil {
		return nil, err
	}
	cp := *e
	cp.Summary = summaryf("`result += item` over 1000 items made %.0f allocations (%s copied); over 10 items %.0f",
		e.Get("1000 items: += allocations"), ev.Human(e.Get("1000 items: += bytes")), e.Get("10 items: += allocations"))
	return &cp, nil
}

func c00316(c *ev.Ctx) (*ev.Evidence, error) {
	e, err := strs.Get(c)
	if err != nil {
		return nil, err
	}
	cp := *e
	cp.Summary = summaryf("Builder with Grow(n*10): %.0f allocation for 1000 items; Grow too small: %.0f; no Grow: %.0f",
		e.Get("1000 items: Builder, Grow(n*10): allocations"), e.Get("1000 items: Builder, Grow(n*5) (too small): allocations"),
		e.Get("1000 items: Builder, no Grow: allocations"))
	return &cp, nil
}

func c00318(c *ev.Ctx) (*ev.Evidence, error) {
	e, err := strs.Get(c)
	if err != nil {
		return nil, err
	}
	cp := *e
	cp.Summary = summaryf("the Builder cuts allocations by %.1f%% for 10 items and %.1f%% for 1000 (claim: 70-90%%)",
		100*e.Get("10 items: cut by the Builder"), 100*e.Get("1000 items: cut by the Builder"))
	return &cp, nil
}

// bytePool hands out *[]byte with length 0, the convention under which
// seed 003's BytePool version (L274-283) builds the right string.
var bytePool = sync.Pool{New: func() interface{} { b := make([]byte, 0, 16<<10); return &b }}

func pooledBuild(n int) func() {
	return func() {
		bp := bytePool.Get().(*[]byte)
		buf := (*bp)[:0]
		for _, it := range words[:n] {
			buf = append(buf, it...)
		}
		sinkStr = string(buf)
		*bp = buf
		bytePool.Put(bp)
	}
}

func c00317(*ev.Ctx) (*ev.Evidence, error) {
	p := alloc.Per(200, pooledBuild(items))
	b := alloc.Per(200, builderGrow(items, 10))
	e := ev.New("1000 items of 9 bytes built in a pooled []byte (sync.Pool of *[]byte, length reset to 0), then string(buf)")
	e.Add("pooled buffer: allocations per call", p.Allocs, ev.Count)
	e.Add("pooled buffer: bytes per call", p.Bytes, ev.Bytes)
	e.Add("strings.Builder: allocations per call", b.Allocs, ev.Count)
	return e.Say("the pooled build still makes %.0f allocation per call (%s: string(buf) copies the result), as many as a Builder (%.0f)", p.Allocs, ev.Human(p.Bytes), b.Allocs), nil
}

var (
	sinkPoints   []point
	sinkPointers []*point
)

// point is seed 003 策略5's value type (L324-328).
type point struct{ X, Y int }

func c00323(*ev.Ctx) (*ev.Evidence, error) {
	vals := alloc.Per(20, func() {
		ps := make([]point, items)
		for i := range ps {
			ps[i] = point{i, i}
		}
		sinkPoints = ps
	})
	ptrs := alloc.Per(20, func() {
		ps := make([]*point, items)
		for i := range ps {
			ps[i] = &point{i, i}
		}
		sinkPointers = ps
	})
	e := ev.New("1000 points of two ints, as []Point and as []*Point")
	e.Add("[]Point: allocations", vals.Allocs, ev.Count)
	e.Add("[]*Point: allocations", ptrs.Allocs, ev.Count)
	return e.Say("[]Point: %.0f allocation; []*Point: %.0f", vals.Allocs, ptrs.Allocs), nil
}

type ctxKey struct{}

// withValue is seed 003 策略7 (L361-385): a context carrying a big value,
// a pointer to it, or an id.
var withValue = ev.Once(func(*ev.Ctx) (*ev.Evidence, error) {
	big := new(snippets.Big)
	root := context.Background()
	val := alloc.Per(20, func() { sinkAny = context.WithValue(root, ctxKey{}, *big) })
	ptr := alloc.Per(20, func() { sinkAny = context.WithValue(root, ctxKey{}, big) })
	id := alloc.Per(20, func() { sinkAny = context.WithValue(root, ctxKey{}, "id123") })
	e := ev.New("context.WithValue with a 1,000,000-byte struct by value, by pointer, and a string id")
	e.Add("by value: bytes per WithValue", val.Bytes, ev.Bytes)
	e.Add("by pointer: bytes per WithValue", ptr.Bytes, ev.Bytes)
	e.Add("by id: bytes per WithValue", id.Bytes, ev.Bytes)
	e.Add("value size", 1000000, ev.Bytes)
	return e.Say("by value: %s per WithValue (the struct is copied into the interface); by pointer %s; by id %s",
		ev.Human(val.Bytes), ev.Human(ptr.Bytes), ev.Human(id.Bytes)), nil
})

func c00327(c *ev.Ctx) (*ev.Evidence, error) { return withValue.Get(c) }

// deferPool is a pool whose Get(n) returns a buffer of length n, the
// convention under which seed 003's BytePool version (L274-283) goes wrong.
type deferPool struct {
	returned [][]byte
}

func (p *deferPool) Get(n int) []byte { return make([]byte, n) }
func (p *deferPool) Put(b []byte)     { p.returned = append(p.returned, b) }

// buildDeferred has the seed's shape: the buffer's Put is deferred before
// the appends, and the string is built from the grown buffer.
func buildDeferred(p *deferPool, parts []string) string {
	buf := p.Get(len(parts) * 10)
	defer p.Put(buf)
	for _, it := range parts {
		buf = append(buf, it...)
	}
	return string(buf)
}

func d53(*ev.Ctx) (*ev.Evidence, error) {
	p := &deferPool{}
	parts := words[:100]
	want := strings.Join(parts, "")
	got := buildDeferred(p, parts)
	e := ev.New("100 items of 9 bytes; a pool whose Get(n) returns length n; `defer pool.Put(buf)` before the appends")
	e.Add("expected length", float64(len(want)), ev.Bytes)
	e.Add("built length", float64(len(got)), ev.Bytes)
	e.Add("stale bytes in front", float64(len(got)-len(want)), ev.Bytes)
	returned := p.returned[0]
	e.Add("capacity of the buffer returned to the pool", float64(cap(returned)), ev.Bytes)
	e.B("the pool got the grown buffer", cap(returned) >= len(got))
	return e.Say("the string starts with %d zero bytes (%d B instead of %d); the deferred Put returned the %d-byte buffer from before the appends",
		len(got)-len(want), len(got), len(want), cap(returned)), nil
}

func summaryf(format string, args ...interface{}) string {
	return ev.New("").Say(format, args...).Summary
}

func init() {
	ev.Register("escape_heap", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C001-35": fromGrowth(""),
		"C003-12": fromGrowth(""),
		"C003-14": fromGrowth(""),
		"C001-37": c00137,
		"C003-15": c00315,
		"C003-16": c00316,
		"C003-17": c00317,
		"C003-18": c00318,
		"C003-23": c00323,
		"C003-27": c00327,
		"C003-28": c00327,
		"D53":     d53,
	})
}
