// Package marksweep measures what seeds 001 and 004 say about garbage
// collection against Go's own collector: what it frees, what it scans, and
// what a recursive tri-color marker does on a cycle in a Go program.
package marksweep

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"time"

	"perfworkbook/internal/alloc"
	"perfworkbook/internal/child"
	"perfworkbook/internal/ev"
)

type node struct {
	next *node
	pad  [48]byte
}

var (
	rooted    *node
	sinkBytes []byte
	sinkPtrs  []*byte
)

//go:noinline
func buildChain(n int) *node {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{next: head}
	}
	return head
}

//go:noinline
func buildCycles(pairs int) {
	for i := 0; i < pairs; i++ {
		a, b := &node{}, &node{}
		a.next, b.next = b, a
	}
}

// c00116 is seed 001 §6.1.1.4.1 (L177-179): GC(H) = H − Unreachable(H).
// A rooted chain and as many unreachable two-object cycles; what one
// collection frees.
func c00116(c *ev.Ctx) (*ev.Evidence, error) {
	n := c.Pick(200000, 50000)
	e := ev.New("%d objects of 64 B reachable from a global, and %d in unreachable two-object cycles; runtime.MemStats.HeapAlloc around runtime.GC()", n, n)
	rooted = nil
	base := alloc.HeapAfterGC()
	var before float64
	alloc.NoGC(func() {
		rooted = buildChain(n)
		buildCycles(n / 2)
		before = alloc.HeapNow()
	})
	after := alloc.HeapAfterGC()
	const size = 64
	e.Add("reachable bytes", float64(n*size), ev.Bytes)
	e.Add("unreachable bytes (cycles)", float64(n*size), ev.Bytes)
	e.Add("freed by the collection", before-after, ev.Bytes)
	e.Add("kept after the collection", after-base, ev.Bytes)
	rooted = nil
	return e.Say("the collection freed %s of %s in unreachable cycles and kept %s of %s reachable",
		ev.Human(before-after), ev.Human(float64(n*size)), ev.Human(after-base), ev.Human(float64(n*size))), nil
}

func scannable() (float64, bool) {
	s := []metrics.Sample{{Name: "/gc/scan/heap:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0, false
	}
	return float64(s[0].Value.Uint64()), true
}

func gcTime(rounds int) float64 {
	ts := make([]float64, rounds)
	for i := range ts {
		t := time.Now()
		runtime.GC()
		ts[i] = float64(time.Since(t).Nanoseconds())
	}
	sort.Float64s(ts)
	return ts[len(ts)/2]
}

//go:noinline
func allocBytes(n int) { sinkBytes = make([]byte, n) }

//go:noinline
func allocPointers(n int) {
	sinkPtrs = make([]*byte, n)
	b := new(byte)
	for i := range sinkPtrs {
		sinkPtrs[i] = b
	}
}

// c00405 is seed 004 L23: "the GC has to scan the large block". A live
// []byte against a live slice of pointers, by the collector's time and, on
// Go 1.21+, by the runtime's count of scannable heap bytes.
func c00405(c *ev.Ctx) (*ev.Evidence, error) {
	size := c.Pick(256<<20, 64<<20)
	rounds := c.Pick(5, 3)
	ptrBytes := c.Pick(32<<20, 8<<20)
	e := ev.New("a live %s []byte, then a live %s []*byte (all set); median of %d runtime.GC() each; /gc/scan/heap:bytes where this Go has it (%s)",
		ev.Human(float64(size)), ev.Human(float64(ptrBytes)), rounds, ev.Version())
	sinkBytes, sinkPtrs = nil, nil
	alloc.HeapAfterGC()
	base := gcTime(rounds)
	s0, has := scannable()
	allocBytes(size)
	withBytes := gcTime(rounds)
	s1, _ := scannable()
	sinkBytes = nil
	alloc.HeapAfterGC()
	allocPointers(ptrBytes / 8)
	withPtrs := gcTime(rounds)
	s2, _ := scannable()
	sinkPtrs = nil
	alloc.HeapAfterGC()
	debug.FreeOSMemory()
	e.Add("block size", float64(size), ev.Bytes)
	e.Add("GC with nothing live", base, ev.Nanos)
	e.Add("GC with the []byte live", withBytes, ev.Nanos)
	e.Add("GC with the []*byte live", withPtrs, ev.Nanos)
	e.Add("GC time, []byte live ÷ nothing live", withBytes/base, ev.Ratio)
	e.Add("GC time, []*byte live ÷ nothing live", withPtrs/base, ev.Ratio)
	perByte := ((withBytes - base) / float64(size)) / ((withPtrs - base) / float64(ptrBytes))
	e.Add("GC time added per byte, []byte ÷ []*byte", perByte, ev.Ratio)
	if has {
		e.Add("scannable heap added by the []byte", s1-s0, ev.Bytes)
		e.Add("scannable heap added by the []*byte", s2-s0, ev.Bytes)
	}
	extra := ""
	if has {
		extra = fmt.Sprintf("; scannable heap +%s for the []byte, +%s for the pointers", ev.Human(s1-s0), ev.Human(s2-s0))
	}
	return e.Say("a collection takes %s with nothing live, %s with the %s []byte (%.2f×), %s with %s of pointers (%.2f×)%s",
		ev.Dur(base), ev.Dur(withBytes), ev.Human(float64(size)), withBytes/base, ev.Dur(withPtrs), ev.Human(float64(ptrBytes)), withPtrs/base, extra), nil
}

// object and color follow seed 001's marker (§6.1.1.4.1, L185-240).
type color int

const (
	white color = iota
	gray
	black
)

type object struct {
	color    color
	children []*object
}

// markRecursive has the seed's behaviour: it stops only at black nodes,
// colors a node gray, recurses into every child, then colors it black.
func markRecursive(o *object) {
	if o.color == black {
		return
	}
	o.color = gray
	for _, c := range o.children {
		markRecursive(c)
	}
	o.color = black
}

// markWorklist is the fix: an explicit gray stack, and a node is pushed
// only while white.
func markWorklist(root *object) int {
	marked := 0
	stack := []*object{root}
	root.color = gray
	for len(stack) > 0 {
		o := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range o.children {
			if c.color == white {
				c.color = gray
				stack = append(stack, c)
			}
		}
		o.color = black
		marked++
	}
	return marked
}

func cycle() *object {
	a, b := &object{}, &object{}
	a.children = []*object{b}
	b.children = []*object{a}
	return a
}

func chain(n int) *object {
	root := &object{}
	o := root
	for i := 1; i < n; i++ {
		next := &object{}
		o.children = []*object{next}
		o = next
	}
	return root
}

func init() {
	child.Register("mark-recursive-cycle", func() {
		debug.SetMaxStack(64 << 20)
		markRecursive(cycle())
		fmt.Println("marked")
	})
	child.Register("mark-recursive-chain", func() {
		n, err := strconv.Atoi(os.Getenv("GOCHECK_CHAIN"))
		if err != nil {
			fmt.Println("bad GOCHECK_CHAIN:", err)
			os.Exit(4)
		}
		markRecursive(chain(n))
		fmt.Println("marked")
	})
}

var marking = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	n := c.Pick(1000000, 200000)
	e := ev.New("a marker with seed 001's behaviour (recursive, stops only at black) in child processes: a two-object cycle with a 64 MiB goroutine stack limit, and a %d-object chain with Go's default limit (1 GB); the worklist marker on both in this process", n)
	cyc, err := child.Run("mark-recursive-cycle", time.Minute)
	if err != nil {
		return nil, err
	}
	ch, err := child.Run("mark-recursive-chain", time.Minute, "GOCHECK_CHAIN="+strconv.Itoa(n))
	if err != nil {
		return nil, err
	}
	e.B("recursive, 2-object cycle: stack overflow", cyc.Fatal() && cyc.Says("stack overflow"))
	e.B("recursive, 2-object cycle: finished", strings.Contains(cyc.Stdout, "marked"))
	e.Add("chain length", float64(n), ev.Count)
	e.B("recursive, long chain: finished", strings.Contains(ch.Stdout, "marked"))
	e.Add("worklist, 2-object cycle: marked", float64(markWorklist(cycle())), ev.Count)
	e.Add("worklist, long chain: marked", float64(markWorklist(chain(n))), ev.Count)
	how := "exit " + fmt.Sprint(cyc.ExitCode)
	if cyc.Says("stack overflow") {
		how = "fatal error: stack overflow"
	}
	return e.Say("the recursive marker on a 2-object cycle: %s; on a %d-object chain it finished (%v: Go's stacks grow up to 1 GB); the worklist marks both",
		how, n, strings.Contains(ch.Stdout, "marked")), nil
})

func fromMarking(c *ev.Ctx) (*ev.Evidence, error) { return marking.Get(c) }

func init() {
	ev.Register("mark_sweep", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C001-16": c00116,
		"C004-05": c00405,
		"C001-18": fromMarking,
		"D32":     fromMarking,
	})
}
