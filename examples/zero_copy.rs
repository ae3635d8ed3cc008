//! Chapter 1, zero-copy I/O: every way to send a file to a socket, side by
//! side on 127.0.0.1, what they copy, the seed's code beside the fixes, what
//! a connection of the file server costs, and the chapter's claim table.
//!
//! ```text
//! cargo run --release --example zero_copy                     # every table
//! cargo run --release --example zero_copy -- --table methods  # one table
//! cargo run --release --example zero_copy -- serve --root DIR --addr 127.0.0.1:8080
//! cargo run --release --example zero_copy -- get --addr 127.0.0.1:8080 --path /f
//! ```

#[cfg(target_os = "linux")]
perf_workbook::count_allocations!();

#[cfg(not(target_os = "linux"))]
fn main() {
    perf_workbook::cli::requires_linux("the zero-copy example (sendfile, splice)");
}

#[cfg(target_os = "linux")]
fn main() {
    use perf_workbook::cli::{self, ChapterArgs, ExampleTable, table};
    use perf_workbook::zero_copy::server::command::{self, Command};
    use perf_workbook::zero_copy::tables;

    #[derive(clap::Parser, Debug)]
    #[command(about = "Zero-copy I/O: sendfile, splice and copy loops side by side, \
                       and a static file server that uses them safely")]
    struct Args {
        #[command(flatten)]
        chapter: ChapterArgs,
        /// Run the chapter's file server (`serve`) or its client (`get`)
        /// instead of printing the tables.
        #[command(subcommand)]
        command: Option<Command>,
    }

    const TABLES: &[ExampleTable] = &[
        // C000-01, C000-02, C002-01, D02: one transfer per method, counted.
        // The loop reads every byte into its buffer and writes it out again
        // (two CPU copies per byte); sendfile's one call is counted as a read
        // and a write of every byte, with nothing in user space; std's
        // io::copy File → TcpStream reads through an 8 KiB buffer.
        table("counts", "what each method copies, counted", tables::counts),
        // C002-02, C002-04 … C002-08: every method at 4 KiB … 16 MiB, with
        // the sender and the receiver on one CPU, then on two. The claim
        // checks read the sendfile ÷ loop ratios of these very samples.
        table("methods", "every method at every size, both placements", tables::methods),
        // C002-03: after sendfile returned, the file is overwritten; the
        // receiver then reads the *new* bytes, because the socket held the
        // page cache's pages, not copies. The loop's copies keep the old ones.
        table("sharing", "what a socket holds after sendfile", tables::sharing),
        // Why the timings need pinned threads: a round trip across CPUs costs
        // far more than one on a CPU (an inter-processor interrupt; in a VM, a
        // trip to the hypervisor).
        table("wakeups", "what one wake-up costs, per placement", tables::wakeups),
        // The same comparison as the scheduler places the threads, with the
        // system's congestion control: the per-round ratios spread wide.
        table("unpinned", "1 MiB, threads unpinned", tables::unpinned),
        // A pacing congestion control (BBR) shapes loopback transfers more
        // than the copy method does; the checks use Reno.
        table(
            "congestion",
            "a large file, Reno and the system default",
            tables::congestion,
        ),
        // With both threads on one CPU, how much one sendfile call queues
        // before the receiver runs decides the machine's CPU at 16 MiB.
        table(
            "sndbuf",
            "16 MiB on one CPU, send buffer fixed or not",
            tables::send_buffers,
        ),
        // C000-04, D03: the seed's `rootDir + "/" + filename` and Path::join
        // leak a secret beside the root; the server refuses every request.
        table(
            "confinement",
            "hostile requests against three openers",
            tables::confinement,
        ),
        // C002-09, C002-10, D52: sendfile needs no buffer per request; the
        // kernel's socket buffers are the same for both methods, and larger.
        table("memory", "what a connection of the server costs", tables::memory),
        // C002-12: a pool removes the copy loop's allocation per request;
        // whether that saves CPU depends on the file's size.
        table(
            "pooling",
            "pooled buffers against a new one per response",
            tables::pooling,
        ),
    ];

    perf_workbook::chapters::dispatch_child();
    cli::quiet_on_closed_pipe();
    let args: Args = cli::parse_example(TABLES);
    match args.command {
        Some(cmd) => command::run(cmd),
        None => {
            let chapter = perf_workbook::cli::named("zero_copy");
            cli::run_example(chapter, &args.chapter, TABLES);
        }
    }
}
