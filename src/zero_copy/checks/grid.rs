//! Reading the timing matrix from a rule: the per-round ratios sendfile ÷
//! loop of every cell (size × placement), and whether each differs from 1
//! beyond the noise band its own rounds measured.
//!
//! The evidence names every figure `METRIC, sendfile ÷ loop, CELL: STAT`,
//! where CELL is `4 KiB, one CPU` … `16 MiB, two CPUs` and STAT is `first
//! quartile`, `median` or `third quartile`. A rule declares the figures it
//! reads with [`grid_inputs!`] and writes its examples with [`grid!`], one
//! `(q1, median, q3)` per cell; both list the cells in the order of
//! [`CELLS`] (one CPU, then two CPUs; sizes ascending).

use crate::claims::Facts;
use crate::measure::paired::{Effect, Paired};
use crate::zero_copy::loopback::Placement;

/// The metrics the timing claims read.
pub const THROUGHPUT: &str = "throughput";
/// The sending thread's CPU seconds per GiB.
pub const SENDER_CPU: &str = "sender CPU per GiB";
/// Sender + receiver + softirq threads' CPU seconds per GiB.
pub const TOTAL_CPU: &str = "sender + receiver + softirq CPU per GiB";
/// Time per transfer, to the receiver's acknowledgement.
pub const LATENCY: &str = "time per transfer";

/// Every cell, as the evidence names it: one CPU first, sizes ascending.
pub const CELLS: [(Placement, &str); 8] = [
    (Placement::OneCpu, "4 KiB"),
    (Placement::OneCpu, "64 KiB"),
    (Placement::OneCpu, "1 MiB"),
    (Placement::OneCpu, "16 MiB"),
    (Placement::TwoCpus, "4 KiB"),
    (Placement::TwoCpus, "64 KiB"),
    (Placement::TwoCpus, "1 MiB"),
    (Placement::TwoCpus, "16 MiB"),
];

/// The figure of `stat` for `metric` in the cell `size, placement`.
pub fn figure(metric: &str, size: &str, placement: Placement, stat: &str) -> String {
    format!("{metric}, sendfile ÷ loop, {size}, {}: {stat}", placement.label())
}

/// The inputs a rule reads: for each `SCOPE "metric"` (SCOPE is `all`,
/// `one` or `two`: every cell, the one-CPU cells, the two-CPU cells), the
/// three figures of each cell. The metric is a literal, one of the four
/// above.
macro_rules! grid_inputs {
    (@acc [$($out:tt)*]) => { &[$($out)*] };
    (@acc [$($out:tt)*] all $m:literal $(, $($rest:tt)*)?) => {
        $crate::zero_copy::checks::grid::grid_inputs!(@acc [$($out)*] one $m, two $m $(, $($rest)*)?)
    };
    (@acc [$($out:tt)*] one $m:literal $(, $($rest:tt)*)?) => {
        $crate::zero_copy::checks::grid::grid_inputs!(@acc [$($out)*
            concat!($m, ", sendfile ÷ loop, 4 KiB, one CPU: first quartile"),
            concat!($m, ", sendfile ÷ loop, 4 KiB, one CPU: median"),
            concat!($m, ", sendfile ÷ loop, 4 KiB, one CPU: third quartile"),
            concat!($m, ", sendfile ÷ loop, 64 KiB, one CPU: first quartile"),
            concat!($m, ", sendfile ÷ loop, 64 KiB, one CPU: median"),
            concat!($m, ", sendfile ÷ loop, 64 KiB, one CPU: third quartile"),
            concat!($m, ", sendfile ÷ loop, 1 MiB, one CPU: first quartile"),
            concat!($m, ", sendfile ÷ loop, 1 MiB, one CPU: median"),
            concat!($m, ", sendfile ÷ loop, 1 MiB, one CPU: third quartile"),
            concat!($m, ", sendfile ÷ loop, 16 MiB, one CPU: first quartile"),
            concat!($m, ", sendfile ÷ loop, 16 MiB, one CPU: median"),
            concat!($m, ", sendfile ÷ loop, 16 MiB, one CPU: third quartile"),
        ] $($($rest)*)?)
    };
    (@acc [$($out:tt)*] two $m:literal $(, $($rest:tt)*)?) => {
        $crate::zero_copy::checks::grid::grid_inputs!(@acc [$($out)*
            concat!($m, ", sendfile ÷ loop, 4 KiB, two CPUs: first quartile"),
            concat!($m, ", sendfile ÷ loop, 4 KiB, two CPUs: median"),
            concat!($m, ", sendfile ÷ loop, 4 KiB, two CPUs: third quartile"),
            concat!($m, ", sendfile ÷ loop, 64 KiB, two CPUs: first quartile"),
            concat!($m, ", sendfile ÷ loop, 64 KiB, two CPUs: median"),
            concat!($m, ", sendfile ÷ loop, 64 KiB, two CPUs: third quartile"),
            concat!($m, ", sendfile ÷ loop, 1 MiB, two CPUs: first quartile"),
            concat!($m, ", sendfile ÷ loop, 1 MiB, two CPUs: median"),
            concat!($m, ", sendfile ÷ loop, 1 MiB, two CPUs: third quartile"),
            concat!($m, ", sendfile ÷ loop, 16 MiB, two CPUs: first quartile"),
            concat!($m, ", sendfile ÷ loop, 16 MiB, two CPUs: median"),
            concat!($m, ", sendfile ÷ loop, 16 MiB, two CPUs: third quartile"),
        ] $($($rest)*)?)
    };
    ($($t:tt)*) => { $crate::zero_copy::checks::grid::grid_inputs!(@acc [] $($t)*) };
}
pub(crate) use grid_inputs;

/// An example's figures: for each `SCOPE "metric": [CELLS]`, one
/// `(q1, median, q3)` per cell of the scope, in [`CELLS`] order (`all`
/// takes the four one-CPU cells, a `;`, then the four two-CPU cells).
macro_rules! grid {
    (@acc [$($out:tt)*]) => { &[$($out)*] };
    (@acc [$($out:tt)*] all $m:literal: [$a:expr, $b:expr, $c:expr, $d:expr; $e:expr, $f:expr, $g:expr, $h:expr] $(, $($rest:tt)*)?) => {
        $crate::zero_copy::checks::grid::grid!(@acc [$($out)*] one $m: [$a, $b, $c, $d], two $m: [$e, $f, $g, $h] $(, $($rest)*)?)
    };
    (@acc [$($out:tt)*] one $m:literal: [$c0:expr, $c1:expr, $c2:expr, $c3:expr] $(, $($rest:tt)*)?) => {
        $crate::zero_copy::checks::grid::grid!(@acc [$($out)*
            (concat!($m, ", sendfile ÷ loop, 4 KiB, one CPU: first quartile"), $c0.0),
            (concat!($m, ", sendfile ÷ loop, 4 KiB, one CPU: median"), $c0.1),
            (concat!($m, ", sendfile ÷ loop, 4 KiB, one CPU: third quartile"), $c0.2),
            (concat!($m, ", sendfile ÷ loop, 64 KiB, one CPU: first quartile"), $c1.0),
            (concat!($m, ", sendfile ÷ loop, 64 KiB, one CPU: median"), $c1.1),
            (concat!($m, ", sendfile ÷ loop, 64 KiB, one CPU: third quartile"), $c1.2),
            (concat!($m, ", sendfile ÷ loop, 1 MiB, one CPU: first quartile"), $c2.0),
            (concat!($m, ", sendfile ÷ loop, 1 MiB, one CPU: median"), $c2.1),
            (concat!($m, ", sendfile ÷ loop, 1 MiB, one CPU: third quartile"), $c2.2),
            (concat!($m, ", sendfile ÷ loop, 16 MiB, one CPU: first quartile"), $c3.0),
            (concat!($m, ", sendfile ÷ loop, 16 MiB, one CPU: median"), $c3.1),
            (concat!($m, ", sendfile ÷ loop, 16 MiB, one CPU: third quartile"), $c3.2),
        ] $($($rest)*)?)
    };
    (@acc [$($out:tt)*] two $m:literal: [$c0:expr, $c1:expr, $c2:expr, $c3:expr] $(, $($rest:tt)*)?) => {
        $crate::zero_copy::checks::grid::grid!(@acc [$($out)*
            (concat!($m, ", sendfile ÷ loop, 4 KiB, two CPUs: first quartile"), $c0.0),
            (concat!($m, ", sendfile ÷ loop, 4 KiB, two CPUs: median"), $c0.1),
            (concat!($m, ", sendfile ÷ loop, 4 KiB, two CPUs: third quartile"), $c0.2),
            (concat!($m, ", sendfile ÷ loop, 64 KiB, two CPUs: first quartile"), $c1.0),
            (concat!($m, ", sendfile ÷ loop, 64 KiB, two CPUs: median"), $c1.1),
            (concat!($m, ", sendfile ÷ loop, 64 KiB, two CPUs: third quartile"), $c1.2),
            (concat!($m, ", sendfile ÷ loop, 1 MiB, two CPUs: first quartile"), $c2.0),
            (concat!($m, ", sendfile ÷ loop, 1 MiB, two CPUs: median"), $c2.1),
            (concat!($m, ", sendfile ÷ loop, 1 MiB, two CPUs: third quartile"), $c2.2),
            (concat!($m, ", sendfile ÷ loop, 16 MiB, two CPUs: first quartile"), $c3.0),
            (concat!($m, ", sendfile ÷ loop, 16 MiB, two CPUs: median"), $c3.1),
            (concat!($m, ", sendfile ÷ loop, 16 MiB, two CPUs: third quartile"), $c3.2),
        ] $($($rest)*)?)
    };
    ($($t:tt)*) => { $crate::zero_copy::checks::grid::grid!(@acc [] $($t)*) };
}
pub(crate) use grid;

/// Example values: a steady rise (+80%), a steady fall (−50%), no
/// difference, and a rise the rounds disagree on.
pub const UP: (f64, f64, f64) = (1.7, 1.8, 1.9);
/// A steady fall, to half.
pub const DOWN: (f64, f64, f64) = (0.45, 0.5, 0.55);
/// No difference.
pub const FLAT: (f64, f64, f64) = (0.98, 1.0, 1.02);
/// A median rise that the rounds do not agree on (the interquartile range
/// contains 1).
pub const NOISY: (f64, f64, f64) = (0.9, 1.2, 1.5);

/// One cell's per-round ratios, as a rule read them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ratio {
    /// Where the threads ran.
    pub placement: Placement,
    /// Position of the size in [`CELLS`]' sizes (0 = 4 KiB … 3 = 16 MiB).
    pub index: usize,
    /// `4 KiB` … `16 MiB`.
    pub size: &'static str,
    /// The metric.
    pub metric: &'static str,
    /// The ratios' distribution.
    pub paired: Paired,
}

impl Ratio {
    /// The direction of the change, beyond the noise band and `min_effect`.
    pub fn effect(&self, min_effect: f64) -> Effect {
        self.paired.effect_beyond(min_effect)
    }

    /// The median's figure name (what "holds only when" cites).
    pub fn median_name(&self) -> String {
        figure(self.metric, self.size, self.placement, "median")
    }
}

/// The measured cells of `metric` in `placement`, in size order. A cell the
/// evidence lacks (the two-CPU placement on a machine with one CPU) is left
/// out; a cell with a median but no quartile is an error of the rule.
pub fn read(f: &Facts<'_>, metric: &'static str, placement: Placement) -> Vec<Ratio> {
    let mut out = Vec::new();
    for (index, &(p, size)) in CELLS.iter().filter(|(p, _)| *p == placement).enumerate() {
        let median = figure(metric, size, p, "median");
        if !f.has(&median) {
            continue;
        }
        let paired = Paired {
            n: 0,
            q1: f.get(&figure(metric, size, p, "first quartile")),
            median: f.get(&median),
            q3: f.get(&figure(metric, size, p, "third quartile")),
        };
        out.push(Ratio { placement, index, size, metric, paired });
    }
    out
}

/// Both placements' cells of `metric`.
pub fn read_all(f: &Facts<'_>, metric: &'static str) -> Vec<Ratio> {
    let mut v = read(f, metric, Placement::OneCpu);
    v.extend(read(f, metric, Placement::TwoCpus));
    v
}

/// The cells of `cells` whose change is `effect`.
pub fn with(cells: &[Ratio], effect: Effect, min_effect: f64) -> Vec<Ratio> {
    cells.iter().copied().filter(|c| c.effect(min_effect) == effect).collect()
}

/// `1.23` → `+23%`, `0.8` → `−20%`.
pub fn change(ratio: f64) -> String {
    let pct = (ratio - 1.0) * 100.0;
    if pct >= 0.0 { format!("+{pct:.0}%") } else { format!("−{:.0}%", -pct) }
}

/// `−14% to −59%` (or one figure) for the medians of `cells`, the change
/// nearest to none first.
pub fn span(cells: &[Ratio]) -> String {
    let mut v: Vec<f64> = cells.iter().map(|c| c.paired.median).collect();
    v.sort_by(|a, b| a.ln().abs().total_cmp(&b.ln().abs()));
    match (v.first(), v.last()) {
        (Some(&near), Some(&far)) if (far - near).abs() >= 0.005 => {
            format!("{} to {}", change(near), change(far))
        }
        (Some(&one), _) => change(one),
        _ => String::new(),
    }
}

/// `64 KiB–16 MiB`, `4 KiB and 16 MiB`: runs of neighbouring sizes become
/// ranges.
pub fn sizes_text(cells: &[Ratio]) -> String {
    let mut idx: Vec<usize> = cells.iter().map(|c| c.index).collect();
    idx.sort_unstable();
    idx.dedup();
    let name = |i: usize| CELLS[i].1;
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for i in idx {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == i => *last = i,
            _ => runs.push((i, i)),
        }
    }
    let names: Vec<String> = runs
        .iter()
        .map(|&(a, b)| {
            if a == b {
                name(a).to_string()
            } else {
                format!("{}–{}", name(a), name(b))
            }
        })
        .collect();
    match names.as_slice() {
        [] => "no size".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Where `cells` are: `64 KiB–1 MiB on one CPU and 16 MiB on two CPUs`, or
/// `4 KiB on either placement` when both placements have the same sizes.
pub fn cells_text(cells: &[Ratio]) -> String {
    let of = |p: Placement| -> Vec<Ratio> {
        cells.iter().copied().filter(|c| c.placement == p).collect()
    };
    let (one, two) = (of(Placement::OneCpu), of(Placement::TwoCpus));
    let idx = |v: &[Ratio]| v.iter().map(|c| c.index).collect::<Vec<_>>();
    if !one.is_empty() && idx(&one) == idx(&two) {
        return format!("{} on either placement", sizes_text(&one));
    }
    let mut parts = Vec::new();
    for (p, v) in [(Placement::OneCpu, one), (Placement::TwoCpus, two)] {
        if !v.is_empty() {
            parts.push(format!("{} on {}", sizes_text(&v), p.label()));
        }
    }
    parts.join(" and ")
}

/// `fell at A (−x% to −y%); rose at B (+z%); no measurable difference at
/// C`, leaving out the empty parts. `place` says where cells are.
pub fn outcome(
    cells: &[Ratio],
    min_effect: f64,
    up: &str,
    down: &str,
    place: fn(&[Ratio]) -> String,
) -> String {
    let mut parts = Vec::new();
    for (effect, word) in [(Effect::Lower, down), (Effect::Higher, up)] {
        let these = with(cells, effect, min_effect);
        if !these.is_empty() {
            parts.push(format!("{word} at {} ({})", place(&these), span(&these)));
        }
    }
    let within = with(cells, Effect::Within, min_effect);
    if !within.is_empty() {
        parts.push(format!("no measurable difference at {}", place(&within)));
    }
    parts.join("; ")
}
