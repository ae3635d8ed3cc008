package workerpools

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"perfworkbook/internal/child"
	"perfworkbook/internal/ev"
)

const pipelineItems = 10

func init() {
	// A stage with the design of seed 001's MemoryOptimizedPipeline
	// (§6.1.1.10.2, L939-945): it ranges over its input and sends on its
	// output, and never closes the output.
	child.Register("wp-pipeline", func() {
		in := make(chan []byte)
		out := make(chan []byte)
		go func() {
			for data := range in {
				processed := make([]byte, len(data))
				copy(processed, data)
				out <- processed
			}
		}()
		go func() {
			for i := 0; i < pipelineItems; i++ {
				in <- []byte{byte(i)}
			}
			close(in)
		}()
		n := 0
		for range out {
			n++
			fmt.Printf("received %d\n", n)
		}
		fmt.Println("finished")
	})
}

func d50(*ev.Ctx) (*ev.Evidence, error) {
	o, err := child.Run("wp-pipeline", time.Second)
	if err != nil {
		return nil, err
	}
	deadlock := o.Says("all goroutines are asleep - deadlock")
	e := ev.New("Go %s: %d items through a stage that never closes its output, input closed, a consumer ranging over the output, in a child killed after 1 s", ev.Version(), pipelineItems)
	e.Add("items", pipelineItems, ev.Count)
	e.Add("seed port: items received", lastValue(o.Stdout, "received"), ev.Count)
	e.B("seed port: consumer finished", strings.Contains(o.Stdout, "finished"))
	e.B("Go runtime: all goroutines asleep (deadlock)", deadlock)
	return e.Say("the consumer received %.0f of %d items and never finished; the runtime reported a deadlock: %v (timed out: %v)",
		e.Get("seed port: items received"), pipelineItems, deadlock, o.TimedOut), nil
}

// semaphore runs n requests of 10 ms through the shape of seed 003's
// HandleRequests (a 100-slot channel, a goroutine per request), each
// writing its own slot (no race), and counts how many ran at once.
func semaphore(c *ev.Ctx) (*ev.Evidence, error) {
	n := c.Pick(2000, 500)
	var now, most int64
	responses := make([]int, n)
	sem := make(chan struct{}, 100)
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem }()
			in := atomic.AddInt64(&now, 1)
			for {
				m := atomic.LoadInt64(&most)
				if in <= m || atomic.CompareAndSwapInt64(&most, m, in) {
					break
				}
			}
			time.Sleep(10 * time.Millisecond)
			responses[i] = 2 * i
			atomic.AddInt64(&now, -1)
		}(i)
	}
	for i := 0; i < cap(sem); i++ {
		sem <- struct{}{}
	}
	e := ev.New("Go %s: %d requests of 10 ms, a 100-slot channel as the semaphore (seed 003 L415-437), each request in its own slot", ev.Version(), n)
	e.Add("requests", float64(n), ev.Count)
	e.Add("seed port: most requests in process at once", float64(atomic.LoadInt64(&most)), ev.Count)
	return e.Say("at most %d requests were in process at once", atomic.LoadInt64(&most)), nil
}

var responsesRe = regexp.MustCompile(`responses (\d+) of (\d+)`)
var foundRe = regexp.MustCompile(`Found (\d+) data race`)

// appendRace runs gorace's append scenario (goroutines appending to one
// slice, as HandleRequests does) under the race detector.
var appendRace = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	if c.Tool == nil {
		return nil, errors.New("the race detector needs the go command (gocheck -go PATH)")
	}
	bin, err := c.Tool.RaceBinary("./cmd/gorace")
	if err != nil {
		return nil, err
	}
	o, err := child.RunBinary(bin, []string{"append"}, []string{"GORACE=halt_on_error=0 exitcode=66 atexit_sleep_ms=0"}, 2*time.Minute)
	if err != nil {
		return nil, err
	}
	if o.TimedOut {
		return nil, errors.New("the race-detector run of append timed out")
	}
	reports := 0
	if m := foundRe.FindStringSubmatch(o.Stderr); m != nil {
		reports, _ = strconv.Atoi(m[1])
	}
	kept, of := 0, 0
	if m := responsesRe.FindStringSubmatch(o.Stdout); m != nil {
		kept, _ = strconv.Atoi(m[1])
		of, _ = strconv.Atoi(m[2])
	}
	if reports == 0 && o.ExitCode != 0 {
		return nil, errors.New("gorace append failed: " + strings.SplitN(o.Stderr, "\n", 2)[0])
	}
	e := ev.New("Go %s, `go build -race`: 100 goroutines each appending to one slice with no lock, as seed 003's HandleRequests does (最佳实践2, L407-440)", ev.Version())
	e.Add("race detector: reports", float64(reports), ev.Count)
	e.Add("responses kept", float64(kept), ev.Count)
	e.Add("responses expected", float64(of), ev.Count)
	return e.Say("the race detector reported %d data race(s); %d of %d responses were kept", reports, kept, of), nil
})

func c00330(c *ev.Ctx) (*ev.Evidence, error) { return appendRace.Get(c) }
