//! Rules: the deciding half of a check.
//!
//! A measured check has two halves (`../shared/DESIGN.md`, "Claims,
//! evidence, rules"):
//!
//! - **measure** runs the workload and returns [`Evidence`] (named figures,
//!   units, the condition), plus a one-line summary of what it saw;
//! - **decide** is a [`Rule`]: a pure function of that evidence, reading
//!   the figures it declares in [`Rule::inputs`] and comparing them with the
//!   named [`Threshold`]s beside it, each documented with where it comes
//!   from.
//!
//! Every rule carries [`Example`]s: synthetic evidence and the verdict it must
//! give. [`Rule::verify`] runs them, and the registry test runs it for every
//! rule of every chapter. It fails when a rule's examples reach fewer than two
//! outcomes (a verdict that no measurement could change is not a
//! measurement), when an example gives another verdict than it says, and when
//! an input or threshold is declared but never read.
//!
//! "Holds only when" is reached only through [`Facts::holds_only_when`],
//! which names the two measured figures that show the condition from both
//! sides: the one where the claim holds and the one where it does not. The
//! runner refuses the verdict when either figure is missing from the
//! evidence.

use super::verdict::{Evidence, Verdict};
use crate::table::{Unit, format_value};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;

/// A number a rule compares a figure with.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Threshold {
    /// The name the rule reads it by, e.g. `min_speedup`.
    pub name: &'static str,
    /// Its value, in the unit's base (ns, bytes, a ratio …).
    pub value: f64,
    /// How to print it.
    pub unit: Unit,
    /// Where the number comes from: the seed's figure, a noise band the check
    /// measures, a physical limit, a convention.
    pub source: &'static str,
}

/// What kind of verdict a rule reached, without its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The claim holds (a defect reproduces).
    Confirmed,
    /// The claim is false (a defect does not reproduce).
    Refuted,
    /// The claim holds on one side of a measured condition only.
    HoldsOnlyWhen,
    /// A Go-runtime fact with no Rust counterpart.
    NotApplicable,
    /// Cannot be checked (here, or at all).
    Unverifiable,
}

impl Outcome {
    /// The outcome of `verdict`.
    pub fn of(verdict: &Verdict) -> Self {
        match verdict {
            Verdict::Confirmed => Self::Confirmed,
            Verdict::Refuted => Self::Refuted,
            Verdict::HoldsOnlyWhen { .. } => Self::HoldsOnlyWhen,
            Verdict::NotApplicable { .. } => Self::NotApplicable,
            Verdict::Unverifiable { .. } => Self::Unverifiable,
        }
    }

    /// True for the outcomes a measurement decides.
    pub fn is_measured(self) -> bool {
        matches!(self, Self::Confirmed | Self::Refuted | Self::HoldsOnlyWhen)
    }
}

/// Synthetic evidence and the verdict a rule must give for it.
#[derive(Clone, Copy, Debug)]
pub struct Example {
    /// Input figures by name. A rule may leave inputs unread on a path, so an
    /// example needs only the figures that path reads.
    pub given: &'static [(&'static str, f64)],
    /// The outcome the rule must reach.
    pub gives: Outcome,
}

/// `Example { given, gives }`, shorter to write in a rule's table.
pub const fn example(given: &'static [(&'static str, f64)], gives: Outcome) -> Example {
    Example { given, gives }
}

/// The deciding half of a measured check.
pub struct Rule {
    /// What the rule says, in one sentence naming its thresholds, e.g.
    /// "confirmed when sendfile's throughput is at least `min_speedup` × the
    /// loop's". Shown by `--list` and in the JSON report.
    pub says: &'static str,
    /// The figures the rule reads, by their names in the evidence.
    pub inputs: &'static [&'static str],
    /// The thresholds it compares them with.
    pub thresholds: &'static [Threshold],
    /// The decision: a pure function of the facts.
    pub decide: fn(&Facts<'_>) -> Verdict,
    /// At least one example for every outcome the rule can reach.
    pub examples: &'static [Example],
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("says", &self.says)
            .field("inputs", &self.inputs)
            .field("thresholds", &self.thresholds)
            .finish_non_exhaustive()
    }
}

/// Why a rule could not decide: the measurement lacked a figure it reads, or
/// the rule broke its own declarations. The runner reports it as the check's
/// error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError(pub String);

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Rule {
    /// Decides on `evidence`. Fails (instead of guessing) when the rule reads a
    /// figure the evidence lacks, reads an input or threshold it does not
    /// declare, or says "holds only when" without two measured sides.
    pub fn apply(&self, evidence: &Evidence) -> Result<Verdict, RuleError> {
        self.apply_tracked(evidence).map(|(v, _)| v)
    }

    fn apply_tracked(&self, evidence: &Evidence) -> Result<(Verdict, Reads), RuleError> {
        let facts = Facts { evidence, rule: self, reads: RefCell::default() };
        let verdict = (self.decide)(&facts);
        let reads = facts.reads.into_inner();
        if let Some(e) = reads.error.clone() {
            return Err(e);
        }
        if let Verdict::HoldsOnlyWhen { sides, .. } = &verdict {
            let [a, b] = sides;
            if a == b {
                return Err(RuleError(format!(
                    "'holds only when' names one side twice ({a}); it needs the figure \
                     where the claim holds and the one where it does not"
                )));
            }
            for s in sides {
                if evidence.get(s).is_none() {
                    return Err(RuleError(format!(
                        "'holds only when' cites {s:?}, which was not measured"
                    )));
                }
            }
        }
        Ok((verdict, reads))
    }

    /// Runs every example and checks the rule's declarations; `Err` lists
    /// every problem found. See the module documentation.
    pub fn verify(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        let mut reached = BTreeSet::new();
        let mut read_inputs = BTreeSet::new();
        let mut read_limits = BTreeSet::new();
        for (i, ex) in self.examples.iter().enumerate() {
            let mut ev = Evidence::new("example");
            for (name, value) in ex.given {
                if !self.inputs.contains(name) {
                    problems.push(format!(
                        "example {i} gives {name:?}, which is not a declared input"
                    ));
                }
                ev.add(*name, *value, Unit::Count);
            }
            match self.apply_tracked(&ev) {
                Ok((verdict, reads)) => {
                    let got = Outcome::of(&verdict);
                    if got != ex.gives {
                        problems.push(format!(
                            "example {i} ({}) gives {got:?}, not {:?}",
                            describe(ex.given),
                            ex.gives
                        ));
                    }
                    reached.insert(got);
                    read_inputs.extend(reads.inputs);
                    read_limits.extend(reads.limits);
                }
                Err(e) => problems.push(format!("example {i}: {e}")),
            }
        }
        let measured = reached.iter().filter(|o| o.is_measured()).count();
        if reached.len() < 2 || measured == 0 {
            problems.push(format!(
                "its examples reach {} outcome(s) ({reached:?}): a measured claim's rule \
                 must reach at least two, one of them measured (confirmed, refuted or \
                 holds only when)",
                reached.len()
            ));
        }
        for input in self.inputs {
            if !read_inputs.contains(input) {
                problems
                    .push(format!("input {input:?} is declared but no example reads it"));
            }
        }
        for t in self.thresholds {
            if !read_limits.contains(t.name) {
                problems.push(format!(
                    "threshold {:?} is declared but no example reads it",
                    t.name
                ));
            }
        }
        let mut names: Vec<&str> = self.thresholds.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        if names.len() != self.thresholds.len() {
            problems.push("two thresholds share a name".into());
        }
        if self.says.trim().is_empty() {
            problems.push("the rule does not say what it decides".into());
        }
        if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
    }

    /// The outcomes its examples reach, in order.
    pub fn outcomes(&self) -> BTreeSet<Outcome> {
        self.examples.iter().map(|e| e.gives).collect()
    }

    /// `name = value` for every threshold, as a reader sees them.
    pub fn threshold_line(&self) -> String {
        self.thresholds
            .iter()
            .map(|t| format!("{} = {}", t.name, format_value(t.value, t.unit)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn describe(given: &[(&str, f64)]) -> String {
    given.iter().map(|(n, v)| format!("{n} = {v}")).collect::<Vec<_>>().join(", ")
}

#[derive(Default)]
struct Reads {
    inputs: BTreeSet<&'static str>,
    limits: BTreeSet<&'static str>,
    error: Option<RuleError>,
}

/// What a rule may look at: the figures it declared, and its thresholds.
/// Reading anything else stops the rule with an error.
pub struct Facts<'a> {
    evidence: &'a Evidence,
    rule: &'a Rule,
    reads: RefCell<Reads>,
}

impl Facts<'_> {
    /// Records the first error; the verdict the rule goes on to reach is
    /// then discarded.
    fn fail(&self, msg: String) -> f64 {
        let mut reads = self.reads.borrow_mut();
        if reads.error.is_none() {
            reads.error = Some(RuleError(msg));
        }
        f64::NAN
    }

    fn declared_input(&self, name: &str) -> Option<&'static str> {
        let found = self.rule.inputs.iter().find(|i| **i == name).copied();
        if found.is_none() {
            self.fail(format!("the rule reads {name:?}, which it does not declare"));
        }
        found
    }

    /// The figure called `name`. When the measurement did not record it, the
    /// rule's verdict becomes an error (never a guess); the value is NaN.
    pub fn get(&self, name: &str) -> f64 {
        let Some(input) = self.declared_input(name) else { return f64::NAN };
        self.reads.borrow_mut().inputs.insert(input);
        match self.evidence.get(name) {
            Some(v) => v,
            None => self.fail(format!("the measurement did not record {name:?}")),
        }
    }

    /// Whether the figure called `name` was measured (for inputs that only
    /// some machines can measure, such as a second CPU).
    pub fn has(&self, name: &str) -> bool {
        let Some(input) = self.declared_input(name) else { return false };
        self.reads.borrow_mut().inputs.insert(input);
        self.evidence.get(name).is_some()
    }

    /// The threshold called `name` (NaN, and an error, when undeclared).
    pub fn limit(&self, name: &str) -> f64 {
        match self.rule.thresholds.iter().find(|t| t.name == name) {
            Some(t) => {
                self.reads.borrow_mut().limits.insert(t.name);
                t.value
            }
            None => self.fail(format!(
                "the rule reads threshold {name:?}, which it does not declare"
            )),
        }
    }

    /// `Confirmed` when `holds`, else `Refuted`.
    pub fn confirmed_if(&self, holds: bool) -> Verdict {
        Verdict::confirmed_if(holds)
    }

    /// "Holds only when `condition`": `holds_in` names the figure measured on
    /// the side where the claim holds, `fails_in` the one on the other side.
    /// Both must be declared inputs and present in the evidence.
    pub fn holds_only_when(
        &self,
        condition: impl Into<String>,
        holds_in: &str,
        fails_in: &str,
    ) -> Verdict {
        self.get(holds_in);
        self.get(fails_in);
        Verdict::HoldsOnlyWhen {
            condition: condition.into(),
            sides: [holds_in.to_string(), fails_in.to_string()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Outcome::*;

    const SPEEDUP: Rule = Rule {
        says: "confirmed when the ratio is at least min_ratio; holds only when it is \
               reached at one size and not the other",
        inputs: &["ratio small", "ratio large"],
        thresholds: &[Threshold {
            name: "min_ratio",
            value: 1.5,
            unit: Unit::Ratio,
            source: "the seed's +50%",
        }],
        decide: |f| {
            let min = f.limit("min_ratio");
            let (s, l) = (f.get("ratio small"), f.get("ratio large"));
            match (s >= min, l >= min) {
                (true, true) => Verdict::Confirmed,
                (false, false) => Verdict::Refuted,
                (false, true) => f.holds_only_when("large", "ratio large", "ratio small"),
                (true, false) => f.holds_only_when("small", "ratio small", "ratio large"),
            }
        },
        examples: &[
            example(&[("ratio small", 2.0), ("ratio large", 2.0)], Confirmed),
            example(&[("ratio small", 1.0), ("ratio large", 1.0)], Refuted),
            example(&[("ratio small", 1.0), ("ratio large", 2.0)], HoldsOnlyWhen),
        ],
    };

    #[test]
    fn a_rule_with_examples_for_each_outcome_verifies() {
        SPEEDUP.verify().unwrap();
        let mut ev = Evidence::new("x");
        ev.add("ratio small", 1.0, Unit::Ratio);
        ev.add("ratio large", 3.0, Unit::Ratio);
        let v = SPEEDUP.apply(&ev).unwrap();
        assert!(
            matches!(&v, Verdict::HoldsOnlyWhen { sides, .. } if sides[0] == "ratio large")
        );
    }

    /// The registry test's teeth: a rule that cannot flip is rejected.
    #[test]
    fn a_rule_that_reaches_one_outcome_is_rejected() {
        const CONSTANT: Rule = Rule {
            says: "always confirmed",
            inputs: &["ratio"],
            thresholds: &[],
            decide: |f| {
                let _ = f.get("ratio");
                Verdict::Confirmed
            },
            examples: &[
                example(&[("ratio", 2.0)], Confirmed),
                example(&[("ratio", 0.1)], Confirmed),
            ],
        };
        let err = CONSTANT.verify().unwrap_err();
        assert!(err.contains("reach 1 outcome"), "{err}");
        // Claiming a second outcome it cannot give does not help.
        const LYING: Rule = Rule {
            examples: &[
                example(&[("ratio", 2.0)], Confirmed),
                example(&[("ratio", 0.1)], Refuted),
            ],
            ..CONSTANT
        };
        let err = LYING.verify().unwrap_err();
        assert!(err.contains("gives Confirmed, not Refuted"), "{err}");
    }

    #[test]
    fn static_outcomes_alone_do_not_make_a_measured_rule() {
        const ONLY_STATIC: Rule = Rule {
            says: "unverifiable on one CPU, else not applicable",
            inputs: &["cpus"],
            thresholds: &[],
            decide: |f| {
                if f.get("cpus") < 2.0 {
                    Verdict::unverifiable("one CPU")
                } else {
                    Verdict::not_applicable("Go", "none")
                }
            },
            examples: &[
                example(&[("cpus", 1.0)], Unverifiable),
                example(&[("cpus", 2.0)], NotApplicable),
            ],
        };
        assert!(ONLY_STATIC.verify().unwrap_err().contains("one of them measured"));
    }

    #[test]
    fn undeclared_reads_and_unread_declarations_are_caught() {
        const SLOPPY: Rule = Rule {
            says: "reads what it did not declare",
            inputs: &["a", "never read"],
            thresholds: &[Threshold {
                name: "unused",
                value: 1.0,
                unit: Unit::Count,
                source: "-",
            }],
            decide: |f| f.confirmed_if(f.get("a") > 0.0 && f.get("b") > 0.0),
            examples: &[
                example(&[("a", 1.0)], Confirmed),
                example(&[("a", -1.0)], Refuted),
            ],
        };
        let err = SLOPPY.verify().unwrap_err();
        assert!(err.contains("reads \"b\", which it does not declare"), "{err}");
        assert!(err.contains("input \"never read\" is declared"), "{err}");
        assert!(err.contains("threshold \"unused\""), "{err}");
    }

    #[test]
    fn a_missing_figure_is_an_error_not_a_verdict() {
        let ev = Evidence::new("x");
        let e = SPEEDUP.apply(&ev).unwrap_err();
        assert!(e.0.contains("did not record"), "{e}");
    }

    #[test]
    fn holds_only_when_needs_two_distinct_measured_sides() {
        const ONE_SIDED: Rule = Rule {
            says: "holds only when, citing one figure twice",
            inputs: &["a"],
            thresholds: &[],
            decide: |f| {
                if f.get("a") > 0.0 {
                    f.holds_only_when("a is positive", "a", "a")
                } else {
                    Verdict::Refuted
                }
            },
            examples: &[
                example(&[("a", 1.0)], HoldsOnlyWhen),
                example(&[("a", -1.0)], Refuted),
            ],
        };
        let err = ONE_SIDED.verify().unwrap_err();
        assert!(err.contains("names one side twice"), "{err}");
    }
}
