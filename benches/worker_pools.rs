//! Chapter 9, "Worker pools, batching and async I/O": our pool against the
//! pools Rust programs use, batched writes, and four ways to read a file,
//! each group's peers side by side.
//!
//!     cargo bench --bench worker_pools                 # everything (about two minutes)
//!     cargo bench --bench worker_pools -- empty_jobs   # one group
//!
//! Groups:
//! - `empty_jobs_2_workers`, `jobs_1us_2_workers`: N jobs through each pool
//!   of [`Peer`] with 2 workers (the loop of `peers::run_jobs`, the one the
//!   example and the claim checks time), against `inline`, the same jobs on
//!   the calling thread (the baseline: what a pool must beat).
//! - `batched_writes`: 256 records of 64 B into a file at batches of 1, 8, 64.
//! - `reads_4k_page_cache`: 256 page-cached 4 KiB blocks, four ways.
//!
//! Before timing, every pool is run once counting its jobs in the jobs
//! themselves, every write run checks its file's length, and every way of
//! reading checks the bytes it read.
//!
//! Limits, stated plainly:
//! - Pools are built outside the timed region but per sample, so their
//!   threads are fresh; a long-lived pool is warmer.
//! - On a shared 2-vCPU VM the pools' ratios move with the load; the
//!   example prints the load beside the same ratios.
//! - The seed's pool processes a partial batch only on its 10 ms ticker: its
//!   1 µs group includes that wait (it is its design).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use perf_workbook::worker_pools::file_io::{self, BlockFile, Way};
use perf_workbook::worker_pools::peers::{self, Peer};
use perf_workbook::worker_pools::writes;
use std::hint::black_box;
use std::time::{Duration, Instant};

const WORKERS: usize = 2;

fn check_pools(n: u64) {
    for peer in Peer::ALL {
        let ran = peers::count_jobs(peer, WORKERS, n);
        assert_eq!(ran, n, "{} ran {ran} of {n} jobs", peer.label());
    }
}

fn pools(c: &mut Criterion, group: &str, n: u64, job_ns: f64) {
    check_pools(n);
    let iters = peers::iters_for(job_ns);
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(n))
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    g.bench_function("inline", |b| {
        b.iter(|| {
            for i in 0..black_box(n) {
                black_box(peers::spin(i, iters));
            }
        })
    });
    for peer in Peer::ALL {
        g.bench_function(BenchmarkId::from_parameter(peer.label()), |b| {
            b.iter_custom(|k| {
                (0..k).map(|_| peers::time_jobs(peer, WORKERS, n, iters)).sum()
            })
        });
    }
    g.finish();
}

fn empty_jobs(c: &mut Criterion) {
    pools(c, "empty_jobs_2_workers", 50_000, 0.0);
}

fn jobs_1us(c: &mut Criterion) {
    pools(c, "jobs_1us_2_workers", 5_000, 1_000.0);
}

fn batched_writes(c: &mut Criterion) {
    const N: u64 = 256;
    let mut g = c.benchmark_group("batched_writes");
    g.throughput(Throughput::Elements(N))
        .sample_size(10)
        .measurement_time(Duration::from_secs(2));
    for batch in [1usize, 8, 64] {
        let run = writes::batched_writes(N, batch, false).expect("a write run");
        assert_eq!(run.file_bytes, N * writes::RECORD as u64);
        assert_eq!(run.syscw, N.div_ceil(batch as u64));
        g.bench_function(BenchmarkId::new("batch", batch), |b| {
            b.iter_custom(|k| {
                (0..k)
                    .map(|_| {
                        writes::batched_writes(N, batch, false)
                            .expect("a write run")
                            .elapsed
                    })
                    .sum()
            })
        });
    }
    g.finish();
}

fn reads(c: &mut Criterion) {
    let f = BlockFile::create(256).expect("a block file");
    let mut g = c.benchmark_group("reads_4k_page_cache");
    g.throughput(Throughput::Elements(f.blocks))
        .sample_size(10)
        .measurement_time(Duration::from_secs(2));
    for way in Way::ALL {
        match file_io::read_all(&f, way, None) {
            Ok(r) => assert_eq!(r.sum, f.expected_sum()),
            Err(e) => {
                eprintln!("{}: {e}", way.label());
                continue;
            }
        }
        g.bench_function(BenchmarkId::from_parameter(way.label()), |b| {
            b.iter_custom(|k| {
                let t = Instant::now();
                for _ in 0..k {
                    black_box(file_io::read_all(&f, way, None).expect("reads"));
                }
                t.elapsed()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, empty_jobs, jobs_1us, batched_writes, reads);
criterion_main!(benches);
