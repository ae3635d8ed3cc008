// Command gorace is built with `go build -race` by gocheck, and runs one
// scenario per invocation under the race detector:
//
//	gorace ring-1p N  one producer and one consumer on the seed's ring
//	gorace ring-2p N  two producers and one consumer on the seed's ring
//	gorace ring-step  two producers that both reserve a slot before either
//	                  writes (a preemption the ring allows), each on its own
//	                  goroutine
//	gorace append    goroutines appending to one slice, the way seed 003's
//	                 HandleRequests does (最佳实践2, L405-441)
//
// The race detector prints "WARNING: DATA RACE" per report and "Found N
// data race(s)" at exit; gocheck counts them.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"perfworkbook/lock_free_ring/ring"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gorace ring-1p|ring-2p|append [values per producer]")
		os.Exit(2)
	}
	per := 10000
	if len(os.Args) > 2 {
		n, err := strconv.Atoi(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "gorace:", err)
			os.Exit(2)
		}
		per = n
	}
	switch os.Args[1] {
	case "ring-1p":
		lost, dup := ring.Stress(64, 1, 2*per, runtime.Gosched)
		fmt.Printf("lost %d duplicated %d\n", lost, dup)
	case "ring-2p":
		lost, dup := ring.Stress(64, 2, per, runtime.Gosched)
		fmt.Printf("lost %d duplicated %d\n", lost, dup)
	case "ring-step":
		r := ring.New[int](8)
		var reserved int32
		var wg sync.WaitGroup
		for p := 1; p <= 2; p++ {
			wg.Add(1)
			go func(p int) {
				defer wg.Done()
				head, ok := r.Reserve()
				if !ok {
					return
				}
				// Wait until both have reserved: the barrier orders each
				// reservation before the other's write, and nothing orders
				// the two writes.
				atomic.AddInt32(&reserved, 1)
				for atomic.LoadInt32(&reserved) < 2 {
					runtime.Gosched()
				}
				r.Write(head, p)
				r.Publish(head)
			}(p)
		}
		wg.Wait()
		n := 0
		for {
			if _, ok := r.Pop(); !ok {
				break
			}
			n++
		}
		fmt.Printf("items popped %d of 2\n", n)
	case "append":
		var responses []int
		var wg sync.WaitGroup
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				responses = append(responses, i*i)
			}(i)
		}
		wg.Wait()
		fmt.Printf("responses %d of 100\n", len(responses))
	default:
		fmt.Fprintf(os.Stderr, "unknown scenario %q\n", os.Args[1])
		os.Exit(2)
	}
}
