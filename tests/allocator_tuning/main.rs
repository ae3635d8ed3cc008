//! Chapter 8, "Allocator tuning": invariants. The exercises are in
//! `exercises.rs`.
//!
//! Every assertion is a count (arenas, faults, bytes, signals) or a
//! correctness check; none is about time. Whatever reads or changes a
//! process-wide figure (the resident set, glibc's settings, the global
//! allocator's cap) runs in a child process: this test binary again, running
//! only the one test, with the environment the experiment needs.
//!
//! This binary's global allocator is the counting allocator over a
//! [`LimitAlloc`] (uncapped unless a test in a child caps it), so a test can
//! watch `Vec::try_reserve` meet a real limit.
#![cfg(all(target_os = "linux", target_env = "gnu", not(miri)))]

mod exercises;

use perf_workbook::allocator_tuning::allocators::{Allocator, Setting};
use perf_workbook::allocator_tuning::background_drop::{self as bg, big_map};
use perf_workbook::allocator_tuning::churn::{ChurnPlan, Pattern, Timeline};
use perf_workbook::allocator_tuning::experiment::{self, Outcome, Plan, parse_outcome};
use perf_workbook::allocator_tuning::forced::{ForcedMode, ForcedPlan};
use perf_workbook::allocator_tuning::knobs::{ArenaPlan, InitStyle};
use perf_workbook::allocator_tuning::{CHILD_MODES, LimitAlloc, limit};
use perf_workbook::measure::alloc::{CountingAlloc, measure};
use perf_workbook::measure::child::{self, ChildOutcome};
use std::alloc::{GlobalAlloc, Layout, System};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The limit under the counting allocator: uncapped until a test (in a
/// child process) sets a cap.
pub static LIMIT: LimitAlloc<System> = LimitAlloc::new(System, usize::MAX);

/// Forwards to [`LIMIT`], so the counting allocator can wrap a `static`.
pub struct ViaLimit;

// SAFETY: every call is forwarded unchanged to LIMIT, a GlobalAlloc.
unsafe impl GlobalAlloc for ViaLimit {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout meets `alloc`'s contract.
        unsafe { LIMIT.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe { LIMIT.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from LIMIT (through this forwarder) with `layout`.
        unsafe { LIMIT.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's arguments meet `realloc`'s contract.
        unsafe { LIMIT.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc<ViaLimit> = CountingAlloc::new(ViaLimit);

const TIMEOUT: Duration = Duration::from_secs(120);

/// Runs the test `test` again in a child process, in child mode `mode`,
/// with `env` set, for at most [`TIMEOUT`] (the shared `child::run_test`
/// takes no environment; this belongs there). The test must call
/// `child::dispatch(CHILD_MODES)` first.
pub fn run_test_env(test: &str, mode: &str, env: &[(&str, &str)]) -> ChildOutcome {
    let exe = std::env::current_exe().expect("the test binary");
    let mut cmd = Command::new(exe);
    cmd.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .envs(env.iter().copied())
        .env(child::CHILD_ENV, mode);
    child::run_command(cmd, TIMEOUT).expect("running the child")
}

/// Runs `plan` in the `workbook` binary's child mode, on its main thread
/// before any other thread exists, as the chapter does. The arena
/// experiments need this: glibc fixes its arena limit the first time a
/// thread needs an arena, and libtest runs each test on a thread of its own,
/// so a `mallopt` in a test child comes too late to change the limit.
fn experiment_in_workbook(plan: &Plan) -> Outcome {
    let json = serde_json::to_string(plan).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_workbook"));
    cmd.envs(plan.env().iter().copied())
        .env(experiment::PLAN_ENV, &json)
        .env(child::CHILD_ENV, experiment::CHILD_EXPERIMENT);
    let o = child::run_command(cmd, TIMEOUT).expect("running the child");
    assert!(o.success(), "{o:?}");
    parse_outcome(&o.stdout).unwrap_or_else(|| panic!("no outcome: {o:?}"))
}

/// Runs `plan` in a child (this test, again), with the plan's environment.
pub fn experiment_in_child(test: &str, plan: &Plan) -> Outcome {
    let json = serde_json::to_string(plan).unwrap();
    let mut env = plan.env().to_vec();
    env.push((experiment::PLAN_ENV, &json));
    let o = run_test_env(test, experiment::CHILD_EXPERIMENT, &env);
    assert!(o.success(), "{o:?}");
    parse_outcome(&o.stdout).unwrap_or_else(|| panic!("no outcome: {o:?}"))
}

fn churn(test: &str, setting: Setting, pattern: Pattern, blocks: usize) -> Timeline {
    let plan =
        ChurnPlan { setting, pattern, blocks, idle_ms: 0, step_ms: 5, quiet_ms: 20 };
    match experiment_in_child(test, &Plan::Churn(plan)) {
        Outcome::Churn(t) => t,
        other => panic!("{other:?}"),
    }
}

/// Resident bytes above the child's baseline.
fn held(t: &Timeline, rss: u64) -> f64 {
    rss.saturating_sub(t.baseline) as f64
}

// --- return to the OS -----------------------------------------------------

#[test]
fn glibc_trim_gives_back_the_holes_between_survivors() {
    child::dispatch(CHILD_MODES);
    let t = churn(
        "glibc_trim_gives_back_the_holes_between_survivors",
        Setting::GlibcDefault,
        Pattern::OneIn64,
        32_000,
    );
    let freed = t.freed_bytes as f64;
    assert!(held(&t, t.idle_rss) > 0.8 * freed, "holes stay resident: {t:?}");
    let after = held(&t, t.forced_rss.unwrap());
    assert!(after < 0.3 * freed, "malloc_trim(0) gave them back: {after} of {freed}");
}

#[test]
fn a_trim_threshold_out_of_reach_keeps_a_free_heap_top() {
    child::dispatch(CHILD_MODES);
    let name = "a_trim_threshold_out_of_reach_keeps_a_free_heap_top";
    let default = churn(name, Setting::GlibcDefault, Pattern::AllFreed, 32_000);
    let never = churn(name, Setting::GlibcNoTrim, Pattern::AllFreed, 32_000);
    let freed = default.freed_bytes as f64;
    assert!(held(&default, default.idle_rss) < 0.2 * freed, "{default:?}");
    assert!(held(&never, never.idle_rss) > 0.8 * freed, "{never:?}");
}

#[test]
fn mimalloc_keeps_every_page_that_holds_one_survivor() {
    child::dispatch(CHILD_MODES);
    let t = churn(
        "mimalloc_keeps_every_page_that_holds_one_survivor",
        Setting::MimallocDefault,
        Pattern::OneIn64,
        32_000,
    );
    let after = held(&t, t.forced_rss.unwrap());
    assert!(
        after > 0.8 * t.freed_bytes as f64,
        "mi_collect cannot free a pinned page: {t:?}"
    );
}

#[test]
fn a_fixed_size_pool_keeps_survivors_from_pinning_pages() {
    child::dispatch(CHILD_MODES);
    let name = "a_fixed_size_pool_keeps_survivors_from_pinning_pages";
    let mixed = churn(name, Setting::MimallocDefault, Pattern::OneIn64, 32_000);
    let pooled = churn(name, Setting::MimallocDefault, Pattern::Pooled, 32_000);
    assert_eq!(mixed.live_bytes, pooled.live_bytes, "the same survivors");
    let (m, p) = (
        held(&mixed, mixed.forced_rss.unwrap()),
        held(&pooled, pooled.forced_rss.unwrap()),
    );
    assert!(m > 4.0 * p, "pooled survivors leave the rest free: {m} against {p}");
}

#[test]
fn the_reclaimer_trims_once_the_work_is_quiet() {
    child::dispatch(CHILD_MODES);
    let plan = ChurnPlan {
        setting: Setting::GlibcReclaimer,
        pattern: Pattern::OneIn64,
        blocks: 32_000,
        idle_ms: 500,
        step_ms: 5,
        quiet_ms: 20,
    };
    let t = match experiment_in_child(
        "the_reclaimer_trims_once_the_work_is_quiet",
        &Plan::Churn(plan),
    ) {
        Outcome::Churn(t) => t,
        other => panic!("{other:?}"),
    };
    assert!(t.reclaimer.is_some(), "the Reclaimer reclaimed after the free: {t:?}");
    assert!(held(&t, t.idle_rss) < 0.3 * t.freed_bytes as f64, "{t:?}");
}

// --- forced reclamation ---------------------------------------------------

#[test]
fn a_forced_trim_each_cycle_faults_the_burst_back_in() {
    child::dispatch(CHILD_MODES);
    let name = "a_forced_trim_each_cycle_faults_the_burst_back_in";
    let run = |mode| {
        let plan = ForcedPlan { mode, blocks: 32_000, cycles: 3, quiet_ms: 40 };
        match experiment_in_child(name, &Plan::Forced(plan)) {
            Outcome::Forced(r) => r,
            other => panic!("{other:?}"),
        }
    };
    let (port, none, fix) =
        (run(ForcedMode::GcTuning), run(ForcedMode::Nothing), run(ForcedMode::Reclaimer));
    let pages = port.burst_pages();
    assert!(port.steady(|c| c.faults as f64) > 0.5 * pages, "{port:?}");
    assert!(none.steady(|c| c.faults as f64) < 0.05 * pages, "{none:?}");
    assert!(fix.steady(|c| c.faults as f64) < 0.05 * pages, "{fix:?}");
    assert_eq!(fix.reclaims, 1, "one quiet period, one trim");
    assert!(fix.idle_rss < none.idle_rss, "the Reclaimer gave the holes back once idle");
}

// --- who sets the knobs ---------------------------------------------------

#[test]
fn an_init_mallopt_overrides_the_operators_arena_limit() {
    let arenas = |init, operator_one| {
        let plan = ArenaPlan { init, operator_one, threads: 8 };
        match experiment_in_workbook(&Plan::Arenas(plan)) {
            Outcome::Arenas(r) => r.arenas,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(arenas(InitStyle::Nothing, true), 1, "the operator's MALLOC_ARENA_MAX=1");
    assert!(arenas(InitStyle::SeedInit, true) > 1, "the init() port overrides it");
    assert_eq!(arenas(InitStyle::BinaryDefault, true), 1, "the fix leaves it");
    assert!(arenas(InitStyle::BinaryDefault, false) > 1, "and applies its own otherwise");
}

// --- limits ---------------------------------------------------------------

/// Child: cap the global allocator 1 MiB above what is in use, then ask.
fn capped_global() {
    LIMIT.set_cap(LIMIT.used() + (1 << 20));
    let mut v: Vec<u8> = Vec::new();
    assert!(v.try_reserve(2 << 20).is_err(), "2 MiB past a 1 MiB cap");
    assert!(v.try_reserve(512 << 10).is_ok(), "512 KiB under it");
    let refused = LIMIT.refused();
    assert!(refused >= 1);
    println!("refused={refused}");
}

#[test]
fn try_reserve_meets_the_cap_and_the_program_goes_on() {
    child::dispatch(&[child::ChildMode { name: "test::capped", run: capped_global }]);
    let o = child::run_test(
        "try_reserve_meets_the_cap_and_the_program_goes_on",
        "test::capped",
        TIMEOUT,
    )
    .unwrap();
    assert!(o.success() && o.stdout.contains("refused="), "{o:?}");
}

#[test]
fn rlimit_as_aborts_an_infallible_allocation_and_try_reserve_degrades() {
    child::dispatch(CHILD_MODES);
    let name = "rlimit_as_aborts_an_infallible_allocation_and_try_reserve_degrades";
    let a = child::run_test(name, limit::CHILD_ABORT, TIMEOUT).unwrap();
    assert_eq!(a.signal_name(), Some("SIGABRT"), "{a:?}");
    assert!(a.stderr.contains("memory allocation of 1073741824 bytes failed"), "{a:?}");
    let d = child::run_test(name, limit::CHILD_DEGRADE, TIMEOUT).unwrap();
    assert!(d.success(), "{d:?}");
    let got: usize = d
        .stdout
        .split("got=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap();
    assert!(got > 0 && got < limit::REQUEST, "degraded to {got}");
}

#[test]
fn limit_alloc_accounts_exactly_across_threads() {
    static CAPPED: LimitAlloc<System> = LimitAlloc::new(System, 64 << 10);
    // Bytes the threads hold: counted after a block is admitted and before
    // it is freed, so never more than LimitAlloc admitted. (Its own counter
    // may pass the cap for an instant: a charge that does not fit is added,
    // then taken back.)
    static HELD: AtomicUsize = AtomicUsize::new(0);
    let layout = Layout::from_size_align(1000, 8).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let mut held = Vec::new();
                for i in 0..2000 {
                    // SAFETY: a non-zero layout; every block handed out is
                    // freed once with it, and a null one never.
                    unsafe {
                        let p = CAPPED.alloc(layout);
                        if !p.is_null() {
                            let now = HELD.fetch_add(1000, Ordering::SeqCst) + 1000;
                            assert!(now <= CAPPED.cap(), "never admitted past the cap");
                            held.push(p);
                        }
                        if i % 3 == 0
                            && let Some(p) = held.pop()
                        {
                            HELD.fetch_sub(1000, Ordering::SeqCst);
                            CAPPED.dealloc(p, layout);
                        }
                    }
                }
                for p in held {
                    HELD.fetch_sub(1000, Ordering::SeqCst);
                    // SAFETY: as above.
                    unsafe { CAPPED.dealloc(p, layout) };
                }
            });
        }
    });
    assert_eq!(CAPPED.used(), 0, "every byte refunded");
    assert!(CAPPED.refused() > 0, "4 × 2000 blocks of 1000 B cannot fit in 64 KiB");
}

// --- background drop ------------------------------------------------------

#[test]
fn a_background_drop_frees_nothing_on_the_callers_thread() {
    let map = big_map(10_000);
    let ((), counts) = measure(|| bg::drop_in_background(map));
    bg::flush(bg::ours);
    assert!(counts.frees <= 1, "the caller freed {} blocks", counts.frees);
    let ((), inline) = measure(|| drop(big_map(10_000)));
    assert!(inline.frees >= 10_000, "inline, one free per string: {}", inline.frees);
}

#[test]
fn each_allocator_serves_the_churn_directly() {
    for a in Allocator::ALL {
        let ((), counts) = measure(|| {
            let mut b = perf_workbook::allocator_tuning::churn::Blocks::new(a, 1000, 100);
            for _ in 0..100 {
                b.push().unwrap();
            }
        });
        // The pointer table goes through the global allocator; the blocks do not.
        assert!(counts.allocs <= 2, "{}: {counts:?}", a.name());
        assert!(counts.bytes_requested < 100 * 1000, "{}", a.name());
    }
}
