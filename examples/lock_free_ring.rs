//! Chapter 6, "Lock-free ring": seed 000 §1.3.2's ring, its capacity
//! surprises, its losses with two producers, and every queue raced.
//!
//!     cargo run --release --example lock_free_ring                  # everything
//!     cargo run --release --example lock_free_ring -- --quick       # small sizes
//!     cargo run --release --example lock_free_ring -- --table speed # one table
use perf_workbook::cli::{chapter_main, table};
use perf_workbook::lock_free_ring::tables;

fn main() {
    chapter_main(
        "lock_free_ring",
        &[
            // C000-19, D15: the seed rounds up to a power of two, then wastes a
            // slot; size 1 holds nothing and size 0 panics at the first push.
            table(
                "capacity",
                "items a fresh ring accepts before push fails",
                tables::capacity,
            ),
            // C000-18, D16, D17: one producer and one consumer are safe; a
            // second of either loses and repeats values.
            table(
                "race",
                "the seed's ring with several producers or consumers",
                tables::race,
            ),
            // C000-20: every queue moving u64 items between two pinned threads,
            // against Mutex<VecDeque>.
            table("speed", "SPSC throughput of every queue", tables::speed),
            // D18 and C000-20's conditions: what padding, caching and Release
            // stores each buy.
            table("ablation", "what padding and caching buy", tables::ablation),
            // C000-20 with two producers and two consumers.
            table("mpmc", "two producers and two consumers", tables::mpmc),
        ],
    );
}
