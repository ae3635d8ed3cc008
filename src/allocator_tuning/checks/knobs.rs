//! The GC percentage and who sets the knobs (seed 000 §1.2.3 L256, seed 001
//! §6.1.1.4.2 L261, seed 003 最佳实践4 L451-462).

use super::evidence;
use crate::allocator_tuning::allocators::Setting;
use crate::allocator_tuning::churn::Pattern;
use crate::allocator_tuning::figures;
use crate::allocator_tuning::knobs::InitStyle;
use crate::claims::{
    CheckError, Ctx, Measured, Outcome::*, Rule, Threshold, Unit, Verdict, example,
};
use crate::table::format_bytes;

/// C000-11 and C001-20 are static: `SetGCPercent(100)` is Go's default.
pub fn gc_percent() -> Verdict {
    Verdict::not_applicable(
        "a fact of Go's collector: GOGC (SetGCPercent) is 100 unless set, so the seeds' \
         SetGCPercent(100) changes nothing; the Go side measures it (SetGCPercent returns \
         the previous value). Rust has no collector to pace.",
        "the allocator decides when freed memory goes back to the OS: glibc trims a free \
         heap top above M_TRIM_THRESHOLD (128 KiB unless set); the analogue measures the \
         resident set after freeing every block with the default and with the threshold \
         set out of reach",
    )
}

/// The Rust analogue of GOGC: glibc's trim threshold, default against
/// "never", after freeing every block.
pub fn trim_threshold_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let d = figures::timeline(ctx, Setting::GlibcDefault, Pattern::AllFreed)?;
    let n = figures::timeline(ctx, Setting::GlibcNoTrim, Pattern::AllFreed)?;
    let mut ev = evidence(ctx, "every block freed, then idle; glibc in a child process");
    ev.add("freed", d.freed_bytes as f64, Unit::Bytes);
    let a = ev.add("idle RSS, default trim threshold", d.idle_rss as f64, Unit::Bytes);
    let b = ev.add("idle RSS, trim threshold 1 TiB", n.idle_rss as f64, Unit::Bytes);
    let summary = format!(
        "no GC to pace; glibc's nearest knob: after freeing {}, {} stays resident with the \
         default trim threshold, {} with it set out of reach",
        format_bytes(d.freed_bytes as f64),
        format_bytes(a),
        format_bytes(b)
    );
    Ok(Measured::new(ev, summary))
}

/// C003-33 is static: the seed's Go facts (1.19+, default 100) are right;
/// where it puts them is D59.
pub fn knobs_in_init() -> Verdict {
    Verdict::not_applicable(
        "facts of Go's runtime: SetMemoryLimit exists since Go 1.19 and GOGC defaults to \
         100, so GOGC=50 collects about twice as often; the Go side measures what init() \
         does to GOGC and GOMEMLIMIT. Hard-coding them in init() is D59.",
        "glibc's process-wide knobs set by start-up code: the analogue counts the arenas of \
         a child started with MALLOC_ARENA_MAX=1 after the seed's init() port",
    )
}

/// What start-up code does to the operator's arena limit.
pub fn init_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = evidence(ctx, "8 threads allocate at once; arenas from malloc_info");
    let op = ev.add(
        "arenas, operator's MALLOC_ARENA_MAX=1 alone",
        figures::arena_count(ctx, InitStyle::Nothing, true)?,
        Unit::Count,
    );
    let port = ev.add(
        "arenas, MALLOC_ARENA_MAX=1 + seed's init() port",
        figures::arena_count(ctx, InitStyle::SeedInit, true)?,
        Unit::Count,
    );
    let summary = format!(
        "the operator's MALLOC_ARENA_MAX=1 gives {op} arena(s); after the init() port's \
         mallopt, {port}"
    );
    Ok(Measured::new(ev, summary))
}

/// D59: process-wide knobs hard-coded in `init()` override the operator
/// (seed 003 最佳实践4 L453-462). The port against the fix, both under the
/// operator's `MALLOC_ARENA_MAX=1`.
pub fn d59_init_overrides(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = evidence(
        ctx,
        "children started with MALLOC_ARENA_MAX=1; 8 threads allocate at once; arenas \
         from malloc_info",
    );
    let port = ev.add(
        "port: arenas",
        figures::arena_count(ctx, InitStyle::SeedInit, true)?,
        Unit::Count,
    );
    let fix = ev.add(
        "fix: arenas",
        figures::arena_count(ctx, InitStyle::BinaryDefault, true)?,
        Unit::Count,
    );
    ev.add(
        "fix without the operator's setting: arenas",
        figures::arena_count(ctx, InitStyle::BinaryDefault, false)?,
        Unit::Count,
    );
    let summary = format!(
        "the operator asks for 1 arena: the init() port runs {port}, the fix (a default \
         only when the operator set none) {fix}"
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when the port runs more arenas than the operator allowed and
/// the fix does not.
pub const D59: Rule = Rule {
    says: "reproduced when the init() port runs more arenas than the operator's limit and \
           the fix stays within it; not reproduced when the port stays within it; \
           unverifiable when even the fix does not (glibc ignored the operator)",
    inputs: &["port: arenas", "fix: arenas"],
    thresholds: &[Threshold {
        name: "operator_limit",
        value: 1.0,
        unit: Unit::Count,
        source: "the operator's MALLOC_ARENA_MAX=1 in the children's environment",
    }],
    decide: |f| {
        let limit = f.limit("operator_limit");
        if f.get("port: arenas") <= limit {
            Verdict::Refuted
        } else if f.get("fix: arenas") <= limit {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable(
                "the fix ran more arenas than MALLOC_ARENA_MAX allows too: this glibc did not \
                 apply the operator's setting",
            )
        }
    },
    examples: &[
        example(&[("port: arenas", 8.0), ("fix: arenas", 1.0)], Confirmed),
        example(&[("port: arenas", 1.0)], Refuted),
        example(&[("port: arenas", 8.0), ("fix: arenas", 8.0)], Unverifiable),
    ],
};
