// Package snippets holds one small function per escape-analysis question the
// seeds raise. It is compiled with `go build -gcflags=-m`, and the compiler's
// decision is read for every line marked `// mark:NAME` (see
// escape_heap/escape.go). Each function is marked //go:noinline so that its
// own decision is the one reported on its own lines.
//
// Nothing here is the seeds' code: each function reproduces the situation a
// seed describes (seed 001 §6.1.1.3, L28-93; seed 003 策略7, L361-369).
package snippets

// Sink keeps values reachable after a function returns.
var Sink interface{}

// SinkPtr keeps a pointer reachable after a function returns.
var SinkPtr *int

// StackVar takes a local int's address but keeps it local (seed 001 L47:
// "stackVar := 42" is on the stack).
//
//go:noinline
func StackVar() int {
	v := 42 // mark:stack-var
	p := &v
	*p++
	return *p
}

// LocalNew is new(int) used only inside the function, as in seed 001 L50-51
// (the comment there says "heap allocation").
//
//go:noinline
func LocalNew() int {
	p := new(int) // mark:new-int-local
	*p = 100
	return *p
}

// ReturnedNew returns the pointer new(int) made.
//
//go:noinline
func ReturnedNew() *int {
	p := new(int) // mark:new-int-returned
	*p = 100
	return p
}

// ConstMake is a constant-size make used locally, as in seed 001 L54
// ("may escape to the heap"): 1000 ints, 8000 bytes.
//
//go:noinline
func ConstMake() int {
	s := make([]int, 1000) // mark:make-1000-local
	s[999] = 1
	return s[999]
}

// BigConstMake is the same with 10,000 ints (80,000 bytes), above the
// compiler's 64 KiB limit for an implicit stack allocation.
//
//go:noinline
func BigConstMake() int {
	s := make([]int, 10000) // mark:make-10000-local
	s[9999] = 1
	return s[9999]
}

// DynamicMake has a size known only at run time (seed 001 L80-81).
//
//go:noinline
func DynamicMake(n int) int {
	s := make([]int, n) // mark:make-n-local
	if n > 0 {
		s[n-1] = 1
	}
	return len(s)
}

// ReturnAddress returns the address of a local (seed 001 L84-87).
//
//go:noinline
func ReturnAddress() *int {
	x := 42 // mark:return-address
	return &x
}

// ReturnValue returns a local by value (seed 001 L89-93).
//
//go:noinline
func ReturnValue() int {
	x := 42 // mark:return-value
	return x
}

// StoredNotReturned stores a local's address in a global and returns
// nothing: it escapes without being returned (against seed 001's
// definition, L61-62).
//
//go:noinline
func StoredNotReturned() {
	y := 7 // mark:stored-not-returned
	SinkPtr = &y
}

// call runs f; not inlined, so a closure passed to it is a real value whose
// escape the compiler decides.
//
//go:noinline
func call(f func()) { f() }

// LocalClosure captures and changes a variable, in a closure that does not
// outlive the call.
//
//go:noinline
func LocalClosure() int {
	n := 0               // mark:closure-local-var
	call(func() { n++ }) // mark:closure-local-func
	return n
}

// ReturnedClosure captures and changes a variable, and is returned: the
// variable must outlive the call.
//
//go:noinline
func ReturnedClosure() func() int {
	n := 0              // mark:closure-returned-var
	return func() int { // mark:closure-returned-func
		n++
		return n
	}
}

// LocalInterface converts a value to an interface used only locally.
//
//go:noinline
func LocalInterface(x int) int {
	var i interface{} = x // mark:iface-local
	v, _ := i.(int)
	return v
}

// StoredInterface converts a value to an interface that outlives the call.
//
//go:noinline
func StoredInterface(x int) {
	Sink = x // mark:iface-stored
}

// Big has the size of seed 003's bigData (策略7, L361-369): a million bytes.
type Big struct {
	Data [1000000]byte
}

// ValueIntoInterface puts a Big value into an interface (what
// context.WithValue does with its argument).
//
//go:noinline
func ValueIntoInterface(b *Big) {
	Sink = *b // mark:big-value-iface
}

// PointerIntoInterface puts a pointer to it instead.
//
//go:noinline
func PointerIntoInterface(b *Big) {
	Sink = b // mark:big-pointer-iface
}

// layout has seed 001's MemoryLayout fields (L32-41): an int, a pointer,
// a string.
type layout struct {
	stackVar  int
	heapVar   *int
	globalVar string
}

// NewLayout returns a layout that outlives the call.
//
//go:noinline
func NewLayout() interface{} {
	return &layout{stackVar: 1} // mark:layout-returned
}
