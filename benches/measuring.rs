//! Chapter 0, "Measuring honestly": the benchmarks the seeds should have
//! written, and the ones they did write, side by side.
//!
//! Groups (each with a trivial baseline beside the subject):
//! - `elision/*`: seed 001's `make([]byte, 1024)` and seed 000's direct
//!   buffer, unused (as the seeds wrote them) and through `black_box`.
//! - `pool_get_put`: the least work a pool can do, beside the allocator it
//!   replaces and a pool that boxes every buffer (Go's `sync.Pool` of `[]byte`).
//! - `counting_alloc`: a 64-byte alloc + write + free through glibc and
//!   through `CountingAlloc<System>`, both called directly: what the
//!   counting adds.
//! - `first_touch/*`: seed 004's buffers, allocation only and allocation +
//!   one write per page, `vec![0u8; n]` and anonymous mmap.
//!
//! Limits, admitted:
//! - This machine is a shared 2-core VM: read ratios within one run, not
//!   absolute times across runs.
//! - The pool bodies pass the pool itself through `black_box`, which adds a
//!   store and a load per iteration; without it the compiler keeps the pool
//!   in registers and the figure is not a pool's any more.
//! - `first_touch` times the free (munmap) with each iteration; the claim
//!   checks time allocation and touch separately (`--example measuring`).
//! - No counting allocator here: its bookkeeping would be timed too. The
//!   allocation counts are in `tests/measuring/` and the example.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use perf_workbook::measuring::tiny_pool::{BUFFER_CAPACITY, BoxingPool, TinyBytePool};
use std::hint::black_box;
use std::time::Duration;

fn elision(c: &mut Criterion) {
    assert_eq!(vec![0u8; 1024], [0u8; 1024], "vec! makes 1024 zeroes");
    // ANCHOR: criterion_elision
    let mut g = c.benchmark_group("elision/make_1024");
    g.throughput(Throughput::Elements(1));
    g.bench_function("baseline: empty body", |b| b.iter(|| ()));
    g.bench_function("unused, as seed 001 wrote it", |b| {
        b.iter(|| {
            let buf = vec![0u8; 1024];
            drop(buf);
        })
    });
    g.bench_function("black_box", |b| b.iter(|| black_box(vec![0u8; 1024])));
    g.finish();
    // ANCHOR_END: criterion_elision

    let mut g = c.benchmark_group("elision/with_capacity_1024_append");
    g.throughput(Throughput::Elements(1));
    g.bench_function("baseline: empty body", |b| b.iter(|| ()));
    g.bench_function("unused, as seed 000 wrote it", |b| {
        b.iter(|| {
            let mut buf: Vec<u8> = Vec::with_capacity(1024);
            buf.extend_from_slice(b"test data");
        })
    });
    g.bench_function("black_box", |b| {
        b.iter(|| {
            let mut buf: Vec<u8> = Vec::with_capacity(1024);
            buf.extend_from_slice(black_box(b"test data"));
            buf
        })
    });
    g.finish();
}

fn pool_get_put(c: &mut Criterion) {
    let mut pool = TinyBytePool::new(BUFFER_CAPACITY, 16);
    let first = pool.get();
    let ptr = first.as_ptr();
    pool.put(first);
    let again = pool.get();
    assert_eq!(again.as_ptr(), ptr, "the pool reuses its buffer");
    pool.put(again);
    let mut boxing = BoxingPool::new();
    boxing.put(Vec::with_capacity(BUFFER_CAPACITY));

    let mut g = c.benchmark_group("pool_get_put");
    g.throughput(Throughput::Elements(1));
    g.bench_function("baseline: empty body", |b| b.iter(|| ()));
    g.bench_function("tiny pool", |b| {
        b.iter(|| {
            let p = black_box(&mut pool);
            let buf = p.get();
            p.put(black_box(buf));
        })
    });
    g.bench_function("tiny pool, nothing observed", |b| {
        b.iter(|| {
            let buf = pool.get();
            pool.put(buf);
        })
    });
    g.bench_function("boxing pool", |b| {
        b.iter(|| {
            let p = black_box(&mut boxing);
            let buf = p.get();
            p.put(black_box(buf));
        })
    });
    g.bench_function("malloc+free 1024 B", |b| {
        b.iter(|| black_box(Vec::<u8>::with_capacity(BUFFER_CAPACITY)))
    });
    g.finish();
}

fn counting_alloc(c: &mut Criterion) {
    use perf_workbook::measure::alloc::snapshot;
    use perf_workbook::measuring::counting_cost::{counting_loop, glibc_loop};
    let before = snapshot();
    counting_loop(10);
    let after = snapshot();
    assert_eq!(after.allocs - before.allocs, 10, "the wrapper counts every block");
    assert_eq!(after.frees - before.frees, 10);
    let mut g = c.benchmark_group("counting_alloc");
    g.throughput(Throughput::Elements(1));
    g.bench_function("glibc_direct", |b| {
        b.iter_custom(|n| {
            let t = std::time::Instant::now();
            glibc_loop(n);
            t.elapsed()
        })
    });
    g.bench_function("counting_alloc_over_glibc", |b| {
        b.iter_custom(|n| {
            let t = std::time::Instant::now();
            counting_loop(n);
            t.elapsed()
        })
    });
    g.finish();
}

fn touch(buf: &mut [u8]) {
    for i in (0..buf.len()).step_by(4096) {
        buf[i] = 1;
    }
}

fn first_touch(c: &mut Criterion) {
    let mut probe = memmap2::MmapMut::map_anon(1 << 20).expect("mmap 1 MiB");
    touch(&mut probe);
    assert!(probe.iter().step_by(4096).all(|&b| b == 1), "touch writes every page");

    for mib in [1usize, 64] {
        let n = mib << 20;
        let mut g = c.benchmark_group(format!("first_touch/{mib}MiB"));
        g.throughput(Throughput::Bytes(n as u64));
        g.sample_size(10).warm_up_time(Duration::from_millis(500));
        g.bench_function("baseline: empty body", |b| b.iter(|| ()));
        g.bench_function("vec alloc", |b| b.iter(|| black_box(vec![0u8; n])));
        g.bench_function("mmap alloc", |b| {
            b.iter(|| black_box(memmap2::MmapMut::map_anon(n).expect("mmap")))
        });
        g.bench_function("vec alloc+touch", |b| {
            b.iter(|| {
                let mut v = vec![0u8; n];
                touch(&mut v);
                black_box(v)
            })
        });
        g.bench_function("mmap alloc+touch", |b| {
            b.iter(|| {
                let mut m = memmap2::MmapMut::map_anon(n).expect("mmap");
                touch(&mut m);
                black_box(m)
            })
        });
        g.finish();
    }
}

criterion_group!(benches, elision, pool_get_put, counting_alloc, first_touch);
criterion_main!(benches);
