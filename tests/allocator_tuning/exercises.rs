//! Chapter 8's exercises: `cargo test --test allocator_tuning exercise`. To
//! write them yourself: `cargo test --test allocator_tuning --features
//! starter`, then edit tests/allocator_tuning/starter.rs until they pass.
#[cfg_attr(feature = "starter", path = "starter.rs")]
#[cfg_attr(not(feature = "starter"), path = "solution.rs")]
mod answer;

use perf_workbook::measure::child;
use std::alloc::{GlobalAlloc, Layout, System};
use std::time::Duration;

/// Exercise 1: a limit, written as an allocator.
#[test]
fn exercise_1_a_capped_allocator_refuses_past_its_cap() {
    let capped = answer::Capped::new(System, 4096);
    let small = Layout::from_size_align(1000, 8).unwrap();
    let big = Layout::from_size_align(5000, 8).unwrap();
    // SAFETY: non-zero layouts; every block handed out is freed once with
    // its layout, and a null one never.
    unsafe {
        assert!(capped.alloc(big).is_null(), "5000 B past a 4096 B cap");
        let blocks: Vec<*mut u8> = (0..4).map(|_| capped.alloc(small)).collect();
        assert!(blocks.iter().all(|p| !p.is_null()), "4 × 1000 B fit");
        assert!(capped.alloc(small).is_null(), "a fifth does not");
        assert_eq!(capped.used(), 4000);
        for p in blocks {
            capped.dealloc(p, small);
        }
        assert_eq!(capped.used(), 0, "a free gives its bytes back");
        let p = capped.alloc(small);
        assert!(!p.is_null(), "room again");
        capped.dealloc(p, small);
    }
    // Several threads never take it past the cap together.
    let shared = answer::Capped::new(System, 10_000);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..5000 {
                    // SAFETY: as above.
                    unsafe {
                        let p = shared.alloc(small);
                        assert!(shared.used() <= 10_000);
                        if !p.is_null() {
                            shared.dealloc(p, small);
                        }
                    }
                }
            });
        }
    });
    assert_eq!(shared.used(), 0);
}

/// Exercise 2: the Reclaimer's decision.
#[test]
fn exercise_2_reclaim_once_per_quiet_period() {
    let ms = Duration::from_millis;
    let mut gate = answer::QuietGate::new(ms(100));
    let script = [
        (0, 0, false),   // first look: nothing done yet
        (0, 500, false), // no work, nothing to give back
        (3, 510, false), // work
        (9, 550, false), // more work
        (9, 640, false), // quiet for 90 ms
        (9, 650, true),  // quiet for 100 ms: reclaim
        (9, 900, false), // still quiet: once is enough
        (10, 910, false),
        (10, 1010, true),
    ];
    for (count, at, expect) in script {
        assert_eq!(gate.observe(count, ms(at)), expect, "count {count} at {at} ms");
    }
}

/// Exercise 3: let the operator win (the fix for D59).
#[test]
fn exercise_3_read_the_operators_arena_limit() {
    fn env(
        pairs: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }
    use answer::operator_arena_max as op;
    assert_eq!(op(env(&[("MALLOC_ARENA_MAX", "2")])), Some(2));
    assert_eq!(op(env(&[("MALLOC_ARENA_MAX", " 4 ")])), Some(4));
    assert_eq!(op(env(&[("GLIBC_TUNABLES", "glibc.malloc.arena_max=3")])), Some(3));
    assert_eq!(
        op(env(&[(
            "GLIBC_TUNABLES",
            "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1"
        )])),
        Some(1)
    );
    assert_eq!(
        op(env(&[
            ("MALLOC_ARENA_MAX", "2"),
            ("GLIBC_TUNABLES", "glibc.malloc.arena_max=5")
        ])),
        Some(2),
        "glibc reads MALLOC_ARENA_MAX as well; either one is the operator's"
    );
    assert_eq!(op(env(&[("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=0")])), None);
    assert_eq!(op(env(&[("MALLOC_ARENA_MAX", "many")])), None);
    assert_eq!(op(env(&[])), None);
}

/// Child: cap this binary's global allocator, then degrade under it.
fn degrade_under_the_cap() {
    let cap = 3 << 20;
    super::LIMIT.set_cap(super::LIMIT.used() + cap);
    let v = answer::reserve_or_degrade(64 << 20, 64 << 10).expect("something fits");
    assert!(v.capacity() <= cap && v.capacity() >= cap / 4, "got {}", v.capacity());
    assert!(answer::reserve_or_degrade(64 << 20, 16 << 20).is_err(), "16 MiB never fits");
    println!("degraded to {}", v.capacity());
}

/// Exercise 4: degrade instead of dying at a limit.
#[test]
fn exercise_4_degrade_instead_of_dying() {
    child::dispatch(&[child::ChildMode {
        name: "test::degrade",
        run: degrade_under_the_cap,
    }]);
    let o = child::run_test(
        "exercises::exercise_4_degrade_instead_of_dying",
        "test::degrade",
        Duration::from_secs(60),
    )
    .unwrap();
    assert!(o.success() && o.stdout.contains("degraded to"), "{o:?}");
}
