// Package workerpools measures, in Go, what seed 000's worker pool and I/O
// processors, seed 001's pipeline stage and seed 003's HandleRequests do:
// the jobs a cancelled pool never runs, a lone job waiting for a ticker,
// zero values from a closed channel, results nobody drains, tasks dropped
// by a select's default, a racy append.
//
// Each design is rebuilt here from the seeds' descriptions, with the
// mechanism a claim is about (select among ready cases, a 10 ms ticker per
// worker, a receive without ok); none is the seeds' text. The plain pool
// beside them (a channel ranged over until it is closed) is the fix.
package workerpools

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"perfworkbook/internal/child"
	"perfworkbook/internal/compile"
	"perfworkbook/internal/ev"
)

type job struct {
	id   int64
	data int64
	sent time.Time
}

type result struct {
	id   int64
	data int64
	sent time.Time
}

// batchPool has the design of seed 000's HighPerformanceWorkerPool (§1.3.1,
// L279-377): each worker keeps a local batch and processes it when it holds
// batchSize jobs or its own ticker fires; processBatch sends one result per
// job and returns when it sees the context cancelled; a cancelled worker
// processes its local batch and returns.
type batchPool struct {
	jobs      chan job
	results   chan result
	ctx       context.Context
	cancel    context.CancelFunc
	batchSize int
	tick      time.Duration
	wg        sync.WaitGroup
	mu        sync.Mutex
	processed int64
	process   func(job) result
	// checkOK makes the worker stop on a closed queue (v, ok := <-jobs);
	// the seed receives without ok (L339).
	checkOK bool
}

func newBatchPool(workers, queue, batch int, process func(job) result) *batchPool {
	ctx, cancel := context.WithCancel(context.Background())
	p := &batchPool{
		jobs:      make(chan job, queue),
		results:   make(chan result, queue),
		ctx:       ctx,
		cancel:    cancel,
		batchSize: batch,
		tick:      10 * time.Millisecond,
		process:   process,
	}
	for i := 0; i < workers; i++ {
		p.wg.Add(1)
		go p.worker()
	}
	return p
}

func (p *batchPool) worker() {
	defer p.wg.Done()
	batch := make([]job, 0, p.batchSize)
	ticker := time.NewTicker(p.tick)
	defer ticker.Stop()
	for {
		select {
		case j, ok := <-p.jobs:
			if !ok && p.checkOK {
				return
			}
			batch = append(batch, j)
			if len(batch) >= p.batchSize {
				p.processBatch(batch)
				batch = batch[:0]
			}
		case <-ticker.C:
			if len(batch) > 0 {
				p.processBatch(batch)
				batch = batch[:0]
			}
		case <-p.ctx.Done():
			if len(batch) > 0 {
				p.processBatch(batch)
			}
			return
		}
	}
}

func (p *batchPool) processBatch(batch []job) {
	for _, j := range batch {
		r := p.process(j)
		p.mu.Lock()
		p.processed++
		p.mu.Unlock()
		select {
		case p.results <- r:
		case <-p.ctx.Done():
			return
		}
	}
}

// plainPool is the fix: workers range over the queue until it is closed
// and empty, so closing it runs every job already queued.
type plainPool struct {
	jobs    chan job
	results chan result
	wg      sync.WaitGroup
	ran     int64
}

func newPlainPool(workers, queue int, process func(job) result, results chan result) *plainPool {
	p := &plainPool{jobs: make(chan job, queue), results: results}
	for i := 0; i < workers; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for j := range p.jobs {
				r := process(j)
				atomic.AddInt64(&p.ran, 1)
				if p.results != nil {
					p.results <- r
				}
			}
		}()
	}
	return p
}

func (p *plainPool) shutdown() { close(p.jobs); p.wg.Wait() }

func echo(j job) result { return result{id: j.id, data: j.data, sent: j.sent} }

func percentile(v []float64, q float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[int(float64(len(s)-1)*q+0.5)]
}

// lone sends n jobs one at a time, 1 to 3 ms apart, and returns the
// submit-to-result latencies in ns of those that came out within 200 ms.
func lone(n int, send func(job), results <-chan result) []float64 {
	out := make([]float64, 0, n)
	x := uint64(0x1a7e)
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
		time.Sleep(time.Millisecond + time.Duration(x>>33%2000)*time.Microsecond)
		send(job{id: int64(i), sent: time.Now()})
		select {
		case r := <-results:
			out = append(out, float64(time.Since(r.sent).Nanoseconds()))
		case <-time.After(200 * time.Millisecond):
		}
	}
	return out
}

var latency = ev.Once(func(c *ev.Ctx) ([2][]float64, error) {
	seed := newBatchPool(2, 1024, 64, echo)
	s := lone(c.Pick(100, 30), func(j job) { seed.jobs <- j }, seed.results)
	seed.cancel()
	seed.wg.Wait()
	results := make(chan result, 1024)
	plain := newPlainPool(2, 1024, echo, results)
	p := lone(c.Pick(200, 40), func(j job) { plain.jobs <- j }, results)
	plain.shutdown()
	return [2][]float64{s, p}, nil
})

// saturated runs n empty jobs through each pool with a goroutine draining
// the results, and returns jobs per second (seed, plain), the best of 3.
var saturated = ev.Once(func(c *ev.Ctx) ([2]float64, error) {
	n := c.Pick(200000, 50000)
	best := [2]float64{}
	for round := 0; round < 3; round++ {
		seed := newBatchPool(2, 1024, 64, echo)
		t := time.Now()
		done := make(chan struct{})
		go func() {
			for i := 0; i < n; i++ {
				<-seed.results
			}
			close(done)
		}()
		for i := 0; i < n; i++ {
			seed.jobs <- job{id: int64(i)}
		}
		<-done
		if r := float64(n) / time.Since(t).Seconds(); r > best[0] {
			best[0] = r
		}
		seed.cancel()
		seed.wg.Wait()
		results := make(chan result, 1024)
		plain := newPlainPool(2, 1024, echo, results)
		t = time.Now()
		done = make(chan struct{})
		go func() {
			for i := 0; i < n; i++ {
				<-results
			}
			close(done)
		}()
		for i := 0; i < n; i++ {
			plain.jobs <- job{id: int64(i)}
		}
		<-done
		if r := float64(n) / time.Since(t).Seconds(); r > best[1] {
			best[1] = r
		}
		plain.shutdown()
	}
	return best, nil
})

func c00015(c *ev.Ctx) (*ev.Evidence, error) {
	lat, err := latency.Get(c)
	if err != nil {
		return nil, err
	}
	sat, err := saturated.Get(c)
	if err != nil {
		return nil, err
	}
	e := ev.New("Go %s: the seed's design (2 workers, batch 64, a 10 ms ticker each) against a pool ranging over its channel; %d and %d lone jobs 1-3 ms apart; saturated: empty jobs, results drained, best of 3", ev.Version(), len(lat[0]), len(lat[1]))
	e.Add("seed pool: p50 latency at low load", percentile(lat[0], 0.5), ev.Nanos)
	e.Add("seed pool: p99 latency at low load", percentile(lat[0], 0.99), ev.Nanos)
	e.Add("plain pool: p50 latency at low load", percentile(lat[1], 0.5), ev.Nanos)
	e.Add("seed pool ÷ plain pool, jobs per second, empty jobs", sat[0]/sat[1], ev.Ratio)
	return e.Say("a lone job waits %s (p50) in the seed's design, %s in a plain pool; saturated the seed's runs %.2f× the plain pool's jobs per second",
		ev.Dur(percentile(lat[0], 0.5)), ev.Dur(percentile(lat[1], 0.5)), sat[0]/sat[1]), nil
}

func c00016(c *ev.Ctx) (*ev.Evidence, error) {
	lat, err := latency.Get(c)
	if err != nil {
		return nil, err
	}
	e := ev.New("Go %s: the seed's design, 2 workers, batch 64, 10 ms tickers; %d lone jobs, 1-3 ms apart, each waited for at most 200 ms", ev.Version(), c.Pick(100, 30))
	longest := 0.0
	for _, v := range lat[0] {
		if v > longest {
			longest = v
		}
	}
	e.Add("lone jobs sent", float64(c.Pick(100, 30)), ev.Count)
	e.Add("lone jobs delivered within 200 ms", float64(len(lat[0])), ev.Count)
	e.Add("seed pool: p50 latency at low load", percentile(lat[0], 0.5), ev.Nanos)
	e.Add("seed pool: longest wait", longest, ev.Nanos)
	return e.Say("%d of %d lone jobs came out, after %s (p50) and at most %s: the ticker flushes partial batches, after up to a tick", len(lat[0]), c.Pick(100, 30), ev.Dur(percentile(lat[0], 0.5)), ev.Dur(longest)), nil
}

// shutdown queues 1,000 jobs and cancels, runs times; and the plain pool.
var shutdown = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	runs := c.Pick(20, 5)
	const jobs = 1000
	fewest := int64(jobs)
	losing := 0
	for r := 0; r < runs; r++ {
		p := newBatchPool(2, jobs, 64, echo)
		for i := 0; i < jobs; i++ {
			p.jobs <- job{id: int64(i)}
		}
		p.cancel()
		p.wg.Wait()
		if p.processed < fewest {
			fewest = p.processed
		}
		if p.processed < jobs {
			losing++
		}
	}
	plain := newPlainPool(2, jobs, echo, nil)
	for i := 0; i < jobs; i++ {
		plain.jobs <- job{id: int64(i)}
	}
	plain.shutdown()
	// select between two ready cases, 10,000 times.
	ready := make(chan int, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	first := 0
	const picks = 10000
	for i := 0; i < picks; i++ {
		select {
		case ready <- 1:
		default:
		}
		select {
		case <-ready:
			first++
		case <-ctx.Done():
		}
	}
	e := ev.New("Go %s: %d jobs queued in the seed's design (2 workers, batch 64), then cancel(), %d runs; a plain pool closed instead; and %d selects with a job waiting and the context cancelled", ev.Version(), jobs, runs, picks)
	e.Add("jobs queued", jobs, ev.Count)
	e.Add("seed pool: fewest jobs run", float64(fewest), ev.Count)
	e.Add("seed pool: jobs lost, worst run", float64(jobs-fewest), ev.Count)
	e.Add("seed pool: runs that lost jobs", float64(losing), ev.Count)
	e.Add("plain pool: jobs lost", float64(jobs-plain.ran), ev.Count)
	e.Add("select: share of picks of the job case, both ready", float64(first)/picks, ev.Fraction)
	return e.Say("of %d queued jobs the seed's design ran as few as %d (%d of %d runs lost jobs); the plain pool ran %d; select took the job case %.1f%% of the time", jobs, fewest, losing, runs, plain.ran, 100*float64(first)/picks), nil
})

func c00017(c *ev.Ctx) (*ev.Evidence, error) { return shutdown.Get(c) }

// closedQueue closes the seed design's queue after 10 jobs and counts the
// zero-valued jobs its worker runs in 20 ms (D74).
func d74(c *ev.Ctx) (*ev.Evidence, error) {
	count := func(checkOK bool) int64 {
		p := newBatchPool(1, 8, 1, echo)
		p.checkOK = checkOK
		for i := 0; i < 10; i++ {
			p.jobs <- job{id: int64(i + 1), data: 1}
		}
		close(p.jobs)
		zero := int64(0)
		deadline := time.After(20 * time.Millisecond)
	loop:
		for {
			select {
			case r := <-p.results:
				if r.data == 0 {
					zero++
				}
			case <-deadline:
				break loop
			}
		}
		p.cancel()
		p.wg.Wait()
		return zero
	}
	seed, ok := count(false), count(true)
	e := ev.New("Go %s: 10 jobs with payload 1, then close(jobQueue), results read for 20 ms; the worker receives as the seed does (no ok, L339) and with v, ok", ev.Version())
	e.Add("seed pool: zero-value jobs run after close", float64(seed), ev.Count)
	e.Add("with ok checked: zero-value jobs run after close", float64(ok), ev.Count)
	return e.Say("after the close the seed's worker ran %d zero-value jobs in 20 ms; checking ok, %d", seed, ok), nil
}

// undrainedJobs is what the child tries to send.
const undrainedJobs = 100

func init() {
	child.Register("wp-undrained", func() {
		p := newBatchPool(2, 8, 4, echo)
		var sent int64
		go func() {
			for {
				p.mu.Lock()
				n := p.processed
				p.mu.Unlock()
				fmt.Printf("sent %d processed %d\n", atomic.LoadInt64(&sent), n)
				time.Sleep(20 * time.Millisecond)
			}
		}()
		for i := 0; i < undrainedJobs; i++ {
			p.jobs <- job{id: int64(i)}
			atomic.AddInt64(&sent, 1)
		}
		fmt.Println("all sent")
	})
}

func lastValue(out, key string) float64 {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		w := strings.Fields(lines[i])
		for j := len(w) - 2; j >= 0; j-- {
			if w[j] == key {
				var v float64
				if _, err := fmt.Sscan(w[j+1], &v); err == nil {
					return v
				}
			}
		}
	}
	return 0
}

func d14(*ev.Ctx) (*ev.Evidence, error) {
	o, err := child.Run("wp-undrained", time.Second)
	if err != nil {
		return nil, err
	}
	hung := o.TimedOut || o.Says("all goroutines are asleep")
	e := ev.New("Go %s: the seed's design (2 workers, queue 8, batch 4) sends %d jobs with nobody reading results, in a child killed after 1 s", ev.Version(), undrainedJobs)
	e.B("seed pool: hung", hung && !strings.Contains(o.Stdout, "all sent"))
	e.Add("seed pool: jobs processed before it hung", lastValue(o.Stdout, "processed"), ev.Count)
	e.Add("seed pool: jobs sent before it hung", lastValue(o.Stdout, "sent"), ev.Count)
	e.Add("results channel + workers", 8+2, ev.Count)
	return e.Say("the seed's design processed %.0f jobs (8 result slots + 2 workers each holding one), then every sender blocked (%.0f of %d sent): timed out %v",
		e.Get("seed pool: jobs processed before it hung"), e.Get("seed pool: jobs sent before it hung"), undrainedJobs, o.TimedOut), nil
}

// undefinedPieces has the shape of seed 000's pool: it uses Job, Result,
// processJob and updateMetrics, which the seed never defines.
const undefinedPieces = `package pool

type Pool[T any] struct {
	jobs    chan Job[T]
	results chan Result[T]
}

func (p *Pool[T]) processBatch(batch []Job[T]) {
	for _, j := range batch {
		r := p.processJob(j)
		p.updateMetrics(r)
		p.results <- r
	}
}
`

// definedPieces is the same with the four defined.
const definedPieces = `package pool

type Job[T any] struct{ Data T }

type Result[T any] struct{ Value T }

type Pool[T any] struct {
	jobs    chan Job[T]
	results chan Result[T]
	done    int
}

func (p *Pool[T]) processJob(j Job[T]) Result[T] { return Result[T]{Value: j.Data} }

func (p *Pool[T]) updateMetrics(Result[T]) { p.done++ }

func (p *Pool[T]) processBatch(batch []Job[T]) {
	for _, j := range batch {
		r := p.processJob(j)
		p.updateMetrics(r)
		p.results <- r
	}
}
`

func d75(*ev.Ctx) (*ev.Evidence, error) {
	r := compile.Check("pool.go", undefinedPieces)
	d := compile.Check("pool.go", definedPieces)
	e := ev.New("go/parser and go/types (%s) on a fresh file with the shape of seed 000 §1.3.1 (Job, Result, processJob, updateMetrics used, never defined), and with the four defined", ev.Version())
	e.Add("type errors", float64(len(r.TypeErrors)), ev.Count)
	e.Add("with the four defined: errors", float64(d.Errors()), ev.Count)
	return e.Say("Go's front end: %s; with the four defined: %s", r.First(), d.First()), nil
}
