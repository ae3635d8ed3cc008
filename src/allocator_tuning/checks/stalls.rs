//! Pauses and stalls (seed 003 L68 and 问题2 L537-560).

use super::evidence;
use crate::allocator_tuning::figures;
use crate::allocator_tuning::stall::StallSetting;
use crate::claims::{CheckError, Ctx, Measured, Unit, Verdict};
use crate::measure::stats;
use crate::table::format_nanos;

/// C003-03 is static: a target for Go's pauses, with no program behind it.
pub fn pause_target() -> Verdict {
    Verdict::not_applicable(
        "a target for Go's GC pauses (10 ms → under 1 ms), with no program that reaches it; \
         today's Go stops the world for well under a millisecond anyway. Rust has no \
         collector; its pause is the drop of a large structure, on the dropping thread.",
        "a map with one heap string per entry dropped inline, and handed to \
         drop_in_background: the caller's CPU time",
    )
}

/// The caller's pause for a big drop, inline and in the background.
pub fn drop_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::drops(ctx)?;
    let mut ev = evidence(
        ctx,
        &format!(
            "HashMap<u64, String> of {} entries; caller's CPU time, median",
            d.entries
        ),
    );
    let m = |v: &[f64]| stats::median(v).unwrap_or(f64::NAN);
    let inline = ev.add("drop inline", m(&d.inline_ns), Unit::Nanos);
    let ours = ev.add("drop_in_background", m(&d.ours_ns), Unit::Nanos);
    let summary = format!(
        "no GC pause; dropping {} entries costs the caller {} inline, {} handed to a \
         background thread",
        d.entries,
        format_nanos(inline),
        format_nanos(ours)
    );
    Ok(Measured::new(ev, summary))
}

/// C003-40 is static: a symptom of Go's collector.
pub fn gc_stalls() -> Verdict {
    Verdict::not_applicable(
        "advice about Go's collector (long pauses, GODEBUG=gctrace=1, tuning GOGC), which \
         only a Go program shows; the Go side measures its pauses. Rust has no collector, \
         but reclamation can still stall a thread: the one that waits for the lock it holds.",
        "malloc_trim(0) seen from a heartbeat thread that shares the arena \
         (MALLOC_ARENA_MAX=1) and from one with an arena of its own, and the Reclaimer's trim",
    )
}

/// How long another thread was blocked during reclamation.
pub fn stall_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = evidence(
        ctx,
        "1 in 64 blocks alive, then malloc_trim(0) while a heartbeat thread allocates 2000 B \
         in a loop; blocked = the longest gap in which it slept",
    );
    let shared = figures::stall(ctx, StallSetting::GlibcSharedArena)?;
    let own = figures::stall(ctx, StallSetting::GlibcOwnArena)?;
    let ours = figures::stall(ctx, StallSetting::GlibcReclaimer)?;
    let shared_took =
        ev.add("trim, one arena for all: took", shared.took("malloc_trim"), Unit::Nanos);
    let mut blocked =
        |name: &str, r: &crate::allocator_tuning::stall::StallReport, call: &str| {
            let b = r.blocked(call);
            if let Some(b) = b {
                ev.add(name, b, Unit::Nanos);
            }
            b.map_or_else(|| "n/a (no CPU for the heartbeat)".to_string(), format_nanos)
        };
    let shared = blocked("heartbeat blocked, one arena for all", &shared, "malloc_trim");
    let own = blocked("heartbeat blocked, an arena per thread", &own, "malloc_trim");
    let ours = blocked("heartbeat blocked, Reclaimer", &ours, "Reclaimer");
    let summary = format!(
        "no GC; a trim of {} blocks a thread sharing its arena for {}, one with its own \
         arena for {}, and the Reclaimer's for {}",
        format_nanos(shared_took),
        shared,
        own,
        ours
    );
    Ok(Measured::new(ev, summary))
}
