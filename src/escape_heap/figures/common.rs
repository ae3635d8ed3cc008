//! What every measurement shares: the once-per-run cache, the counting
//! helper, and the seeds' sizes.

use crate::claims::{CheckError, Ctx, PerRun};
use crate::measure::alloc::{AllocCounts, measure};

/// A measurement of this run, or why it could not be taken.
pub type Figure<T> = Result<&'static T, CheckError>;

pub(super) fn once<T: Send + Sync>(
    cell: &'static PerRun<Result<T, CheckError>>,
    ctx: &Ctx,
    measure: impl FnOnce() -> Result<T, CheckError>,
) -> Figure<T> {
    cell.get(ctx, measure).as_ref().map_err(Clone::clone)
}

/// The allocations `f` makes; its result is dropped after counting.
pub fn count<R>(f: impl FnOnce() -> R) -> AllocCounts {
    let (out, c) = measure(f);
    drop(out);
    c
}

/// Elements in the seeds' slices (seed 003 L228-243, seed 001 L822).
pub const SEED_LEN: usize = 1000;

/// Items in the string-building examples, and their length (the seed's
/// `Grow(len(items) * 10)` expects about 10 bytes each).
pub const ITEMS: usize = 1000;
/// Bytes per item in the string-building examples.
pub const ITEM_LEN: usize = 9;
/// The seed's estimate per item, `Grow(len(items) * 10)` (seed 003 L268).
pub const ESTIMATE: usize = 10;

/// The seed's "large" buffer (seed 001 L853; seed 003's `data` has no size).
pub const MIB: usize = 1 << 20;
/// The head seed 003 keeps (`data[:10]`).
pub const HEAD: usize = 10;

/// Median nanoseconds per call of each of `fs`, timed in `rounds` rounds of
/// one batch of `iters` calls each, in turn (A B C … A B C …), so that a drift
/// of the machine's speed spreads over all of them and every ratio between
/// two of them is taken side by side. `measure::ns_per_call` for any number
/// of functions; keep results alive with `black_box`.
pub fn ns_per_call_each<const N: usize>(
    rounds: usize,
    iters: usize,
    mut fs: [&mut dyn FnMut(); N],
) -> [f64; N] {
    let mut times: [Vec<f64>; N] = std::array::from_fn(|_| Vec::with_capacity(rounds));
    for _ in 0..rounds {
        for (f, t) in fs.iter_mut().zip(&mut times) {
            let start = std::time::Instant::now();
            for _ in 0..iters {
                f();
            }
            t.push(start.elapsed().as_nanos() as f64);
        }
    }
    times.map(|t| crate::measure::stats::median(&t).unwrap_or(f64::NAN) / iters as f64)
}
