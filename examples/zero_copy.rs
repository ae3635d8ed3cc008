//! Chapter 1, zero-copy I/O: every way to send a file to a socket, side by
//! side on 127.0.0.1, then the seed's code failing, the file server's
//! confinement, and the chapter's claim table.
//!
//! ```text
//! cargo run --release --example zero_copy                       # everything
//! cargo run --release --example zero_copy -- --table methods    # one table
//! cargo run --release --example zero_copy -- --table methods --placement unpinned
//! cargo run --release --example zero_copy -- --table methods --congestion system
//! cargo run --release --example zero_copy -- --table wakeups    # what a wake-up costs
//! cargo run --release --example zero_copy -- serve --root DIR --addr 127.0.0.1:8080
//! cargo run --release --example zero_copy -- get --addr 127.0.0.1:8080 --path /f --clients 4
//! ```

#[cfg(target_os = "linux")]
perf_workbook::count_allocations!();

#[cfg(not(target_os = "linux"))]
fn main() {
    perf_workbook::cli::requires_linux("the zero-copy example (sendfile, splice)");
}

#[cfg(target_os = "linux")]
fn main() {
    linux::main();
}

#[cfg(target_os = "linux")]
mod linux {
    use clap::{Parser, Subcommand, ValueEnum};
    use perf_workbook::cli::{self, fail, parse_size};
    use perf_workbook::measure::machine::MachineInfo;
    use perf_workbook::measure::stats;
    use perf_workbook::table::format_bytes;
    use perf_workbook::zero_copy::checks::server::{Confinement, Outcome};
    use perf_workbook::zero_copy::demos::connection_heap;
    use perf_workbook::zero_copy::files::{Scratch, write_pattern_file};
    use perf_workbook::zero_copy::loopback::{
        self, MethodRuns, Placement, Setup, reps_for,
    };
    use perf_workbook::zero_copy::method::Method;
    use perf_workbook::zero_copy::server::client::load;
    use perf_workbook::zero_copy::server::{self, Config, Transfer};
    use std::net::SocketAddr;
    use std::path::PathBuf;

    #[derive(Parser, Debug)]
    #[command(
        about = "Zero-copy I/O: sendfile, splice and copy loops measured side by side, \
                       and a static file server that uses them safely"
    )]
    struct Args {
        #[command(subcommand)]
        command: Option<Command>,
        /// Small sizes and few rounds.
        #[arg(long)]
        quick: bool,
        /// Print only this part.
        #[arg(long, value_enum)]
        table: Option<Table>,
        /// File sizes for the methods table (comma-separated).
        #[arg(long, value_delimiter = ',', value_parser = parse_size)]
        sizes: Vec<u64>,
        /// Samples per method and size.
        #[arg(long)]
        rounds: Option<usize>,
        /// Where the sender and receiver threads run (default: one CPU,
        /// then two CPUs).
        #[arg(long, value_enum)]
        placement: Option<PlacementArg>,
        /// TCP congestion control for the connections: an algorithm name,
        /// or "system" for the system's default.
        #[arg(long, default_value = loopback::DEFAULT_CONGESTION)]
        congestion: String,
        /// SO_SNDBUF for the sending socket (the kernel doubles it); default:
        /// the kernel sizes it.
        #[arg(long, value_parser = parse_size)]
        sndbuf: Option<u64>,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
    enum PlacementArg {
        /// Both threads pinned to one CPU.
        OneCpu,
        /// Sender and receiver pinned to two different CPUs.
        TwoCpus,
        /// Not pinned: wherever the scheduler puts them.
        Unpinned,
    }

    impl PlacementArg {
        fn placement(self) -> Placement {
            match self {
                Self::OneCpu => Placement::OneCpu,
                Self::TwoCpus => Placement::TwoCpus,
                Self::Unpinned => Placement::Unpinned,
            }
        }
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
    enum Table {
        /// Every method at every size: throughput, CPU, syscalls, copies.
        Methods,
        /// What one wake-up of the other thread costs, per placement.
        Wakeups,
        /// Hostile requests against the seed's code, Path::join and the server.
        Confinement,
        /// Heap per connection and per request in the server.
        Memory,
        /// The chapter's claim table.
        Claims,
    }

    #[derive(Subcommand, Debug)]
    enum Command {
        /// Serve a directory over HTTP/1.1 until interrupted.
        Serve {
            /// The directory to serve.
            #[arg(long)]
            root: PathBuf,
            /// Address to listen on.
            #[arg(long, default_value = "127.0.0.1:8080")]
            addr: SocketAddr,
            /// Send bodies with a 64 KiB read/write loop instead of sendfile.
            #[arg(long)]
            copy_loop: bool,
            /// Connections served at once.
            #[arg(long, default_value_t = 4)]
            workers: usize,
        },
        /// Download a path with concurrent keep-alive clients and report the
        /// throughput; with several --addr, alternate between them and
        /// compare (same client, same file).
        Get {
            /// Server address (repeat to compare servers).
            #[arg(long, required = true)]
            addr: Vec<SocketAddr>,
            /// The path to request.
            #[arg(long)]
            path: String,
            /// Concurrent clients.
            #[arg(long, default_value_t = 4)]
            clients: usize,
            /// Downloads per client per round.
            #[arg(long, default_value_t = 1)]
            repeat: usize,
            /// Rounds (A B A B … when comparing).
            #[arg(long, default_value_t = 1)]
            rounds: usize,
        },
    }

    pub fn main() {
        perf_workbook::chapters::dispatch_child();
        let args: Args = cli::parse();
        match args.command {
            Some(Command::Serve { root, addr, copy_loop, workers }) => {
                serve(root, addr, copy_loop, workers)
            }
            Some(Command::Get { addr, path, clients, repeat, rounds }) => {
                get(&addr, &path, clients, repeat, rounds)
            }
            None => report(&args),
        }
    }

    fn report(args: &Args) {
        println!("machine: {}", MachineInfo::collect());
        let want = |t| args.table.is_none() || args.table == Some(t);
        if want(Table::Methods) {
            methods_table(args);
        }
        if want(Table::Wakeups) {
            wakeups_table(args);
        }
        if want(Table::Confinement) {
            confinement_table();
        }
        if want(Table::Memory) {
            memory_table();
        }
        if want(Table::Claims) {
            println!();
            // Every claim of the chapter, measured now; the verdicts are computed.
            let report = perf_workbook::runner::print_chapter(
                perf_workbook::chapters::named("zero_copy"),
                args.quick,
            );
            assert_eq!(report.errors(), 0, "every check of the chapter ran");
        }
    }

    fn setup(args: &Args, placement: Placement) -> Setup<'_> {
        let congestion =
            (args.congestion != "system").then_some(args.congestion.as_str());
        let send_buffer = args.sndbuf.map(|b| {
            usize::try_from(b).unwrap_or_else(|_| fail("--sndbuf is too large"))
        });
        Setup { placement, congestion, send_buffer }
    }

    /// The placement asked for, or every pinned placement this process can
    /// use (a machine with one CPU skips the two-CPU one, and says so).
    fn placements(args: &Args) -> Vec<Placement> {
        match args.placement {
            Some(p) => vec![p.placement()],
            None => Placement::PINNED
                .into_iter()
                .filter(|p| match p.cpus() {
                    Ok(_) => true,
                    Err(e) => {
                        println!("{}: skipped, {e}", p.label());
                        false
                    }
                })
                .collect(),
        }
    }

    fn methods_table(args: &Args) {
        let sizes = if args.sizes.is_empty() {
            if args.quick {
                vec![64 << 10, 1 << 20, 16 << 20]
            } else {
                vec![64 << 10, 1 << 20, 256 << 20]
            }
        } else {
            args.sizes.clone()
        };
        let rounds = args.rounds.unwrap_or(if args.quick { 5 } else { 7 });
        if rounds < 3 {
            fail("--rounds must be at least 3 (the quartiles need them)");
        }
        let target = if args.quick { 16 << 20 } else { 64 << 20 };
        let largest = *sizes.iter().max().expect("at least one size");
        let dir = Scratch::new("example").unwrap_or_else(|e| fail(&e.to_string()));
        let path = dir.join("payload.bin");
        write_pattern_file(&path, largest, 1).unwrap_or_else(|e| fail(&e.to_string()));
        let file = std::fs::File::open(&path).unwrap_or_else(|e| fail(&e.to_string()));
        // Written back before timing, so no writeback runs during the samples.
        file.sync_all().unwrap_or_else(|e| fail(&e.to_string()));
        println!(
            "\nFile → TCP on 127.0.0.1, file read into the page cache just before each size; \
             each sample sends the file until ≥ {} has moved, waiting for the receiver's ack \
             after each transfer; {rounds} interleaved samples per method, medians. CPU is \
             seconds per GiB moved; \"machine\" = sender + receiver + the kernel's softirq \
             threads; \"wake-ups\" = times either thread blocked and was woken, per transfer.",
            format_bytes(target as f64)
        );
        for placement in placements(args) {
            for &size in &sizes {
                let reps = reps_for(size, target);
                // C000-01, C000-02, C002-01, C002-04, C002-05: every method on
                // one connection, interleaved; copies, syscalls, CPU, throughput.
                let runs = loopback::compare(
                    setup(args, placement),
                    &Method::ALL,
                    &file,
                    size,
                    reps,
                    rounds,
                )
                .unwrap_or_else(|e| fail(&format!("comparison at {size} bytes: {e}")));
                let resident = loopback::page_cache_residency(&file, size)
                    .unwrap_or_else(|e| fail(&e.to_string()));
                print_runs(setup(args, placement), size, reps, resident, &runs);
            }
        }
    }

    fn print_runs(
        setup: Setup<'_>,
        size: u64,
        reps: u32,
        resident: f64,
        runs: &[MethodRuns],
    ) {
        let base = &runs[0];
        let sndbuf = setup
            .send_buffer
            .map_or(String::new(), |b| format!(", SO_SNDBUF {}", format_bytes(b as f64)));
        println!(
            "\n{} file, {} ({}), TCP {}{sndbuf}, {reps} transfers per sample, {:.0}% in the \
             page cache after",
            format_bytes(size as f64),
            setup.placement.label(),
            setup.placement.describe(),
            base.congestion,
            resident * 100.0
        );
        println!(
            "  {:<20} {:>7} {:>6} {:>8} {:>6} {:>8} {:>8} {:>6} {:>8} {:>6} {:>10} {:>8}",
            "method",
            "MiB/s",
            "×loop",
            "sender",
            "×loop",
            "receiver",
            "machine",
            "×loop",
            "wake-ups",
            "syscr",
            "user bytes",
            "heap"
        );
        for r in runs {
            let heap = r.heap_bytes_per_transfer().map_or("?".into(), format_bytes);
            println!(
                "  {:<20} {:>7.0} {:>5.2}× {:>6.3} s {:>5.2}× {:>6.3} s {:>6.3} s {:>5.2}× {:>8.1} \
                 {:>6.0} {:>10} {:>8}",
                r.method.label(),
                r.throughput() / (1u64 << 20) as f64,
                r.throughput() / base.throughput(),
                r.sender_cpu_per_gib(),
                r.sender_cpu_per_gib() / base.sender_cpu_per_gib(),
                r.receiver_cpu_per_gib(),
                r.total_cpu_per_gib(),
                r.total_cpu_per_gib() / base.total_cpu_per_gib(),
                r.sleeps_per_transfer(),
                r.syscr_per_transfer(),
                format_bytes(r.user_bytes_per_transfer()),
                heap
            );
        }
        // C002-04 … C002-08 and the issue's targets, reported (not asserted:
        // these are timings). Ratios per round: median (interquartile range).
        let by = |m| runs.iter().find(|r| r.method == m).expect("method");
        let (sf, io) = (by(Method::Sendfile), by(Method::StdIoCopy));
        let per_round = |f: fn(&loopback::Sample) -> f64| {
            sf.paired(base, f).map_or("?".into(), |p| p.describe())
        };
        println!(
            "  sendfile ÷ loop, per round: throughput {}, sender CPU {}, machine CPU {}; \
             throughput CV: loop {:.0}%, sendfile {:.0}%",
            per_round(loopback::Sample::throughput),
            per_round(loopback::Sample::sender_cpu_per_gib),
            per_round(loopback::Sample::total_cpu_per_gib),
            100.0 * base.throughput_cv(),
            100.0 * sf.throughput_cv()
        );
        let cpu = sf.sender_cpu_per_gib() / base.sender_cpu_per_gib();
        let cpu_io = sf.sender_cpu_per_gib() / io.sender_cpu_per_gib();
        let tp = sf.throughput() / base.throughput();
        println!(
            "  targets: sendfile sender CPU ≤ 0.60× loop: {cpu:.2}× {}; below io::copy: \
             {cpu_io:.2}× {}; throughput ≥ 1.00× loop: {tp:.2}× {}",
            mark(cpu <= 0.6),
            mark(cpu_io < 1.0),
            mark(tp >= 1.0),
        );
    }

    fn wakeups_table(args: &Args) {
        // What the methods table's "wake-ups" column costs: a 1-byte
        // transfer and its 1-byte acknowledgement, i.e. one wake-up of each
        // thread, nothing to copy.
        let dir = Scratch::new("wakeups").unwrap_or_else(|e| fail(&e.to_string()));
        let path = dir.join("one.bin");
        write_pattern_file(&path, 1, 1).unwrap_or_else(|e| fail(&e.to_string()));
        let file = std::fs::File::open(&path).unwrap_or_else(|e| fail(&e.to_string()));
        let (reps, rounds) = if args.quick { (500, 3) } else { (2000, 5) };
        println!(
            "\nOne round trip on 127.0.0.1: 1 byte there, 1 byte back ({reps} per sample, \
             {rounds} samples, medians)"
        );
        println!(
            "  {:<10} {:<34} {:>10} {:>12} {:>12} {:>14}",
            "placement", "threads", "wall", "sender CPU", "receiver CPU", "wake-ups/trip"
        );
        let mut placements = placements(args);
        if args.placement.is_none() {
            placements.push(Placement::Unpinned);
        }
        for placement in placements {
            let runs = loopback::compare(
                setup(args, placement),
                &[Method::FromMemory],
                &file,
                1,
                reps,
                rounds,
            )
            .unwrap_or_else(|e| fail(&format!("{}: {e}", placement.label())));
            let r = &runs[0];
            let per_trip = |f: fn(&loopback::Sample) -> std::time::Duration| {
                let v: Vec<f64> = r
                    .samples
                    .iter()
                    .map(|s| f(s).as_nanos() as f64 / f64::from(s.reps))
                    .collect();
                stats::median(&v).expect("samples") / 1e3
            };
            println!(
                "  {:<10} {:<34} {:>7.1} µs {:>9.1} µs {:>9.1} µs {:>14.1}",
                placement.label(),
                placement.describe(),
                per_trip(|s| s.wall),
                per_trip(|s| s.sender_cpu),
                per_trip(|s| s.receiver_cpu),
                r.sleeps_per_transfer()
            );
        }
    }

    fn mark(ok: bool) -> &'static str {
        if ok { "met" } else { "MISSED" }
    }

    fn confinement_table() {
        // C000-04, D03: the seed's `rootDir + "/" + filename` and
        // `Path::join` against decode → normalize → openat2(RESOLVE_BENEATH).
        let c = Confinement::run().unwrap_or_else(|e| fail(&e.to_string()));
        println!(
            "\nHostile requests (secret file beside the root; \"LEAK\" = its bytes came back)"
        );
        println!(
            "  {:<36} {:>14} {:>14} {:>8}",
            "request", "seed concat", "Path::join", "server"
        );
        let show = |o: Option<Outcome>| match o {
            None => "not tried",
            Some(Outcome::Leaked) => "LEAK",
            Some(Outcome::OpenedDirectory) => "opens dir",
            Some(Outcome::Refused) => "refused",
        };
        for r in &c.rows {
            let server =
                if r.server_leaked { "LEAK".to_string() } else { r.status.to_string() };
            println!(
                "  {:<36} {:>14} {:>14} {:>8}",
                r.what,
                show(r.seed),
                show(r.join),
                server
            );
        }
    }

    fn memory_table() {
        // C002-09, C002-10, C002-12, D52: what a connection allocates.
        println!("\nHeap on the thread serving one keep-alive connection (256 KiB file)");
        println!(
            "  {:<22} {:>16} {:>16} {:>14}",
            "body sent with", "per connection", "per request", "allocs/request"
        );
        for (name, t) in [
            ("sendfile", Transfer::Sendfile),
            ("64 KiB copy loop", Transfer::CopyLoop(64 << 10)),
        ] {
            let h = connection_heap(t).unwrap_or_else(|e| fail(&e.to_string()));
            println!(
                "  {:<22} {:>16} {:>16} {:>14}",
                name,
                format_bytes(h.per_connection as f64),
                format_bytes(h.per_request as f64),
                h.allocs_per_request
            );
        }
    }

    fn serve(root: PathBuf, addr: SocketAddr, copy_loop: bool, workers: usize) {
        let transfer =
            if copy_loop { Transfer::CopyLoop(64 << 10) } else { Transfer::Sendfile };
        let config = Config { workers, transfer, ..Config::new(&root) };
        let handle = server::spawn(addr, config).unwrap_or_else(|e| {
            fail(&format!("cannot serve {} on {addr}: {e}", root.display()))
        });
        println!(
            "serving {} on http://{} ({:?}, {workers} workers, symlinks: {:?}); Ctrl-C stops",
            root.display(),
            handle.addr(),
            transfer,
            handle.strategy()
        );
        handle.wait();
    }

    fn get(
        addrs: &[SocketAddr],
        path: &str,
        clients: usize,
        repeat: usize,
        rounds: usize,
    ) {
        if clients == 0 || repeat == 0 || rounds == 0 {
            fail("--clients, --repeat and --rounds must be at least 1");
        }
        let mut rates: Vec<Vec<f64>> = vec![Vec::new(); addrs.len()];
        for round in 0..rounds {
            for (i, addr) in addrs.iter().enumerate() {
                let l = load(*addr, path, clients, repeat)
                    .unwrap_or_else(|e| fail(&format!("{addr}: {e}")));
                if l.failures > 0 {
                    fail(&format!(
                        "{addr}: {} of {} responses failed",
                        l.failures, l.responses
                    ));
                }
                println!(
                    "round {round} {addr}: {} responses, {} in {:.3} s, {:.0} MiB/s",
                    l.responses,
                    format_bytes(l.bytes as f64),
                    l.wall.as_secs_f64(),
                    l.throughput() / (1u64 << 20) as f64
                );
                rates[i].push(l.throughput());
            }
        }
        for (addr, r) in addrs.iter().zip(&rates) {
            let m = stats::median(r).expect("rounds");
            println!("median {addr}: {:.0} MiB/s", m / (1u64 << 20) as f64);
        }
        if addrs.len() == 2 {
            let ratio = stats::ratio_of_medians(&rates[0], &rates[1]).expect("rounds");
            println!("ratio {} / {}: {ratio:.2}", addrs[0], addrs[1]);
        }
    }
}
