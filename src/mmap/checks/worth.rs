//! Checks about when an explicit mapping is worth it (seed 004 L101-111,
//! L289-315): against `Vec`, at the seed's sizes, for short-lived buffers,
//! and for what only a mapping can do.

use super::alloc::{SweepRow, sweep};
use super::{MIB, evidence, nanos, pages, size};
use crate::claims::{CheckError, Ctx, Finding, Unit, Verdict};
use crate::measure::stats;
use crate::mmap::recycle;
use crate::mmap::sizes::{self, Strategy};
use std::time::Duration;

fn ms(d: Duration) -> f64 {
    d.as_nanos() as f64
}

/// Allocation + first touch, vec against mmap, over some sweep rows.
struct Totals {
    /// (min, max) of vec/mmap time where glibc mapped the vec itself.
    own: Option<(f64, f64)>,
    /// The same where glibc served the vec from its heap.
    heap: Option<(f64, f64)>,
    /// Some row where the mmap path took fewer page faults than the vec path
    /// (did less work).
    mmap_saves_faults: bool,
}

/// Records allocation + first touch, vec and mmap, for `rows`.
fn totals(rows: &[&SweepRow], ev: &mut crate::claims::Evidence) -> Totals {
    let mut own: Vec<f64> = vec![];
    let mut heap: Vec<f64> = vec![];
    let mut mmap_saves_faults = false;
    for r in rows {
        let (Some(v), Some(m), Some(ratio)) =
            (r.touched, r.mmap_touched, r.total_ratio())
        else {
            continue;
        };
        let name = size(r.size);
        let from = if r.vec_own_mapping { "own mmap" } else { "heap, recycled" };
        let vf = v.alloc_faults + v.touch_faults;
        let mf = m.alloc_faults + m.touch_faults;
        ev.add(format!("{name}: vec alloc+touch ({from})"), ms(v.total()), Unit::Nanos);
        ev.add(format!("{name}: mmap alloc+touch"), ms(m.total()), Unit::Nanos);
        ev.add(format!("{name}: vec / mmap"), ratio, Unit::Ratio);
        ev.add(format!("{name}: vec faults"), vf as f64, Unit::Count);
        ev.add(format!("{name}: mmap faults"), mf as f64, Unit::Count);
        mmap_saves_faults |= mf + 16 < vf;
        if r.vec_own_mapping { own.push(ratio) } else { heap.push(ratio) }
    }
    let range = |x: &[f64]| Some((stats::min(x)?, stats::max(x)?));
    Totals { own: range(&own), heap: range(&heap), mmap_saves_faults }
}

fn range_text(r: Option<(f64, f64)>) -> String {
    match r {
        None => "n/a".into(),
        Some((a, b)) if format!("{a:.2}") == format!("{b:.2}") => format!("{a:.2}×"),
        Some((a, b)) => format!("{a:.2}–{b:.2}×"),
    }
}

/// C004-15: above 10 MB use mmap, below use `make` (seed 004 L101-111, L301-315).
pub fn c004_15(ctx: &Ctx) -> Result<Finding, CheckError> {
    let s = sweep(ctx)?;
    let v = vec![0u8; 64 * MIB];
    let own = crate::mmap::sizes::glibc_chunk_is_mmapped(v.as_ptr());
    drop(v);
    let mut ev = evidence(
        ctx,
        "allocation + first touch, vec![0u8; n] then MmapBuf::new(n), at the seed's sizes",
    );
    ev.add("vec![0u8; 64 MiB] is a mapping of its own", own as u8 as f64, Unit::Bool);
    let rows: Vec<&SweepRow> = s.rows.iter().collect();
    let t = totals(&rows, &mut ev);
    // The work is the page faults: explicit mmap would have to take fewer.
    let verdict = Verdict::confirmed_if(!own || t.mmap_saves_faults);
    let summary = format!(
        "glibc already maps a 64 MiB vec on its own: {}; explicit mmap takes fewer faults at \
         some size: {}; allocation + first touch, vec/mmap: {} where glibc mapped the vec \
         itself, {} where it recycled a (resident) heap chunk",
        if own { "yes" } else { "no" },
        if t.mmap_saves_faults { "yes" } else { "no" },
        range_text(t.own),
        range_text(t.heap)
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C004-33: use mmap for large, one-off, long-lived buffers (seed 004 L289-294).
pub fn c004_33(ctx: &Ctx) -> Result<Finding, CheckError> {
    let n = ctx.pick(64 * MIB, 32 * MIB);
    let rounds = 3;
    // Interleaved: A B A B …, so a drift of the machine's speed hits both.
    let (mut vec_ns, mut mmap_ns) = (vec![], vec![]);
    let (mut vf, mut mf) = (0, 0);
    for _ in 0..rounds {
        let v = sizes::measure(Strategy::VecZeroed, n)?;
        let m = sizes::measure(Strategy::Mmap, n)?;
        vec_ns.push(ms(v.total()));
        mmap_ns.push(ms(m.total()));
        (vf, mf) = (v.alloc_faults + v.touch_faults, m.alloc_faults + m.touch_faults);
    }
    let ratio = stats::ratio_of_medians(&vec_ns, &mmap_ns).unwrap_or(0.0);
    let mut ev = evidence(
        ctx,
        &format!("{}, allocation + first touch, {rounds} interleaved rounds", size(n)),
    );
    ev.add("vec![0u8; n] (median)", stats::median(&vec_ns).unwrap_or(0.0), Unit::Nanos);
    ev.add("mmap (median)", stats::median(&mmap_ns).unwrap_or(0.0), Unit::Nanos);
    ev.add("vec time / mmap time", ratio, Unit::Ratio);
    ev.add("vec faults", vf as f64, Unit::Count);
    ev.add("mmap faults", mf as f64, Unit::Count);
    let released = discard_releases(n, &mut ev)?;
    let same_work = mf + 16 >= vf;
    let verdict = if same_work && released {
        Verdict::unruled_holds_only_when(
            "an mmap feature is needed (MADV_DONTNEED to hand pages back while keeping the \
             range, huge pages, MAP_NORESERVE reservations, file or shared mappings); a \
             plain large Vec is already an mmap and costs the same",
        )
    } else {
        Verdict::confirmed_if(!same_work)
    };
    let summary = format!(
        "a plain {} buffer: {vf} faults through vec, {mf} through mmap (vec/mmap time \
         {ratio:.2}×); a feature only mmap has: MADV_DONTNEED released {} of RSS and kept \
         the mapping",
        size(n),
        size(ev.get("RSS released by MADV_DONTNEED").unwrap_or(0.0) as usize)
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// Touches `n` bytes of a mapping, discards them, records RSS before/after.
#[cfg(target_os = "linux")]
fn discard_releases(
    n: usize,
    ev: &mut crate::claims::Evidence,
) -> Result<bool, CheckError> {
    let mut m = crate::mmap::MmapBuf::new(n)?;
    sizes::touch_pages(&mut m);
    let before = crate::mmap::paging::rss_kib()?;
    m.discard()?;
    let after = crate::mmap::paging::rss_kib()?;
    let released = before.saturating_sub(after) as f64 * 1024.0;
    ev.add("RSS released by MADV_DONTNEED", released, Unit::Bytes);
    let still = crate::measure::os::is_mapped(m.as_ptr() as usize, n)?;
    ev.add("still mapped afterwards", still as u8 as f64, Unit::Bool);
    let zero = m[0] == 0 && m[n - 1] == 0;
    ev.add("reads zero afterwards", zero as u8 as f64, Unit::Bool);
    Ok(released >= 0.9 * n as f64 && still && zero)
}

#[cfg(not(target_os = "linux"))]
fn discard_releases(
    _: usize,
    _: &mut crate::claims::Evidence,
) -> Result<bool, CheckError> {
    Err(super::linux_only("MADV_DONTNEED"))
}

/// C004-34: no mmap for small buffers or frequent alloc/free (seed 004 L296-299).
pub fn c004_34(ctx: &Ctx) -> Result<Finding, CheckError> {
    let n = MIB;
    let count = ctx.pick(200, 50);
    let (mf, mns) = recycle::churn(n, count, true)?;
    let (vf, vns) = recycle::churn(n, count, false)?;
    let mut ev = evidence(
        ctx,
        &format!("{count} cycles of allocate {} → touch every page → free", size(n)),
    );
    ev.add("mmap: faults per cycle", mf, Unit::Count);
    ev.add("vec: faults per cycle", vf, Unit::Count);
    ev.add("mmap: time per cycle", mns, Unit::Nanos);
    ev.add("vec: time per cycle", vns, Unit::Nanos);
    ev.add("mmap time / vec time", mns / vns, Unit::Ratio);
    let p = pages(n) as f64;
    let verdict = Verdict::confirmed_if(mf >= p / 2.0 && vf < p / 16.0);
    let summary = format!(
        "1 MiB churn: a fresh mapping faults {mf:.0} times per cycle, the reused Vec {vf:.1}; \
         {} vs {} per cycle ({:.1}×)",
        nanos(mns),
        nanos(vns),
        mns / vns
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C004-35: threshold 10 MB; above it mmap clearly wins (seed 004 L301-315).
pub fn c004_35(ctx: &Ctx) -> Result<Finding, CheckError> {
    let s = sweep(ctx)?;
    let mut ev = evidence(
        ctx,
        "sizes above 10 MiB; allocation medians of 5, allocation + first touch once",
    );
    let mut best_gain: f64 = f64::MIN;
    let above: Vec<&SweepRow> = s.rows.iter().filter(|r| r.size > 10 * MIB).collect();
    for r in &above {
        best_gain = best_gain.max(r.vec_alloc_ns - r.mmap_alloc_ns);
    }
    ev.add("largest allocation time mmap saves", best_gain, Unit::Nanos);
    let t = totals(&above, &mut ev);
    // "Clearly wins" in the seed is 27 ms → 0 ms and more. mmap would have
    // to save a millisecond of allocation, or page faults (the real work).
    let verdict = Verdict::confirmed_if(best_gain >= 1e6 || t.mmap_saves_faults);
    let summary = format!(
        "above 10 MiB mmap saves at most {} of allocation time and {} page faults \
         (allocation + first touch, vec/mmap time {})",
        nanos(best_gain.max(0.0)),
        if t.mmap_saves_faults { "some" } else { "no" },
        range_text(t.own.or(t.heap))
    );
    Ok(Finding::new(verdict, summary, ev))
}
