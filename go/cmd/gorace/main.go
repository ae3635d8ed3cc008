// Command gorace is built with `go build -race` by gocheck, and runs one
// scenario per invocation under the race detector:
//
//	gorace ring-1p N one producer and one consumer on the seed's ring
//	gorace ring-2p N two producers and one consumer on the seed's ring
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
