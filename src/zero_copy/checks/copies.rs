//! Checks about what the methods copy: counted on one transfer per method
//! ([`figures::counts`]), on the bytes a receiver reads after the file
//! changed ([`figures::page_sharing`]), and on std's `io::copy` between
//! files and in memory.

use super::flag;
use crate::claims::{
    CheckError, Ctx, Evidence, Measured, Outcome::*, Rule, Threshold, Unit, Verdict,
    example,
};
use crate::table::format_bytes;
use crate::zero_copy::figures::{self, Counts};
use crate::zero_copy::loopback::MethodRuns;
use crate::zero_copy::method::Method;

const LOOP: Method = Method::ReadWrite(64 << 10);

fn counts_evidence(c: &Counts) -> Evidence {
    Evidence::new(format!(
        "{} file in the page cache → 127.0.0.1, sent once by each method after one \
         untimed transfer; counts from /proc/thread-self/io and the counting allocator, on \
         the sending thread",
        format_bytes(c.size as f64),
    ))
}

/// Records a method's counts per transfer.
fn record(ev: &mut Evidence, r: &MethodRuns) {
    let name = r.method.label();
    ev.add(
        format!("read syscalls per transfer, {name}"),
        r.per_transfer(|s| s.syscr),
        Unit::Count,
    );
    ev.add(
        format!("bytes through the sender's user space per transfer, {name}"),
        r.user_bytes_per_transfer(),
        Unit::Bytes,
    );
    if let Some(h) = r.heap_bytes_per_transfer() {
        ev.add(format!("heap bytes per transfer, {name}"), h, Unit::Bytes);
    }
}

/// C000-01: "a traditional transfer copies the data twice". Counts the 64
/// KiB loop's `pread`s and `write`s and the bytes they moved; every one of
/// them moves bytes into or out of the loop's buffer, so (bytes read + bytes
/// written) ÷ file size is the CPU copies per byte through user space.
pub fn c000_01_two_copies(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::counts(ctx)?;
    let r = c.of(LOOP);
    let mut ev = counts_evidence(c);
    let size = ev.add("file size", c.size as f64, Unit::Bytes);
    let reads = ev.add(
        "read syscalls per transfer, 64 KiB loop",
        r.per_transfer(|s| s.syscr),
        Unit::Count,
    );
    let writes = ev.add(
        "write syscalls per transfer, 64 KiB loop",
        r.per_transfer(|s| s.syscw),
        Unit::Count,
    );
    let read_bytes = ev.add(
        "bytes read into user space per transfer, 64 KiB loop",
        r.per_transfer(|s| s.rchar),
        Unit::Bytes,
    );
    let written = ev.add(
        "bytes written from user space per transfer, 64 KiB loop",
        r.per_transfer(|s| s.wchar),
        Unit::Bytes,
    );
    let copies = ev.add(
        "CPU copies per byte through user space, 64 KiB loop",
        (read_bytes + written) / size,
        Unit::Count,
    );
    let summary = format!(
        "the 64 KiB loop made {reads} preads and {writes} writes per {} transfer, moving \
         {} into its buffer and {} out of it: {copies} CPU copies per byte, plus the DMA \
         copies of a real disk and NIC",
        format_bytes(size),
        format_bytes(read_bytes),
        format_bytes(written),
    );
    Ok(Measured::new(ev, summary))
}

/// Confirmed when the loop's CPU copies per byte reach the seed's two.
pub const C000_01: Rule = Rule {
    says: "confirmed when the read/write loop copies each byte through user space at \
           least seed_copies times (bytes read + bytes written ÷ file size); refuted when \
           fewer",
    inputs: &["CPU copies per byte through user space, 64 KiB loop"],
    thresholds: &[Threshold {
        name: "seed_copies",
        value: 2.0,
        unit: Unit::Count,
        source: "seed 000 §1.1.1 L28-34: the data is copied twice (kernel → user → kernel)",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("CPU copies per byte through user space, 64 KiB loop")
                >= f.limit("seed_copies"),
        )
    },
    examples: &[
        example(
            &[("CPU copies per byte through user space, 64 KiB loop", 2.0)],
            Confirmed,
        ),
        example(&[("CPU copies per byte through user space, 64 KiB loop", 1.0)], Refuted),
    ],
};

/// C000-02: "zero-copy moves data directly, with no user-space copy".
/// Counts sendfile's bytes through the sender's user space, and the bytes
/// the receiver copied out of its socket.
pub fn c000_02_no_user_copy(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::counts(ctx)?;
    let mut ev = counts_evidence(c);
    for m in Counts::METHODS {
        record(&mut ev, c.of(m));
    }
    let sf = c.of(Method::Sendfile);
    ev.add("file size", c.size as f64, Unit::Bytes);
    let received = ev.add(
        "bytes the receiver copied out of its socket per transfer, sendfile",
        sf.received_per_transfer(),
        Unit::Bytes,
    );
    let summary = format!(
        "sendfile: {} through the sender's user space, {} read-family syscall(s) per \
         transfer; the receiver still copied {} per transfer out of its socket; \
         std::io::copy: {} reads per {} transfer",
        format_bytes(sf.user_bytes_per_transfer()),
        sf.syscr_per_transfer(),
        format_bytes(received),
        c.of(Method::StdIoCopy).syscr_per_transfer(),
        format_bytes(c.size as f64),
    );
    Ok(Measured::new(ev, summary))
}

const SENDER_BYTES: &str = "bytes through the sender's user space per transfer, sendfile";
const RECEIVER_BYTES: &str =
    "bytes the receiver copied out of its socket per transfer, sendfile";

/// Refuted when sendfile put bytes through the sender's user space; "holds
/// only when" the copies counted are the sender's, when the receiver still
/// copied every byte.
pub const C000_02: Rule = Rule {
    says: "refuted when sendfile moved any byte through the sender's user space; holds \
           only when counting the sender's copies if the receiver still copied the whole \
           file out of its socket; confirmed when neither side copied it all",
    inputs: &[SENDER_BYTES, RECEIVER_BYTES, "file size"],
    thresholds: &[],
    decide: |f| {
        if f.get(SENDER_BYTES) > 0.0 {
            Verdict::Refuted
        } else if f.get(RECEIVER_BYTES) >= f.get("file size") {
            f.holds_only_when(
                "\"zero\" counts the sender's user-space copies: sendfile made none, but \
                 the receiver still copied every byte out of its socket",
                SENDER_BYTES,
                RECEIVER_BYTES,
            )
        } else {
            Verdict::Confirmed
        }
    },
    examples: &[
        example(&[(SENDER_BYTES, 4096.0)], Refuted),
        example(
            &[(SENDER_BYTES, 0.0), (RECEIVER_BYTES, 1e6), ("file size", 1e6)],
            HoldsOnlyWhen,
        ),
        example(
            &[(SENDER_BYTES, 0.0), (RECEIVER_BYTES, 0.0), ("file size", 1e6)],
            Confirmed,
        ),
    ],
};

/// C002-01: "sendfile sends file bytes to a socket without user space".
pub fn c002_01_sendfile_skips_user_space(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::counts(ctx)?;
    let mut ev = counts_evidence(c);
    for m in Counts::METHODS {
        record(&mut ev, c.of(m));
    }
    let sf = c.of(Method::Sendfile);
    let calls = sf.samples.iter().map(|s| s.moved.calls).sum::<u64>() as f64;
    let syscr = sf.samples.iter().map(|s| s.syscr).sum::<u64>() as f64;
    ev.add("sendfile calls made by sendfile_all, all samples", calls, Unit::Count);
    ev.add("read-family syscalls counted by the kernel, all samples", syscr, Unit::Count);
    let summary = format!(
        "every read-family syscall was a sendfile ({syscr} counted, {calls} made; {} into \
         user space, {} heap) vs {} 8 KiB reads for std::io::copy",
        format_bytes(sf.user_bytes_per_transfer()),
        sf.heap_bytes_per_transfer().map_or("unknown".into(), format_bytes),
        c.of(Method::StdIoCopy).syscr_per_transfer(),
    );
    Ok(Measured::new(ev, summary))
}

const SF_CALLS: &str = "sendfile calls made by sendfile_all, all samples";
const SF_SYSCR: &str = "read-family syscalls counted by the kernel, all samples";
const SF_HEAP: &str = "heap bytes per transfer, sendfile";

/// Confirmed when every read-family syscall was a sendfile, no byte went
/// through user space and nothing was allocated.
pub const C002_01: Rule = Rule {
    says: "confirmed when sendfile put no byte through user space, the kernel counted \
           exactly its sendfile calls as reads, and (with the counting allocator) it \
           allocated nothing; refuted otherwise",
    inputs: &[SENDER_BYTES, SF_CALLS, SF_SYSCR, SF_HEAP],
    thresholds: &[],
    decide: |f| {
        let heap_free = !f.has(SF_HEAP) || f.get(SF_HEAP) == 0.0;
        f.confirmed_if(
            f.get(SENDER_BYTES) == 0.0 && f.get(SF_SYSCR) == f.get(SF_CALLS) && heap_free,
        )
    },
    examples: &[
        example(
            &[(SENDER_BYTES, 0.0), (SF_CALLS, 1.0), (SF_SYSCR, 1.0), (SF_HEAP, 0.0)],
            Confirmed,
        ),
        example(&[(SENDER_BYTES, 0.0), (SF_CALLS, 1.0), (SF_SYSCR, 1.0)], Confirmed),
        example(&[(SENDER_BYTES, 0.0), (SF_CALLS, 1.0), (SF_SYSCR, 2049.0)], Refuted),
        example(&[(SENDER_BYTES, 1e6), (SF_CALLS, 1.0), (SF_SYSCR, 1.0)], Refuted),
    ],
};

/// C002-03: "data moves straight from the kernel file buffer to the
/// network buffer". Sends a few pages, overwrites the file before the
/// receiver reads, and counts the bytes the receiver read with the new
/// content: a socket that holds the page cache's pages shows the change, a
/// socket that holds copies does not (the loop is the control).
pub fn c002_03_page_cache_to_socket(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (writes, offloads) = figures::page_sharing(ctx)?;
    let mut ev = Evidence::new(
        "a few pages of a file sent to 127.0.0.1 by each method, the receiver not reading \
         yet; then the file is overwritten in place, and the receiver reads what was sent",
    );
    for w in writes {
        let name = w.method.label();
        ev.add(
            format!("bytes sent before the file changed, {name}"),
            w.sent as f64,
            Unit::Bytes,
        );
        ev.add(
            format!("of those, bytes the receiver read with the new content, {name}"),
            w.changed as f64,
            Unit::Bytes,
        );
    }
    let device = match offloads {
        Ok(o) => {
            ev.add("lo: scatter-gather", flag(o.scatter_gather), Unit::Bool);
            ev.add("lo: tx checksum offload", flag(o.tx_checksum), Unit::Bool);
            format!(
                "lo does scatter-gather: {}",
                if o.scatter_gather { "yes" } else { "no" }
            )
        }
        Err(e) => format!("lo's offloads could not be read ({e})"),
    };
    let of = |m: Method| writes.iter().find(|w| w.method == m).map_or(0, |w| w.changed);
    let summary = format!(
        "after the file changed, the receiver read {} of sendfile's bytes with the new \
         content (the socket held the page cache's pages), {} of the loop's (copies); {device}",
        format_bytes(of(Method::Sendfile) as f64),
        format_bytes(of(LOOP) as f64),
    );
    Ok(Measured::new(ev, summary))
}

const SF_SENT: &str = "bytes sent before the file changed, sendfile";
const SF_CHANGED: &str =
    "of those, bytes the receiver read with the new content, sendfile";
const LOOP_CHANGED: &str =
    "of those, bytes the receiver read with the new content, read/write 64 KiB";

/// Confirmed when every byte sendfile sent showed the later write (the socket
/// held page-cache pages) while the loop's copies did not; refuted when none
/// did (the kernel copied).
pub const C002_03: Rule = Rule {
    says: "confirmed when every byte sendfile sent was read with the file's later content \
           (socket buffers held the page cache's pages) while the loop's copies kept the old \
           content; refuted when none of sendfile's bytes changed (the kernel copied them); \
           unverifiable when the control changed too or only part did",
    inputs: &[SF_SENT, SF_CHANGED, LOOP_CHANGED],
    thresholds: &[],
    decide: |f| {
        let (sent, changed) = (f.get(SF_SENT), f.get(SF_CHANGED));
        if f.get(LOOP_CHANGED) > 0.0 {
            Verdict::unverifiable(
                "the loop's copies showed the later write too: the test cannot tell pages \
                 from copies here",
            )
        } else if changed == 0.0 {
            Verdict::Refuted
        } else if changed >= sent {
            Verdict::Confirmed
        } else {
            Verdict::unverifiable("only part of sendfile's bytes showed the later write")
        }
    },
    examples: &[
        example(
            &[(LOOP_CHANGED, 0.0), (SF_SENT, 16384.0), (SF_CHANGED, 16384.0)],
            Confirmed,
        ),
        example(&[(LOOP_CHANGED, 0.0), (SF_SENT, 16384.0), (SF_CHANGED, 0.0)], Refuted),
        example(
            &[(LOOP_CHANGED, 16384.0), (SF_SENT, 16384.0), (SF_CHANGED, 16384.0)],
            Unverifiable,
        ),
        example(
            &[(LOOP_CHANGED, 0.0), (SF_SENT, 16384.0), (SF_CHANGED, 4096.0)],
            Unverifiable,
        ),
    ],
};

/// D02: `tcpConn.Fd()` does not compile, and Go's `io.Copy` already
/// sendfiles. Both are facts of Go's API that no Rust program can show.
pub fn d02_go_api() -> Verdict {
    Verdict::not_applicable(
        "A Go API fact: *net.TCPConn has no Fd() method, and Go's io.Copy(tcpConn, file) \
         already uses sendfile, so the raw call is both broken and unneeded in Go. Neither \
         half can be compiled or run from Rust.",
        "TcpStream implements AsFd, so the raw call compiles in Rust; and it is needed, \
         because std::io::copy File → TcpStream reads through an 8 KiB buffer (measured) \
         instead of calling sendfile",
    )
}

/// D02's Rust analogue: std's `io::copy` File → TcpStream against
/// `sendfile_all`, counted.
pub fn d02_rust_analogue(ctx: &Ctx) -> Result<Measured, CheckError> {
    let c = figures::counts(ctx)?;
    let mut ev = counts_evidence(c);
    for m in Counts::METHODS {
        record(&mut ev, c.of(m));
    }
    let io = c.of(Method::StdIoCopy);
    let summary = format!(
        "std::io::copy File → TcpStream: {} read syscalls per {} transfer ({} through user \
         space); sendfile_all: {}",
        io.syscr_per_transfer(),
        format_bytes(c.size as f64),
        format_bytes(io.user_bytes_per_transfer()),
        c.of(Method::Sendfile).syscr_per_transfer(),
    );
    Ok(Measured::new(ev, summary))
}

/// C000-22: "io.Copy between files is efficient". Counts std's `io::copy`
/// File → File beside `copy_file_range_all` and a 64 KiB loop.
pub fn c000_22_file_to_file(ctx: &Ctx) -> Result<Measured, CheckError> {
    let (fc, dir) = figures::file_copy(ctx)?;
    let mut ev = Evidence::new(format!(
        "{} file → a new file in the same directory ({dir})",
        format_bytes(fc.size as f64)
    ));
    ev.add("file size", fc.size as f64, Unit::Bytes);
    ev.add("std::io::copy: read-family syscalls", fc.std_reads as f64, Unit::Count);
    ev.add("std::io::copy: write-family syscalls", fc.std_writes as f64, Unit::Count);
    ev.add("copy_file_range_all: calls", fc.cfr_calls as f64, Unit::Count);
    ev.add(
        "copy_file_range_all fell back to a user-space loop",
        flag(fc.cfr_fell_back),
        Unit::Bool,
    );
    ev.add(
        "64 KiB read/write loop: read-family syscalls",
        fc.loop_reads as f64,
        Unit::Count,
    );
    let summary = format!(
        "std::io::copy File → File made {} read-family syscall(s) for {} (copy_file_range \
         makes {}), a 64 KiB loop {}",
        fc.std_reads,
        format_bytes(fc.size as f64),
        fc.cfr_calls,
        fc.loop_reads
    );
    Ok(Measured::new(ev, summary))
}

const STD_READS: &str = "std::io::copy: read-family syscalls";
const CFR_CALLS: &str = "copy_file_range_all: calls";

/// Confirmed when std's copy made no more read-family calls than the kernel
/// copy (plus its end-of-file probe).
pub const C000_22: Rule = Rule {
    says: "confirmed when std::io::copy File → File made at most the kernel copy's calls + \
           probe_calls read-family syscalls (it used copy_file_range); refuted when it made \
           more (a user-space loop)",
    inputs: &[STD_READS, CFR_CALLS],
    thresholds: &[Threshold {
        name: "probe_calls",
        value: 1.0,
        unit: Unit::Count,
        source: "std's copy_file_range loop ends with one more call, which returns 0 at end \
                 of file",
    }],
    decide: |f| {
        f.confirmed_if(f.get(STD_READS) <= f.get(CFR_CALLS) + f.limit("probe_calls"))
    },
    examples: &[
        example(&[(STD_READS, 1.0), (CFR_CALLS, 1.0)], Confirmed),
        example(&[(STD_READS, 2.0), (CFR_CALLS, 1.0)], Confirmed),
        example(&[(STD_READS, 2049.0), (CFR_CALLS, 1.0)], Refuted),
    ],
};

/// C001-26 and D36: seed 001's `io.Copy(bytes.Buffer, strings.Reader)`,
/// in Rust: std::io::copy from a `&[u8]` into a `Vec<u8>`, and two ways to
/// share bytes without copying.
pub fn c001_26_in_memory_copy(ctx: &Ctx) -> Result<Measured, CheckError> {
    let m = figures::in_memory(ctx)?;
    let mut ev = Evidence::new(
        "seed 001's io.Copy(bytes.Buffer, strings.Reader), in Rust: std::io::copy from a \
         1 MiB &[u8] into a Vec<u8>; then two ways to share the bytes without copying",
    );
    ev.add("bytes copied by std::io::copy", m.copied as f64, Unit::Bytes);
    ev.add("heap bytes it allocated for them", m.heap as f64, Unit::Bytes);
    ev.add("destination is a different buffer", flag(m.different_buffer), Unit::Bool);
    ev.add("a borrowed &[u8]: same memory", flag(m.borrow_same), Unit::Bool);
    ev.add("a borrowed &[u8]: heap bytes", m.borrow_heap as f64, Unit::Bytes);
    ev.add("bytes::Bytes::slice: same memory", flag(m.slice_same), Unit::Bool);
    ev.add(
        "bytes::Bytes::slice: heap bytes (a reference count, not the data)",
        m.slice_heap as f64,
        Unit::Bytes,
    );
    let summary = format!(
        "std::io::copy into a Vec copied {} into {} of new heap; a borrow or a \
         Bytes::slice shares the same memory",
        format_bytes(m.copied as f64),
        format_bytes(m.heap as f64)
    );
    Ok(Measured::new(ev, summary))
}

const COPIED: &str = "bytes copied by std::io::copy";
const COPY_HEAP: &str = "heap bytes it allocated for them";
const DIFFERENT: &str = "destination is a different buffer";

/// A copy into new memory: a different buffer, with heap for every byte.
fn copied_into_new_memory(f: &crate::claims::Facts<'_>) -> bool {
    f.get(DIFFERENT) != 0.0 && f.get(COPY_HEAP) >= f.get(COPIED)
}

/// Refuted when the "zero-copy" io::copy put every byte in a new buffer.
pub const C001_26: Rule = Rule {
    says: "refuted when std::io::copy wrote into a different buffer with heap for every \
           byte copied; confirmed when the destination shared the source's memory",
    inputs: &[COPIED, COPY_HEAP, DIFFERENT],
    thresholds: &[],
    decide: |f| f.confirmed_if(!copied_into_new_memory(f)),
    examples: &[
        example(
            &[(DIFFERENT, 1.0), (COPY_HEAP, 1048576.0), (COPIED, 1048576.0)],
            Refuted,
        ),
        example(&[(DIFFERENT, 0.0), (COPY_HEAP, 0.0), (COPIED, 1048576.0)], Confirmed),
    ],
};

/// D36: reproduced when the example labelled zero-copy copied every byte.
pub const D36: Rule = Rule {
    says: "reproduced when std::io::copy wrote into a different buffer with heap for \
           every byte copied (one memcpy, not zero-copy); not reproduced when it shared \
           the source's memory",
    inputs: &[COPIED, COPY_HEAP, DIFFERENT],
    thresholds: &[],
    decide: |f| f.confirmed_if(copied_into_new_memory(f)),
    examples: &[
        example(
            &[(DIFFERENT, 1.0), (COPY_HEAP, 1048576.0), (COPIED, 1048576.0)],
            Confirmed,
        ),
        example(&[(DIFFERENT, 1.0), (COPY_HEAP, 0.0), (COPIED, 1048576.0)], Refuted),
    ],
};
