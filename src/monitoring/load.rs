//! A scripted load, watched: a worker thread goes through five phases
//! (idle, grow, churn, spin, release) while the [`Sampler`] samples the
//! process and a reader records the newest sample and the worker's
//! allocation counter at each tick. Seed 002 says to monitor transfer speed,
//! memory and CPU (§1.5.1.1.7.3, §1.5.1.1.8.2): this is what each looks
//! like when it moves.
//!
//! The worker publishes the bytes it allocates through a registry
//! [`Counter`] (from its own thread's counting-allocator scope): the
//! workbook's counting allocator counts per thread, and a metric is how one
//! thread's figure reaches another.

use super::registry::Counter;
use super::sampler::{Sample, Sampler};
use crate::measure::alloc::AllocScope;
use crate::measure::os::thread_cpu_time;
use std::hint::black_box;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The script's sizes and durations.
#[derive(Clone, Copy, Debug)]
pub struct Script {
    /// Sampling interval.
    pub interval: Duration,
    /// Each quiet phase (idle, release).
    pub quiet: Duration,
    /// Buffers held in the grow phase.
    pub grow_steps: usize,
    /// Size of each held buffer.
    pub grow_bytes: usize,
    /// The churn phase: allocate and free buffers of `grow_bytes` this long.
    pub churn: Duration,
    /// The spin phase: CPU only, no allocation.
    pub spin: Duration,
}

impl Script {
    /// Full or `--quick` sizes.
    pub fn sized(quick: bool) -> Self {
        Self {
            interval: Duration::from_millis(5),
            quiet: Duration::from_millis(if quick { 40 } else { 100 }),
            grow_steps: if quick { 16 } else { 32 },
            grow_bytes: 2 << 20,
            churn: Duration::from_millis(if quick { 80 } else { 200 }),
            spin: Duration::from_millis(if quick { 80 } else { 200 }),
        }
    }
}

/// One recorded tick.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Point {
    /// The sample.
    pub sample: Sample,
    /// The worker's allocated bytes so far (its counter).
    pub allocated: u64,
    /// The phase running when it was recorded.
    pub phase: &'static str,
}

/// What the run recorded.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Trace {
    /// Sampling interval.
    pub interval: Duration,
    /// Bytes held at the end of the grow phase.
    pub held_bytes: u64,
    /// Every recorded tick, in order.
    pub points: Vec<Point>,
    /// When each phase began (since the sampler started).
    pub phases: Vec<(&'static str, Duration)>,
    /// Samples the sampler took, and how many it dropped unread.
    pub taken: u64,
    /// Samples replaced before the reader read them.
    pub dropped: u64,
    /// The worker's own CPU time while it spun (its thread clock): what
    /// the sampler's process CPU time must account for.
    pub spin_cpu: Duration,
}

impl Trace {
    /// The points of `phase`.
    pub fn in_phase<'a>(
        &'a self,
        phase: &'a str,
    ) -> impl Iterator<Item = &'a Point> + 'a {
        self.points.iter().filter(move |p| p.phase == phase)
    }

    /// Allocation rate between consecutive points (bytes/s), with the time
    /// of the later point.
    pub fn alloc_rates(&self) -> Vec<(Duration, f64, &'static str)> {
        self.points
            .windows(2)
            .map(|w| {
                let dt = (w[1].sample.at - w[0].sample.at).as_secs_f64().max(1e-9);
                let db = w[1].allocated.saturating_sub(w[0].allocated) as f64;
                (w[1].sample.at, db / dt, w[1].phase)
            })
            .collect()
    }

    /// The process CPU time the sampler saw across every point of `phase`:
    /// from the last sample picked up before it (taken before it began) to
    /// the second picked up after it (taken after it ended, since the one
    /// before was the newest when the phase was already over). `None` when
    /// no point fell in `phase`.
    pub fn cpu_seen_across(&self, phase: &str) -> Option<Duration> {
        let first = self.points.iter().position(|p| p.phase == phase)?;
        let last = self.points.iter().rposition(|p| p.phase == phase)?;
        let from = &self.points[first.saturating_sub(1)];
        let to = &self.points[(last + 2).min(self.points.len() - 1)];
        Some(to.sample.cpu().saturating_sub(from.sample.cpu()))
    }

    /// Bytes the worker published across every point of `phase` per second
    /// of the window [`Self::cpu_seen_across`] uses (a mean over the phase:
    /// a worker starved of CPU on a busy machine still shows its rate,
    /// where the median of short intervals may be 0). `None` when no point
    /// fell in `phase`.
    pub fn alloc_rate_across(&self, phase: &str) -> Option<f64> {
        let first = self.points.iter().position(|p| p.phase == phase)?;
        let last = self.points.iter().rposition(|p| p.phase == phase)?;
        let from = &self.points[first.saturating_sub(1)];
        let to = &self.points[(last + 2).min(self.points.len() - 1)];
        let dt = to.sample.at.saturating_sub(from.sample.at).as_secs_f64().max(1e-9);
        Some(to.allocated.saturating_sub(from.allocated) as f64 / dt)
    }

    /// CPU utilisation of the process between consecutive points (1.0 =
    /// one CPU busy), with the time of the later point.
    pub fn cpu_utilisation(&self) -> Vec<(Duration, f64, &'static str)> {
        self.points
            .windows(2)
            .map(|w| {
                let dt = (w[1].sample.at - w[0].sample.at).as_secs_f64().max(1e-9);
                let dc =
                    w[1].sample.cpu().saturating_sub(w[0].sample.cpu()).as_secs_f64();
                (w[1].sample.at, dc / dt, w[1].phase)
            })
            .collect()
    }
}

const PHASES: [&str; 5] = ["idle", "grow", "churn", "spin", "release"];

// ANCHOR: run
/// Runs `script` on a worker thread and records every tick.
pub fn run(script: Script) -> std::io::Result<Trace> {
    let mut sampler = Sampler::start(script.interval)?;
    let start = Instant::now();
    let allocated = Counter::new();
    let phase = Mutex::new((PHASES[0], Duration::ZERO));
    let phases = Mutex::new(vec![(PHASES[0], Duration::ZERO)]);
    let done = AtomicBool::new(false);
    let mut points = Vec::new();
    let (mut held_bytes, mut spin_cpu) = (0, Duration::ZERO);
    std::thread::scope(|s| {
        let worker = s.spawn(|| {
            let scope = AllocScope::start();
            let local = allocated.local();
            let mut reported = 0;
            let mut publish = || {
                let now = scope.counts().bytes_requested;
                local.add(now - reported);
                reported = now;
            };
            let enter = |name: &'static str| {
                let at = start.elapsed();
                *phase.lock().unwrap_or_else(|p| p.into_inner()) = (name, at);
                phases.lock().unwrap_or_else(|p| p.into_inner()).push((name, at));
            };
            // Start from a trimmed heap: free pages left by earlier work go
            // back to the kernel, so the grow phase faults in what it holds
            // (glibc would otherwise reuse resident free memory, and the
            // resident set would not move).
            #[cfg(all(target_os = "linux", target_env = "gnu"))]
            // SAFETY: malloc_trim only returns free heap pages to the kernel.
            unsafe {
                libc::malloc_trim(0);
            }
            std::thread::sleep(script.quiet);
            enter("grow");
            let mut held: Vec<Vec<u8>> = Vec::with_capacity(script.grow_steps);
            for _ in 0..script.grow_steps {
                held.push(black_box(vec![1u8; script.grow_bytes]));
                publish();
                std::thread::sleep(script.interval);
            }
            let held_total = (held.len() * script.grow_bytes) as u64;
            enter("churn");
            let t = Instant::now();
            while t.elapsed() < script.churn {
                drop(black_box(vec![2u8; script.grow_bytes]));
                publish();
            }
            enter("spin");
            let cpu0 = thread_cpu_time().unwrap_or_default();
            let t = Instant::now();
            let mut x = 0u64;
            while t.elapsed() < script.spin {
                x = black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
            }
            let spin_cpu = thread_cpu_time().unwrap_or_default().saturating_sub(cpu0);
            enter("release");
            drop(held);
            publish();
            std::thread::sleep(script.quiet);
            done.store(true, Ordering::Release);
            (held_total, spin_cpu)
        });
        let mut last_seq = 0;
        while !done.load(Ordering::Acquire) {
            if let Some(sample) = sampler.latest()
                && sample.seq != last_seq
            {
                last_seq = sample.seq;
                let (name, _) = *phase.lock().unwrap_or_else(|p| p.into_inner());
                points.push(Point { sample, allocated: allocated.value(), phase: name });
            }
            std::thread::sleep(script.interval / 2);
        }
        (held_bytes, spin_cpu) = worker.join().unwrap_or_default();
    });
    sampler.stop();
    Ok(Trace {
        interval: script.interval,
        held_bytes,
        points,
        phases: phases.into_inner().unwrap_or_else(|p| p.into_inner()),
        taken: sampler.taken(),
        dropped: sampler.dropped(),
        spin_cpu,
    })
}
// ANCHOR_END: run
