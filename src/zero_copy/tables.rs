//! What the example prints: each function reads [`super::figures`] (so the
//! claim table shows the same numbers) and lays out [`Table`]s.

use super::figures::{self, POOL_FILE_SIZES, Variant};
use super::loopback::{MethodRuns, Sample};
use super::matrix::{Cell, LOOP};
use super::method::Method;
use super::serving::{Peer, Summary, TARGETS, median_of};
use crate::claims::{CheckError, Ctx};
use crate::measure::paired::Paired;
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

/// C002-09, C002-10, C002-12, D52: what a connection of each server costs.
pub fn memory(ctx: &Ctx) -> Tables {
    let h = figures::heaps(ctx)?;
    let (sf_q, cl_q) = figures::socket_buffers(ctx)?;
    let mut t = Table::new([
        "server",
        "body sent with",
        "heap per server",
        "heap per connection",
        "heap per request",
        "allocations per request",
        "socket buffers",
    ])
    .titled("keep-alive connections of the two servers (256 KiB file)");
    let servers = [("thread per connection", &h.threads), ("event loop", &h.events)];
    for (server, heaps) in servers {
        for (name, c, q) in [
            ("sendfile", heaps.sendfile, Some(*sf_q)),
            ("64 KiB copy loop", heaps.copy_loop, Some(*cl_q)),
            ("64 KiB copy loop, pooled buffers", heaps.pooled, None),
        ] {
            t.row([
                server.to_string(),
                name.to_string(),
                format_bytes(c.per_server as f64),
                format_bytes(c.per_connection as f64),
                format_bytes(c.per_request as f64),
                c.allocs_per_request.to_string(),
                q.map_or("-".into(), |q| format_bytes(q as f64)),
            ]);
        }
    }
    t.note(
        "socket buffers: bytes the kernel held for a client that stopped reading (the \
         sender's send queue + the receiver's receive queue), the same in both servers; \
         pooled buffers: with a thread per connection, a pool the server keeps (one buffer \
         per busy connection); in the event loop, the loop's one buffer (it serves one \
         connection at a time)",
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

/// A ratio's median with its per-round spread, `-` when there is none.
fn paired_cell(p: Option<Paired>) -> String {
    p.map_or("-".into(), |p| p.describe())
}

/// Issue 17: the thread-per-connection server, the event loops and nginx
/// under load, side by side, and the targets.
pub fn servers(ctx: &Ctx) -> Tables {
    let s = figures::serving(ctx)?;
    let nginx = match &s.nginx {
        Ok(v) => format!("nginx {v}, {} worker processes", s.threads),
        Err(why) => format!("nginx not compared: {why}"),
    };
    let mut out = Vec::new();
    let us = |v: f64| format_nanos(v * 1e3);
    for small in &s.small {
        let mut t = Table::new([
            "server",
            "req/s",
            "× nginx",
            "p50",
            "p99",
            "max",
            "errors",
            "non-2xx",
            "connections served",
            "responses per connection",
            "fairness",
        ])
        .titled(format!(
            "a 4 KiB file, {} keep-alive connections, 2 client threads, {} s per run, \
             medians of {} rounds taken in turn",
            small.connections,
            small.seconds,
            small.peers.first().map_or(0, |p| p.rounds.len())
        ));
        for p in &small.peers {
            let m = |f: fn(&Summary) -> f64| median_of(p, f);
            let worst =
                |f: fn(&Summary) -> u64| p.rounds.iter().map(f).max().unwrap_or(0);
            let served = p.rounds.iter().map(|r| r.served).min().unwrap_or(0);
            let (lo, hi) = p.rounds.iter().fold((u64::MAX, 0), |(lo, hi), r| {
                (lo.min(r.per_connection.0), hi.max(r.per_connection.1))
            });
            t.row([
                p.peer.label().to_string(),
                format_value(m(|r| r.rate), Unit::Count),
                paired_cell(small.ratio(p.peer, Peer::Nginx)),
                us(m(|r| r.p50_us)),
                us(m(|r| r.p99_us)),
                us(p.rounds.iter().map(|r| r.max_us).fold(f64::NAN, f64::max)),
                worst(|r| r.errors).to_string(),
                worst(|r| r.non_2xx).to_string(),
                format!("{served}/{}", small.connections),
                format!("{lo}..{hi}"),
                format!("{:.3}", m(|r| r.fairness)),
            ]);
        }
        out.push(t);
    }
    let big = &s.big;
    let mut t = Table::new(["server", "throughput", "× nginx", "CPU per GiB", "× nginx", "errors"])
        .titled(format!(
            "{} clients each downloading a {} file at once, medians of {} rounds taken in turn; \
             CPU: the server's own threads (ours) or worker processes (nginx, /proc/<pid>/stat)",
            big.clients,
            format_bytes(big.file_size as f64),
            big.peers.first().map_or(0, |p| p.rounds.len())
        ));
    for p in &big.peers {
        t.row([
            p.peer.label().to_string(),
            format_value(median_of(p, |d| d.throughput), Unit::BytesPerSec),
            paired_cell(big.ratio(p.peer, Peer::Nginx, |d| d.throughput)),
            format_nanos(median_of(p, |d| d.cpu_per_gib) * 1e9),
            paired_cell(big.ratio(p.peer, Peer::Nginx, |d| d.cpu_per_gib)),
            p.rounds.iter().map(|d| d.errors).sum::<u64>().to_string(),
        ]);
    }
    out.push(t);
    let mut t = Table::new([
        "server",
        "idle connections",
        "server threads",
        "memory per idle connection",
        "new request: median",
        "slowest",
    ])
    .titled("idle keep-alive connections held open (resident memory they added to the server)");
    for i in &s.idle {
        t.row([
            i.peer.label().to_string(),
            i.connections.to_string(),
            i.threads.to_string(),
            format_bytes(i.bytes_per_connection),
            us(i.new_request_us.0),
            us(i.new_request_us.1),
        ]);
    }
    out.push(t);
    let mut t = Table::new([
        "server",
        "clients that never read",
        "request before: median",
        "during: median",
        "during: slowest",
        "unanswered",
    ])
    .titled("clients that ask for a 64 MiB file and read nothing, and a new request meanwhile");
    for st in &s.stalled {
        t.row([
            st.peer.label().to_string(),
            st.clients.to_string(),
            us(st.before_us),
            us(st.during_us),
            us(st.during_max_us),
            st.unanswered.to_string(),
        ]);
    }
    out.push(t);
    let mut t =
        Table::new(["issue 17's target (ours: event loops)", "limit", "measured", "met"])
            .titled(nginx);
    for (target, value) in TARGETS.iter().zip(s.target_values()) {
        let met = value.map_or("not measured", |v| {
            let ok = if target.at_least { v >= target.limit } else { v <= target.limit };
            if ok { "met" } else { "missed" }
        });
        t.row([
            target.what.to_string(),
            format!("{} {}", if target.at_least { "≥" } else { "≤" }, target.limit),
            value.map_or("-".into(), |v| format!("{v:.2}")),
            met.to_string(),
        ]);
    }
    t.note(
        "× nginx: the median of the per-round ratios (first–third quartile); fairness: Jain's \
         index of the responses per connection among the connections of one client thread \
         (1: all alike), the lowest; the clients, the servers and the kernel share this \
         machine's CPUs, so every figure is a ratio here, not a capacity",
    );
    out.push(t);
    Ok(out)
}
