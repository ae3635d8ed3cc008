//! Faithful ports of the seeds' monitoring code, defects included, one file
//! per seed, and the fixes they are measured beside ([`fixes`]).
//!
//! A port reproduces the *mechanism* of each defect in safe Rust: a Go map
//! is a shared reference (`Arc<Mutex<HashMap>>`), a Go channel keeps Go's
//! rules ([`gochan::GoChan`]: closing twice panics, a receive on an open,
//! empty channel blocks forever), a goroutine is a named thread that holds
//! the monitor alive. Where the Go code's defect cannot be written in safe
//! Rust at all (a shallow copy read outside its lock, a call to a method
//! that does not exist), the port is a `rustc` snippet under
//! `src/monitoring/snippets/` and the check records its error code.
//!
//! Instrumentation the seeds do not have (an exporter to count exports, the
//! time of each collection) is marked as such; it observes, it changes no
//! behaviour.

pub mod fixes;
pub mod gochan;
pub mod seed_000;
pub mod seed_001;
