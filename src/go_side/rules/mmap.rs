//! Go rules for chapter 7, "mmap and large buffers": seed 004's subject,
//! `make([]byte, n)` for large n, measured in a fresh Go process (time,
//! page faults and RSS at allocation and at first touch, fresh and recycled
//! memory), against `syscall.Mmap`; and the seed's finalizer, fallback and
//! monitoring plans run in Go (`go/mmap`, `go/internal/bigalloc`).

use super::{ONE_ERROR, YES, at_least};
use crate::claims::{Outcome::*, Rule, Threshold, Unit, Verdict, example};

/// C004-01: "1 GB buffer: 1595 ms before; target < 50 ms".
pub const C004_01: Rule = at_least! {
    says: "confirmed when a fresh make([]byte, n) of the largest size takes max_alloc or more \
           (the slowness the seed reports); refuted when Go already meets the seed's target",
    input: "make largest: allocation",
    threshold: "max_alloc" = 50e6, Unit::Nanos, "seed 004's own target, < 50 ms (优化目标, L7)",
    at_or_above: Confirmed(1595e6),
    below: Refuted(864e3),
};

const PAGES_SHARE: Threshold = Threshold {
    name: "most_pages",
    value: 0.9,
    unit: Unit::Fraction,
    source: "nine pages in ten: 'every byte' allowing for pages the runtime touched for its \
             own metadata",
};

const FEW_PAGES: Threshold = Threshold {
    name: "few_pages",
    value: 0.01,
    unit: Unit::Fraction,
    source: "one page in a hundred: what the runtime's own metadata touches",
};

/// C004-02 (make immediately zero-fills every byte) and C004-03 (the CPU
/// has to write 1 GB).
pub const ZERO_FILL: Rule = Rule {
    says: "confirmed when a fresh make faults in most_pages of the buffer while allocating (it \
           writes them); holds only when the memory is recycled, when a make on freed, resident \
           memory of the same address faults at most few_pages yet hands out zeros where the \
           old data was (the runtime cleared it) while the fresh make wrote nothing; refuted \
           otherwise",
    inputs: &[
        "make touched: faults during allocation",
        "pages in the touched size",
        "recycled make touched: same memory as the freed buffer",
        "recycled make touched: faults reading every page",
        "recycled make touched: pages holding old data",
        "recycled make touched: allocation",
        "make touched: allocation",
    ],
    thresholds: &[PAGES_SHARE, FEW_PAGES],
    decide: |f| {
        let pages = f.get("pages in the touched size");
        if f.get("make touched: faults during allocation")
            >= f.limit("most_pages") * pages
        {
            return Verdict::Confirmed;
        }
        let cleared = f.get("recycled make touched: same memory as the freed buffer")
            > YES
            && f.get("recycled make touched: faults reading every page")
                <= f.limit("few_pages") * pages
            && f.get("recycled make touched: pages holding old data") == 0.0;
        if cleared {
            f.holds_only_when(
                "the memory is recycled: the runtime clears memory it has used before (here at \
                 memory speed, every page), and leaves fresh memory from the OS to the kernel's \
                 lazy zero pages",
                "recycled make touched: allocation",
                "make touched: allocation",
            )
        } else {
            Verdict::Refuted
        }
    },
    examples: &[
        example(
            &[
                ("make touched: faults during allocation", 65536.0),
                ("pages in the touched size", 65536.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("make touched: faults during allocation", 83.0),
                ("pages in the touched size", 65536.0),
                ("recycled make touched: same memory as the freed buffer", 1.0),
                ("recycled make touched: faults reading every page", 0.0),
                ("recycled make touched: pages holding old data", 0.0),
                ("recycled make touched: allocation", 36e6),
                ("make touched: allocation", 0.37e6),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("make touched: faults during allocation", 83.0),
                ("pages in the touched size", 65536.0),
                ("recycled make touched: same memory as the freed buffer", 0.0),
                ("recycled make touched: faults reading every page", 0.0),
                ("recycled make touched: pages holding old data", 0.0),
            ],
            Refuted,
        ),
    ],
};

/// C004-04: it triggers a large number of page allocations.
pub const C004_04: Rule = Rule {
    says: "confirmed when allocating and then writing the buffer takes at least one fault per \
           huge_page of it (the fewest that can map it); refuted otherwise",
    inputs: &[
        "make touched: faults during allocation",
        "make touched: faults at first touch",
        "pages in the touched size",
    ],
    thresholds: &[Threshold {
        name: "huge_page",
        value: 512.0,
        unit: Unit::Count,
        source: "4 KiB pages per 2 MiB huge page: with transparent huge pages a fault maps 512",
    }],
    decide: |f| {
        let faults = f.get("make touched: faults during allocation")
            + f.get("make touched: faults at first touch");
        f.confirmed_if(
            faults * f.limit("huge_page") >= f.get("pages in the touched size"),
        )
    },
    examples: &[
        example(
            &[
                ("make touched: faults during allocation", 83.0),
                ("make touched: faults at first touch", 65537.0),
                ("pages in the touched size", 65536.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("make touched: faults during allocation", 0.0),
                ("make touched: faults at first touch", 10.0),
                ("pages in the touched size", 65536.0),
            ],
            Refuted,
        ),
    ],
};

/// C004-07: "1 MB 3 ms … 100 MB 184 ms … 1 GB 1595 ms".
pub const C004_07: Rule = Rule {
    says: "confirmed when a fresh make of the largest size measured takes at least a tenth \
           (within_10x) of the seed's figure for that size (seed_100mb for 100 MiB, seed_1gb for \
           1 GiB); refuted when it is more than ten times faster",
    inputs: &["make largest: allocation", "largest size"],
    thresholds: &[
        Threshold {
            name: "seed_100mb",
            value: 184e6,
            unit: Unit::Nanos,
            source: "seed 004's table, 100 MB: 184 ms (测试数据, L32)",
        },
        Threshold {
            name: "seed_1gb",
            value: 1595e6,
            unit: Unit::Nanos,
            source: "seed 004's table, 1 GB: 1595 ms (测试数据, L35)",
        },
        Threshold {
            name: "within_10x",
            value: 0.1,
            unit: Unit::Ratio,
            source: "a tenth of the seed's figure: an order of magnitude, far beyond timing noise",
        },
    ],
    decide: |f| {
        let seed = if f.get("largest size") >= (1u64 << 30) as f64 {
            f.limit("seed_1gb")
        } else {
            f.limit("seed_100mb")
        };
        f.confirmed_if(f.get("make largest: allocation") >= f.limit("within_10x") * seed)
    },
    examples: &[
        example(
            &[("make largest: allocation", 0.86e6), ("largest size", 1073741824.0)],
            Refuted,
        ),
        example(
            &[("make largest: allocation", 1500e6), ("largest size", 1073741824.0)],
            Confirmed,
        ),
        example(
            &[("make largest: allocation", 0.43e6), ("largest size", 104857600.0)],
            Refuted,
        ),
        example(
            &[("make largest: allocation", 150e6), ("largest size", 104857600.0)],
            Confirmed,
        ),
    ],
};

/// C004-08: mmap allocates virtual memory and relies on lazy allocation.
pub const C004_08: Rule = Rule {
    says: "confirmed when mapping faults at most few_pages of the mapping and adds at most \
           few_pages of it to RSS; refuted otherwise",
    inputs: &[
        "mmap touched: faults during allocation",
        "mmap touched: RSS added",
        "pages in the touched size",
    ],
    thresholds: &[FEW_PAGES],
    decide: |f| {
        let pages = f.get("pages in the touched size");
        let few = f.limit("few_pages");
        f.confirmed_if(
            f.get("mmap touched: faults during allocation") <= few * pages
                && f.get("mmap touched: RSS added") <= few * pages * 4096.0,
        )
    },
    examples: &[
        example(
            &[
                ("mmap touched: faults during allocation", 1.0),
                ("mmap touched: RSS added", 4096.0),
                ("pages in the touched size", 65536.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("mmap touched: faults during allocation", 65536.0),
                ("mmap touched: RSS added", 268435456.0),
                ("pages in the touched size", 65536.0),
            ],
            Refuted,
        ),
    ],
};

/// C004-09: make() grabs physical memory at once; mmap only reserves.
pub const C004_09: Rule = Rule {
    says: "confirmed when a fresh make of the largest size adds at least half of it to RSS \
           (it took physical memory at once); refuted when it adds less (it only reserved, as \
           mmap does)",
    inputs: &["make largest: RSS added", "largest size"],
    thresholds: &[Threshold {
        name: "half",
        value: 0.5,
        unit: Unit::Fraction,
        source: "half the buffer: far from both 'reserved only' (0) and 'all of it'",
    }],
    decide: |f| {
        f.confirmed_if(
            f.get("make largest: RSS added") >= f.limit("half") * f.get("largest size"),
        )
    },
    examples: &[
        example(
            &[("make largest: RSS added", 1.1e6), ("largest size", 1073741824.0)],
            Refuted,
        ),
        example(
            &[("make largest: RSS added", 1073741824.0), ("largest size", 1073741824.0)],
            Confirmed,
        ),
    ],
};

/// C004-17: every large buffer (> 10 MB) now allocates in < 1 ms.
pub const C004_17: Rule = Rule {
    says: "confirmed when the slowest mmap above 10 MB takes less than one_ms; refuted when it \
           takes longer",
    inputs: &["slowest mmap above 10 MB"],
    thresholds: &[Threshold {
        name: "one_ms",
        value: 1e6,
        unit: Unit::Nanos,
        source: "the seed's conclusion, < 1 ms (测试1, L144)",
    }],
    decide: |f| f.confirmed_if(f.get("slowest mmap above 10 MB") < f.limit("one_ms")),
    examples: &[
        example(&[("slowest mmap above 10 MB", 2545.0)], Confirmed),
        example(&[("slowest mmap above 10 MB", 3e6)], Refuted),
    ],
};

/// C004-15 and C004-35: above 10 MB mmap clearly wins.
pub const CLEAR_WIN: Rule = at_least! {
    says: "confirmed when, counting the first write to every page, mmap beats make by \
           clear_win; refuted when it does not",
    input: "make ÷ mmap, allocation + first touch",
    threshold: "clear_win" = 2.0, Unit::Ratio, "a 2× speed-up: what 'clearly wins' can mean",
    at_or_above: Confirmed(4.0),
    below: Refuted(1.1),
};

/// C004-12: mmap memory is off the Go heap, so the GC never scans it.
pub const C004_12: Rule = Rule {
    says: "refuted when a []byte of the same size on the heap adds less than few_pages of its \
           size to what the GC scans (it was never scanned, so moving it off the heap saves no \
           scanning); confirmed when it adds more; unverifiable without Go's scan metric \
           (Go < 1.21)",
    inputs: &["make: scannable heap added", "size"],
    thresholds: &[FEW_PAGES],
    decide: |f| {
        if !f.has("make: scannable heap added") {
            return Verdict::unverifiable(
                "this Go has no /gc/scan/heap:bytes metric (it came in Go 1.21), so what the \
                 collector scans cannot be read",
            );
        }
        f.confirmed_if(
            f.get("make: scannable heap added") >= f.limit("few_pages") * f.get("size"),
        )
    },
    examples: &[
        example(&[("make: scannable heap added", 0.0), ("size", 67108864.0)], Refuted),
        example(
            &[("make: scannable heap added", 67108864.0), ("size", 67108864.0)],
            Confirmed,
        ),
        example(&[], Unverifiable),
    ],
};

const NEVER_REFUSED: &str = "this machine granted a mapping four times its memory (overcommit), \
                             so the fallback never ran";

/// C004-13 and C004-24: allocLargeBuffer falls back to make() on error.
pub const FALLBACK: Rule = Rule {
    says: "unverifiable when mmap did not fail; confirmed when the fallback make then \
           succeeded; refuted when it killed the process",
    inputs: &["mmap failed", "the fallback make succeeded"],
    thresholds: &[],
    decide: |f| {
        if f.get("mmap failed") < YES {
            return Verdict::unverifiable(NEVER_REFUSED);
        }
        f.confirmed_if(f.get("the fallback make succeeded") > YES)
    },
    examples: &[
        example(&[("mmap failed", 1.0), ("the fallback make succeeded", 0.0)], Refuted),
        example(&[("mmap failed", 1.0), ("the fallback make succeeded", 1.0)], Confirmed),
        example(&[("mmap failed", 0.0)], Unverifiable),
    ],
};

/// D61: the fallback cannot fail gracefully.
pub const D61: Rule = Rule {
    says: "unverifiable when mmap did not fail; reproduced when the fallback make ended the \
           process with a fatal error recover() cannot catch",
    inputs: &[
        "mmap failed",
        "the runtime died with a fatal error",
        "recover() caught the failure",
    ],
    thresholds: &[],
    decide: |f| {
        if f.get("mmap failed") < YES {
            return Verdict::unverifiable(NEVER_REFUSED);
        }
        f.confirmed_if(
            f.get("the runtime died with a fatal error") > YES
                && f.get("recover() caught the failure") < YES,
        )
    },
    examples: &[
        example(
            &[
                ("mmap failed", 1.0),
                ("the runtime died with a fatal error", 1.0),
                ("recover() caught the failure", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[
                ("mmap failed", 1.0),
                ("the runtime died with a fatal error", 0.0),
                ("recover() caught the failure", 1.0),
            ],
            Refuted,
        ),
        example(&[("mmap failed", 0.0)], Unverifiable),
    ],
};

/// C004-14: SetFinalizer(&data, munmap) frees the buffer safely and surely.
pub const C004_14: Rule = Rule {
    says: "refuted when the finalizer ran while the caller still held the slice, or the \
           caller's next write crashed; confirmed when neither happened",
    inputs: &[
        "seed's pattern: the finalizer ran while the caller held the slice",
        "seed's pattern: the caller's write crashed",
    ],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("seed's pattern: the finalizer ran while the caller held the slice")
                < YES
                && f.get("seed's pattern: the caller's write crashed") < YES,
        )
    },
    examples: &[
        example(
            &[
                (
                    "seed's pattern: the finalizer ran while the caller held the slice",
                    1.0,
                ),
                ("seed's pattern: the caller's write crashed", 1.0),
            ],
            Refuted,
        ),
        example(
            &[
                (
                    "seed's pattern: the finalizer ran while the caller held the slice",
                    0.0,
                ),
                ("seed's pattern: the caller's write crashed", 0.0),
            ],
            Confirmed,
        ),
    ],
};

/// D60: use-after-unmap.
pub const D60: Rule = at_least! {
    says: "reproduced when the caller's write after collections crashed",
    input: "seed's pattern: the caller's write crashed",
    threshold: "yes" = YES, Unit::Bool, "a yes/no figure: 1 is yes",
    at_or_above: Confirmed(1.0),
    below: Refuted(0.0),
};

/// C004-22: the leak risk is solved by SetFinalizer (checked with docker
/// stats).
pub const C004_22: Rule = Rule {
    says: "refuted when mappings whose owners were dropped stay mapped until a collection runs \
           (nothing off the heap starts one); confirmed when none stays",
    inputs: &["mappings left after the owners are dropped, before a collection"],
    thresholds: &[],
    decide: |f| {
        f.confirmed_if(
            f.get("mappings left after the owners are dropped, before a collection")
                < 1.0,
        )
    },
    examples: &[
        example(
            &[("mappings left after the owners are dropped, before a collection", 16.0)],
            Refuted,
        ),
        example(
            &[("mappings left after the owners are dropped, before a collection", 0.0)],
            Confirmed,
        ),
    ],
};

const PROFILE_SHARE: Threshold = Threshold {
    name: "few",
    value: 0.01,
    unit: Unit::Fraction,
    source: "a hundredth: what rounding leaves when a profile does not see the memory at all",
};

/// C004-36: /proc/<pid>/maps, docker stats and a pprof heap profile check
/// for leaks.
pub const C004_36: Rule = Rule {
    says: "refuted when the heap profile sees less than few of the mapped bytes (it cannot see \
           a mapping leak) while /proc/self/maps lists every mapping; confirmed when the \
           profile sees them",
    inputs: &["mapped: seen by the heap profile", "bytes mapped"],
    thresholds: &[PROFILE_SHARE],
    decide: |f| {
        f.confirmed_if(
            f.get("mapped: seen by the heap profile")
                >= f.limit("few") * f.get("bytes mapped"),
        )
    },
    examples: &[
        example(
            &[("mapped: seen by the heap profile", 0.0), ("bytes mapped", 67108864.0)],
            Refuted,
        ),
        example(
            &[
                ("mapped: seen by the heap profile", 67108864.0),
                ("bytes mapped", 67108864.0),
            ],
            Confirmed,
        ),
    ],
};

/// D66: neither check sees the leak.
pub const D66: Rule = Rule {
    says: "reproduced when the heap profile sees less than few of the mapped bytes",
    inputs: &["mapped: seen by the heap profile", "bytes mapped"],
    thresholds: &[PROFILE_SHARE],
    decide: |f| {
        f.confirmed_if(
            f.get("mapped: seen by the heap profile")
                < f.limit("few") * f.get("bytes mapped"),
        )
    },
    examples: &[
        example(
            &[("mapped: seen by the heap profile", 0.0), ("bytes mapped", 67108864.0)],
            Confirmed,
        ),
        example(
            &[
                ("mapped: seen by the heap profile", 67108864.0),
                ("bytes mapped", 67108864.0),
            ],
            Refuted,
        ),
    ],
};

/// C001-27: map a file and operate on it as memory.
pub const C001_27: Rule = at_least! {
    says: "confirmed when \"Hello\" copied into a shared mapping is in the file after munmap",
    input: "the file reads \"Hello\" after munmap",
    threshold: "yes" = YES, Unit::Bool, "a yes/no figure: 1 is yes",
    at_or_above: Confirmed(1.0),
    below: Refuted(0.0),
};

/// C004-26: conditional compilation with `// +build`.
pub const C004_26: Rule = Rule {
    says: "holds only when each variant lives in its own file, when go/build picks the right \
           file per GOOS but both variants in one file do not compile; confirmed when both \
           work; refuted when the file selection fails",
    inputs: &[
        "separate files: each GOOS builds exactly its own version",
        "one file: type errors",
    ],
    thresholds: &[ONE_ERROR],
    decide: |f| {
        if f.get("separate files: each GOOS builds exactly its own version") < YES {
            return Verdict::Refuted;
        }
        if f.get("one file: type errors") >= f.limit("one_error") {
            f.holds_only_when(
                "each variant lives in its own file; build constraints select files, not code \
                 within a file",
                "separate files: each GOOS builds exactly its own version",
                "one file: type errors",
            )
        } else {
            Verdict::Confirmed
        }
    },
    examples: &[
        example(
            &[
                ("separate files: each GOOS builds exactly its own version", 1.0),
                ("one file: type errors", 2.0),
            ],
            HoldsOnlyWhen,
        ),
        example(
            &[
                ("separate files: each GOOS builds exactly its own version", 1.0),
                ("one file: type errors", 0.0),
            ],
            Confirmed,
        ),
        example(
            &[("separate files: each GOOS builds exactly its own version", 0.0)],
            Refuted,
        ),
    ],
};

/// D67: both variants in one file.
pub const D67: Rule = at_least! {
    says: "reproduced when both variants in one file fail to type-check (at least one_error)",
    input: "one file: type errors",
    threshold: "one_error" = 1.0, Unit::Count, "one error from go/types: the file does not compile",
    at_or_above: Confirmed(2.0),
    below: Refuted(0.0),
};
