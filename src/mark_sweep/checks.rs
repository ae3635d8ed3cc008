//! The chapter's claim checks.
use crate::claims::Check;
/// Claim checks.
pub const CHECKS: &[Check] = &[];
