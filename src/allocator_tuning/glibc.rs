//! glibc malloc's knobs, called directly: `mallopt`, `malloc_trim`,
//! `mallinfo2` and the arena count from `malloc_info`.
//!
//! These are the nearest things a Rust program on Linux has to Go's
//! `debug.SetGCPercent` and `runtime.GC()`: process-wide settings of the
//! allocator every `Box` and `Vec` goes through (`std::alloc::System`). Most
//! are also read from the environment when malloc starts
//! (`MALLOC_ARENA_MAX`, `GLIBC_TUNABLES=glibc.malloc.trim_threshold=…`), so
//! every experiment that changes one runs in a child process.
//!
//! Not for: jemalloc and mimalloc ([`super::allocators`]).

/// `M_TRIM_THRESHOLD`: free memory at the top of the heap above this many
/// bytes is given back to the OS at `free`.
pub const M_TRIM_THRESHOLD: i32 = -1;
/// `M_MMAP_THRESHOLD`: requests of at least this many bytes get a mapping
/// of their own, unmapped again at `free`.
pub const M_MMAP_THRESHOLD: i32 = -3;
/// `M_ARENA_MAX`: the most arenas (heaps with their own lock) glibc creates.
pub const M_ARENA_MAX: i32 = -8;

/// What `mallinfo2` reports, in bytes.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize,
)]
pub struct HeapInfo {
    /// Bytes in use (`uordblks` + `hblkhd`).
    pub in_use: u64,
    /// Free bytes glibc holds in its arenas (`fordblks`).
    pub free_held: u64,
    /// Of those, what `malloc_trim` could release from the heap top (`keepcost`).
    pub top_releasable: u64,
}

/// Sets a `mallopt` parameter; `false` when glibc refuses it.
pub fn mallopt(param: i32, value: i32) -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt takes two ints, touches only malloc's own state and
        // is thread-safe (it takes every arena's lock).
        unsafe { libc::mallopt(param, value) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = (param, value);
        false
    }
}

// ANCHOR: trim
/// `malloc_trim(0)`: gives every free page of every arena back to the OS
/// (`madvise(MADV_DONTNEED)` inside the heap, `sbrk` shrink at its top).
/// Each arena is locked while it is walked. `true` if memory was released.
pub fn malloc_trim() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim takes a padding size and only changes malloc's
        // own state, under its locks.
        unsafe { libc::malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}
// ANCHOR_END: trim

/// `mallinfo2()`: glibc's statistics. Like Go's `ReadMemStats`, it is not
/// free: it locks each arena in turn and walks its free lists.
pub fn mallinfo2() -> Option<HeapInfo> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallinfo2 returns a struct by value and only reads malloc's
        // state under its locks (glibc ≥ 2.33, which the workbook requires).
        let m = unsafe { libc::mallinfo2() };
        Some(HeapInfo {
            in_use: (m.uordblks + m.hblkhd) as u64,
            free_held: m.fordblks as u64,
            top_releasable: m.keepcost as u64,
        })
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        None
    }
}

/// The XML `malloc_info(0, …)` writes: one `<heap nr="…">` per arena.
pub fn malloc_info_xml() -> Option<String> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let mut buf: *mut libc::c_char = std::ptr::null_mut();
        let mut len: libc::size_t = 0;
        // SAFETY: open_memstream stores a malloc'd buffer pointer and its
        // length in the two out-parameters, which live until we read them.
        let stream = unsafe { libc::open_memstream(&mut buf, &mut len) };
        if stream.is_null() {
            return None;
        }
        // SAFETY: `stream` is a valid FILE* until fclose below.
        let ok = unsafe { libc::malloc_info(0, stream) } == 0;
        // SAFETY: closing the stream flushes it into `buf`/`len`; it is not
        // used afterwards.
        unsafe { libc::fclose(stream) };
        if buf.is_null() {
            return None;
        }
        // SAFETY: after fclose, `buf` points to `len` initialised bytes that
        // open_memstream allocated with malloc.
        let bytes = unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), len) };
        let text = String::from_utf8_lossy(bytes).into_owned();
        // SAFETY: the buffer came from malloc (open_memstream) and is freed once.
        unsafe { libc::free(buf.cast()) };
        ok.then_some(text)
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        None
    }
}

// ANCHOR: count_arenas
/// Arenas in a `malloc_info` document: its `<heap nr="…">` elements.
pub fn count_arenas(malloc_info: &str) -> usize {
    malloc_info.matches("<heap nr=").count()
}
// ANCHOR_END: count_arenas

/// The arenas glibc has created in this process so far.
pub fn arenas() -> Option<usize> {
    malloc_info_xml().map(|x| count_arenas(&x))
}

/// Where the operator sets glibc's arena limit for a process: the
/// environment variables glibc reads when malloc starts.
pub const ARENA_ENV: [&str; 2] = ["MALLOC_ARENA_MAX", "GLIBC_TUNABLES"];

/// The arena limit the operator gave this process in its environment, if any:
/// `MALLOC_ARENA_MAX=n`, or `glibc.malloc.arena_max=n` in `GLIBC_TUNABLES`.
/// `lookup` reads a variable (e.g. `|k| std::env::var(k).ok()`).
pub fn operator_arena_max(lookup: impl Fn(&str) -> Option<String>) -> Option<u32> {
    if let Some(n) = lookup("MALLOC_ARENA_MAX").and_then(|v| v.trim().parse().ok()) {
        return Some(n);
    }
    lookup("GLIBC_TUNABLES")?
        .split(':')
        .find_map(|kv| kv.strip_prefix("glibc.malloc.arena_max="))
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arenas_are_counted_from_heap_elements() {
        let xml = "<malloc version=\"1\">\n<heap nr=\"0\">\n<sizes>\n</sizes>\n</heap>\n\
                   <heap nr=\"1\">\n</heap>\n<total type=\"fast\" count=\"0\"/>\n</malloc>\n";
        assert_eq!(count_arenas(xml), 2);
        assert_eq!(count_arenas("<malloc version=\"1\"></malloc>"), 0);
    }

    #[test]
    fn the_operator_sets_the_limit_in_either_variable() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        assert_eq!(operator_arena_max(env(&[("MALLOC_ARENA_MAX", "1")])), Some(1));
        assert_eq!(
            operator_arena_max(env(&[(
                "GLIBC_TUNABLES",
                "glibc.malloc.trim_threshold=1:glibc.malloc.arena_max=2"
            )])),
            Some(2)
        );
        assert_eq!(operator_arena_max(env(&[("GLIBC_TUNABLES", "x=1")])), None);
        assert_eq!(operator_arena_max(env(&[])), None);
    }

    #[test]
    fn this_process_has_at_least_one_arena() {
        if cfg!(all(target_os = "linux", target_env = "gnu")) {
            assert!(arenas().unwrap() >= 1);
            let info = mallinfo2().unwrap();
            assert!(info.in_use > 0);
        }
    }
}
