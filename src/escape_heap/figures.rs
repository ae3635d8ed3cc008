//! Every measurement of the chapter, taken once per run and size (`PerRun`)
//! and read by both the example's tables (`tables.rs`) and the claim checks
//! (`checks/`), so the page never shows two numbers for one fact.
//!
//! Counts come from the counting allocator, which the binary must install
//! (`perf_workbook::count_allocations!()`: the `workbook` CLI, the example
//! and the tests do); timings are medians of interleaved batches
//! (`measure::ns_per_call`), sized by [`crate::claims::Ctx::pick`].
//!
//! Not here: deciding anything (the checks' rules do), or laying out tables.
//!
//! | file | measures |
//! |---|---|
//! | `figures/common.rs` | the once-per-run cache, `count`, the seeds' sizes |
//! | `figures/escape.rs` | the escape cases, alignment, `MemoryLayout`; what LLVM deletes |
//! | `figures/strings.rs` | `Vec` fills, string builders, the cut of C003-18, D53's port |
//! | `figures/retention.rs` | heads of a large buffer, `drop` and RSS; context values |
//! | `figures/values.rs` | list drops (and their crash in children); points; large values |
//! | `figures/ports.rs` | the race fixes; rustc on every port |

mod common;
mod escape;
mod ports;
mod retention;
mod strings;
mod values;

pub use escape::*;
pub use ports::*;
pub use retention::*;
pub use strings::*;
pub use values::*;

pub use common::{ESTIMATE, Figure, HEAD, ITEM_LEN, ITEMS, MIB, SEED_LEN, count};
