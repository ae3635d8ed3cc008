//! A CPU profile in miniature: what `go tool pprof`'s CPU profile and
//! `perf record` do, reduced to the phases of one thread.
//!
//! A timer on this thread's CPU clock (`timer_create` on
//! `CLOCK_THREAD_CPUTIME_ID`, the way Go's runtime profiles each thread on
//! Linux) sends the thread `SIGPROF` after every `period` of CPU time it
//! uses; the handler adds one sample to whichever phase the thread is in. A
//! phase's share of the samples estimates its share of the CPU time, with
//! no instrumentation inside the phase and nothing read while it runs. The
//! kernel checks CPU timers at its scheduler tick, so a period shorter than a
//! tick still gives one sample per tick.
//!
//! Linux only. One profile at a time per process (a lock serialises them);
//! the handler, once installed, stays: a late signal only counts "outside".

use std::io;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// Phases a profile can tell apart.
pub const MAX_PHASES: usize = 4;

/// The phase the profiled thread is in: 0 outside any, `i + 1` in phase `i`.
static CURRENT: AtomicUsize = AtomicUsize::new(0);
/// Samples per value of [`CURRENT`].
static SAMPLES: [AtomicU64; MAX_PHASES + 1] =
    [const { AtomicU64::new(0) }; MAX_PHASES + 1];

/// What a profile counted.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// CPU time between two samples, as asked of the timer.
    pub period: Duration,
    /// Samples in each phase, in the order the phases were given.
    pub samples: Vec<u64>,
    /// Samples taken outside every phase (the loop between them).
    pub outside: u64,
    /// CPU time the profiled thread used, from its CPU clock.
    pub cpu: Duration,
    /// Times each phase ran.
    pub rounds: usize,
}

impl Profile {
    /// Samples in all phases.
    pub fn total(&self) -> u64 {
        self.samples.iter().sum()
    }

    /// Phase `i`'s share of the samples taken in phases (NaN without any).
    pub fn share(&self, i: usize) -> f64 {
        self.samples[i] as f64 / self.total() as f64
    }
}

// ANCHOR: handler
/// The `SIGPROF` handler: one relaxed atomic load and one add, both
/// async-signal-safe; it runs on the profiled thread itself, so it sees the
/// phase that thread was in when its CPU timer expired.
extern "C" fn on_sigprof(_signal: libc::c_int) {
    let phase = CURRENT.load(Ordering::Relaxed);
    SAMPLES[phase.min(MAX_PHASES)].fetch_add(1, Ordering::Relaxed);
}
// ANCHOR_END: handler

#[cfg(target_os = "linux")]
fn install_handler() -> io::Result<()> {
    static INSTALLED: std::sync::OnceLock<Result<(), i32>> = std::sync::OnceLock::new();
    let result = INSTALLED.get_or_init(|| {
        // SAFETY: a zeroed `sigaction` is a valid starting value (no flags, an
        // empty mask once `sigemptyset` has run); the handler is an
        // `extern "C" fn(c_int)` that only touches atomics, which is what
        // `sa_sigaction` expects without `SA_SIGINFO`.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigprof as extern "C" fn(libc::c_int) as usize;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(libc::SIGPROF, &action, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error().raw_os_error().unwrap_or(0));
            }
        }
        Ok(())
    });
    result.map_err(io::Error::from_raw_os_error)
}

/// A CPU timer of the calling thread that sends it `SIGPROF`; deleted on drop.
#[cfg(target_os = "linux")]
struct ThreadCpuTimer(libc::timer_t);

#[cfg(target_os = "linux")]
impl ThreadCpuTimer {
    fn start(period: Duration) -> io::Result<Self> {
        let spec = libc::timespec {
            tv_sec: period.as_secs() as libc::time_t,
            tv_nsec: period.subsec_nanos() as libc::c_long,
        };
        let every = libc::itimerspec { it_interval: spec, it_value: spec };
        // SAFETY: `sigevent` is plain data, valid zeroed; the fields set name
        // this thread (its kernel id from gettid) as the one to signal. The
        // pointers passed to timer_create and timer_settime are to live
        // locals, and the timer id is deleted exactly once, in Drop.
        unsafe {
            let mut event: libc::sigevent = std::mem::zeroed();
            event.sigev_notify = libc::SIGEV_THREAD_ID;
            event.sigev_signo = libc::SIGPROF;
            event.sigev_notify_thread_id = libc::gettid();
            let mut timer: libc::timer_t = std::ptr::null_mut();
            if libc::timer_create(libc::CLOCK_THREAD_CPUTIME_ID, &mut event, &mut timer)
                != 0
            {
                return Err(io::Error::last_os_error());
            }
            let timer = Self(timer);
            if libc::timer_settime(timer.0, 0, &every, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(timer)
        }
    }
}

#[cfg(target_os = "linux")]
impl Drop for ThreadCpuTimer {
    fn drop(&mut self) {
        // SAFETY: the id came from a successful timer_create and is deleted
        // once; a signal already pending is handled by the installed handler.
        unsafe {
            libc::timer_delete(self.0);
        }
    }
}

// ANCHOR: profile_phases
/// Runs each of `phases` (`body(iters)`) in turn, round after round, under a
/// CPU profile with one sample per `period` of this thread's CPU time, until
/// the phases hold `min_samples` samples or the thread has used `max_cpu`.
#[cfg(target_os = "linux")]
pub fn profile_phases(
    phases: &[fn(u64)],
    iters: u64,
    period: Duration,
    min_samples: u64,
    max_cpu: Duration,
) -> io::Result<Profile> {
    use std::sync::atomic::compiler_fence;
    assert!(phases.len() <= MAX_PHASES, "at most {MAX_PHASES} phases");
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    install_handler()?;
    for s in &SAMPLES {
        s.store(0, Ordering::Relaxed);
    }
    let in_phases =
        || SAMPLES[1..=phases.len()].iter().map(|s| s.load(Ordering::Relaxed));
    let start = crate::measure::os::thread_cpu_time()?;
    let timer = ThreadCpuTimer::start(period)?;
    let mut rounds = 0;
    loop {
        for (i, body) in phases.iter().enumerate() {
            CURRENT.store(i + 1, Ordering::Relaxed);
            compiler_fence(Ordering::SeqCst); // the handler runs on this thread
            body(iters);
            compiler_fence(Ordering::SeqCst);
            CURRENT.store(0, Ordering::Relaxed);
        }
        rounds += 1;
        let used = crate::measure::os::thread_cpu_time()? - start;
        if in_phases().sum::<u64>() >= min_samples || used >= max_cpu {
            break;
        }
    }
    drop(timer);
    let cpu = crate::measure::os::thread_cpu_time()? - start;
    Ok(Profile {
        period,
        samples: in_phases().collect(),
        outside: SAMPLES[0].load(Ordering::Relaxed),
        cpu,
        rounds,
    })
}
// ANCHOR_END: profile_phases

/// A CPU profile of phases (Linux only).
#[cfg(not(target_os = "linux"))]
pub fn profile_phases(
    _phases: &[fn(u64)],
    _iters: u64,
    _period: Duration,
    _min_samples: u64,
    _max_cpu: Duration,
) -> io::Result<Profile> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "a per-thread CPU timer requires Linux",
    ))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::hint::black_box;

    fn busy(iters: u64) {
        let mut x = 1u64;
        for i in 0..iters * 1000 {
            x = black_box(x.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ i);
        }
    }

    fn idle(_iters: u64) {
        black_box(());
    }

    #[test]
    fn samples_land_in_the_phase_that_uses_the_cpu() {
        let p = profile_phases(
            &[busy, idle],
            200,
            Duration::from_millis(1),
            20,
            Duration::from_secs(2),
        )
        .unwrap();
        assert!(p.total() >= 20, "{p:?}");
        assert!(p.samples[0] >= 19 * p.samples[1], "{p:?}");
    }
}
