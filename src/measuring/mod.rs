//! (being written)
use crate::claims::Check;
use crate::measure::child::ChildMode;
/// Claim checks.
pub const CHECKS: &[Check] = &[];
/// Child modes.
pub const CHILD_MODES: &[ChildMode] = &[];
