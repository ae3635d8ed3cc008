//! The chapter's checks, one per ledger id: claims about whether pooling
//! pays (`worth`), claims about the seeds' pool code (`code`), and the seed
//! defects (`defects`). Every verdict follows from figures measured in the
//! same run, except "unverifiable" and "not applicable", which carry their
//! reason.

mod code;
mod defects;
mod worth;

pub(super) use code::*;
pub(super) use defects::*;
pub(super) use worth::*;

type CheckResult = Result<crate::claims::Finding, crate::claims::CheckError>;
