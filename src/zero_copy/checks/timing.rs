//! The timing claims (C002-02, C002-04 … C002-08): sendfile against the 64
//! KiB loop in the [`matrix`](crate::zero_copy::matrix), four sizes × two
//! placements, read cell by cell through the per-round ratios and their
//! quartiles ([`grid`](super::grid)). A cell counts as different only when
//! the middle half of its rounds agree on the direction and the median
//! moves by at least `min_effect`.

use super::grid::{
    self, DOWN, FLAT, LATENCY, NOISY, Ratio, SENDER_CPU, THROUGHPUT, TOTAL_CPU, UP, grid,
    grid_inputs,
};
use crate::claims::{
    CheckError, Ctx, Evidence, Facts, Measured, Outcome::*, Rule, Threshold, Unit,
    Verdict, example,
};
use crate::measure::paired::{Effect, MIN_EFFECT, Paired};
use crate::table::{format_bytes, format_nanos};
use crate::zero_copy::figures;
use crate::zero_copy::loopback::{MethodRuns, Placement};
use crate::zero_copy::matrix::{Cell, Matrix};

/// The smallest change a verdict counts.
const MIN_EFFECT_T: Threshold = Threshold {
    name: "min_effect",
    value: MIN_EFFECT,
    unit: Unit::Fraction,
    source: "convention: a change under 5%, however steady, is too small to matter to \
             \"significantly\", \"lower\" or \"higher\"",
};

/// The seed's throughput target, +50% to +200%: reached in a cell when the
/// middle half of its rounds gained at least 50%.
const THROUGHPUT_TARGET: Threshold = Threshold {
    name: "throughput_target",
    value: 1.5,
    unit: Unit::Ratio,
    source: "seed 002 §1.5.1.1.5.1 L109: throughput +50–200% (the lower end; more \
             exceeds the target)",
};

/// The seed's CPU target, −30% to −60%: reached in a cell when the middle
/// half of its rounds saved at least 30%.
const CPU_TARGET: Threshold = Threshold {
    name: "cpu_target",
    value: 0.7,
    unit: Unit::Ratio,
    source: "seed 002 §1.5.1.1.5.1 L110: CPU usage −30–60% (the lower end; more exceeds \
             the target)",
};

/// Records `metric`'s quartiles for every cell, and each method's median.
fn record(ev: &mut Evidence, m: &Matrix, metric: &str, f: fn(&Cell) -> Paired) {
    for c in &m.cells {
        let size = format_bytes(c.size as f64);
        for (stat, v) in [
            ("first quartile", f(c).q1),
            ("median", f(c).median),
            ("third quartile", f(c).q3),
        ] {
            ev.add(grid::figure(metric, &size, c.placement, stat), v, Unit::Ratio);
        }
    }
}

fn record_medians(
    ev: &mut Evidence,
    m: &Matrix,
    what: &str,
    unit: Unit,
    f: fn(&MethodRuns) -> f64,
) {
    for c in &m.cells {
        let name = c.name();
        ev.add(format!("{what}, 64 KiB loop, {name}"), f(c.looped()), unit);
        ev.add(format!("{what}, sendfile, {name}"), f(c.sendfile()), unit);
    }
}

/// `4 KiB 1.01|1.03, 64 KiB 1.31|1.10, …`: the median ratio per size, one
/// CPU | two CPUs.
fn row(m: &Matrix, f: fn(&Cell) -> Paired) -> String {
    crate::zero_copy::matrix::SIZES
        .iter()
        .map(|&size| {
            let at = |p: Placement| {
                m.cells
                    .iter()
                    .find(|c| c.placement == p && c.size == size)
                    .map_or("–".to_string(), |c| format!("{:.2}", f(c).median))
            };
            format!(
                "{} {}|{}",
                format_bytes(size as f64),
                at(Placement::OneCpu),
                at(Placement::TwoCpus)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn evidence(m: &Matrix) -> Evidence {
    Evidence::new(m.condition())
}

fn skipped_note(m: &Matrix) -> String {
    m.skipped
        .iter()
        .map(|(p, why)| format!("; {} not measured: {why}", p.label()))
        .collect()
}

/// C002-02 and C002-05: throughput (and, for C002-02, the sender's CPU on
/// two CPUs), sendfile ÷ loop, per cell.
pub fn c002_05_throughput(ctx: &Ctx) -> Result<Measured, CheckError> {
    let m = figures::matrix(ctx)?;
    let mut ev = evidence(m);
    record(&mut ev, m, THROUGHPUT, |c| c.throughput);
    record(&mut ev, m, SENDER_CPU, |c| c.sender_cpu);
    record_medians(&mut ev, m, "throughput", Unit::BytesPerSec, MethodRuns::throughput);
    let summary = format!(
        "throughput, sendfile ÷ 64 KiB loop, median, one CPU|two CPUs: {}{}",
        row(m, |c| c.throughput),
        skipped_note(m)
    );
    Ok(Measured::new(ev, summary))
}

/// C002-02's measurement: the same figures as C002-05.
pub fn c002_02_significantly_faster(ctx: &Ctx) -> Result<Measured, CheckError> {
    c002_05_throughput(ctx)
}

/// "Holds only when" citing the first cell of `holds` and of `fails`.
fn where_it_holds(
    f: &Facts<'_>,
    condition: String,
    holds: &[Ratio],
    fails: &[Ratio],
) -> Verdict {
    f.holds_only_when(condition, &holds[0].median_name(), &fails[0].median_name())
}

fn min_effect(f: &Facts<'_>) -> f64 {
    f.limit("min_effect")
}

/// Confirmed when throughput rose beyond the noise in every cell, refuted
/// when it rose in none; otherwise "holds only when", naming where.
pub const C002_05: Rule = Rule {
    says: "confirmed when sendfile's throughput rose beyond the noise band (and by at \
           least min_effect) at every size in both placements; refuted when it rose \
           nowhere; otherwise holds only when, naming the sizes and placements",
    inputs: grid_inputs!(all "throughput"),
    thresholds: &[MIN_EFFECT_T],
    decide: |f| {
        let cells = grid::read_all(f, THROUGHPUT);
        let min = min_effect(f);
        let rose = grid::with(&cells, Effect::Higher, min);
        let not: Vec<Ratio> =
            cells.iter().copied().filter(|c| !rose.contains(c)).collect();
        if rose.is_empty() {
            Verdict::Refuted
        } else if not.is_empty() {
            Verdict::Confirmed
        } else {
            let text = grid::outcome(&cells, min, "rose", "fell", grid::cells_text);
            where_it_holds(f, format!("throughput {text}"), &rose, &not)
        }
    },
    examples: &[
        example(grid!(all "throughput": [UP, UP, UP, UP; UP, UP, UP, UP]), Confirmed),
        example(
            grid!(all "throughput": [FLAT, NOISY, DOWN, FLAT; FLAT, FLAT, FLAT, FLAT]),
            Refuted,
        ),
        example(
            grid!(all "throughput": [FLAT, UP, UP, DOWN; FLAT, FLAT, UP, NOISY]),
            HoldsOnlyWhen,
        ),
        example(grid!(one "throughput": [UP, UP, UP, UP]), Confirmed),
    ],
};

/// Refuted when neither throughput rose nor the sender's CPU (two CPUs)
/// fell anywhere; confirmed when throughput rose everywhere; otherwise
/// "holds only when".
pub const C002_02: Rule = Rule {
    says: "refuted when sendfile's throughput rose nowhere and the sender's CPU per GiB \
           (threads on two CPUs) fell nowhere, beyond the noise band and min_effect; \
           confirmed when throughput rose at every size in both placements; otherwise \
           holds only when, naming where",
    inputs: grid_inputs!(all "throughput", two "sender CPU per GiB"),
    thresholds: &[MIN_EFFECT_T],
    decide: |f| {
        let min = min_effect(f);
        let tp = grid::read_all(f, THROUGHPUT);
        let cpu = grid::read(f, SENDER_CPU, Placement::TwoCpus);
        let rose = grid::with(&tp, Effect::Higher, min);
        let fell = grid::with(&cpu, Effect::Lower, min);
        let not: Vec<Ratio> = tp.iter().copied().filter(|c| !rose.contains(c)).collect();
        if rose.is_empty() && fell.is_empty() {
            Verdict::Refuted
        } else if not.is_empty() {
            Verdict::Confirmed
        } else {
            let cpu_text = if cpu.is_empty() {
                "was not measured (one CPU)".to_string()
            } else {
                grid::outcome(&cpu, min, "rose", "fell", grid::sizes_text)
            };
            let text = format!(
                "throughput {}. The sender's CPU per GiB (threads on two CPUs) {cpu_text}. \
                 (In Go, io.Copy already uses sendfile; in Rust, std::io::copy does not, so \
                 the explicit call is what buys it.)",
                grid::outcome(&tp, min, "rose", "fell", grid::cells_text)
            );
            let holds = if rose.is_empty() { &fell } else { &rose };
            where_it_holds(f, text, holds, &not)
        }
    },
    examples: &[
        example(
            grid!(all "throughput": [UP, UP, UP, UP; UP, UP, UP, UP], two "sender CPU per GiB": [FLAT, FLAT, FLAT, FLAT]),
            Confirmed,
        ),
        example(
            grid!(all "throughput": [FLAT, FLAT, FLAT, FLAT; FLAT, FLAT, FLAT, FLAT], two "sender CPU per GiB": [FLAT, FLAT, NOISY, FLAT]),
            Refuted,
        ),
        example(
            grid!(all "throughput": [FLAT, UP, UP, DOWN; FLAT, FLAT, UP, FLAT], two "sender CPU per GiB": [FLAT, DOWN, DOWN, FLAT]),
            HoldsOnlyWhen,
        ),
        example(
            grid!(all "throughput": [FLAT, FLAT, FLAT, FLAT; FLAT, FLAT, FLAT, FLAT], two "sender CPU per GiB": [FLAT, DOWN, DOWN, FLAT]),
            HoldsOnlyWhen,
        ),
        example(grid!(one "throughput": [FLAT, UP, UP, DOWN]), HoldsOnlyWhen),
    ],
};

/// C002-04 and C002-08: the sender's CPU per GiB (two CPUs) and the whole
/// machine's (one CPU), sendfile ÷ loop.
pub fn c002_04_cpu(ctx: &Ctx) -> Result<Measured, CheckError> {
    let m = figures::matrix(ctx)?;
    let mut ev = evidence(m);
    record(&mut ev, m, SENDER_CPU, |c| c.sender_cpu);
    record(&mut ev, m, TOTAL_CPU, |c| c.total_cpu);
    let ns = |secs: f64| secs * 1e9;
    record_medians(&mut ev, m, "sender CPU per GiB", Unit::Nanos, |r| {
        r.sender_cpu_per_gib() * 1e9
    });
    record_medians(&mut ev, m, "receiver CPU per GiB", Unit::Nanos, |r| {
        r.receiver_cpu_per_gib() * 1e9
    });
    record_medians(
        &mut ev,
        m,
        "sender + receiver + softirq CPU per GiB",
        Unit::Nanos,
        |r| r.total_cpu_per_gib() * 1e9,
    );
    let largest_one = m.cells_in(Placement::OneCpu).last();
    let detail = largest_one.map_or(String::new(), |c| {
        format!(
            "; at {} on one CPU the sender's CPU per GiB went from {} to {} and the \
             receiver's from {} to {}",
            format_bytes(c.size as f64),
            format_nanos(ns(c.looped().sender_cpu_per_gib())),
            format_nanos(ns(c.sendfile().sender_cpu_per_gib())),
            format_nanos(ns(c.looped().receiver_cpu_per_gib())),
            format_nanos(ns(c.sendfile().receiver_cpu_per_gib())),
        )
    });
    let summary = format!(
        "CPU per GiB, sendfile ÷ 64 KiB loop, median, one CPU|two CPUs: sender {}; whole \
         machine {}{detail}{}",
        row(m, |c| c.sender_cpu),
        row(m, |c| c.total_cpu),
        skipped_note(m)
    );
    Ok(Measured::new(ev, summary))
}

/// C002-08's measurement: the same figures as C002-04.
pub fn c002_08_cpu_target(ctx: &Ctx) -> Result<Measured, CheckError> {
    c002_04_cpu(ctx)
}

const WHY_TWO_CPUS: &str = "the sender's own CPU time needs the sender and the receiver \
                            on two CPUs, and this process may use one; run it on a machine \
                            with two or more CPUs";

/// Unverifiable with one CPU; refuted when the sender's CPU (two CPUs) and
/// the machine's (one CPU) fell nowhere; confirmed when the sender's fell
/// at every size and the machine's rose at none; otherwise "holds only when".
pub const C002_04: Rule = Rule {
    says: "unverifiable without the two-CPU placement; refuted when neither the sender's \
           CPU per GiB (two CPUs) nor the whole machine's (one CPU) fell anywhere beyond \
           the noise band and min_effect; confirmed when the sender's fell at every size and \
           the machine's rose at none; otherwise holds only when, naming where",
    inputs: grid_inputs!(two "sender CPU per GiB", one "sender + receiver + softirq CPU per GiB"),
    thresholds: &[MIN_EFFECT_T],
    decide: |f| {
        let min = min_effect(f);
        let sender = grid::read(f, SENDER_CPU, Placement::TwoCpus);
        if sender.is_empty() {
            return Verdict::unverifiable(WHY_TWO_CPUS);
        }
        let machine = grid::read(f, TOTAL_CPU, Placement::OneCpu);
        let fell = grid::with(&sender, Effect::Lower, min);
        let machine_fell = grid::with(&machine, Effect::Lower, min);
        let machine_rose = grid::with(&machine, Effect::Higher, min);
        if fell.is_empty() && machine_fell.is_empty() {
            Verdict::Refuted
        } else if fell.len() == sender.len() && machine_rose.is_empty() {
            Verdict::Confirmed
        } else {
            let text = format!(
                "counting the sender's CPU per GiB (threads on two CPUs): {}. The whole \
                 machine's (both threads on one CPU; sender, receiver and softirq \
                 threads) {}",
                grid::outcome(&sender, min, "rose", "fell", grid::sizes_text),
                grid::outcome(&machine, min, "rose", "fell", grid::sizes_text),
            );
            let (holds, fails): (&[Ratio], Vec<Ratio>) = if fell.is_empty() {
                (&machine_fell, sender.clone())
            } else if !machine_rose.is_empty() {
                (&fell, machine_rose.clone())
            } else {
                (&fell, sender.iter().copied().filter(|c| !fell.contains(c)).collect())
            };
            where_it_holds(f, text, holds, &fails)
        }
    },
    examples: &[
        example(
            grid!(two "sender CPU per GiB": [DOWN, DOWN, DOWN, DOWN], one "sender + receiver + softirq CPU per GiB": [FLAT, DOWN, DOWN, FLAT]),
            Confirmed,
        ),
        example(
            grid!(two "sender CPU per GiB": [FLAT, FLAT, NOISY, FLAT], one "sender + receiver + softirq CPU per GiB": [FLAT, FLAT, FLAT, UP]),
            Refuted,
        ),
        example(
            grid!(two "sender CPU per GiB": [FLAT, DOWN, DOWN, DOWN], one "sender + receiver + softirq CPU per GiB": [FLAT, DOWN, DOWN, FLAT]),
            HoldsOnlyWhen,
        ),
        example(
            grid!(two "sender CPU per GiB": [DOWN, DOWN, DOWN, DOWN], one "sender + receiver + softirq CPU per GiB": [FLAT, DOWN, DOWN, UP]),
            HoldsOnlyWhen,
        ),
        example(
            grid!(two "sender CPU per GiB": [FLAT, FLAT, FLAT, FLAT], one "sender + receiver + softirq CPU per GiB": [FLAT, DOWN, DOWN, UP]),
            HoldsOnlyWhen,
        ),
        example(
            grid!(one "sender + receiver + softirq CPU per GiB": [FLAT, DOWN, DOWN, UP]),
            Unverifiable,
        ),
    ],
};

/// C002-06: time per transfer, sendfile ÷ loop.
pub fn c002_06_latency(ctx: &Ctx) -> Result<Measured, CheckError> {
    let m = figures::matrix(ctx)?;
    let mut ev = evidence(m);
    record(&mut ev, m, LATENCY, |c| c.latency);
    record_medians(&mut ev, m, "time per transfer", Unit::Nanos, MethodRuns::latency);
    let smallest = |p: Placement| {
        m.cells_in(p).next().map_or(String::new(), |c| {
            format!(
                "; {}: {} with sendfile vs {}",
                c.name(),
                format_nanos(c.sendfile().latency()),
                format_nanos(c.looped().latency())
            )
        })
    };
    let summary = format!(
        "time per transfer, sendfile ÷ loop, median, one CPU|two CPUs: {}{}{}{}",
        row(m, |c| c.latency),
        smallest(Placement::OneCpu),
        smallest(Placement::TwoCpus),
        skipped_note(m)
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when the time per transfer fell everywhere, refuted when it
/// fell nowhere; otherwise "holds only when".
pub const C002_06: Rule = Rule {
    says: "confirmed when sendfile's time per transfer (to the receiver's \
           acknowledgement) fell beyond the noise band and min_effect at every size in both \
           placements; refuted when it fell nowhere; otherwise holds only when, naming where",
    inputs: grid_inputs!(all "time per transfer"),
    thresholds: &[MIN_EFFECT_T],
    decide: |f| {
        let min = min_effect(f);
        let cells = grid::read_all(f, LATENCY);
        let fell = grid::with(&cells, Effect::Lower, min);
        let not: Vec<Ratio> =
            cells.iter().copied().filter(|c| !fell.contains(c)).collect();
        if fell.is_empty() {
            Verdict::Refuted
        } else if not.is_empty() {
            Verdict::Confirmed
        } else {
            let text = format!(
                "the time from the first byte sent to the receiver's acknowledgement {}",
                grid::outcome(&cells, min, "rose", "fell", grid::cells_text)
            );
            where_it_holds(f, text, &fell, &not)
        }
    },
    examples: &[
        example(
            grid!(all "time per transfer": [DOWN, DOWN, DOWN, DOWN; DOWN, DOWN, DOWN, DOWN]),
            Confirmed,
        ),
        example(
            grid!(all "time per transfer": [FLAT, FLAT, UP, UP; FLAT, NOISY, FLAT, FLAT]),
            Refuted,
        ),
        example(
            grid!(all "time per transfer": [FLAT, DOWN, DOWN, UP; FLAT, FLAT, DOWN, FLAT]),
            HoldsOnlyWhen,
        ),
    ],
};

/// C002-07: the +50–200% throughput target, per cell.
pub fn c002_07_throughput_target(ctx: &Ctx) -> Result<Measured, CheckError> {
    let m = figures::matrix(ctx)?;
    let mut ev = evidence(m);
    record(&mut ev, m, THROUGHPUT, |c| c.throughput);
    let best = m
        .cells
        .iter()
        .max_by(|a, b| a.throughput.median.total_cmp(&b.throughput.median))
        .ok_or("no cell measured")?;
    let summary = format!(
        "target +50% to +200%; best median {} at {}; sendfile ÷ loop, one CPU|two CPUs: {}{}",
        grid::change(best.throughput.median),
        best.name(),
        row(m, |c| c.throughput),
        skipped_note(m)
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when the middle half of the rounds reached +50% everywhere,
/// refuted when nowhere; otherwise "holds only when".
pub const C002_07: Rule = Rule {
    says: "a cell reaches the target when its rounds' first quartile of sendfile ÷ loop \
           throughput is at least throughput_target; confirmed when every cell does, \
           refuted when none does, otherwise holds only when, naming where",
    inputs: grid_inputs!(all "throughput"),
    thresholds: &[THROUGHPUT_TARGET],
    decide: |f| {
        let target = f.limit("throughput_target");
        let cells = grid::read_all(f, THROUGHPUT);
        let (reached, not): (Vec<Ratio>, Vec<Ratio>) =
            cells.iter().partition(|c| c.paired.q1 >= target);
        if reached.is_empty() {
            Verdict::Refuted
        } else if not.is_empty() {
            Verdict::Confirmed
        } else {
            let text = format!(
                "only at {} (median {}, the middle half of the rounds at +50% or more); \
                 elsewhere the gain was smaller or absent",
                grid::cells_text(&reached),
                grid::span(&reached)
            );
            where_it_holds(f, text, &reached, &not)
        }
    },
    examples: &[
        example(grid!(all "throughput": [UP, UP, UP, UP; UP, UP, UP, UP]), Confirmed),
        example(
            grid!(all "throughput": [FLAT, NOISY, (1.3, 1.45, 1.6), FLAT; FLAT, FLAT, FLAT, FLAT]),
            Refuted,
        ),
        example(
            grid!(all "throughput": [FLAT, NOISY, UP, FLAT; FLAT, FLAT, UP, FLAT]),
            HoldsOnlyWhen,
        ),
    ],
};

/// Unverifiable with one CPU; the −30–60% CPU target, per cell: the sender's
/// (two CPUs) and the whole machine's (one CPU).
pub const C002_08: Rule = Rule {
    says: "unverifiable without the two-CPU placement; a cell reaches the target when its \
           rounds' third quartile of sendfile ÷ loop CPU per GiB is at most cpu_target; \
           refuted when no cell does, for the sender (two CPUs) or the machine (one CPU); \
           confirmed when the sender's does at every size; otherwise holds only when",
    inputs: grid_inputs!(two "sender CPU per GiB", one "sender + receiver + softirq CPU per GiB"),
    thresholds: &[CPU_TARGET],
    decide: |f| {
        let target = f.limit("cpu_target");
        let sender = grid::read(f, SENDER_CPU, Placement::TwoCpus);
        if sender.is_empty() {
            return Verdict::unverifiable(WHY_TWO_CPUS);
        }
        let machine = grid::read(f, TOTAL_CPU, Placement::OneCpu);
        let (reached, not): (Vec<Ratio>, Vec<Ratio>) =
            sender.iter().partition(|c| c.paired.q3 <= target);
        let machine_reached: Vec<Ratio> =
            machine.iter().copied().filter(|c| c.paired.q3 <= target).collect();
        if reached.is_empty() && machine_reached.is_empty() {
            Verdict::Refuted
        } else if not.is_empty() {
            Verdict::Confirmed
        } else {
            let at = |v: &[Ratio]| {
                if v.is_empty() {
                    "at no size".to_string()
                } else {
                    format!("at {}", grid::sizes_text(v))
                }
            };
            let text = format!(
                "counting the sender's CPU (threads on two CPUs), only {}; the whole \
                 machine's CPU (both threads on one CPU) fell by 30% or more {}",
                at(&reached),
                at(&machine_reached)
            );
            let holds = if reached.is_empty() { &machine_reached } else { &reached };
            where_it_holds(f, text, holds, &not)
        }
    },
    examples: &[
        example(
            grid!(two "sender CPU per GiB": [DOWN, DOWN, DOWN, DOWN], one "sender + receiver + softirq CPU per GiB": [FLAT, FLAT, FLAT, FLAT]),
            Confirmed,
        ),
        example(
            grid!(two "sender CPU per GiB": [FLAT, (0.7, 0.8, 0.9), FLAT, FLAT], one "sender + receiver + softirq CPU per GiB": [FLAT, FLAT, FLAT, UP]),
            Refuted,
        ),
        example(
            grid!(two "sender CPU per GiB": [FLAT, FLAT, DOWN, FLAT], one "sender + receiver + softirq CPU per GiB": [FLAT, FLAT, DOWN, UP]),
            HoldsOnlyWhen,
        ),
        example(
            grid!(two "sender CPU per GiB": [FLAT, FLAT, FLAT, FLAT], one "sender + receiver + softirq CPU per GiB": [FLAT, DOWN, FLAT, UP]),
            HoldsOnlyWhen,
        ),
        example(
            grid!(one "sender + receiver + softirq CPU per GiB": [FLAT, DOWN, DOWN, UP]),
            Unverifiable,
        ),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zero_copy::checks::grid::CELLS;

    /// The names the rules declare are the names the measurement records.
    #[test]
    fn declared_inputs_match_recorded_names() {
        let names: &[&str] = grid_inputs!(all "throughput");
        assert_eq!(names.len(), 3 * CELLS.len());
        for (p, size) in CELLS {
            for stat in ["first quartile", "median", "third quartile"] {
                let name = grid::figure(THROUGHPUT, size, p, stat);
                assert!(names.contains(&name.as_str()), "{name}");
            }
        }
        for (i, size) in crate::zero_copy::matrix::SIZES.iter().enumerate() {
            assert_eq!(format_bytes(*size as f64), CELLS[i].1);
            assert_eq!(
                crate::zero_copy::matrix::cell_name(Placement::TwoCpus, *size),
                format!("{}, two CPUs", CELLS[4 + i].1)
            );
        }
        for m in [THROUGHPUT, SENDER_CPU, TOTAL_CPU, LATENCY] {
            let n = grid::figure(m, "4 KiB", Placement::OneCpu, "median");
            assert!(n.starts_with(m));
        }
        let named = [
            C002_02.inputs.len(),
            C002_04.inputs.len(),
            C002_05.inputs.len(),
            C002_06.inputs.len(),
            C002_07.inputs.len(),
            C002_08.inputs.len(),
        ];
        assert_eq!(named, [36, 24, 24, 24, 24, 24]);
    }
}
