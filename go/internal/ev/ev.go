// Package ev is the Go side's evidence: named figures with units, the
// condition they were measured under, and the registry of claims each
// chapter package measures.
//
// A measurement never decides a verdict here. The workbook (Rust) reads the
// figures and applies its rules, the same way it judges its own
// measurements; this program only measures and reports.
package ev

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
)

// Units, spelled as the workbook's table::Unit names them.
const (
	Count       = "count"
	Bytes       = "bytes"
	Nanos       = "nanos"
	Ratio       = "ratio"
	Fraction    = "fraction"
	BytesPerSec = "bytes_per_sec"
	PerSec      = "per_sec"
	Bool        = "bool"
)

// Figure is one measured number.
type Figure struct {
	Name  string
	Value float64
	Unit  string
}

// MarshalJSON writes the value as a number, or as "inf", "-inf" or "nan"
// (JSON has no such numbers; the workbook reads the three words back).
func (f Figure) MarshalJSON() ([]byte, error) {
	var v interface{} = f.Value
	switch {
	case math.IsNaN(f.Value):
		v = "nan"
	case math.IsInf(f.Value, 1):
		v = "inf"
	case math.IsInf(f.Value, -1):
		v = "-inf"
	}
	return json.Marshal(struct {
		Name  string      `json:"name"`
		Value interface{} `json:"value"`
		Unit  string      `json:"unit"`
	}{f.Name, v, f.Unit})
}

// Evidence is what one claim's measurement produced.
type Evidence struct {
	// Condition says what was run, with sizes and settings, so a reader can
	// redo it.
	Condition string `json:"condition"`
	// Summary states the key figures in one line.
	Summary string `json:"summary"`
	// Figures are the measured numbers, by name.
	Figures []Figure `json:"figures"`
}

// New returns empty evidence measured under a condition.
func New(condition string, args ...interface{}) *Evidence {
	return &Evidence{Condition: fmt.Sprintf(condition, args...), Figures: []Figure{}}
}

// Add records a figure and returns its value.
func (e *Evidence) Add(name string, value float64, unit string) float64 {
	e.Figures = append(e.Figures, Figure{name, value, unit})
	return value
}

// B records a yes/no figure (1 or 0).
func (e *Evidence) B(name string, v bool) bool {
	if v {
		e.Add(name, 1, Bool)
	} else {
		e.Add(name, 0, Bool)
	}
	return v
}

// Say sets the summary.
func (e *Evidence) Say(format string, args ...interface{}) *Evidence {
	e.Summary = fmt.Sprintf(format, args...)
	return e
}

// Get returns a recorded figure's value (NaN when absent).
func (e *Evidence) Get(name string) float64 {
	for _, f := range e.Figures {
		if f.Name == name {
			return f.Value
		}
	}
	return math.NaN()
}

// Ctx is what a measurement may know of the run.
type Ctx struct {
	// Quick asks for small sizes and few repetitions.
	Quick bool
	// Tool runs the Go toolchain (escape analysis, the race detector);
	// nil when none was given.
	Tool *Toolchain
}

// Pick returns full normally and quick under -quick.
func (c *Ctx) Pick(full, quick int) int {
	if c.Quick {
		return quick
	}
	return full
}

// Claim is one ledger entry the Go side measures.
type Claim struct {
	// ID is the ledger id, e.g. C004-01 or D60.
	ID string
	// Chapter is the workbook chapter's slug.
	Chapter string
	// Measure runs the measurement.
	Measure func(*Ctx) (*Evidence, error)
}

var (
	mu       sync.Mutex
	registry []Claim
)

// Register adds a chapter's claims; each chapter package calls it from init.
func Register(chapter string, claims map[string]func(*Ctx) (*Evidence, error)) {
	mu.Lock()
	defer mu.Unlock()
	for id, m := range claims {
		registry = append(registry, Claim{ID: id, Chapter: chapter, Measure: m})
	}
}

// Claims returns every registered claim, sorted by chapter order then id.
func Claims() []Claim {
	mu.Lock()
	defer mu.Unlock()
	out := append([]Claim(nil), registry...)
	sort.Slice(out, func(i, j int) bool {
		ci, cj := ChapterRank(out[i].Chapter), ChapterRank(out[j].Chapter)
		if ci != cj {
			return ci < cj
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Chapters are the workbook's chapter slugs in book order.
var Chapters = []string{
	"measuring", "zero_copy", "struct_layout", "escape_heap",
	"pools", "mark_sweep", "lock_free_ring", "mmap", "allocator_tuning", "worker_pools", "monitoring",
}

// ChapterRank is a chapter's position in the book (unknown ones last).
func ChapterRank(slug string) int {
	for i, c := range Chapters {
		if c == slug {
			return i
		}
	}
	return len(Chapters)
}

// Lazy is a measurement shared by several claims, taken once per run.
type Lazy[T any] struct {
	once sync.Once
	f    func(*Ctx) (T, error)
	v    T
	err  error
}

// Once wraps f so that it runs at most once.
func Once[T any](f func(*Ctx) (T, error)) *Lazy[T] {
	return &Lazy[T]{f: f}
}

// Get runs the measurement the first time and returns its result.
func (l *Lazy[T]) Get(c *Ctx) (T, error) {
	l.once.Do(func() { l.v, l.err = l.f(c) })
	return l.v, l.err
}

// Version is the Go version this program was built with.
func Version() string { return runtime.Version() }

// Btoi is 1 for true and 0 for false.
func Btoi(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// MiB is 1 << 20.
const MiB = 1 << 20

// Human formats a byte count the way the workbook prints it.
func Human(n float64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", n/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", n/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", n/(1<<10))
	}
	return fmt.Sprintf("%.0f B", n)
}

// Dur formats nanoseconds the way the workbook prints them.
func Dur(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	}
	return fmt.Sprintf("%.2f ns", ns)
}
