// Package ring is a ring buffer with the behaviour of seed 000's
// LockFreeRingBuffer (§1.3.2, L383-441), rebuilt from its description: a
// power-of-two slice, head and tail as plain uint64 fields side by side,
// each read and written with sync/atomic loads and stores, slots read and
// written without synchronisation, "full" when head+1 meets tail.
//
// It is correct with one producer and one consumer, and only then; the
// workbook measures what happens otherwise. It is a leaf package so that
// the race-detector binary (cmd/gorace) can build it alone.
package ring

import (
	"math/bits"
	"sync/atomic"
)

// Ring has the seed's layout: the slots, the mask, then head and tail.
type Ring[T any] struct {
	buffer []T
	mask   uint64
	head   uint64
	tail   uint64
}

// New rounds size up to a power of two the way the seed does (a size that
// is already a power of two, or 0, is kept).
func New[T any](size int) *Ring[T] {
	if size&(size-1) != 0 {
		size = 1 << (64 - bits.LeadingZeros64(uint64(size)))
	}
	return &Ring[T]{buffer: make([]T, size), mask: uint64(size - 1)}
}

// Slots is the length of the slot slice.
func (r *Ring[T]) Slots() int { return len(r.buffer) }

// Push adds x unless the ring is full: Reserve, Write, Publish in a row.
func (r *Ring[T]) Push(x T) bool {
	head, ok := r.Reserve()
	if !ok {
		return false
	}
	r.Write(head, x)
	r.Publish(head)
	return true
}

// Reserve is Push's first step: load head and tail, and refuse when full.
func (r *Ring[T]) Reserve() (uint64, bool) {
	head := atomic.LoadUint64(&r.head)
	tail := atomic.LoadUint64(&r.tail)
	if (head+1)&r.mask == tail&r.mask {
		return 0, false
	}
	return head, true
}

// Write is Push's second step: store the item in head's slot.
func (r *Ring[T]) Write(head uint64, x T) { r.buffer[head&r.mask] = x }

// Publish is Push's last step: store head+1.
func (r *Ring[T]) Publish(head uint64) { atomic.StoreUint64(&r.head, head+1) }

// Interleaved runs two Pushes step by step in the order a preemption
// between Reserve and Publish produces: A reserves, B reserves, A writes,
// B writes, A publishes, B publishes. It returns what a consumer then
// pops.
func Interleaved[T any](size int, a, b T) []T {
	r := New[T](size)
	ha, okA := r.Reserve()
	hb, okB := r.Reserve()
	if !okA || !okB {
		return nil
	}
	r.Write(ha, a)
	r.Write(hb, b)
	r.Publish(ha)
	r.Publish(hb)
	var out []T
	for {
		x, ok := r.Pop()
		if !ok {
			return out
		}
		out = append(out, x)
	}
}

// Pop takes the oldest item unless the ring is empty.
func (r *Ring[T]) Pop() (T, bool) {
	var zero T
	tail := atomic.LoadUint64(&r.tail)
	head := atomic.LoadUint64(&r.head)
	if tail&r.mask == head&r.mask {
		return zero, false
	}
	x := r.buffer[tail&r.mask]
	atomic.StoreUint64(&r.tail, tail+1)
	return x, true
}

// Stress pushes perProducer distinct values from each of producers
// goroutines while one consumer pops, and returns how many values never
// came out and how many came out more than once.
func Stress(size, producers, perProducer int, yield func()) (lost, duplicated int) {
	r := New[uint64](size)
	total := producers * perProducer
	done := make(chan struct{})
	var running int64 = int64(producers)
	for p := 0; p < producers; p++ {
		go func(p int) {
			for i := 0; i < perProducer; i++ {
				v := uint64(p*perProducer + i)
				for !r.Push(v) {
					yield()
				}
			}
			atomic.AddInt64(&running, -1)
		}(p)
	}
	seen := make([]uint8, total)
	count := func(v uint64) {
		if v < uint64(total) && seen[v] < 255 {
			seen[v]++
		}
	}
	go func() {
		for {
			if v, ok := r.Pop(); ok {
				count(v)
				continue
			}
			if atomic.LoadInt64(&running) == 0 {
				// The producers are done: take what is left, then stop.
				for {
					v, ok := r.Pop()
					if !ok {
						break
					}
					count(v)
				}
				close(done)
				return
			}
			yield()
		}
	}()
	<-done
	for _, n := range seen {
		switch {
		case n == 0:
			lost++
		case n > 1:
			duplicated += int(n) - 1
		}
	}
	return lost, duplicated
}
