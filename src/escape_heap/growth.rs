//! Growth and preallocation: filling a `Vec` and building a `String` the ways
//! seeds 001 (§6.1.1.9.1) and 003 (策略2, 策略3) compare, and the bound on
//! reallocations that Rust's growth policy implies.
//!
//! Not a statement about Go's `append` growth (1.25× above 256 elements, and
//! size-class rounding): every expected count here is derived from Rust's
//! policy, [`min_non_zero_cap`] and doubling.
//!
//! The seed's best-practice snippet (D45) does not compile in Go, and its
//! faithful port does not compile in Rust either, for the same reason:
//!
//! ```compile_fail,E0599
#![doc = include_str!("snippets/buffer_reset.rs")]
//! ```

// ANCHOR: policy
/// The smallest capacity a `Vec<T>` allocates when it first grows, as std's
/// `RawVec` chooses it: 8 for 1-byte elements, 4 up to 1 KiB, else 1.
pub const fn min_non_zero_cap(elem_size: usize) -> usize {
    if elem_size == 1 {
        8
    } else if elem_size <= 1024 {
        4
    } else {
        1
    }
}

/// Upper bound on the reallocations made while a `Vec` grows from its first
/// capacity `first_cap` to hold `len` elements, when every growth at least
/// doubles the capacity (std's amortized policy: `max(2 × cap, needed)`).
/// It is the number of doublings from `first_cap` to `len`: ⌈log₂ ⌈len / first_cap⌉⌉.
pub fn max_reallocs(first_cap: usize, len: usize) -> u64 {
    let steps = len.div_ceil(first_cap.max(1));
    if steps <= 1 { 0 } else { u64::from(usize::BITS - (steps - 1).leading_zeros()) }
}
// ANCHOR_END: policy

// ANCHOR: vec_fill
/// Seed 003 L227-231: `append` to an empty slice.
pub fn push_from_empty(n: usize) -> Vec<i64> {
    let mut v = Vec::new();
    for i in 0..n as i64 {
        v.push(i);
    }
    v
}

/// Seed 003 L233-237: preallocate the capacity, then `append`.
pub fn push_with_capacity(n: usize) -> Vec<i64> {
    let mut v = Vec::with_capacity(n);
    for i in 0..n as i64 {
        v.push(i);
    }
    v
}

/// Seed 003 L239-243 ("even better"): make it full of zeroes, then assign
/// by index.
#[allow(clippy::needless_range_loop)] // the seed's shape: `result[i] = i`
pub fn zeroed_then_index(n: usize) -> Vec<i64> {
    let mut v = vec![0; n];
    for i in 0..n {
        v[i] = i as i64;
    }
    v
}

/// Rust's own idiom: `collect` from an iterator that knows its length.
pub fn collect_range(n: usize) -> Vec<i64> {
    (0..n as i64).collect()
}
// ANCHOR_END: vec_fill

// ANCHOR: string_build
/// Seed 003 L256-262: `result += item`.
pub fn plus_assign(items: &[&str]) -> String {
    let mut result = String::new();
    for item in items {
        result += item;
    }
    result
}

/// `result = result + item`: `Add` takes the left `String` by value and
/// appends to it, so this is the same as `+=`.
pub fn plus(items: &[&str]) -> String {
    let mut result = String::new();
    for item in items {
        result = result + item;
    }
    result
}

/// The Rust form of Go's anti-pattern: a new `String` every iteration.
pub fn format_loop(items: &[&str]) -> String {
    let mut result = String::new();
    for item in items {
        result = format!("{result}{item}");
    }
    result
}

/// Seed 003 L265-272: `strings.Builder` with `Grow(len(items) * 10)`.
pub fn with_estimate(items: &[&str], bytes_per_item: usize) -> String {
    let mut result = String::with_capacity(items.len() * bytes_per_item);
    for item in items {
        result.push_str(item);
    }
    result
}

/// Sums the lengths first, then allocates once.
pub fn concat(items: &[&str]) -> String {
    items.concat()
}

/// The same with a separator.
pub fn join(items: &[&str]) -> String {
    items.join("")
}
// ANCHOR_END: string_build

// ANCHOR: append_loop
/// Seed 001 L831-835: append "data" to one buffer 1000 times.
pub fn append_to_one_buffer(times: usize) -> String {
    let mut buf = String::new();
    for _ in 0..times {
        buf.push_str("data");
    }
    buf
}
// ANCHOR_END: append_loop

/// `n` items of `len` ASCII bytes each (`"aaaaaaaaa"`, …), for the string
/// builders.
pub fn items(n: usize, len: usize) -> Vec<String> {
    (0..n).map(|i| char::from(b'a' + (i % 26) as u8).to_string().repeat(len)).collect()
}

/// `n` items whose lengths are drawn evenly from `lengths` (seeded, so every
/// run builds the same list): items that are sometimes shorter and
/// sometimes longer than a per-item estimate.
pub fn items_of_lengths(
    n: usize,
    lengths: std::ops::RangeInclusive<usize>,
    seed: u64,
) -> Vec<String> {
    let mut rng = crate::measure::rng::SplitMix64::new(seed);
    let (lo, span) = (*lengths.start(), lengths.end() - lengths.start() + 1);
    (0..n)
        .map(|i| {
            let len = lo + rng.below(span);
            char::from(b'a' + (i % 26) as u8).to_string().repeat(len)
        })
        .collect()
}

/// Borrowed views of [`items`].
pub fn as_strs(items: &[String]) -> Vec<&str> {
    items.iter().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_reallocs_counts_doublings() {
        assert_eq!(max_reallocs(4, 4), 0);
        assert_eq!(max_reallocs(4, 5), 1);
        assert_eq!(max_reallocs(4, 8), 1);
        assert_eq!(max_reallocs(4, 9), 2);
        // 4 → 8 → … → 1024: eight doublings hold 1000 elements.
        assert_eq!(max_reallocs(4, 1000), 8);
        assert_eq!(max_reallocs(4, 1024), 8);
        assert_eq!(max_reallocs(4, 1025), 9);
        assert_eq!(max_reallocs(0, 3), 2);
    }

    #[test]
    fn every_builder_builds_the_same_string() {
        let owned = items(50, 9);
        let items = as_strs(&owned);
        let want = items.concat();
        for got in [
            plus_assign(&items),
            plus(&items),
            format_loop(&items),
            with_estimate(&items, 10),
            with_estimate(&items, 1),
            join(&items),
        ] {
            assert_eq!(got, want);
        }
        assert_eq!(append_to_one_buffer(3), "datadatadata");
    }

    #[test]
    fn items_of_lengths_stay_in_range_and_repeat() {
        let a = items_of_lengths(500, 1..=19, 7);
        assert!(a.iter().all(|s| (1..=19).contains(&s.len())));
        assert_eq!(a, items_of_lengths(500, 1..=19, 7));
        assert!(a.iter().any(|s| s.len() == 1) && a.iter().any(|s| s.len() == 19));
    }

    #[test]
    fn every_fill_gives_zero_to_n() {
        let want: Vec<i64> = (0..100).collect();
        assert_eq!(push_from_empty(100), want);
        assert_eq!(push_with_capacity(100), want);
        assert_eq!(zeroed_then_index(100), want);
        assert_eq!(collect_range(100), want);
    }
}
