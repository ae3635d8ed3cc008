//! The peer from another crate that only the bench times: rtrb, a
//! dev-dependency, adapted to the chapter's harness trait. (crossbeam's
//! `ArrayQueue` is a dependency of the library, adapted in
//! `src/lock_free_ring/adapters.rs`.)

use perf_workbook::lock_free_ring::harness::Transfer;

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
