//! A sequence lock over `N` words: writers take turns (the sequence number
//! is odd while one writes), readers never block a writer and retry when a
//! write overlapped their read. A read returns the `N` words of one write,
//! never a mix of two: the "torn snapshot" that seed 000's exporter can see
//! (D24) cannot happen.
//!
//! The words are atomics written with `Release` and read with `Acquire`, so
//! there is no data race at all, even on the attempts a reader throws away
//! (a seqlock over plain memory would be undefined behaviour in Rust). On
//! x86-64 these are plain moves. `tests/monitoring/` checks it with loom.

use super::sync::{AtomicU64, Ordering, spin};

/// `N` words that are read and written together.
#[derive(Debug)]
pub struct SeqLock<const N: usize> {
    seq: AtomicU64,
    words: [AtomicU64; N],
}

impl<const N: usize> SeqLock<N> {
    /// All words zero.
    pub fn new() -> Self {
        Self { seq: AtomicU64::new(0), words: std::array::from_fn(|_| AtomicU64::new(0)) }
    }

    /// Writes all `N` words as one update.
    pub fn write(&self, values: [u64; N]) {
        self.update(|_| values);
    }

    // ANCHOR: write
    /// Replaces the words with `f(current words)` as one update. Writers are
    /// serialised: the compare-exchange from even to odd is the lock.
    pub fn update(&self, f: impl FnOnce([u64; N]) -> [u64; N]) {
        let mut s = self.seq.load(Ordering::Relaxed);
        loop {
            if s.is_multiple_of(2) {
                match self.seq.compare_exchange_weak(
                    s,
                    s + 1,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => break,
                    Err(now) => s = now,
                }
            } else {
                spin();
                s = self.seq.load(Ordering::Relaxed);
            }
        }
        // The lock is held: no other writer changes the words meanwhile.
        let current = std::array::from_fn(|i| self.words[i].load(Ordering::Relaxed));
        for (w, v) in self.words.iter().zip(f(current)) {
            w.store(v, Ordering::Release);
        }
        self.seq.store(s + 2, Ordering::Release);
    }
    // ANCHOR_END: write

    // ANCHOR: read
    /// One attempt: the words, if no write overlapped the read.
    pub fn try_read(&self) -> Option<[u64; N]> {
        let before = self.seq.load(Ordering::Acquire);
        if !before.is_multiple_of(2) {
            return None;
        }
        let values = std::array::from_fn(|i| self.words[i].load(Ordering::Acquire));
        // A word read above that came from a later write makes this load see
        // that write's odd (or later) sequence number: Acquire on the word
        // synchronises with the writer's Release store after its lock.
        (self.seq.load(Ordering::Relaxed) == before).then_some(values)
    }

    /// The words of one complete write (retries while writes overlap).
    pub fn read(&self) -> [u64; N] {
        loop {
            if let Some(v) = self.try_read() {
                return v;
            }
            spin();
        }
    }
    // ANCHOR_END: read

    /// Completed writes so far.
    pub fn writes(&self) -> u64 {
        self.seq.load(Ordering::Acquire) / 2
    }
}

impl<const N: usize> Default for SeqLock<N> {
    fn default() -> Self {
        Self::new()
    }
}
