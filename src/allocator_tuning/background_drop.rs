//! Dropping a large structure costs one `free` per heap block it owns, all
//! on the thread that drops it: Rust's deterministic "collection pause".
//! [`drop_in_background`] moves that cost to a thread of its own, so the
//! caller pays one channel send.
//!
//! For C003-03 (seed 003's "GC pause 10 ms → < 1 ms") and the target
//! "background drop: the caller's cost ≤ 1.1× defer-drop's". The `defer-drop`
//! crate does the same with a global thread; it is a dev-dependency, so the
//! example and the bench pass it in ([`super::figures::set_peers`]).

use crossbeam_channel::Sender;
use std::collections::HashMap;
use std::mem::MaybeUninit;
use std::sync::OnceLock;

/// Values up to this many bytes (and aligned to at most 8) travel inline in
/// the channel's message; larger ones in a `Box`.
pub const INLINE_BYTES: usize = 48;

/// Room for a small value, aligned for any `T` with `align_of::<T>() <= 8`.
#[repr(C, align(8))]
struct Slot([MaybeUninit<u8>; INLINE_BYTES]);

/// A small value moved into a [`Slot`], with the function that drops it.
struct Inline {
    slot: Slot,
    drop_fn: unsafe fn(*mut u8),
}

// SAFETY: an `Inline` is only built by `garbage` from a `T: Send`, and is
// nothing but that value's bytes and its drop function.
unsafe impl Send for Inline {}

impl Drop for Inline {
    fn drop(&mut self) {
        // SAFETY: `slot` holds the value `drop_fn` was chosen for (`garbage`
        // wrote it there and nothing else touches it), and it is dropped once:
        // `Inline` is never cloned, and this runs once.
        unsafe { (self.drop_fn)(self.slot.0.as_mut_ptr().cast()) }
    }
}

/// Drops the `T` at `p`.
///
/// # Safety
/// `p` points to a valid, suitably aligned `T` that nothing uses afterwards.
unsafe fn drop_as<T>(p: *mut u8) {
    // SAFETY: the caller's contract.
    unsafe { std::ptr::drop_in_place(p.cast::<T>()) }
}

/// What the background thread receives: anything it can drop.
enum Garbage {
    /// A value of at most [`INLINE_BYTES`], moved into the message itself.
    /// (Both fields are held only to be dropped, hence never read.)
    Inline(#[allow(dead_code)] Inline),
    /// A larger value, boxed.
    Boxed(#[allow(dead_code)] Box<dyn Send>),
}

// ANCHOR: garbage
/// Packs `value` for the background thread. A `Box` would cost the caller one
/// allocation per hand-off, as much again as the send; a value that fits in
/// the message (a `Vec`, a `String`, a `HashMap`: their heap parts stay where
/// they are) goes without one.
fn garbage<T: Send + 'static>(value: T) -> Garbage {
    if size_of::<T>() <= INLINE_BYTES && align_of::<T>() <= align_of::<Slot>() {
        let mut slot = Slot([MaybeUninit::uninit(); INLINE_BYTES]);
        // SAFETY: the slot is large and aligned enough for a `T` (checked
        // above) and holds nothing yet; the value is moved in, not copied.
        unsafe { slot.0.as_mut_ptr().cast::<T>().write(value) };
        Garbage::Inline(Inline { slot, drop_fn: drop_as::<T> })
    } else {
        Garbage::Boxed(Box::new(value))
    }
}
// ANCHOR_END: garbage

// ANCHOR: drop_in_background
/// Drops `value` on a background thread: the caller pays for one channel
/// send (and a `Box` if `value` is larger than [`INLINE_BYTES`]), whatever
/// `value` owns.
pub fn drop_in_background<T: Send + 'static>(value: T) {
    static DROPPER: OnceLock<Sender<Garbage>> = OnceLock::new();
    let tx = DROPPER.get_or_init(|| {
        let (tx, rx) = crossbeam_channel::unbounded::<Garbage>();
        std::thread::Builder::new()
            .name("background-drop".into())
            .spawn(move || rx.into_iter().for_each(drop))
            .expect("spawning the background-drop thread");
        tx
    });
    if let Err(e) = tx.send(garbage(value)) {
        drop(e.into_inner()); // the thread is gone: drop here instead
    }
}
// ANCHOR_END: drop_in_background

/// Signals when dropped: sent to a background thread after other garbage,
/// its arrival says everything before it was dropped.
pub struct DropSignal(std::sync::mpsc::Sender<()>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

/// Waits until `hand_off` has dropped everything handed to it before this
/// call (it hands off a [`DropSignal`] and waits for it).
pub fn flush(hand_off: fn(DropSignal)) {
    let (tx, rx) = std::sync::mpsc::channel();
    hand_off(DropSignal(tx));
    let _ = rx.recv_timeout(std::time::Duration::from_secs(60));
}

/// [`drop_in_background`] for a [`DropSignal`], to pass to [`flush`].
pub fn ours(signal: DropSignal) {
    drop_in_background(signal);
}

/// The structure whose drop is timed: `n` entries, each owning a heap string.
pub type BigMap = HashMap<u64, String>;

/// A [`BigMap`] of `n` entries (`n` + 1 heap blocks).
pub fn big_map(n: usize) -> BigMap {
    (0..n as u64).map(|i| (i, format!("value {i:>12}"))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts its drops.
    struct Counted(Arc<AtomicUsize>);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn values_are_dropped_once_on_another_thread() {
        let drops = Arc::new(AtomicUsize::new(0));
        let n = if cfg!(miri) { 10 } else { 100 };
        let (tx, rx) = std::sync::mpsc::channel();
        struct Where(std::sync::mpsc::Sender<std::thread::ThreadId>);
        impl Drop for Where {
            fn drop(&mut self) {
                let _ = self.0.send(std::thread::current().id());
            }
        }
        for _ in 0..n {
            drop_in_background(Counted(Arc::clone(&drops)));
        }
        drop_in_background(Where(tx));
        flush(ours);
        assert_eq!(drops.load(Ordering::Relaxed), n);
        assert_ne!(rx.recv().unwrap(), std::thread::current().id(), "dropped elsewhere");
    }

    #[test]
    fn small_and_large_values_are_dropped_once_each() {
        let drops = Arc::new(AtomicUsize::new(0));
        for _ in 0..10 {
            // 16 bytes: inline. 16 + 64 bytes: boxed.
            drop_in_background(Counted(Arc::clone(&drops)));
            drop_in_background((Counted(Arc::clone(&drops)), [0u64; 8]));
            drop_in_background(vec![Counted(Arc::clone(&drops))]);
        }
        flush(ours);
        assert_eq!(drops.load(Ordering::Relaxed), 30);
        // A value the thread never gets (the channel closed) is still dropped.
        drop(garbage(Counted(Arc::clone(&drops))));
        assert_eq!(drops.load(Ordering::Relaxed), 31);
    }

    #[test]
    #[cfg_attr(miri, ignore)] // 1000 formatted strings: slow under Miri
    fn the_big_map_owns_one_string_per_entry() {
        let m = big_map(1000);
        assert_eq!(m.len(), 1000);
        assert_eq!(m[&7], "value            7");
    }
}
