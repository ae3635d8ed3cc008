//! Chapter 7, "mmap and large buffers": what a 1 GiB buffer really costs.
//!
//! ```text
//! cargo run --release --example mmap                      # every table, then the claims
//! cargo run --release --example mmap -- --table sizes     # one table
//! cargo run --release --example mmap -- --size 256MiB     # the size table at one size
//! cargo run --release --example mmap -- --plot book/src/mmap/first-touch.svg
//! ```

#[cfg(target_os = "linux")]
fn main() {
    linux::main();
}

#[cfg(not(target_os = "linux"))]
fn main() {
    perf_workbook::cli::requires_linux("the mmap example");
}

#[cfg(target_os = "linux")]
mod linux {
    use clap::{Parser, ValueEnum};
    use perf_workbook::cli;
    use perf_workbook::measure::machine::MachineInfo;
    use perf_workbook::measure::stats;
    use perf_workbook::mmap::{fallback, lifetime, paging, recycle, report, sizes};
    use perf_workbook::table::{format_bytes, format_nanos};
    use std::time::{Duration, Instant};

    // C004-12 and D66 ask what a heap profiler sees: count allocations.
    perf_workbook::count_allocations!();

    const MIB: usize = 1 << 20;

    #[derive(Parser, Debug)]
    #[command(about = "What a large buffer costs: allocation, first touch, page faults")]
    struct Args {
        /// Small sizes and few rounds.
        #[arg(long)]
        quick: bool,
        /// Print only this table.
        #[arg(long, value_enum)]
        table: Option<Table>,
        /// The size table at this one size (e.g. 256MiB, 1GiB).
        #[arg(long, value_parser = parse_buffer_size)]
        size: Option<usize>,
        /// Measure the size table and write its plot (SVG) to this file.
        #[arg(long, value_name = "PATH")]
        plot: Option<std::path::PathBuf>,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
    enum Table {
        /// Every strategy at every size: allocation, first touch, faults.
        Sizes,
        /// The zero page and demand paging.
        Paging,
        /// glibc's recycled chunks (a fresh child process).
        Recycle,
        /// Demand faults against MAP_POPULATE and MADV_POPULATE_WRITE.
        Prefault,
        /// Transparent huge pages and MAP_HUGETLB.
        Thp,
        /// The seed's finalizer, RAII, and who sees a leak.
        Lifetime,
        /// The chapter's claim table.
        Claims,
    }

    /// A buffer size the machine can afford to touch: at least one page, at
    /// most half of RAM.
    fn parse_buffer_size(text: &str) -> Result<usize, String> {
        let n = cli::parse_size(text)?;
        let ram = fallback::mem_total_bytes().unwrap_or(u64::MAX);
        if n < 4096 {
            return Err(format!("size {text} is below one page (4 KiB)"));
        }
        if n > ram / 2 {
            return Err(format!(
                "size {text} is more than half of this machine's {} of RAM; touching it \
                 could wake the OOM killer",
                format_bytes((ram >> 20 << 20) as f64)
            ));
        }
        Ok(n as usize)
    }

    pub fn main() {
        perf_workbook::chapters::dispatch_child();
        // SAFETY: restores the default action for SIGPIPE before any other
        // thread exists, so `… | head` ends the program quietly instead of
        // panicking in `println!`.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
        let args: Args = cli::parse();
        let quick = args.quick;
        println!("machine: {}", MachineInfo::collect());
        let only = |t: Table| args.table.is_none_or(|x| x == t);
        let sizes_wanted =
            args.size.is_some() || args.plot.is_some() || only(Table::Sizes);
        if sizes_wanted || only(Table::Prefault) || only(Table::Thp) {
            print_conditions(quick);
        }
        if sizes_wanted {
            size_table(&args);
        }
        if args.size.is_some() || args.plot.is_some() {
            return;
        }
        if only(Table::Paging) {
            paging_table(quick);
        }
        if only(Table::Recycle) {
            recycle_table();
        }
        if only(Table::Prefault) {
            prefault_table(quick);
        }
        if only(Table::Thp) {
            thp_table(quick);
        }
        if only(Table::Lifetime) {
            lifetime_table(quick);
        }
        if only(Table::Claims) {
            println!();
            let report = perf_workbook::runner::print_chapter(
                perf_workbook::chapters::named("mmap"),
                quick,
            );
            assert_eq!(report.errors(), 0, "every check of the chapter ran");
        }
    }

    fn sys(path: &str) -> String {
        std::fs::read_to_string(path)
            .map_or_else(|_| "n/a".into(), |s| s.trim().to_string())
    }

    /// THP settings, reservations, and the host's state: one huge-page
    /// touch of fresh memory, then one more at once (reusing the pages just
    /// freed). A large gap means the host backs guest memory lazily.
    fn print_conditions(quick: bool) {
        let probe = if quick { 64 * MIB } else { 256 * MIB };
        let first =
            sizes::huge_touch_time(probe).unwrap_or_else(|e| cli::fail(&e.to_string()));
        let again =
            sizes::huge_touch_time(probe).unwrap_or_else(|e| cli::fail(&e.to_string()));
        let defrag = perf_workbook::measure::machine::parse_bracketed(&sys(
            "/sys/kernel/mm/transparent_hugepage/defrag",
        ));
        println!(
            "conditions: THP enabled={} defrag={}; nr_hugepages={}; overcommit_memory={}; \
             balloon free page reporting: {}",
            perf_workbook::measure::machine::thp_mode().unwrap_or_else(|| "n/a".into()),
            defrag.unwrap_or_else(|| "n/a".into()),
            sys("/proc/sys/vm/nr_hugepages"),
            sys("/proc/sys/vm/overcommit_memory"),
            match paging::free_page_reporting() {
                Some(true) => "on",
                Some(false) => "off",
                None => "no balloon",
            }
        );
        // On a VM whose host backs guest memory lazily (or takes freed memory
        // back), the first touch of such memory is far slower: see the THP
        // section of the page.
        let per =
            |d: Duration| format_nanos(d.as_nanos() as f64 / (probe / (2 * MIB)) as f64);
        println!(
            "host memory: huge-page touch of {}: {} ({} per 2 MiB) on fresh memory, \
             {} ({} per 2 MiB) at once again",
            format_bytes(probe as f64),
            format_nanos(first.as_nanos() as f64),
            per(first),
            format_nanos(again.as_nanos() as f64),
            per(again),
        );
    }

    fn size_table(args: &Args) {
        let (list, reps): (Vec<usize>, fn(usize) -> usize) = match args.size {
            Some(n) => (vec![n], |n| if n >= 512 * MIB { 1 } else { 3 }),
            None if args.quick => (sizes::SEED_SIZES[..3].to_vec(), |_| 2),
            None => (sizes::SEED_SIZES.to_vec(), |n| if n >= 100 * MIB { 1 } else { 3 }),
        };
        println!(
            "\n## sizes: allocation, first touch (one write per page) and free; median of \
             interleaved rounds\n"
        );
        let costs = report::measure_table(&list, reps)
            .unwrap_or_else(|e| cli::fail(&e.to_string()));
        // C004-01, C004-07, C004-17: allocation is microseconds at every size;
        // C004-04: the faults come at first touch.
        print!("{}", report::render_table(&costs));
        if args.size.is_none() {
            println!("\nthe seed's make() timings beside vec![0u8; n] (C004-07):\n");
            print!("{}", report::render_seed_comparison(&costs));
        }
        if let Some(path) = &args.plot {
            let m = MachineInfo::collect();
            let caption = format!(
                "cargo run --release --example mmap -- --plot · {} · {} · THP {} · {}",
                m.cpu_model, m.kernel, m.thp, m.profile
            );
            let svg = report::render_svg(&costs, &caption);
            std::fs::write(path, svg)
                .unwrap_or_else(|e| cli::fail(&format!("{}: {e}", path.display())));
            println!("\nplot written to {}", path.display());
        }
    }

    fn paging_table(quick: bool) {
        let n = if quick { 64 * MIB } else { 256 * MIB };
        println!(
            "\n## paging: a fresh {} mapping, read every page, then write every page\n",
            format_bytes(n as f64)
        );
        // C004-10, C004-30, C004-31: reads map the shared zero page, writes allocate.
        let z =
            paging::zero_page_experiment(n).unwrap_or_else(|e| cli::fail(&e.to_string()));
        println!("{:<7} {:>8} {:>14}", "pass", "faults", "RSS growth");
        println!("{:<7} {:>8} {:>11} KiB", "read", z.read_faults, z.read_rss_kib);
        println!("{:<7} {:>8} {:>11} KiB", "write", z.write_faults, z.write_rss_kib);
        match z.distinct_frames {
            Some(d) => println!(
                "physical frames behind the first {} pages read: {d}",
                z.frames_sampled
            ),
            None => println!(
                "physical frames: hidden (/proc/self/pagemap needs CAP_SYS_ADMIN)"
            ),
        }
        println!(
            "\ndemand paging: allocate 1 GiB, write one byte per page of the first part\n"
        );
        println!(
            "{:<20} {:>10} {:>8} {:>14}",
            "allocation", "touched", "faults", "RSS growth"
        );
        for via_vec in [false, true] {
            for touched in [MIB, 64 * MIB] {
                // C004-11: touch 1 MiB of 1 GiB, pay for 1 MiB.
                let d = paging::demand_paging(1 << 30, touched, via_vec)
                    .unwrap_or_else(|e| cli::fail(&e.to_string()));
                println!(
                    "{:<20} {:>10} {:>8} {:>11} KiB",
                    if via_vec { "vec![0u8; 1 GiB]" } else { "MmapBuf::new(1 GiB)" },
                    format_bytes(touched as f64),
                    d.faults,
                    d.rss_kib
                );
            }
        }
    }

    fn recycle_table() {
        println!(
            "\n## recycle: vec![0u8; n] → touch → free, four turns, in a fresh process\n"
        );
        // C004-02: glibc zeroes at allocation only when it recycles a heap chunk.
        let turns = recycle::recycle_in_child().unwrap_or_else(|e| cli::fail(&e));
        println!(
            "{:<8} {:>4} {:>12} {:>13} {:>13}  memory from",
            "size", "turn", "allocation", "alloc faults", "touch faults"
        );
        for t in turns {
            println!(
                "{:<8} {:>4} {:>12} {:>13} {:>13}  {}",
                format_bytes(t.size as f64),
                t.iteration,
                format_nanos(t.alloc_ns),
                t.alloc_faults,
                t.touch_faults,
                match (t.own_mapping, t.touch_faults * 2 >= (t.size / 4096) as u64) {
                    (true, _) => "own mmap: zeroed lazily by the kernel",
                    (false, true) => "heap, fresh from sbrk: calloc skips the memset",
                    (false, false) => "heap, recycled chunk: calloc memsets it",
                }
            );
        }
    }

    fn median(v: &[f64]) -> String {
        stats::median(v).map_or_else(|| "n/a".into(), format_nanos)
    }

    fn prefault_table(quick: bool) {
        let (n, rounds) = if quick { (32 * MIB, 3) } else { (256 * MIB, 5) };
        println!(
            "\n## prefault: map {} and make every page resident, {rounds} interleaved rounds\n",
            format_bytes(n as f64)
        );
        // C004-38, D68: the kernel prefaults faster than a user loop.
        let p = paging::prefault_experiment(n, rounds)
            .unwrap_or_else(|e| cli::fail(&e.to_string()));
        println!(
            "{:<34} {:>10} {:>10} {:>14}",
            "variant", "median", "vs demand", "later faults"
        );
        println!(
            "{:<34} {:>10} {:>10} {:>14}",
            "demand faults (touch loop)",
            median(&p.demand_ns),
            "1.00×",
            "-"
        );
        println!(
            "{:<34} {:>10} {:>9.2}× {:>14}",
            "MAP_POPULATE, then touch loop",
            median(&p.map_populate_ns),
            p.map_populate_speedup(),
            p.faults_after_map_populate
        );
        if let (Some(s), Some(f)) =
            (p.populate_write_speedup(), p.faults_after_populate_write)
        {
            println!(
                "{:<34} {:>10} {:>9.2}× {:>14}",
                "MADV_POPULATE_WRITE, then touch",
                median(&p.populate_write_ns),
                s,
                f
            );
        }
        println!(
            "(demand faults per round: {}; \"vs demand\" = demand time / this time)",
            p.demand_faults
        );
    }

    fn thp_table(quick: bool) {
        let (n, rounds) = if quick { (64 * MIB, 3) } else { (256 * MIB, 5) };
        println!(
            "\n## thp: {} touched with 4 KiB pages and with MADV_HUGEPAGE, {rounds} interleaved rounds\n",
            format_bytes(n as f64)
        );
        // C004-39, D69: MAP_HUGETLB needs reserved pages; THP does not.
        let tlb = paging::hugetlb_experiment();
        match &tlb.error {
            Some(e) => println!(
                "MAP_HUGETLB (nr_hugepages = {}): {e}",
                tlb.reserved.unwrap_or(0)
            ),
            None => println!("MAP_HUGETLB: one 2 MiB page in {} fault(s)", tlb.faults),
        }
        let h = paging::huge_page_experiment(n, rounds)
            .unwrap_or_else(|e| cli::fail(&e.to_string()));
        println!(
            "\n{:<16} {:>8} {:>12} {:>18}",
            "pages", "faults", "touch", "AnonHugePages +"
        );
        println!(
            "{:<16} {:>8} {:>12} {:>18}",
            "4 KiB",
            h.small_faults,
            median(&h.small_touch_ns),
            "-"
        );
        println!(
            "{:<16} {:>8} {:>12} {:>14} KiB",
            "MADV_HUGEPAGE",
            h.huge_faults,
            median(&h.huge_touch_ns),
            h.anon_huge_kib
        );
        println!(
            "first touch, 4 KiB / huge: {:.2}× (mapping 2 MiB-aligned: {})",
            h.touch_speedup(),
            h.aligned
        );
        let (area, reads) =
            if quick { (64 * MIB, 1_000_000) } else { (256 * MIB, 4_000_000) };
        let (small, huge) = paging::random_access_ns(area, reads, 3)
            .unwrap_or_else(|e| cli::fail(&e.to_string()));
        println!(
            "random 1-byte reads over {} ({reads} per round, 3 rounds): 4 KiB {} / read, \
             huge {} / read ({:.2}×)",
            format_bytes(area as f64),
            median(&small),
            median(&huge),
            stats::ratio_of_medians(&small, &huge).unwrap_or(0.0)
        );
    }

    fn lifetime_table(quick: bool) {
        println!(
            "\n## lifetime: the seed's finalizer, Rust ownership, and who sees a leak\n"
        );
        // C004-14, D60: the finalizer on a local slice header unmaps memory in use.
        let o = perf_workbook::measure::child::run_mode(
            lifetime::CHILD_FINALIZER,
            Duration::from_secs(30),
        )
        .unwrap_or_else(|e| cli::fail(&e.to_string()));
        println!("seed's finalizer, ported (child process): {}", o.describe());
        let count = if quick { 1_000 } else { 10_000 };
        let before =
            lifetime::Footprint::now().unwrap_or_else(|e| cli::fail(&e.to_string()));
        let t = Instant::now();
        lifetime::raii_cycles(count, MIB).unwrap_or_else(|e| cli::fail(&e.to_string()));
        let took = t.elapsed();
        let after =
            lifetime::Footprint::now().unwrap_or_else(|e| cli::fail(&e.to_string()));
        println!(
            "MmapBuf, {count} × (map 1 MiB, write, drop) in {}: mappings {} → {}, VmSize {} → {} KiB",
            format_nanos(took.as_nanos() as f64),
            before.mappings,
            after.mappings,
            before.vm_size_kib,
            after.vm_size_kib
        );
        // C004-22, C004-36, D66: RSS and a heap profile miss an mmap leak.
        let l = lifetime::leak_view(16, 64 * MIB)
            .unwrap_or_else(|e| cli::fail(&e.to_string()));
        println!(
            "\n16 leaked 64 MiB mappings (one page written in each), as each tool sees them:"
        );
        println!("  RSS (docker stats)        +{} KiB", l.rss_kib);
        println!(
            "  heap profile (counting)   {}",
            l.heap_bytes.map_or_else(|| "n/a".into(), |b| format!("{b} B"))
        );
        println!("  VmSize                    +{} KiB", l.vm_size_kib);
        println!("  /proc/self/maps           {} of {} found", l.found_in_maps, l.count);
    }
}
