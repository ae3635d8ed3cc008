//! The chapter's claim checks, in ledger order. Each is a measure function
//! (`cNNN_NN_what`, `dNN_what`) reading [`super::figures`], and a rule
//! (`CNNN_NN`, `DNN`) that decides from that evidence alone. The seeds'
//! code is judged through its faithful port (`super::seed_port`), which
//! keeps the Go behaviour each claim depends on (random `select`, channels
//! that never close by themselves); the Go side measures Go itself.
//!
//! | file | claims |
//! |---|---|
//! | [`pool`] | seed 000's `HighPerformanceWorkerPool`: C000-15 … C000-17, D13, D14, D74, D75 |
//! | [`io`] | seed 000's `AsyncIOProcessor` and `BatchIOProcessor`: C000-21, C000-23, C000-24, D19 … D23 |
//! | [`handoff`] | seed 003's `HandleRequests`, seed 001's pipeline: C003-30, C003-31, D50, D57 |

mod handoff;
mod io;
mod pool;

use crate::claims::{Check, Ctx, Evidence};

/// One check per ledger id this chapter owns, in ledger order.
pub const CHECKS: &[Check] = &[
    Check::measured("C000-15", pool::c000_15_high_performance, &pool::C000_15),
    Check::measured("C000-16", pool::c000_16_ticker_flush, &pool::C000_16),
    Check::measured("C000-17", pool::c000_17_cancel_finishes_queue, &pool::C000_17),
    Check::measured("C000-21", io::c000_21_async_io, &io::C000_21),
    Check::measured("C000-23", io::c000_23_batch_flush, &io::C000_23),
    Check::measured("C000-24", io::c000_24_full_queue, &io::C000_24),
    Check::measured("C003-30", handoff::c003_30_handle_requests, &handoff::C003_30),
    Check::measured("C003-31", handoff::c003_31_semaphore, &handoff::C003_31),
    Check::measured("D13", pool::d13_loss_on_shutdown, &pool::D13),
    Check::measured("D14", pool::d14_undrained_results, &pool::D14),
    Check::measured("D19", io::d19_callback_on_worker, &io::D19),
    Check::measured("D20", io::d20_task_handling, &io::D20),
    Check::measured("D21", io::d21_no_stop, &io::D21),
    Check::measured("D22", io::d22_silent_drop, &io::D22),
    Check::measured("D23", io::d23_no_timer_no_start, &io::D23),
    Check::measured("D50", handoff::d50_output_never_closed, &handoff::D50),
    Check::measured("D57", handoff::d57_append_race, &handoff::D57),
    Check::measured("D74", pool::d74_zero_values_after_close, &pool::D74),
    Check::measured("D75", pool::d75_undefined_pieces, &pool::D75),
];

/// The conditions every check states: what ran, the build, `--quick`.
fn evidence(ctx: &Ctx, what: &str) -> Evidence {
    Evidence::new(format!(
        "{what}; {} build{}",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        if ctx.quick { ", --quick sizes" } else { "" }
    ))
}

/// A yes/no figure.
fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// The threshold of a yes/no figure.
const YES: f64 = 0.5;
