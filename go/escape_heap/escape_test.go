package escapeheap

import "testing"

// A log in the shape `go build -gcflags=-m` prints, for three marked lines.
const recordedLog = `# perfworkbook/escape_heap/snippets
escape_heap/snippets/snippets.go:3:6: can inline f
escape_heap/snippets/snippets.go:4:2: moved to heap: x
escape_heap/snippets/snippets.go:5:10: new(int) does not escape
escape_heap/snippets/snippets.go:6:9: leaking param: p
escape_heap/snippets/snippets.go:9:11: inlining call to f
`

const recordedSrc = `package snippets

func f() {
	x := 1 // mark:moved
	p := new(int) // mark:stays
	_ = p // mark:silent
}
`

func TestDecisionsAreReadPerMarkedLine(t *testing.T) {
	marks := ParseMarks(recordedSrc)
	if len(marks) != 3 || marks["moved"] != 4 || marks["stays"] != 5 {
		t.Fatalf("marks: %v", marks)
	}
	d := ParseDecisions(recordedLog, snippetsFile, marks)
	if !d["moved"].Heap || d["stays"].Heap || d["silent"].Heap {
		t.Fatalf("decisions: %+v", d)
	}
	if len(d["stays"].Messages) != 1 || len(d["silent"].Messages) != 0 {
		t.Fatalf("messages: %+v", d)
	}
}
