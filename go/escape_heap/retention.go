package escapeheap

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
	"unsafe"

	"perfworkbook/internal/alloc"
	"perfworkbook/internal/ev"
	"perfworkbook/internal/osx"
)

// memoryLayout has the fields of seed 001's MemoryLayout (§6.1.1.3.1,
// L32-41), whose comments place them on the stack, the heap and in global
// memory.
type memoryLayout struct {
	stackVar  int
	heapVar   *int
	globalVar string
}

// packageLevel is a real global, for comparison.
var packageLevel = "global"

//go:noinline
func newLayout() *memoryLayout {
	v := 100
	return &memoryLayout{stackVar: 42, heapVar: &v, globalVar: "x"}
}

func c00107(c *ev.Ctx) (*ev.Evidence, error) {
	e, h, err := escapes(c, "a MemoryLayout returned from a function; where its three fields live (/proc/self/maps)", "layout-returned")
	if err != nil {
		return nil, err
	}
	m := newLayout()
	regions := map[uintptr]bool{}
	base := uintptr(unsafe.Pointer(m))
	inside := 0
	for _, p := range []uintptr{
		uintptr(unsafe.Pointer(&m.stackVar)),
		uintptr(unsafe.Pointer(&m.heapVar)),
		uintptr(unsafe.Pointer(&m.globalVar)),
	} {
		lo, _, ok := osx.Region(p)
		if !ok {
			return nil, fmt.Errorf("address %#x is in no mapping", p)
		}
		regions[lo] = true
		if p >= base && p < base+unsafe.Sizeof(*m) {
			inside++
		}
	}
	glo, _, _ := osx.Region(uintptr(unsafe.Pointer(&packageLevel)))
	slo, _, _ := osx.Region(base)
	runtime.KeepAlive(m)
	e.Add("fields inside the struct's block", float64(inside), ev.Count)
	e.Add("memory regions holding the three fields", float64(len(regions)), ev.Count)
	e.B("a package-level var lies in another region", glo != slo)
	return e.Say("all %d fields lie inside the struct's one block (on the %s); %d region for the three, whatever the comments say", inside, word(h["layout-returned"]), len(regions)), nil
}

var hold []byte

//go:noinline
func allocHold(n int) { hold = make([]byte, n) }

// c00139 is seed 001 §6.1.1.9.2 (L851-855): `largeData = nil` as an
// explicit release.
func c00139(c *ev.Ctx) (*ev.Evidence, error) {
	size := c.Pick(64<<20, 16<<20)
	e := ev.New("a %s []byte held in a package variable, set to nil; heap (runtime.ReadMemStats HeapAlloc) right after, and after the next runtime.GC()", ev.Human(float64(size)))
	alloc.HeapAfterGC()
	allocHold(size)
	runtime.GC() // finish any cycle the allocation started; hold survives it
	before := alloc.HeapNow()
	hold = nil
	afterNil := alloc.HeapNow()
	afterGC := alloc.HeapAfterGC()
	e.Add("size", float64(size), ev.Bytes)
	e.Add("released by = nil", before-afterNil, ev.Bytes)
	e.Add("released by the next GC", afterNil-afterGC, ev.Bytes)
	return e.Say("`= nil` released %s; the next collection released %s", ev.Human(before-afterNil), ev.Human(afterNil-afterGC)), nil
}

// c00123 is seed 001 §6.1.1.4.2 (L269-275): debug.ReadGCStats and the
// three fields the seed prints.
func c00123(*ev.Ctx) (*ev.Evidence, error) {
	e := ev.New("debug.GCStats's fields (reflect), and debug.ReadGCStats around 3 forced collections")
	t := reflect.TypeOf(debug.GCStats{})
	for _, f := range []string{"NumGC", "PauseTotal", "PauseMax"} {
		_, ok := t.FieldByName(f)
		e.B("GCStats has "+f, ok)
	}
	var before, after debug.GCStats
	debug.ReadGCStats(&before)
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	after.PauseQuantiles = make([]time.Duration, 5)
	debug.ReadGCStats(&after)
	e.Add("forced collections", 3, ev.Count)
	e.Add("NumGC increase", float64(after.NumGC-before.NumGC), ev.Count)
	e.Add("PauseTotal increase", float64(after.PauseTotal-before.PauseTotal), ev.Nanos)
	e.Add("largest recent pause (PauseQuantiles[4])", float64(after.PauseQuantiles[4]), ev.Nanos)
	return e.Say("NumGC rose by %d for 3 forced collections and PauseTotal by %v; there is no PauseMax field: the largest pause is PauseQuantiles[4] = %v",
		after.NumGC-before.NumGC, after.PauseTotal-before.PauseTotal, after.PauseQuantiles[4]), nil
}

var keep []byte

//go:noinline
func first10(data []byte) []byte { return data[:10] }

//go:noinline
func copy10(data []byte) []byte {
	r := make([]byte, 10)
	copy(r, data)
	return r
}

//go:noinline
func capped10(data []byte) []byte { return data[:10:10] }

//go:noinline
func keepHead(size int, f func([]byte) []byte) {
	keep = f(make([]byte, size))
}

// heads is seed 003 策略4 (L288-308): the first 10 bytes of a big slice,
// three ways; what stays live after a collection.
var heads = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	size := c.Pick(16<<20, 4<<20)
	e := ev.New("the first 10 bytes of a %s []byte kept in a global, the big slice dropped; live heap after two runtime.GC() (HeapAlloc)", ev.Human(float64(size)))
	e.Add("size", float64(size), ev.Bytes)
	for _, v := range []struct {
		name string
		f    func([]byte) []byte
	}{{"data[:10]", first10}, {"copy into make([]byte, 10)", copy10}, {"data[:10:10]", capped10}} {
		keep = nil
		base := alloc.HeapAfterGC()
		keepHead(size, v.f)
		held := alloc.HeapAfterGC() - base
		e.Add(v.name+": bytes kept live", held, ev.Bytes)
		e.Add(v.name+": cap", float64(cap(keep)), ev.Bytes)
	}
	keep = nil
	return e.Say("data[:10] keeps %s live, data[:10:10] %s, a copy %s",
		ev.Human(e.Get("data[:10]: bytes kept live")), ev.Human(e.Get("data[:10:10]: bytes kept live")),
		ev.Human(e.Get("copy into make([]byte, 10): bytes kept live"))), nil
})

func c00319(c *ev.Ctx) (*ev.Evidence, error) { return heads.Get(c) }

type pointXY struct{ X, Y int }

var points interface{}

//go:noinline
func buildValues(n int) {
	ps := make([]pointXY, n)
	for i := range ps {
		ps[i] = pointXY{i, i}
	}
	points = ps
}

//go:noinline
func buildPointers(n int) {
	ps := make([]*pointXY, n)
	for i := range ps {
		ps[i] = &pointXY{i, i}
	}
	points = ps
}

// scannable reads /gc/scan/heap:bytes (Go 1.21+); false when this Go
// does not have the metric.
func scannable() (float64, bool) {
	s := []metrics.Sample{{Name: "/gc/scan/heap:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0, false
	}
	return float64(s[0].Value.Uint64()), true
}

// gcTime is the median wall time of a forced collection over rounds.
func gcTime(rounds int) float64 {
	ts := make([]float64, rounds)
	for i := range ts {
		t := time.Now()
		runtime.GC()
		ts[i] = float64(time.Since(t).Nanoseconds())
	}
	return median(ts)
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[len(s)/2]
}

// c00322 is seed 003 策略5 (L311-336): pointers make the collector's work
// grow; values do not.
func c00322(c *ev.Ctx) (*ev.Evidence, error) {
	n := c.Pick(1000000, 200000)
	rounds := c.Pick(5, 3)
	e := ev.New("%d points of two ints live as []Point and as []*Point; median of %d forced runtime.GC() each", n, rounds)
	points = nil
	alloc.HeapAfterGC()
	base := gcTime(rounds)
	s0, has := scannable()
	buildValues(n)
	vals := gcTime(rounds)
	s1, _ := scannable()
	points = nil
	alloc.HeapAfterGC()
	buildPointers(n)
	ptrs := gcTime(rounds)
	s2, _ := scannable()
	points = nil
	alloc.HeapAfterGC()
	e.Add("GC with nothing live", base, ev.Nanos)
	e.Add("GC with []Point live", vals, ev.Nanos)
	e.Add("GC with []*Point live", ptrs, ev.Nanos)
	e.Add("GC time, []*Point ÷ []Point", ptrs/vals, ev.Ratio)
	if has {
		e.Add("scannable heap added by []Point", s1-s0, ev.Bytes)
		e.Add("scannable heap added by []*Point", s2-s0, ev.Bytes)
	}
	return e.Say("a collection takes %s with []Point live and %s with []*Point (%.1f×)", ev.Dur(vals), ev.Dur(ptrs), ptrs/vals), nil
}

type stringKeyUsers struct{}
type stringKeyTraces struct{}

// Two "packages" that each store a value in a context. With string keys
// (seed 003 策略7, L369-384, uses "data" and "dataID") they collide; with
// unexported key types they cannot.
func usersAttach(ctx context.Context, v string) context.Context {
	return context.WithValue(ctx, "data", v)
}
func usersRead(ctx context.Context) string { s, _ := ctx.Value("data").(string); return s }
func tracesAttach(ctx context.Context, v string) context.Context {
	return context.WithValue(ctx, "data", v)
}
func usersAttachTyped(ctx context.Context, v string) context.Context {
	return context.WithValue(ctx, stringKeyUsers{}, v)
}
func usersReadTyped(ctx context.Context) string {
	s, _ := ctx.Value(stringKeyUsers{}).(string)
	return s
}
func tracesAttachTyped(ctx context.Context, v string) context.Context {
	return context.WithValue(ctx, stringKeyTraces{}, v)
}

func d56(*ev.Ctx) (*ev.Evidence, error) {
	root := context.Background()
	s := usersRead(tracesAttach(usersAttach(root, "alice"), "trace-42"))
	t := usersReadTyped(tracesAttachTyped(usersAttachTyped(root, "alice"), "trace-42"))
	e := ev.New("package users stores \"alice\" under a key, then package traces stores \"trace-42\" under its own; users reads its value back")
	e.B("string keys: users reads its own value", s == "alice")
	e.B("key types: users reads its own value", t == "alice")
	return e.Say("with string keys users reads %q; with key types %q", s, t), nil
}

func init() {
	ev.Register("escape_heap", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C001-07": c00107,
		"C001-23": c00123,
		"C001-39": c00139,
		"C003-19": c00319,
		"C003-20": c00319,
		"C003-21": c00319,
		"D54":     c00319,
		"C003-22": c00322,
		"D56":     d56,
	})
}
