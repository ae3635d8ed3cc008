package measuring

import (
	"runtime"
	"strings"

	"perfworkbook/internal/ev"
)

const (
	blocks    = 64
	blockSize = 64 << 10
)

var profiled [][]byte

// profiledAlloc is the one allocation site the profile is read for.
//
//go:noinline
func profiledAlloc() {
	profiled = make([][]byte, blocks)
	for i := range profiled {
		profiled[i] = make([]byte, blockSize)
	}
}

// c00306 is seed 003 §2 (L104-134): `go tool pprof -alloc_space` and
// `-inuse_space` show where memory is allocated and what stays in use. The
// same numbers, read from runtime.MemProfile (what pprof's heap profile is
// made of) for one known allocation site.
func c00306(*ev.Ctx) (*ev.Evidence, error) {
	old := runtime.MemProfileRate
	runtime.MemProfileRate = 1 // record every allocation
	defer func() { runtime.MemProfileRate = old }()
	profiledAlloc()
	for i := blocks / 2; i < blocks; i++ {
		profiled[i] = nil // keep half
	}
	// A profile is published by the collection after the allocation, and
	// may lag by up to two cycles.
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	var allocBytes, inuseBytes int64
	n, _ := runtime.MemProfile(nil, true)
	recs := make([]runtime.MemProfileRecord, n+64)
	n, ok := runtime.MemProfile(recs, true)
	if ok {
		for _, r := range recs[:n] {
			if atSite(r.Stack()) {
				allocBytes += r.AllocBytes
				inuseBytes += r.InUseBytes()
			}
		}
	}
	runtime.KeepAlive(profiled)
	profiled = nil
	e := ev.New("runtime.MemProfile (pprof's heap profile) with MemProfileRate = 1, for one function allocating %d blocks of %s, half of them kept; after three runtime.GC()", blocks, ev.Human(blockSize))
	e.Add("allocated at the site (blocks)", blocks*blockSize, ev.Bytes)
	e.Add("kept live at the site (blocks)", blocks/2*blockSize, ev.Bytes)
	e.Add("profile: alloc_space at the site", float64(allocBytes), ev.Bytes)
	e.Add("profile: inuse_space at the site", float64(inuseBytes), ev.Bytes)
	return e.Say("the heap profile puts %s allocated and %s in use at the function (it allocated %s and kept %s)",
		ev.Human(float64(allocBytes)), ev.Human(float64(inuseBytes)), ev.Human(blocks*blockSize), ev.Human(blocks/2*blockSize)), nil
}

func atSite(stack []uintptr) bool {
	for _, pc := range stack {
		if f := runtime.FuncForPC(pc); f != nil && strings.HasSuffix(f.Name(), "measuring.profiledAlloc") {
			return true
		}
	}
	return false
}

func init() {
	ev.Register("measuring", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C003-06": c00306,
	})
}
