//! Chapter 7, "mmap and large buffers": criterion benches.
//!
//! Groups, in the order they run:
//! - `churn_1MiB`: allocate 1 MiB, touch every page, free, in a loop: a Vec
//!   (glibc reuses its heap chunk) against a fresh mapping each time (C004-34).
//! - `recycle`: the same loop at 16 MiB and 64 MiB (C004-02): glibc's dynamic
//!   threshold makes the first a memset of a resident chunk, the second a fresh
//!   lazily zeroed mapping every time.
//! - `alloc_only/<size>`: the allocation call alone, per strategy.
//! - `alloc_touch/<size>`: allocation + one write per page, per strategy.
//! - `prefault_64MiB`: demand faults against MAP_POPULATE and MADV_POPULATE_WRITE.
//! - `random_read_256MiB`: random 1-byte reads, 4 KiB pages against THP (TLB).
//! - `tlb_32_chains_256MiB`: 32 pointer chases in turn through one random
//!   cycle of every 64-byte line (32 loads in flight), 4 KiB pages against THP.
//! - `fault_split_64MiB`: a first-touch fault per page against a memset of
//!   the same 4 KiB page once resident (the zeroing alone).
//!
//! Limits, admitted:
//! - Before `alloc_only` we fix glibc's mmap threshold at 128 KiB with
//!   `mallopt(M_MMAP_THRESHOLD)`. That turns the dynamic threshold off for the
//!   rest of the process, so every `vec!` of 1 MiB and up is a fresh mapping and
//!   criterion measures the allocation, not the allocator's reuse. It is not
//!   glibc's default behaviour; `churn_1MiB` and `recycle` run first, with
//!   the default, to show that one.
//! - Each iteration allocates with `iter_batched(.., PerIteration)`; criterion
//!   drops the output outside the timed region, so `munmap` is not timed.
//! - Page faults on a VM cost several times what they cost on bare metal, and
//!   the first touch of guest memory the host has not backed (or has taken
//!   back: free page reporting) is slower still, THP most of all. Criterion's
//!   warm-up phase allocates and frees the same sizes over and over just
//!   before each measurement, so the measured iterations reuse warm memory;
//!   a program that touches memory freed long ago may see the cold case
//!   (`cargo run --release --example mmap` prints both at the top).
//! - No counting allocator is installed: it would add its own cost.
//! - `Throughput::Bytes` counts the buffer's bytes, but the touch writes one
//!   byte per page: read the rates as "bytes of buffer made ready per
//!   second", not as memory bandwidth. The resident-touch baseline is what a
//!   touch costs without page faults.

#[cfg(not(target_os = "linux"))]
fn main() {
    perf_workbook::cli::requires_linux("the mmap benches");
}

#[cfg(target_os = "linux")]
criterion::criterion_main!(linux::benches);

#[cfg(target_os = "linux")]
mod linux {
    use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group};
    use perf_workbook::measure::rng::SplitMix64;
    use perf_workbook::mmap::MmapBuf;
    use perf_workbook::mmap::paging;
    use perf_workbook::mmap::sizes::{self, Strategy, touch_pages};
    use std::hint::black_box;
    use std::time::Duration;

    const MIB: usize = 1 << 20;

    /// `cargo bench` passes `--bench`; `cargo test --benches` runs each bench
    /// once without it, and gets small sizes so that it stays quick.
    fn bench_mode() -> bool {
        std::env::args().any(|a| a == "--bench")
    }

    fn name(n: usize) -> String {
        if n >= 1 << 30 { format!("{}GiB", n >> 30) } else { format!("{}MiB", n >> 20) }
    }

    /// Checks a strategy once before timing it: the right length, zeroes (or
    /// ones for the eager fill), and a touch that reaches every page. Sizes
    /// are capped at 64 MiB: nothing in a strategy depends on size beyond that.
    fn check(strategy: Strategy, n: usize) {
        let n = n.min(64 * MIB);
        let mut b = sizes::allocate(strategy, n).expect("allocation for the check");
        let s = b.as_mut_slice();
        let want = if strategy == Strategy::VecOnes { 1 } else { 0 };
        assert_eq!(s.len(), n);
        assert!(s.iter().step_by(4096).all(|&x| x == want), "{strategy:?}");
        assert_eq!(touch_pages(s), n.div_ceil(4096));
        assert!(s.iter().step_by(4096).all(|&x| x == 1), "{strategy:?}");
    }

    fn churn(c: &mut Criterion) {
        let n = MIB;
        let mut g = c.benchmark_group("churn_1MiB");
        g.throughput(Throughput::Bytes(n as u64));
        // Baseline: touch a buffer that stays resident (no allocation, no fault).
        let mut resident = vec![0u8; n];
        g.bench_function("baseline: touch resident", |b| {
            b.iter(|| touch_pages(black_box(&mut resident)))
        });
        g.bench_function("vec![0u8; n] + touch + free", |b| {
            b.iter(|| {
                let mut v = vec![0u8; black_box(n)];
                touch_pages(&mut v);
                black_box(v)
            })
        });
        g.bench_function("MmapBuf::new + touch + unmap", |b| {
            b.iter(|| {
                let mut m = MmapBuf::new(black_box(n)).expect("mmap");
                touch_pages(&mut m);
                black_box(m)
            })
        });
        g.finish();
    }

    fn recycle(c: &mut Criterion) {
        let mut g = c.benchmark_group("recycle");
        g.sample_size(10).measurement_time(Duration::from_secs(2));
        let list: &[usize] =
            if bench_mode() { &[16 * MIB, 64 * MIB] } else { &[16 * MIB] };
        for &n in list {
            g.throughput(Throughput::Bytes(n as u64));
            g.bench_with_input(
                BenchmarkId::new("vec![0u8; n] + touch + free", name(n)),
                &n,
                |b, &n| {
                    b.iter(|| {
                        let mut v = vec![0u8; black_box(n)];
                        touch_pages(&mut v);
                        black_box(v)
                    })
                },
            );
        }
        g.finish();
    }

    fn fix_glibc_threshold() {
        // SAFETY: mallopt only changes glibc's tunables; called before any
        // timed allocation of this group, from the only running thread.
        let ok = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024) };
        assert_eq!(ok, 1, "mallopt(M_MMAP_THRESHOLD) failed");
    }

    fn alloc_only(c: &mut Criterion) {
        fix_glibc_threshold();
        let list: &[usize] =
            if bench_mode() { &[MIB, 64 * MIB, 1 << 30] } else { &[MIB] };
        for &n in list {
            let mut g = c.benchmark_group(format!("alloc_only/{}", name(n)));
            g.throughput(Throughput::Bytes(n as u64));
            g.bench_function("baseline: Vec::new()", |b| {
                b.iter(|| black_box(Vec::<u8>::new()))
            });
            for s in [Strategy::VecZeroed, Strategy::Mmap, Strategy::MmapThp] {
                check(s, n);
                g.bench_function(s.label(), |b| {
                    b.iter_batched(
                        || (),
                        |()| sizes::allocate(s, black_box(n)).expect("allocation"),
                        BatchSize::PerIteration,
                    )
                });
            }
            g.finish();
        }
    }

    fn alloc_touch(c: &mut Criterion) {
        let list: &[usize] =
            if bench_mode() { &[MIB, 64 * MIB, 256 * MIB] } else { &[MIB] };
        for &n in list {
            let mut g = c.benchmark_group(format!("alloc_touch/{}", name(n)));
            g.throughput(Throughput::Bytes(n as u64));
            if n > 64 * MIB {
                g.sample_size(10).measurement_time(Duration::from_secs(3));
            }
            let mut resident = vec![0u8; n];
            touch_pages(&mut resident);
            g.bench_function("baseline: touch resident", |b| {
                b.iter(|| touch_pages(black_box(&mut resident)))
            });
            for s in Strategy::ALL {
                check(s, n);
                g.bench_function(s.label(), |b| {
                    b.iter_batched(
                        || (),
                        |()| {
                            let mut buf =
                                sizes::allocate(s, black_box(n)).expect("allocation");
                            touch_pages(buf.as_mut_slice());
                            buf
                        },
                        BatchSize::PerIteration,
                    )
                });
            }
            g.finish();
        }
    }

    fn prefault(c: &mut Criterion) {
        let n = if bench_mode() { 64 * MIB } else { 4 * MIB };
        let mut g = c.benchmark_group(format!("prefault_{}", name(n)));
        g.throughput(Throughput::Bytes(n as u64));
        type Make = fn(usize) -> MmapBuf;
        let variants: [(&str, Make); 3] = [
            ("demand faults", |n| MmapBuf::new(n).expect("mmap")),
            ("MAP_POPULATE", |n| MmapBuf::populated(n).expect("mmap")),
            ("MADV_POPULATE_WRITE", |n| {
                let m = MmapBuf::new(n).expect("mmap");
                m.populate_write().expect("MADV_POPULATE_WRITE (Linux 5.14+)");
                m
            }),
        ];
        for (label, make) in variants {
            let mut m = make(n);
            let (_, d) = perf_workbook::measure::os::measure(|| touch_pages(&mut m));
            let prefaulted = label != "demand faults";
            assert!(!prefaulted || d.minor_faults < 16, "{label}: {d:?}");
            g.bench_function(format!("{label} + touch"), |b| {
                b.iter_batched(
                    || (),
                    |()| {
                        let mut m = make(black_box(n));
                        touch_pages(&mut m);
                        m
                    },
                    BatchSize::PerIteration,
                )
            });
        }
        g.finish();
    }

    fn random_read(c: &mut Criterion) {
        let n = if bench_mode() { 256 * MIB } else { 16 * MIB };
        let reads = 1 << 20;
        let mut g = c.benchmark_group(format!("random_read_{}", name(n)));
        g.throughput(Throughput::Elements(reads as u64));
        for huge in [false, true] {
            let mut m = MmapBuf::new(n).expect("mmap");
            if huge {
                m.advise_huge_pages().expect("MADV_HUGEPAGE");
            } else {
                m.advise_no_huge_pages().expect("MADV_NOHUGEPAGE");
            }
            for (i, x) in m.iter_mut().enumerate().step_by(4096) {
                *x = (i >> 12) as u8;
            }
            assert_eq!(m[5 * 4096], 5);
            let label = if huge { "MADV_HUGEPAGE (2 MiB)" } else { "4 KiB pages" };
            g.bench_function(label, |b| {
                b.iter(|| {
                    let mut rng = SplitMix64::new(0x5EED);
                    let mut sum = 0u64;
                    for _ in 0..reads {
                        sum = sum.wrapping_add(m[rng.below(n)] as u64);
                    }
                    black_box(sum)
                })
            });
        }
        g.finish();
    }

    /// Random reads at 32-way memory-level parallelism: 32 chains through
    /// one random cycle of every 64-byte line, 4 KiB pages against THP.
    fn tlb(c: &mut Criterion) {
        const CHAINS: usize = 32;
        let n = if bench_mode() { 256 * MIB } else { 16 * MIB };
        let lines = n / 64;
        let mut order: Vec<u32> = (0..lines as u32).collect();
        SplitMix64::new(0x71B).shuffle(&mut order);
        let starts: [u32; CHAINS] = std::array::from_fn(|j| order[j * lines / CHAINS]);
        let steps = lines / CHAINS;
        let mut g = c.benchmark_group(format!("tlb_32_chains_{}", name(n)));
        g.throughput(Throughput::Elements((CHAINS * steps) as u64));
        g.sample_size(10);
        for huge in [false, true] {
            let mut m = MmapBuf::new(n).expect("mmap");
            if huge {
                m.advise_huge_pages().expect("MADV_HUGEPAGE");
            } else {
                m.advise_no_huge_pages().expect("MADV_NOHUGEPAGE");
            }
            paging::line_cycle(&mut m, &order);
            // One chain from its start comes back to it after every line.
            let back = paging::chase_lines(&m, &[order[0]], lines);
            assert_eq!(back[0], order[0] as usize, "one cycle through every line");
            let label = if huge { "MADV_HUGEPAGE (2 MiB)" } else { "4 KiB pages" };
            g.bench_function(label, |b| {
                b.iter(|| black_box(paging::chase_lines(&m, &starts, steps)))
            });
        }
        g.finish();
    }

    /// A first-touch fault against a memset of the same 4 KiB page, resident.
    fn fault_split(c: &mut Criterion) {
        let n = if bench_mode() { 64 * MIB } else { 4 * MIB };
        let mut g = c.benchmark_group(format!("fault_split_{}", name(n)));
        g.throughput(Throughput::Elements((n / 4096) as u64));
        g.sample_size(10);
        let fresh = |n: usize| {
            let m = MmapBuf::new(n).expect("mmap");
            m.advise_no_huge_pages().expect("MADV_NOHUGEPAGE");
            m
        };
        let mut probe = fresh(n);
        let (_, d) = perf_workbook::measure::os::measure(|| touch_pages(&mut probe));
        assert!(d.minor_faults as usize >= n / 4096 / 2, "demand faults: {d:?}");
        g.bench_function("first touch (fault)", |b| {
            b.iter_batched(
                || fresh(n),
                |mut m| {
                    touch_pages(&mut m);
                    m
                },
                BatchSize::PerIteration,
            )
        });
        g.bench_function("memset 4 KiB, resident", |b| {
            b.iter(|| {
                for page in probe.chunks_mut(4096) {
                    black_box(page).fill(0);
                }
            })
        });
        g.finish();
    }

    criterion_group!(
        benches,
        churn,
        recycle,
        alloc_only,
        alloc_touch,
        prefault,
        random_read,
        tlb,
        fault_split
    );
}
