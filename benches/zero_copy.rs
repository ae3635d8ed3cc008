//! Chapter 1 bench: every way to send a file to a TCP socket on 127.0.0.1,
//! side by side, at 64 KiB, 1 MiB and 256 MiB; and file → file copies.
//!
//! One iteration = one whole transfer *delivered*: a receiver thread reads
//! exactly the file's size, then sends a one-byte acknowledgement the
//! sender waits for. The receiver checks the byte count of every transfer
//! (a short transfer would stall and fail the run), and the checksum of one
//! transfer per method before timing starts.
//!
//! Set-up: the sender (this thread) and the receiver are pinned to two
//! different CPUs, and both sockets use Reno congestion control, as in the
//! chapter's checks (`cargo run --release --example zero_copy -- --table
//! methods` shows why: unpinned threads and a pacing congestion control
//! such as BBR change the figures more than the copy method does).
//!
//! Limits, stated plainly:
//! - loopback: the receiver's copy out of the socket runs on the same
//!   machine as the sender, so throughput ratios are not what a NIC would
//!   show (the example prints sender CPU per GiB, which criterion does not
//!   measure);
//! - the file is in the page cache: disk speed is not measured;
//! - each iteration includes one ack round trip (~20 µs here), which weighs
//!   on the 64 KiB group;
//! - the counting allocator is not installed here, so nothing is slowed by it.
//!
//! Under `cargo test --benches` (criterion's test mode) the sizes shrink to
//! 64 KiB and 1 MiB so the run stays quick.

#[cfg(target_os = "linux")]
mod bench {
    use criterion::{BenchmarkId, Criterion, Throughput};
    use perf_workbook::zero_copy::file_copy::copy_file_range_all;
    use perf_workbook::zero_copy::files::{Scratch, write_pattern_file};
    use perf_workbook::zero_copy::loopback::{self, Loopback, Placement};
    use perf_workbook::zero_copy::method::{Method, Sender};
    use perf_workbook::zero_copy::read_write::read_write_loop;
    use std::fs::File;
    use std::hint::black_box;
    use std::io::{Seek, SeekFrom};
    use std::time::Duration;

    /// The baseline first, then the subject and its peers.
    const METHODS: [Method; 6] = [
        Method::FromMemory,
        Method::ReadWrite(64 << 10),
        Method::StdIoCopy,
        Method::Sendfile,
        Method::Splice(64 << 10),
        Method::Splice(1 << 20),
    ];

    fn test_mode() -> bool {
        !std::env::args().any(|a| a == "--bench")
    }

    pub fn file_to_tcp(c: &mut Criterion) {
        let sizes: &[u64] = if test_mode() {
            &[64 << 10, 1 << 20]
        } else {
            &[64 << 10, 1 << 20, 256 << 20]
        };
        let largest = *sizes.iter().max().expect("sizes");
        let dir = Scratch::new("bench").expect("scratch dir");
        let path = dir.join("payload.bin");
        let sum = write_pattern_file(&path, largest, 1).expect("payload");
        let file = File::open(&path).expect("open payload");
        // Sender here, receiver on another CPU (unpinned on a 1-CPU machine).
        let (sender_cpu, receiver_cpu) =
            Placement::TwoCpus.cpus().unwrap_or((None, None));
        if let Some(cpu) = sender_cpu {
            perf_workbook::measure::cpu::pin_current_thread(cpu)
                .expect("pin the sending thread");
        }
        let mut link = Loopback::with(receiver_cpu, Some(loopback::DEFAULT_CONGESTION))
            .expect("loopback pair");
        for &size in sizes {
            let mut group = c.benchmark_group(format!("file_to_tcp/{}", label(size)));
            group.throughput(Throughput::Bytes(size));
            if size >= 64 << 20 {
                group.sample_size(10).measurement_time(Duration::from_secs(20));
            }
            for method in METHODS {
                let mut sender = Sender::new(method).expect("sender");
                sender.prepare(&file, size).expect("prepare");
                // Correctness before timing: every byte, in order.
                let s =
                    link.sample(&mut sender, &file, size, 1, true).expect("check run");
                let want =
                    if size == largest { sum } else { prefix_checksum(&file, size) };
                assert_eq!(
                    (s.received, s.checksum),
                    (size, Some(want)),
                    "{}",
                    method.label()
                );
                group.bench_function(
                    BenchmarkId::from_parameter(method.label().replace('/', "-")),
                    |b| {
                        b.iter_custom(|iters| {
                            let reps = u32::try_from(iters).expect("iteration count");
                            let s = link
                                .sample(
                                    &mut sender,
                                    black_box(&file),
                                    black_box(size),
                                    reps,
                                    false,
                                )
                                .expect("transfer");
                            assert_eq!(black_box(s.received), size * iters);
                            s.wall
                        })
                    },
                );
            }
            group.finish();
        }
    }

    pub fn file_to_file(c: &mut Criterion) {
        let size: u64 = if test_mode() { 1 << 20 } else { 64 << 20 };
        let dir = Scratch::new("bench-copy").expect("scratch dir");
        let src_path = dir.join("src.bin");
        write_pattern_file(&src_path, size, 2).expect("source");
        let src = File::open(&src_path).expect("open source");
        let dst = File::create(dir.join("dst.bin")).expect("destination");
        let mut group = c.benchmark_group(format!("file_to_file/{}", label(size)));
        group.throughput(Throughput::Bytes(size));
        type Copy = fn(&File, u64, &File) -> u64;
        let methods: [(&str, Copy); 3] = [
            ("read-write 64 KiB", |s, n, d| {
                read_write_loop(s, 0, n, &mut &*d, 64 << 10).expect("copy").bytes
            }),
            ("std::io::copy", |mut s, _, mut d| {
                s.seek(SeekFrom::Start(0)).expect("rewind");
                std::io::copy(&mut s, &mut d).expect("copy")
            }),
            ("copy_file_range", |s, n, d| {
                copy_file_range_all(s, 0, n, d).expect("copy").bytes
            }),
        ];
        for (name, copy) in methods {
            dst.set_len(0).expect("truncate");
            (&dst).seek(SeekFrom::Start(0)).expect("rewind");
            assert_eq!(copy(&src, size, &dst), size, "{name}");
            assert_eq!(
                std::fs::read(dir.join("dst.bin")).expect("read back"),
                std::fs::read(&src_path).expect("read source")
            );
            group.bench_function(name, |b| {
                b.iter(|| {
                    // Rewriting the same destination: truncate, then copy.
                    dst.set_len(0).expect("truncate");
                    (&dst).seek(SeekFrom::Start(0)).expect("rewind");
                    black_box(copy(black_box(&src), size, &dst))
                })
            });
        }
        group.finish();
    }

    fn prefix_checksum(file: &File, len: u64) -> u64 {
        use std::os::unix::fs::FileExt;
        let mut buf = vec![0u8; len as usize];
        file.read_exact_at(&mut buf, 0).expect("read prefix");
        perf_workbook::zero_copy::files::Checksum::of(&buf)
    }

    fn label(size: u64) -> String {
        perf_workbook::table::format_bytes(size as f64).replace(' ', "")
    }
}

#[cfg(target_os = "linux")]
criterion::criterion_group!(benches, bench::file_to_tcp, bench::file_to_file);
#[cfg(target_os = "linux")]
criterion::criterion_main!(benches);

#[cfg(not(target_os = "linux"))]
fn main() {
    perf_workbook::cli::requires_linux("the zero-copy bench (sendfile, splice)");
}
