//! Every measurement of the chapter, taken once per run (and per size:
//! full or `--quick`) and shared by the example's tables and the claim
//! checks, so the page never shows two numbers for one fact.
//!
//! Each function measures on first use and returns the cached result after;
//! the measuring itself lives in the subject files (`matrix.rs`,
//! `memory.rs`, `ports_vs_fixes.rs` …), which know nothing of the cache.

use super::confinement::Confinement;
use super::files::{Scratch, write_pattern_file};
use super::loopback::{self, MethodRuns, Placement, Setup, reps_for};
use super::matrix::{self, Matrix};
use super::memory::{self, ConnectionHeap, PoolTiming};
use super::method::Method;
use super::page_sharing::{self, LaterWrite, Offloads};
use super::ports_vs_fixes::{
    self, Compiled, ConnectionKind, FileCopy, InMemory, ShortWrite, StaleFds, Truncation,
};
use super::robustness::{self, Errors, Sources};
use super::seed_port::{SEED_SEND_FILE_STUB, SEND_FILE_WITH_A_BODY};
use super::server::Transfer;
use crate::claims::{CheckError, Ctx, PerRun};
use crate::measure::alloc;
use std::io;

type Cached<T> = PerRun<Result<T, CheckError>>;

/// `cell`'s value for `ctx`, measured by `measure` on first use; an error
/// names `what` was being measured.
fn cached<T>(
    cell: &'static Cached<T>,
    ctx: &Ctx,
    what: &str,
    measure: impl FnOnce() -> io::Result<T>,
) -> Result<&'static T, CheckError> {
    cell.get(ctx, || measure().map_err(|e| CheckError(format!("{what}: {e}"))))
        .as_ref()
        .map_err(Clone::clone)
}

fn needs_counting_allocator() -> io::Result<()> {
    if alloc::is_installed() {
        Ok(())
    } else {
        Err(io::Error::other(
            "needs the counting allocator (perf_workbook::count_allocations!)",
        ))
    }
}

/// One transfer per method, counted: a file in the page cache sent once to
/// 127.0.0.1 by the 64 KiB loop, `std::io::copy` and sendfile.
#[derive(Debug)]
pub struct Counts {
    /// File size (bytes per transfer).
    pub size: u64,
    /// One entry per method, in [`Counts::METHODS`] order.
    pub runs: Vec<MethodRuns>,
}

impl Counts {
    /// The methods it counts.
    pub const METHODS: [Method; 3] =
        [Method::ReadWrite(64 << 10), Method::StdIoCopy, Method::Sendfile];

    /// The run of `method`.
    pub fn of(&self, method: Method) -> &MethodRuns {
        self.runs.iter().find(|r| r.method == method).expect("method counted")
    }
}

/// The counting run (`--quick`: 4 MiB; full: 16 MiB). Syscalls, bytes
/// through user space and heap bytes do not change from run to run, so one
/// transfer per method (after an untimed one) is enough.
pub fn counts(ctx: &Ctx) -> Result<&'static Counts, CheckError> {
    static CELL: Cached<Counts> = PerRun::new();
    cached(&CELL, ctx, "counting run", || {
        let size = ctx.pick(16 << 20, 4 << 20);
        let dir = Scratch::new("counts")?;
        let path = dir.join("payload.bin");
        write_pattern_file(&path, size, 1)?;
        let file = std::fs::File::open(&path)?;
        let setup = Setup::pinned(Placement::Unpinned);
        let runs = loopback::compare(setup, &Counts::METHODS, &file, size, 1, 1)?;
        Ok(Counts { size, runs })
    })
}

/// The timing matrix: every method at four sizes in two placements.
pub fn matrix(ctx: &Ctx) -> Result<&'static Matrix, CheckError> {
    static CELL: Cached<Matrix> = PerRun::new();
    cached(&CELL, ctx, "timing matrix", || matrix::measure(ctx).map_err(io::Error::other))
}

/// Seed 000's single sendfile call against `sendfile_all` (16 MiB).
pub fn short_write(ctx: &Ctx) -> Result<&'static ShortWrite, CheckError> {
    static CELL: Cached<ShortWrite> = PerRun::new();
    cached(&CELL, ctx, "short write", || ports_vs_fixes::short_write(16 << 20))
}

/// Seed 000's splice pair against `splice_all` (1 MiB).
pub fn truncation(ctx: &Ctx) -> Result<&'static Truncation, CheckError> {
    static CELL: Cached<Truncation> = PerRun::new();
    cached(&CELL, ctx, "splice truncation", || ports_vs_fixes::truncation(1 << 20))
}

/// Seed 000's stale fd numbers, in a child process, against a scoped borrow.
pub fn stale_fds(ctx: &Ctx) -> Result<&'static StaleFds, CheckError> {
    static CELL: Cached<StaleFds> = PerRun::new();
    cached(&CELL, ctx, "stale fds", ports_vs_fixes::stale_fds)
}

/// Seed 000's unchecked assertion against `impl AsFd`, on TCP and a
/// Unix-domain socket (1 MiB each).
pub fn connection_kinds(
    ctx: &Ctx,
) -> Result<&'static (u64, Vec<ConnectionKind>), CheckError> {
    static CELL: Cached<(u64, Vec<ConnectionKind>)> = PerRun::new();
    cached(&CELL, ctx, "connection kinds", || ports_vs_fixes::connection_kinds(1 << 20))
}

/// std's `io::copy` File → File (`--quick`: 4 MiB; full: 16 MiB), and the
/// scratch directory it ran in.
pub fn file_copy(ctx: &Ctx) -> Result<&'static (FileCopy, String), CheckError> {
    static CELL: Cached<(FileCopy, String)> = PerRun::new();
    cached(&CELL, ctx, "file copy", || {
        ports_vs_fixes::file_copy(ctx.pick(16 << 20, 4 << 20))
    })
}

/// Seed 001's in-memory `io.Copy`, in Rust.
pub fn in_memory(ctx: &Ctx) -> Result<&'static InMemory, CheckError> {
    static CELL: Cached<InMemory> = PerRun::new();
    cached(&CELL, ctx, "in-memory copy", ports_vs_fixes::in_memory)
}

/// `rustc` on seed 002's `SendFile` stub and on the same signature with a
/// body: (stub, with a body).
pub fn stub_compiles(ctx: &Ctx) -> Result<&'static (Compiled, Compiled), CheckError> {
    static CELL: Cached<(Compiled, Compiled)> = PerRun::new();
    cached(&CELL, ctx, "type-checking the seed's SendFile", || {
        Ok((
            ports_vs_fixes::type_check(SEED_SEND_FILE_STUB)?,
            ports_vs_fixes::type_check(SEND_FILE_WITH_A_BODY)?,
        ))
    })
}

/// Hostile requests against the seed's concatenation, `Path::join` and the
/// server.
pub fn confinement(ctx: &Ctx) -> Result<&'static Confinement, CheckError> {
    static CELL: Cached<Confinement> = PerRun::new();
    cached(&CELL, ctx, "confinement", Confinement::run)
}

/// Heap per connection and per request of the server's three transfers.
#[derive(Clone, Copy, Debug)]
pub struct Heaps {
    /// `sendfile`.
    pub sendfile: ConnectionHeap,
    /// A 64 KiB read/write loop, a new buffer per response.
    pub copy_loop: ConnectionHeap,
    /// The same loop with pooled buffers.
    pub pooled: ConnectionHeap,
}

/// The server's heap per connection and per request, three ways.
pub fn heaps(ctx: &Ctx) -> Result<&'static Heaps, CheckError> {
    static CELL: Cached<Heaps> = PerRun::new();
    cached(&CELL, ctx, "connection heap", || {
        needs_counting_allocator()?;
        Ok(Heaps {
            sendfile: memory::connection_heap(Transfer::Sendfile)?,
            copy_loop: memory::connection_heap(Transfer::CopyLoop(64 << 10))?,
            pooled: memory::connection_heap(Transfer::PooledCopyLoop(64 << 10))?,
        })
    })
}

/// Bytes the kernel holds for a connection whose client stopped reading,
/// filled by sendfile and by the 64 KiB loop: (sendfile, loop).
pub fn socket_buffers(ctx: &Ctx) -> Result<&'static (u64, u64), CheckError> {
    static CELL: Cached<(u64, u64)> = PerRun::new();
    cached(&CELL, ctx, "socket buffers", || {
        Ok((
            memory::socket_buffers(Method::Sendfile)?,
            memory::socket_buffers(Method::ReadWrite(64 << 10))?,
        ))
    })
}

/// The file sizes the pooling comparison downloads: one buffer-full, and
/// sixteen.
pub const POOL_FILE_SIZES: [u64; 2] = [64 << 10, 1 << 20];

/// Serving-thread CPU per request, pooled ÷ fresh buffer, at
/// [`POOL_FILE_SIZES`] (`--quick`: fewer rounds and requests).
pub fn pool_timing(ctx: &Ctx) -> Result<&'static Vec<PoolTiming>, CheckError> {
    static CELL: Cached<Vec<PoolTiming>> = PerRun::new();
    cached(&CELL, ctx, "pooled buffers", || {
        let rounds = ctx.pick(15, 7);
        POOL_FILE_SIZES
            .iter()
            .map(|&size| {
                let requests = ctx.pick(32 << 20, 8 << 20) / size;
                memory::pool_timing(size, requests as u32, rounds)
            })
            .collect()
    })
}

/// What a receiver read after the file changed under bytes already sent, by
/// the loop, sendfile and splice; and `lo`'s offload flags (or why they
/// could not be read).
pub fn page_sharing(
    ctx: &Ctx,
) -> Result<&'static (Vec<LaterWrite>, Result<Offloads, String>), CheckError> {
    static CELL: Cached<(Vec<LaterWrite>, Result<Offloads, String>)> = PerRun::new();
    cached(&CELL, ctx, "page sharing", || {
        let methods =
            [Method::ReadWrite(64 << 10), Method::Sendfile, Method::Splice(64 << 10)];
        let writes = methods
            .into_iter()
            .map(page_sharing::later_write)
            .collect::<Result<_, _>>()?;
        Ok((writes, page_sharing::offloads("lo").map_err(|e| e.to_string())))
    })
}

/// `sendfile` from a file, a pipe and a socket (1 MiB file).
pub fn sources(ctx: &Ctx) -> Result<&'static Sources, CheckError> {
    static CELL: Cached<Sources> = PerRun::new();
    cached(&CELL, ctx, "sendfile sources", || robustness::sources(1 << 20))
}

/// A missing file, a closed peer, SIGPIPE, a resumed download.
pub fn errors(ctx: &Ctx) -> Result<&'static Errors, CheckError> {
    static CELL: Cached<Errors> = PerRun::new();
    cached(&CELL, ctx, "error handling", robustness::errors)
}

/// A method comparison under one set-up, for the example's tables.
#[derive(Debug)]
pub struct Variant {
    /// What differs from the matrix, in words.
    pub label: String,
    /// Where the threads ran, congestion control, send buffer.
    pub setup: Setup<'static>,
    /// File size.
    pub size: u64,
    /// Transfers per sample.
    pub reps: u32,
    /// Fraction of the file in the page cache afterwards.
    pub residency: f64,
    /// Every method's samples, [`Method::ALL`] order.
    pub runs: Vec<MethodRuns>,
}

fn variant(
    label: &str,
    setup: Setup<'static>,
    size: u64,
    sample_bytes: u64,
    rounds: usize,
) -> io::Result<Variant> {
    let dir = Scratch::new("variant")?;
    let path = dir.join("payload.bin");
    write_pattern_file(&path, size, 3)?;
    let file = std::fs::File::open(&path)?;
    file.sync_all()?;
    let reps = reps_for(size, sample_bytes);
    let runs = loopback::compare(setup, &Method::ALL, &file, size, reps, rounds)?;
    let residency = loopback::page_cache_residency(&file, size)?;
    Ok(Variant { label: label.into(), setup, size, reps, residency, runs })
}

/// The matrix's 1 MiB comparison as the scheduler places the threads and
/// with the system's congestion control.
pub fn unpinned(ctx: &Ctx) -> Result<&'static Vec<Variant>, CheckError> {
    static CELL: Cached<Vec<Variant>> = PerRun::new();
    cached(&CELL, ctx, "unpinned comparison", || {
        let setup =
            Setup { placement: Placement::Unpinned, congestion: None, send_buffer: None };
        let (bytes, rounds) = ctx.pick((64 << 20, 9), (16 << 20, 5));
        Ok(vec![variant(
            "threads unpinned, system congestion control",
            setup,
            1 << 20,
            bytes,
            rounds,
        )?])
    })
}

/// A large file on two CPUs, with Reno and with the system's congestion
/// control (256 MiB; `--quick`: 16 MiB).
pub fn congestion(ctx: &Ctx) -> Result<&'static Vec<Variant>, CheckError> {
    static CELL: Cached<Vec<Variant>> = PerRun::new();
    cached(&CELL, ctx, "congestion control comparison", || {
        let placement = if Placement::TwoCpus.cpus().is_ok() {
            Placement::TwoCpus
        } else {
            Placement::OneCpu
        };
        let (size, rounds) = ctx.pick((256 << 20, 7), (16 << 20, 5));
        let system = Setup { placement, congestion: None, send_buffer: None };
        Ok(vec![
            variant("Reno", Setup::pinned(placement), size, size, rounds)?,
            variant("system congestion control", system, size, size, rounds)?,
        ])
    })
}

/// 16 MiB on one CPU with the send buffer sized by the kernel, and fixed
/// at 1 MiB and 256 KiB (`SO_SNDBUF`; the kernel doubles it).
pub fn send_buffers(ctx: &Ctx) -> Result<&'static Vec<Variant>, CheckError> {
    static CELL: Cached<Vec<Variant>> = PerRun::new();
    cached(&CELL, ctx, "send buffer comparison", || {
        let (bytes, rounds) = ctx.pick((64 << 20, 7), (16 << 20, 5));
        [
            (None, "SO_SNDBUF not set (the kernel sizes it)"),
            (Some(1 << 20), "SO_SNDBUF 1 MiB"),
            (Some(256 << 10), "SO_SNDBUF 256 KiB"),
        ]
        .into_iter()
        .map(|(send_buffer, label)| {
            let setup = Setup { send_buffer, ..Setup::pinned(Placement::OneCpu) };
            variant(label, setup, 16 << 20, bytes, rounds)
        })
        .collect()
    })
}

/// One round trip of 1 byte and a 1-byte acknowledgement, per placement:
/// what a wake-up costs.
pub fn wakeups(ctx: &Ctx) -> Result<&'static Vec<(Placement, MethodRuns)>, CheckError> {
    static CELL: Cached<Vec<(Placement, MethodRuns)>> = PerRun::new();
    cached(&CELL, ctx, "wake-ups", || {
        let dir = Scratch::new("wakeups")?;
        let path = dir.join("one.bin");
        write_pattern_file(&path, 1, 1)?;
        let file = std::fs::File::open(&path)?;
        let (reps, rounds) = ctx.pick((2000, 5), (500, 3));
        let mut out = Vec::new();
        for placement in [Placement::OneCpu, Placement::TwoCpus, Placement::Unpinned] {
            if placement.cpus().is_err() {
                continue;
            }
            let setup = Setup::pinned(placement);
            let mut runs =
                loopback::compare(setup, &[Method::FromMemory], &file, 1, reps, rounds)?;
            out.push((placement, runs.remove(0)));
        }
        Ok(out)
    })
}
