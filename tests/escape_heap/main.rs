//! Chapter 3, "Escape and heap behavior": invariant tests. The exercises are
//! in `exercises.rs` (`cargo test --test escape_heap exercise`).
//!
//! Every expected count is either exact where Rust documents it (a `Box`
//! of a zero-sized type allocates nothing, `with_capacity` never
//! reallocates before its capacity is reached) or a bound derived from the
//! growth policy (`growth::max_reallocs`), never a number copied from Go. No
//! test asserts time.
//!
//! Run with `cargo test --test escape_heap` (debug) and `--release`: both
//! must pass. The crash demonstrations run in a child process.

use perf_workbook::escape_heap::growth::{self as g, max_reallocs, min_non_zero_cap};
use perf_workbook::escape_heap::{
    bytepool, context as cx, drop_list, escape as e, races, retention as r, rustc,
    seed_port, values as v,
};
use perf_workbook::measure::alloc::{AllocCounts, AllocScope, measure};
use perf_workbook::measure::child;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

perf_workbook::count_allocations!();

mod exercises;

/// The allocations `f` makes; its result is dropped after counting.
fn count<R>(f: impl FnOnce() -> R) -> AllocCounts {
    let (out, c) = measure(f);
    drop(out);
    c
}

/// The "large" buffer of the retention tests: 1 MiB (16 KiB under Miri).
const BIG: usize = if cfg!(miri) { 16 << 10 } else { 1 << 20 };

// ---------------------------------------------------------------- escape cases

#[test]
fn locals_and_returned_values_do_not_allocate() {
    assert_eq!(count(e::stack_value).allocs, 0);
    assert_eq!(count(e::no_escape).allocs, 0);
    assert_eq!(count(e::array_sum).allocs, 0);
}

#[test]
fn a_box_allocates_once_unless_its_type_is_zero_sized() {
    let c = count(e::boxed_value);
    assert_eq!((c.allocs, c.bytes_requested), (1, 8));
    assert_eq!(count(e::get_pointer).allocs, 1);
    assert_eq!(count(e::boxed_unit).allocs, 0);
    // The black-boxed Box keeps its allocation in every build; whether the
    // unused one does depends on the optimiser (see the bench), so it is
    // only bounded here.
    assert_eq!(count(e::opaque_box).allocs, 1);
    assert!(count(e::unused_box).allocs <= 1);
}

#[test]
fn closures_allocate_only_when_boxed_with_captures() {
    assert_eq!(count(|| black_box(e::adder(black_box(3)))).allocs, 0);
    let c = count(|| black_box(e::boxed_adder(black_box(3))));
    assert_eq!((c.allocs, c.bytes_requested), (1, size_of::<u64>() as u64));
    assert_eq!(count(|| black_box(e::boxed_increment())).allocs, 0);
    assert_eq!(e::adder(3)(4), 7);
    assert_eq!(e::boxed_adder(3)(4), 7);
}

#[test]
fn dyn_by_reference_borrows_and_box_dyn_moves_to_the_heap() {
    let big = black_box([1u8; 1000]);
    assert_eq!(count(|| e::is_u64(black_box(&big))).allocs, 0);
    let c = count(|| black_box(e::into_any(big)));
    assert_eq!((c.allocs, c.bytes_requested), (1, 1000));
    assert_eq!(count(|| black_box(e::into_any(()))).allocs, 0);
    assert!(e::into_any(5u64).is::<u64>());
}

#[test]
fn run_time_sizes_go_to_the_heap_unless_stored_inline() {
    let n = black_box(1000);
    let c = count(|| e::vec_of(n));
    assert_eq!((c.allocs, c.bytes_requested), (1, 8 * 1000));
    assert_eq!(count(|| e::small_buffer(black_box(64))).allocs, 0);
    assert_eq!(count(|| e::small_buffer(black_box(65))).allocs, 1);
    // Box<[T]> from an exact-size Vec: no second call; with spare capacity,
    // one more call to move into an exact-size block.
    assert_eq!(count(|| e::boxed_slice_of(n, 0)).calls(), 1);
    assert_eq!(count(|| e::boxed_slice_of(n, 100)).calls(), 2);
    assert_eq!(size_of::<Box<[i64]>>(), 2 * size_of::<usize>());
    assert_eq!(size_of::<Vec<i64>>(), 3 * size_of::<usize>());
}

#[test]
fn a_boxed_structs_fields_all_live_in_its_heap_block() {
    let boxed = Box::new(e::MemoryLayout::new());
    let start = &*boxed as *const e::MemoryLayout as usize;
    let block = start..start + size_of::<e::MemoryLayout>();
    for addr in boxed.field_addresses() {
        assert!(block.contains(&addr), "{addr:#x} outside {block:x?}");
    }
    assert_eq!(*boxed.heap_var, 100);
    assert_eq!(boxed.global_var, "global");
}

#[cfg(target_os = "linux")]
#[cfg_attr(miri, ignore = "reads /proc")]
#[test]
fn a_static_lives_in_the_executable_and_a_box_does_not() {
    assert!(e::address_is_in_executable(e::GLOBAL_VAR.as_ptr() as usize).unwrap());
    let b = Box::new(1u64);
    assert!(!e::address_is_in_executable(&*b as *const u64 as usize).unwrap());
}

#[test]
fn allocations_honour_the_requested_alignment() {
    for shift in 0..=12 {
        for size in [1, 24, 1000, 5000] {
            assert!(
                e::allocation_is_aligned(size, 1 << shift),
                "size {size} align {}",
                1 << shift
            );
        }
    }
}

// ---------------------------------------------------------------- growth

/// Pushes `n` copies of `item` into an empty `Vec` and checks the counts
/// against the bound derived from the growth policy.
fn check_push_growth<T: Copy>(item: T, n: usize) {
    let (v, c) = measure(|| {
        let mut v = Vec::new();
        for _ in 0..n {
            v.push(black_box(item));
        }
        v
    });
    let bound = max_reallocs(min_non_zero_cap(size_of::<T>()), n);
    let what = format!("{n} × {} B", size_of::<T>());
    assert_eq!(c.allocs, u64::from(n > 0), "{what}: {c:?}");
    assert!(c.reallocs <= bound, "{what}: {} reallocs > bound {bound}", c.reallocs);
    assert!(v.capacity() >= n);
    // Amortized: the total requested stays below twice the final block
    // plus the first one (a geometric series).
    let elem = size_of::<T>() as u64;
    assert!(c.bytes_requested <= 2 * v.capacity() as u64 * elem, "{what}: {c:?}");
}

#[test]
fn vec_growth_stays_within_the_policy_bound() {
    let sizes: &[usize] =
        if cfg!(miri) { &[0, 1, 5, 100] } else { &[0, 1, 4, 5, 1000, 4096, 100_000] };
    for &n in sizes {
        check_push_growth(1u8, n);
        check_push_growth(1i64, n);
        check_push_growth([1u8; 2048], n.min(2000));
    }
}

#[test]
fn preallocated_and_collected_vecs_allocate_once() {
    let n = black_box(if cfg!(miri) { 100 } else { 1000 });
    let push = count(|| g::push_from_empty(n));
    assert_eq!(push.allocs, 1);
    assert!(push.reallocs >= 1 && push.reallocs <= max_reallocs(min_non_zero_cap(8), n));
    for c in [
        count(|| g::push_with_capacity(n)),
        count(|| g::collect_range(n)),
        count(|| g::zeroed_then_index(n)),
    ] {
        assert_eq!((c.allocs, c.reallocs), (1, 0), "{c:?}");
        assert_eq!(c.bytes_requested, 8 * n as u64);
    }
    assert_eq!(count(|| g::zeroed_then_index(n)).zeroed_allocs, 1);
}

/// Bound on `+=`: one allocation of `max(8, len)`, then doublings.
fn plus_assign_bound(n: usize, len: usize) -> u64 {
    1 + max_reallocs(len.max(min_non_zero_cap(1)), n * len)
}

#[test]
fn plus_assign_is_amortized_and_a_format_loop_is_not() {
    let n = if cfg!(miri) { 50 } else { 1000 };
    let owned = g::items(n, 9);
    let items = g::as_strs(&owned);
    let plus_assign = count(|| g::plus_assign(black_box(&items)));
    let plus = count(|| g::plus(black_box(&items)));
    assert_eq!(plus_assign.allocs, 1);
    assert!(plus_assign.calls() <= plus_assign_bound(n, 9), "{plus_assign:?}");
    assert_eq!(plus.calls(), plus_assign.calls());
    // A new String per iteration: at least one allocation each.
    let format_loop = count(|| g::format_loop(black_box(&items)));
    assert!(format_loop.allocs >= n as u64, "{format_loop:?}");
    // Seed 001's loop: "data" 1000 times into one buffer.
    let buffer = count(|| g::append_to_one_buffer(black_box(n)));
    assert!(buffer.calls() <= 1 + max_reallocs(min_non_zero_cap(1), 4 * n));
}

#[test]
fn the_go_plus_assign_port_allocates_once_per_join() {
    let n = if cfg!(miri) { 30 } else { 1000 };
    let owned = g::items(n, 9);
    let items = g::as_strs(&owned);
    let (s, c) = measure(|| seed_port::go_plus_assign(black_box(&items)));
    assert_eq!(s.as_str(), items.concat());
    // "" + item shares item; every later join allocates the whole string so far.
    assert_eq!((c.allocs, c.reallocs), (n as u64 - 1, 0), "{c:?}");
    let joined: u64 = (2..=n as u64).map(|k| 9 * k).sum();
    assert_eq!(c.bytes_requested, joined);
    // Empty items join nothing.
    let (_, c) = measure(|| seed_port::go_plus_assign(&["abc", "", "", "d"]));
    assert_eq!(c.allocs, 1);
}

#[test]
fn a_builder_estimate_that_misses_still_allocates_a_handful_of_times() {
    let n = if cfg!(miri) { 100 } else { 1000 };
    let owned = g::items_of_lengths(n, 1..=19, 3);
    let items = g::as_strs(&owned);
    let total: usize = items.iter().map(|s| s.len()).sum();
    let (s, c) = measure(|| g::with_estimate(black_box(&items), 10));
    assert_eq!(s, items.concat());
    assert_eq!(c.allocs, 1);
    assert!(c.reallocs <= max_reallocs(10 * n, total), "{c:?}, {total} B");
}

#[test]
fn builders_that_know_the_length_allocate_once() {
    let n = if cfg!(miri) { 100 } else { 1000 };
    let owned = g::items(n, 9);
    let items = g::as_strs(&owned);
    for c in [
        count(|| g::with_estimate(black_box(&items), 10)),
        count(|| g::concat(black_box(&items))),
        count(|| g::join(black_box(&items))),
    ] {
        assert_eq!((c.allocs, c.reallocs), (1, 0), "{c:?}");
    }
    // An estimate that is too small (10 B for 15 B items) costs reallocations,
    // still bounded by doubling from the estimate.
    let long = g::items(n, 15);
    let long = g::as_strs(&long);
    let short = count(|| g::with_estimate(black_box(&long), 10));
    assert!(short.reallocs >= 1 && short.reallocs <= max_reallocs(10 * n, 15 * n));
}

#[test]
fn a_pooled_build_still_allocates_its_result() {
    let owned = g::items(100, 9);
    let items = g::as_strs(&owned);
    let mut pool = bytepool::BytePool::default();
    assert_eq!(bytepool::build_string_pooled(&mut pool, &items), items.concat());
    let c = count(|| {
        for _ in 0..10 {
            drop(black_box(bytepool::build_string_pooled(&mut pool, &items)));
        }
    });
    // One String per build, and nothing for the scratch buffer.
    assert_eq!((c.allocs, c.reallocs), (10, 0));
}

#[test]
fn the_seeds_deferred_put_returns_the_pre_append_slice() {
    let owned = g::items(100, 9);
    let items = g::as_strs(&owned);
    // Get(n) returning length n: the output starts with n zero bytes.
    let mut pool = seed_port::GoBytePool::new(true);
    let out = seed_port::build_string_seed_port(&mut pool, &items);
    assert_eq!(out.len(), 1000 + 900);
    assert!(out.starts_with(&"\0".repeat(1000)) && out.ends_with(&items.concat()));
    assert_eq!(pool.pooled()[0].len(), 1000, "the header from before the appends");
    // Get(n) returning length 0 and items that overrun the estimate: the
    // output is right, but the pool gets the small array back.
    let long = g::items(100, 15);
    let long = g::as_strs(&long);
    let mut pool = seed_port::GoBytePool::new(false);
    assert_eq!(seed_port::build_string_seed_port(&mut pool, &long), long.concat());
    assert_eq!(pool.pooled()[0].cap(), 1000);
    // The Rust build puts back the buffer it grew.
    let mut pool = bytepool::BytePool::default();
    assert_eq!(bytepool::build_string_pooled(&mut pool, &long), long.concat());
    assert!(pool.capacities()[0] >= 1500);
}

// ---------------------------------------------------------------- retention

#[test]
fn a_kept_head_pins_the_buffer_unless_copied_or_shrunk() {
    let n = 10;
    let live = |f: &dyn Fn(Vec<u8>) -> Vec<u8>| {
        let (head, c) = measure(|| f(black_box(vec![1u8; BIG])));
        assert_eq!(head, vec![1u8; n]);
        c.live_bytes()
    };
    assert!(live(&|d| r::head_by_truncate(d, n)) >= BIG as i64);
    assert_eq!(live(&|d| r::head_by_shrink(d, n)), n as i64);
    assert_eq!(live(&|d| r::head_by_copy(d, n)), n as i64);
}

#[test]
fn a_bytes_view_pins_its_parent_and_a_copy_does_not() {
    let (view, c) = measure(|| {
        r::head_by_bytes_slice(bytes::Bytes::from(black_box(vec![1u8; BIG])), 10)
    });
    assert_eq!(view.len(), 10);
    assert!(c.live_bytes() >= BIG as i64, "{c:?}");
    let (copy, c) = measure(|| {
        r::head_by_bytes_copy(bytes::Bytes::from(black_box(vec![1u8; BIG])), 10)
    });
    assert_eq!(copy.len(), 10);
    assert_eq!(c.live_bytes(), 10);
    // Dropping the view releases the parent.
    let scope = AllocScope::start();
    drop(view);
    assert!(scope.counts().bytes_freed >= BIG as u64);
}

#[test]
fn drop_and_reassignment_free_at_that_line() {
    let large = black_box(vec![1u8; BIG]);
    let cap = large.capacity() as u64;
    let scope = AllocScope::start();
    drop(large);
    assert_eq!((scope.counts().frees, scope.counts().bytes_freed), (1, cap));

    let mut large = vec![1u8; BIG];
    black_box(&mut large);
    let scope = AllocScope::start();
    large = Vec::new();
    assert_eq!(scope.counts().bytes_freed, cap);
    assert!(large.is_empty());
}

/// RSS is a process-wide figure that every other test disturbs: the drop is
/// measured in a child process that runs this test alone.
#[cfg(target_os = "linux")]
#[cfg_attr(miri, ignore = "spawns processes")]
#[test]
fn dropping_a_large_buffer_lowers_rss() {
    // 64 MiB is above glibc's largest mmap threshold (32 MiB), so the block
    // is its own mapping and `free` unmaps it.
    const SIZE: usize = 64 << 20;
    fn drop_in_child() {
        let (before, after) = r::drop_releases_rss(SIZE).unwrap();
        println!("RSS {before} {after}");
    }
    child::dispatch(&[child::ChildMode { name: "rss_drop", run: drop_in_child }]);
    let o =
        child::run_test("dropping_a_large_buffer_lowers_rss", "rss_drop", CHILD_TIMEOUT)
            .unwrap();
    assert!(o.success(), "{}: {o:?}", o.describe());
    // libtest prints `test … ` on the same line first.
    let line = o.stdout.lines().find_map(|l| l.split("RSS ").nth(1));
    let line = line.unwrap_or_else(|| panic!("no RSS line: {o:?}"));
    let kib: Vec<u64> = line.split(' ').map(|x| x.parse().unwrap()).collect();
    let fell = kib[0].saturating_sub(kib[1]) * 1024;
    assert!(fell >= SIZE as u64 * 15 / 16, "RSS {} KiB → {} KiB", kib[0], kib[1]);
}

// ---------------------------------------------------------------- values, context

#[test]
fn boxed_points_allocate_once_per_box() {
    let n = black_box(if cfg!(miri) { 10 } else { 1000 });
    assert_eq!(count(|| v::points_by_value(n)).allocs, 1);
    assert_eq!(count(|| v::points_boxed(n)).allocs, n as u64 + 1);
    assert_eq!(count(|| v::points_boxed_fields(n)).allocs, 2 * n as u64 + 1);
}

#[test]
fn a_context_value_by_value_copies_it_and_an_arc_does_not() {
    let root = cx::Context::background();
    let (child, by_value) =
        measure(|| root.with_value(cx::Key::Str("data"), cx::big_data()));
    assert!(by_value.bytes_requested >= cx::BIG_DATA_BYTES as u64);
    assert_eq!(child.value::<cx::BigData>(cx::Key::Str("data")).map(|d| d[0]), Some(0));
    let shared: Arc<cx::BigData> = Arc::from(cx::big_data());
    let (_c, by_arc) =
        measure(|| root.with_value(cx::Key::Str("data"), Box::new(Arc::clone(&shared))));
    assert!(by_arc.bytes_requested < 1024, "{by_arc:?}");
    let store = cx::DataStore::new(4);
    store.insert(cx::DataId(1), Arc::clone(&shared));
    let (got, c) = measure(|| store.get(cx::DataId(1)));
    assert_eq!(c.allocs, 0);
    assert!(Arc::ptr_eq(&got.unwrap(), &shared));
}

#[test]
fn string_context_keys_collide_and_key_types_do_not() {
    let root = cx::Context::background();
    let ctx = cx::traces::attach(&cx::users::attach(&root, "alice"), "trace-42");
    assert_eq!(cx::users::current(&ctx).map(String::as_str), Some("trace-42"));
    let ctx =
        cx::traces::attach_typed(&cx::users::attach_typed(&root, "alice"), "trace-42");
    assert_eq!(cx::users::current_typed(&ctx).map(String::as_str), Some("alice"));
}

// ---------------------------------------------------------------- races

#[test]
fn the_race_fixes_answer_every_request_once_in_order() {
    let n = if cfg!(miri) { 20 } else { 1000 };
    let requests: Vec<u32> = (0..n).collect();
    let want: Vec<u32> = requests.iter().map(|&x| races::process(x)).collect();
    let workers = 4;
    let slots = races::answer_with_scoped_slots(&requests, workers);
    let channel = races::answer_with_channel(&requests, workers);
    let mutex = races::answer_with_mutex(&requests, workers);
    for a in [&slots, &channel, &mutex] {
        assert_eq!(a.responses, want);
        // The caller allocated the answers at least.
        assert!(a.caller.bytes_requested >= 4 * n as u64, "{a:?}");
    }
    // Writing into an own slot, or pushing into a preallocated Vec under a
    // lock, allocates nothing on the workers; a channel allocates its blocks.
    assert_eq!(slots.workers.allocs, 0);
    assert_eq!(mutex.workers.allocs, 0);
    assert!(channel.workers.allocs >= 1);
}

#[test]
fn a_metric_snapshot_is_consistent_and_allocates_once() {
    let registry = races::MetricRegistry::default();
    for name in ["a", "b", "c"] {
        registry.add(name, 1.0);
    }
    let (snap, c) = measure(|| registry.snapshot());
    assert_eq!(snap.len(), 3);
    assert_eq!(c.allocs, 1);
    let updates = if cfg!(miri) { 50 } else { 20_000 };
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 2..=updates {
                registry.add("a", f64::from(i));
            }
        });
        // The writer sets value = count, so a torn read would show up here.
        for _ in 0..updates / 10 {
            for (name, m) in registry.snapshot() {
                if &*name == "a" {
                    assert_eq!(m.value, m.count as f64);
                }
            }
        }
    });
}

// ---------------------------------------------------------------- rustc

#[cfg_attr(miri, ignore = "runs rustc")]
#[test]
fn every_port_fails_or_warns_as_the_chapter_says() {
    for s in rustc::SNIPPETS {
        let d = rustc::check_source(s.name, s.source).unwrap();
        assert!(
            d.meets(s.expect),
            "{}: expected {:?}, rustc said {}",
            s.name,
            s.expect,
            d.describe()
        );
    }
}

/// On stable, rustdoc ignores the code in ```` ```compile_fail,E0515 ````:
/// this test checks that each `compile_fail` doctest names the code its port
/// really produces (see `every_port_fails_or_warns_as_the_chapter_says`).
#[cfg_attr(miri, ignore = "reads the source tree")]
#[test]
fn compile_fail_doctests_name_the_ports_codes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/escape_heap");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(code) = line.trim().strip_prefix("//! ```compile_fail,") else {
                continue;
            };
            let include = lines[i + 1];
            let name = include
                .split("snippets/")
                .nth(1)
                .and_then(|s| s.split(".rs").next())
                .unwrap_or_else(|| {
                    panic!("{}:{}: no snippet include", path.display(), i + 2)
                });
            let expect = rustc::snippet(name).expect;
            assert!(
                matches!(expect, rustc::Expect::Error(c) if c == code),
                "{}:{}: the doctest says {code}, the port expects {expect:?}",
                path.display(),
                i + 1
            );
            seen += 1;
        }
    }
    let errors =
        rustc::SNIPPETS.iter().filter(|s| matches!(s.expect, rustc::Expect::Error(_)));
    assert_eq!(seen, errors.count(), "every failing port is a compile_fail doctest");
}

// ---------------------------------------------------------------- child processes

const CHILD_TIMEOUT: Duration = Duration::from_secs(120);

#[cfg_attr(miri, ignore = "spawns processes")]
#[test]
fn a_recursive_drop_of_a_million_nodes_overflows_and_an_iterative_one_does_not() {
    child::dispatch(perf_workbook::chapters::child_modes().as_slice());
    let name =
        "a_recursive_drop_of_a_million_nodes_overflows_and_an_iterative_one_does_not";
    let o = child::run_test(name, "escape_heap::recursive_drop", CHILD_TIMEOUT).unwrap();
    assert!(o.overflowed_stack(), "{}: {o:?}", o.describe());
    let o = child::run_test(name, "escape_heap::iterative_drop", CHILD_TIMEOUT).unwrap();
    assert!(o.success(), "{}: {o:?}", o.describe());
    assert!(o.stdout.contains(&format!("dropped {} nodes", drop_list::MILLION)));
}

#[cfg_attr(miri, ignore = "spawns processes")]
#[test]
fn a_large_value_built_in_a_small_frame_overflows_and_one_built_on_the_heap_does_not() {
    child::dispatch(perf_workbook::chapters::child_modes().as_slice());
    let name = "a_large_value_built_in_a_small_frame_overflows_and_one_built_on_the_heap_does_not";
    let o = child::run_test(name, "escape_heap::large_value_via_stack", CHILD_TIMEOUT)
        .unwrap();
    assert!(o.overflowed_stack(), "{}: {o:?}", o.describe());
    let o = child::run_test(name, "escape_heap::large_value_via_heap", CHILD_TIMEOUT)
        .unwrap();
    assert!(o.success(), "{}: {o:?}", o.describe());
}

#[test]
fn an_iterative_drop_frees_every_node() {
    let n = if cfg!(miri) { 100 } else { 100_000 };
    let list = drop_list::IterativeList::with_len(n);
    assert_eq!(list.len(), n);
    let scope = AllocScope::start();
    drop(list);
    assert_eq!(scope.counts().frees, n as u64);
}
