//! The memory limit (seed 000 §1.2.3 L259, seed 001 §6.1.1.4.2 L264 and
//! §6.1.1.9.2 L867-868).

use super::{evidence, flag};
use crate::allocator_tuning::figures;
use crate::claims::{CheckError, Ctx, Measured, Unit, Verdict};
use crate::table::format_bytes;

/// C000-12, C001-21 and C001-42 are static: `SetMemoryLimit` steers Go's
/// collector.
pub fn memory_limit() -> Verdict {
    Verdict::not_applicable(
        "a fact of Go's runtime: SetMemoryLimit(1 << 30) sets a soft limit that makes the \
         collector run more often as the heap nears it, and the program goes on; the Go \
         side measures it. Rust has no collector to steer: a limit there is a hard refusal.",
        "LimitAlloc (a GlobalAlloc wrapper) returns null past its cap; RLIMIT_AS in a child: \
         Vec::try_reserve returns Err and the program degrades, Vec::with_capacity aborts",
    )
}

/// The limit as Rust has it: refusals, and what the program does with them.
pub fn limit_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let l = figures::limits(ctx)?;
    let mut ev = evidence(
        ctx,
        "LimitAlloc<System> with a 1 MiB cap, called directly; children limited by \
         RLIMIT_AS to their mapped size + 256 MiB, asking for 1 GiB",
    );
    ev.add(
        "LimitAlloc: 512 KiB under a 1 MiB cap succeeds",
        flag(l.direct.half_ok),
        Unit::Bool,
    );
    ev.add(
        "LimitAlloc: 2 MiB past it is refused",
        flag(l.direct.double_refused),
        Unit::Bool,
    );
    ev.add(
        "LimitAlloc: bytes counted after freeing",
        l.direct.used_after as f64,
        Unit::Bytes,
    );
    ev.add(
        "RLIMIT_AS, try_reserve: degraded to",
        l.degraded_to.unwrap_or(f64::NAN),
        Unit::Bytes,
    );
    ev.add("RLIMIT_AS, with_capacity: killed by a signal", flag(l.aborted), Unit::Bool);
    let summary = format!(
        "no soft limit in Rust: LimitAlloc refuses 2 MiB past a 1 MiB cap ({}); under \
         RLIMIT_AS, try_reserve(1 GiB) fails and the child degrades to {} ({}), \
         Vec::with_capacity(1 GiB) {} ({})",
        if l.direct.double_refused { "null" } else { "not refused" },
        l.degraded_to.map_or("n/a".into(), format_bytes),
        l.degrade_ended,
        l.abort_ended,
        l.abort_message
    );
    Ok(Measured::new(ev, summary))
}
