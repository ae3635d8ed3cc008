//! What the counting allocator costs: a 64-byte alloc + write + free through
//! glibc's `malloc`/`free` called directly, and the same through a
//! [`CountingAlloc`] over glibc, also called directly, so that neither goes
//! through the binary's global allocator (whatever it is) and the difference
//! is the counting alone.
//!
//! The counting is per thread and exact: seven `const` thread-local counters,
//! a load and a store each, and a peak that only an allocation looks at
//! (`src/measure/alloc.rs`). `tests/counting_vs_dhat.rs` checks its totals
//! against dhat's on one workload.
//!
//! Not here: the allocation counts themselves ([`super::counting`]).

use crate::measure::alloc::CountingAlloc;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;

/// Bytes per block of the loops.
pub const BLOCK: usize = 64;

/// The counting wrapper of the loops: glibc inside, called directly.
static COUNTING: CountingAlloc<System> = CountingAlloc::system();

// ANCHOR: loops
#[inline(always)]
fn alloc_write_free<A: GlobalAlloc>(a: &A, iters: u64) {
    let layout = Layout::from_size_align(BLOCK, 8).expect("a valid layout");
    for i in 0..iters {
        // SAFETY: `layout` has a non-zero size; the pointer is checked for
        // null, written within its `BLOCK` bytes and freed once with its layout.
        unsafe {
            let p = a.alloc(layout);
            if p.is_null() {
                std::alloc::handle_alloc_error(layout);
            }
            p.cast::<u64>().write(i);
            black_box(p);
            a.dealloc(p, layout);
        }
    }
}

/// `iters` blocks through glibc, called directly.
#[inline(never)]
pub fn glibc_loop(iters: u64) {
    alloc_write_free(&System, iters);
}

/// `iters` blocks through `CountingAlloc<System>`, called directly.
#[inline(never)]
pub fn counting_loop(iters: u64) {
    alloc_write_free(&COUNTING, iters);
}
// ANCHOR_END: loops
