// Package escapeheap measures the seeds' claims about Go's escape analysis
// and heap behaviour in Go itself: the compiler's own decisions (`go build
// -gcflags=-m` on package snippets, read per marked line), allocation counts
// (testing.AllocsPerRun), and the live heap after collections
// (runtime.ReadMemStats).
package escapeheap

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"perfworkbook/escape_heap/snippets"
	"perfworkbook/internal/alloc"
	"perfworkbook/internal/ev"
)

// Decision is what the compiler printed for one marked line.
type Decision struct {
	// Line is the line number in snippets.go.
	Line int
	// Heap is true when it printed "moved to heap" or "escapes to heap".
	Heap bool
	// Messages are the escape messages printed for the line.
	Messages []string
}

const snippetsFile = "escape_heap/snippets/snippets.go"

var markRe = regexp.MustCompile(`// mark:([a-z0-9-]+)`)

// ParseMarks maps each `// mark:NAME` in src to its line number.
func ParseMarks(src string) map[string]int {
	marks := map[string]int{}
	for i, line := range strings.Split(src, "\n") {
		if m := markRe.FindStringSubmatch(line); m != nil {
			marks[m[1]] = i + 1
		}
	}
	return marks
}

// ParseDecisions reads `go build -gcflags=-m` output and returns the escape
// messages printed for each marked line of file (inlining notes and leaking
// parameters are not decisions about the marked value, and are skipped).
func ParseDecisions(log, file string, marks map[string]int) map[string]Decision {
	byLine := map[int][]string{}
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		line := sc.Text()
		i := strings.Index(line, file+":")
		if i < 0 {
			continue
		}
		var ln, col int
		rest := line[i+len(file)+1:]
		if _, err := fmt.Sscanf(rest, "%d:%d:", &ln, &col); err != nil {
			continue
		}
		msg := strings.TrimSpace(rest[strings.Index(rest, ": ")+1:])
		if strings.HasPrefix(msg, "can inline") || strings.HasPrefix(msg, "inlining call") || strings.HasPrefix(msg, "leaking param") {
			continue
		}
		byLine[ln] = append(byLine[ln], msg)
	}
	out := map[string]Decision{}
	for name, ln := range marks {
		d := Decision{Line: ln, Messages: byLine[ln]}
		for _, m := range d.Messages {
			if strings.Contains(m, "moved to heap") || strings.Contains(m, "escapes to heap") {
				d.Heap = true
			}
		}
		out[name] = d
	}
	return out
}

var decisions = ev.Once(func(c *ev.Ctx) (map[string]Decision, error) {
	if c.Tool == nil {
		return nil, errors.New("escape analysis needs the go command (gocheck -go PATH)")
	}
	log, err := c.Tool.EscapeLog("./escape_heap/snippets")
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(filepath.Join(c.Tool.Src, snippetsFile))
	if err != nil {
		return nil, err
	}
	marks := ParseMarks(string(src))
	if len(marks) == 0 {
		return nil, errors.New("no `// mark:` lines in " + snippetsFile)
	}
	return ParseDecisions(log, snippetsFile, marks), nil
})

// expressions are the marks whose line holds an expression (new, make, a
// func literal, a conversion): the compiler prints a decision for them
// either way. The other marks are variables, reported only when moved.
var expressions = []string{
	"new-int-local", "new-int-returned", "make-1000-local", "make-10000-local",
	"make-n-local", "closure-local-func", "closure-returned-func", "iface-local",
	"iface-stored", "big-value-iface", "layout-returned",
}

// escapes records "-m: NAME escapes" for each mark and returns the evidence.
func escapes(c *ev.Ctx, condition string, marks ...string) (*ev.Evidence, map[string]bool, error) {
	d, err := decisions.Get(c)
	if err != nil {
		return nil, nil, err
	}
	e := ev.New("go build -gcflags=-m on escape_heap/snippets (%s); %s", ev.Version(), condition)
	heap := map[string]bool{}
	for _, m := range marks {
		dec, ok := d[m]
		if !ok {
			return nil, nil, fmt.Errorf("mark %q is not in %s", m, snippetsFile)
		}
		if contains(expressions, m) && len(dec.Messages) == 0 {
			return nil, nil, fmt.Errorf("the compiler printed no decision for %s (line %d)", m, dec.Line)
		}
		heap[m] = e.B("-m: "+m+" escapes", dec.Heap)
	}
	return e, heap, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func word(heap bool) string {
	if heap {
		return "heap"
	}
	return "stack"
}

func allocs(f func()) float64 { return alloc.Per(1000, f).Allocs }

func c00104(c *ev.Ctx) (*ev.Evidence, error) {
	e, h, err := escapes(c, "a local int whose address is taken and used locally", "stack-var")
	if err != nil {
		return nil, err
	}
	n := e.Add("StackVar allocations per call", allocs(func() { snippets.StackVar() }), ev.Count)
	return e.Say("stackVar := 42 stays on the %s (moved to heap: %v), %.0f allocations per call", word(h["stack-var"]), h["stack-var"], n), nil
}

func c00105(c *ev.Ctx) (*ev.Evidence, error) {
	e, h, err := escapes(c, "new(int) used only locally, as in seed 001 L50-51, and new(int) returned", "new-int-local", "new-int-returned")
	if err != nil {
		return nil, err
	}
	l := e.Add("local new(int): allocations per call", allocs(func() { snippets.LocalNew() }), ev.Count)
	r := e.Add("returned new(int): allocations per call", allocs(func() { snippets.SinkPtr = snippets.ReturnedNew() }), ev.Count)
	return e.Say("new(int) used locally: %s (%.0f allocations); returned: %s (%.0f)", word(h["new-int-local"]), l, word(h["new-int-returned"]), r), nil
}

func c00106(c *ev.Ctx) (*ev.Evidence, error) {
	e, h, err := escapes(c, "make([]int, 1000) used locally as in seed 001 L54, and make([]int, 10000) (80,000 B, above the 64 KiB implicit stack limit)", "make-1000-local", "make-10000-local")
	if err != nil {
		return nil, err
	}
	a := e.Add("make 1000 ints: allocations per call", allocs(func() { snippets.ConstMake() }), ev.Count)
	b := e.Add("make 10000 ints: allocations per call", allocs(func() { snippets.BigConstMake() }), ev.Count)
	return e.Say("make([]int, 1000): %s (%.0f allocations); make([]int, 10000): %s (%.0f)", word(h["make-1000-local"]), a, word(h["make-10000-local"]), b), nil
}

func c00108(c *ev.Ctx) (*ev.Evidence, error) {
	e, h, err := escapes(c, "a local returned by value, and a local whose address is stored in a global but never returned", "return-value", "stored-not-returned")
	if err != nil {
		return nil, err
	}
	return e.Say("returned by value: %s; stored in a global, never returned: %s (the definition gets both wrong)", word(h["return-value"]), word(h["stored-not-returned"])), nil
}

func c00109(c *ev.Ctx) (*ev.Evidence, error) {
	e, h, err := escapes(c, "`x := 42; return &x` in a function that is not inlined", "return-address")
	if err != nil {
		return nil, err
	}
	n := e.Add("return &x: allocations per call", allocs(func() { snippets.SinkPtr = snippets.ReturnAddress() }), ev.Count)
	return e.Say("return &x: x is moved to the %s (%.0f allocation per call)", word(h["return-address"]), n), nil
}

func c00110(c *ev.Ctx) (*ev.Evidence, error) {
	e, h, err := escapes(c, "a closure that changes a captured variable, once called in place through a function that does not keep it, once returned",
		"closure-local-var", "closure-local-func", "closure-returned-var", "closure-returned-func")
	if err != nil {
		return nil, err
	}
	l := e.Add("local closure: allocations per call", allocs(func() { snippets.LocalClosure() }), ev.Count)
	r := e.Add("returned closure: allocations per call", allocs(func() { snippets.Sink = snippets.ReturnedClosure() }), ev.Count)
	return e.Say("captured variable of a local closure: %s (%.0f allocations); of a returned closure: %s (%.0f)", word(h["closure-local-var"]), l, word(h["closure-returned-var"]), r), nil
}

func c00111(c *ev.Ctx) (*ev.Evidence, error) {
	e, h, err := escapes(c, "an int (1000, outside the runtime's preallocated small values) converted to interface{}, once used locally, once stored in a global", "iface-local", "iface-stored")
	if err != nil {
		return nil, err
	}
	l := e.Add("local interface: allocations per call", allocs(func() { snippets.LocalInterface(1000) }), ev.Count)
	s := e.Add("stored interface: allocations per call", allocs(func() { snippets.StoredInterface(1000) }), ev.Count)
	return e.Say("interface used locally: %s (%.0f allocations); stored: %s (%.0f)", word(h["iface-local"]), l, word(h["iface-stored"]), s), nil
}

func c00112(c *ev.Ctx) (*ev.Evidence, error) {
	e, h, err := escapes(c, "make([]int, n) with n known at run time (seed 001 L80-81)", "make-n-local")
	if err != nil {
		return nil, err
	}
	big := e.Add("make([]int, n), n = 1000: allocations per call", allocs(func() { snippets.DynamicMake(1000) }), ev.Count)
	small := e.Add("make([]int, n), n = 2: allocations per call", allocs(func() { snippets.DynamicMake(2) }), ev.Count)
	return e.Say("-m says %s for make([]int, n); at run time n = 1000 makes %.0f allocation(s), n = 2 makes %.0f", word(h["make-n-local"]), big, small), nil
}

func c00113(c *ev.Ctx) (*ev.Evidence, error) {
	e, h, err := escapes(c, "`x := 42; return x`", "return-value")
	if err != nil {
		return nil, err
	}
	n := e.Add("return x: allocations per call", allocs(func() { snippets.ReturnValue() }), ev.Count)
	return e.Say("returning x by value keeps it on the %s (%.0f allocations)", word(h["return-value"]), n), nil
}

func c00307(c *ev.Ctx) (*ev.Evidence, error) {
	d, err := decisions.Get(c)
	if err != nil {
		return nil, err
	}
	e := ev.New("go build -gcflags=-m on escape_heap/snippets (%s): one decision per marked expression", ev.Version())
	decided, heap := 0, 0
	for _, m := range expressions {
		if len(d[m].Messages) > 0 {
			decided++
		}
		if d[m].Heap {
			heap++
		}
	}
	e.Add("marked expressions", float64(len(expressions)), ev.Count)
	e.Add("marked expressions with a printed decision", float64(decided), ev.Count)
	e.Add("decisions 'escapes to heap' or 'moved to heap'", float64(heap), ev.Count)
	return e.Say("-gcflags=-m printed a decision for %d of %d marked expressions (%d to the heap, %d not)", decided, len(expressions), heap, decided-heap), nil
}

func init() {
	ev.Register("escape_heap", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C001-04": c00104,
		"C001-05": c00105,
		"C001-06": c00106,
		"C001-08": c00108,
		"C001-09": c00109,
		"C001-10": c00110,
		"C001-11": c00111,
		"C001-12": c00112,
		"C001-13": c00113,
		"C003-07": c00307,
	})
}
