// Command gocheck measures, in Go, what the seeds claim about Go, and prints
// one JSON document of evidence keyed by ledger id:
//
//	{"go_version": "go1.27.3", "claims": {"C004-01": {"chapter": "mmap",
//	  "condition": "...", "summary": "...", "figures": [{"name": ..., "value": ...,
//	  "unit": "nanos"}], "error": null, "elapsed_ms": 3.1}}}
//
// It decides nothing: the workbook (cargo run --release) reads the figures
// and judges each claim with its rules. Run it by hand from go/:
//
//	go run ./cmd/gocheck -quick -chapter mmap
//
// Flags select chapters and claims; -go, -src and -work name the toolchain
// (for escape analysis and the race detector), this module's root and a
// directory for build products.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"perfworkbook/internal/child"
	"perfworkbook/internal/ev"

	_ "perfworkbook/allocator_tuning"
	_ "perfworkbook/escape_heap"
	_ "perfworkbook/lock_free_ring"
	_ "perfworkbook/mark_sweep"
	_ "perfworkbook/measuring"
	_ "perfworkbook/mmap"
	_ "perfworkbook/monitoring"
	_ "perfworkbook/pools"
	_ "perfworkbook/struct_layout"
	_ "perfworkbook/worker_pools"
	_ "perfworkbook/zero_copy"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, strings.Split(v, ",")...); return nil }

type result struct {
	Chapter   string      `json:"chapter"`
	Condition string      `json:"condition"`
	Summary   string      `json:"summary"`
	Figures   []ev.Figure `json:"figures"`
	Error     *string     `json:"error"`
	ElapsedMs float64     `json:"elapsed_ms"`
}

type document struct {
	GoVersion  string            `json:"go_version"`
	GOOS       string            `json:"goos"`
	GOARCH     string            `json:"goarch"`
	GOMAXPROCS int               `json:"gomaxprocs"`
	Quick      bool              `json:"quick"`
	Toolchain  string            `json:"toolchain"`
	ElapsedS   float64           `json:"elapsed_s"`
	Claims     map[string]result `json:"claims"`
}

func main() {
	child.Dispatch()
	var chapters, claims list
	flag.Var(&chapters, "chapter", "only this chapter slug (repeatable or comma-separated)")
	flag.Var(&claims, "claim", "only this ledger id (repeatable or comma-separated)")
	quick := flag.Bool("quick", false, "small sizes and few repetitions")
	listOnly := flag.Bool("list", false, "list the claims measured, one `id chapter` per line, and exit")
	goTool := flag.String("go", "", "the go command, for escape analysis and -race (default: go on PATH)")
	src := flag.String("src", "", "this module's root (default: found above the working directory)")
	work := flag.String("work", "", "directory for build products kept between runs (default: a temporary one)")
	prepare := flag.Bool("prepare", false, "build what later runs need (escape log, race binary) and exit")
	flag.Parse()

	all := ev.Claims()
	known := map[string]bool{}
	knownCh := map[string]bool{}
	for _, c := range all {
		known[c.ID] = true
		knownCh[c.Chapter] = true
	}
	for _, ch := range chapters {
		if !knownCh[ch] {
			fail("unknown chapter %q (known: %s)", ch, strings.Join(ev.Chapters, ", "))
		}
	}
	for _, id := range claims {
		if !known[id] {
			fail("claim %q is not measured by the Go side (see -list)", id)
		}
	}
	selected := all[:0:0]
	for _, c := range all {
		if (len(chapters) == 0 || contains(chapters, c.Chapter)) && (len(claims) == 0 || contains(claims, c.ID)) {
			selected = append(selected, c)
		}
	}
	if *listOnly {
		for _, c := range selected {
			fmt.Printf("%s %s\n", c.ID, c.Chapter)
		}
		return
	}

	tool, toolNote := toolchain(*goTool, *src, *work)
	if *prepare {
		if tool == nil {
			fail("-prepare needs a toolchain: %s", toolNote)
		}
		if _, err := tool.EscapeLog("./escape_heap/snippets"); err != nil {
			fail("%v", err)
		}
		if _, err := tool.RaceBinary("./cmd/gorace"); err != nil {
			fmt.Fprintf(os.Stderr, "gocheck: %v\n", err)
		}
		return
	}

	ctx := &ev.Ctx{Quick: *quick, Tool: tool}
	start := time.Now()
	doc := document{
		GoVersion:  runtime.Version(),
		GOOS:       runtime.GOOS,
		GOARCH:     runtime.GOARCH,
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Quick:      *quick,
		Toolchain:  toolNote,
		Claims:     map[string]result{},
	}
	for _, c := range selected {
		doc.Claims[c.ID] = run(c, ctx)
	}
	doc.ElapsedS = time.Since(start).Seconds()
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		fail("%v", err)
	}
	fmt.Println(string(out))
}

// run measures one claim; a panic becomes the claim's error.
func run(c ev.Claim, ctx *ev.Ctx) (r result) {
	r.Chapter = c.Chapter
	start := time.Now()
	defer func() {
		r.ElapsedMs = float64(time.Since(start).Microseconds()) / 1e3
		if p := recover(); p != nil {
			msg := fmt.Sprintf("the measurement panicked: %v", p)
			r.Error = &msg
		}
	}()
	// Each measurement starts from a collected heap and the default GC
	// settings, whatever the previous one did.
	runtime.GC()
	debug.SetGCPercent(100)
	e, err := c.Measure(ctx)
	if err != nil {
		msg := err.Error()
		r.Error = &msg
		return r
	}
	r.Condition, r.Summary, r.Figures = e.Condition, e.Summary, e.Figures
	return r
}

// toolchain finds the go command and this module's sources; nil (with the
// reason) when either is missing.
func toolchain(goTool, src, work string) (*ev.Toolchain, string) {
	if goTool == "" {
		p, err := exec.LookPath("go")
		if err != nil {
			return nil, "no go command on PATH: escape analysis and the race detector are not run"
		}
		goTool = p
	}
	if src == "" {
		wd, _ := os.Getwd()
		m, err := ev.FindModule(wd)
		if err != nil {
			return nil, err.Error()
		}
		src = m
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return nil, err.Error()
	}
	return &ev.Toolchain{Go: goTool, Src: abs, Work: work}, goTool
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "gocheck: "+format+"\n", args...)
	os.Exit(2)
}
