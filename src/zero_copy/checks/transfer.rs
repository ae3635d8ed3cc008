//! Checks that read the side-by-side loopback comparison: what each method
//! copies, how many syscalls it makes, and what it costs the sender.

use super::{CPU_SAVING, Comparison, NO_GAIN, SIGNIFICANT_GAIN, change, comparison};
use crate::claims::verdict::format_bytes;
use crate::claims::{CheckError, Ctx, Evidence, Finding, Unit, Verdict};
use crate::zero_copy::loopback::{self, MethodRuns};
use crate::zero_copy::method::Method;
use std::sync::OnceLock;

const LOOP: Method = Method::ReadWrite(64 << 10);
const IO_COPY: Method = Method::StdIoCopy;
const SENDFILE: Method = Method::Sendfile;

/// Records a method's figures and returns them.
fn record(ev: &mut Evidence, r: &MethodRuns) -> Figures {
    let name = r.method.label();
    Figures {
        throughput: ev.add(
            format!("throughput, {name}"),
            r.throughput(),
            Unit::BytesPerSec,
        ),
        sender_cpu: ev.add(
            format!("sender CPU per GiB, {name}"),
            r.sender_cpu_per_gib() * 1e9,
            Unit::Nanos,
        ),
        receiver_cpu: ev.add(
            format!("receiver CPU per GiB, {name}"),
            r.receiver_cpu_per_gib() * 1e9,
            Unit::Nanos,
        ),
        syscr: ev.add(
            format!("read-family syscalls per transfer, {name}"),
            r.syscr_per_transfer(),
            Unit::Count,
        ),
        user_bytes: ev.add(
            format!("bytes through user space per transfer, {name}"),
            r.user_bytes_per_transfer(),
            Unit::Bytes,
        ),
        heap: r
            .heap_bytes_per_transfer()
            .map(|h| ev.add(format!("heap bytes per transfer, {name}"), h, Unit::Bytes)),
    }
}

#[derive(Clone, Copy, Debug)]
struct Figures {
    throughput: f64,
    sender_cpu: f64,
    receiver_cpu: f64,
    syscr: f64,
    user_bytes: f64,
    heap: Option<f64>,
}

/// The loop's and sendfile's figures, with the ratios recorded too.
struct Pair {
    ev: Evidence,
    looped: Figures,
    sendfile: Figures,
    io_copy: Figures,
    cpu: f64,
    throughput: f64,
    total_cpu: f64,
}

fn pair(c: &Comparison) -> Pair {
    let mut ev = Evidence::new(c.condition());
    let looped = record(&mut ev, c.of(LOOP));
    let io_copy = record(&mut ev, c.of(IO_COPY));
    let sendfile = record(&mut ev, c.of(SENDFILE));
    let cpu = ev.add(
        "sender CPU per GiB, sendfile ÷ 64 KiB loop",
        sendfile.sender_cpu / looped.sender_cpu,
        Unit::Ratio,
    );
    let throughput = ev.add(
        "throughput, sendfile ÷ 64 KiB loop",
        sendfile.throughput / looped.throughput,
        Unit::Ratio,
    );
    let total_cpu = ev.add(
        "sender + receiver CPU per GiB, sendfile ÷ 64 KiB loop",
        (sendfile.sender_cpu + sendfile.receiver_cpu)
            / (looped.sender_cpu + looped.receiver_cpu),
        Unit::Ratio,
    );
    Pair { ev, looped, sendfile, io_copy, cpu, throughput, total_cpu }
}

/// C000-01: a traditional transfer copies the data twice.
pub fn c000_01(ctx: &Ctx) -> Result<Finding, CheckError> {
    let c = comparison(ctx)?;
    let p = pair(c);
    let expected_reads = c.size.div_ceil(64 << 10) as f64;
    let holds = p.looped.user_bytes >= c.size as f64 && p.looped.syscr >= expected_reads;
    let summary = format!(
        "the 64 KiB loop read all {} into user space ({} reads per transfer) and wrote it out \
         again: 2 CPU copies per byte, plus the DMA copies of a real disk and NIC",
        format_bytes(c.size as f64),
        p.looped.syscr
    );
    Ok(Finding::new(Verdict::confirmed_if(holds), summary, p.ev))
}

/// C000-02: zero-copy moves data with no user-space copy.
pub fn c000_02(ctx: &Ctx) -> Result<Finding, CheckError> {
    let c = comparison(ctx)?;
    let p = pair(c);
    let receiver_still_copies = p.sendfile.receiver_cpu > 0.5 * p.looped.receiver_cpu;
    let verdict = if p.sendfile.user_bytes > 0.0 {
        Verdict::Refuted
    } else if receiver_still_copies {
        Verdict::holds_only_when(
            "\"zero\" counts the sender's user-space copies: sendfile made none, but the \
             receiver still copied every byte out of its socket, the kernel still moves the \
             data (DMA, or a CPU copy without scatter-gather), and std::io::copy File → \
             TcpStream is not zero-copy at all",
        )
    } else {
        Verdict::Confirmed
    };
    let summary = format!(
        "sendfile: 0 bytes through user space, {} syscall(s) per transfer; receiver CPU {:.2} \
         s/GiB vs {:.2} with the loop; std::io::copy: {} reads per {} transfer",
        p.sendfile.syscr,
        p.sendfile.receiver_cpu / 1e9,
        p.looped.receiver_cpu / 1e9,
        p.io_copy.syscr,
        format_bytes(c.size as f64)
    );
    Ok(Finding::new(verdict, summary, p.ev))
}

/// C002-01: sendfile sends file bytes to a socket without user space.
pub fn c002_01(ctx: &Ctx) -> Result<Finding, CheckError> {
    let c = comparison(ctx)?;
    let p = pair(c);
    let runs = c.of(SENDFILE);
    let calls = runs.samples.iter().map(|s| s.moved.calls).sum::<u64>() as f64;
    let syscr = runs.samples.iter().map(|s| s.syscr).sum::<u64>() as f64;
    let mut ev = p.ev;
    ev.add("sendfile calls made by sendfile_all, all samples", calls, Unit::Count);
    ev.add("read-family syscalls counted by the kernel, all samples", syscr, Unit::Count);
    // Every read-family syscall the kernel counted was one of our sendfile
    // calls: nothing was read into a buffer.
    let holds = p.sendfile.user_bytes == 0.0
        && syscr == calls
        && p.sendfile.heap.is_none_or(|h| h == 0.0);
    let summary = format!(
        "every read-family syscall was a sendfile ({} per {} transfer, 0 bytes into user \
         space, {} heap bytes) vs {} 8 KiB reads for std::io::copy",
        p.sendfile.syscr,
        format_bytes(c.size as f64),
        p.sendfile.heap.map_or("unknown".into(), format_bytes),
        p.io_copy.syscr
    );
    Ok(Finding::new(Verdict::confirmed_if(holds), summary, ev))
}

/// C002-02: Go reaches zero-copy through syscalls, "significantly" faster.
pub fn c002_02(ctx: &Ctx) -> Result<Finding, CheckError> {
    let p = pair(comparison(ctx)?);
    let verdict = if p.cpu >= CPU_SAVING {
        Verdict::Refuted
    } else if p.throughput >= SIGNIFICANT_GAIN {
        Verdict::Confirmed
    } else {
        Verdict::holds_only_when(
            "the sender's CPU is the scarce resource: sendfile saves sender CPU, but on \
             loopback the receiver's copy sets the pace and throughput moves little. (In Go, \
             io.Copy already uses sendfile; in Rust, std::io::copy does not, so the explicit \
             call is what buys it.)",
        )
    };
    let summary = format!(
        "sendfile: sender CPU per GiB {} and throughput {} vs a 64 KiB loop",
        change(p.cpu),
        change(p.throughput)
    );
    Ok(Finding::new(verdict, summary, p.ev))
}

/// C002-03: data goes straight from the page cache to the network buffer.
pub fn c002_03(ctx: &Ctx) -> Result<Finding, CheckError> {
    let p = pair(comparison(ctx)?);
    let mut ev = p.ev;
    let off = match crate::zero_copy::demos::offloads("lo") {
        Ok(o) => o,
        Err(e) => {
            let reason = format!(
                "whether the kernel copies page-cache pages into socket buffers depends on \
                 the device's scatter-gather support, which could not be read here ({e})"
            );
            return Ok(Finding::new(
                Verdict::unverifiable(reason),
                "device offloads unreadable",
                ev,
            ));
        }
    };
    let sg =
        ev.add("lo: scatter-gather", f64::from(u8::from(off.scatter_gather)), Unit::Bool);
    let csum = ev.add(
        "lo: tx checksum offload",
        f64::from(u8::from(off.tx_checksum)),
        Unit::Bool,
    );
    let verdict = if p.sendfile.user_bytes > 0.0 || sg == 0.0 {
        Verdict::Refuted
    } else {
        Verdict::holds_only_when(
            "the device does scatter-gather (and checksum offload): then socket buffers point \
             at page-cache pages; without them the kernel copies the bytes itself. Here the \
             device is lo; a NIC's features are listed by `ethtool -k <dev>`",
        )
    };
    let summary = format!(
        "sendfile put 0 bytes through user space; lo has scatter-gather {} and tx checksum \
         offload {}",
        if sg > 0.0 { "on" } else { "off" },
        if csum > 0.0 { "on" } else { "off" }
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C002-04: lower CPU overhead.
pub fn c002_04(ctx: &Ctx) -> Result<Finding, CheckError> {
    let p = pair(comparison(ctx)?);
    let summary = format!(
        "sender CPU per GiB: sendfile {:.2} s, 64 KiB loop {:.2} s, std::io::copy {:.2} s \
         (sendfile {} vs the loop)",
        p.sendfile.sender_cpu / 1e9,
        p.looped.sender_cpu / 1e9,
        p.io_copy.sender_cpu / 1e9,
        change(p.cpu)
    );
    Ok(Finding::new(Verdict::confirmed_if(p.cpu < CPU_SAVING), summary, p.ev))
}

/// C002-05: higher throughput.
pub fn c002_05(ctx: &Ctx) -> Result<Finding, CheckError> {
    let p = pair(comparison(ctx)?);
    let verdict = if p.throughput >= SIGNIFICANT_GAIN {
        Verdict::Confirmed
    } else if p.throughput >= NO_GAIN {
        Verdict::holds_only_when(
            "the gain is small where the receiver's copy bounds throughput, as on loopback \
             with sender and receiver on the same CPUs; it grows only where the sender's CPU \
             is the bottleneck (many concurrent transfers, a fast NIC)",
        )
    } else {
        Verdict::Refuted
    };
    let summary = format!(
        "throughput {} vs a 64 KiB loop ({:.0} vs {:.0} MiB/s); the receiver spent {:.2} s \
         CPU per GiB, the sendfile sender {:.2} s",
        change(p.throughput),
        p.sendfile.throughput / (1 << 20) as f64,
        p.looped.throughput / (1 << 20) as f64,
        p.sendfile.receiver_cpu / 1e9,
        p.sendfile.sender_cpu / 1e9
    );
    Ok(Finding::new(verdict, summary, p.ev))
}

/// The small- and large-file latency comparison of C002-06.
struct Latency {
    small: Vec<MethodRuns>,
    large: Vec<MethodRuns>,
    rounds: usize,
}

fn latency(ctx: &Ctx) -> Result<&'static Latency, CheckError> {
    static FULL: OnceLock<Result<Latency, String>> = OnceLock::new();
    static QUICK: OnceLock<Result<Latency, String>> = OnceLock::new();
    let cell = if ctx.quick { &QUICK } else { &FULL };
    let measure = || -> std::io::Result<Latency> {
        let dir = crate::zero_copy::files::Scratch::new("latency")?;
        let (small_reps, large_reps, rounds) = ctx.pick((400, 16, 5), (100, 4, 3));
        let methods = [LOOP, SENDFILE];
        let run = |size: u64, reps| -> std::io::Result<Vec<MethodRuns>> {
            let path = dir.join(&format!("f{size}"));
            crate::zero_copy::files::write_pattern_file(&path, size, 3)?;
            let file = std::fs::File::open(&path)?;
            loopback::compare(&methods, &file, size, reps, rounds)
        };
        Ok(Latency {
            small: run(4 << 10, small_reps)?,
            large: run(1 << 20, large_reps)?,
            rounds,
        })
    };
    cell.get_or_init(|| measure().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| CheckError(format!("latency comparison: {e}")))
}

/// C002-06: lower transfer latency.
pub fn c002_06(ctx: &Ctx) -> Result<Finding, CheckError> {
    let l = latency(ctx)?;
    let mut ev = Evidence::new(format!(
        "time from the first send to the receiver's 1-byte acknowledgement, per transfer, \
         127.0.0.1; {} interleaved samples per method, medians",
        l.rounds
    ));
    let mut ratio = |runs: &[MethodRuns], what: &str| {
        let by = |m| runs.iter().find(|r| r.method == m).expect("method").latency();
        let (a, b) = (by(SENDFILE), by(LOOP));
        ev.add(format!("latency, sendfile, {what}"), a, Unit::Nanos);
        ev.add(format!("latency, 64 KiB loop, {what}"), b, Unit::Nanos);
        (a, b, ev.add(format!("latency, sendfile ÷ loop, {what}"), a / b, Unit::Ratio))
    };
    let (s_a, s_b, small) = ratio(&l.small, "4 KiB file");
    let (_, _, large) = ratio(&l.large, "1 MiB file");
    let verdict = if small <= CPU_SAVING {
        Verdict::Confirmed
    } else if large <= CPU_SAVING {
        Verdict::holds_only_when(
            "the file is large enough that copying it dominates the transfer time; for a \
             small file the round trip dominates and one saved read call does not show",
        )
    } else {
        Verdict::Refuted
    };
    let summary = format!(
        "4 KiB file: {:.1} µs with sendfile vs {:.1} µs with a loop ({}); 1 MiB file: {}",
        s_a / 1e3,
        s_b / 1e3,
        change(small),
        change(large)
    );
    Ok(Finding::new(verdict, summary, ev))
}

/// C002-07: target, throughput +50–200%.
pub fn c002_07(ctx: &Ctx) -> Result<Finding, CheckError> {
    let p = pair(comparison(ctx)?);
    let reached = (SIGNIFICANT_GAIN..=3.0).contains(&p.throughput);
    let summary = format!(
        "sendfile reached {} throughput vs a 64 KiB loop on loopback (target +50% to +200%)",
        change(p.throughput)
    );
    Ok(Finding::new(Verdict::confirmed_if(reached), summary, p.ev))
}

/// C002-08: target, CPU use −30–60%.
pub fn c002_08(ctx: &Ctx) -> Result<Finding, CheckError> {
    let p = pair(comparison(ctx)?);
    let verdict = if p.cpu > 0.7 {
        Verdict::Refuted
    } else if p.total_cpu <= 0.7 {
        Verdict::Confirmed
    } else {
        Verdict::holds_only_when(
            "counting the sender's CPU only: the receiver copies every byte whatever the \
             sender does, so sender + receiver save less than 30%",
        )
    };
    let summary = format!(
        "sender CPU per GiB {} with sendfile; sender + receiver {} (target −30% to −60%)",
        change(p.cpu),
        change(p.total_cpu)
    );
    Ok(Finding::new(verdict, summary, p.ev))
}

/// D02: `tcpConn.Fd()` does not compile, and Go's io.Copy already sendfiles.
pub fn d02(ctx: &Ctx) -> Result<Finding, CheckError> {
    let c = comparison(ctx)?;
    let p = pair(c);
    let verdict = Verdict::not_applicable(
        "A Go API fact: *net.TCPConn has no Fd() method, and Go's io.Copy(tcpConn, file) \
         already uses sendfile, so the raw call is both broken and unneeded in Go.",
        "TcpStream implements AsFd, so the raw call compiles in Rust; and it is needed, \
         because std::io::copy File → TcpStream reads through an 8 KiB buffer (measured \
         below) instead of calling sendfile",
    );
    let summary = format!(
        "std::io::copy File → TcpStream: {} read-family syscalls per {} transfer ({} bytes \
         through user space); sendfile_all: {}",
        p.io_copy.syscr,
        format_bytes(c.size as f64),
        p.io_copy.user_bytes,
        p.sendfile.syscr
    );
    Ok(Finding::new(verdict, summary, p.ev))
}

/// D51: seed 002's code is stubs; its figures have no code behind them.
pub fn d51(ctx: &Ctx) -> Result<Finding, CheckError> {
    let p = pair(comparison(ctx)?);
    let mut ev = p.ev;
    let (Some(loop_heap), Some(sf_heap)) = (p.looped.heap, p.sendfile.heap) else {
        return Err(
            "D51 needs the counting allocator (perf_workbook::count_allocations!)".into(),
        );
    };
    let gain = p.throughput - 1.0;
    let cpu_saving = 1.0 - p.cpu;
    let mem_saving = ev.add(
        "transfer buffer memory saved, sendfile vs loop",
        1.0 - sf_heap / loop_heap,
        Unit::Fraction,
    );
    let matches = [
        (0.5..=2.0).contains(&gain),
        (0.3..=0.6).contains(&cpu_saving),
        (0.4..=0.8).contains(&mem_saving),
    ];
    let inside = matches.iter().filter(|&&m| m).count();
    ev.add("seed figures that working code reproduces", inside as f64, Unit::Count);
    let summary = format!(
        "working code measures throughput {}, CPU {}, buffer memory −{:.0}%; the seed's \
         +50–200% / −30–60% / −40–80% match {inside} of 3",
        change(p.throughput),
        change(p.cpu),
        mem_saving * 100.0
    );
    Ok(Finding::new(Verdict::confirmed_if(inside < 3), summary, ev))
}
