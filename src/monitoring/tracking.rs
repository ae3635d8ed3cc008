//! A tracking global allocator: live allocations by *site*, where a site
//! is a named scope the program enters (`static CACHE: Site =
//! Site::new("cache"); let _in = CACHE.enter();`). Every allocation made on
//! a thread inside a site is charged to it, and its free is charged to the
//! same site wherever it happens, so a site whose live bytes only grow is a
//! leak, found by name.
//!
//! How it stays correct inside `alloc`:
//! - it never allocates: the current site is a `const`-initialised
//!   thread-local `Cell` of a pointer, sites are `static`s of atomics, and
//!   the site of an allocation is written into a header in front of it
//!   (`max(align, 16)` bytes), so `dealloc` finds it without a table;
//! - it forwards to any inner allocator, so
//!   `TrackingAlloc<CountingAlloc>` keeps the workbook's per-thread counts.
//!
//! The cost: two atomic adds on the process-wide totals and two on the
//! site per allocation, and 16 bytes (or the alignment) per block. It is a
//! debugging allocator; `Sampler` reads its process-wide live bytes when it
//! is installed ([`live_bytes`]), and reports nothing otherwise.
//!
//! Install it in a binary or test with:
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOC: TrackingAlloc<CountingAlloc> = TrackingAlloc::new(CountingAlloc::system());
//! ```

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicPtr, AtomicU64, Ordering};

/// A named place in the program that allocations are charged to.
#[derive(Debug)]
pub struct Site {
    name: &'static str,
    allocs: AtomicU64,
    frees: AtomicU64,
    bytes: AtomicU64,
    freed_bytes: AtomicU64,
    listed: AtomicBool,
}

/// A site's counts at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SiteStats {
    /// The site's name.
    pub name: &'static str,
    /// Allocations charged to it.
    pub allocs: u64,
    /// Of those, freed.
    pub frees: u64,
    /// Bytes allocated (reallocations count their new size).
    pub bytes: u64,
    /// Bytes freed (reallocations count their old size).
    pub freed_bytes: u64,
}

impl SiteStats {
    /// Allocations still live.
    pub fn live_count(&self) -> i64 {
        self.allocs as i64 - self.frees as i64
    }

    /// Bytes still live.
    pub fn live_bytes(&self) -> i64 {
        self.bytes as i64 - self.freed_bytes as i64
    }
}

impl Site {
    /// A site called `name` (declare it as a `static`).
    pub const fn new(name: &'static str) -> Self {
        Self {
            name,
            allocs: AtomicU64::new(0),
            frees: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            freed_bytes: AtomicU64::new(0),
            listed: AtomicBool::new(false),
        }
    }

    /// Charges this thread's allocations to this site until the guard is
    /// dropped (sites nest: the guard restores the previous one).
    pub fn enter(&'static self) -> SiteGuard {
        list(self);
        let previous = CURRENT.with(|c| c.replace(self as *const Site));
        SiteGuard { previous, _not_send: std::marker::PhantomData }
    }

    /// Runs `f` inside this site.
    pub fn run<R>(&'static self, f: impl FnOnce() -> R) -> R {
        let _in = self.enter();
        f()
    }

    /// Its counts now.
    pub fn stats(&self) -> SiteStats {
        SiteStats {
            name: self.name,
            allocs: self.allocs.load(Ordering::Relaxed),
            frees: self.frees.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            freed_bytes: self.freed_bytes.load(Ordering::Relaxed),
        }
    }

    /// Its name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// While alive, this thread's allocations go to a site.
#[derive(Debug)]
pub struct SiteGuard {
    previous: *const Site,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for SiteGuard {
    fn drop(&mut self) {
        let previous = self.previous;
        CURRENT.with(|c| c.set(previous));
    }
}

/// Where allocations made outside every site go.
pub static UNTAGGED: Site = Site::new("untagged");

thread_local! {
    // `const` and a `Copy` payload: no lazy initialisation, no destructor,
    // no allocation, so `alloc` may read it at any point of a thread's life.
    static CURRENT: Cell<*const Site> = const { Cell::new(std::ptr::null()) };
}

/// Sites that can be listed by [`report`].
const MAX_SITES: usize = 128;
static SITES: [AtomicPtr<Site>; MAX_SITES] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; MAX_SITES];

fn list(site: &'static Site) {
    if site.listed.swap(true, Ordering::AcqRel) {
        return;
    }
    let p = site as *const Site as *mut Site;
    for slot in &SITES {
        if slot
            .compare_exchange(
                std::ptr::null_mut(),
                p,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok()
        {
            return;
        }
    }
}

/// Every site entered so far (and [`UNTAGGED`]), with its counts.
pub fn report() -> Vec<SiteStats> {
    let mut out = vec![UNTAGGED.stats()];
    for slot in &SITES {
        let p = slot.load(Ordering::Acquire);
        if p.is_null() {
            break;
        }
        // SAFETY: only `&'static Site` pointers are stored in SITES.
        out.push(unsafe { &*p }.stats());
    }
    out
}

static INSTALLED: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicI64 = AtomicI64::new(0);
static ALLOCATED: AtomicU64 = AtomicU64::new(0);

/// True when a [`TrackingAlloc`] is this binary's global allocator (and has
/// allocated once).
pub fn is_installed() -> bool {
    if !INSTALLED.load(Ordering::Relaxed) {
        drop(std::hint::black_box(Box::new(0u64)));
    }
    INSTALLED.load(Ordering::Relaxed)
}

/// Live heap bytes of the whole process, when a [`TrackingAlloc`] is the
/// global allocator (`None` otherwise: the workbook's own `CountingAlloc`
/// counts per thread, and a sampler thread cannot read other threads').
pub fn live_bytes() -> Option<i64> {
    INSTALLED.load(Ordering::Relaxed).then(|| LIVE.load(Ordering::Relaxed))
}

/// Heap bytes allocated so far by the whole process, as [`live_bytes`].
pub fn allocated_bytes() -> Option<u64> {
    INSTALLED.load(Ordering::Relaxed).then(|| ALLOCATED.load(Ordering::Relaxed))
}

/// A global allocator that charges every allocation to the current
/// [`Site`]; see the module documentation.
#[derive(Debug)]
pub struct TrackingAlloc<A> {
    inner: A,
}

impl<A> TrackingAlloc<A> {
    /// Wraps `inner`.
    pub const fn new(inner: A) -> Self {
        Self { inner }
    }
}

/// The header in front of a block of `align`: room for the site pointer,
/// and a multiple of the alignment so the block stays aligned.
#[inline]
fn header(align: usize) -> usize {
    align.max(16)
}

/// The layout asked of the inner allocator for `layout`.
#[inline]
fn outer(layout: Layout) -> Option<Layout> {
    let size = layout.size().checked_add(header(layout.align()))?;
    Layout::from_size_align(size, layout.align().max(16)).ok()
}

#[inline]
fn current_site() -> &'static Site {
    let p = CURRENT.try_with(Cell::get).unwrap_or(std::ptr::null());
    if p.is_null() {
        &UNTAGGED
    } else {
        // SAFETY: CURRENT only ever holds null or a `&'static Site`.
        unsafe { &*p }
    }
}

// ANCHOR: alloc
impl<A: GlobalAlloc> TrackingAlloc<A> {
    /// Writes the site into the header of `base` and returns the user
    /// pointer.
    ///
    /// # Safety
    /// `base` must be a block of `outer(layout)` from the inner allocator.
    #[inline]
    unsafe fn finish(&self, base: *mut u8, layout: Layout) -> *mut u8 {
        if base.is_null() {
            return base;
        }
        INSTALLED.store(true, Ordering::Relaxed);
        let site = current_site();
        // SAFETY: the block is `header + size` bytes, so `base + header` is
        // inside it (or one past its end when size is 0).
        let user = unsafe { base.add(header(layout.align())) };
        // SAFETY: the header is at least 16 bytes and 16-aligned, so the 8
        // bytes before `user` are inside it and aligned for a pointer.
        unsafe { (user as *mut *const Site).sub(1).write(site) };
        site.allocs.fetch_add(1, Ordering::Relaxed);
        site.bytes.fetch_add(layout.size() as u64, Ordering::Relaxed);
        LIVE.fetch_add(layout.size() as i64, Ordering::Relaxed);
        ALLOCATED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        user
    }

    /// The site written in front of `user`, and the inner block's base.
    ///
    /// # Safety
    /// `user` must come from [`Self::finish`] with `layout`.
    #[inline]
    unsafe fn site_of(user: *mut u8, layout: Layout) -> (&'static Site, *mut u8) {
        // SAFETY: per the contract, the header precedes `user`.
        let site = unsafe { &*(user as *const *const Site).sub(1).read() };
        // SAFETY: same block.
        (site, unsafe { user.sub(header(layout.align())) })
    }
}

// SAFETY: every block handed out is a block of the inner allocator with a
// header in front (its layout is `outer(layout)`, which keeps the
// alignment); dealloc and realloc hand the inner allocator back exactly
// that block and layout. The bookkeeping touches only atomics and the
// header, and never allocates.
unsafe impl<A: GlobalAlloc> GlobalAlloc for TrackingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(o) = outer(layout) else { return std::ptr::null_mut() };
        // SAFETY: `o` has a non-zero size (the header).
        let base = unsafe { self.inner.alloc(o) };
        // SAFETY: `base` is null or a block of `o`.
        unsafe { self.finish(base, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let Some(o) = outer(layout) else { return std::ptr::null_mut() };
        // SAFETY: as in `alloc`; the inner allocator's zeroing stays lazy.
        let base = unsafe { self.inner.alloc_zeroed(o) };
        // SAFETY: `base` is null or a block of `o`.
        unsafe { self.finish(base, layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator with `layout`.
        let (site, base) = unsafe { Self::site_of(ptr, layout) };
        site.frees.fetch_add(1, Ordering::Relaxed);
        site.freed_bytes.fetch_add(layout.size() as u64, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        let o = outer(layout).expect("a layout this allocator accepted");
        // SAFETY: `base` is the inner block allocated with `o`.
        unsafe { self.inner.dealloc(base, o) };
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let (Some(o), Some(new_total)) =
            (outer(layout), new_size.checked_add(header(layout.align())))
        else {
            return std::ptr::null_mut();
        };
        // SAFETY: `ptr` came from this allocator with `layout`.
        let (site, base) = unsafe { Self::site_of(ptr, layout) };
        // SAFETY: `base` is the inner block of `o`; the header moves with
        // the block, so the site stays written in front of the data.
        let nb = unsafe { self.inner.realloc(base, o, new_total) };
        if nb.is_null() {
            return nb;
        }
        site.bytes.fetch_add(new_size as u64, Ordering::Relaxed);
        site.freed_bytes.fetch_add(layout.size() as u64, Ordering::Relaxed);
        LIVE.fetch_add(new_size as i64 - layout.size() as i64, Ordering::Relaxed);
        ALLOCATED.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: the new block has the same header size in front.
        unsafe { nb.add(header(layout.align())) }
    }
}
// ANCHOR_END: alloc
