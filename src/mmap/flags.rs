//! The mapping flags seed 004 lists (L278-285) and the address-space facts of
//! L260-264: private against shared, `MAP_FIXED` against
//! `MAP_FIXED_NOREPLACE`, and reservations larger than RAM.
//!
//! For: C004-29, C004-32, D70, and the portability claims (C004-25,
//! C004-26, C004-37, D67). Not for: file mappings ([`super::file`]) or NUMA
//! ([`super::numa`]).

use super::buf::{MapError, MmapBuf, Reservation};

/// After a `fork`, the child writes into a private and a shared anonymous
/// page; which write does the parent see?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ForkView {
    /// The parent sees the child's write to the `MAP_SHARED` page.
    pub shared_visible: bool,
    /// The parent sees the child's write to the `MAP_PRIVATE` page.
    pub private_visible: bool,
}

// ANCHOR: fork_view
/// Maps one private and one shared anonymous page, forks, lets the child write
/// 42 into both, and reads them in the parent.
#[cfg(unix)]
pub fn shared_vs_private() -> Result<ForkView, String> {
    use nix::sys::wait::waitpid;
    use nix::unistd::{ForkResult, fork};
    let mut private = MmapBuf::new(4096).map_err(|e| e.to_string())?;
    let private_ptr = private.as_mut_slice().as_mut_ptr();
    let len = 4096;
    // SAFETY: a fresh anonymous shared mapping; the kernel chooses the address.
    let shared = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if shared == libc::MAP_FAILED {
        return Err(format!("mmap(MAP_SHARED): {}", std::io::Error::last_os_error()));
    }
    let shared = shared.cast::<u8>();
    // SAFETY: the child only writes to two mapped pages and calls `_exit`,
    // which are async-signal-safe, so forking a multi-threaded process is fine.
    let view = match unsafe { fork() }.map_err(|e| e.to_string())? {
        ForkResult::Child => {
            // SAFETY: both pages are mapped and writable in the child too.
            unsafe {
                std::ptr::write_volatile(shared, 42);
                std::ptr::write_volatile(private_ptr, 42);
                libc::_exit(0);
            }
        }
        ForkResult::Parent { child } => {
            waitpid(child, None).map_err(|e| e.to_string())?;
            // SAFETY: the shared page is mapped; the child has exited.
            let s = unsafe { std::ptr::read_volatile(shared) };
            ForkView { shared_visible: s == 42, private_visible: private[0] == 42 }
        }
    };
    // SAFETY: our own shared mapping, unmapped once.
    unsafe { libc::munmap(shared.cast(), len) };
    Ok(view)
}
// ANCHOR_END: fork_view

/// What `MAP_FIXED` and `MAP_FIXED_NOREPLACE` do over a live mapping.
#[derive(Debug)]
pub struct FixedView {
    /// The byte written before the `MAP_FIXED` call (0xAB).
    pub before: u8,
    /// The byte read at the same place after it (0: the old page is gone).
    pub after: u8,
    /// `MAP_FIXED` reported success.
    pub fixed_ok: bool,
    /// `MAP_FIXED_NOREPLACE` at the same address gave `EEXIST`.
    pub noreplace_eexist: bool,
    /// What `MAP_FIXED_NOREPLACE` did, in words.
    pub noreplace: String,
}

// ANCHOR: map_fixed
/// Writes 0xAB into a mapping, maps over it with `MAP_FIXED`, reads it back;
/// then tries `MAP_FIXED_NOREPLACE` over it.
#[cfg(target_os = "linux")]
pub fn fixed_experiment() -> Result<FixedView, MapError> {
    use super::buf::fixed::{NoReplace, replace_with_map_fixed, try_map_noreplace};
    let mut buf = MmapBuf::new(1 << 16)?;
    buf[100] = 0xAB;
    let before = buf[100];
    let fixed_ok = replace_with_map_fixed(&mut buf).is_ok();
    let after = buf[100];
    let (noreplace_eexist, noreplace) = match try_map_noreplace(&buf) {
        NoReplace::Refused(e) => (e.errno() == Some(libc::EEXIST), e.to_string()),
        NoReplace::IgnoredFlag => (false, "kernel ignored the flag (< 4.17)".into()),
        NoReplace::Replaced => (false, "replaced the mapping".into()),
    };
    Ok(FixedView { before, after, fixed_ok, noreplace_eexist, noreplace })
}
// ANCHOR_END: map_fixed

/// Reserving more address space than the machine has RAM. `VmSize` and
/// `VmRSS` are process-wide: read by the checks, one at a time, and by a test
/// in a child process.
#[derive(Debug)]
pub struct ReserveView {
    /// Bytes reserved.
    pub size: usize,
    /// The reservation worked.
    pub ok: Option<String>,
    /// Growth of `VmSize`, KiB.
    pub vm_size_kib: i64,
    /// Growth of `VmRSS`, KiB.
    pub rss_kib: i64,
    /// `MemTotal`, bytes.
    pub ram: u64,
    /// `/proc/sys/vm/overcommit_memory` (0 heuristic, 1 always, 2 never).
    pub overcommit: Option<u64>,
}

// ANCHOR: reserve
/// Reserves `size` bytes of address space (no access, no backing).
pub fn reserve_experiment(size: usize) -> ReserveView {
    let s0 = crate::measure::os::ProcStatus::now().unwrap_or_default();
    let r = Reservation::new(size);
    let s1 = crate::measure::os::ProcStatus::now().unwrap_or_default();
    let ok = match &r {
        Ok(_) => None,
        Err(e) => Some(e.to_string()),
    };
    drop(r);
    ReserveView {
        size,
        ok,
        vm_size_kib: s1.vm_size_kib as i64 - s0.vm_size_kib as i64,
        rss_kib: s1.vm_rss_kib as i64 - s0.vm_rss_kib as i64,
        ram: crate::measure::procfs::mem_total_bytes().unwrap_or(0),
        overcommit: crate::measure::procfs::read_sys_number(
            "/proc/sys/vm/overcommit_memory",
        ),
    }
}
// ANCHOR_END: reserve

// ANCHOR: cfg_variants
/// One function, one implementation per platform, in one file: Rust's `cfg`
/// attributes select the item at compile time (the seed's Go needs two
/// files, one `//go:build` line each; D67).
#[cfg(unix)]
pub fn platform_anonymous_map() -> &'static str {
    "mmap(MAP_PRIVATE | MAP_ANONYMOUS)"
}

/// See the `unix` variant.
#[cfg(windows)]
pub fn platform_anonymous_map() -> &'static str {
    "VirtualAlloc(MEM_RESERVE | MEM_COMMIT)"
}
// ANCHOR_END: cfg_variants
