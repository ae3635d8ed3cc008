//! [`MmapBuf`]: an owned anonymous memory mapping, and [`Reservation`]: address
//! space with no access at all.
//!
//! For: the chapter's experiments and any program that wants an mmap
//! *feature* (prefaulting, transparent huge pages, hugetlb pages, handing
//! pages back with `MADV_DONTNEED`, reserving address space). The mapping is
//! unmapped exactly once, in `Drop`, and the slices it lends borrow from it,
//! so none can outlive it: the Rust answer to seed 004's finalizer (D60).
//!
//! Not for: a plain large zeroed buffer. `vec![0u8; n]` is already a lazily
//! zeroed anonymous mapping above glibc's mmap threshold (see the chapter),
//! and it is portable. Not for file mappings either: those go through
//! `memmap2` (see [`super::file`]).
//!
//! Failure is an error, never an abort: an absurd length, or `MAP_HUGETLB`
//! with no huge pages reserved, comes back as a [`MapError`] that says which
//! call failed, for how many bytes, and why.

use std::fmt;
use std::io;
use std::ptr::NonNull;

/// The huge-page size of x86-64 and most arm64 kernels (one PMD entry).
pub const HUGE_PAGE: usize = 2 << 20;

/// How to map: the `mmap(2)` flags this chapter uses beyond
/// `MAP_PRIVATE | MAP_ANONYMOUS`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MapOptions {
    /// `MAP_POPULATE`: fault every page in during `mmap` itself (Linux).
    pub populate: bool,
    /// `MAP_HUGETLB`: back the mapping with reserved hugetlb pages (Linux).
    /// Fails with `ENOMEM` when `vm.nr_hugepages` is 0.
    pub hugetlb: bool,
    /// `MAP_NORESERVE`: do not count the mapping against the overcommit limit.
    pub no_reserve: bool,
}

/// An `mmap`, `madvise` or `munmap` call failed.
#[derive(Debug)]
pub struct MapError {
    /// What was attempted, e.g. `mmap(MAP_HUGETLB)` or `madvise(MADV_HUGEPAGE)`.
    pub call: &'static str,
    /// The length asked for.
    pub len: usize,
    /// The OS error.
    pub source: io::Error,
}

impl MapError {
    fn last(call: &'static str, len: usize) -> Self {
        Self { call, len, source: io::Error::last_os_error() }
    }

    /// A failure of a call that goes with a mapping (`mincore`, reading
    /// `/proc/self/pagemap`), in the same shape.
    pub fn io(call: &'static str, len: usize, source: io::Error) -> Self {
        Self { call, len, source }
    }

    /// The `errno` value, if any.
    pub fn errno(&self) -> Option<i32> {
        self.source.raw_os_error()
    }

    /// True when the kernel said "no memory" (`ENOMEM`).
    pub fn is_enomem(&self) -> bool {
        self.errno() == Some(libc::ENOMEM)
    }
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = crate::table::format_bytes(self.len as f64);
        write!(f, "{} of {len} failed: {}", self.call, self.source)?;
        if self.call.contains("HUGETLB") && self.is_enomem() {
            write!(f, " (are hugetlb pages reserved? see /proc/sys/vm/nr_hugepages)")?;
        }
        Ok(())
    }
}

impl std::error::Error for MapError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl From<MapError> for io::Error {
    fn from(e: MapError) -> Self {
        io::Error::new(e.source.kind(), e.to_string())
    }
}

impl From<MapError> for crate::claims::CheckError {
    fn from(e: MapError) -> Self {
        Self(e.to_string())
    }
}

/// Calls `mmap(addr, len, prot, flags, -1, 0)` for an anonymous mapping.
fn mmap_anon(
    call: &'static str,
    addr: *mut u8,
    len: usize,
    prot: libc::c_int,
    flags: libc::c_int,
) -> Result<NonNull<u8>, MapError> {
    if len > isize::MAX as usize {
        // A slice may not be longer than isize::MAX bytes; the kernel would
        // refuse anyway (ENOMEM), so report what it would have said.
        return Err(MapError { call, len, source: io::Error::from_raw_os_error(12) });
    }
    // SAFETY: an anonymous mapping (fd -1, offset 0). Without MAP_FIXED the
    // kernel picks an unused range and `addr` is only a hint, so no existing
    // memory is affected; callers that pass MAP_FIXED document why the range
    // is theirs to replace.
    let p = unsafe { libc::mmap(addr.cast(), len, prot, flags | anon_flags(), -1, 0) };
    if p == libc::MAP_FAILED {
        return Err(MapError::last(call, len));
    }
    Ok(NonNull::new(p.cast()).expect("mmap returned NULL without MAP_FIXED"))
}

fn anon_flags() -> libc::c_int {
    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS
}

// ANCHOR: mmap_buf
/// An owned, private, anonymous, read-write mapping of `len` bytes.
///
/// Fresh pages read as zero. Nothing is resident until a page is touched
/// (unless [`MapOptions::populate`] or [`MmapBuf::populate_write`] asked for
/// it). `Drop` unmaps it, once.
///
/// The slices it lends borrow `self`, so the compiler rejects any use of one
/// after the mapping is gone, which is exactly the bug of seed 004's finalizer:
///
/// ```compile_fail,E0597
/// use perf_workbook::mmap::MmapBuf;
/// let outlives: &[u8];
/// {
///     let buf = MmapBuf::new(1 << 20).unwrap();
///     outlives = buf.as_slice(); // error[E0597]: `buf` does not live long enough
/// } // `buf` is unmapped here
/// println!("{}", outlives[0]);
/// ```
#[derive(Debug)]
pub struct MmapBuf {
    /// Start of the mapping, page-aligned.
    ptr: NonNull<u8>,
    /// Bytes mapped and lent out; `> 0`.
    len: usize,
}
// ANCHOR_END: mmap_buf

// SAFETY: `MmapBuf` owns its mapping exclusively, like a `Box<[u8]>`: `&self`
// only lends `&[u8]` and `&mut self` is needed for `&mut [u8]`, so sharing and
// sending follow the same rules as for a byte slice.
unsafe impl Send for MmapBuf {}
// SAFETY: see `Send`; no interior mutability is reachable through `&MmapBuf`
// (the `madvise` calls that take `&self` do not change the contents).
unsafe impl Sync for MmapBuf {}

impl MmapBuf {
    /// Maps `len` bytes, read-write, lazily zeroed.
    pub fn new(len: usize) -> Result<Self, MapError> {
        Self::with_options(len, MapOptions::default())
    }

    /// Maps `len` bytes and prefaults every page in the same call
    /// (`MAP_POPULATE`, Linux).
    pub fn populated(len: usize) -> Result<Self, MapError> {
        Self::with_options(len, MapOptions { populate: true, ..Default::default() })
    }

    /// Maps `len` bytes with the given options.
    pub fn with_options(len: usize, opts: MapOptions) -> Result<Self, MapError> {
        let (call, extra) = option_flags(opts)?;
        let prot = libc::PROT_READ | libc::PROT_WRITE;
        let ptr = mmap_anon(call, std::ptr::null_mut(), len, prot, extra)?;
        Ok(Self { ptr, len })
    }

    /// Bytes mapped.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a mapping of 0 bytes cannot be made (`mmap` says `EINVAL`).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Start address (for `/proc/self/maps` look-ups and alignment checks).
    pub fn as_ptr(&self) -> *const u8 {
        self.ptr.as_ptr()
    }

    // ANCHOR: as_slice
    /// The whole mapping, borrowed from `self`.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr..ptr+len` is one live, readable mapping owned by `self`
        // for as long as the returned borrow of `self` lasts; `len <=
        // isize::MAX` was checked before mapping.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The whole mapping, mutably borrowed from `self`.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as in `as_slice`, and `&mut self` makes this borrow unique.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
    // ANCHOR_END: as_slice

    /// `madvise(MADV_HUGEPAGE)`: ask for transparent huge pages (Linux; THP
    /// mode `madvise` or `always`). Only the 2 MiB-aligned part of the
    /// mapping can get them.
    #[cfg(target_os = "linux")]
    pub fn advise_huge_pages(&self) -> Result<(), MapError> {
        self.madvise("madvise(MADV_HUGEPAGE)", libc::MADV_HUGEPAGE)
    }

    /// `madvise(MADV_NOHUGEPAGE)`: 4 KiB pages only, even with THP `always`.
    #[cfg(target_os = "linux")]
    pub fn advise_no_huge_pages(&self) -> Result<(), MapError> {
        self.madvise("madvise(MADV_NOHUGEPAGE)", libc::MADV_NOHUGEPAGE)
    }

    /// `madvise(MADV_POPULATE_WRITE)`: fault every page in, writable, in one
    /// call (Linux ≥ 5.14; `EINVAL` on older kernels).
    #[cfg(target_os = "linux")]
    pub fn populate_write(&self) -> Result<(), MapError> {
        self.madvise("madvise(MADV_POPULATE_WRITE)", libc::MADV_POPULATE_WRITE)
    }

    /// `madvise(MADV_DONTNEED)`: hand every page back to the kernel while
    /// keeping the address range. The next read sees zeros again. Takes
    /// `&mut self` because it changes the contents under any borrow.
    #[cfg(target_os = "linux")]
    pub fn discard(&mut self) -> Result<(), MapError> {
        self.madvise("madvise(MADV_DONTNEED)", libc::MADV_DONTNEED)
    }

    #[cfg(target_os = "linux")]
    fn madvise(&self, call: &'static str, advice: libc::c_int) -> Result<(), MapError> {
        // SAFETY: the range is exactly our own live mapping. (NO)HUGEPAGE and
        // POPULATE_WRITE do not change its contents; DONTNEED does (pages read
        // as zero afterwards), and its caller holds `&mut self`.
        let rc = unsafe { libc::madvise(self.ptr.as_ptr().cast(), self.len, advice) };
        if rc != 0 {
            return Err(MapError::last(call, self.len));
        }
        Ok(())
    }
}

#[cfg(target_os = "linux")]
fn option_flags(o: MapOptions) -> Result<(&'static str, libc::c_int), MapError> {
    let mut flags = 0;
    let mut call = "mmap";
    if o.populate {
        flags |= libc::MAP_POPULATE;
        call = "mmap(MAP_POPULATE)";
    }
    if o.no_reserve {
        flags |= libc::MAP_NORESERVE;
        call = "mmap(MAP_NORESERVE)";
    }
    if o.hugetlb {
        flags |= libc::MAP_HUGETLB;
        call = "mmap(MAP_HUGETLB)";
    }
    Ok((call, flags))
}

#[cfg(not(target_os = "linux"))]
fn option_flags(o: MapOptions) -> Result<(&'static str, libc::c_int), MapError> {
    if o == MapOptions::default() {
        return Ok(("mmap", 0));
    }
    Err(MapError {
        call: "mmap with Linux-only flags",
        len: 0,
        source: io::Error::new(io::ErrorKind::Unsupported, "requires Linux"),
    })
}

impl std::ops::Deref for MmapBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl std::ops::DerefMut for MmapBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.as_mut_slice()
    }
}

// ANCHOR: drop
impl Drop for MmapBuf {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` describe the mapping this value created and still
        // owns; every borrow of it has ended (we are in `drop`), and no other
        // value unmaps it.
        let rc = unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
        debug_assert_eq!(rc, 0, "munmap: {}", io::Error::last_os_error());
    }
}
// ANCHOR_END: drop

// ANCHOR: reservation
/// Address space only: a `PROT_NONE`, `MAP_NORESERVE` mapping. No page can be
/// read or written (so it lends no slice), none is resident, and the
/// overcommit accounting ignores it, so it can be far larger than RAM.
#[derive(Debug)]
pub struct Reservation {
    ptr: NonNull<u8>,
    len: usize,
}
// ANCHOR_END: reservation

impl Reservation {
    /// Reserves `len` bytes of address space.
    pub fn new(len: usize) -> Result<Self, MapError> {
        #[cfg(target_os = "linux")]
        let flags = libc::MAP_NORESERVE;
        #[cfg(not(target_os = "linux"))]
        let flags = 0;
        let ptr = mmap_anon(
            "mmap(PROT_NONE, MAP_NORESERVE)",
            std::ptr::null_mut(),
            len,
            libc::PROT_NONE,
            flags,
        )?;
        Ok(Self { ptr, len })
    }

    /// Bytes reserved.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false (see [`MmapBuf::is_empty`]).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Start address.
    pub fn as_ptr(&self) -> *const u8 {
        self.ptr.as_ptr()
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        // SAFETY: our own mapping, unmapped once; nothing borrows it.
        let rc = unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
        debug_assert_eq!(rc, 0, "munmap: {}", io::Error::last_os_error());
    }
}

/// `mmap(len = 0)`: what the seed's file mapping does with an empty file.
/// Returns the error (POSIX: "If len is zero, mmap() shall fail").
pub fn map_zero_length() -> MapError {
    match mmap_anon("mmap(len = 0)", std::ptr::null_mut(), 0, libc::PROT_READ, 0) {
        Err(e) => e,
        Ok(p) => {
            // SAFETY: a kernel that accepted len 0 gave us a mapping we own;
            // unmap its (at most one page) and report the surprise.
            unsafe { libc::munmap(p.as_ptr().cast(), 1) };
            MapError {
                call: "mmap(len = 0)",
                len: 0,
                source: io::Error::other("the kernel accepted a zero-length mapping"),
            }
        }
    }
}

/// `MAP_FIXED` and `MAP_FIXED_NOREPLACE` at an address we already own (D70).
#[cfg(target_os = "linux")]
pub mod fixed {
    use super::{MapError, MmapBuf, mmap_anon};

    /// Maps fresh zero pages over `buf`'s own range with `MAP_FIXED`. The
    /// kernel replaces whatever was there, silently: `buf`'s contents are
    /// gone and the call reports success.
    pub fn replace_with_map_fixed(buf: &mut MmapBuf) -> Result<(), MapError> {
        let (ptr, len) = (buf.ptr.as_ptr(), buf.len);
        let prot = libc::PROT_READ | libc::PROT_WRITE;
        // `&mut MmapBuf`: no borrow of the old contents is alive. The new
        // mapping has the same range, protection and flags, and `buf` stays
        // its owner (its `Drop` unmaps it), so nothing is leaked or unmapped
        // twice.
        let got = mmap_anon("mmap(MAP_FIXED)", ptr, len, prot, libc::MAP_FIXED)?;
        assert_eq!(got.as_ptr(), ptr, "MAP_FIXED must map at the address given");
        Ok(())
    }

    /// What `MAP_FIXED_NOREPLACE` over an existing mapping did.
    #[derive(Debug)]
    pub enum NoReplace {
        /// The kernel refused: `EEXIST` (Linux ≥ 4.17).
        Refused(MapError),
        /// An old kernel ignored the flag and mapped somewhere else.
        IgnoredFlag,
        /// It mapped over the existing range (never expected).
        Replaced,
    }

    /// Tries `MAP_FIXED_NOREPLACE` at `buf`'s address.
    pub fn try_map_noreplace(buf: &MmapBuf) -> NoReplace {
        let (ptr, len) = (buf.ptr.as_ptr(), buf.len);
        let prot = libc::PROT_READ | libc::PROT_WRITE;
        match mmap_anon(
            "mmap(MAP_FIXED_NOREPLACE)",
            ptr,
            len,
            prot,
            libc::MAP_FIXED_NOREPLACE,
        ) {
            Err(e) => NoReplace::Refused(e),
            Ok(p) => {
                let same = p.as_ptr() == ptr;
                if !same {
                    // SAFETY: a new mapping elsewhere that only we know of.
                    unsafe { libc::munmap(p.as_ptr().cast(), len) };
                    NoReplace::IgnoredFlag
                } else {
                    NoReplace::Replaced
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_reads_zero_and_keeps_what_is_written() {
        let mut b = MmapBuf::new(3 * 4096 + 5).unwrap();
        assert_eq!(b.len(), 3 * 4096 + 5);
        assert!(b.iter().all(|&x| x == 0));
        b[4096] = 7;
        assert_eq!(b.as_slice()[4096], 7);
    }

    #[test]
    fn absurd_and_empty_lengths_are_errors() {
        let e = MmapBuf::new(usize::MAX).unwrap_err();
        assert!(e.is_enomem(), "{e}");
        assert!(e.to_string().contains("mmap of"), "{e}");
        let e = MmapBuf::new(0).unwrap_err();
        assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
        assert_eq!(map_zero_length().errno(), Some(libc::EINVAL));
    }

    #[test]
    fn mmap_buf_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<MmapBuf>();
    }
}
