//! Who sets the knobs: the operator, from the environment, or code that runs
//! before the program's own (seed 003's `init()`, D59).
//!
//! glibc reads `MALLOC_ARENA_MAX` (or `GLIBC_TUNABLES`) when malloc starts;
//! a `mallopt(M_ARENA_MAX, …)` that runs later still wins, because glibc
//! counts its arenas against the limit only when a thread first needs one.
//! The arena count after eight threads have allocated at once shows who won.
//!
//! The fix is [`binary_default`]: the binary (never a library) picks a
//! default only when the operator gave none.

use super::glibc;
use std::sync::{Arc, Barrier};

/// What runs before the threads start.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum InitStyle {
    /// Nothing: the operator's environment alone.
    Nothing,
    /// seed 003's `init()` port: hard-coded knobs ([`super::seed_port::seed_init`]).
    SeedInit,
    /// The fix: [`binary_default`].
    BinaryDefault,
}

impl InitStyle {
    /// How the table names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Nothing => "no start-up code",
            Self::SeedInit => "seed's init() port: mallopt(M_ARENA_MAX, 8)",
            Self::BinaryDefault => "fix: default only if the operator set none",
        }
    }
}

/// The arena limit the binary would like when the operator says nothing.
pub const BINARY_ARENAS: u32 = 8;

// ANCHOR: binary_default
/// The fix for D59: apply the binary's default arena limit only if the
/// operator set none. Returns the limit in force and who chose it.
pub fn binary_default(lookup: impl Fn(&str) -> Option<String>) -> (u32, &'static str) {
    match glibc::operator_arena_max(lookup) {
        Some(n) => (n, "operator"),
        None => {
            glibc::mallopt(glibc::M_ARENA_MAX, BINARY_ARENAS as i32);
            (BINARY_ARENAS, "binary")
        }
    }
}
// ANCHOR_END: binary_default

/// What one arena child is asked to do.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct ArenaPlan {
    /// What runs first.
    pub init: InitStyle,
    /// Whether the child starts with `MALLOC_ARENA_MAX=1` (the operator).
    pub operator_one: bool,
    /// Threads that allocate at the same time.
    pub threads: usize,
}

impl ArenaPlan {
    /// The child's environment.
    pub fn env(&self) -> &'static [(&'static str, &'static str)] {
        if self.operator_one { &[("MALLOC_ARENA_MAX", "1")] } else { &[] }
    }
}

/// What an arena child saw.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ArenaReport {
    /// What it ran.
    pub plan: ArenaPlan,
    /// Arenas once every thread had allocated.
    pub arenas: usize,
}

// ANCHOR: run_arenas
/// Runs `plan.init`, then starts `plan.threads` threads that each allocate
/// and wait until all have, and counts glibc's arenas.
pub fn run_arenas(plan: &ArenaPlan) -> Result<ArenaReport, String> {
    match plan.init {
        InitStyle::Nothing => {}
        InitStyle::SeedInit => super::seed_port::seed_init(),
        InitStyle::BinaryDefault => drop(binary_default(|k| std::env::var(k).ok())),
    }
    let all = Arc::new(Barrier::new(plan.threads + 1));
    let counted = Arc::new(Barrier::new(plan.threads + 1));
    let handles: Vec<_> = (0..plan.threads)
        .map(|_| {
            let (all, counted) = (Arc::clone(&all), Arc::clone(&counted));
            std::thread::spawn(move || {
                let v = std::hint::black_box(vec![1u8; 4000]); // picks this thread's arena
                all.wait();
                counted.wait();
                drop(v);
            })
        })
        .collect();
    all.wait();
    let arenas = glibc::arenas();
    counted.wait();
    for h in handles {
        h.join().map_err(|_| "an allocating thread panicked")?;
    }
    Ok(ArenaReport { plan: *plan, arenas: arenas.ok_or("malloc_info is glibc-only")? })
}
// ANCHOR_END: run_arenas
