//! Go rules for chapter 1, "Zero-copy I/O": what `io.Copy`, one raw
//! `sendfile` or `splice` call, and a copy loop do on Go's sockets, counted
//! by read-family syscalls on the sending thread (`go/zero_copy`).

use super::{YES, at_least};
use crate::claims::{Outcome::*, Rule, Threshold, Unit, Verdict, example};

/// io.Copy's own buffer: a copy through user space makes at least
/// size ÷ this many reads.
const BUFFER: Threshold = Threshold {
    name: "copy_buffer",
    value: 32768.0,
    unit: Unit::Bytes,
    source: "io.Copy's buffer (32 KiB, io.copyBuffer): a copy through user space reads \
             at most this much per syscall",
};

/// C000-01: a traditional transfer copies the data through user space.
pub const C000_01: Rule = Rule {
    says: "confirmed when the 64 KiB read/write loop makes at least one read per \
           loop_buffer of the file (every byte passes through user space); refuted when \
           it makes fewer",
    inputs: &["64 KiB read/write loop: read-family syscalls", "file size"],
    thresholds: &[Threshold {
        name: "loop_buffer",
        value: 65536.0,
        unit: Unit::Bytes,
        source: "the loop's buffer: one read brings at most this much into user space",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("64 KiB read/write loop: read-family syscalls")
                * f.limit("loop_buffer")
                >= f.get("file size"),
        )
    },
    examples: &[
        example(
            &[
                ("64 KiB read/write loop: read-family syscalls", 257.0),
                ("file size", 16777216.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("64 KiB read/write loop: read-family syscalls", 2.0),
                ("file size", 16777216.0),
            ],
            Refuted,
        ),
    ],
};

/// C000-02: zero-copy moves the data with no user-space copy. In Go,
/// io.Copy does so for an *os.File into a *net.TCPConn, and only then.
pub const C000_02: Rule = Rule {
    says: "a path is zero-copy when its read-family syscalls times copy_buffer stay under \
           the file size (fewer calls than a user-space copy needs); holds only when io.Copy \
           gets the file and the connection themselves, if only that path is; confirmed \
           when both are; refuted when neither",
    inputs: &[
        "io.Copy(conn, file): read-family syscalls",
        "io.Copy through plain Reader/Writer: read-family syscalls",
        "file size",
    ],
    thresholds: &[BUFFER],
    decide: |f| {
        let size = f.get("file size");
        let buf = f.limit("copy_buffer");
        let direct = f.get("io.Copy(conn, file): read-family syscalls") * buf < size;
        let plain = f.get("io.Copy through plain Reader/Writer: read-family syscalls")
            * buf
            < size;
        match (direct, plain) {
            (true, true) => Verdict::Confirmed,
            (true, false) => f.holds_only_when(
                "io.Copy is handed the *os.File and the *net.TCPConn themselves (it then calls \
                 sendfile); through any other Reader or Writer it copies through its buffer",
                "io.Copy(conn, file): read-family syscalls",
                "io.Copy through plain Reader/Writer: read-family syscalls",
            ),
            _ => Verdict::Refuted,
        }
    },
    examples: &[
        example(
            &[
                ("io.Copy(conn, file): read-family syscalls", 12.0),
                ("io.Copy through plain Reader/Writer: read-family syscalls", 513.0),
                ("file size", 16777216.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("io.Copy(conn, file): read-family syscalls", 12.0),
                ("io.Copy through plain Reader/Writer: read-family syscalls", 10.0),
                ("file size", 16777216.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("io.Copy(conn, file): read-family syscalls", 513.0),
                ("io.Copy through plain Reader/Writer: read-family syscalls", 513.0),
                ("file size", 16777216.0),
            ],
            Refuted,
        ),
    ],
};

/// C002-01: sendfile sends without going through user space.
pub const C002_01: Rule = Rule {
    says: "confirmed when the sendfile loop's syscalls times copy_buffer stay under the file \
           size (the bytes never came up into a buffer); refuted otherwise",
    inputs: &["syscall.Sendfile loop: read-family syscalls", "file size"],
    thresholds: &[BUFFER],
    decide: |f| {
        f.confirmed_if(
            f.get("syscall.Sendfile loop: read-family syscalls") * f.limit("copy_buffer")
                < f.get("file size"),
        )
    },
    examples: &[
        example(
            &[
                ("syscall.Sendfile loop: read-family syscalls", 11.0),
                ("file size", 16777216.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("syscall.Sendfile loop: read-family syscalls", 600.0),
                ("file size", 16777216.0),
            ],
            Refuted,
        ),
    ],
};

/// C000-03: one `syscall.Sendfile` call sends the whole file.
pub const C000_03: Rule = Rule {
    says: "confirmed when one sendfile call on Go's (non-blocking) socket sent the whole \
           file; refuted when it sent less",
    inputs: &["one call: bytes sent", "file size"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("one call: bytes sent") >= f.get("file size")),
    examples: &[
        example(
            &[("one call: bytes sent", 16777216.0), ("file size", 16777216.0)],
            Confirmed,
        ),
        example(
            &[("one call: bytes sent", 3922432.0), ("file size", 16777216.0)],
            Refuted,
        ),
    ],
};

/// D01: a short count reported as an error, with no loop.
pub const D01: Rule = Rule {
    says: "reproduced when one call sent less than the file, the seed's check calls that an \
           error, and a loop delivers it all",
    inputs: &[
        "one call: bytes sent",
        "file size",
        "one call: the seed's check reports an error",
        "loop: bytes delivered",
    ],
    thresholds: &[],
    decide: |f| {
        let size = f.get("file size");
        f.confirmed_if(
            f.get("one call: bytes sent") < size
                && f.get("one call: the seed's check reports an error") > 0.5
                && f.get("loop: bytes delivered") >= size,
        )
    },
    examples: &[
        example(
            &[
                ("one call: bytes sent", 3922432.0),
                ("file size", 16777216.0),
                ("one call: the seed's check reports an error", 1.0),
                ("loop: bytes delivered", 16777216.0),
            ],
            Confirmed,
        ),
        example(
            &[("one call: bytes sent", 16777216.0), ("file size", 16777216.0)],
            Refuted,
        ),
    ],
};

/// C000-04: `ServeFile` serves only files under its root.
pub const C000_04: Rule = Rule {
    says: "confirmed when string concatenation of root and name leaked no file from \
           outside the root; refuted when it leaked one",
    inputs: &["concatenation: secrets leaked"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("concatenation: secrets leaked") < 1.0),
    examples: &[
        example(&[("concatenation: secrets leaked", 0.0)], Confirmed),
        example(&[("concatenation: secrets leaked", 7.0)], Refuted),
    ],
};

/// D03: path traversal.
pub const D03: Rule = Rule {
    says: "reproduced when string concatenation leaked the file outside the root for at \
           least one hostile name",
    inputs: &["concatenation: secrets leaked"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("concatenation: secrets leaked") >= 1.0),
    examples: &[
        example(&[("concatenation: secrets leaked", 7.0)], Confirmed),
        example(&[("concatenation: secrets leaked", 0.0)], Refuted),
    ],
};

/// C000-05: the splice pair does zero-copy file → socket.
pub const C000_05: Rule = Rule {
    says: "confirmed when the receiver got everything one splice per side was asked to move; \
           refuted when it got less",
    inputs: &["receiver got", "requested"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("receiver got") >= f.get("requested")),
    examples: &[
        example(&[("receiver got", 1048576.0), ("requested", 1048576.0)], Confirmed),
        example(&[("receiver got", 65536.0), ("requested", 1048576.0)], Refuted),
    ],
};

/// D04: splice without a loop truncates silently.
pub const D04: Rule = Rule {
    says: "reproduced when the receiver got less than requested and the seed's function \
           reported success",
    inputs: &["receiver got", "requested", "the seed's function reports success"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("receiver got") < f.get("requested")
                && f.get("the seed's function reports success") > 0.5,
        )
    },
    examples: &[
        example(
            &[
                ("receiver got", 65536.0),
                ("requested", 1048576.0),
                ("the seed's function reports success", 1.0),
            ],
            Confirmed,
        ),
        example(&[("receiver got", 1048576.0), ("requested", 1048576.0)], Refuted),
    ],
};

/// C000-22: io.Copy between files is efficient.
pub const C000_22: Rule = Rule {
    says: "confirmed when io.Copy(file, file) makes fewer read-family syscalls than a \
           user-space copy through copy_buffer would (the kernel copies); refuted otherwise",
    inputs: &["io.Copy(file, file): read-family syscalls", "file size"],
    thresholds: &[BUFFER],
    decide: |f| {
        f.confirmed_if(
            f.get("io.Copy(file, file): read-family syscalls") * f.limit("copy_buffer")
                < f.get("file size"),
        )
    },
    examples: &[
        example(
            &[
                ("io.Copy(file, file): read-family syscalls", 1.0),
                ("file size", 16777216.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("io.Copy(file, file): read-family syscalls", 513.0),
                ("file size", 16777216.0),
            ],
            Refuted,
        ),
    ],
};

/// C001-26: io.Copy from a strings.Reader to a bytes.Buffer is zero-copy.
pub const C001_26: Rule = at_least! {
    says: "confirmed when the buffer shares the string's memory; refuted when it holds a \
           copy of its own",
    input: "the buffer shares the string's memory",
    threshold: "yes" = YES, Unit::Bool, "a yes/no figure: 1 is yes",
    at_or_above: Confirmed(1.0),
    below: Refuted(0.0),
};

/// D36: labelled zero-copy, but one memcpy.
pub const D36: Rule = Rule {
    says: "reproduced when the buffer does not share the string's memory (the bytes were \
           copied)",
    inputs: &["the buffer shares the string's memory"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("the buffer shares the string's memory") < YES),
    examples: &[
        example(&[("the buffer shares the string's memory", 0.0)], Confirmed),
        example(&[("the buffer shares the string's memory", 1.0)], Refuted),
    ],
};

const MIN_GAIN: Threshold = Threshold {
    name: "min_gain",
    value: 1.5,
    unit: Unit::Ratio,
    source: "seed 002's lowest throughput target, +50% (§1.5.1.1.5.1, L109)",
};

/// C002-02: Go can do zero-copy through syscalls, "significantly" improving
/// performance.
pub const C002_02: Rule = Rule {
    says: "confirmed when the hand-written sendfile beats both a user-space copy and \
           io.Copy by min_gain; holds only when compared with a user-space copy, when it \
           beats that one only (io.Copy already uses sendfile); refuted when it beats \
           neither",
    inputs: &[
        "throughput, explicit sendfile ÷ user-space copy",
        "throughput, explicit sendfile ÷ io.Copy(conn, file)",
    ],
    thresholds: &[MIN_GAIN],
    decide: |f| {
        let gain = f.limit("min_gain");
        let over_user = f.get("throughput, explicit sendfile ÷ user-space copy") >= gain;
        let over_copy =
            f.get("throughput, explicit sendfile ÷ io.Copy(conn, file)") >= gain;
        match (over_user, over_copy) {
            (true, true) => Verdict::Confirmed,
            (true, false) => f.holds_only_when(
                "the comparison is with a copy through user space; io.Copy(conn, file) already \
                 uses sendfile, and the hand-written syscall gains nothing on it",
                "throughput, explicit sendfile ÷ user-space copy",
                "throughput, explicit sendfile ÷ io.Copy(conn, file)",
            ),
            _ => Verdict::Refuted,
        }
    },
    examples: &[
        example(
            &[
                ("throughput, explicit sendfile ÷ user-space copy", 2.0),
                ("throughput, explicit sendfile ÷ io.Copy(conn, file)", 2.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("throughput, explicit sendfile ÷ user-space copy", 2.0),
                ("throughput, explicit sendfile ÷ io.Copy(conn, file)", 1.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("throughput, explicit sendfile ÷ user-space copy", 1.1),
                ("throughput, explicit sendfile ÷ io.Copy(conn, file)", 0.9),
            ],
            Refuted,
        ),
    ],
};

/// C002-07: target: throughput +50–200%.
pub const C002_07: Rule = at_least! {
    says: "confirmed when sendfile's throughput reaches min_gain × a user-space copy's; \
           refuted below",
    input: "throughput, explicit sendfile ÷ user-space copy",
    threshold: "min_gain" = 1.5, Unit::Ratio,
        "seed 002's lowest throughput target, +50% (§1.5.1.1.5.1, L109)",
    at_or_above: Confirmed(2.0),
    below: Refuted(1.1),
};

/// C002-12: use object pools for buffers.
pub const C002_12: Rule = Rule {
    says: "refuted when the sendfile path allocates less than one copy_buffer per transfer \
           (there is no buffer to pool); confirmed when it allocates one or more",
    inputs: &["io.Copy(conn, file): heap bytes per transfer"],
    thresholds: &[BUFFER],
    decide: |f| {
        f.confirmed_if(
            f.get("io.Copy(conn, file): heap bytes per transfer")
                >= f.limit("copy_buffer"),
        )
    },
    examples: &[
        example(&[("io.Copy(conn, file): heap bytes per transfer", 8.0)], Refuted),
        example(&[("io.Copy(conn, file): heap bytes per transfer", 32768.0)], Confirmed),
    ],
};

/// D52: a buffer pool for a sendfile server.
pub const D52: Rule = Rule {
    says: "reproduced when the sendfile path allocates less than one copy_buffer per \
           transfer (a pool would hold buffers nothing uses)",
    inputs: &["io.Copy(conn, file): heap bytes per transfer"],
    thresholds: &[BUFFER],
    decide: |f| {
        f.confirmed_if(
            f.get("io.Copy(conn, file): heap bytes per transfer")
                < f.limit("copy_buffer"),
        )
    },
    examples: &[
        example(&[("io.Copy(conn, file): heap bytes per transfer", 8.0)], Confirmed),
        example(&[("io.Copy(conn, file): heap bytes per transfer", 40000.0)], Refuted),
    ],
};

/// C002-13: handle missing files and dropped connections.
pub const C002_13: Rule = Rule {
    says: "confirmed when writing to a closed peer returns EPIPE or ECONNRESET as an error \
           value and the process survives (so the advice can be followed); refuted otherwise",
    inputs: &[
        "the child survived (exit status 0)",
        "the write returned EPIPE or ECONNRESET",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("the child survived (exit status 0)") > YES
                && f.get("the write returned EPIPE or ECONNRESET") > YES,
        )
    },
    examples: &[
        example(
            &[
                ("the child survived (exit status 0)", 1.0),
                ("the write returned EPIPE or ECONNRESET", 1.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("the child survived (exit status 0)", 0.0),
                ("the write returned EPIPE or ECONNRESET", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// D02: `tcpConn.Fd()` does not exist, and io.Copy already sends with
/// sendfile.
pub const D02: Rule = Rule {
    says: "reproduced when *net.TCPConn has no Fd method and io.Copy(conn, file) makes fewer \
           read-family syscalls than a copy through copy_buffer (it already uses sendfile)",
    inputs: &[
        "*net.TCPConn has Fd()",
        "io.Copy(conn, file): read-family syscalls",
        "file size",
    ],
    thresholds: &[BUFFER],
    decide: |f| {
        if f.get("*net.TCPConn has Fd()") > YES {
            return Verdict::Refuted;
        }
        f.confirmed_if(
            f.get("io.Copy(conn, file): read-family syscalls") * f.limit("copy_buffer")
                < f.get("file size"),
        )
    },
    examples: &[
        example(
            &[
                ("*net.TCPConn has Fd()", 0.0),
                ("io.Copy(conn, file): read-family syscalls", 12.0),
                ("file size", 16777216.0),
            ],
            Confirmed,
        ),
        example(&[("*net.TCPConn has Fd()", 1.0)], Refuted),
        example(
            &[
                ("*net.TCPConn has Fd()", 0.0),
                ("io.Copy(conn, file): read-family syscalls", 513.0),
                ("file size", 16777216.0),
            ],
            Refuted,
        ),
    ],
};

/// D06: an unchecked type assertion.
pub const D06: Rule = Rule {
    says: "reproduced when conn.(*net.TCPConn) panics on a Unix-socket connection",
    inputs: &["unchecked assertion panics"],
    thresholds: &[],
    decide: |f| f.confirmed_if(f.get("unchecked assertion panics") > YES),
    examples: &[
        example(&[("unchecked assertion panics", 1.0)], Confirmed),
        example(&[("unchecked assertion panics", 0.0)], Refuted),
    ],
};

/// C002-09: target: memory use −40–80%.
pub const C002_09: Rule = Rule {
    says: "confirmed when the sendfile path's heap per transfer is at least min_cut below the \
           user-space copy's (the buffers a connection needs); refuted when the cut is smaller",
    inputs: &[
        "io.Copy(conn, file): heap bytes per transfer",
        "io.Copy through plain Reader/Writer: heap bytes per transfer",
    ],
    thresholds: &[Threshold {
        name: "min_cut",
        value: 0.4,
        unit: Unit::Fraction,
        source: "seed 002's lowest memory target, −40% (§1.5.1.1.5.1, L111)",
    }],
    decide: |f| {
        let sendfile = f.get("io.Copy(conn, file): heap bytes per transfer");
        let copy = f.get("io.Copy through plain Reader/Writer: heap bytes per transfer");
        f.confirmed_if(copy > 0.0 && 1.0 - sendfile / copy >= f.limit("min_cut"))
    },
    examples: &[
        example(
            &[
                ("io.Copy(conn, file): heap bytes per transfer", 8.0),
                ("io.Copy through plain Reader/Writer: heap bytes per transfer", 32800.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("io.Copy(conn, file): heap bytes per transfer", 30000.0),
                ("io.Copy through plain Reader/Writer: heap bytes per transfer", 32800.0),
            ],
            Refuted,
        ),
    ],
};
