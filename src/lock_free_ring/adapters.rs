//! The queues of this crate, of std, of crossbeam and the two SPSC rings
//! published as crates (rtrb, ringbuf), adapted to the [`harness`] traits
//! ([`Transfer`] for one producer and one consumer, [`SharedQueue`] for
//! several), so every workload (the example's tables, the checks, the bench)
//! times them the same way.
//!
//! [`harness`]: super::harness

use super::ablation::{self, IndexPair};
use super::floor;
use super::harness::{SharedQueue, Transfer};
use super::seed_port::SeedRing;
use super::{mpmc, spsc};
use crossbeam_queue::ArrayQueue;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, mpsc};

/// Our SPSC ring, one item per call.
#[derive(Debug)]
pub struct OurSpsc;

impl Transfer for OurSpsc {
    const NAME: &'static str = "spsc (ours)";
    type Tx = spsc::Producer<u64>;
    type Rx = spsc::Consumer<u64>;
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
        spsc::channel(capacity).expect("capacity >= 1")
    }
    #[inline]
    fn send(tx: &mut Self::Tx, v: u64) -> bool {
        tx.push(v).is_ok()
    }
    #[inline]
    fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.pop()
    }
    #[inline]
    fn send_batch(tx: &mut Self::Tx, items: &[u64]) -> usize {
        tx.push_slice(items)
    }
    #[inline]
    fn recv_batch(rx: &mut Self::Rx, out: &mut [u64]) -> usize {
        rx.pop_slice(out)
    }
}

/// The seed's ring (the port), used by one producer and one consumer, the
/// only way it works.
#[derive(Debug)]
pub struct SeedPort;

impl Transfer for SeedPort {
    const NAME: &'static str = "seed port";
    type Tx = Arc<SeedRing>;
    type Rx = Arc<SeedRing>;
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
        // The seed wastes a slot: ask for one more (rounded to a power of two
        // for the 1024 the workloads use, 2048 slots; it holds 2047).
        let ring = Arc::new(SeedRing::new(capacity + 1));
        (ring.clone(), ring)
    }
    #[inline]
    fn send(tx: &mut Self::Tx, v: u64) -> bool {
        tx.push(v)
    }
    #[inline]
    fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.pop()
    }
}

/// `Mutex<VecDeque<u64>>` bounded at the capacity: the locking baseline.
#[derive(Debug)]
pub struct MutexDeque;

/// The shared state of [`MutexDeque`].
pub type Locked = Arc<(Mutex<VecDeque<u64>>, usize)>;

impl Transfer for MutexDeque {
    const NAME: &'static str = "Mutex<VecDeque>";
    type Tx = Locked;
    type Rx = Locked;
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
        let q = Arc::new((Mutex::new(VecDeque::with_capacity(capacity)), capacity));
        (q.clone(), q)
    }
    #[inline]
    fn send(tx: &mut Self::Tx, v: u64) -> bool {
        let mut q = tx.0.lock().expect("not poisoned");
        if q.len() == tx.1 {
            return false;
        }
        q.push_back(v);
        true
    }
    #[inline]
    fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.0.lock().expect("not poisoned").pop_front()
    }
    fn send_batch(tx: &mut Self::Tx, items: &[u64]) -> usize {
        let mut q = tx.0.lock().expect("not poisoned");
        let n = items.len().min(tx.1 - q.len());
        q.extend(&items[..n]);
        n
    }
    fn recv_batch(rx: &mut Self::Rx, out: &mut [u64]) -> usize {
        let mut q = rx.0.lock().expect("not poisoned");
        let n = out.len().min(q.len());
        for (o, v) in out.iter_mut().zip(q.drain(..n)) {
            *o = v;
        }
        n
    }
}

/// `std::sync::mpsc::sync_channel` (crossbeam-channel's array flavour inside
/// std since Rust 1.67), with `try_send`/`try_recv` so it waits like the rest.
#[derive(Debug)]
pub struct StdSyncChannel;

impl Transfer for StdSyncChannel {
    const NAME: &'static str = "std sync_channel";
    type Tx = mpsc::SyncSender<u64>;
    type Rx = mpsc::Receiver<u64>;
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
        mpsc::sync_channel(capacity)
    }
    #[inline]
    fn send(tx: &mut Self::Tx, v: u64) -> bool {
        tx.try_send(v).is_ok()
    }
    #[inline]
    fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.try_recv().ok()
    }
}

/// Our MPMC queue used by one producer and one consumer.
#[derive(Debug)]
pub struct OurMpmcAsSpsc;

impl Transfer for OurMpmcAsSpsc {
    const NAME: &'static str = "mpmc (ours) as spsc";
    type Tx = Arc<mpmc::Queue<u64>>;
    type Rx = Arc<mpmc::Queue<u64>>;
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
        let q = Arc::new(mpmc::Queue::new(capacity).expect("capacity >= 1"));
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

/// A variant of the ring from [`ablation`]: layout `L`, caching or not,
/// Release or SeqCst counter stores.
#[derive(Debug)]
pub struct Ablation<L, const CACHED: bool, const SEQ_CST: bool = false>(
    std::marker::PhantomData<L>,
);

impl<L: IndexPair, const CACHED: bool, const SEQ_CST: bool> Transfer
    for Ablation<L, CACHED, SEQ_CST>
{
    const NAME: &'static str = "ablation";
    type Tx = ablation::Writer<L, CACHED, SEQ_CST>;
    type Rx = ablation::Reader<L, CACHED, SEQ_CST>;
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
        ablation::channel(capacity)
    }
    #[inline]
    fn send(tx: &mut Self::Tx, v: u64) -> bool {
        tx.push(v)
    }
    #[inline]
    fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.pop()
    }
}

impl SharedQueue for mpmc::Queue<u64> {
    const NAME: &'static str = "mpmc (ours)";
    fn with_capacity(capacity: usize) -> Self {
        mpmc::Queue::new(capacity).expect("capacity >= 1")
    }
    #[inline]
    fn push(&self, v: u64) -> bool {
        mpmc::Queue::push(self, v).is_ok()
    }
    #[inline]
    fn pop(&self) -> Option<u64> {
        mpmc::Queue::pop(self)
    }
}

impl SharedQueue for (Mutex<VecDeque<u64>>, usize) {
    const NAME: &'static str = "Mutex<VecDeque>";
    fn with_capacity(capacity: usize) -> Self {
        (Mutex::new(VecDeque::with_capacity(capacity)), capacity)
    }
    #[inline]
    fn push(&self, v: u64) -> bool {
        let mut q = self.0.lock().expect("not poisoned");
        if q.len() == self.1 {
            return false;
        }
        q.push_back(v);
        true
    }
    #[inline]
    fn pop(&self) -> Option<u64> {
        self.0.lock().expect("not poisoned").pop_front()
    }
}

/// crossbeam's `ArrayQueue` (Vyukov's bounded MPMC queue) used by one
/// producer and one consumer: a compare-and-swap per operation.
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

/// `rtrb::RingBuffer` (cached, padded SPSC ring, the design ours follows;
/// batches through `push_partial_slice` / `pop_partial_slice`, one index
/// store per batch).
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

/// `ringbuf::HeapRb` split into its caching producer and consumer (padded
/// indices, each side caching the other's; batches through `push_slice` /
/// `pop_slice`, one index store per batch).
#[derive(Debug)]
pub struct Ringbuf;

impl Transfer for Ringbuf {
    const NAME: &'static str = "ringbuf";
    type Tx = ringbuf::HeapProd<u64>;
    type Rx = ringbuf::HeapCons<u64>;
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
        use ringbuf::traits::Split;
        ringbuf::HeapRb::new(capacity).split()
    }
    #[inline]
    fn send(tx: &mut Self::Tx, v: u64) -> bool {
        ringbuf::traits::Producer::try_push(tx, v).is_ok()
    }
    #[inline]
    fn recv(rx: &mut Self::Rx) -> Option<u64> {
        ringbuf::traits::Consumer::try_pop(rx)
    }
    #[inline]
    fn send_batch(tx: &mut Self::Tx, items: &[u64]) -> usize {
        ringbuf::traits::Producer::push_slice(tx, items)
    }
    #[inline]
    fn recv_batch(rx: &mut Self::Rx, out: &mut [u64]) -> usize {
        ringbuf::traits::Consumer::pop_slice(rx, out)
    }
}

/// The reference ring of [`floor`]: the streaming floor (capacity rounded up
/// to a power of two; every capacity the tables use is one).
#[derive(Debug)]
pub struct Floor;

impl Transfer for Floor {
    const NAME: &'static str = "floor ring";
    type Tx = floor::Tx;
    type Rx = floor::Rx;
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
        floor::ring(capacity)
    }
    #[inline]
    fn send(tx: &mut Self::Tx, v: u64) -> bool {
        tx.push(v)
    }
    #[inline]
    fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.pop()
    }
    #[inline]
    fn send_batch(tx: &mut Self::Tx, items: &[u64]) -> usize {
        tx.push_slice(items)
    }
    #[inline]
    fn recv_batch(rx: &mut Self::Rx, out: &mut [u64]) -> usize {
        rx.pop_slice(out)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::lock_free_ring::ablation::{Adjacent, Padded};
    use crate::lock_free_ring::harness::{
        line_ping_pong, ping_pong, transfer, transfer_mpmc,
    };

    #[test]
    fn every_in_crate_queue_passes_the_transfer_check() {
        transfer::<OurSpsc>(10_000, 16, 1).unwrap();
        transfer::<OurSpsc>(10_000, 16, 7).unwrap();
        for batch in [1, 7, 16] {
            transfer::<Rtrb>(10_000, 16, batch).unwrap();
            transfer::<Ringbuf>(10_000, 16, batch).unwrap();
            transfer::<Floor>(10_000, 16, batch).unwrap();
        }
        transfer::<SeedPort>(10_000, 16, 1).unwrap();
        transfer::<MutexDeque>(10_000, 16, 1).unwrap();
        transfer::<MutexDeque>(10_000, 16, 5).unwrap();
        transfer::<StdSyncChannel>(10_000, 16, 1).unwrap();
        transfer::<OurMpmcAsSpsc>(10_000, 16, 1).unwrap();
        transfer::<Ablation<Adjacent, false>>(10_000, 16, 1).unwrap();
        transfer::<Ablation<Padded, true>>(10_000, 16, 1).unwrap();
        transfer_mpmc::<mpmc::Queue<u64>>(2, 2, 10_000, 16).unwrap();
        transfer_mpmc::<(Mutex<VecDeque<u64>>, usize)>(2, 2, 10_000, 16).unwrap();
    }

    #[test]
    fn every_ping_pong_comes_back() {
        ping_pong::<OurSpsc>(2_000, 16).unwrap();
        ping_pong::<Rtrb>(2_000, 16).unwrap();
        ping_pong::<Ringbuf>(2_000, 16).unwrap();
        ping_pong::<Floor>(2_000, 16).unwrap();
        ping_pong::<MutexDeque>(2_000, 16).unwrap();
        line_ping_pong(2_000).unwrap();
    }
}
