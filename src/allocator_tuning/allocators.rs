//! Three allocators and their configurations, as one process sees them.
//!
//! A binary has one `#[global_allocator]` (the workbook's is the counting
//! allocator over glibc), so the experiments never switch it. They call the
//! allocator under test *directly*: [`tikv_jemallocator::Jemalloc`] and
//! [`mimalloc::MiMalloc`] implement [`GlobalAlloc`], and `alloc`/`dealloc`
//! on them reach jemalloc (`_rjem_` symbols) and mimalloc (`mi_` symbols),
//! which live in the same process beside glibc without replacing it. The
//! churn's blocks are the only memory those two ever hand out, so what they
//! hold after it is theirs alone.
//!
//! Each allocator reads its knobs once, when it starts: glibc from
//! `MALLOC_ARENA_MAX` and `GLIBC_TUNABLES`, jemalloc from `_RJEM_MALLOC_CONF`
//! (tikv-jemallocator's prefix; a plain `MALLOC_CONF` is ignored), mimalloc
//! from `MIMALLOC_*`. A [`Setting`] is an allocator with those variables, run
//! in a child process that starts with them set.

use std::alloc::{GlobalAlloc, System};

/// An allocator the churn can run on.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Allocator {
    /// glibc malloc (`std::alloc::System`), Rust's default on Linux.
    Glibc,
    /// jemalloc 5.3 through tikv-jemallocator.
    Jemalloc,
    /// mimalloc through the `mimalloc` crate.
    Mimalloc,
}

static JEMALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
static MIMALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

unsafe extern "C" {
    // mimalloc's own API; the `mimalloc` crate links the library but does
    // not re-export these.
    fn mi_collect(force: bool);
}

impl Allocator {
    /// All three, glibc first.
    pub const ALL: [Allocator; 3] = [Self::Glibc, Self::Jemalloc, Self::Mimalloc];

    /// `glibc`, `jemalloc`, `mimalloc`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Glibc => "glibc",
            Self::Jemalloc => "jemalloc",
            Self::Mimalloc => "mimalloc",
        }
    }

    /// The allocator, to call directly.
    pub fn global(self) -> &'static (dyn GlobalAlloc + Sync) {
        match self {
            Self::Glibc => &System,
            Self::Jemalloc => &JEMALLOC,
            Self::Mimalloc => &MIMALLOC,
        }
    }

    /// The call that gives its free memory back to the OS now.
    pub fn reclaim_call(self) -> &'static str {
        match self {
            Self::Glibc => "malloc_trim(0)",
            Self::Jemalloc => "arena.4096.purge",
            Self::Mimalloc => "mi_collect(true)",
        }
    }

    // ANCHOR: reclaim
    /// Gives this allocator's free memory back to the OS now: the Rust
    /// analogue of Go's `debug.FreeOSMemory()`. mimalloc collects only the
    /// calling thread's heap, so call it on the thread that freed.
    pub fn reclaim(self) {
        match self {
            Self::Glibc => {
                super::glibc::malloc_trim();
            }
            Self::Jemalloc => {
                // 4096 is MALLCTL_ARENAS_ALL. tikv-jemalloc-ctl's `raw::write`
                // fails for this key (it writes a value; purge takes none).
                // SAFETY: a NUL-terminated name; no old or new value.
                unsafe {
                    tikv_jemalloc_sys::mallctl(
                        c"arena.4096.purge".as_ptr(),
                        std::ptr::null_mut(),
                        std::ptr::null_mut(),
                        std::ptr::null_mut(),
                        0,
                    );
                }
            }
            // SAFETY: mi_collect takes a flag and only touches mimalloc's state.
            Self::Mimalloc => unsafe { mi_collect(true) },
        }
    }
    // ANCHOR_END: reclaim
}

/// An allocator with its knobs: one line of the churn table and the plot.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Setting {
    /// glibc as it starts: trims the heap top above 128 KiB at `free`.
    GlibcDefault,
    /// glibc with `M_TRIM_THRESHOLD` set so high it never trims.
    GlibcNoTrim,
    /// glibc with this chapter's [`Reclaimer`](super::reclaimer::Reclaimer):
    /// `malloc_trim(0)` on its own thread once the work has been quiet.
    GlibcReclaimer,
    /// jemalloc as it starts: dirty pages decay over 10 s, purged on later
    /// allocator calls.
    JemallocDefault,
    /// jemalloc purging at once: `dirty_decay_ms:0,muzzy_decay_ms:0`.
    JemallocNoDecay,
    /// jemalloc with its background purging thread.
    JemallocBackground,
    /// mimalloc as it starts.
    MimallocDefault,
    /// mimalloc purging freed pages at once: `MIMALLOC_PURGE_DELAY=0`.
    MimallocNoDelay,
}

impl Setting {
    /// Every setting, in table order.
    pub const ALL: [Setting; 8] = [
        Self::GlibcDefault,
        Self::GlibcNoTrim,
        Self::GlibcReclaimer,
        Self::JemallocDefault,
        Self::JemallocNoDecay,
        Self::JemallocBackground,
        Self::MimallocDefault,
        Self::MimallocNoDelay,
    ];

    /// The allocator it configures.
    pub fn allocator(self) -> Allocator {
        match self {
            Self::GlibcDefault | Self::GlibcNoTrim | Self::GlibcReclaimer => {
                Allocator::Glibc
            }
            Self::JemallocDefault | Self::JemallocNoDecay | Self::JemallocBackground => {
                Allocator::Jemalloc
            }
            Self::MimallocDefault | Self::MimallocNoDelay => Allocator::Mimalloc,
        }
    }

    /// How the table names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::GlibcDefault => "glibc, default",
            Self::GlibcNoTrim => "glibc, trim_threshold 1 TiB",
            Self::GlibcReclaimer => "glibc + Reclaimer (ours)",
            Self::JemallocDefault => "jemalloc, default",
            Self::JemallocNoDecay => "jemalloc, decay 0 ms",
            Self::JemallocBackground => "jemalloc, background_thread",
            Self::MimallocDefault => "mimalloc, default",
            Self::MimallocNoDelay => "mimalloc, purge_delay 0",
        }
    }

    /// The environment the child starts with (the operator's way to set it).
    pub fn env(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::GlibcNoTrim => {
                &[("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1099511627776")]
            }
            Self::JemallocNoDecay => {
                &[("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")]
            }
            Self::JemallocBackground => {
                &[("_RJEM_MALLOC_CONF", "background_thread:true")]
            }
            Self::MimallocNoDelay => &[("MIMALLOC_PURGE_DELAY", "0")],
            _ => &[],
        }
    }

    /// The settings whose timeline ends with the allocator's reclaim call,
    /// forced after the idle window (a row of its own in the table).
    pub fn forces_reclaim_at_end(self) -> bool {
        matches!(self, Self::GlibcDefault | Self::JemallocDefault | Self::MimallocDefault)
    }

    /// True for this chapter's own setting; the others are the peers.
    pub fn is_ours(self) -> bool {
        self == Self::GlibcReclaimer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::Layout;

    #[test]
    fn each_allocator_hands_out_and_takes_back_memory() {
        let _rss = crate::measure::serial(); // malloc_trim moves the process's RSS
        let layout = Layout::from_size_align(1000, 8).unwrap();
        for a in Allocator::ALL {
            let g = a.global();
            // SAFETY: a non-zero layout; the block is written within its
            // size and freed once, with the same layout, by the same allocator.
            unsafe {
                let p = g.alloc(layout);
                assert!(!p.is_null(), "{}", a.name());
                p.write_bytes(7, layout.size());
                assert_eq!(*p.add(999), 7);
                g.dealloc(p, layout);
            }
            a.reclaim();
        }
    }

    #[test]
    fn settings_name_their_allocator_and_environment() {
        for s in Setting::ALL {
            assert!(s.label().starts_with(s.allocator().name()), "{s:?}");
        }
        assert_eq!(Setting::ALL.iter().filter(|s| s.is_ours()).count(), 1);
        assert!(Setting::JemallocNoDecay.env()[0].0.starts_with("_RJEM_"));
    }
}
