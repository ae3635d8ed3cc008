// Package mmap measures seed 004's claims in Go: what make([]byte, n)
// costs for large n (fresh and recycled memory), what syscall.Mmap changes,
// and what the seed's finalizer, fallback and monitoring plans do.
package mmap

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"go/build"

	"perfworkbook/internal/alloc"
	"perfworkbook/internal/bigalloc"
	"perfworkbook/internal/child"
	"perfworkbook/internal/compile"
	"perfworkbook/internal/ev"
	"perfworkbook/internal/osx"
)

// sizes copies the child's figures that a claim reads into its evidence.
func sizes(summary func(c *ev.Ctx, r bigalloc.Result) string, names ...func(*ev.Ctx) []string) func(*ev.Ctx) (*ev.Evidence, error) {
	return func(c *ev.Ctx) (*ev.Evidence, error) {
		r, err := bigalloc.Get(c)
		if err != nil {
			return nil, err
		}
		e := ev.New("%s", bigalloc.Condition(c))
		L := bigalloc.Largest(c)
		e.Add("largest size", float64(L*bigalloc.MiB), ev.Bytes)
		e.Add("touched size", float64(bigalloc.Touched(c)*bigalloc.MiB), ev.Bytes)
		e.Add("pages in the touched size", bigalloc.Pages(c), ev.Count)
		for _, f := range names {
			for _, n := range f(c) {
				v, ok := r[n]
				if !ok {
					return nil, fmt.Errorf("the child did not measure %q", n)
				}
				e.Add(rename(n, L), v, unitOf(n))
			}
		}
		e.Summary = summary(c, r)
		return e, nil
	}
}

// rename turns "make 1024 MiB: …" for the largest size into "make
// largest: …" so that a rule reads one name at any size.
func rename(n string, largest int) string {
	return strings.Replace(n, fmt.Sprintf(" %d MiB:", largest), " largest:", 1)
}

func unitOf(n string) string {
	switch {
	case strings.Contains(n, "faults"), strings.Contains(n, "pages"):
		return ev.Count
	case strings.Contains(n, "same memory"):
		return ev.Bool
	case strings.Contains(n, "RSS"):
		return ev.Bytes
	}
	return ev.Nanos
}

func names(list ...string) func(*ev.Ctx) []string {
	return func(*ev.Ctx) []string { return list }
}

func perSize(format string) func(*ev.Ctx) []string {
	return func(c *ev.Ctx) []string {
		var out []string
		for _, n := range bigalloc.Sizes(c) {
			out = append(out, fmt.Sprintf(format, n))
		}
		return out
	}
}

func largest(format string) func(*ev.Ctx) []string {
	return func(c *ev.Ctx) []string { return []string{fmt.Sprintf(format, bigalloc.Largest(c))} }
}

func say(format string, args ...interface{}) string { return ev.New("").Say(format, args...).Summary }

func mb(c *ev.Ctx) string { return ev.Human(float64(bigalloc.Largest(c) * bigalloc.MiB)) }

func get(c *ev.Ctx, r bigalloc.Result, format string) float64 {
	return r[fmt.Sprintf(format, bigalloc.Largest(c))]
}

var (
	c00401 = sizes(func(c *ev.Ctx, r bigalloc.Result) string {
		return say("make([]byte, %s) takes %s in a fresh process (seed: 1595 ms for 1 GB); writing every page of %d MiB then takes %s (%.0f faults); a recycled %d MiB make: %s",
			mb(c), ev.Dur(get(c, r, "make %d MiB: allocation")), bigalloc.Touched(c), ev.Dur(r["make touched: first touch"]),
			r["make touched: faults at first touch"], bigalloc.Touched(c), ev.Dur(r["recycled make touched: allocation"]))
	}, largest("make %d MiB: allocation"), names("make touched: first touch", "make touched: faults at first touch", "recycled make touched: allocation"))

	zeroFill = sizes(func(c *ev.Ctx, r bigalloc.Result) string {
		return say("a fresh make of %d MiB faults %.0f of %.0f pages while allocating (its first touch faults %.0f: nothing was written); made again on the freed, resident memory (same memory: %v) it takes %s and hands out zeros where the old data was: the runtime cleared every page",
			bigalloc.Touched(c), r["make touched: faults during allocation"], bigalloc.Pages(c), r["make touched: faults at first touch"],
			r["recycled make touched: same memory as the freed buffer"] == 1, ev.Dur(r["recycled make touched: allocation"]))
	}, names("make touched: allocation", "make touched: faults during allocation", "make touched: faults at first touch",
		"recycled make touched: allocation", "recycled make touched: faults during allocation", "recycled make touched: same memory as the freed buffer",
		"recycled make touched: faults reading every page", "recycled make touched: pages holding old data"))

	c00404 = sizes(func(c *ev.Ctx, r bigalloc.Result) string {
		return say("%d MiB: %.0f page faults at make, %.0f at first touch (%.0f pages)", bigalloc.Touched(c),
			r["make touched: faults during allocation"], r["make touched: faults at first touch"], bigalloc.Pages(c))
	}, names("make touched: faults during allocation", "make touched: faults at first touch"))

	c00407 = sizes(func(c *ev.Ctx, r bigalloc.Result) string {
		var parts []string
		for _, n := range bigalloc.Sizes(c) {
			parts = append(parts, fmt.Sprintf("%d MiB %s", n, ev.Dur(r[fmt.Sprintf("make %d MiB: allocation", n)])))
		}
		return say("fresh make: %s (seed: 3 ms … 1595 ms)", strings.Join(parts, ", "))
	}, perSize("make %d MiB: allocation"))

	c00408 = sizes(func(c *ev.Ctx, r bigalloc.Result) string {
		return say("mmap of %d MiB: %.0f faults, RSS +%s at mapping; %.0f faults at first touch", bigalloc.Touched(c),
			r["mmap touched: faults during allocation"], ev.Human(r["mmap touched: RSS added"]), r["mmap touched: faults at first touch"])
	}, names("mmap touched: faults during allocation", "mmap touched: RSS added", "mmap touched: faults at first touch"))

	c00409 = sizes(func(c *ev.Ctx, r bigalloc.Result) string {
		return say("make of %s: RSS +%s; a %d MiB make faults %.0f pages while allocating, an mmap %.0f: both only reserve", mb(c),
			ev.Human(get(c, r, "make %d MiB: RSS added")), bigalloc.Touched(c), r["make touched: faults during allocation"],
			r["mmap touched: faults during allocation"])
	}, largest("make %d MiB: RSS added"), names("make touched: faults during allocation", "mmap touched: faults during allocation", "mmap touched: RSS added"))

	c00417 = sizes(func(c *ev.Ctx, r bigalloc.Result) string {
		slowMmap, slowMake := 0.0, 0.0
		for _, n := range bigalloc.Sizes(c) {
			if n > 10 {
				slowMmap = maxf(slowMmap, r[fmt.Sprintf("mmap %d MiB: allocation", n)])
				slowMake = maxf(slowMake, r[fmt.Sprintf("make %d MiB: allocation", n)])
			}
		}
		return say("above 10 MB the slowest mmap takes %s and the slowest fresh make %s", ev.Dur(slowMmap), ev.Dur(slowMake))
	}, perSize("mmap %d MiB: allocation"), perSize("make %d MiB: allocation"))

	versus = sizes(func(c *ev.Ctx, r bigalloc.Result) string {
		a := r["make 64 MiB + first touch, fastest of rounds"]
		b := r["mmap 64 MiB + first touch, fastest of rounds"]
		return say("%d MiB, allocation alone: make %s, mmap %s (%d ms and %d ms in whole ms); 64 MiB written once per page, fastest of rounds: make %s, mmap %s (%.2f×)",
			bigalloc.Touched(c), ev.Dur(r["make touched: allocation"]), ev.Dur(r["mmap touched: allocation"]),
			int64(r["make touched: allocation"]/1e6), int64(r["mmap touched: allocation"]/1e6), ev.Dur(a), ev.Dur(b), a/b)
	}, names("make touched: allocation", "make touched: first touch", "mmap touched: allocation", "mmap touched: first touch",
		"make 64 MiB + first touch, fastest of rounds", "mmap 64 MiB + first touch, fastest of rounds"))
)

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

// withTotals adds the derived figures the speed-up rules read.
func withTotals(f func(*ev.Ctx) (*ev.Evidence, error)) func(*ev.Ctx) (*ev.Evidence, error) {
	return func(c *ev.Ctx) (*ev.Evidence, error) {
		e, err := f(c)
		if err != nil {
			return nil, err
		}
		a := e.Get("make 64 MiB + first touch, fastest of rounds")
		b := e.Get("mmap 64 MiB + first touch, fastest of rounds")
		e.Add("make ÷ mmap, allocation", e.Get("make touched: allocation")/e.Get("mmap touched: allocation"), ev.Ratio)
		e.Add("make ÷ mmap, allocation + first touch", a/b, ev.Ratio)
		e.Add("make touched: allocation, in whole ms", float64(int64(e.Get("make touched: allocation")/1e6)), ev.Count)
		e.Add("mmap touched: allocation, in whole ms", float64(int64(e.Get("mmap touched: allocation")/1e6)), ev.Count)
		return e, nil
	}
}

// Versus is the make-against-mmap comparison, for the measuring chapter.
var Versus = withTotals(versus)

// slowest adds "slowest …" figures over the sizes above 10 MB.
func slowest(f func(*ev.Ctx) (*ev.Evidence, error)) func(*ev.Ctx) (*ev.Evidence, error) {
	return func(c *ev.Ctx) (*ev.Evidence, error) {
		e, err := f(c)
		if err != nil {
			return nil, err
		}
		var sm, sk, all float64
		for _, n := range bigalloc.Sizes(c) {
			name := func(k string) string { return rename(fmt.Sprintf("%s %d MiB: allocation", k, n), bigalloc.Largest(c)) }
			all = maxf(all, e.Get(name("make")))
			if n > 10 {
				sm = maxf(sm, e.Get(name("mmap")))
				sk = maxf(sk, e.Get(name("make")))
			}
		}
		if !isNaN(sm) && sm > 0 {
			e.Add("slowest mmap above 10 MB", sm, ev.Nanos)
		}
		if sk > 0 {
			e.Add("slowest fresh make above 10 MB", sk, ev.Nanos)
		}
		e.Add("slowest fresh make", all, ev.Nanos)
		return e, nil
	}
}

func isNaN(f float64) bool { return f != f }

// finalizer is seed 004's allocLargeBuffer (实现细节 L76-99) in a child:
// map, attach a finalizer to the local slice variable, return the slice.
func mapWithSeedFinalizer(n int) []byte {
	data, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		panic(err)
	}
	runtime.SetFinalizer(&data, func(d *[]byte) {
		fmt.Println("finalizer: munmap")
		syscall.Munmap(*d)
	})
	return data
}

// buffer is the fix: the mapping has one owner, the caller holds the owner,
// and the finalizer hangs on it.
type buffer struct{ data []byte }

func mapOwned(n int) *buffer {
	data, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		panic(err)
	}
	b := &buffer{data: data}
	runtime.SetFinalizer(b, func(b *buffer) { syscall.Munmap(b.data) })
	return b
}

func collect() {
	for i := 0; i < 3; i++ {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
}

func init() {
	child.Register("mmap-seed-finalizer", func() {
		buf := mapWithSeedFinalizer(1 << 20)
		buf[0] = 1
		collect()
		fmt.Println("writing after collection")
		buf[4096] = 2
		fmt.Println("write succeeded")
	})
	child.Register("mmap-owned-finalizer", func() {
		b := mapOwned(1 << 20)
		b.data[0] = 1
		collect()
		b.data[4096] = 2
		fmt.Println("write succeeded")
		runtime.KeepAlive(b)
	})
	child.Register("mmap-fallback", func() {
		huge := 4 * int(totalMemory())
		_, err := syscall.Mmap(-1, 0, huge, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		fmt.Println("mmap:", err)
		defer func() {
			if r := recover(); r != nil {
				fmt.Println("recovered:", r)
			}
		}()
		b := make([]byte, huge)
		fmt.Println("make succeeded:", len(b))
	})
}

var finalizers = ev.Once(func(*ev.Ctx) (*ev.Evidence, error) {
	seed, err := child.Run("mmap-seed-finalizer", time.Minute)
	if err != nil {
		return nil, err
	}
	fix, err := child.Run("mmap-owned-finalizer", time.Minute)
	if err != nil {
		return nil, err
	}
	e := ev.New("child processes: a 1 MiB mapping returned by a function that set runtime.SetFinalizer(&data, munmap) on its local slice variable (seed 004 L91-96), written after three collections; and the fix, the finalizer on an owner the caller holds")
	e.B("seed's pattern: the finalizer ran while the caller held the slice", strings.Contains(seed.Stdout, "finalizer: munmap"))
	e.B("seed's pattern: the caller's write crashed", seed.Fatal() && !strings.Contains(seed.Stdout, "write succeeded"))
	e.B("owner pattern: the caller's write crashed", fix.Fatal() || !strings.Contains(fix.Stdout, "write succeeded"))
	how := fmt.Sprintf("exit %d", seed.ExitCode)
	if seed.Says("unexpected fault address") || seed.Says("SIGSEGV") {
		how = "SIGSEGV (unexpected fault address)"
	}
	return e.Say("the finalizer unmapped the buffer while the caller still used it, and the next write died: %s; with the finalizer on an owner the write succeeds", how), nil
})

func fromFinalizers(c *ev.Ctx) (*ev.Evidence, error) { return finalizers.Get(c) }

var fallback = ev.Once(func(*ev.Ctx) (*ev.Evidence, error) {
	o, err := child.Run("mmap-fallback", time.Minute)
	if err != nil {
		return nil, err
	}
	e := ev.New("a child process: syscall.Mmap of four times this machine's RAM and swap (vm.overcommit_memory = %d), then the seed's fallback make([]byte, n) of the same size under a recover() (seed 004 L86-89, L203-212)", overcommit())
	e.B("mmap failed", strings.Contains(o.Stdout, "mmap: cannot allocate memory"))
	e.B("the fallback make succeeded", strings.Contains(o.Stdout, "make succeeded"))
	e.B("recover() caught the failure", strings.Contains(o.Stdout, "recovered:"))
	e.B("the runtime died with a fatal error", o.Fatal() && o.Says("fatal error"))
	return e.Say("mmap failed (ENOMEM); the fallback make then killed the process: %q, which recover() cannot catch", firstFatal(o.Stderr)), nil
})

// totalMemory is RAM plus swap in bytes (/proc/meminfo): a mapping four
// times as large fails under the kernel's default overcommit heuristic.
func totalMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 1 << 40
	}
	var total int64
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && (f[0] == "MemTotal:" || f[0] == "SwapTotal:") {
			var v int64
			fmt.Sscan(f[1], &v)
			total += v * 1024
		}
	}
	return total
}

func firstFatal(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "fatal error") {
			return l
		}
	}
	return strings.TrimSpace(strings.SplitN(s, "\n", 2)[0])
}

func overcommit() int64 {
	v, err := osx.ReadInt("/proc/sys/vm/overcommit_memory")
	if err != nil {
		return -1
	}
	return v
}

func fromFallback(c *ev.Ctx) (*ev.Evidence, error) { return fallback.Get(c) }

// c00422 is seed 004's leak answer (安全性1, L182-192): finalizers and
// docker stats. Mappings whose owners are dropped, before and after a
// collection.
func c00422(c *ev.Ctx) (*ev.Evidence, error) {
	const n, size = 16, 8 << 20
	e := ev.New("%d mappings of %s, each owned by an object with a finalizer that unmaps it; owners dropped; mappings of that size in /proc/self/maps and RSS, before and after runtime.GC()", n, ev.Human(size))
	alloc.HeapAfterGC()
	r0 := osx.RSS()
	owners := make([]*buffer, n)
	addrs := make([]uintptr, n)
	for i := range owners {
		owners[i] = mapOwned(size)
		owners[i].data[0] = 1
		addrs[i] = uintptr(unsafe.Pointer(&owners[i].data[0]))
	}
	live := func() int {
		k := 0
		for _, a := range addrs {
			if osx.Mapped(a, size) {
				k++
			}
		}
		return k
	}
	mapped := live()
	owners = nil
	time.Sleep(20 * time.Millisecond)
	before := live()
	rss := osx.RSS() - r0
	collect()
	after := live()
	e.Add("mappings made", float64(mapped), ev.Count)
	e.Add("mappings left after the owners are dropped, before a collection", float64(before), ev.Count)
	e.Add("mappings left after runtime.GC()", float64(after), ev.Count)
	e.Add("RSS added by the mappings (what docker stats sees)", float64(rss), ev.Bytes)
	e.Add("bytes mapped", float64(n*size), ev.Bytes)
	return e.Say("with the owners dropped, %d of %d mappings stay until a collection runs (nothing off-heap triggers one); RSS shows +%s for %s mapped; after runtime.GC() %d remain",
		before, mapped, ev.Human(float64(rss)), ev.Human(float64(n*size)), after), nil
}

// profiles is seed 004's monitoring advice (监控, L317-328): a heap profile
// and /proc/self/maps against mapped memory and a make of the same size.
func c00436(*ev.Ctx) (*ev.Evidence, error) {
	const n, size = 4, 16 << 20
	e := ev.New("%d mappings of %s written once per page, and one make of %s, against runtime.MemProfile (what pprof's heap profile reads, after runtime.GC()), runtime.MemStats.HeapInuse and /proc/self/maps", n, ev.Human(size), ev.Human(size))
	inuse := func() float64 {
		runtime.GC()
		var recs []runtime.MemProfileRecord
		k, _ := runtime.MemProfile(nil, false)
		for {
			recs = make([]runtime.MemProfileRecord, k+50)
			var ok bool
			k, ok = runtime.MemProfile(recs, false)
			if ok {
				recs = recs[:k]
				break
			}
		}
		var total int64
		for _, r := range recs {
			total += r.InUseBytes()
		}
		return float64(total)
	}
	heapInuse := func() float64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.HeapInuse)
	}
	p0, h0 := inuse(), heapInuse()
	var maps [][]byte
	for i := 0; i < n; i++ {
		m, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			return nil, err
		}
		for j := 0; j < len(m); j += 4096 {
			m[j] = 1
		}
		maps = append(maps, m)
	}
	p1, h1 := inuse(), heapInuse()
	seen := 0
	for _, m := range maps {
		if osx.Mapped(uintptr(unsafe.Pointer(&m[0])), size) {
			seen++
		}
	}
	made := make([]byte, size)
	for j := 0; j < len(made); j += 4096 {
		made[j] = 1
	}
	p2 := inuse()
	runtime.KeepAlive(made)
	for _, m := range maps {
		syscall.Munmap(m)
	}
	e.Add("bytes mapped", float64(n*size), ev.Bytes)
	e.Add("mapped: seen by the heap profile", p1-p0, ev.Bytes)
	e.Add("mapped: seen by HeapInuse", h1-h0, ev.Bytes)
	e.Add("mapped: mappings seen in /proc/self/maps", float64(seen), ev.Count)
	e.Add("mappings made", float64(n), ev.Count)
	e.Add("make of the same size: seen by the heap profile", p2-p1, ev.Bytes)
	e.Add("make size", float64(size), ev.Bytes)
	return e.Say("the heap profile sees %s of %s mapped (and %s of a %s make); /proc/self/maps lists %d of %d mappings",
		ev.Human(p1-p0), ev.Human(float64(n*size)), ev.Human(p2-p1), ev.Human(float64(size)), seen, n), nil
}

// c00412 is seed 004 L69-72: mmap memory is off the Go heap, so the GC
// never scans it.
func c00412(c *ev.Ctx) (*ev.Evidence, error) {
	const size = 64 << 20
	e := ev.New("a %s []byte from make and a %s syscall.Mmap, kept live; runtime.MemStats.HeapAlloc and /gc/scan/heap:bytes (Go 1.21+) before and after", ev.Human(size), ev.Human(size))
	alloc.HeapAfterGC()
	h0 := alloc.HeapNow()
	s0, has := alloc.Scannable()
	b := make([]byte, size)
	h1 := alloc.HeapNow()
	s1, _ := alloc.Scannable()
	m, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, err
	}
	h2 := alloc.HeapNow()
	runtime.KeepAlive(b)
	syscall.Munmap(m)
	e.Add("size", size, ev.Bytes)
	e.Add("make: heap added", h1-h0, ev.Bytes)
	e.Add("mmap: heap added", h2-h1, ev.Bytes)
	if has {
		e.Add("make: scannable heap added", s1-s0, ev.Bytes)
	}
	b = nil
	debug.FreeOSMemory()
	scan := "n/a (this Go has no /gc/scan/heap:bytes)"
	if has {
		scan = ev.Human(s1 - s0)
	}
	return e.Say("the []byte from make adds %s to the heap the GC paces on but %s to what it scans; the mapping adds %s to either",
		ev.Human(h1-h0), scan, ev.Human(h2-h1)), nil
}

// c00127 is seed 001 §6.1.1.5.3 (L406-423): map a file, copy "Hello" into
// the mapping.
func c00127(*ev.Ctx) (*ev.Evidence, error) {
	dir, err := os.MkdirTemp("", "gocheck-mmap-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "data.txt")
	if err := os.WriteFile(path, make([]byte, 4096), 0o644); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, err
	}
	copy(m, "Hello")
	if err := syscall.Munmap(m); err != nil {
		return nil, err
	}
	f.Close()
	back, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, nil, 0o644)
	ef, err := os.OpenFile(empty, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	_, zerr := syscall.Mmap(int(ef.Fd()), 0, 0, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	ef.Close()
	e := ev.New("syscall.Mmap(MAP_SHARED) of a 4 KiB file, copy \"Hello\" into the mapping, munmap, read the file back; and a mapping of an empty file")
	e.B("the file reads \"Hello\" after munmap", strings.HasPrefix(string(back), "Hello"))
	e.B("mapping an empty file fails with EINVAL", zerr == syscall.EINVAL)
	return e.Say("\"Hello\" copied into the mapping is in the file after munmap (%v); an empty file cannot be mapped: %v", strings.HasPrefix(string(back), "Hello"), zerr), nil
}

// buildTags is seed 004's cross-platform plan (安全性4, L214-235): two
// versions of one function under `// +build` lines.
func c00426(*ev.Ctx) (*ev.Evidence, error) {
	unix := "// +build !windows\n\npackage buffers\n\nfunc allocLarge(n int) []byte { return make([]byte, n) }\n"
	windows := "// +build windows\n\npackage buffers\n\nfunc allocLarge(n int) []byte { return make([]byte, n) }\n"
	files := map[string]string{"/v/alloc_unix.go": unix, "/v/alloc_windows.go": windows}
	pick := func(goos string) (a, b bool) {
		ctx := build.Default
		ctx.GOOS = goos
		ctx.OpenFile = func(p string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(files[p])), nil }
		a, _ = ctx.MatchFile("/v", "alloc_unix.go")
		b, _ = ctx.MatchFile("/v", "alloc_windows.go")
		return
	}
	lu, lw := pick("linux")
	wu, ww := pick("windows")
	oneFile := compile.Check("alloc.go", "// +build !windows\n\npackage buffers\n\nfunc allocLarge(n int) []byte { return make([]byte, n) }\n\n// +build windows\n\nfunc allocLarge(n int) []byte { return make([]byte, n) }\n")
	e := ev.New("go/build's file selection (%s) for two files with `// +build !windows` and `// +build windows`, for GOOS=linux and GOOS=windows; and go/types on both versions in one file, as the seed prints them", ev.Version())
	e.B("separate files: each GOOS builds exactly its own version", lu && !lw && ww && !wu)
	e.Add("one file: type errors", float64(len(oneFile.TypeErrors)), ev.Count)
	return e.Say("in separate files go/build picks the right one for linux and windows (%v); in one file: %s", lu && !lw && ww && !wu, oneFile.First()), nil
}

func init() {
	ev.Register("mmap", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C004-01": c00401,
		"C004-02": zeroFill,
		"C004-03": zeroFill,
		"C004-04": c00404,
		"C004-07": slowest(c00407),
		"C004-08": c00408,
		"C004-09": c00409,
		"C004-17": slowest(c00417),
		"C004-15": Versus,
		"C004-35": Versus,
		"C004-12": c00412,
		"C004-13": fromFallback,
		"C004-24": fromFallback,
		"D61":     fromFallback,
		"C004-14": fromFinalizers,
		"D60":     fromFinalizers,
		"C004-22": c00422,
		"C004-36": c00436,
		"D66":     c00436,
		"C001-27": c00127,
		"C004-26": c00426,
		"D67":     c00426,
	})
}
