//! Seed 004's `make([]byte, 1 GB)` beside a heap of small objects, and the
//! two ways a marker can treat it (C004-05, "the GC has to scan the large
//! block"):
//!
//! - [`BlockScan::Noscan`]: the block is one object whose type says it holds
//!   no pointers, so the marker colors it and never looks inside. Go does
//!   this: `mallocgc` puts an object whose type has no pointers in a
//!   *noscan* span class (runtime/malloc.go), and the mark phase reads no
//!   word of it.
//! - [`BlockScan::Conservative`]: the marker has no type information and
//!   reads every 8-byte word of the block, testing whether it holds the
//!   address of a live object (as a conservative collector such as Boehm's
//!   does). That is the least "having to scan the block" can cost: one load
//!   and one comparison per word, no pointer lookup.
//!
//! The block's words are real memory (filled with random bytes, the data a
//! buffer holds); the objects of the heap are the simulator's. The timing of
//! both, and of the heap alone, is in `figures::noscan`.

use super::heap::{Color, Heap, ObjId};
use super::stw;
use crate::measure::rng::SplitMix64;

/// How the marker treats the large block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockScan {
    /// Pointer-free by type: colored, never read (Go's noscan spans).
    Noscan,
    /// Every word read and tested as a possible pointer.
    Conservative,
}

/// A heap of small objects with one rooted large block.
#[derive(Clone, Debug)]
pub struct BlockHeap {
    /// The heap: the small objects and the block's object (rooted).
    pub heap: Heap,
    /// The block's contents, as 8-byte words.
    pub words: Vec<u64>,
    /// The block's object in the heap.
    pub block: ObjId,
    /// The stack that holds, during one marking, the pointers a conservative
    /// scan found in the block (roots for the marker).
    found_stack: usize,
}

/// What one marking of a [`BlockHeap`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockMark {
    /// Objects marked (the block counts as one).
    pub marked: usize,
    /// Words of the block read.
    pub words_read: usize,
    /// Words that held the address of a live object (kept alive by the scan).
    pub pointers_found: usize,
}

impl BlockHeap {
    /// `heap` plus a rooted block of `block_bytes` (a multiple of 8) filled
    /// with random bytes from `seed`.
    pub fn new(mut heap: Heap, block_bytes: usize, seed: u64) -> Self {
        let simulated = u32::try_from(block_bytes).unwrap_or(u32::MAX);
        let block = heap.alloc_noscan(simulated, Color::White);
        heap.push_root(block);
        let found_stack = heap.add_stack(0);
        let mut rng = SplitMix64::new(seed);
        let words = (0..block_bytes / 8).map(|_| rng.next_u64()).collect();
        Self { heap, words, block, found_stack }
    }

    // ANCHOR: mark_with_block
    /// Marks the heap from white, treating the block as `how` says.
    pub fn mark(&mut self, how: BlockScan) -> BlockMark {
        let found: Vec<Option<ObjId>> = match how {
            BlockScan::Noscan => Vec::new(),
            BlockScan::Conservative => {
                let slots = self.heap.slot_count() as u64;
                // An `ObjId` is its arena index + 1: a word in 1..=slots
                // may be one, if that slot holds a live object.
                self.words
                    .iter()
                    .filter(|&&w| w.wrapping_sub(1) < slots)
                    .map(|&w| ObjId::from_index((w - 1) as usize))
                    .filter(|&id| self.heap.is_live(id))
                    .map(Some)
                    .collect()
            }
        };
        let words_read = if how == BlockScan::Noscan { 0 } else { self.words.len() };
        let pointers_found = found.len();
        *self.heap.stack_mut(self.found_stack) = found;
        self.heap.whiten_all();
        let m = stw::mark(&mut self.heap);
        self.heap.stack_mut(self.found_stack).clear();
        BlockMark { marked: m.marked, words_read, pointers_found }
    }
    // ANCHOR_END: mark_with_block
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mark_sweep::graphs::{self, Shape};

    #[test]
    fn noscan_reads_nothing_and_a_conservative_scan_reads_every_word() {
        let heap = graphs::shaped(100, Shape::AllocationOrder, 5);
        let mut b = BlockHeap::new(heap, 4096, 1);
        let n = b.mark(BlockScan::Noscan);
        assert_eq!((n.marked, n.words_read, n.pointers_found), (101, 0, 0));
        let c = b.mark(BlockScan::Conservative);
        assert_eq!((c.marked, c.words_read), (101, 512));
    }

    #[test]
    fn a_conservative_scan_keeps_what_a_word_points_at() {
        // A heap whose only root is the block: the object at slot 3 is
        // garbage unless a word of the block holds its id (3 + 1).
        let mut heap = Heap::new();
        for _ in 0..5 {
            heap.alloc(32, Color::White);
        }
        let mut b = BlockHeap::new(heap, 64, 2);
        b.words.fill(u64::MAX);
        assert_eq!(b.mark(BlockScan::Conservative).marked, 1);
        b.words[7] = 4;
        let c = b.mark(BlockScan::Conservative);
        assert_eq!((c.marked, c.pointers_found), (2, 1));
        assert_eq!(b.mark(BlockScan::Noscan).marked, 1);
        assert_eq!(b.heap.color(ObjId::from_index(3)), Color::White);
    }
}
