// Package structlayout measures the seeds' struct layouts with Go's own
// unsafe.Sizeof and unsafe.Offsetof: Go lays fields out in declaration
// order, so the seeds' claims about padding are claims about Go's compiler,
// decided here exactly.
package structlayout

import (
	"unsafe"

	"perfworkbook/internal/compile"
	"perfworkbook/internal/ev"
)

// seed000Reordered has the field types of seed 000 §1.2.2 (L219-227)
// "OptimizedStruct": int64, bool, [32]byte, float64, int64.
type seed000Reordered struct {
	ID      int64
	Active  bool
	Name    [32]byte
	Score   float64
	Created int64
}

// seed000Original has the field types of seed 000 §1.2.2 (L229-236)
// "UnoptimizedStruct": bool, int64, [32]byte, float64, int64.
type seed000Original struct {
	Active  bool
	ID      int64
	Name    [32]byte
	Score   float64
	Created int64
}

// seed001Before is seed 001 §6.1.1.5.2's (L362-372) order: bool, int64,
// bool, int32.
type seed001Before struct {
	a bool
	b int64
	c bool
	d int32
}

// seed001After is the reordered version (L374-383): int64, int32, bool, bool.
type seed001After struct {
	b int64
	d int32
	a bool
	c bool
}

var layouts = ev.Once(func(*ev.Ctx) (*ev.Evidence, error) {
	var o seed000Reordered
	var u seed000Original
	e := ev.New("unsafe.Sizeof and unsafe.Offsetof, %s", "GOARCH=amd64-like 64-bit layout as compiled here")
	e.Add("OptimizedStruct size", float64(unsafe.Sizeof(o)), ev.Bytes)
	e.Add("UnoptimizedStruct size", float64(unsafe.Sizeof(u)), ev.Bytes)
	e.Add("Optimized: Active offset", float64(unsafe.Offsetof(o.Active)), ev.Bytes)
	e.Add("Optimized: Name offset", float64(unsafe.Offsetof(o.Name)), ev.Bytes)
	e.Add("Optimized: Score offset", float64(unsafe.Offsetof(o.Score)), ev.Bytes)
	e.Add("Optimized: padding after Active", float64(unsafe.Offsetof(o.Name)-unsafe.Offsetof(o.Active)-unsafe.Sizeof(o.Active)), ev.Bytes)
	e.Add("Optimized: padding after Name", float64(unsafe.Offsetof(o.Score)-unsafe.Offsetof(o.Name)-unsafe.Sizeof(o.Name)), ev.Bytes)
	e.Add("Unoptimized: ID offset", float64(unsafe.Offsetof(u.ID)), ev.Bytes)
	e.Add("Unoptimized: padding after Active", float64(unsafe.Offsetof(u.ID)-unsafe.Sizeof(u.Active)), ev.Bytes)
	var b seed001Before
	var a seed001After
	e.Add("{bool,int64,bool,int32} size", float64(unsafe.Sizeof(b)), ev.Bytes)
	e.Add("{int64,int32,bool,bool} size", float64(unsafe.Sizeof(a)), ev.Bytes)
	e.Add("[1000]{bool,int64,bool,int32} size", float64(unsafe.Sizeof([1000]seed001Before{})), ev.Bytes)
	e.Add("[1000]{int64,int32,bool,bool} size", float64(unsafe.Sizeof([1000]seed001After{})), ev.Bytes)
	return e, nil
})

// pick copies the named figures of the shared layout evidence.
func pick(summary string, names ...string) func(*ev.Ctx) (*ev.Evidence, error) {
	return func(c *ev.Ctx) (*ev.Evidence, error) {
		all, err := layouts.Get(c)
		if err != nil {
			return nil, err
		}
		e := ev.New(all.Condition)
		for _, n := range names {
			e.Add(n, all.Get(n), ev.Bytes)
		}
		vals := make([]interface{}, len(names))
		for i, n := range names {
			vals[i] = all.Get(n)
		}
		return e.Say(summary, vals...), nil
	}
}

// importAfterDecls has the shape of seed 000 §1.2.2 (L218-247): types
// first, then an import, then a function using fmt without importing it.
const importAfterDecls = `package layout

type pair struct {
	flag  bool
	count int64
}

import "unsafe"

func size() uintptr {
	fmt.Println("size")
	return unsafe.Sizeof(pair{})
}
`

func d11(*ev.Ctx) (*ev.Evidence, error) {
	r := compile.Check("layout.go", importAfterDecls)
	e := ev.New("go/parser and go/types on a fresh file with the seed's shape: a type declaration, then `import \"unsafe\"`, then a function calling fmt without importing it (seed 000 §1.2.2 L238-247)")
	e.Add("syntax errors", float64(len(r.SyntaxErrors)), ev.Count)
	e.Add("type errors", float64(len(r.TypeErrors)), ev.Count)
	return e.Say("the Go parser rejects it: %s", r.First()), nil
}

func init() {
	ev.Register("struct_layout", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C000-08": pick("OptimizedStruct %.0f B, UnoptimizedStruct %.0f B", "OptimizedStruct size", "UnoptimizedStruct size"),
		"C000-09": pick("Name follows Active at offset %.0f: %.0f B of padding after Active, %.0f B after Name",
			"Optimized: Name offset", "Optimized: padding after Active", "Optimized: padding after Name"),
		"C000-10": pick("ID sits at offset %.0f after %.0f B of padding", "Unoptimized: ID offset", "Unoptimized: padding after Active"),
		"C001-25": pick("%.0f B → %.0f B; per 1000: %.0f B → %.0f B",
			"{bool,int64,bool,int32} size", "{int64,int32,bool,bool} size",
			"[1000]{bool,int64,bool,int32} size", "[1000]{int64,int32,bool,bool} size"),
		"D10": pick("the reordering saves nothing: %.0f B → %.0f B", "UnoptimizedStruct size", "OptimizedStruct size"),
		"D11": d11,
	})
}
