//! The measuring bench for file → socket methods: a TCP connection on
//! 127.0.0.1 with a receiver thread at the other end, and the counters of
//! the sending thread around each transfer.
//!
//! A transfer counts as done when the receiver has read every byte and sent
//! back a one-byte acknowledgement, so a sample times delivery, not the
//! filling of a socket buffer. Per sample it records the sender's CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`), its read- and write-family syscalls and
//! bytes (`/proc/thread-self/io`: a `write(2)` on the socket is counted, a
//! `send(2)` is not, and a kernel copy counts its bytes as both read and
//! written), its heap allocations when the counting allocator is installed,
//! and the receiver's CPU time.
//!
//! Where the two threads run matters more than anything else measured here
//! ([`Placement`]): on loopback the TCP receive path runs in the *sending*
//! thread (the kernel processes the segment as soon as it is transmitted, in
//! softirq context, charged to whoever is running), and waking a thread on
//! another CPU costs an inter-processor interrupt, which inside a virtual
//! machine is a trip to the hypervisor. Left to the scheduler, the two
//! threads sometimes share a CPU and sometimes not, and the figures jump
//! between two regimes from one run to the next; so comparisons pin them.
//!
//! Not for: other machines. Loopback has no NIC: the receiver's copy out of
//! the socket is on the same CPUs as the sender, and bounds throughput.

use super::method::{Method, Sender};
use super::transfer::Moved;
use crate::measure::alloc::{self, AllocScope};
use crate::measure::cpu::{allowed_cpus, pin_current_thread};
use crate::measure::os::{self, ThreadCounters};
use crate::measure::paired::Paired;
use crate::measure::{procfs, stats};
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// CPU time this thread has used (the thread CPU clock, nanosecond
/// resolution). Panics if the clock cannot be read, which Linux never does.
fn thread_cpu() -> Duration {
    os::thread_cpu_time().expect("CLOCK_THREAD_CPUTIME_ID")
}

// ANCHOR: placement
/// Where the sending and the receiving thread of a comparison run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Both pinned to one CPU. No cross-CPU wake-ups; everything the
    /// transfer costs (sender, receiver, softirq) is spent on that CPU, so
    /// the threads' CPU times add up to the machine's cost of the transfer.
    OneCpu,
    /// The sender pinned to one CPU, the receiver to another, as a server
    /// and its client would be. The sender's thread does not run the
    /// receiver's copy, but every wake-up of the other thread crosses CPUs.
    TwoCpus,
    /// Wherever the scheduler puts them, which may change from one run to
    /// the next.
    Unpinned,
}
// ANCHOR_END: placement

impl Placement {
    /// The placements a comparison measures, in report order.
    pub const PINNED: [Placement; 2] = [Placement::OneCpu, Placement::TwoCpus];

    /// A short label for tables and conditions.
    pub fn label(self) -> &'static str {
        match self {
            Self::OneCpu => "one CPU",
            Self::TwoCpus => "two CPUs",
            Self::Unpinned => "unpinned",
        }
    }

    /// The CPUs for the sender and the receiver: the first CPUs this
    /// process may run on. `None` = not pinned.
    pub fn cpus(self) -> io::Result<(Option<usize>, Option<usize>)> {
        let allowed = || -> io::Result<Vec<usize>> {
            let cpus = allowed_cpus()?;
            if cpus.is_empty() {
                return Err(io::Error::other("no CPU in this process's affinity mask"));
            }
            Ok(cpus)
        };
        match self {
            Self::Unpinned => Ok((None, None)),
            Self::OneCpu => {
                let a = allowed()?;
                Ok((Some(a[0]), Some(a[0])))
            }
            Self::TwoCpus => match allowed()?.as_slice() {
                [a, b, ..] => Ok((Some(*a), Some(*b))),
                _ => Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "the two-CPU placement needs two CPUs in this process's affinity mask",
                )),
            },
        }
    }

    /// `sender and receiver on CPU 0`, `sender on CPU 0, receiver on CPU 1`.
    pub fn describe(self) -> String {
        match self.cpus() {
            Ok((Some(a), Some(b))) if a == b => format!("sender and receiver on CPU {a}"),
            Ok((Some(a), Some(b))) => format!("sender on CPU {a}, receiver on CPU {b}"),
            Ok(_) => "threads not pinned".into(),
            Err(e) => format!("{}: {e}", self.label()),
        }
    }
}

/// How a comparison sets up its connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setup<'a> {
    /// Where the two threads run.
    pub placement: Placement,
    /// The TCP congestion control both sockets use (`TCP_CONGESTION`);
    /// `None` keeps the system's default
    /// (`/proc/sys/net/ipv4/tcp_congestion_control`).
    pub congestion: Option<&'a str>,
    /// `SO_SNDBUF` for the sending socket; `None` leaves the kernel to size
    /// it (it grows up to `tcp_wmem`'s maximum). The kernel doubles the
    /// value asked for.
    pub send_buffer: Option<usize>,
}

impl Setup<'static> {
    /// `placement`, with the chapter's congestion control,
    /// [`DEFAULT_CONGESTION`].
    pub const fn pinned(placement: Placement) -> Self {
        Self { placement, congestion: Some(DEFAULT_CONGESTION), send_buffer: None }
    }
}

/// The congestion control the chapter's comparisons use: Reno. Every Linux
/// kernel has it, unprivileged processes may choose it, and it does not
/// pace. A pacing algorithm (BBR, the default on some systems) makes TCP
/// space out its segments with a timer even on loopback, where there is no
/// link to protect; that timer, not the copy method, then shapes the figures.
pub const DEFAULT_CONGESTION: &str = "reno";

/// The system's default congestion control
/// (`/proc/sys/net/ipv4/tcp_congestion_control`).
pub fn system_congestion() -> Option<String> {
    procfs::read_sys_string("/proc/sys/net/ipv4/tcp_congestion_control")
}

/// A connected pair on 127.0.0.1: (the accepted end, the connecting end).
pub fn tcp_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let client = TcpStream::connect(listener.local_addr()?)?;
    let (server, _) = listener.accept()?;
    Ok((server, client))
}

/// Sets `sock`'s congestion control algorithm.
pub fn set_congestion(sock: &TcpStream, name: &str) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: the fd is a live socket borrowed for the call; the option
    // value is `name`'s bytes with their exact length, which the kernel
    // only reads.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_CONGESTION,
            name.as_ptr().cast(),
            name.len() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        let e = io::Error::last_os_error();
        Err(io::Error::new(e.kind(), format!("TCP_CONGESTION {name:?}: {e}")))
    }
}

/// `sock`'s congestion control algorithm, as the kernel reports it.
pub fn congestion(sock: &TcpStream) -> io::Result<String> {
    use std::os::fd::AsRawFd;
    let mut buf = [0u8; 32];
    let mut len = buf.len() as libc::socklen_t;
    // SAFETY: `buf` is writable for `len` bytes and `len` is a valid
    // socklen_t the kernel updates; the fd is a live socket.
    let rc = unsafe {
        libc::getsockopt(
            sock.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_CONGESTION,
            buf.as_mut_ptr().cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    let bytes = &buf[..(len as usize).min(buf.len())];
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    Ok(String::from_utf8_lossy(&bytes[..end]).into_owned())
}

/// The kernel's softirq threads (`ksoftirqd/N`): when a burst of network
/// processing is too long to finish where it was raised, the rest runs
/// there, charged to neither of our threads.
fn softirq_threads() -> Vec<std::path::PathBuf> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| {
        let path = e.ok()?.path();
        let comm = std::fs::read_to_string(path.join("comm")).ok()?;
        comm.starts_with("ksoftirqd/").then(|| path.join("schedstat"))
    })
    .collect()
}

/// CPU time of the threads in `paths` (`/proc/PID/schedstat`, first field:
/// nanoseconds on the CPU).
fn schedstat_cpu(paths: &[std::path::PathBuf]) -> Duration {
    let ns: u64 = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|t| t.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(ns)
}

/// The fraction of `file`'s first `len` bytes that is in the page cache
/// now (`mincore` on a mapping of it). 1.0 when `len` is 0.
pub fn page_cache_residency(file: &File, len: u64) -> io::Result<f64> {
    if len == 0 {
        return Ok(1.0);
    }
    // SAFETY: the mapping is read-only and only its residency is queried;
    // no byte of it is read, so a concurrent change of the file cannot
    // cause undefined behaviour here.
    let map = unsafe { memmap2::MmapOptions::new().len(len as usize).map(file)? };
    let pages = (len as usize).div_ceil(page_size());
    let mut vec = vec![0u8; pages];
    // SAFETY: `map` is a live mapping of `len` bytes at a page-aligned
    // address, and `vec` has one byte per page of it, as mincore requires.
    let rc = unsafe {
        libc::mincore(map.as_ptr() as *mut libc::c_void, len as usize, vec.as_mut_ptr())
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(vec.iter().filter(|&&b| b & 1 == 1).count() as f64 / pages as f64)
}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(n).ok().filter(|&n| n > 0).unwrap_or(4096)
}

/// Reads `file`'s first `len` bytes once, so that they are in the page cache
/// before timing, and returns the resident fraction afterwards.
pub fn warm_page_cache(file: &File, len: u64) -> io::Result<f64> {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0u8; 1 << 20];
    let mut at = 0;
    while at < len {
        let want = (len - at).min(buf.len() as u64) as usize;
        file.read_exact_at(&mut buf[..want], at)?;
        at += want as u64;
    }
    page_cache_residency(file, len)
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
    sleeps: u64,
}

/// How many times this thread has blocked and been woken up again
/// (`getrusage(RUSAGE_THREAD)`, voluntary context switches).
pub fn sleeps() -> u64 {
    nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_THREAD)
        .map_or(0, |u| u.voluntary_context_switches() as u64)
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
    /// CPU time of the kernel's softirq threads (`ksoftirqd/N`, all CPUs)
    /// during the sample: network processing deferred out of our threads.
    pub softirqd_cpu: Duration,
    /// Times the sender and the receiver blocked and had to be woken up
    /// (voluntary context switches of both threads).
    pub sleeps: u64,
    /// Sender's `syscr` (read-family syscalls, including sendfile).
    pub syscr: u64,
    /// Sender's `syscw` (write-family syscalls: `write` on the socket,
    /// sendfile; a socket `send` is not counted).
    pub syscw: u64,
    /// Sender's `rchar` (bytes through read-family syscalls).
    pub rchar: u64,
    /// Sender's `wchar`: bytes passed to `write(2)` (the read/write loop's
    /// writes to the socket) and kernel copies (`sendfile` counts its bytes
    /// in both `rchar` and `wchar`); a socket `send` (std's `io::copy`) is
    /// not counted.
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

    /// CPU seconds per GiB of sender, receiver and the softirq threads
    /// together: with both threads on one CPU, what the transfer cost the
    /// machine.
    pub fn total_cpu_per_gib(&self) -> f64 {
        (self.sender_cpu + self.receiver_cpu + self.softirqd_cpu).as_secs_f64()
            / (self.received as f64 / (1u64 << 30) as f64)
    }

    /// Wall time per transfer (send, delivery and the acknowledgement),
    /// nanoseconds.
    pub fn latency(&self) -> f64 {
        self.wall.as_nanos() as f64 / f64::from(self.reps)
    }

    /// Wake-ups (sender's and receiver's) per transfer.
    pub fn sleeps_per_transfer(&self) -> f64 {
        self.sleeps as f64 / f64::from(self.reps)
    }

    /// Bytes that passed through user space on the sender, per transfer. For
    /// std's `io::copy`, which does not report, it is deduced from the
    /// kernel's counters: a kernel copy counts its bytes in `rchar` *and*
    /// `wchar`, a `read` into a buffer only in `rchar`, and std's socket
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
    softirq_threads: Vec<std::path::PathBuf>,
    congestion: String,
}

impl Loopback {
    /// Connects a pair on 127.0.0.1 and starts the receiver, unpinned, with
    /// the system's congestion control.
    pub fn new() -> io::Result<Self> {
        Self::with(None, None)
    }

    /// Connects a pair on 127.0.0.1 with congestion control `congestion`
    /// (`None`: the system's) and starts the receiver, pinned to `cpu` if
    /// given.
    pub fn with(cpu: Option<usize>, congestion: Option<&str>) -> io::Result<Self> {
        Self::set_up(cpu, congestion, None)
    }

    /// [`Loopback::with`], and `SO_SNDBUF` = `send_buffer` on the sending
    /// socket if given.
    pub fn set_up(
        cpu: Option<usize>,
        congestion: Option<&str>,
        send_buffer: Option<usize>,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let client = TcpStream::connect(listener.local_addr()?)?;
        let (sender, _) = listener.accept()?;
        if let Some(name) = congestion {
            set_congestion(&sender, name)?;
            set_congestion(&client, name)?;
        }
        let in_use = self::congestion(&sender)?;
        if let Some(bytes) = send_buffer {
            nix::sys::socket::setsockopt(
                &sender,
                nix::sys::socket::sockopt::SndBuf,
                &bytes,
            )?;
        }
        // The last segment of a transfer must not wait for the ack of the
        // previous one (Nagle + delayed ACK would add up to 40 ms).
        sender.set_nodelay(true)?;
        client.set_nodelay(true)?;
        // A harness bug or a lost byte must fail, not hang.
        sender.set_read_timeout(Some(Duration::from_secs(60)))?;
        client.set_read_timeout(Some(Duration::from_secs(60)))?;
        let (orders, order_rx) = mpsc::channel::<Order>();
        let (report_tx, reports) = mpsc::channel();
        let (pinned_tx, pinned) = mpsc::channel();
        let receiver = std::thread::Builder::new()
            .name("loopback-receiver".into())
            .spawn(move || {
                // Pin before the first byte; a thread inherits its creator's
                // mask, so an unpinned receiver states nothing.
                let pin = cpu.map_or(Ok(()), pin_current_thread);
                let failed = pin.is_err();
                let _ = pinned_tx.send(pin);
                if failed {
                    return;
                }
                for order in order_rx {
                    if report_tx.send(receive(&client, &order)).is_err() {
                        break;
                    }
                }
            })?;
        pinned.recv().map_err(|_| gone())??;
        Ok(Self {
            sender,
            orders: Some(orders),
            reports,
            receiver: Some(receiver),
            softirq_threads: softirq_threads(),
            congestion: in_use,
        })
    }

    /// The congestion control algorithm the sending socket uses.
    pub fn congestion(&self) -> &str {
        &self.congestion
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
        let softirqd = schedstat_cpu(&self.softirq_threads);
        let scope = alloc::is_installed().then(AllocScope::start);
        let counters = ThreadCounters::try_now()?;
        let slept = sleeps();
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
        let sender_sleeps = sleeps() - slept;
        let d = counters.delta(&ThreadCounters::try_now()?);
        let heap = scope.map(|s| s.counts());
        let got = self.reports.recv().map_err(|_| gone())??;
        // Read after the counters, so these /proc reads are not counted.
        let softirqd_cpu = schedstat_cpu(&self.softirq_threads).saturating_sub(softirqd);
        Ok(Sample {
            method: sender.method(),
            size,
            reps,
            wall,
            sender_cpu,
            receiver_cpu: got.cpu,
            softirqd_cpu,
            sleeps: sender_sleeps + got.sleeps,
            syscr: d.syscr,
            syscw: d.syscw,
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
    let slept = sleeps();
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
    let cpu = thread_cpu() - cpu;
    let sleeps = sleeps() - slept;
    Ok(Received { bytes, checksum: sum.map(|s| s.finish().0), cpu, sleeps })
}

/// The samples of one method in a comparison, and their medians.
#[derive(Clone, Debug)]
pub struct MethodRuns {
    /// The method.
    pub method: Method,
    /// The congestion control the connection used.
    pub congestion: String,
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

    /// Median CPU seconds per GiB of sender, receiver and softirq threads.
    pub fn total_cpu_per_gib(&self) -> f64 {
        self.median(Sample::total_cpu_per_gib)
    }

    /// Median wake-ups (both threads) per transfer.
    pub fn sleeps_per_transfer(&self) -> f64 {
        self.median(Sample::sleeps_per_transfer)
    }

    /// Median wall time per transfer (send + the receiver's acknowledgement),
    /// nanoseconds.
    pub fn latency(&self) -> f64 {
        self.median(Sample::latency)
    }

    /// This method's samples against `other`'s, round by round: the ratio
    /// `f(self) ÷ f(other)` per round. `None` with fewer than three rounds.
    pub fn paired(
        &self,
        other: &MethodRuns,
        f: impl Fn(&Sample) -> f64,
    ) -> Option<Paired> {
        let a: Vec<f64> = self.samples.iter().map(&f).collect();
        let b: Vec<f64> = other.samples.iter().map(&f).collect();
        Paired::of(&a, &b)
    }

    /// Coefficient of variation of the throughput over the samples.
    pub fn throughput_cv(&self) -> f64 {
        let v: Vec<f64> = self.samples.iter().map(Sample::throughput).collect();
        stats::Summary::of(&v).map_or(f64::NAN, |s| s.cv())
    }

    /// Median read-family syscalls per transfer.
    pub fn syscr_per_transfer(&self) -> f64 {
        self.per_transfer(|s| s.syscr)
    }

    /// Median of a sample's count `f`, per transfer.
    pub fn per_transfer(&self, f: impl Fn(&Sample) -> u64) -> f64 {
        self.median(|s| f(s) as f64 / f64::from(s.reps))
    }

    /// Median bytes the receiver read per transfer.
    pub fn received_per_transfer(&self) -> f64 {
        self.per_transfer(|s| s.received)
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
/// bytes `reps` times. The sender is a thread of its own, placed (with the
/// receiver) as `setup` says; the calling thread's CPU mask is left alone. The file is read once before timing, so it is in the page cache.
pub fn compare(
    setup: Setup<'_>,
    methods: &[Method],
    file: &File,
    size: u64,
    reps: u32,
    rounds: usize,
) -> io::Result<Vec<MethodRuns>> {
    let (sender_cpu, receiver_cpu) = setup.placement.cpus()?;
    warm_page_cache(file, size)?;
    std::thread::scope(|scope| {
        let sender = std::thread::Builder::new()
            .name("loopback-sender".into())
            .spawn_scoped(scope, || {
                if let Some(cpu) = sender_cpu {
                    pin_current_thread(cpu)?;
                }
                let mut link =
                    Loopback::set_up(receiver_cpu, setup.congestion, setup.send_buffer)?;
                compare_on(&mut link, methods, file, size, reps, rounds)
            })?;
        sender.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn compare_on(
    link: &mut Loopback,
    methods: &[Method],
    file: &File,
    size: u64,
    reps: u32,
    rounds: usize,
) -> io::Result<Vec<MethodRuns>> {
    let mut senders: Vec<Sender> =
        methods.iter().map(|&m| Sender::new(m)).collect::<Result<_, _>>()?;
    let mut runs: Vec<MethodRuns> = methods
        .iter()
        .map(|&method| MethodRuns {
            method,
            congestion: link.congestion().to_string(),
            samples: Vec::new(),
        })
        .collect();
    // One untimed transfer per method: socket buffers and the receiver's
    // buffer are warm before the first sample.
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
