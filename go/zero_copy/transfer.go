// Package zerocopy measures, in Go, what seeds 000, 001 and 002 say about
// moving a file to a socket: what io.Copy does (it uses sendfile for an
// *os.File into a *net.TCPConn), what one raw sendfile or splice call
// moves on Go's non-blocking sockets, and what a copy loop costs. Syscalls
// are counted per thread from /proc/thread-self/io, with the measuring
// goroutine locked to its thread.
package zerocopy

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"syscall"
	"time"

	"perfworkbook/internal/ev"
	"perfworkbook/internal/osx"
)

// fileSize is the size of the file sent: large enough that one sendfile
// call on a fresh loopback connection cannot take it all.
const fileSize = 16 << 20

// source is a temporary file of fileSize bytes, read once so that it sits
// in the page cache.
type source struct {
	dir  string
	path string
	sum  uint64
}

func newSource() (*source, error) {
	dir, err := os.MkdirTemp("", "gocheck-zero-copy-")
	if err != nil {
		return nil, err
	}
	data := make([]byte, fileSize)
	for i := range data {
		data[i] = byte(i*7 + i>>12)
	}
	path := filepath.Join(dir, "payload.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write(data)
	return &source{dir: dir, path: path, sum: h.Sum64()}, nil
}

var src = ev.Once(func(*ev.Ctx) (*source, error) { return newSource() })

// received is what the receiving end of a connection got.
type received struct {
	n   int64
	sum uint64
	err error
}

// pair is a loopback TCP connection whose far end is drained by a
// goroutine (started by drain) into a running checksum.
type pair struct {
	conn *net.TCPConn
	peer net.Conn
	done chan received
}

func dial() (*pair, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return nil, err
	}
	peer := <-accepted
	if peer == nil {
		c.Close()
		return nil, errors.New("accept failed")
	}
	return &pair{conn: c.(*net.TCPConn), peer: peer, done: make(chan received, 1)}, nil
}

// recvBufs keeps receive buffers between transfers, so that a receiver
// allocates nothing while a transfer is measured.
var recvBufs = make(chan []byte, 8)

// drain starts reading the far end until EOF.
func (p *pair) drain() {
	go func() {
		h := fnv.New64a()
		var buf []byte
		select {
		case buf = <-recvBufs:
		default:
			buf = make([]byte, 256<<10)
		}
		defer func() { recvBufs <- buf }()
		var n int64
		for {
			k, err := p.peer.Read(buf)
			h.Write(buf[:k])
			n += int64(k)
			if err != nil {
				if err == io.EOF {
					err = nil
				}
				p.done <- received{n, h.Sum64(), err}
				return
			}
		}
	}()
}

// finish closes the sending side and waits for the receiver.
func (p *pair) finish() received {
	p.conn.CloseWrite()
	r := <-p.done
	p.conn.Close()
	p.peer.Close()
	return r
}

// counted runs f on a locked thread and returns the read-family syscalls
// (syscr) it made, less the cost of reading the counters.
func counted(f func() error) (int64, error) {
	var syscr int64
	err := osx.OnThread(func() error {
		cost, err := osx.IOCost()
		if err != nil {
			return err
		}
		before, err := osx.ThreadIO()
		if err != nil {
			return err
		}
		if err := f(); err != nil {
			return err
		}
		after, err := osx.ThreadIO()
		if err != nil {
			return err
		}
		syscr = after.Sub(before).Syscr - cost
		return nil
	})
	return syscr, err
}

// hide strips io.Copy's fast paths: a plain Reader and a plain Writer, so
// it copies through its own 32 KiB buffer.
type plainReader struct{ r io.Reader }

func (p plainReader) Read(b []byte) (int, error) { return p.r.Read(b) }

type plainWriter struct{ w io.Writer }

func (p plainWriter) Write(b []byte) (int, error) { return p.w.Write(b) }

// method is one way of sending the file over a connection.
type method struct {
	name string
	send func(c *net.TCPConn, f *os.File) error
}

var methods = []method{
	{"io.Copy(conn, file)", func(c *net.TCPConn, f *os.File) error {
		_, err := io.Copy(c, f)
		return err
	}},
	{"io.Copy through plain Reader/Writer", func(c *net.TCPConn, f *os.File) error {
		_, err := io.Copy(plainWriter{c}, plainReader{f})
		return err
	}},
	{"64 KiB read/write loop", func(c *net.TCPConn, f *os.File) error {
		buf := make([]byte, 64<<10)
		for {
			n, err := f.Read(buf)
			if n > 0 {
				if _, werr := c.Write(buf[:n]); werr != nil {
					return werr
				}
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	}},
	{"syscall.Sendfile loop", sendfileAll},
}

// sendfileAll sends the whole file with raw sendfile calls, handling short
// counts and EAGAIN through the connection's poller (RawConn.Write waits
// for the socket to be writable when the callback returns false).
func sendfileAll(c *net.TCPConn, f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var off int64
	remaining := st.Size()
	var serr error
	werr := rc.Write(func(fd uintptr) bool {
		for remaining > 0 {
			chunk := remaining
			if chunk > 0x7ffff000 {
				chunk = 0x7ffff000
			}
			n, err := syscall.Sendfile(int(fd), int(f.Fd()), &off, int(chunk))
			if n > 0 {
				remaining -= int64(n)
			}
			switch {
			case err == syscall.EAGAIN:
				return false
			case err == syscall.EINTR:
				continue
			case err != nil:
				serr = err
				return true
			case n == 0:
				serr = io.ErrUnexpectedEOF
				return true
			}
		}
		return true
	})
	if werr != nil {
		return werr
	}
	return serr
}

// transfer sends the file once with m and reports the syscalls counted on
// the sending thread, the time, and what the receiver got.
func transfer(s *source, m method) (syscr int64, elapsed time.Duration, r received, err error) {
	syscr, elapsed, r, _, err = transferAlloc(s, m)
	return
}

// transferAlloc is transfer, also reporting the heap bytes allocated while
// the file was being sent (runtime.MemStats.TotalAlloc).
func transferAlloc(s *source, m method) (syscr int64, elapsed time.Duration, r received, allocated float64, err error) {
	p, err := dial()
	if err != nil {
		return 0, 0, received{}, 0, err
	}
	f, err := os.Open(s.path)
	if err != nil {
		return 0, 0, received{}, 0, err
	}
	defer f.Close()
	p.drain()
	start := time.Now()
	syscr, err = counted(func() error {
		before := totalAlloc()
		err := m.send(p.conn, f)
		allocated = totalAlloc() - before
		return err
	})
	elapsed = time.Since(start)
	r = p.finish()
	if err == nil && r.err != nil {
		err = r.err
	}
	if err == nil && (r.n != fileSize || r.sum != s.sum) {
		err = fmt.Errorf("%s delivered %d of %d bytes (checksum match: %v)", m.name, r.n, fileSize, r.sum == s.sum)
	}
	return syscr, elapsed, r, allocated, err
}

// counts sends the file once per method and records read-family syscalls.
var counts = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	s, err := src.Get(c)
	if err != nil {
		return nil, err
	}
	e := ev.New("a 16 MiB file (page cache warm) sent over loopback TCP once per method; read-family syscalls (syscr, /proc/thread-self/io) on the sending thread (%s)", ev.Version())
	e.Add("file size", fileSize, ev.Bytes)
	for _, m := range methods {
		n, _, _, err := transfer(s, m)
		if err != nil {
			return nil, err
		}
		e.Add(m.name+": read-family syscalls", float64(n), ev.Count)
	}
	e.Add("io.Copy's buffer", 32<<10, ev.Bytes)
	return e.Say("read-family syscalls for 16 MiB: io.Copy(conn, file) %.0f, io.Copy through plain Reader/Writer %.0f, 64 KiB loop %.0f, sendfile loop %.0f",
		e.Get("io.Copy(conn, file): read-family syscalls"), e.Get("io.Copy through plain Reader/Writer: read-family syscalls"),
		e.Get("64 KiB read/write loop: read-family syscalls"), e.Get("syscall.Sendfile loop: read-family syscalls")), nil
})

func fromCounts(summary func(*ev.Evidence) string) func(*ev.Ctx) (*ev.Evidence, error) {
	return func(c *ev.Ctx) (*ev.Evidence, error) {
		e, err := counts.Get(c)
		if err != nil {
			return nil, err
		}
		cp := *e
		if summary != nil {
			cp.Summary = summary(e)
		}
		return &cp, nil
	}
}

func say(format string, args ...interface{}) string { return ev.New("").Say(format, args...).Summary }

// throughput times io.Copy (sendfile) against io.Copy through its own
// buffer and the explicit sendfile loop, interleaved rounds, medians.
var throughput = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	s, err := src.Get(c)
	if err != nil {
		return nil, err
	}
	rounds := c.Pick(9, 5)
	e := ev.New("a 16 MiB file sent over loopback TCP, %d interleaved rounds per method, the fastest transfer of each (a busy machine only adds time); sender and receiver in one process on %d CPUs", rounds, runtime.NumCPU())
	times := map[string][]float64{}
	for r := 0; r < rounds; r++ {
		for _, i := range []int{0, 1, 3} {
			_, d, _, err := transfer(s, methods[i])
			if err != nil {
				return nil, err
			}
			times[methods[i].name] = append(times[methods[i].name], float64(d.Nanoseconds()))
		}
	}
	sendfile := fastest(times["io.Copy(conn, file)"])
	user := fastest(times["io.Copy through plain Reader/Writer"])
	explicit := fastest(times["syscall.Sendfile loop"])
	e.Add("io.Copy(conn, file): time per transfer", sendfile, ev.Nanos)
	e.Add("io.Copy through plain Reader/Writer: time per transfer", user, ev.Nanos)
	e.Add("syscall.Sendfile loop: time per transfer", explicit, ev.Nanos)
	e.Add("throughput, io.Copy(conn, file) ÷ user-space copy", user/sendfile, ev.Ratio)
	e.Add("throughput, explicit sendfile ÷ user-space copy", user/explicit, ev.Ratio)
	e.Add("throughput, explicit sendfile ÷ io.Copy(conn, file)", sendfile/explicit, ev.Ratio)
	return e.Say("per 16 MiB: io.Copy(conn, file) %s, through a user-space buffer %s, explicit sendfile %s: explicit ÷ io.Copy %.2f×, explicit ÷ user-space %.2f×",
		ev.Dur(sendfile), ev.Dur(user), ev.Dur(explicit), sendfile/explicit, user/explicit), nil
})

func fastest(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[0]
}

func fromThroughput(c *ev.Ctx) (*ev.Evidence, error) { return throughput.Get(c) }

// bytesAllocated is what one transfer allocates on the heap, for the
// sendfile path and the buffered path (seed 002 §1.5.1.1.7.1, L138-142:
// "use object pools for buffers").
func c00212(c *ev.Ctx) (*ev.Evidence, error) {
	s, err := src.Get(c)
	if err != nil {
		return nil, err
	}
	e := ev.New("heap bytes allocated while one 16 MiB transfer is sent (runtime.MemStats.TotalAlloc around the send; the receiver reads into a reused buffer)")
	for _, i := range []int{0, 1} {
		// Warm up the connection machinery once, then measure.
		if _, _, _, err := transfer(s, methods[i]); err != nil {
			return nil, err
		}
		_, _, _, a, err := transferAlloc(s, methods[i])
		if err != nil {
			return nil, err
		}
		e.Add(methods[i].name+": heap bytes per transfer", a, ev.Bytes)
	}
	e.Add("io.Copy's buffer", 32<<10, ev.Bytes)
	return e.Say("sending allocates %s on the sendfile path and %s through io.Copy's buffer",
		ev.Human(e.Get("io.Copy(conn, file): heap bytes per transfer")), ev.Human(e.Get("io.Copy through plain Reader/Writer: heap bytes per transfer"))), nil
}

func init() {
	ev.Register("zero_copy", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C000-01": fromCounts(func(e *ev.Evidence) string {
			return say("a 64 KiB read/write loop made %.0f read syscalls for 16 MiB: every byte is read into user space and written out again",
				e.Get("64 KiB read/write loop: read-family syscalls"))
		}),
		"C000-02": fromCounts(func(e *ev.Evidence) string {
			return say("io.Copy(conn, file) made %.0f read-family syscalls for 16 MiB (sendfile); the same io.Copy through a plain Reader made %.0f (its 32 KiB buffer)",
				e.Get("io.Copy(conn, file): read-family syscalls"), e.Get("io.Copy through plain Reader/Writer: read-family syscalls"))
		}),
		"C002-01": fromCounts(func(e *ev.Evidence) string {
			return say("the sendfile loop moved 16 MiB with %.0f sendfile calls and no user-space buffer (a 64 KiB loop: %.0f reads)",
				e.Get("syscall.Sendfile loop: read-family syscalls"), e.Get("64 KiB read/write loop: read-family syscalls"))
		}),
		"C002-02": fromThroughput,
		"C002-07": fromThroughput,
		"C002-09": c00212,
		"C002-12": c00212,
		"D52":     c00212,
	})
}

func totalAlloc() float64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.TotalAlloc)
}
