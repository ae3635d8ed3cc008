//! Chapter 5, tri-color mark-sweep: a garbage collector to study, since Rust
//! has none.
//!
//! | file | what it is for |
//! |---|---|
//! | [`heap`] | the simulated heap: objects in an arena, colors beside them, stacks as roots |
//! | [`graphs`] | chains, cycles, random graphs and the large benchmark shapes |
//! | [`stw`] | stop-the-world mark-sweep with a gray worklist, and the BFS it is measured against |
//! | [`chase`] | pointer chases over a heap: the memory-level parallelism a marker works against |
//! | [`ground_truth`] | that collector against BFS and `H − Unreachable(H)` on random graphs |
//! | [`seed_port`] | seed 001's recursive marker, ported with its defects, and its crashing child modes |
//! | [`incremental`], [`barrier`] | incremental marking with selectable write barriers and root protocols |
//! | [`checker`] | the strong and weak tri-color invariants, reachable white objects, dangling references |
//! | [`mutator`] | mutator operations, the simulation driver, random workloads |
//! | [`scenarios`] | scripted interleavings that lose an object, and the configurations that do not |
//! | [`noscan`] | a large pointer-free block, not read (Go's noscan spans) or read word by word |
//! | [`pacing`] | GOGC and the memory limit over an allocation trace |
//! | [`paced`] | an incremental cycle paced by the clock: short steps, the collector at 25% |
//! | [`svg`] | frames, film strips and the pacing chart for the book |
//! | [`rust_side`] | what Rust does instead: ownership, `Rc` cycles, drop glue |
//! | [`figures`] | every measurement, once per run, shared by tables and checks |
//! | [`tables`] | what the example prints |
//! | [`checks`] | one check per ledger id, in ledger order |
//!
//! Not a garbage collector for Rust programs: objects are indices into an
//! arena and their "bytes" are numbers.

pub mod barrier;
pub mod chase;
pub mod checker;
pub mod checks;
pub mod figures;
pub mod graphs;
pub mod ground_truth;
pub mod heap;
pub mod incremental;
pub mod mutator;
pub mod noscan;
pub mod paced;
pub mod pacing;
pub mod rust_side;
pub mod scenarios;
pub mod seed_port;
pub mod stw;
pub mod svg;
pub mod tables;

pub use checks::CHECKS;
pub use seed_port::CHILD_MODES;
