//! What the example prints: each function reads [`super::figures`] (so the
//! claim table shows the same numbers) and lays out [`Table`]s.

use super::figures::{self, POOL_FILE_SIZES, Variant};
use super::loopback::{MethodRuns, Sample};
use super::matrix::{Cell, LOOP};
use super::method::Method;
use crate::claims::{CheckError, Ctx};
use crate::table::{Table, Unit, format_bytes, format_nanos, format_ratio, format_value};

type Tables = Result<Vec<Table>, CheckError>;

/// CPU seconds per GiB, as `130.00 ms`.
fn per_gib(secs: f64) -> String {
    format_nanos(secs * 1e9)
}

/// One row per method: throughput, CPU, wake-ups and counts per transfer,
/// each timing also as a multiple of `base`'s.
fn runs_table(title: String, runs: &[MethodRuns], base: &MethodRuns) -> Table {
    let mut t = Table::new([
        "method",
        "throughput",
        "×loop",
        "sender CPU/GiB",
        "×loop",
        "receiver CPU/GiB",
        "machine CPU/GiB",
        "×loop",
        "wake-ups",
        "reads",
        "writes",
        "user bytes",
        "heap",
    ])
    .titled(title);
    for r in runs {
        t.row([
            r.method.label(),
            format_value(r.throughput(), Unit::BytesPerSec),
            format_ratio(r.throughput() / base.throughput()),
            per_gib(r.sender_cpu_per_gib()),
            format_ratio(r.sender_cpu_per_gib() / base.sender_cpu_per_gib()),
            per_gib(r.receiver_cpu_per_gib()),
            per_gib(r.total_cpu_per_gib()),
            format_ratio(r.total_cpu_per_gib() / base.total_cpu_per_gib()),
            format!("{:.1}", r.sleeps_per_transfer()),
            format!("{:.0}", r.per_transfer(|s| s.syscr)),
            format!("{:.0}", r.per_transfer(|s| s.syscw)),
            format_bytes(r.user_bytes_per_transfer()),
            r.heap_bytes_per_transfer().map_or("?".into(), format_bytes),
        ]);
    }
    t
}

/// The per-round ratios sendfile ÷ loop of a set of runs, as a note.
fn per_round_note(runs: &[MethodRuns]) -> String {
    let of = |m| runs.iter().find(|r| r.method == m);
    let (Some(sf), Some(base)) = (of(Method::Sendfile), of(LOOP)) else {
        return String::new();
    };
    let pair =
        |f: fn(&Sample) -> f64| sf.paired(base, f).map_or("?".into(), |p| p.describe());
    format!(
        "sendfile ÷ loop, per round, median (interquartile range): throughput {}, sender \
         CPU {}, machine CPU {}",
        pair(Sample::throughput),
        pair(Sample::sender_cpu_per_gib),
        pair(Sample::total_cpu_per_gib)
    )
}

fn cell_table(c: &Cell) -> Table {
    let title = format!(
        "{} file, {} ({}), {} transfers per sample, {:.0}% in the page cache after",
        format_bytes(c.size as f64),
        c.placement.label(),
        c.placement.describe(),
        c.reps,
        c.residency * 100.0
    );
    let mut t = runs_table(title, &c.runs, c.looped());
    t.note(per_round_note(&c.runs));
    t
}

/// C000-01, C000-02, C002-01, C002-02, C002-04 … C002-08: every method at
/// every size of the timing matrix, in both placements.
pub fn methods(ctx: &Ctx) -> Tables {
    let m = figures::matrix(ctx)?;
    let mut out: Vec<Table> = m.cells.iter().map(cell_table).collect();
    if let Some(last) = out.last_mut() {
        last.note(format!(
            "CPU is per GiB moved; machine = sender + receiver + the kernel's softirq \
             threads; wake-ups = times either thread blocked and was woken, per transfer; \
             reads, writes = the sender's read- and write-family syscalls per transfer; \
             {}",
            m.condition()
        ));
    }
    for (p, why) in &m.skipped {
        let mut t = Table::new(["placement", "not measured"]);
        t.row([p.label().to_string(), why.clone()]);
        out.push(t);
    }
    Ok(out)
}

/// C000-01, C000-02, C002-01, D02: one transfer per method, counted.
pub fn counts(ctx: &Ctx) -> Tables {
    let c = figures::counts(ctx)?;
    let mut t = Table::new([
        "method",
        "reads",
        "writes",
        "bytes read (rchar)",
        "bytes written (wchar)",
        "user bytes",
        "receiver copied",
        "heap",
    ])
    .titled(format!(
        "one {} transfer per method to 127.0.0.1, the sender's counts per transfer",
        format_bytes(c.size as f64)
    ));
    for r in &c.runs {
        t.row([
            r.method.label(),
            format!("{:.0}", r.per_transfer(|s| s.syscr)),
            format!("{:.0}", r.per_transfer(|s| s.syscw)),
            format_bytes(r.per_transfer(|s| s.rchar)),
            format_bytes(r.per_transfer(|s| s.wchar)),
            format_bytes(r.user_bytes_per_transfer()),
            format_bytes(r.received_per_transfer()),
            r.heap_bytes_per_transfer().map_or("?".into(), format_bytes),
        ]);
    }
    t.note(
        "the loop writes with write(2), which the kernel counts; std::io::copy sends with \
         send(2), which it does not; sendfile counts its bytes as both read and written",
    );
    Ok(vec![t])
}

/// C002-03: what a receiver read after the file changed under bytes sent.
pub fn sharing(ctx: &Ctx) -> Tables {
    let (writes, offloads) = figures::page_sharing(ctx)?;
    let mut t = Table::new(["method", "sent", "read with the new content"]).titled(
        "bytes sent, then the file overwritten in place, then read by the receiver",
    );
    for w in writes {
        t.row([
            w.method.label(),
            format_bytes(w.sent as f64),
            format_bytes(w.changed as f64),
        ]);
    }
    t.note(match offloads {
        Ok(o) => format!(
            "lo: scatter-gather {}, tx checksum offload {} (a NIC's: ethtool -k DEVICE)",
            if o.scatter_gather { "on" } else { "off" },
            if o.tx_checksum { "on" } else { "off" }
        ),
        Err(e) => format!("lo's offloads could not be read: {e}"),
    });
    Ok(vec![t])
}

/// What one round trip (1 byte there, 1 byte back) costs per placement:
/// the price of the wake-ups the methods table counts.
pub fn wakeups(ctx: &Ctx) -> Tables {
    let runs = figures::wakeups(ctx)?;
    let mut t = Table::new([
        "placement",
        "threads",
        "wall",
        "sender CPU",
        "receiver CPU",
        "wake-ups",
    ])
    .titled("one round trip on 127.0.0.1: 1 byte there, 1 byte back, medians per trip");
    for (placement, r) in runs {
        let per_trip = |f: fn(&Sample) -> std::time::Duration| {
            let v: Vec<f64> = r
                .samples
                .iter()
                .map(|s| f(s).as_nanos() as f64 / f64::from(s.reps))
                .collect();
            format_nanos(crate::measure::stats::median(&v).unwrap_or(f64::NAN))
        };
        t.row([
            placement.label().to_string(),
            placement.describe(),
            per_trip(|s| s.wall),
            per_trip(|s| s.sender_cpu),
            per_trip(|s| s.receiver_cpu),
            format!("{:.1}", r.sleeps_per_transfer()),
        ]);
    }
    Ok(vec![t])
}

fn variant_tables(variants: &[Variant]) -> Vec<Table> {
    variants
        .iter()
        .map(|v| {
            let title = format!(
                "{}: {} file, {} ({}), TCP {}, {} transfers per sample, {:.0}% in the page \
                 cache after",
                v.label,
                format_bytes(v.size as f64),
                v.setup.placement.label(),
                v.setup.placement.describe(),
                v.runs.first().map_or("?", |r| r.congestion.as_str()),
                v.reps,
                v.residency * 100.0
            );
            let base = v.runs.iter().find(|r| r.method == LOOP).unwrap_or(&v.runs[0]);
            let mut t = runs_table(title, &v.runs, base);
            t.note(per_round_note(&v.runs));
            t
        })
        .collect()
}

/// The 1 MiB comparison with the threads where the scheduler puts them and
/// the system's congestion control.
pub fn unpinned(ctx: &Ctx) -> Tables {
    Ok(variant_tables(figures::unpinned(ctx)?))
}

/// A large file on two CPUs, Reno against the system's congestion control.
pub fn congestion(ctx: &Ctx) -> Tables {
    Ok(variant_tables(figures::congestion(ctx)?))
}

/// 16 MiB on one CPU, the send buffer sized by the kernel or fixed.
pub fn send_buffers(ctx: &Ctx) -> Tables {
    Ok(variant_tables(figures::send_buffers(ctx)?))
}

/// C000-04, D03: hostile requests against the seed's code, `Path::join`
/// and the server.
pub fn confinement(ctx: &Ctx) -> Tables {
    use super::confinement::Outcome;
    let c = figures::confinement(ctx)?;
    let show = |o: Option<Outcome>| match o {
        None => "not tried",
        Some(Outcome::Leaked) => "LEAK",
        Some(Outcome::OpenedDirectory) => "opens dir",
        Some(Outcome::Refused) => "refused",
    };
    let mut t = Table::new(["request", "seed concat", "Path::join", "server"]).titled(
        "hostile requests (a secret file beside the root; LEAK = its bytes came back)",
    );
    for r in &c.rows {
        let server =
            if r.server_leaked { "LEAK".to_string() } else { r.status.to_string() };
        t.row([r.what.to_string(), show(r.seed).into(), show(r.join).into(), server]);
    }
    Ok(vec![t])
}

/// C002-09, C002-10, C002-12, D52: what a connection of the server costs.
pub fn memory(ctx: &Ctx) -> Tables {
    let h = figures::heaps(ctx)?;
    let (sf_q, cl_q) = figures::socket_buffers(ctx)?;
    let mut t = Table::new([
        "body sent with",
        "heap per connection",
        "heap per request",
        "allocations per request",
        "socket buffers",
    ])
    .titled("one keep-alive connection of the server (256 KiB file)");
    for (name, c, q) in [
        ("sendfile", h.sendfile, Some(*sf_q)),
        ("64 KiB copy loop", h.copy_loop, Some(*cl_q)),
        ("64 KiB copy loop, pooled buffers", h.pooled, None),
    ] {
        t.row([
            name.to_string(),
            format_bytes(c.per_connection as f64),
            format_bytes(c.per_request as f64),
            c.allocs_per_request.to_string(),
            q.map_or("-".into(), |q| format_bytes(q as f64)),
        ]);
    }
    t.note(
        "socket buffers: bytes the kernel held for a client that stopped reading (the \
         sender's send queue + the receiver's receive queue); pooled buffers: the pool's \
         buffer is allocated by the first connection and kept by the server for the next",
    );
    Ok(vec![t])
}

/// C002-12: the serving thread's CPU per request, pooled buffers against a
/// new buffer per response.
pub fn pooling(ctx: &Ctx) -> Tables {
    let timings = figures::pool_timing(ctx)?;
    let mut t = Table::new([
        "file",
        "requests per sample",
        "new buffer",
        "pooled",
        "pooled ÷ new, per round",
    ])
    .titled("serving CPU per request on the copy-loop path, medians");
    for p in timings {
        t.row([
            format_bytes(p.file_size as f64),
            p.requests.to_string(),
            format_nanos(p.fresh_ns),
            format_nanos(p.pooled_ns),
            p.ratio.describe(),
        ]);
    }
    debug_assert_eq!(timings.len(), POOL_FILE_SIZES.len());
    Ok(vec![t])
}
