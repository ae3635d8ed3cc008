//! Chapter 2, struct layout: invariants (this file) and exercises
//! (`exercises.rs`; `cargo test --test struct_layout exercise`).
//!
//! Everything here is deterministic: sizes, offsets, the shape of a
//! permutation, sums and counts. No test asserts a time. Layout facts that
//! only today's rustc provides (the default representation promises little)
//! are in tests named `todays_rustc_…`: if one fails after a compiler
//! upgrade, the book's text needs updating, not the compiler.

mod exercises;

use perf_workbook::claims::{Outcome, Rule};
use perf_workbook::struct_layout::checks::layout::{
    D10, REORDERING_SHRINKS, reordering_evidence,
};
use perf_workbook::struct_layout::false_sharing::{
    self, AdjacentLines, CounterPair, Padded, SameLine,
};
use perf_workbook::struct_layout::go_vet::{self, GoVet};
use perf_workbook::struct_layout::hierarchy::{self, CacheSizes, Chain};
use perf_workbook::struct_layout::locality::{self, Matrix, Order};
use perf_workbook::struct_layout::representations::{self, Guarantee, Level, PackedC};
use perf_workbook::struct_layout::seed_port::{self, Reordering, seed_000, seed_001};
use std::mem::{align_of, size_of};
use std::sync::atomic::AtomicU64;

perf_workbook::count_allocations!();

// ---------------------------------------------------------------- layouts

#[test]
fn seed_000_pair_keeps_gos_order_and_moves_the_padding() {
    let [opt, unopt, ..] = seed_000::layouts();
    assert_eq!(opt.memory_order(), ["id", "active", "name", "score", "created"]);
    assert_eq!(opt.padding(), vec![41..48]);
    assert_eq!(unopt.padding(), vec![1..8]);
    assert_eq!((opt.size, unopt.size), (64, 64));
    assert_eq!(opt.byte_map().chars().count(), 64);
    assert!(opt.byte_map().starts_with("iiiiiiiiannnn"), "{}", opt.byte_map());
}

#[test]
fn seed_001_pair_is_24_and_16_bytes_in_gos_layout() {
    let [unopt, opt, ..] = seed_001::layouts();
    assert_eq!(unopt.padding(), vec![1..8, 17..20]);
    assert_eq!(opt.padding(), vec![14..16]);
    assert_eq!((unopt.size, opt.size), (24, 16));
}

/// Not guaranteed: rustc may lay out default-repr structs any way it likes
/// (the Reference promises aligned, non-overlapping fields, nothing more).
/// Today it sorts fields so that no padding is needed between them.
#[test]
fn todays_rustc_packs_the_default_repr_pairs_into_64_and_16_bytes() {
    let s0 = seed_000::layouts();
    assert_eq!((s0[2].size, s0[3].size), (64, 64));
    // The order the book quotes, the same for both declarations.
    for l in &s0[2..] {
        assert_eq!(l.memory_order(), ["id", "name", "score", "created", "active"]);
    }
    assert_eq!((s0[2].padding_bytes(), s0[3].padding_bytes()), (7, 7));
    let s1 = seed_001::layouts();
    assert_eq!((s1[2].size, s1[3].size), (16, 16));
    // Both orders of seed 001's fields end up in the same memory order.
    for l in &s1[2..] {
        assert_eq!(l.memory_order(), ["b", "d", "a", "c"]);
    }
}

/// Sizes the table marks as documented hold on every target this crate
/// builds for; the compile-time assertions in `representations` cover the
/// same ground, this test covers the table itself.
#[test]
fn documented_sizes_in_the_table_hold() {
    for row in representations::size_table() {
        if row.guarantee != Guarantee::Documented {
            continue;
        }
        let expected = match row.ty {
            "Box<u64>" | "Option<Box<u64>>" | "Option<&u64>" => size_of::<usize>(),
            "NonZeroU32" | "Option<NonZeroU32>" => 4,
            "Level" => 1,
            "PackedC" => 14,
            "CacheAligned" => 64,
            "CachePadded<AtomicU64>" if cfg!(target_arch = "x86_64") => 128,
            "CachePadded<AtomicU64>" => continue,
            other => panic!("no expectation for documented row {other}"),
        };
        assert_eq!(row.size, expected, "{}", row.ty);
    }
}

/// Not guaranteed: niche choices of today's rustc.
#[test]
fn todays_rustc_niche_sizes() {
    let expected = [
        ("Option<u32>", 8),
        ("Option<bool>", 1),
        ("Option<Option<bool>>", 1),
        ("Option<char>", 4),
        ("Option<Level>", 1),
        ("String", 24),
        ("Option<String>", 24),
        ("Message", 24),
        ("Result<u64, ()>", 16),
    ];
    // Which byte a `None` is stored as is rustc's choice (1.95 uses 3 for
    // `Option<Option<bool>>`, nightly 1.97 uses 255). What any choice must
    // do: keep the values of the inner type and tell every variant apart.
    let n = representations::niche_bytes();
    let [some_false, some_true, bool_none] = n.option_bool;
    assert_eq!((some_false, some_true), (0, 1), "a bool is 0 or 1");
    assert!(bool_none > 1, "None must be a byte no bool uses");
    let [some_none, none] = n.option_option_bool;
    assert!(some_none > 1 && none > 1 && some_none != none, "{n:?}");
    let [high, level_none] = n.option_level;
    assert_eq!(high, Level::High as u8, "repr(u8): the tag is the discriminant");
    assert!(level_none > Level::High as u8, "{n:?}");
    // The table's "why" column shows the bytes just read, not a typed-in guess.
    let table = representations::size_table();
    let why = |ty: &str| table.iter().find(|r| r.ty == ty).map(|r| r.why.clone());
    assert_eq!(why("Option<bool>").unwrap(), format!("None is the byte {bool_none}"));
    assert_eq!(
        why("Option<Option<bool>>").unwrap(),
        format!("Some(None) is {some_none}, None is {none}")
    );
    let table = representations::size_table();
    for (ty, size) in expected {
        let row = table.iter().find(|r| r.ty == ty).unwrap_or_else(|| panic!("{ty}"));
        assert_eq!(row.guarantee, Guarantee::TodaysRustc, "{ty}");
        assert_eq!(row.size, size, "{ty}");
    }
}

#[test]
fn a_packed_field_is_read_by_copy() {
    let p = PackedC { a: true, b: -7, c: false, d: 3 };
    let b = { p.b };
    // SAFETY: addr_of! makes no reference; read_unaligned accepts any address.
    let raw = unsafe { std::ptr::addr_of!(p.b).read_unaligned() };
    assert_eq!((b, raw, { p.d }), (-7, -7, 3));
    assert_eq!((size_of::<PackedC>(), align_of::<PackedC>()), (14, 1));
}

#[test]
fn a_vec_of_1000_asks_for_24_000_or_16_000_bytes() {
    assert_eq!(seed_001::vec_bytes::<seed_001::UnoptimizedC>(), 24_000);
    assert_eq!(seed_001::vec_bytes::<seed_001::OptimizedC>(), 16_000);
}

/// The verdicts of the reordering claims (C000-08, C001-25, D10) are read
/// off the sizes: the same evidence builder and rules, fed seed 000's pair,
/// seed 001's, and seed 001's reversed, give three different answers. (The
/// old test asserted the verdicts of the registered checks, which the
/// compile-time assertions of `seed_port` fix, so it could not fail.)
#[test]
fn the_reordering_verdicts_follow_the_sizes() {
    let outcome = |rule: &Rule, r: &Reordering| {
        Outcome::of(&rule.apply(&reordering_evidence(r, "test")).unwrap())
    };
    let s0 = seed_port::seed_000_pair();
    assert_eq!(outcome(&REORDERING_SHRINKS, &s0), Outcome::Refuted);
    assert_eq!(outcome(&D10, &s0), Outcome::Confirmed);
    let s1 = seed_port::seed_001_pair();
    assert_eq!((s1.saved_c(), s1.saved_rust()), (8, 0), "today's rustc");
    assert_eq!(outcome(&REORDERING_SHRINKS, &s1), Outcome::HoldsOnlyWhen);
    assert_eq!(outcome(&D10, &s1), Outcome::Refuted);
    let reversed = Reordering {
        before_c: s1.after_c.clone(),
        after_c: s1.before_c.clone(),
        before_rust: s1.after_rust.clone(),
        after_rust: s1.before_rust.clone(),
    };
    assert_eq!(reversed.saved_c(), -8);
    assert_eq!(outcome(&REORDERING_SHRINKS, &reversed), Outcome::Refuted);
}

// -------------------------------------------------------------- hierarchy

/// True when `next` is one cycle through every index: a visited set, not the
/// walk-back-to-0 of exercise 3, so the two check each other.
fn is_single_cycle(next: &[usize]) -> bool {
    let mut seen = vec![false; next.len()];
    let mut at = 0;
    for _ in 0..next.len() {
        match (next.get(at), seen.get(at)) {
            (Some(&to), Some(false)) => {
                seen[at] = true;
                at = to;
            }
            _ => return false,
        }
    }
    !next.is_empty() && at == 0 && seen.iter().all(|&s| s)
}

#[test]
fn random_chains_are_single_cycles() {
    let sizes: &[usize] =
        if cfg!(miri) { &[1, 2, 3, 64] } else { &[1, 2, 3, 64, 1000, 65_536] };
    for &n in sizes {
        for seed in 0..4 {
            let chain = Chain::random(n, seed);
            assert!(is_single_cycle(&chain.successors()), "n = {n}, seed = {seed}");
            // One lap of a single cycle returns to where it started.
            assert_eq!(chain.chase(n), 0, "n = {n}");
        }
    }
}

#[test]
fn random_chains_differ_by_seed_and_never_point_to_themselves() {
    let (a, b) = (Chain::random(1000, 1), Chain::random(1000, 2));
    assert_ne!(a.successors(), b.successors());
    assert!(a.successors().iter().enumerate().all(|(i, &next)| i != next));
    assert_eq!(a.bytes(), 64_000);
}

#[test]
fn the_sequential_chain_walks_in_address_order() {
    let chain = Chain::sequential(10);
    assert_eq!(chain.successors(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]);
    assert!(is_single_cycle(&chain.successors()));
}

#[test]
fn cache_sizes_parse_as_sysfs_writes_them() {
    assert_eq!(hierarchy::parse_cache_size("48K\n"), Some(48 << 10));
    assert_eq!(hierarchy::parse_cache_size("266240K"), Some(260 << 20));
    assert_eq!(hierarchy::parse_cache_size("32M"), Some(32 << 20));
    assert_eq!(hierarchy::parse_cache_size("512"), Some(512));
    assert_eq!(hierarchy::parse_cache_size("big"), None);
}

#[test]
fn working_sets_grow_level_by_level() {
    for caches in [
        CacheSizes::FALLBACK,
        CacheSizes { l1d: 48 << 10, l2: 2 << 20, l3: 260 << 20, from_sysfs: true },
        CacheSizes { l1d: 32 << 10, l2: 256 << 10, l3: 8 << 20, from_sysfs: true },
    ] {
        let sets = hierarchy::working_sets(&caches, 256 << 20);
        assert!(sets.windows(2).all(|w| w[0].bytes < w[1].bytes), "{sets:?}");
        assert_eq!(caches.level_of(sets[0].bytes), "L1d");
        assert_eq!(caches.level_of(sets[1].bytes), "L2");
        assert!(sets[2].bytes > caches.l2, "{sets:?}");
    }
}

// --------------------------------------------------------------- locality

#[test]
fn both_traversal_orders_sum_to_the_closed_form() {
    for n in [1, 7, 64, if cfg!(miri) { 16 } else { 300 }] {
        let m = Matrix::new(n);
        assert_eq!(m.sum_row_major(), m.expected_sum(), "n = {n}");
        assert_eq!(m.sum_column_major(), m.expected_sum(), "n = {n}");
    }
}

#[test]
fn the_line_model_counts_16_times_more_lines_column_major() {
    // u32 cells: 16 per line. Row-major reuses each line 16 times.
    assert_eq!(locality::distinct_lines(Order::RowMajor, 2048, 4, 1024), 64);
    assert_eq!(locality::distinct_lines(Order::ColumnMajor, 2048, 4, 1024), 1024);
    // u64 cells: 8 per line.
    assert_eq!(locality::distinct_lines(Order::RowMajor, 2048, 8, 1024), 128);
    // A 4-wide matrix fits a column's neighbours into the same lines.
    assert_eq!(locality::distinct_lines(Order::ColumnMajor, 4, 4, 16), 1);
}

#[test]
fn blocked_passes_compute_what_two_passes_compute() {
    let data = locality::pass_data(if cfg!(miri) { 4096 } else { 1 << 20 });
    let expected = locality::two_passes(&data);
    for block in [1, 7, locality::BLOCK_LEN, data.len(), data.len() * 2] {
        assert_eq!(locality::blocked_passes(&data, block), expected, "block {block}");
    }
}

#[test]
fn aos_and_soa_sum_the_same_scores() {
    let (records, scores) = locality::records_and_scores(1000);
    assert_eq!(locality::sum_scores_aos(&records), 499_500.0);
    assert_eq!(locality::sum_scores_soa(&scores), 499_500.0);
    assert_eq!(size_of::<seed_000::OptimizedC>(), 64);
}

// ---------------------------------------------------------- false sharing

fn line_of(counter: &AtomicU64) -> usize {
    counter as *const AtomicU64 as usize / 64
}

#[test]
fn the_placements_share_a_line_or_do_not() {
    let same = SameLine::default();
    let (a, b) = same.counters();
    assert_eq!(line_of(a), line_of(b));
    let adjacent = AdjacentLines::default();
    let (a, b) = adjacent.counters();
    assert_eq!(line_of(b) - line_of(a), 1);
    assert_eq!(line_of(a) / 2, line_of(b) / 2, "one 128-byte pair");
    let padded = Padded::default();
    let (a, b) = padded.counters();
    assert!(line_of(b) - line_of(a) >= 2);
}

#[test]
#[cfg_attr(miri, ignore = "spawns pinned threads and reads CPU clocks")]
fn every_increment_is_counted() {
    // run_pair asserts that each counter holds what its thread counted;
    // here, that they did count, in whole batches.
    let run = false_sharing::run_pair::<SameLine>(std::time::Duration::from_millis(1));
    assert!(run.increments.0 > 0 && run.increments.1 > 0, "{run:?}");
    assert_eq!(run.increments.0 % false_sharing::BATCH, 0);
    // run_fixed's counters hold exactly what each thread was told to add.
    // (This asserted a positive time before, which nothing could break.)
    assert_eq!(false_sharing::run_fixed::<Padded>(10_000).counts, (10_000, 10_000));
    assert_eq!(false_sharing::run_fixed::<SameLine>(7).counts, (7, 7));
}

// ---------------------------------------------------------------- go vet

/// The listings show what their names say: the control imports everything
/// first, the seed's order puts an import after the type, the seed's missing
/// import uses `fmt` without importing it.
#[test]
fn the_go_listings_have_the_shape_they_claim() {
    let at = |text: &str, needle: &str| text.find(needle).unwrap_or(usize::MAX);
    let c = go_vet::CORRECT;
    assert!(at(c, "\"unsafe\"") < at(c, "type Pair") && c.contains("\"fmt\""));
    let late = go_vet::IMPORT_AFTER_TYPES;
    assert!(at(late, "type Pair") < at(late, "import \"unsafe\""));
    assert!(late.contains("import \"fmt\""), "only the order is wrong");
    let no_fmt = go_vet::FMT_NOT_IMPORTED;
    assert!(!no_fmt.contains("\"fmt\"") && no_fmt.contains("fmt.Println"));
    assert!(at(no_fmt, "import") < at(no_fmt, "type Pair"), "only the import is missing");
}

/// With a Go toolchain on PATH, `go vet` accepts the control and rejects the
/// other two for the reasons D11 names; without one, there is nothing to run.
#[test]
#[cfg_attr(miri, ignore = "runs the go toolchain")]
fn go_vet_rejects_the_seeds_two_faults_and_accepts_the_control() {
    match go_vet::run().expect("a temp directory") {
        GoVet::NoToolchain => eprintln!("no go on PATH: skipped"),
        GoVet::Ran { version, listings: [control, late, no_fmt] } => {
            assert!(control.accepted, "{version}: {control:?}");
            assert!(late.rejected_for(go_vet::LATE_IMPORT), "{version}: {late:?}");
            assert!(no_fmt.rejected_for(go_vet::UNDEFINED_FMT), "{version}: {no_fmt:?}");
        }
    }
}
