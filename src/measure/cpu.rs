//! CPU placement: which CPUs this thread may run on, and pinning a thread to
//! one of them. Two-thread measurements (a ring's producer and consumer, a
//! sender and a receiver, two writers of one cache line) pin their threads
//! to two different CPUs when the process may use two: without it the
//! scheduler sometimes puts both on one CPU, taking turns, which makes the
//! same run several times slower at random.
//!
//! Linux only; elsewhere, and under Miri, [`allowed_cpus`] and
//! [`pin_current_thread`] report that they are unsupported, and
//! [`two_cpus`] is `None`, so callers run unpinned.

use std::io;

/// The CPUs the calling thread may run on (`sched_getaffinity`).
#[cfg(all(target_os = "linux", not(miri)))]
pub fn allowed_cpus() -> io::Result<Vec<usize>> {
    // SAFETY: an all-zero cpu_set_t is a valid, empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a writable cpu_set_t of exactly the size passed;
    // pid 0 is the calling thread.
    let rc = unsafe {
        libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set)
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((0..libc::CPU_SETSIZE as usize)
        // SAFETY: `c` is below CPU_SETSIZE, the capacity of `set`; CPU_ISSET
        // only reads it.
        .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
        .collect())
}

/// The CPUs the calling thread may run on (Linux only).
#[cfg(not(all(target_os = "linux", not(miri))))]
pub fn allowed_cpus() -> io::Result<Vec<usize>> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "CPU affinity requires Linux"))
}

/// Pins the calling thread to `cpu` (`sched_setaffinity`).
#[cfg(all(target_os = "linux", not(miri)))]
pub fn pin_current_thread(cpu: usize) -> io::Result<()> {
    if cpu >= libc::CPU_SETSIZE as usize {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "CPU number too large"));
    }
    // SAFETY: an all-zero cpu_set_t is a valid, empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `cpu` is below CPU_SETSIZE (checked above), so CPU_SET writes
    // inside `set`.
    unsafe { libc::CPU_SET(cpu, &mut set) };
    // SAFETY: `set` is a valid cpu_set_t of the size passed; pid 0 changes
    // only the calling thread's mask.
    let rc = unsafe {
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set)
    };
    if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// Pins the calling thread to `cpu` (Linux only).
#[cfg(not(all(target_os = "linux", not(miri))))]
pub fn pin_current_thread(cpu: usize) -> io::Result<()> {
    let _ = cpu;
    Err(io::Error::new(io::ErrorKind::Unsupported, "CPU affinity requires Linux"))
}

/// The first two CPUs this process may use, if it may use two.
pub fn two_cpus() -> Option<(usize, usize)> {
    let cpus = allowed_cpus().ok()?;
    match cpus[..] {
        [a, b, ..] => Some((a, b)),
        _ => None,
    }
}

/// Runs `f` on a new thread pinned to `cpu` (unpinned when pinning is not
/// possible here) and returns its result.
pub fn on_cpu<R: Send + 'static>(
    cpu: Option<usize>,
    f: impl FnOnce() -> R + Send + 'static,
) -> std::thread::JoinHandle<R> {
    std::thread::spawn(move || {
        if let Some(c) = cpu {
            let _ = pin_current_thread(c);
        }
        f()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore)]
    fn a_pinned_thread_runs_only_where_it_was_pinned() {
        let cpus = allowed_cpus().unwrap();
        assert!(!cpus.is_empty());
        let last = *cpus.last().unwrap();
        let seen = on_cpu(Some(last), allowed_cpus).join().unwrap().unwrap();
        assert_eq!(seen, vec![last]);
        assert!(pin_current_thread(1 << 20).is_err());
        assert_eq!(two_cpus().is_some(), cpus.len() >= 2);
    }
}
