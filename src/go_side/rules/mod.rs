//! The Go rules: for every ledger entry the Go side measures, the rule that
//! judges it from the Go evidence. They are [`Rule`]s like every chapter's
//! (pure functions of named figures, thresholds with a source, examples for
//! every outcome, checked by [`Rule::verify`]), one file per chapter.
//!
//! A Go rule judges the claim as the seed makes it, about Go: where a Rust
//! rule asks "what is the Rust analogue of this?", a Go rule asks "is this
//! what Go does?".

use crate::claims::Rule;

pub mod allocator_tuning;
pub mod escape_heap;
pub mod lock_free_ring;
pub mod mark_sweep;
pub mod measuring;
pub mod mmap;
pub mod monitoring;
pub mod pools;
pub mod struct_layout;
pub mod worker_pools;
pub mod zero_copy;

/// `confirmed when INPUT ≥ THRESHOLD` (or the outcomes the caller names),
/// the commonest shape of a Go rule, with its two examples.
macro_rules! at_least {
    (
        says: $says:expr,
        input: $input:literal,
        threshold: $name:literal = $value:expr, $unit:expr, $source:expr,
        at_or_above: $above:ident ($hi:expr),
        below: $below:ident ($lo:expr) $(,)?
    ) => {
        $crate::claims::Rule {
            says: $says,
            inputs: &[$input],
            thresholds: &[$crate::claims::Threshold {
                name: $name,
                value: $value,
                unit: $unit,
                source: $source,
            }],
            decide: |f| {
                if f.get($input) >= f.limit($name) {
                    $crate::claims::Verdict::$above
                } else {
                    $crate::claims::Verdict::$below
                }
            },
            examples: &[
                $crate::claims::example(
                    &[($input, $hi)],
                    $crate::claims::Outcome::$above,
                ),
                $crate::claims::example(
                    &[($input, $lo)],
                    $crate::claims::Outcome::$below,
                ),
            ],
        }
    };
}
pub(crate) use at_least;

/// The threshold of a yes/no figure (1 = yes).
pub(crate) const YES: f64 = 0.5;

/// A compile error counted by Go's front end.
pub(crate) const ONE_ERROR: crate::claims::Threshold = crate::claims::Threshold {
    name: "one_error",
    value: 1.0,
    unit: crate::claims::Unit::Count,
    source: "one error from go/parser or go/types: the file does not compile",
};

/// Every Go rule, by ledger id, in ledger order within each chapter.
pub const GO_CHECKS: &[(&str, &Rule)] = &[
    // Chapter 0, measuring
    ("C000-28", &measuring::C000_28),
    ("C001-33", &measuring::C001_33),
    ("C001-34", &measuring::C001_34),
    ("C003-06", &measuring::C003_06),
    ("C003-08", &measuring::C003_08),
    ("C003-26", &measuring::C003_26),
    ("C004-16", &measuring::C004_16),
    ("D28", &measuring::D28),
    ("D43", &measuring::D43),
    ("D44", &measuring::D44),
    ("D55", &measuring::D55),
    ("D63", &measuring::D63),
    // Chapter 1, zero_copy
    ("C000-01", &zero_copy::C000_01),
    ("C000-02", &zero_copy::C000_02),
    ("C000-03", &zero_copy::C000_03),
    ("C000-04", &zero_copy::C000_04),
    ("C000-05", &zero_copy::C000_05),
    ("C000-22", &zero_copy::C000_22),
    ("C001-26", &zero_copy::C001_26),
    ("C002-01", &zero_copy::C002_01),
    ("C002-02", &zero_copy::C002_02),
    ("C002-07", &zero_copy::C002_07),
    ("C002-09", &zero_copy::C002_09),
    ("C002-12", &zero_copy::C002_12),
    ("C002-13", &zero_copy::C002_13),
    ("D01", &zero_copy::D01),
    ("D02", &zero_copy::D02),
    ("D03", &zero_copy::D03),
    ("D04", &zero_copy::D04),
    ("D06", &zero_copy::D06),
    ("D36", &zero_copy::D36),
    ("D52", &zero_copy::D52),
    // Chapter 2, struct_layout
    ("C000-08", &struct_layout::C000_08),
    ("C000-09", &struct_layout::C000_09),
    ("C000-10", &struct_layout::C000_10),
    ("C001-25", &struct_layout::C001_25),
    ("D10", &struct_layout::D10),
    ("D11", &struct_layout::D11),
    // Chapter 3, escape_heap
    ("C001-04", &escape_heap::C001_04),
    ("C001-05", &escape_heap::C001_05),
    ("C001-06", &escape_heap::C001_06),
    ("C001-07", &escape_heap::C001_07),
    ("C001-08", &escape_heap::C001_08),
    ("C001-09", &escape_heap::C001_09),
    ("C001-10", &escape_heap::C001_10),
    ("C001-11", &escape_heap::C001_11),
    ("C001-12", &escape_heap::C001_12),
    ("C001-13", &escape_heap::C001_13),
    ("C001-23", &escape_heap::C001_23),
    ("C001-35", &escape_heap::PREALLOCATION),
    ("C001-37", &escape_heap::C001_37),
    ("C001-39", &escape_heap::C001_39),
    ("C003-07", &escape_heap::C003_07),
    ("C003-12", &escape_heap::PREALLOCATION),
    ("C003-14", &escape_heap::C003_14),
    ("C003-15", &escape_heap::C003_15),
    ("C003-16", &escape_heap::C003_16),
    ("C003-17", &escape_heap::C003_17),
    ("C003-18", &escape_heap::C003_18),
    ("C003-19", &escape_heap::C003_19),
    ("C003-20", &escape_heap::C003_20),
    ("C003-21", &escape_heap::C003_21),
    ("C003-22", &escape_heap::C003_22),
    ("C003-23", &escape_heap::C003_23),
    ("C003-27", &escape_heap::C003_27),
    ("C003-28", &escape_heap::C003_28),
    ("D29", &escape_heap::D29),
    ("D30", &escape_heap::DOES_NOT_COMPILE),
    ("D45", &escape_heap::DOES_NOT_COMPILE),
    ("D46", &escape_heap::DOES_NOT_COMPILE),
    ("D53", &escape_heap::D53),
    ("D54", &escape_heap::D54),
    ("D56", &escape_heap::D56),
    // Chapter 4, pools
    ("C000-06", &pools::POOL_OF_T),
    ("C000-07", &pools::C000_07),
    ("C001-14", &pools::C001_14),
    ("C001-15", &pools::C001_15),
    ("C001-24", &pools::C001_24),
    ("C001-28", &pools::C001_28),
    ("C001-29", &pools::C001_29),
    ("C001-36", &pools::POOL_OF_T),
    ("C001-38", &pools::C001_38),
    ("C001-40", &pools::GC_PRESSURE),
    ("C001-43", &pools::C001_43),
    ("C001-44", &pools::C001_44),
    ("C003-09", &pools::GC_PRESSURE),
    ("D07", &pools::DOES_NOT_TYPE_CHECK),
    ("D08", &pools::D08),
    ("D09", &pools::D09),
    ("D31", &pools::D31),
    ("D35", &pools::DOES_NOT_TYPE_CHECK),
    ("D38", &pools::D38),
    ("D39", &pools::D39),
    ("D40", &pools::D40),
    ("D47", &pools::D47),
    ("D49", &pools::D49),
    ("D58", &pools::D58),
    // Chapter 5, mark_sweep
    ("C001-16", &mark_sweep::C001_16),
    ("C001-18", &mark_sweep::C001_18),
    ("C004-05", &mark_sweep::C004_05),
    ("D32", &mark_sweep::D32),
    // Chapter 6, lock_free_ring
    ("C000-18", &lock_free_ring::C000_18),
    ("C000-19", &lock_free_ring::C000_19),
    ("D15", &lock_free_ring::D15),
    ("D16", &lock_free_ring::D16),
    ("D17", &lock_free_ring::D17),
    ("D18", &lock_free_ring::D18),
    // Chapter 7, mmap
    ("C001-27", &mmap::C001_27),
    ("C004-01", &mmap::C004_01),
    ("C004-02", &mmap::ZERO_FILL),
    ("C004-03", &mmap::ZERO_FILL),
    ("C004-04", &mmap::C004_04),
    ("C004-07", &mmap::C004_07),
    ("C004-08", &mmap::C004_08),
    ("C004-09", &mmap::C004_09),
    ("C004-12", &mmap::C004_12),
    ("C004-13", &mmap::FALLBACK),
    ("C004-14", &mmap::C004_14),
    ("C004-15", &mmap::CLEAR_WIN),
    ("C004-17", &mmap::C004_17),
    ("C004-22", &mmap::C004_22),
    ("C004-24", &mmap::FALLBACK),
    ("C004-26", &mmap::C004_26),
    ("C004-35", &mmap::CLEAR_WIN),
    ("C004-36", &mmap::C004_36),
    ("D60", &mmap::D60),
    ("D61", &mmap::D61),
    ("D66", &mmap::D66),
    ("D67", &mmap::D67),
    // Chapter 8, allocator_tuning
    ("C000-11", &allocator_tuning::GOGC_DEFAULT),
    ("C000-12", &allocator_tuning::MEMORY_LIMIT),
    ("C000-13", &allocator_tuning::C000_13),
    ("C001-20", &allocator_tuning::GOGC_DEFAULT),
    ("C001-21", &allocator_tuning::MEMORY_LIMIT),
    ("C001-22", &allocator_tuning::C001_22),
    ("C001-42", &allocator_tuning::REASONABLE_LIMIT),
    ("C003-03", &allocator_tuning::C003_03),
    ("C003-33", &allocator_tuning::C003_33),
    ("C003-40", &allocator_tuning::C003_40),
    ("D12", &allocator_tuning::D12),
    ("D34", &allocator_tuning::D34),
    ("D59", &allocator_tuning::D59),
    // Chapter 9, worker_pools
    ("C000-15", &worker_pools::C000_15),
    ("C000-16", &worker_pools::C000_16),
    ("C000-17", &worker_pools::C000_17),
    ("C000-21", &worker_pools::C000_21),
    ("C000-23", &worker_pools::C000_23),
    ("C000-24", &worker_pools::C000_24),
    ("C003-30", &worker_pools::C003_30),
    ("C003-31", &worker_pools::C003_31),
    ("D13", &worker_pools::D13),
    ("D14", &worker_pools::D14),
    ("D19", &worker_pools::D19),
    ("D20", &worker_pools::D20),
    ("D21", &worker_pools::D21),
    ("D22", &worker_pools::D22),
    ("D23", &worker_pools::D23),
    ("D50", &worker_pools::D50),
    ("D57", &worker_pools::D57),
    ("D74", &worker_pools::D74),
    ("D75", &worker_pools::D75),
    // Chapter 10, monitoring
    ("C000-14", &monitoring::C000_14),
    ("C001-32", &monitoring::C001_32),
    ("D25", &monitoring::D25),
    ("D42", &monitoring::D42),
];

/// The Go rule for a ledger id.
pub fn rule_for(id: &str) -> Option<&'static Rule> {
    GO_CHECKS.iter().find(|(i, _)| *i == id).map(|(_, r)| *r)
}
