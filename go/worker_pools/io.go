package workerpools

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"perfworkbook/internal/ev"
)

type ioTask struct {
	kind     string
	source   string
	callback func(ioResult)
}

type ioResult struct {
	data []byte
	err  error
}

// ioProcessor has the design of seed 000's AsyncIOProcessor (§1.4.1,
// L447-560): workers that make blocking file calls, run the task's
// callback themselves, then send the result on a 1,000-slot channel; an
// unknown task type gives an empty result and no error; no Stop.
type ioProcessor struct {
	tasks   chan ioTask
	results chan ioResult
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	workers int
}

func newIOProcessor(workers int) *ioProcessor {
	ctx, cancel := context.WithCancel(context.Background())
	return &ioProcessor{
		tasks:   make(chan ioTask, 1000),
		results: make(chan ioResult, 1000),
		ctx:     ctx,
		cancel:  cancel,
		workers: workers,
	}
}

func (a *ioProcessor) start() {
	for i := 0; i < a.workers; i++ {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			for {
				select {
				case t := <-a.tasks:
					r := processIOTask(t)
					if t.callback != nil {
						t.callback(r)
					}
					select {
					case a.results <- r:
					case <-a.ctx.Done():
						return
					}
				case <-a.ctx.Done():
					return
				}
			}
		}()
	}
}

func processIOTask(t ioTask) ioResult {
	var r ioResult
	switch t.kind {
	case "read":
		r.data, r.err = os.ReadFile(t.source)
	}
	return r
}

// batchProcessor has the design of seed 000's BatchIOProcessor (§1.4.2,
// L565-610): a buffer flushed at batchSize, one task at a time, through a
// select whose default drops the task; the flush timeout is never read and
// the inner processor never started.
type batchProcessor struct {
	batchSize    int
	flushTimeout time.Duration
	mu           sync.Mutex
	buffer       []ioTask
	processor    *ioProcessor
}

func (b *batchProcessor) addTask(t ioTask) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buffer = append(b.buffer, t)
	if len(b.buffer) >= b.batchSize {
		for _, t := range b.buffer {
			select {
			case b.processor.tasks <- t:
			default:
			}
		}
		b.buffer = b.buffer[:0]
	}
}

func newBatchProcessor(batch int, timeout time.Duration) *batchProcessor {
	return &batchProcessor{batchSize: batch, flushTimeout: timeout, processor: newIOProcessor(4)}
}

// batches measures the batch processor: a lone task, a full batch, and
// 1,010 tasks into a 1,000-slot queue.
var batches = ev.Once(func(*ev.Ctx) (*ev.Evidence, error) {
	timeout := 20 * time.Millisecond
	var processed int64
	counted := func(ioResult) { atomic.AddInt64(&processed, 1) }
	b := newBatchProcessor(10, timeout)
	b.addTask(ioTask{callback: counted})
	time.Sleep(3 * timeout)
	b.mu.Lock()
	buffered := len(b.buffer)
	b.mu.Unlock()
	for i := 1; i < 10; i++ {
		b.addTask(ioTask{callback: counted})
	}
	time.Sleep(3 * timeout)
	full := newBatchProcessor(10, timeout)
	const offered = 1010
	for i := 0; i < offered; i++ {
		full.addTask(ioTask{kind: "read"})
	}
	queued := len(full.processor.tasks)
	e := ev.New("Go %s: the seed's batch processor design (batch 10, flushTimeout 20 ms): one task, waited 3 × the timeout, then a full batch; and %d tasks into its 1,000-slot queue", ev.Version(), offered)
	e.Add("batch size", 10, ev.Count)
	e.Add("seed port: tasks still buffered after 3 × flushTimeout", float64(buffered), ev.Count)
	e.Add("seed port: tasks processed of a full batch", float64(atomic.LoadInt64(&processed)), ev.Count)
	e.Add("tasks offered", offered, ev.Count)
	e.Add("seed port: tasks queued", float64(queued), ev.Count)
	e.Add("seed port: tasks gone without an error", float64(offered-queued-len(full.buffer)), ev.Count)
	return e.Say("a lone task was still buffered after 3 timeouts (%d), a full batch was never processed (%d of 10: the processor is never started), and of %d tasks %d were queued and %d dropped by select's default with no error",
		buffered, atomic.LoadInt64(&processed), offered, queued, offered-queued-len(full.buffer)), nil
})

// callbacks: 4 workers held by slow callbacks, 100 plain tasks behind them.
func d19(*ev.Ctx) (*ev.Evidence, error) {
	dir, err := os.MkdirTemp("", "gocheck-wp-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "small.txt")
	if err := os.WriteFile(path, []byte("hello"), 0o644); err != nil {
		return nil, err
	}
	a := newIOProcessor(4)
	a.start()
	gate := make(chan struct{})
	var done int64
	for i := 0; i < 4; i++ {
		a.tasks <- ioTask{kind: "read", source: path, callback: func(ioResult) { <-gate }}
	}
	const plain = 100
	for i := 0; i < plain; i++ {
		a.tasks <- ioTask{kind: "read", source: path, callback: func(ioResult) { atomic.AddInt64(&done, 1) }}
	}
	go func() {
		for range a.results {
		}
	}()
	time.Sleep(100 * time.Millisecond)
	during := atomic.LoadInt64(&done)
	close(gate)
	deadline := time.Now().Add(10 * time.Second)
	for atomic.LoadInt64(&done) < plain && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	a.cancel()
	a.wg.Wait()
	e := ev.New("Go %s: the seed's I/O processor design, 4 workers; 4 tasks whose callback waits on a gate, then %d plain reads; counted 100 ms later, and after the gate opens", ev.Version(), plain)
	e.Add("plain tasks", plain, ev.Count)
	e.Add("seed port: plain tasks done while callbacks block", float64(during), ev.Count)
	e.Add("seed port: plain tasks done once released", float64(atomic.LoadInt64(&done)), ev.Count)
	return e.Say("while 4 callbacks waited, %d of %d plain tasks were done (%d once they returned): the callback holds its worker", during, plain, atomic.LoadInt64(&done)), nil
}

func d20(*ev.Ctx) (*ev.Evidence, error) {
	dir, err := os.MkdirTemp("", "gocheck-wp-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "large.bin")
	const size = 4 << 20
	if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
		return nil, err
	}
	unknown := processIOTask(ioTask{kind: "delete", source: path})
	read := processIOTask(ioTask{kind: "read", source: path})
	e := ev.New("Go %s: processIOTask's design: a task of type \"delete\", a \"read\" of a 4 MiB file with os.ReadFile", ev.Version())
	e.B("seed port: unknown type gives no error", unknown.err == nil)
	e.Add("file size", size, ev.Bytes)
	e.Add("seed port: bytes held to read the file", float64(cap(read.data)), ev.Bytes)
	return e.Say("type \"delete\": %d bytes and error %v; reading 4 MiB holds %s", len(unknown.data), unknown.err, ev.Human(float64(cap(read.data)))), nil
}

// startAndDrop starts a processor, gives it a task, and lets go of it:
// there is no Stop to call.
func startAndDrop() {
	a := newIOProcessor(4)
	a.start()
	a.tasks <- ioTask{}
	time.Sleep(20 * time.Millisecond)
}

func d21(*ev.Ctx) (*ev.Evidence, error) {
	runtime.GC()
	before := runtime.NumGoroutine()
	startAndDrop()
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	after := runtime.NumGoroutine()
	e := ev.New("Go %s: the seed's I/O processor design, 4 workers, started and then dropped by the caller (no Stop), then a collection", ev.Version())
	e.Add("workers", 4, ev.Count)
	e.Add("seed port: goroutines left after its handle was dropped", float64(after-before), ev.Count)
	return e.Say("runtime.NumGoroutine(): %d before, %d after the processor was dropped and collected: its workers live on", before, after), nil
}

// blockedReads gives 4 workers 8 reads of FIFOs nobody writes and counts,
// from the last FIFO to the first, those whose reader waits (C000-21).
func blockedReads(*ev.Ctx) (*ev.Evidence, error) {
	dir, err := os.MkdirTemp("", "gocheck-wp-fifo-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	const fifos = 8
	paths := make([]string, fifos)
	for i := range paths {
		paths[i] = filepath.Join(dir, "f"+string(rune('0'+i)))
		if err := syscall.Mkfifo(paths[i], 0o600); err != nil {
			return nil, err
		}
	}
	a := newIOProcessor(4)
	a.start()
	for _, p := range paths {
		a.tasks <- ioTask{kind: "read", source: p}
	}
	time.Sleep(200 * time.Millisecond)
	release := func(p string) bool {
		fd, err := syscall.Open(p, syscall.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			return false // ENXIO: no reader waiting
		}
		syscall.Close(fd)
		return true
	}
	blocked := 0
	for i := fifos - 1; i >= 0; i-- {
		if release(paths[i]) {
			blocked++
		}
	}
	got := 0
	deadline := time.Now().Add(10 * time.Second)
	for got < fifos && time.Now().Before(deadline) {
		for _, p := range paths {
			release(p)
		}
		for drained := false; !drained; {
			select {
			case <-a.results:
				got++
			default:
				drained = true
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	a.cancel()
	a.wg.Wait()
	if got < fifos {
		return nil, errors.New("the FIFO readers were not all released")
	}
	e := ev.New("Go %s: the seed's I/O processor design (4 workers, os.ReadFile) given %d reads of FIFOs nobody writes; a FIFO whose reader waits accepts a non-blocking open for writing", ev.Version(), fifos)
	e.Add("seed port: worker threads", 4, ev.Count)
	e.Add("seed port: reads in flight at once", float64(blocked), ev.Count)
	return e.Say("%d reads in flight for 4 workers: each read holds its goroutine (and, blocked in open, an OS thread)", blocked), nil
}
