// Package lockfreering measures seed 000's lock-free ring buffer (§1.3.2,
// L383-441) in Go: its capacity, what two producers do to it, what Go's
// race detector says of it, and its field layout.
package lockfreering

import (
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"time"
	"unsafe"

	"perfworkbook/internal/child"
	"perfworkbook/internal/ev"
	"perfworkbook/lock_free_ring/ring"
)

// capacity pushes into a fresh ring until it refuses, for each size.
func capacity(size int) (held int, panicked bool) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	r := ring.New[int](size)
	for held < 1<<20 && r.Push(held) {
		held++
	}
	return held, false
}

func c00019(*ev.Ctx) (*ev.Evidence, error) {
	e := ev.New("a ring with the seed's rounding and full test; items pushed into a fresh ring until Push refuses")
	for _, size := range []int{0, 1, 5, 8} {
		held, panicked := capacity(size)
		name := "new(" + strconv.Itoa(size) + ")"
		e.B(name+": Push panics", panicked)
		if !panicked {
			e.Add(name+": items held", float64(held), ev.Count)
			e.Add(name+": slots", float64(ring.New[int](size).Slots()), ev.Count)
		}
	}
	return e.Say("new(8) holds %.0f, new(5) rounds to %.0f slots and holds %.0f, new(1) holds %.0f; new(0).Push panics: %v",
		e.Get("new(8): items held"), e.Get("new(5): slots"), e.Get("new(5): items held"), e.Get("new(1): items held"),
		e.Get("new(0): Push panics") == 1), nil
}

// stress is the seed's ring under one and two producers, in this process.
var stress = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	per := c.Pick(100000, 25000)
	e := ev.New("a 1024-slot ring with the seed's Push/Pop, %d distinct values per producer, one consumer, all spinning when full or empty, GOMAXPROCS=%d", per, runtime.GOMAXPROCS(0))
	spins := 0
	spin := func() {
		if spins++; spins%64 == 0 {
			runtime.Gosched()
		}
	}
	l1, d1 := ring.Stress(1024, 1, 2*per, spin)
	l2, d2 := ring.Stress(1024, 2, per, spin)
	e.Add("values sent", float64(2*per), ev.Count)
	e.Add("1 producer: lost", float64(l1), ev.Count)
	e.Add("1 producer: duplicated", float64(d1), ev.Count)
	e.Add("2 producers: lost", float64(l2), ev.Count)
	e.Add("2 producers: duplicated", float64(d2), ev.Count)
	e.Add("1 producer: faults", float64(l1+d1), ev.Count)
	e.Add("2 producers: faults", float64(l2+d2), ev.Count)
	got := ring.Interleaved(8, 1, 2)
	e.Add("2 pushes preempted between reserve and publish: items popped", float64(len(got)), ev.Count)
	e.Add("2 pushes preempted between reserve and publish: items lost", float64(2-len(got)), ev.Count)
	return e, nil
})

var foundRe = regexp.MustCompile(`Found (\d+) data race`)

// races runs the race-detector binary for one scenario and counts reports.
func races(c *ev.Ctx, scenario string, per int) (int, string, error) {
	if c.Tool == nil {
		return 0, "", errors.New("the race detector needs the go command (gocheck -go PATH)")
	}
	bin, err := c.Tool.RaceBinary("./cmd/gorace")
	if err != nil {
		return 0, "", err
	}
	o, err := child.RunBinary(bin, []string{scenario, strconv.Itoa(per)}, []string{"GORACE=halt_on_error=0 exitcode=66 atexit_sleep_ms=0"}, 2*time.Minute)
	if err != nil {
		return 0, "", err
	}
	if o.TimedOut {
		return 0, "", errors.New("the race-detector run of " + scenario + " timed out")
	}
	n := 0
	if m := foundRe.FindStringSubmatch(o.Stderr); m != nil {
		n, _ = strconv.Atoi(m[1])
	}
	if n == 0 && o.ExitCode != 0 {
		return 0, "", errors.New("gorace " + scenario + " failed: " + firstLine(o.Stderr))
	}
	return n, o.Stdout, nil
}

func firstLine(s string) string {
	for i, ch := range s {
		if ch == '\n' {
			return s[:i]
		}
	}
	return s
}

// raceCounts runs the race-detector binary once per scenario and run.
var raceCounts = ev.Once(func(c *ev.Ctx) ([2]int, error) {
	one, _, err := races(c, "ring-1p", racePer(c))
	if err != nil {
		return [2]int{}, err
	}
	two, _, err := races(c, "ring-step", 0)
	if err != nil {
		return [2]int{}, err
	}
	return [2]int{one, two}, nil
})

func racePer(c *ev.Ctx) int { return c.Pick(10000, 2000) }

// withRaces adds the race detector's reports for one and two producers.
func withRaces(c *ev.Ctx, e *ev.Evidence) (*ev.Evidence, error) {
	n, err := raceCounts.Get(c)
	if err != nil {
		return nil, err
	}
	e.Condition += fmt.Sprintf("; and `go build -race`: one producer and one consumer with %d values, and two producers that both reserve a slot before either writes (an interleaving a preemption allows)", 2*racePer(c))
	e.Add("race detector, 1 producer: reports", float64(n[0]), ev.Count)
	e.Add("race detector, 2 producers: reports", float64(n[1]), ev.Count)
	return e, nil
}

func c00018(c *ev.Ctx) (*ev.Evidence, error) {
	s, err := stress.Get(c)
	if err != nil {
		return nil, err
	}
	cp := *s
	cp.Figures = append([]ev.Figure(nil), s.Figures...)
	e, err := withRaces(c, &cp)
	if err != nil {
		return nil, err
	}
	return e.Say("1 producer: %.0f lost, %.0f duplicated, %.0f race reports; 2 producers: %.0f lost, %.0f duplicated, %.0f race reports",
		e.Get("1 producer: lost"), e.Get("1 producer: duplicated"), e.Get("race detector, 1 producer: reports"),
		e.Get("2 producers: lost"), e.Get("2 producers: duplicated"), e.Get("race detector, 2 producers: reports")), nil
}

func d16(c *ev.Ctx) (*ev.Evidence, error) {
	s, err := stress.Get(c)
	if err != nil {
		return nil, err
	}
	cp := *s
	cp.Condition += "; and two Pushes run step by step, both reserving before either publishes"
	return cp.Say("2 producers: %.0f of %.0f values lost and %.0f duplicated in the stress run (1 producer: %.0f and %.0f); two Pushes interleaved step by step leave %.0f of 2 items",
		s.Get("2 producers: lost"), s.Get("values sent"), s.Get("2 producers: duplicated"), s.Get("1 producer: lost"), s.Get("1 producer: duplicated"),
		s.Get("2 pushes preempted between reserve and publish: items popped")), nil
}

func d17(c *ev.Ctx) (*ev.Evidence, error) {
	e := ev.New("the seed's ring under Go's race detector, one consumer")
	e, err := withRaces(c, e)
	if err != nil {
		return nil, err
	}
	return e.Say("the race detector reports %.0f data race(s) with two producers, %.0f with one",
		e.Get("race detector, 2 producers: reports"), e.Get("race detector, 1 producer: reports")), nil
}

func d18(*ev.Ctx) (*ev.Evidence, error) {
	var r ring.Ring[uint64]
	head, tail := ringOffsets(&r)
	e := ev.New("offsets of head and tail in the seed's layout (unsafe.Offsetof through a mirror struct), 64-byte cache lines")
	e.Add("head offset", float64(head), ev.Bytes)
	e.Add("tail offset", float64(tail), ev.Bytes)
	e.Add("tail − head", float64(tail-head), ev.Bytes)
	e.Add("cache line", 64, ev.Bytes)
	return e.Say("head and tail are %d bytes apart: one 64-byte cache line holds both", tail-head), nil
}

// mirror has ring.Ring's field types in its order (its fields are
// unexported); sizes are checked equal.
type mirror struct {
	buffer []uint64
	mask   uint64
	head   uint64
	tail   uint64
}

func ringOffsets(r *ring.Ring[uint64]) (uintptr, uintptr) {
	var m mirror
	if unsafe.Sizeof(m) != unsafe.Sizeof(*r) {
		panic("mirror and ring differ in size")
	}
	return unsafe.Offsetof(m.head), unsafe.Offsetof(m.tail)
}

func init() {
	ev.Register("lock_free_ring", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C000-18": c00018,
		"C000-19": c00019,
		"D15":     c00019,
		"D16":     d16,
		"D17":     d17,
		"D18":     d18,
	})
}
