//! stub
use crate::claims::Check;
/// Checks.
pub const CHECKS: &[Check] = &[];
