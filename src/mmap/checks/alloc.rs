//! What allocating a large buffer costs, and when (seed 004 L5-35, L144).

use super::{LAZY_MIN, evidence, flag, nanos, per_2mib};
use crate::claims::{
    CheckError, Ctx, Measured, Outcome::*, Rule, Threshold, Unit, Verdict, example,
};
use crate::mmap::figures::{self, MIB};
use crate::mmap::sizes::{SEED_BEFORE_MS, SEED_SIZES, Strategy};
use crate::table::{format_bytes, format_nanos};

fn size(n: usize) -> String {
    format_bytes(n as f64)
}

/// C004-01: "a 1 GB buffer takes 1595 ms" (seed 004 L5-8). Measures
/// `vec![0u8; 1 GiB]`: the allocation alone, and with the first write to
/// every page.
pub fn c004_01_gib_allocation(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::gib_zeroed(ctx)?;
    let mut ev = evidence(ctx, "vec![0u8; 1 GiB]; first touch = one write per page");
    let alloc = ev.add("largest: allocation", nanos(c.alloc), Unit::Nanos);
    let total =
        ev.add("largest: allocation + first touch", nanos(c.total()), Unit::Nanos);
    ev.add("faults during the allocation", c.alloc_faults as f64, Unit::Count);
    ev.add("faults during the first touch", c.touch_faults as f64, Unit::Count);
    ev.add("seed: make([]byte, 1 GB)", 1595e6, Unit::Nanos);
    let summary = format!(
        "vec![0u8; 1 GiB] allocates in {} ({} faults; seed: 1595 ms); with the first write \
         to every page it takes {} ({} faults)",
        format_nanos(alloc),
        c.alloc_faults,
        format_nanos(total),
        c.touch_faults
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when the allocation alone misses the seed's own 50 ms target;
/// refuted when even allocation + first touch meets it; in between, the
/// claim holds only when the first touch is counted.
pub const C004_01: Rule = Rule {
    says: "confirmed when allocating 1 GiB alone takes max_alloc or more; refuted when \
           allocation + first touch stays under max_alloc; otherwise holds only when the \
           first touch is counted",
    inputs: &["largest: allocation", "largest: allocation + first touch"],
    thresholds: &[Threshold {
        name: "max_alloc",
        value: 50e6,
        unit: Unit::Nanos,
        source: "the seed's own target for 1 GB, under 50 ms (seed 004 L5-8)",
    }],
    decide: |f| {
        let (alloc, total) =
            (f.get("largest: allocation"), f.get("largest: allocation + first touch"));
        if alloc >= f.limit("max_alloc") {
            Verdict::Confirmed
        } else if total < f.limit("max_alloc") {
            Verdict::Refuted
        } else {
            f.holds_only_when(
                "the first write to every page is counted: allocating takes microseconds, \
                 the page faults come at first touch",
                "largest: allocation + first touch",
                "largest: allocation",
            )
        }
    },
    examples: &[
        example(
            &[
                ("largest: allocation", 1.6e9),
                ("largest: allocation + first touch", 1.7e9),
            ],
            Confirmed,
        ),
        example(
            &[("largest: allocation", 2e4), ("largest: allocation + first touch", 3e7)],
            Refuted,
        ),
        example(
            &[("largest: allocation", 2e4), ("largest: allocation + first touch", 4e8)],
            HoldsOnlyWhen,
        ),
    ],
};

/// C004-02: "make zero-fills every byte at once" (seed 004 L14-18). In a
/// fresh child process: `vec![0u8; n]` → touch → free, four turns at 16 MiB
/// (glibc recycles its chunk from the third turn) and at 64 MiB (above
/// glibc's 32 MiB threshold ceiling: a fresh mapping every turn).
pub fn c004_02_zero_fill_at_allocation(ctx: &Ctx) -> Result<Measured, CheckError> {
    let turns = figures::recycle(ctx)?;
    let mut ev = evidence(
        ctx,
        "fresh child process (glibc's mmap threshold at its default); 4 turns of \
         vec![0u8; n] → touch every page → free, at 16 MiB and 64 MiB",
    );
    for t in turns {
        let name = format!("{} turn {}", size(t.size), t.iteration);
        ev.add(format!("{name}: allocation"), t.alloc_ns, Unit::Nanos);
        ev.add(format!("{name}: touch faults"), t.touch_faults as f64, Unit::Count);
        ev.add(format!("{name}: own mapping"), flag(t.own_mapping), Unit::Bool);
    }
    let per = |t: &&crate::mmap::recycle::Turn| per_2mib(t.touch_faults, t.size);
    let fresh = turns
        .iter()
        .filter(|t| t.size > 32 * MIB || t.iteration == 0)
        .map(|t| per(&t))
        .fold(f64::INFINITY, f64::min);
    let recycled = turns
        .iter()
        .filter(|t| t.size <= 32 * MIB && t.iteration >= 2)
        .map(|t| per(&t))
        .fold(0.0, f64::max);
    ev.add("fresh buffers: fewest touch faults per 2 MiB", fresh, Unit::Count);
    ev.add("recycled heap chunks: most touch faults per 2 MiB", recycled, Unit::Count);
    let small: Vec<_> = turns.iter().filter(|t| t.size <= 32 * MIB).collect();
    let summary = format!(
        "16 MiB turn 0: {} touch faults after a {} allocation; turns 2-3: {} and {} touch \
         faults after {} and {} (memset at allocation); 64 MiB: a fresh lazy mapping every \
         turn",
        small[0].touch_faults,
        format_nanos(small[0].alloc_ns),
        small[2].touch_faults,
        small[3].touch_faults,
        format_nanos(small[2].alloc_ns),
        format_nanos(small[3].alloc_ns),
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when even a fresh buffer is zeroed at allocation (its touch
/// finds every page present); holds only when the buffer is a recycled heap
/// chunk when only those are; refuted when nothing is zeroed at allocation.
pub const C004_02: Rule = Rule {
    says: "confirmed when fresh buffers take fewer than lazy_min touch faults per 2 MiB \
           (zeroed at allocation); holds only when recycled when only recycled heap chunks \
           do; refuted otherwise",
    inputs: &[
        "fresh buffers: fewest touch faults per 2 MiB",
        "recycled heap chunks: most touch faults per 2 MiB",
    ],
    thresholds: &[LAZY_MIN],
    decide: |f| {
        let fresh = f.get("fresh buffers: fewest touch faults per 2 MiB");
        let recycled = f.get("recycled heap chunks: most touch faults per 2 MiB");
        if fresh < f.limit("lazy_min") {
            Verdict::Confirmed
        } else if recycled < f.limit("lazy_min") {
            f.holds_only_when(
                "the buffer is a recycled heap chunk: after a free raised glibc's dynamic \
                 mmap threshold, a request of up to 32 MiB comes from the heap and calloc \
                 memsets it. Fresh memory (every first allocation, and any size above \
                 32 MiB) is zeroed by the kernel at first touch",
                "recycled heap chunks: most touch faults per 2 MiB",
                "fresh buffers: fewest touch faults per 2 MiB",
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(
            &[
                ("fresh buffers: fewest touch faults per 2 MiB", 0.0),
                ("recycled heap chunks: most touch faults per 2 MiB", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("fresh buffers: fewest touch faults per 2 MiB", 511.9),
                ("recycled heap chunks: most touch faults per 2 MiB", 0.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("fresh buffers: fewest touch faults per 2 MiB", 1.0),
                ("recycled heap chunks: most touch faults per 2 MiB", 512.0),
            ],
            Refuted,
        ),
    ],
};

/// C004-03: "slow because the CPU has to write 1 GB" (seed 004 L21). Reads
/// the faults of the three `Vec` strategies' allocations at the size table's
/// largest size: writing fresh memory faults every page in.
pub fn c004_03_cpu_writes_the_buffer(ctx: &Ctx) -> Result<Measured, CheckError> {
    let n = figures::largest_size(ctx)?;
    let mut ev = evidence(ctx, &format!("{}, allocation only (size table)", size(n)));
    let mut parts = Vec::new();
    for s in [Strategy::VecZeroed, Strategy::VecOnes, Strategy::WithCapacityResize] {
        let c = figures::cost(ctx, s, n)?;
        ev.add(format!("{}: allocation", s.label()), nanos(c.alloc), Unit::Nanos);
        ev.add(
            format!("{}: faults during allocation per 2 MiB", s.label()),
            per_2mib(c.alloc_faults, n),
            Unit::Count,
        );
        parts.push(format!(
            "{} {} with {} faults",
            s.label(),
            format_nanos(nanos(c.alloc)),
            c.alloc_faults
        ));
    }
    Ok(Measured::new(ev, format!("{}: {}", size(n), parts.join("; "))))
}

/// Confirmed when `vec![0u8; n]` itself writes its pages at allocation;
/// holds only when the buffer is filled eagerly when only `vec![1u8; n]`
/// does; refuted when neither does.
pub const C004_03: Rule = Rule {
    says: "confirmed when vec![0u8; n] faults at least lazy_min times per 2 MiB while \
           allocating; holds only when filled eagerly when only vec![1u8; n] does; refuted \
           otherwise",
    inputs: &[
        "vec![0u8; n]: faults during allocation per 2 MiB",
        "vec![1u8; n]: faults during allocation per 2 MiB",
    ],
    thresholds: &[LAZY_MIN],
    decide: |f| {
        let zeroed = f.get("vec![0u8; n]: faults during allocation per 2 MiB");
        let ones = f.get("vec![1u8; n]: faults during allocation per 2 MiB");
        if zeroed >= f.limit("lazy_min") {
            Verdict::Confirmed
        } else if ones >= f.limit("lazy_min") {
            f.holds_only_when(
                "the buffer is filled at allocation: vec![1u8; n], or a recycled heap chunk \
                 (C004-02). vec![0u8; n] writes nothing until first touch",
                "vec![1u8; n]: faults during allocation per 2 MiB",
                "vec![0u8; n]: faults during allocation per 2 MiB",
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(
            &[
                ("vec![0u8; n]: faults during allocation per 2 MiB", 512.0),
                ("vec![1u8; n]: faults during allocation per 2 MiB", 512.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("vec![0u8; n]: faults during allocation per 2 MiB", 0.002),
                ("vec![1u8; n]: faults during allocation per 2 MiB", 512.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("vec![0u8; n]: faults during allocation per 2 MiB", 0.0),
                ("vec![1u8; n]: faults during allocation per 2 MiB", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// C004-04: "slow because it triggers many page allocations" (seed 004
/// L22). `vec![0u8; 1 GiB]`: faults at allocation and at first touch.
pub fn c004_04_page_allocations(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::gib_zeroed(ctx)?;
    let mut ev = evidence(ctx, "vec![0u8; 1 GiB], one write per page");
    let all = c.alloc_faults + c.touch_faults;
    ev.add("faults during allocation", c.alloc_faults as f64, Unit::Count);
    ev.add("faults during first touch", c.touch_faults as f64, Unit::Count);
    ev.add(
        "faults per 2 MiB, allocation + first touch",
        per_2mib(all, c.size),
        Unit::Count,
    );
    let pages = c.size / crate::measure::machine::page_size() as usize;
    let per_page =
        ev.add("first touch per page", nanos(c.touch) / pages as f64, Unit::Nanos);
    let summary = format!(
        "1 GiB: {all} faults, {} of them at first touch and {} at allocation ({} per page)",
        c.touch_faults,
        c.alloc_faults,
        format_nanos(per_page)
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when the buffer's pages are faulted in one by one (at
/// allocation or at first touch); refuted when they are not.
pub const C004_04: Rule = Rule {
    says: "confirmed when allocation + first touch take at least lazy_min faults per 2 MiB; \
           refuted otherwise",
    inputs: &["faults per 2 MiB, allocation + first touch"],
    thresholds: &[LAZY_MIN],
    decide: |f| {
        f.confirmed_if(
            f.get("faults per 2 MiB, allocation + first touch") >= f.limit("lazy_min"),
        )
    },
    examples: &[
        example(&[("faults per 2 MiB, allocation + first touch", 512.0)], Confirmed),
        example(&[("faults per 2 MiB, allocation + first touch", 1.0)], Confirmed),
        example(&[("faults per 2 MiB, allocation + first touch", 0.0)], Refuted),
    ],
};

/// C004-06: "slow because of cache eviction and memory bandwidth" (seed 004
/// L24). A lazy `vec![0u8; n]` writes nothing; an eager `vec![1u8; n]`
/// writes every byte, and a second fill of the same, resident memory is
/// that bandwidth alone.
pub fn c004_06_memory_bandwidth(ctx: &Ctx) -> Result<Measured, CheckError> {
    let b = figures::bandwidth(ctx)?;
    let n = b.size;
    let mut ev = evidence(
        ctx,
        &format!("{}; refill = fill(2) of the same, resident buffer", size(n)),
    );
    ev.add("vec![0u8; n]: allocation", nanos(b.lazy_alloc), Unit::Nanos);
    ev.add(
        "vec![0u8; n]: faults during allocation per 2 MiB",
        per_2mib(b.lazy_alloc_faults, n),
        Unit::Count,
    );
    ev.add("vec![1u8; n]: first fill", nanos(b.first_fill), Unit::Nanos);
    ev.add(
        "vec![1u8; n]: faults during the fill",
        b.first_fill_faults as f64,
        Unit::Count,
    );
    ev.add("refill of the same memory", nanos(b.refill), Unit::Nanos);
    ev.add("first fill", n as f64 / b.first_fill.as_secs_f64(), Unit::BytesPerSec);
    ev.add("refill", n as f64 / b.refill.as_secs_f64(), Unit::BytesPerSec);
    let share = ev.add(
        "refill time / first-fill time",
        nanos(b.refill) / nanos(b.first_fill),
        Unit::Fraction,
    );
    let summary = format!(
        "{}: a lazy vec![0u8; n] writes nothing ({} faults); the eager first fill takes {}, \
         a refill of the same resident pages {} ({:.0}% of it)",
        size(n),
        b.lazy_alloc_faults,
        format_nanos(nanos(b.first_fill)),
        format_nanos(nanos(b.refill)),
        share * 100.0
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when even `vec![0u8; n]` writes memory at allocation; holds
/// only when memory is written eagerly when the bandwidth part of an eager
/// fill is at least `min_share` of it; refuted otherwise.
pub const C004_06: Rule = Rule {
    says: "confirmed when vec![0u8; n] faults at least lazy_min times per 2 MiB while \
           allocating; holds only when written eagerly when an eager fill's refill takes at \
           least min_share of its first fill; refuted otherwise",
    inputs: &[
        "vec![0u8; n]: faults during allocation per 2 MiB",
        "refill time / first-fill time",
    ],
    thresholds: &[
        LAZY_MIN,
        Threshold {
            name: "min_share",
            value: 0.05,
            unit: Unit::Fraction,
            source: "convention: a twentieth of the time makes bandwidth a cause worth \
                     naming (the share shrinks while other work slows the page faults)",
        },
    ],
    decide: |f| {
        let lazy = f.get("vec![0u8; n]: faults during allocation per 2 MiB");
        if lazy >= f.limit("lazy_min") {
            Verdict::Confirmed
        } else if f.get("refill time / first-fill time") >= f.limit("min_share") {
            f.holds_only_when(
                "memory is written eagerly (vec![1u8; n], a recycled chunk), and even then \
                 page faults are most of the cost: the refill of the same pages, bandwidth \
                 alone, takes a fraction of the first fill",
                "refill time / first-fill time",
                "vec![0u8; n]: faults during allocation per 2 MiB",
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(
            &[
                ("vec![0u8; n]: faults during allocation per 2 MiB", 512.0),
                ("refill time / first-fill time", 0.3),
            ],
            Confirmed,
        ),
        example(
            &[
                ("vec![0u8; n]: faults during allocation per 2 MiB", 0.0),
                ("refill time / first-fill time", 0.25),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("vec![0u8; n]: faults during allocation per 2 MiB", 0.0),
                ("refill time / first-fill time", 0.02),
            ],
            Refuted,
        ),
    ],
};

/// C004-07: the seed's "before" timings, 3 ms at 1 MB … 1595 ms at 1 GB
/// (seed 004 L27-35). Every `vec![0u8; n]` row of the size table, against
/// the seed's figure for its size, in two groups: fresh buffers (a mapping
/// of glibc's own, or fresh heap) and recycled heap chunks, which calloc
/// memsets (their first touch finds every page present).
pub fn c004_07_seed_timings(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = evidence(ctx, "vec![0u8; n] rows of the size table");
    // (largest allocation / seed time, slowest allocation, sizes) per group.
    let mut fresh = (0.0, 0.0, Vec::new());
    let mut recycled: (Option<f64>, f64, Vec<String>) = (None, 0.0, Vec::new());
    for (n, seed_ms) in SEED_SIZES.iter().zip(SEED_BEFORE_MS) {
        let Ok(c) = figures::cost(ctx, Strategy::VecZeroed, *n) else { continue };
        let name = size(*n);
        let is_recycled = !c.own_mapping && per_2mib(c.touch_faults, *n) < LAZY_MIN.value;
        ev.add(format!("{name}: seed"), seed_ms * 1e6, Unit::Nanos);
        let alloc = ev.add(format!("{name}: allocation"), nanos(c.alloc), Unit::Nanos);
        ev.add(format!("{name}: first touch"), nanos(c.touch), Unit::Nanos);
        ev.add(format!("{name}: recycled heap chunk"), flag(is_recycled), Unit::Bool);
        let share = alloc / (seed_ms * 1e6);
        if is_recycled {
            recycled.0 = Some(recycled.0.unwrap_or(0.0).max(share));
            recycled.1 = f64::max(recycled.1, alloc);
            recycled.2.push(name);
        } else {
            fresh.0 = f64::max(fresh.0, share);
            fresh.1 = f64::max(fresh.1, alloc);
            fresh.2.push(name);
        }
    }
    ev.add("fresh buffers: largest allocation / seed time", fresh.0, Unit::Ratio);
    if let Some(r) = recycled.0 {
        ev.add("recycled heap chunks: largest allocation / seed time", r, Unit::Ratio);
    }
    let recycled_text = if recycled.2.is_empty() {
        "no row came from a recycled heap chunk".to_string()
    } else {
        format!(
            "recycled heap chunks ({}), memset at allocation, in up to {}",
            recycled.2.join(", "),
            format_nanos(recycled.1)
        )
    };
    let summary = format!(
        "fresh buffers ({}) allocate in at most {} (seed: 3 ms at 1 MB to 1595 ms at 1 GB); \
         {recycled_text}",
        fresh.2.join(", "),
        format_nanos(fresh.1)
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when fresh buffers take the same order of time as the seed's
/// figures; holds only when recycled when only recycled heap chunks do;
/// refuted otherwise.
pub const C004_07: Rule = Rule {
    says: "confirmed when some fresh vec![0u8; n] allocation takes at least same_order of \
           the seed's time for its size; holds only when recycled when only recycled heap \
           chunks do; refuted otherwise",
    inputs: &[
        "fresh buffers: largest allocation / seed time",
        "recycled heap chunks: largest allocation / seed time",
    ],
    thresholds: &[Threshold {
        name: "same_order",
        value: 0.1,
        unit: Unit::Ratio,
        source: "convention: within a factor of ten of the seed's figure is the same order \
                 of magnitude",
    }],
    decide: |f| {
        let order = f.limit("same_order");
        if f.get("fresh buffers: largest allocation / seed time") >= order {
            Verdict::Confirmed
        } else if f.has("recycled heap chunks: largest allocation / seed time")
            && f.get("recycled heap chunks: largest allocation / seed time") >= order
        {
            f.holds_only_when(
                "the buffer is a recycled heap chunk (32 MiB or less), which calloc memsets \
                 at allocation; fresh buffers, and every size above 32 MiB, allocate in \
                 microseconds",
                "recycled heap chunks: largest allocation / seed time",
                "fresh buffers: largest allocation / seed time",
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(&[("fresh buffers: largest allocation / seed time", 0.9)], Confirmed),
        example(
            &[
                ("fresh buffers: largest allocation / seed time", 1e-5),
                ("recycled heap chunks: largest allocation / seed time", 0.17),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("fresh buffers: largest allocation / seed time", 1e-5),
                ("recycled heap chunks: largest allocation / seed time", 0.02),
            ],
            Refuted,
        ),
        example(&[("fresh buffers: largest allocation / seed time", 1e-5)], Refuted),
    ],
};

/// C004-17: "every buffer above 10 MB now allocates in under 1 ms" (seed
/// 004 L144). The slowest allocation above 10 MiB in the size table,
/// `vec![0u8; n]` and `mmap` alike.
pub fn c004_17_under_1_ms(ctx: &Ctx) -> Result<Measured, CheckError> {
    let mut ev = evidence(ctx, "sizes above 10 MB in the size table, allocation only");
    let mut worst: f64 = 0.0;
    for c in figures::sizes(ctx)?.iter().filter(|c| c.size > 10 * MIB) {
        if matches!(c.strategy, Strategy::VecZeroed | Strategy::Mmap) {
            let v = ev.add(
                format!("{} {}: allocation", size(c.size), c.strategy.label()),
                nanos(c.alloc),
                Unit::Nanos,
            );
            worst = worst.max(v);
        }
    }
    ev.add("slowest allocation above 10 MB", worst, Unit::Nanos);
    let g = figures::gib_zeroed(ctx)?;
    ev.add("1 GiB vec![0u8; n]: allocation + first touch", nanos(g.total()), Unit::Nanos);
    let summary = format!(
        "the slowest allocation above 10 MB takes {}, vec or mmap alike; it says nothing of \
         the total ({} for 1 GiB once touched)",
        format_nanos(worst),
        format_nanos(nanos(g.total()))
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when every allocation above 10 MB takes under the seed's 1 ms.
pub const C004_17: Rule = Rule {
    says: "confirmed when the slowest allocation above 10 MB takes less than seed_limit; \
           refuted otherwise",
    inputs: &["slowest allocation above 10 MB"],
    thresholds: &[Threshold {
        name: "seed_limit",
        value: 1e6,
        unit: Unit::Nanos,
        source: "the seed's claim, under 1 ms (seed 004 L144)",
    }],
    decide: |f| {
        f.confirmed_if(f.get("slowest allocation above 10 MB") < f.limit("seed_limit"))
    },
    examples: &[
        example(&[("slowest allocation above 10 MB", 2e4)], Confirmed),
        example(&[("slowest allocation above 10 MB", 3e6)], Refuted),
    ],
};
