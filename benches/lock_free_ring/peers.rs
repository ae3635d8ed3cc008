//! The peers from other crates (dev-dependencies: rtrb, crossbeam-queue),
//! adapted to the chapter's harness traits. Shared by
//! `benches/lock_free_ring.rs` and `examples/lock_free_ring.rs`, which both
//! include this file with `#[path]`, so the bench and the example time the
//! very same adapters.

use crossbeam_queue::ArrayQueue;
use perf_workbook::lock_free_ring::harness::{SharedQueue, Transfer};
use std::sync::Arc;

/// `rtrb::RingBuffer` (cached, padded SPSC ring; batches through
/// `push_partial_slice` / `pop_partial_slice`, one index store per batch).
#[derive(Debug)]
pub struct Rtrb;

impl Transfer for Rtrb {
    const NAME: &'static str = "rtrb";
    type Tx = rtrb::Producer<u64>;
    type Rx = rtrb::Consumer<u64>;
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
        rtrb::RingBuffer::new(capacity)
    }
    #[inline]
    fn send(tx: &mut Self::Tx, v: u64) -> bool {
        tx.push(v).is_ok()
    }
    #[inline]
    fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.pop().ok()
    }
    #[inline]
    fn send_batch(tx: &mut Self::Tx, items: &[u64]) -> usize {
        tx.push_partial_slice(items).0.len()
    }
    #[inline]
    fn recv_batch(rx: &mut Self::Rx, out: &mut [u64]) -> usize {
        rx.pop_partial_slice(out).0.len()
    }
}

/// crossbeam's `ArrayQueue` (Vyukov MPMC) used by one producer and one
/// consumer.
#[derive(Debug)]
pub struct CrossbeamArrayQueue;

impl Transfer for CrossbeamArrayQueue {
    const NAME: &'static str = "crossbeam ArrayQueue";
    type Tx = Arc<ArrayQueue<u64>>;
    type Rx = Arc<ArrayQueue<u64>>;
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
        let q = Arc::new(ArrayQueue::new(capacity));
        (q.clone(), q)
    }
    #[inline]
    fn send(tx: &mut Self::Tx, v: u64) -> bool {
        tx.push(v).is_ok()
    }
    #[inline]
    fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.pop()
    }
}

/// crossbeam's `ArrayQueue` shared by several producers and consumers.
#[derive(Debug)]
pub struct SharedArrayQueue(pub ArrayQueue<u64>);

impl SharedQueue for SharedArrayQueue {
    const NAME: &'static str = "crossbeam ArrayQueue";
    fn with_capacity(capacity: usize) -> Self {
        Self(ArrayQueue::new(capacity))
    }
    #[inline]
    fn push(&self, v: u64) -> bool {
        self.0.push(v).is_ok()
    }
    #[inline]
    fn pop(&self) -> Option<u64> {
        self.0.pop()
    }
}
