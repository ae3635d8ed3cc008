//! Timing small loops honestly enough for a claim check: nanoseconds per
//! operation from a monotonic clock, several variants round-robin (A B C A B C), the
//! machine's cycle time, and what a millisecond timer does to the result.
//!
//! Not a benchmark harness: criterion (`benches/measuring.rs`) does warm-up,
//! outlier analysis and confidence intervals. These helpers take the handful
//! of side-by-side repetitions a check can afford inside the `workbook` run,
//! and report medians.

use crate::measure::stats;
use std::time::{Duration, Instant};

// ANCHOR: ns_per_op
/// Runs `body(iters)` once and returns nanoseconds per iteration. `body` is
/// one of the loops of this chapter; it runs `iters` iterations itself, so
/// the clock is read twice per call, not twice per iteration.
pub fn ns_per_op(iters: u64, body: fn(u64)) -> f64 {
    let start = Instant::now();
    body(iters);
    start.elapsed().as_nanos() as f64 / iters as f64
}
// ANCHOR_END: ns_per_op

/// ns/op samples of each loop in `bodies`, measured round-robin: one warm-up
/// call each, then `rounds` rounds that run every loop once, so a change of
/// clock speed or a noisy neighbour hits all of them alike. Round `r` starts
/// with loop `r mod n`, so each loop runs in each position of a round equally
/// often (running always second, say right after the same other loop, is a
/// difference of its own).
pub fn round_robin_samples(
    rounds: usize,
    iters: u64,
    bodies: &[fn(u64)],
) -> Vec<Vec<f64>> {
    for body in bodies {
        body(iters / 10 + 1);
    }
    let n = bodies.len();
    let mut samples = vec![Vec::with_capacity(rounds); n];
    for r in 0..rounds {
        for k in 0..n {
            let i = (r + k) % n;
            samples[i].push(ns_per_op(iters, bodies[i]));
        }
    }
    samples
}

/// The median of each loop's [`round_robin_samples`].
pub fn round_robin(rounds: usize, iters: u64, bodies: &[fn(u64)]) -> Vec<f64> {
    round_robin_samples(rounds, iters, bodies)
        .iter()
        .map(|xs| stats::median(xs).expect("rounds > 0"))
        .collect()
}

// ANCHOR: cycle_time
/// Nanoseconds per CPU clock cycle, measured: a chain of dependent integer
/// additions retires one addition per cycle on every x86-64 and AArch64 core
/// (each waits for the previous result), so the fastest of `rounds` runs of
/// `8 × iters` additions gives the cycle time at the clock the core runs now.
/// `None` on other architectures.
pub fn cycle_time_ns(rounds: usize, iters: u64) -> Option<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..rounds {
        let start = Instant::now();
        dependent_adds(iters)?;
        let ns = start.elapsed().as_nanos() as f64;
        best = best.min(ns / (8 * iters) as f64);
    }
    Some(best)
}
// ANCHOR_END: cycle_time

// ANCHOR: dependent_adds
/// `8 × iters` additions, each depending on the previous one. The operand is
/// a register, not an immediate: recent Intel cores fold chains of
/// `add reg, imm` at register rename (this VM's Xeon then seemed to run at
/// about 12 GHz when we tried it).
#[cfg(target_arch = "x86_64")]
fn dependent_adds(iters: u64) -> Option<()> {
    if iters == 0 {
        return Some(());
    }
    // SAFETY: the assembly reads and writes only the registers declared as
    // operands, touches no memory and no stack, and changes the flags, which
    // `asm!` assumes clobbered unless `preserves_flags` is given.
    unsafe {
        std::arch::asm!(
            "2:",
            "add {x}, {one}", "add {x}, {one}", "add {x}, {one}", "add {x}, {one}",
            "add {x}, {one}", "add {x}, {one}", "add {x}, {one}", "add {x}, {one}",
            "dec {n}",
            "jnz 2b",
            x = inout(reg) 0u64 => _,
            n = inout(reg) iters => _,
            one = in(reg) 1u64,
            options(nomem, nostack),
        );
    }
    Some(())
}
// ANCHOR_END: dependent_adds

/// `8 × iters` additions, each depending on the previous one.
#[cfg(target_arch = "aarch64")]
fn dependent_adds(iters: u64) -> Option<()> {
    if iters == 0 {
        return Some(());
    }
    // SAFETY: the assembly reads and writes only the registers declared as
    // operands and touches no memory and no stack.
    unsafe {
        std::arch::asm!(
            "2:",
            "add {x}, {x}, {one}", "add {x}, {x}, {one}",
            "add {x}, {x}, {one}", "add {x}, {x}, {one}",
            "add {x}, {x}, {one}", "add {x}, {x}, {one}",
            "add {x}, {x}, {one}", "add {x}, {x}, {one}",
            "subs {n}, {n}, #1",
            "b.ne 2b",
            x = inout(reg) 0u64 => _,
            n = inout(reg) iters => _,
            one = in(reg) 1u64,
            options(nomem, nostack),
        );
    }
    Some(())
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn dependent_adds(_iters: u64) -> Option<()> {
    None
}

// ANCHOR: ms_timer
/// What a timer with millisecond resolution prints for `d`: whole
/// milliseconds, rounded to nearest (Go's `Duration.Milliseconds()` truncates,
/// which is worse; nearest is the kinder reading).
pub fn as_whole_ms(d: Duration) -> u64 {
    ((d.as_nanos() + 500_000) / 1_000_000) as u64
}

/// The "speedup" a report computes from two millisecond readings:
/// `before / after`, infinite when only `after` printed as 0 ms, undefined
/// (NaN) when both did.
pub fn ms_speedup(before_ms: u64, after_ms: u64) -> f64 {
    match (before_ms, after_ms) {
        (0, 0) => f64::NAN,
        (_, 0) => f64::INFINITY,
        (b, a) => b as f64 / a as f64,
    }
}
// ANCHOR_END: ms_timer

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millisecond_readings_round_to_nearest() {
        assert_eq!(as_whole_ms(Duration::from_micros(499)), 0);
        assert_eq!(as_whole_ms(Duration::from_micros(500)), 1);
        assert_eq!(as_whole_ms(Duration::from_micros(1_595_000)), 1595);
        assert_eq!(ms_speedup(1595, 0), f64::INFINITY);
        assert_eq!(ms_speedup(3, 1), 3.0);
        assert!(ms_speedup(0, 0).is_nan());
    }

    #[test]
    fn round_robin_rotates_the_order_and_keeps_each_loop_s_samples() {
        use std::sync::atomic::{AtomicU64, Ordering};
        static CALLS: [AtomicU64; 3] = [const { AtomicU64::new(0) }; 3];
        fn a(n: u64) {
            CALLS[0].fetch_add(n, Ordering::Relaxed);
        }
        fn b(n: u64) {
            CALLS[1].fetch_add(n, Ordering::Relaxed);
        }
        fn c(n: u64) {
            CALLS[2].fetch_add(n, Ordering::Relaxed);
        }
        let samples = round_robin_samples(4, 10, &[a, b, c]);
        assert_eq!(samples.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 4]);
        // One warm-up call of iters / 10 + 1 each, then 4 rounds of 10.
        for calls in &CALLS {
            assert_eq!(calls.load(Ordering::Relaxed), 2 + 40);
        }
    }

    #[test]
    fn cycle_time_is_positive_where_measured() {
        if let Some(ns) = cycle_time_ns(1, 1000) {
            assert!(ns > 0.0 && ns.is_finite(), "{ns}");
        }
    }
}
