// Package allocator_tuning measures, in Go, what the seeds say about Go's
// GC knobs: debug.SetGCPercent and its default (seed 000 §1.2.3, seed 001
// §6.1.1.4.2), debug.SetMemoryLimit (the same passages and seed 001
// §6.1.1.9.2), a forced runtime.GC() as an "optimization" (seed 000
// §1.2.3), debug.FreeOSMemory labelled "force GC" (seed 001 §6.1.1.4.2),
// seed 003's pause target and gctrace advice, and knobs set in init()
// (seed 003 最佳实践4).
//
// Every workload here is fresh Go written to the seeds' descriptions; none
// copies a seed's code. Each measurement restores GOGC and the memory limit
// it changed.
package allocator_tuning

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"time"

	"perfworkbook/internal/child"
	"perfworkbook/internal/ev"
)

const block = 4 << 10

// churnResult is what one run of the churn workload saw.
type churnResult struct {
	gcs     float64 // collections during the run
	peak    float64 // highest heap-object bytes sampled (every MiB allocated)
	elapsed float64 // nanoseconds
	forced  float64 // runtime.GC() calls made by the workload
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}

func readHeap() (heap, cycles float64) {
	metrics.Read(heapSample)
	return float64(heapSample[0].Value.Uint64()), float64(heapSample[1].Value.Uint64())
}

var sinkRing [][]byte

// churn keeps live bytes reachable in a ring of 4 KiB blocks and allocates
// total bytes through it (each new block replaces the oldest), calling
// runtime.GC() every forceEvery bytes when forceEvery > 0.
func churn(live, total, forceEvery int) churnResult {
	runtime.GC()
	ring := make([][]byte, live/block)
	sinkRing = ring
	_, c0 := readHeap()
	var r churnResult
	start := time.Now()
	perMiB := (1 << 20) / block
	for i := 0; i < total/block; i++ {
		b := make([]byte, block)
		b[0] = byte(i)
		ring[i%len(ring)] = b
		if i%perMiB == 0 {
			if h, _ := readHeap(); h > r.peak {
				r.peak = h
			}
		}
		if forceEvery > 0 && i > 0 && (i*block)%forceEvery == 0 {
			runtime.GC()
			r.forced++
		}
	}
	r.elapsed = float64(time.Since(start).Nanoseconds())
	_, c1 := readHeap()
	r.gcs = c1 - c0
	sinkRing = nil
	return r
}

// sizes of the churn: live and total bytes.
func sizes(c *ev.Ctx) (live, total int) {
	return c.Pick(32, 16) * ev.MiB, c.Pick(256, 96) * ev.MiB
}

// withGOGC runs f with GOGC set to p and restores the previous value.
func withGOGC(p int, f func()) {
	prev := debug.SetGCPercent(p)
	defer debug.SetGCPercent(prev)
	f()
}

// withLimit runs f under a memory limit and restores the previous one.
func withLimit(limit int64, f func()) {
	prev := debug.SetMemoryLimit(limit)
	defer debug.SetMemoryLimit(prev)
	f()
}

// knobs is what a fresh process reads back of GOGC and the memory limit.
type knobs struct{ gogc, limit float64 }

// readKnobs runs the knobs child with env and parses what it printed.
func readKnobs(env ...string) (knobs, error) {
	o, err := child.Run("alloc-knobs", 20*time.Second, env...)
	if err != nil {
		return knobs{}, err
	}
	var g, l int64
	if _, err := fmt.Sscanf(o.Stdout, "%d %d", &g, &l); err != nil {
		return knobs{}, fmt.Errorf("knobs child printed %q (%s): %v", o.Stdout, strings.TrimSpace(o.Stderr), err)
	}
	return knobs{float64(g), float64(l)}, nil
}

// initKnobsEnv asks this package's init (in the child) to set the knobs as
// seed 003 最佳实践4 (L451-462) does.
const initKnobsEnv = "PERFWB_INIT_KNOBS"

func init() {
	if os.Getenv(child.Env) == "alloc-knobs" && os.Getenv(initKnobsEnv) == "1" {
		// seed 003 最佳实践4 L455-461: both knobs, hard-coded, in init().
		debug.SetMemoryLimit(100 * 1024 * 1024)
		debug.SetGCPercent(50)
	}
	child.Register("alloc-knobs", func() {
		g := debug.SetGCPercent(100)  // returns the value in force
		l := debug.SetMemoryLimit(-1) // a negative limit reads it back
		fmt.Printf("%d %d\n", g, l)
	})
	child.Register("alloc-gctrace", func() {
		live, total := 8*ev.MiB, 64*ev.MiB
		if os.Getenv("PERFWB_QUICK") == "1" {
			total = 32 * ev.MiB
		}
		churn(live, total, 0)
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Printf("%d\n", m.NumGC)
	})
	ev.Register("allocator_tuning", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C000-11": gcPercent,
		"C001-20": gcPercent,
		"C000-12": memoryLimit,
		"C001-21": memoryLimit,
		"C001-42": memoryLimit,
		"C000-13": forcedGC,
		"D12":     forcedGC,
		"C001-22": freeOSMemory,
		"D34":     freeOSMemory,
		"C003-03": pauses,
		"C003-33": initKnobs,
		"D59":     initKnobs,
		"C003-40": gctrace,
	})
}

var gcPercentOnce = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	live, total := sizes(c)
	e := ev.New("a fresh process with GOGC unset reads GOGC back (debug.SetGCPercent returns the value in force); then %s live in 4 KiB blocks and %s allocated through it, under SetGCPercent(50), (100) and (200)",
		ev.Human(float64(live)), ev.Human(float64(total)))
	k, err := readKnobs("GOGC=", "GOMEMLIMIT=")
	if err != nil {
		return nil, err
	}
	e.Add("GOGC in force with GOGC unset", k.gogc, ev.Count)
	res := map[int]churnResult{}
	for _, p := range []int{50, 100, 200} {
		withGOGC(p, func() { res[p] = churn(live, total, 0) })
		e.Add(fmt.Sprintf("GCs at GOGC %d", p), res[p].gcs, ev.Count)
		e.Add(fmt.Sprintf("peak heap at GOGC %d", p), res[p].peak, ev.Bytes)
	}
	return e.Say("default GOGC %.0f; GCs %.0f / %.0f / %.0f and peak heap %s / %s / %s at GOGC 50 / 100 / 200",
		k.gogc, res[50].gcs, res[100].gcs, res[200].gcs,
		ev.Human(res[50].peak), ev.Human(res[100].peak), ev.Human(res[200].peak)), nil
})

// gcPercent is seed 000 §1.2.3 (L256) and seed 001 §6.1.1.4.2 (L261):
// SetGCPercent(100), "default 100".
func gcPercent(c *ev.Ctx) (*ev.Evidence, error) { return gcPercentOnce.Get(c) }

var memoryLimitOnce = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	live, total := sizes(c)
	near := int64(live + live/2)
	below := int64(live / 2)
	e := ev.New("%s live in 4 KiB blocks, %s allocated through it at GOGC 100: no limit, SetMemoryLimit(1 GiB), a limit of %s (above the live data) and of %s (below it)",
		ev.Human(float64(live)), ev.Human(float64(total)), ev.Human(float64(near)), ev.Human(float64(below)))
	var set float64
	withLimit(1<<30, func() { set = float64(debug.SetMemoryLimit(-1)) })
	e.Add("limit read back after SetMemoryLimit(1 GiB)", set, ev.Bytes)
	none := churn(live, total, 0)
	var gib, above, under churnResult
	withLimit(1<<30, func() { gib = churn(live, total, 0) })
	withLimit(near, func() { above = churn(live, total, 0) })
	withLimit(below, func() { under = churn(live, total, 0) })
	e.Add("live bytes", float64(live), ev.Bytes)
	e.Add("GCs, no limit", none.gcs, ev.Count)
	e.Add("peak heap, no limit", none.peak, ev.Bytes)
	e.Add("GCs, 1 GiB limit", gib.gcs, ev.Count)
	e.Add("peak heap, 1 GiB limit", gib.peak, ev.Bytes)
	e.Add("limit above the live data", float64(near), ev.Bytes)
	e.Add("GCs, limit above the live data", above.gcs, ev.Count)
	e.Add("peak heap, limit above the live data", above.peak, ev.Bytes)
	e.Add("limit below the live data", float64(below), ev.Bytes)
	e.Add("GCs, limit below the live data", under.gcs, ev.Count)
	e.Add("peak heap, limit below the live data", under.peak, ev.Bytes)
	e.Add("time, no limit", none.elapsed, ev.Nanos)
	e.Add("time, limit below the live data", under.elapsed, ev.Nanos)
	return e.Say("1 GiB limit: %.0f GCs, peak %s (no limit: %.0f, %s); %s limit: %.0f GCs, peak %s; %s limit under %s live: %.0f GCs, peak %s, %s vs %s, no failure",
		gib.gcs, ev.Human(gib.peak), none.gcs, ev.Human(none.peak),
		ev.Human(float64(near)), above.gcs, ev.Human(above.peak),
		ev.Human(float64(below)), ev.Human(float64(live)), under.gcs, ev.Human(under.peak),
		ev.Dur(under.elapsed), ev.Dur(none.elapsed)), nil
})

// memoryLimit is seed 000 §1.2.3 (L259), seed 001 §6.1.1.4.2 (L264) and
// §6.1.1.9.2 (L867-868): SetMemoryLimit(1 GB), "a reasonable limit".
func memoryLimit(c *ev.Ctx) (*ev.Evidence, error) { return memoryLimitOnce.Get(c) }

var forcedOnce = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	live, total := sizes(c)
	every := 4 * ev.MiB
	e := ev.New("%s live in 4 KiB blocks, %s allocated through it at GOGC 100: the pacer alone, then with runtime.GC() every %s allocated (seed 000 §1.2.3's optimizeGC calls it); median of 3 runs each",
		ev.Human(float64(live)), ev.Human(float64(total)), ev.Human(float64(every)))
	pick := func(force int) churnResult {
		rs := make([]churnResult, 3)
		for i := range rs {
			rs[i] = churn(live, total, force)
		}
		sort.Slice(rs, func(i, j int) bool { return rs[i].elapsed < rs[j].elapsed })
		return rs[1]
	}
	pacer := pick(0)
	forced := pick(every)
	perGC := (forced.elapsed - pacer.elapsed) / math.Max(forced.forced, 1)
	e.Add("time, pacer only", pacer.elapsed, ev.Nanos)
	e.Add("time, with forced GCs", forced.elapsed, ev.Nanos)
	e.Add("GCs, pacer only", pacer.gcs, ev.Count)
	e.Add("GCs, with forced GCs", forced.gcs, ev.Count)
	e.Add("peak heap, pacer only", pacer.peak, ev.Bytes)
	e.Add("peak heap, with forced GCs", forced.peak, ev.Bytes)
	e.Add("extra time per forced GC", perGC, ev.Nanos)
	return e.Say("forced runtime.GC() every %s: %.0f GCs in %s, peak %s; pacer alone: %.0f GCs in %s, peak %s (%s more per forced GC)",
		ev.Human(float64(every)), forced.gcs, ev.Dur(forced.elapsed), ev.Human(forced.peak),
		pacer.gcs, ev.Dur(pacer.elapsed), ev.Human(pacer.peak), ev.Dur(perGC)), nil
})

// forcedGC is seed 000 §1.2.3 (L261-262): runtime.GC() as part of "GC
// optimization"; D12 is the same passage (L254-271).
func forcedGC(c *ev.Ctx) (*ev.Evidence, error) { return forcedOnce.Get(c) }

// rss is the resident set in bytes (Linux), or NaN.
func rss() float64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return math.NaN()
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return math.NaN()
	}
	pages, err := strconv.ParseFloat(f[1], 64)
	if err != nil {
		return math.NaN()
	}
	return pages * float64(os.Getpagesize())
}

var sinkBurst [][]byte

var freeOnce = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	burst := c.Pick(128, 64) * ev.MiB
	e := ev.New("a burst of %s in 1 MiB slices, every page written, then dropped; MemStats.HeapReleased, NumGC and RSS (/proc/self/statm) after runtime.GC(), then after debug.FreeOSMemory()",
		ev.Human(float64(burst)))
	debug.FreeOSMemory()
	var m1, m2, m3 runtime.MemStats
	for i := 0; i < burst/ev.MiB; i++ {
		b := make([]byte, ev.MiB)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		sinkBurst = append(sinkBurst, b)
	}
	runtime.ReadMemStats(&m1)
	rss1 := rss()
	sinkBurst = nil
	runtime.GC()
	runtime.ReadMemStats(&m2)
	rss2 := rss()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&m3)
	rss3 := rss()
	e.Add("burst bytes", float64(burst), ev.Bytes)
	e.Add("released by runtime.GC()", float64(m2.HeapReleased)-float64(m1.HeapReleased), ev.Bytes)
	e.Add("released by FreeOSMemory", float64(m3.HeapReleased)-float64(m2.HeapReleased), ev.Bytes)
	e.Add("GCs run by FreeOSMemory", float64(m3.NumGC-m2.NumGC), ev.Count)
	if !math.IsNaN(rss1) {
		e.Add("RSS with the burst", rss1, ev.Bytes)
		e.Add("RSS after runtime.GC()", rss2, ev.Bytes)
		e.Add("RSS after FreeOSMemory", rss3, ev.Bytes)
	}
	return e.Say("after dropping %s: runtime.GC() released %s to the OS (RSS %s → %s); FreeOSMemory ran %d GC and released %s more (RSS %s)",
		ev.Human(float64(burst)), ev.Human(float64(m2.HeapReleased)-float64(m1.HeapReleased)),
		ev.Human(rss1), ev.Human(rss2), m3.NumGC-m2.NumGC,
		ev.Human(float64(m3.HeapReleased)-float64(m2.HeapReleased)), ev.Human(rss3)), nil
})

// freeOSMemory is seed 001 §6.1.1.4.2 (L266-267): "强制GC" over
// debug.FreeOSMemory(); D34 is the same line.
func freeOSMemory(c *ev.Ctx) (*ev.Evidence, error) { return freeOnce.Get(c) }

type node struct {
	next *node
	val  [2]int64
}

var sinkNodes []*node

// pauses is seed 003 (L68): the target "GC pause 10ms → <1ms". Go's
// stop-the-world pauses (MemStats.PauseNs, one per cycle) with a moderate
// pointer-rich live heap, default settings.
func pauses(c *ev.Ctx) (*ev.Evidence, error) {
	n := c.Pick(1<<20, 1<<18)
	rounds := c.Pick(20, 10)
	e := ev.New("%d live 24-byte nodes in linked lists (%s), then %d rounds of 32768 short-lived nodes at GOGC 100 with a runtime.GC() each round; stop-the-world pause per cycle from MemStats.PauseNs",
		n, ev.Human(float64(n*24)), rounds)
	lists := make([]*node, 1024)
	for i := 0; i < n; i++ {
		lists[i%len(lists)] = &node{next: lists[i%len(lists)]}
	}
	sinkNodes = lists
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)
	var junk *node
	for r := 0; r < rounds; r++ {
		for i := 0; i < (1<<20)/32; i++ {
			junk = &node{next: junk}
			if i%1024 == 0 {
				junk = nil
			}
		}
		runtime.GC()
	}
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	sinkNodes = nil
	var ps []float64
	for i := m0.NumGC + 1; i <= m1.NumGC && len(ps) < 256; i++ {
		ps = append(ps, float64(m1.PauseNs[(i+255)%256]))
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("no GC ran")
	}
	sort.Float64s(ps)
	e.Add("live heap", float64(m1.HeapAlloc), ev.Bytes)
	e.Add("GC cycles", float64(len(ps)), ev.Count)
	e.Add("median pause", ps[len(ps)/2], ev.Nanos)
	e.Add("p90 pause", ps[len(ps)*9/10], ev.Nanos)
	e.Add("max pause", ps[len(ps)-1], ev.Nanos)
	return e.Say("%d cycles with %s live: stop-the-world pause median %s, p90 %s, max %s",
		len(ps), ev.Human(float64(m1.HeapAlloc)), ev.Dur(ps[len(ps)/2]), ev.Dur(ps[len(ps)*9/10]), ev.Dur(ps[len(ps)-1])), nil
}

// initKnobs is seed 003 最佳实践4 (L451-462): SetMemoryLimit(100 MB) and
// SetGCPercent(50) in init(). Three fresh processes read back GOGC and the
// limit: neither variable set; GOGC=200 GOMEMLIMIT=2GiB from the operator;
// the same environment with the seed's init() calls.
func initKnobs(c *ev.Ctx) (*ev.Evidence, error) {
	e := ev.New("fresh processes read back GOGC and the memory limit (debug.SetGCPercent / SetMemoryLimit(-1)): env unset; GOGC=200 GOMEMLIMIT=2GiB; the same env with SetMemoryLimit(100 MiB) and SetGCPercent(50) in init()")
	def, err := readKnobs("GOGC=", "GOMEMLIMIT=", initKnobsEnv+"=0")
	if err != nil {
		return nil, err
	}
	env, err := readKnobs("GOGC=200", "GOMEMLIMIT=2GiB", initKnobsEnv+"=0")
	if err != nil {
		return nil, err
	}
	in, err := readKnobs("GOGC=200", "GOMEMLIMIT=2GiB", initKnobsEnv+"=1")
	if err != nil {
		return nil, err
	}
	e.Add("GOGC, env unset", def.gogc, ev.Count)
	e.Add("limit, env unset", def.limit, ev.Bytes)
	e.Add("GOGC, operator's GOGC=200", env.gogc, ev.Count)
	e.Add("limit, operator's GOMEMLIMIT=2GiB", env.limit, ev.Bytes)
	e.Add("GOGC, operator's env + init()", in.gogc, ev.Count)
	e.Add("limit, operator's env + init()", in.limit, ev.Bytes)
	e.Add("GOGC set in init()", 50, ev.Count)
	e.Add("limit set in init()", 100*1024*1024, ev.Bytes)
	return e.Say("env unset: GOGC %.0f, limit %s; GOGC=200 GOMEMLIMIT=2GiB: %.0f, %s; the same env with the seed's init(): %.0f, %s",
		def.gogc, limitText(def.limit), env.gogc, limitText(env.limit), in.gogc, limitText(in.limit)), nil
}

func limitText(l float64) string {
	if l >= math.MaxInt64/2 {
		return "none"
	}
	return ev.Human(l)
}

// gctrace is seed 003 问题2 (L537-560): long GC pauses cause stalls; look
// with GODEBUG=gctrace=1. A child churns with gctrace on; its lines on
// stderr are counted against its NumGC.
func gctrace(c *ev.Ctx) (*ev.Evidence, error) {
	q := "0"
	if c.Quick {
		q = "1"
	}
	e := ev.New("a child process with GODEBUG=gctrace=1 keeps 8 MiB live in 4 KiB blocks and allocates %s through it; lines starting \"gc \" on its stderr against its MemStats.NumGC",
		map[bool]string{false: "64 MiB", true: "32 MiB"}[c.Quick])
	o, err := child.Run("alloc-gctrace", 30*time.Second, "GODEBUG=gctrace=1", "GOGC=", "GOMEMLIMIT=", "PERFWB_QUICK="+q)
	if err != nil {
		return nil, err
	}
	var numGC int
	if _, err := fmt.Sscanf(o.Stdout, "%d", &numGC); err != nil {
		return nil, fmt.Errorf("gctrace child printed %q: %v", o.Stdout, err)
	}
	lines := 0
	var worst float64
	for _, l := range strings.Split(o.Stderr, "\n") {
		if !strings.HasPrefix(l, "gc ") {
			continue
		}
		lines++
		// "… 0.011+0.32+0.004 ms clock, …": the first and last terms are
		// the two stop-the-world phases.
		if i := strings.Index(l, " ms clock"); i > 0 {
			f := strings.Fields(l[:i])
			parts := strings.Split(f[len(f)-1], "+")
			if len(parts) == 3 {
				a, _ := strconv.ParseFloat(parts[0], 64)
				b, _ := strconv.ParseFloat(parts[2], 64)
				worst = math.Max(worst, (a+b)*1e6)
			}
		}
	}
	e.Add("GCs in the child (NumGC)", float64(numGC), ev.Count)
	e.Add("gctrace lines", float64(lines), ev.Count)
	e.Add("longest stop-the-world pause in the trace", worst, ev.Nanos)
	return e.Say("%d GCs, %d gctrace lines; the longest stop-the-world phase pair it shows is %s",
		numGC, lines, ev.Dur(worst)), nil
}
