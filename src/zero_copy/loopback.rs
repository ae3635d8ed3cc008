//! The measuring bench for file → socket methods: a TCP connection on
//! 127.0.0.1 with a receiver thread at the other end, and the counters of
//! the sending thread around each transfer.
//!
//! A transfer counts as done when the receiver has read every byte and sent
//! back a one-byte acknowledgement, so a sample times delivery, not the
//! filling of a socket buffer. Per sample it records the sender's CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`), its read-family syscalls and bytes
//! (`/proc/thread-self/io`: a socket `send` is counted in neither `syscw`
//! nor `wchar`, so the file side tells the story), its heap allocations when
//! the counting allocator is installed, and the receiver's CPU time.
//!
//! Not for: other machines. Loopback has no NIC: the receiver's copy out of
//! the socket is on the same two CPUs as the sender, and bounds throughput.

use super::method::{Method, Sender};
use super::transfer::Moved;
use crate::measure::alloc::{self, AllocScope};
use crate::measure::os::ThreadCounters;
use crate::measure::stats;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// CPU time this thread has used (`CLOCK_THREAD_CPUTIME_ID`, nanosecond
/// resolution, unlike `getrusage`, which moves in scheduler ticks here).
pub fn thread_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec and the clock id is a
    // constant the kernel knows; the call writes only `ts`.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

struct Order {
    size: u64,
    reps: u32,
    checksum: bool,
}

/// What the receiver saw for one sample.
#[derive(Clone, Copy, Debug)]
struct Received {
    bytes: u64,
    checksum: Option<u64>,
    cpu: Duration,
}

/// One sample: `reps` transfers of `size` bytes with one method.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// The method.
    pub method: Method,
    /// Bytes per transfer.
    pub size: u64,
    /// Transfers in the sample.
    pub reps: u32,
    /// Wall time of the whole sample.
    pub wall: Duration,
    /// Sending thread's CPU time.
    pub sender_cpu: Duration,
    /// Receiving thread's CPU time.
    pub receiver_cpu: Duration,
    /// Sender's `syscr` (read-family syscalls, including sendfile).
    pub syscr: u64,
    /// Sender's `rchar` (bytes through read-family syscalls).
    pub rchar: u64,
    /// Sender's `wchar`. A socket `send` is not counted in it, so here it
    /// counts only kernel copies (`sendfile` counts its bytes in both
    /// `rchar` and `wchar`).
    pub wchar: u64,
    /// Heap bytes the sender allocated (with the counting allocator).
    pub heap_bytes: Option<u64>,
    /// Heap allocations the sender made (with the counting allocator).
    pub heap_allocs: Option<u64>,
    /// What the method itself counted, summed over the transfers.
    pub moved: Moved,
    /// Bytes the receiver got.
    pub received: u64,
    /// The receiver's checksum of the bytes, when asked for.
    pub checksum: Option<u64>,
}

impl Sample {
    /// Bytes per second of wall time.
    pub fn throughput(&self) -> f64 {
        self.received as f64 / self.wall.as_secs_f64()
    }

    /// Sender CPU seconds per GiB moved.
    pub fn sender_cpu_per_gib(&self) -> f64 {
        self.sender_cpu.as_secs_f64() / (self.received as f64 / (1u64 << 30) as f64)
    }

    /// Receiver CPU seconds per GiB moved.
    pub fn receiver_cpu_per_gib(&self) -> f64 {
        self.receiver_cpu.as_secs_f64() / (self.received as f64 / (1u64 << 30) as f64)
    }

    /// Bytes that passed through user space on the sender, per transfer. For
    /// std's `io::copy`, which does not report, it is deduced from the
    /// kernel's counters: a kernel copy counts its bytes in `rchar` *and*
    /// `wchar`, a `read` into a buffer only in `rchar`, and the socket's
    /// `send` in neither; so `rchar − wchar` is what was read into user space.
    pub fn user_bytes_per_transfer(&self) -> u64 {
        let bytes = if self.moved.uncounted {
            self.rchar.saturating_sub(self.wchar)
        } else {
            self.moved.user_bytes
        };
        bytes / u64::from(self.reps)
    }
}

/// A loopback TCP connection with a receiver thread on the far end.
pub struct Loopback {
    sender: TcpStream,
    orders: Option<mpsc::Sender<Order>>,
    reports: mpsc::Receiver<io::Result<Received>>,
    receiver: Option<JoinHandle<()>>,
}

impl Loopback {
    /// Connects a pair on 127.0.0.1 and starts the receiver.
    pub fn new() -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let client = TcpStream::connect(listener.local_addr()?)?;
        let (sender, _) = listener.accept()?;
        // The last segment of a transfer must not wait for the ack of the
        // previous one (Nagle + delayed ACK would add up to 40 ms).
        sender.set_nodelay(true)?;
        client.set_nodelay(true)?;
        // A harness bug or a lost byte must fail, not hang.
        sender.set_read_timeout(Some(Duration::from_secs(60)))?;
        client.set_read_timeout(Some(Duration::from_secs(60)))?;
        let (orders, order_rx) = mpsc::channel::<Order>();
        let (report_tx, reports) = mpsc::channel();
        let receiver = std::thread::Builder::new()
            .name("loopback-receiver".into())
            .spawn(move || {
                for order in order_rx {
                    if report_tx.send(receive(&client, &order)).is_err() {
                        break;
                    }
                }
            })?;
        Ok(Self { sender, orders: Some(orders), reports, receiver: Some(receiver) })
    }

    /// The sending end.
    pub fn stream(&self) -> &TcpStream {
        &self.sender
    }

    /// Sends the first `size` bytes of `file` `reps` times with `sender`,
    /// waiting for the receiver's acknowledgement after each transfer.
    pub fn sample(
        &mut self,
        sender: &mut Sender,
        file: &File,
        size: u64,
        reps: u32,
        checksum: bool,
    ) -> io::Result<Sample> {
        let order = Order { size, reps, checksum };
        self.orders
            .as_ref()
            .expect("receiver running")
            .send(order)
            .map_err(|_| gone())?;
        let scope = alloc::is_installed().then(AllocScope::start);
        let counters = ThreadCounters::try_now()?;
        let cpu = thread_cpu();
        let start = Instant::now();
        let mut moved = Moved::default();
        let mut ack = [0u8; 1];
        for _ in 0..reps {
            moved.absorb(sender.send(file, size, &self.sender)?);
            (&self.sender).read_exact(&mut ack)?;
        }
        let wall = start.elapsed();
        let sender_cpu = thread_cpu() - cpu;
        let d = counters.delta(&ThreadCounters::try_now()?);
        let heap = scope.map(|s| s.counts());
        let got = self.reports.recv().map_err(|_| gone())??;
        Ok(Sample {
            method: sender.method(),
            size,
            reps,
            wall,
            sender_cpu,
            receiver_cpu: got.cpu,
            syscr: d.syscr,
            rchar: d.rchar,
            wchar: d.wchar,
            heap_bytes: heap.map(|h| h.bytes_requested),
            heap_allocs: heap.map(|h| h.allocs),
            moved,
            received: got.bytes,
            checksum: got.checksum,
        })
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        drop(self.orders.take());
        let _ = self.sender.shutdown(std::net::Shutdown::Both);
        if let Some(h) = self.receiver.take() {
            let _ = h.join();
        }
    }
}

fn gone() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the receiver thread stopped")
}

/// The receiver: reads exactly `size` bytes per transfer (never into the
/// next one), then acknowledges with one byte.
fn receive(mut stream: &TcpStream, order: &Order) -> io::Result<Received> {
    let cpu = thread_cpu();
    let mut buf = vec![0u8; 256 << 10];
    let mut sum = order.checksum.then(super::files::Checksum::default);
    let mut bytes = 0;
    for _ in 0..order.reps {
        let mut left = order.size;
        while left > 0 {
            let want = (buf.len() as u64).min(left) as usize;
            let n = match stream.read(&mut buf[..want]) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if let Some(s) = sum.as_mut() {
                s.update(&buf[..n]);
            }
            left -= n as u64;
            bytes += n as u64;
        }
        stream.write_all(&[1])?;
    }
    Ok(Received { bytes, checksum: sum.map(|s| s.finish().0), cpu: thread_cpu() - cpu })
}

/// The samples of one method in a comparison, and their medians.
#[derive(Clone, Debug)]
pub struct MethodRuns {
    /// The method.
    pub method: Method,
    /// Every sample, in the order taken.
    pub samples: Vec<Sample>,
}

impl MethodRuns {
    fn median(&self, f: impl Fn(&Sample) -> f64) -> f64 {
        let v: Vec<f64> = self.samples.iter().map(f).collect();
        stats::median(&v).unwrap_or(f64::NAN)
    }

    /// Median throughput, bytes per second.
    pub fn throughput(&self) -> f64 {
        self.median(Sample::throughput)
    }

    /// Median sender CPU seconds per GiB.
    pub fn sender_cpu_per_gib(&self) -> f64 {
        self.median(Sample::sender_cpu_per_gib)
    }

    /// Median receiver CPU seconds per GiB.
    pub fn receiver_cpu_per_gib(&self) -> f64 {
        self.median(Sample::receiver_cpu_per_gib)
    }

    /// Median wall time per transfer (send + the receiver's acknowledgement),
    /// nanoseconds.
    pub fn latency(&self) -> f64 {
        self.median(|s| s.wall.as_nanos() as f64 / f64::from(s.reps))
    }

    /// Median read-family syscalls per transfer.
    pub fn syscr_per_transfer(&self) -> f64 {
        self.median(|s| s.syscr as f64 / f64::from(s.reps))
    }

    /// Median bytes through user space per transfer.
    pub fn user_bytes_per_transfer(&self) -> f64 {
        self.median(|s| s.user_bytes_per_transfer() as f64)
    }

    /// Median heap bytes allocated per transfer (`None` without the
    /// counting allocator).
    pub fn heap_bytes_per_transfer(&self) -> Option<f64> {
        let v: Option<Vec<f64>> = self
            .samples
            .iter()
            .map(|s| s.heap_bytes.map(|b| b as f64 / f64::from(s.reps)))
            .collect();
        stats::median(&v?)
    }
}

/// Runs every method in `methods` `rounds` times on one connection,
/// interleaved (A B C, B C A, C A B …) so that a drift in the machine's
/// speed spreads over all of them. Each sample sends `file`'s first `size`
/// bytes `reps` times.
pub fn compare(
    methods: &[Method],
    file: &File,
    size: u64,
    reps: u32,
    rounds: usize,
) -> io::Result<Vec<MethodRuns>> {
    let mut link = Loopback::new()?;
    let mut senders: Vec<Sender> =
        methods.iter().map(|&m| Sender::new(m)).collect::<Result<_, _>>()?;
    let mut runs: Vec<MethodRuns> = methods
        .iter()
        .map(|&method| MethodRuns { method, samples: Vec::new() })
        .collect();
    // One untimed transfer per method: page cache, socket buffers and the
    // receiver's buffer are warm before the first sample.
    for s in &mut senders {
        s.prepare(file, size)?;
        link.sample(s, file, size.min(1 << 20), 1, false)?;
        s.prepare(file, size)?;
    }
    for round in 0..rounds {
        for k in 0..senders.len() {
            let i = (k + round) % senders.len();
            let sample = link.sample(&mut senders[i], file, size, reps, false)?;
            runs[i].samples.push(sample);
        }
    }
    Ok(runs)
}

/// How many transfers of `size` bytes make a sample of at least `target`
/// bytes (at least one).
pub fn reps_for(size: u64, target: u64) -> u32 {
    (target / size.max(1)).clamp(1, 100_000) as u32
}
