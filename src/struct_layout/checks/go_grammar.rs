//! D11: seed 000's listing imports `unsafe` after its type declarations and
//! uses `fmt` without importing it. A fact about Go's compiler, so it is
//! judged by one: `go vet` on three listings of the same shape
//! (`go_vet.rs`), when a Go toolchain is on `PATH`.

use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Unit, Verdict, example,
};
use crate::struct_layout::figures;
use crate::struct_layout::go_vet::{GoVet, LATE_IMPORT, UNDEFINED_FMT};

const FOUND: &str = "go toolchain on PATH";
const CONTROL: &str = "go vet accepts the correct listing";
const LATE: &str = "go vet rejects an import after the type declarations";
const NO_FMT: &str = "go vet rejects fmt used without its import";

/// D11: what `go vet` says of the seed's two faults, beside a correct listing.
pub fn d11_listing_does_not_compile(ctx: &Ctx) -> Result<Measured, CheckError> {
    let vet = figures::go_vet(ctx)?;
    let mut ev = Evidence::new(
        "go vet on three listings of seed 000's shape written for this check (the \
         seed's order, the seed's missing import, and a correct control); \
         GOTOOLCHAIN=local",
    );
    let found = matches!(vet, GoVet::Ran { .. });
    ev.add(FOUND, f64::from(found), Unit::Bool);
    let summary = match vet {
        GoVet::NoToolchain => "no `go` on PATH: nothing here can compile Go".to_string(),
        GoVet::Ran { version, listings: [control, late, no_fmt] } => {
            ev.condition.push_str(&format!("; {version}"));
            ev.add(CONTROL, f64::from(control.accepted), Unit::Bool);
            ev.add(LATE, f64::from(late.rejected_for(LATE_IMPORT)), Unit::Bool);
            ev.add(NO_FMT, f64::from(no_fmt.rejected_for(UNDEFINED_FMT)), Unit::Bool);
            let said = |v: &crate::struct_layout::go_vet::Vetted| {
                if v.accepted { "accepted".to_string() } else { v.diagnostic.clone() }
            };
            format!(
                "{version}: control {}; import after types: {}; fmt not imported: {}",
                said(control),
                said(late),
                said(no_fmt)
            )
        }
    };
    Ok(Measured::new(ev, summary))
}

/// D11 reproduces when Go's toolchain, which accepts a correct listing,
/// rejects both faults for the reasons the defect names.
pub const D11: Rule = Rule {
    says: "reproduced when go vet accepts the correct listing and rejects both the \
           import after the type declarations and the unimported fmt; holds only when \
           it rejects one of them; not reproduced when it rejects neither; \
           unverifiable without a working Go toolchain",
    inputs: &[FOUND, CONTROL, LATE, NO_FMT],
    thresholds: &[],
    decide: |f| {
        if f.get(FOUND) == 0.0 {
            return Verdict::unverifiable(
                "no Go toolchain on PATH: the defect is a Go compile error, and only a Go \
                 compiler can show it (Rust, for comparison, accepts a `use` after \
                 items)",
            );
        }
        if f.get(CONTROL) == 0.0 {
            return Verdict::unverifiable(
                "the Go toolchain here rejected even the correct listing, so its \
                 verdict on the seed's listing means nothing",
            );
        }
        match (f.get(LATE) != 0.0, f.get(NO_FMT) != 0.0) {
            (true, true) => Verdict::Confirmed,
            (false, false) => Verdict::Refuted,
            (true, false) => f.holds_only_when(
                "the fault is the import order; the missing fmt import was accepted",
                LATE,
                NO_FMT,
            ),
            (false, true) => f.holds_only_when(
                "the fault is the missing fmt import; the import order was accepted",
                NO_FMT,
                LATE,
            ),
        }
    },
    examples: &[
        example(&[(FOUND, 1.0), (CONTROL, 1.0), (LATE, 1.0), (NO_FMT, 1.0)], Confirmed),
        example(&[(FOUND, 1.0), (CONTROL, 1.0), (LATE, 0.0), (NO_FMT, 0.0)], Refuted),
        example(
            &[(FOUND, 1.0), (CONTROL, 1.0), (LATE, 1.0), (NO_FMT, 0.0)],
            HoldsOnlyWhen,
        ),
        example(&[(FOUND, 0.0)], Unverifiable),
        example(&[(FOUND, 1.0), (CONTROL, 0.0)], Unverifiable),
    ],
};
