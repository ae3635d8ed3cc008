//! Small workloads to run under an external tool (`strace -c`, `perf stat`,
//! valgrind's callgrind) from the example: `--demo read-loop` and so on.
//! Each does one thing a known number of times and says what it did, so the
//! tool's count can be read against it (see the book's "Kernel counters and
//! external tools" page).

use super::counters::{self, ReadMethod, TempFile};
use super::{elision, seed_port};
use std::io;

/// A workload for an external tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Demo {
    /// Read a 1 MiB file with a 64 KiB buffer.
    ReadLoop,
    /// Write once to every page of 64 MiB of fresh memory.
    Touch,
    /// 1,000,000 iterations of `vec![0u8; 1024]`, never used.
    AllocUnused,
    /// The same with `black_box`.
    AllocKept,
}

/// Iterations of the allocation demos: a million, so callgrind's count reads
/// directly as instructions per iteration.
pub const DEMO_ITERS: u64 = 1_000_000;

impl Demo {
    /// Runs the workload and returns one line saying what it did.
    pub fn run(self) -> io::Result<String> {
        Ok(match self {
            Demo::ReadLoop => {
                let file = TempFile::new(1 << 20)?;
                let (bytes, c) =
                    counters::read_counts(file.path(), ReadMethod::Loop(64 << 10))?;
                format!(
                    "demo read-loop: {bytes} bytes, syscr {} (own /proc reads excluded)",
                    c.syscr
                )
            }
            Demo::Touch => {
                let t = counters::touch_counts(64 << 20)?;
                format!(
                    "demo touch: 64 MiB, {} minor faults on this thread",
                    t.minor_faults
                )
            }
            Demo::AllocUnused => {
                seed_port::make_1024_unused(DEMO_ITERS);
                format!("demo alloc-unused: {DEMO_ITERS} iterations")
            }
            Demo::AllocKept => {
                elision::make_1024_kept(DEMO_ITERS);
                format!("demo alloc-kept: {DEMO_ITERS} iterations")
            }
        })
    }
}
