package escapeheap

import (
	"perfworkbook/internal/compile"
	"perfworkbook/internal/ev"
)

// Fresh files with the shapes of the seeds' examples, each to be checked by
// Go's own front end: does it compile, and what does it say?

// unusedLocals has the shape of seed 001 §6.1.1.3.1 (L45-55): locals made
// with new and make, one of them never used.
const unusedLocals = `package example

func locals() {
	onStack := 42
	_ = onStack
	onHeap := new(int)
	*onHeap = 100
	mayEscape := make([]int, 1000)
}
`

// undefinedSize has the shape of seed 001 §6.1.1.3.2 (L66-82): a closure,
// an interface and a slice, none used, and a size never declared.
const undefinedSize = `package example

import "fmt"

func cases() {
	p := new(int)
	show := func() { fmt.Println(p) }
	var boxed interface{} = p
	slice := make([]int, size)
}
`

// resetWithoutMethod has the shape of seed 001 §6.1.1.9.1 (L820-843): a
// pool's reset calls a method the type does not have, and locals go unused.
const resetWithoutMethod = `package example

type Buffer struct {
	data []byte
}

func setup() {
	reset := func(buf *Buffer) { buf.Reset() }
	reset(&Buffer{})
	prealloc := make([]int, 0, 1000)
}
`

// nilRelease has the shape of seed 001 §6.1.1.9.2 (L851-869): a big slice
// made, then set to nil as an "explicit release", and never read.
const nilRelease = `package example

func release() {
	large := make([]byte, 1<<20)
	large = nil
}
`

func compiles(what, src string, marks ...string) func(*ev.Ctx) (*ev.Evidence, error) {
	return func(c *ev.Ctx) (*ev.Evidence, error) {
		r := compile.Check("example.go", src)
		e := ev.New("go/parser and go/types (%s) on a fresh file with %s", ev.Version(), what)
		e.Add("syntax errors", float64(len(r.SyntaxErrors)), ev.Count)
		e.Add("type errors", float64(len(r.TypeErrors)), ev.Count)
		if len(marks) > 0 {
			d, err := decisions.Get(c)
			if err != nil {
				return nil, err
			}
			for _, m := range marks {
				e.B("-m: "+m+" escapes", d[m].Heap)
			}
		}
		return e.Say("Go's type checker: %s (%d error(s))", r.First(), r.Errors()), nil
	}
}

func init() {
	ev.Register("escape_heap", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"D29": compiles("the shape of seed 001 L45-55 (a local never used); and the escape decisions for its new(int) and make([]int, 1000)",
			unusedLocals, "new-int-local", "make-1000-local"),
		"D30": compiles("the shape of seed 001 L66-82 (three unused locals, an undeclared size)", undefinedSize),
		"D45": compiles("the shape of seed 001 L820-843 (a reset calling a missing method, an unused local)", resetWithoutMethod),
		"D46": compiles("the shape of seed 001 L851-869 (a slice set to nil and never read)", nilRelease),
	})
}
