//! Mapping flags (seed 004 L278-285).

use super::{evidence, flag};
use crate::claims::{
    CheckError, Ctx, Measured, Outcome::*, Rule, Unit, Verdict, example,
};
use crate::mmap::figures;

/// C004-32: `MAP_ANON` anonymous, `MAP_PRIVATE` private, `MAP_SHARED` shared
/// between processes, `MAP_FIXED` at a fixed address. A forked child writes
/// into a shared and a private page; `MAP_FIXED` maps over a live mapping.
pub fn c004_32_mapping_flags(ctx: &Ctx) -> Result<Measured, CheckError> {
    let v = figures::fork_view(ctx)?;
    let x = figures::fixed(ctx)?;
    let mut ev = evidence(
        ctx,
        "a forked child writes 42 into a shared and a private anonymous page; MAP_FIXED \
         over a live mapping",
    );
    ev.add(
        "parent sees the child's write: MAP_SHARED",
        flag(v.shared_visible),
        Unit::Bool,
    );
    ev.add(
        "parent sees the child's write: MAP_PRIVATE",
        flag(v.private_visible),
        Unit::Bool,
    );
    ev.add("MAP_FIXED mapped at the address given", flag(x.fixed_ok), Unit::Bool);
    ev.add("byte before MAP_FIXED", x.before as f64, Unit::Count);
    ev.add("byte after MAP_FIXED", x.after as f64, Unit::Count);
    let summary = format!(
        "after fork, a shared page carries the child's write ({}) and a private one does not \
         ({}); MAP_FIXED mapped over live data without an error (0x{:02X} became 0x{:02X})",
        v.shared_visible, v.private_visible, x.before, x.after
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when each flag does what the seed says.
pub const C004_32: Rule = Rule {
    says: "confirmed when the parent sees the child's write to the shared page, not to the \
           private one, and MAP_FIXED mapped at the address given; refuted otherwise",
    inputs: &[
        "parent sees the child's write: MAP_SHARED",
        "parent sees the child's write: MAP_PRIVATE",
        "MAP_FIXED mapped at the address given",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("parent sees the child's write: MAP_SHARED") == 1.0
                && f.get("parent sees the child's write: MAP_PRIVATE") == 0.0
                && f.get("MAP_FIXED mapped at the address given") == 1.0,
        )
    },
    examples: &[
        example(
            &[
                ("parent sees the child's write: MAP_SHARED", 1.0),
                ("parent sees the child's write: MAP_PRIVATE", 0.0),
                ("MAP_FIXED mapped at the address given", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("parent sees the child's write: MAP_SHARED", 1.0),
                ("parent sees the child's write: MAP_PRIVATE", 1.0),
                ("MAP_FIXED mapped at the address given", 1.0),
            ],
            Refuted,
        ),
    ],
};

/// D70: `MAP_FIXED` listed with no warning (seed 004 L280-285). Writes 0xAB
/// into a mapping, maps over it with `MAP_FIXED`, reads it back; then the
/// fix, `MAP_FIXED_NOREPLACE`, at the same address.
pub fn d70_map_fixed(ctx: &Ctx) -> Result<Measured, CheckError> {
    let x = figures::fixed(ctx)?;
    let mut ev = evidence(
        ctx,
        "64 KiB mapping with 0xAB at offset 100; MAP_FIXED, then MAP_FIXED_NOREPLACE, at \
         its address",
    );
    ev.add("MAP_FIXED reported success", flag(x.fixed_ok), Unit::Bool);
    ev.add("live byte survived MAP_FIXED", flag(x.after == x.before), Unit::Bool);
    ev.add(
        "MAP_FIXED_NOREPLACE refused with EEXIST",
        flag(x.noreplace_eexist),
        Unit::Bool,
    );
    let summary = format!(
        "MAP_FIXED silently replaced live data (0x{:02X} → 0x{:02X}); MAP_FIXED_NOREPLACE: {}",
        x.before, x.after, x.noreplace
    );
    Ok(Measured::new(ev, summary))
}

/// Reproduced when `MAP_FIXED` replaces live data without an error and
/// `MAP_FIXED_NOREPLACE` refuses.
pub const D70: Rule = Rule {
    says: "reproduced when MAP_FIXED reports success and the live byte is gone while \
           MAP_FIXED_NOREPLACE refuses with EEXIST; not reproduced when the data survives \
           or the call fails; unverifiable when the fix is missing (Linux before 4.17)",
    inputs: &[
        "MAP_FIXED reported success",
        "live byte survived MAP_FIXED",
        "MAP_FIXED_NOREPLACE refused with EEXIST",
    ],
    thresholds: &[],
    decide: |f| {
        let silent = f.get("MAP_FIXED reported success") == 1.0
            && f.get("live byte survived MAP_FIXED") == 0.0;
        if !silent {
            Verdict::Refuted
        } else if f.get("MAP_FIXED_NOREPLACE refused with EEXIST") == 1.0 {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable("this kernel predates MAP_FIXED_NOREPLACE (Linux 4.17)")
        }
    },
    examples: &[
        example(
            &[
                ("MAP_FIXED reported success", 1.0),
                ("live byte survived MAP_FIXED", 0.0),
                ("MAP_FIXED_NOREPLACE refused with EEXIST", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[("MAP_FIXED reported success", 1.0), ("live byte survived MAP_FIXED", 1.0)],
            Refuted,
        ),
        example(
            &[
                ("MAP_FIXED reported success", 1.0),
                ("live byte survived MAP_FIXED", 0.0),
                ("MAP_FIXED_NOREPLACE refused with EEXIST", 0.0),
            ],
            Unverifiable,
        ),
    ],
};
