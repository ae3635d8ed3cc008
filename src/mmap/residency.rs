//! Which pages of *one* address range are resident, asked of the kernel for
//! that range alone: `mincore(2)` (present in memory) and
//! `/proc/self/pagemap` (present, and whether this process maps the page
//! exclusively, i.e. it is a private page of its own and not the shared zero
//! page).
//!
//! For: the experiments and tests of this chapter, which must measure only
//! what they own. `VmRSS` is process-wide: any other thread that allocates
//! or frees meanwhile moves it, and the kernel's per-CPU counters lag by a
//! few hundred KiB. These readers look at one mapping and nothing else.
//! (An instrument other chapters could use; it lives here until it moves to
//! `measure::os`.)
//!
//! Not for: file pages (both readers work, but "exclusive" means something
//! else there), or other processes.

use std::io;

/// Pages of `range`, rounded out to whole pages.
fn page_span(range: &[u8]) -> (usize, usize) {
    let page = crate::measure::machine::page_size() as usize;
    let start = range.as_ptr() as usize / page * page;
    let end = (range.as_ptr() as usize + range.len()).div_ceil(page) * page;
    (start, (end - start) / page)
}

/// Pages of `range` that are resident (`mincore`). The range is rounded out
/// to whole pages. A page mapped to the shared zero page counts as resident
/// here (its page-table entry is present); see [`page_map`] to tell them
/// apart.
#[cfg(unix)]
pub fn resident_pages(range: &[u8]) -> io::Result<usize> {
    let (start, pages) = page_span(range);
    if pages == 0 {
        return Ok(0);
    }
    let mut vec = vec![0u8; pages];
    let page = crate::measure::machine::page_size() as usize;
    // SAFETY: `start .. start + pages * page` covers `range`, which is mapped
    // (we hold a borrow of it), rounded out to the pages that contain it;
    // `vec` has one byte per page, as mincore writes.
    let rc = unsafe {
        libc::mincore(start as *mut libc::c_void, pages * page, vec.as_mut_ptr().cast())
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(vec.iter().filter(|&&b| b & 1 == 1).count())
}

/// What `/proc/self/pagemap` says of a range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageMap {
    /// Pages looked up.
    pub pages: usize,
    /// Pages with a present page-table entry (private pages and zero-page
    /// mappings alike).
    pub present: usize,
    /// Present pages that this process maps exclusively: its own private
    /// pages. The shared zero page is never one of them.
    pub private: usize,
}

/// Reads the pagemap entries of `range` (rounded out to whole pages).
pub fn page_map(range: &[u8]) -> io::Result<PageMap> {
    let entries = pagemap_entries(range)?;
    Ok(PageMap {
        pages: entries.len(),
        present: entries.iter().filter(|e| *e >> PRESENT & 1 == 1).count(),
        private: entries
            .iter()
            .filter(|e| *e >> PRESENT & 1 == 1 && *e >> EXCLUSIVE & 1 == 1)
            .count(),
    })
}

/// Bit 63 of a pagemap entry: the page is present
/// (Documentation/admin-guide/mm/pagemap.rst).
const PRESENT: u32 = 63;
/// Bit 56: the page is exclusively mapped (Linux 4.2 and later).
const EXCLUSIVE: u32 = 56;
/// Bits 0-54: the page frame number, zero unless the reader has
/// `CAP_SYS_ADMIN`.
const PFN_MASK: u64 = (1 << 55) - 1;

/// The raw 64-bit pagemap entries of `range`, one per page.
pub fn pagemap_entries(range: &[u8]) -> io::Result<Vec<u64>> {
    use std::io::{Read, Seek, SeekFrom};
    let (start, pages) = page_span(range);
    let page = crate::measure::machine::page_size() as usize;
    let mut f = std::fs::File::open("/proc/self/pagemap")?;
    f.seek(SeekFrom::Start((start / page * 8) as u64))?;
    let mut raw = vec![0u8; pages * 8];
    f.read_exact(&mut raw)?;
    Ok(raw
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect())
}

/// Distinct physical frames behind the present pages among the first
/// `max_pages` of `range`: `Ok(None)` when the kernel hides frame numbers
/// (it shows them only to `CAP_SYS_ADMIN`), and the count of present pages
/// looked at.
pub fn distinct_frames(
    range: &[u8],
    max_pages: usize,
) -> io::Result<(Option<usize>, usize)> {
    let page = crate::measure::machine::page_size() as usize;
    let head = &range[..range.len().min(max_pages * page)];
    let mut frames: Vec<u64> = pagemap_entries(head)?
        .into_iter()
        .filter(|e| e >> PRESENT & 1 == 1)
        .map(|e| e & PFN_MASK)
        .collect();
    let present = frames.len();
    if frames.iter().all(|&f| f == 0) {
        return Ok((None, present));
    }
    frames.sort_unstable();
    frames.dedup();
    Ok((Some(frames.len()), present))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use crate::mmap::MmapBuf;

    #[test]
    #[cfg_attr(miri, ignore)]
    fn reads_map_shared_pages_and_writes_private_ones() {
        let page = crate::measure::machine::page_size() as usize;
        let mut m = MmapBuf::new(64 * page).unwrap();
        m.advise_no_huge_pages().unwrap();
        assert_eq!(resident_pages(&m).unwrap(), 0);
        assert_eq!(page_map(&m).unwrap(), PageMap { pages: 64, present: 0, private: 0 });
        let sum: u64 = (0..32).map(|i| std::hint::black_box(m[i * page]) as u64).sum();
        assert_eq!(sum, 0);
        let after_reads = page_map(&m).unwrap();
        assert_eq!(
            (after_reads.present, after_reads.private),
            (32, 0),
            "{after_reads:?}"
        );
        for i in 0..16 {
            m[i * page] = 1;
        }
        let after_writes = page_map(&m).unwrap();
        assert_eq!((after_writes.present, after_writes.private), (32, 16));
        assert_eq!(resident_pages(&m).unwrap(), 32);
        assert_eq!(resident_pages(&m[5 * page..6 * page]).unwrap(), 1);
    }
}
