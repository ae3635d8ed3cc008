// Package bigalloc measures seed 004's subject, make([]byte, n) for large
// n, in a fresh child process (so that "fresh" means memory the runtime has
// never used): allocation time, page faults and resident memory at
// allocation and at first touch, for make and for syscall.Mmap, then make
// again on memory the runtime has used and returned to the OS.
//
// Seed 004 (优化目标 L5-8, 问题分析 L14-35, 测试1 L132-144) times
// make([]byte, size) from 1 MB to 1 GB at 3 to 1595 ms.
package bigalloc

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"perfworkbook/internal/child"
	"perfworkbook/internal/ev"
	"perfworkbook/internal/osx"
)

// MiB is the unit of seed 004's sizes (it writes MB for MiB).
const MiB = 1 << 20

// Sizes are seed 004's rows, in MiB.
func Sizes(c *ev.Ctx) []int {
	if c.Quick {
		return []int{1, 10, 50, 100}
	}
	return []int{1, 10, 50, 100, 200, 500, 1024}
}

// Largest is the largest size allocated.
func Largest(c *ev.Ctx) int {
	s := Sizes(c)
	return s[len(s)-1]
}

// Touched is the size, in MiB, that is also written page by page (first
// touch costs a page fault per 4 KiB, which on a loaded machine runs to
// seconds per GiB).
func Touched(c *ev.Ctx) int {
	if c.Quick {
		return 64
	}
	return 256
}

const (
	// ratioSize and ratioRounds: the make-against-mmap comparison, on
	// fresh 64 MiB buffers.
	ratioSize   = 64 * MiB
	ratioRounds = 3

	envSizes   = "GOCHECK_SIZES"
	envTouched = "GOCHECK_TOUCHED"
	// reps fresh allocations per size; the fastest is kept, so that a
	// preemption on a busy machine is not read as the allocation's cost.
	reps = 3
)

var keep [][]byte

// touch writes one byte per 4 KiB page.
func touch(b []byte) {
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
}

type figures map[string]float64

func timed(f func()) float64 {
	t := time.Now()
	f()
	return float64(time.Since(t).Nanoseconds())
}

func minf(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}

// measure runs in the child: every figure is taken on one locked thread.
func measure() {
	runtime.LockOSThread()
	var sizes []int
	for _, f := range strings.Split(os.Getenv(envSizes), ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad", envSizes, err)
			os.Exit(4)
		}
		sizes = append(sizes, n)
	}
	touched, err := strconv.Atoi(os.Getenv(envTouched))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad", envTouched, err)
		os.Exit(4)
	}
	out := figures{}
	// Fresh make at every size, kept alive and untouched.
	for _, mib := range sizes {
		n := mib * MiB
		best, faults, rss := math.Inf(1), int64(0), int64(0)
		for r := 0; r < reps; r++ {
			var b []byte
			f0, r0 := osx.ThreadFaults(), osx.RSS()
			d := timed(func() { b = make([]byte, n) })
			if d < best {
				best, faults, rss = d, osx.ThreadFaults()-f0, osx.RSS()-r0
			}
			keep = append(keep, b)
		}
		out[fmt.Sprintf("make %d MiB: allocation", mib)] = best
		out[fmt.Sprintf("make %d MiB: faults during allocation", mib)] = float64(faults)
		out[fmt.Sprintf("make %d MiB: RSS added", mib)] = float64(rss)
	}
	// The touched size: fresh make, then one write per page.
	var b []byte
	f0 := osx.ThreadFaults()
	out["make touched: allocation"] = timed(func() { b = make([]byte, touched*MiB) })
	out["make touched: faults during allocation"] = float64(osx.ThreadFaults() - f0)
	f0 = osx.ThreadFaults()
	out["make touched: first touch"] = timed(func() { touch(b) })
	out["make touched: faults at first touch"] = float64(osx.ThreadFaults() - f0)
	// Recycled: free it (every page resident and written), collect, and
	// make the same size again; the untouched buffers stay alive, so the
	// freed one is the only free memory of that size.
	addr := uintptr(unsafe.Pointer(&b[0]))
	b = nil
	runtime.GC()
	var again []byte
	f0 = osx.ThreadFaults()
	out["recycled make touched: allocation"] = timed(func() { again = make([]byte, touched*MiB) })
	out["recycled make touched: faults during allocation"] = float64(osx.ThreadFaults() - f0)
	out["recycled make touched: same memory as the freed buffer"] = ev.Btoi(uintptr(unsafe.Pointer(&again[0])) == addr)
	f0 = osx.ThreadFaults()
	nonzero := 0
	for i := 0; i < len(again); i += 4096 {
		if again[i] != 0 {
			nonzero++
		}
	}
	out["recycled make touched: faults reading every page"] = float64(osx.ThreadFaults() - f0)
	out["recycled make touched: pages holding old data"] = float64(nonzero)
	keep, again = nil, nil
	runtime.GC()
	debug.FreeOSMemory()
	// mmap at every size (alloc only, unmapped at once), then the touched
	// size written page by page.
	for _, mib := range sizes {
		best := math.Inf(1)
		for r := 0; r < reps; r++ {
			var m []byte
			var err error
			d := timed(func() {
				m, err = syscall.Mmap(-1, 0, mib*MiB, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
			})
			if err != nil {
				fmt.Fprintln(os.Stderr, "mmap:", err)
				os.Exit(4)
			}
			best = minf(best, d)
			syscall.Munmap(m)
		}
		out[fmt.Sprintf("mmap %d MiB: allocation", mib)] = best
	}
	var m []byte
	f0, r0 := osx.ThreadFaults(), osx.RSS()
	out["mmap touched: allocation"] = timed(func() {
		m, err = syscall.Mmap(-1, 0, touched*MiB, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "mmap:", err)
		os.Exit(4)
	}
	out["mmap touched: faults during allocation"] = float64(osx.ThreadFaults() - f0)
	out["mmap touched: RSS added"] = float64(osx.RSS() - r0)
	f0 = osx.ThreadFaults()
	out["mmap touched: first touch"] = timed(func() { touch(m) })
	out["mmap touched: faults at first touch"] = float64(osx.ThreadFaults() - f0)
	syscall.Munmap(m)
	// make against mmap, allocation and first touch together: interleaved
	// rounds on fresh memory, the fastest of each kept.
	bestMake, bestMmap := math.Inf(1), math.Inf(1)
	var made [][]byte
	for r := 0; r < ratioRounds; r++ {
		var b []byte
		bestMake = minf(bestMake, timed(func() {
			b = make([]byte, ratioSize)
			touch(b)
		}))
		made = append(made, b)
		var m []byte
		bestMmap = minf(bestMmap, timed(func() {
			m, err = syscall.Mmap(-1, 0, ratioSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
			if err == nil {
				touch(m)
			}
		}))
		if err != nil {
			fmt.Fprintln(os.Stderr, "mmap:", err)
			os.Exit(4)
		}
		syscall.Munmap(m)
	}
	runtime.KeepAlive(made)
	out["make 64 MiB + first touch, fastest of rounds"] = bestMake
	out["mmap 64 MiB + first touch, fastest of rounds"] = bestMmap
	json.NewEncoder(os.Stdout).Encode(out)
}

func init() { child.Register("bigalloc", measure) }

// Result is the child's figures by name.
type Result map[string]float64

var result = ev.Once(func(c *ev.Ctx) (Result, error) {
	var s []string
	for _, n := range Sizes(c) {
		s = append(s, strconv.Itoa(n))
	}
	o, err := child.Run("bigalloc", 3*time.Minute, envSizes+"="+strings.Join(s, ","), envTouched+"="+strconv.Itoa(Touched(c)))
	if err != nil {
		return nil, err
	}
	if o.ExitCode != 0 || o.Signal != "" {
		return nil, fmt.Errorf("the measuring child failed (exit %d %s): %s", o.ExitCode, o.Signal, strings.TrimSpace(o.Stderr))
	}
	var r Result
	if err := json.Unmarshal([]byte(o.Stdout), &r); err != nil {
		return nil, errors.New("the measuring child printed no figures: " + err.Error())
	}
	return r, nil
})

// Get runs the child once per run and returns its figures.
func Get(c *ev.Ctx) (Result, error) { return result.Get(c) }

// Condition describes the measurement for a claim's evidence.
func Condition(c *ev.Ctx) string {
	return fmt.Sprintf("a fresh child process (%s): make([]byte, n) for n = %v MiB, %d fresh allocations each (the fastest kept), untouched; a fresh %d MiB make written once per 4 KiB page, freed, collected and made again (recycled); syscall.Mmap(MAP_ANON|MAP_PRIVATE) at each size and at %d MiB written; then %d interleaved rounds of a fresh 64 MiB make and mmap, each written once per page, the fastest of each kept; page faults from getrusage(RUSAGE_THREAD), RSS from /proc/self/status",
		ev.Version(), Sizes(c), reps, Touched(c), Touched(c), ratioRounds)
}

// Pages is the number of 4 KiB pages in the touched size.
func Pages(c *ev.Ctx) float64 { return float64(Touched(c)) * MiB / 4096 }
