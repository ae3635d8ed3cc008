//! The registry: every chapter of the book, in order, with the claim checks
//! and child-process modes it registers. The CLI, the examples and the tests
//! all find chapters here, and nowhere else.
//!
//! A chapter whose `checks` is empty is not written yet: the CLI lists its
//! claims as pending and shows no verdict for them.

use crate::claims::{self, Check, ClaimInfo};
use crate::measure::child::{self, ChildMode};

/// A chapter of the book.
#[derive(Debug)]
pub struct Chapter {
    /// Position in the book (0 = "Measuring honestly").
    pub number: u8,
    /// The slug that names its module, example, bench, test and page.
    pub slug: &'static str,
    /// The title in the book.
    pub title: &'static str,
    /// Its claim checks, one per ledger id it owns.
    pub checks: &'static [Check],
    /// Code its checks run in a child process.
    pub child_modes: &'static [ChildMode],
}

impl Chapter {
    /// The ledger entries this chapter owns.
    pub fn claims(&self) -> impl Iterator<Item = &'static ClaimInfo> + '_ {
        claims::ledger().iter().filter(move |c| c.chapter == self.slug)
    }

    /// True once the chapter registers its checks.
    pub fn is_written(&self) -> bool {
        !self.checks.is_empty()
    }

    /// The check registered for `id`.
    pub fn check(&self, id: &str) -> Option<&'static Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// Every chapter, in book order.
pub const CHAPTERS: &[Chapter] = &[
    Chapter {
        number: 0,
        slug: "measuring",
        title: "Measuring honestly",
        checks: crate::measuring::CHECKS,
        child_modes: crate::measuring::CHILD_MODES,
    },
    Chapter {
        number: 1,
        slug: "zero_copy",
        title: "Zero-copy I/O",
        checks: crate::zero_copy::CHECKS,
        child_modes: crate::zero_copy::CHILD_MODES,
    },
    Chapter {
        number: 2,
        slug: "struct_layout",
        title: "Struct layout",
        checks: crate::struct_layout::CHECKS,
        child_modes: crate::struct_layout::CHILD_MODES,
    },
    Chapter {
        number: 3,
        slug: "escape_heap",
        title: "Escape and heap behavior",
        checks: crate::escape_heap::CHECKS,
        child_modes: crate::escape_heap::CHILD_MODES,
    },
    Chapter {
        number: 4,
        slug: "pools",
        title: "Pools",
        checks: crate::pools::CHECKS,
        child_modes: crate::pools::CHILD_MODES,
    },
    Chapter {
        number: 5,
        slug: "mark_sweep",
        title: "Tri-color mark-sweep",
        checks: crate::mark_sweep::CHECKS,
        child_modes: crate::mark_sweep::CHILD_MODES,
    },
    Chapter {
        number: 6,
        slug: "lock_free_ring",
        title: "Lock-free ring",
        checks: crate::lock_free_ring::CHECKS,
        child_modes: crate::lock_free_ring::CHILD_MODES,
    },
    Chapter {
        number: 7,
        slug: "mmap",
        title: "mmap and large buffers",
        checks: crate::mmap::CHECKS,
        child_modes: crate::mmap::CHILD_MODES,
    },
    Chapter {
        number: 9,
        slug: "worker_pools",
        title: "Worker pools, batching and async I/O",
        checks: crate::worker_pools::CHECKS,
        child_modes: crate::worker_pools::CHILD_MODES,
    },
];

/// The chapter called `slug`.
pub fn chapter(slug: &str) -> Option<&'static Chapter> {
    CHAPTERS.iter().find(|c| c.slug == slug)
}

/// What the registry says of a claim id: whether its check is static, and its
/// rule (for reading a saved report back, see [`claims::saved`]).
pub fn lookup(id: &str) -> (bool, Option<&'static claims::Rule>) {
    CHAPTERS
        .iter()
        .find_map(|ch| ch.check(id))
        .map_or((false, None), |c| (c.is_static(), c.rule()))
}

/// Every child mode of every chapter.
pub fn child_modes() -> Vec<ChildMode> {
    CHAPTERS.iter().flat_map(|c| c.child_modes.iter().copied()).collect()
}

/// Call first thing in `main` of any binary that runs claim checks: if this
/// process is a child started by a check, runs its mode and exits.
pub fn dispatch_child() {
    if std::env::var_os(child::CHILD_ENV).is_some() {
        child::dispatch(&child_modes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_numbers_are_unique_and_in_order() {
        // Book order: numbers strictly increase. A gap is allowed while
        // chapters written in parallel (8, 10) are merged separately.
        for (i, c) in CHAPTERS.iter().enumerate() {
            assert!(c.number as usize >= i, "{}", c.slug);
            if i > 0 {
                assert!(c.number > CHAPTERS[i - 1].number, "{}", c.slug);
            }
            assert!(c.slug.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'));
        }
        let mut slugs: Vec<_> = CHAPTERS.iter().map(|c| c.slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), CHAPTERS.len());
    }

    #[test]
    fn every_check_is_a_ledger_claim_of_its_own_chapter() {
        for ch in CHAPTERS {
            for check in ch.checks {
                let info = claims::claim(check.id).unwrap_or_else(|| {
                    panic!("{}: {} is not in the ledger", ch.slug, check.id)
                });
                assert_eq!(
                    info.chapter, ch.slug,
                    "{} is registered by the wrong chapter",
                    check.id
                );
                assert_eq!(
                    ch.checks.iter().filter(|c| c.id == check.id).count(),
                    1,
                    "{} registered twice",
                    check.id
                );
            }
        }
    }

    #[test]
    fn a_written_chapter_checks_every_claim_it_owns() {
        for ch in CHAPTERS.iter().filter(|c| c.is_written()) {
            let missing: Vec<_> =
                ch.claims().filter(|c| ch.check(c.id).is_none()).map(|c| c.id).collect();
            assert!(missing.is_empty(), "{} has no check for {missing:?}", ch.slug);
        }
    }

    #[test]
    fn every_ledger_chapter_is_a_book_chapter_or_a_later_one() {
        for c in claims::ledger() {
            assert!(
                chapter(c.chapter).is_some() || c.chapter.starts_with("later-"),
                "{} names chapter {:?}",
                c.id,
                c.chapter
            );
        }
    }

    /// Every measured claim's rule is a pure function whose examples cover
    /// each outcome it reaches, and at least two (see `claims::rule`; the
    /// test `a_rule_that_reaches_one_outcome_is_rejected` there shows this
    /// failing on a deliberately constant rule).
    #[test]
    fn every_rule_verifies_on_its_examples() {
        let mut problems = Vec::new();
        let mut rules = 0;
        for ch in CHAPTERS {
            for check in ch.checks {
                if let Some(rule) = check.rule() {
                    rules += 1;
                    if let Err(e) = rule.verify() {
                        problems.push(format!("{} ({}): {e}", check.id, ch.slug));
                    }
                }
            }
        }
        assert!(
            problems.is_empty(),
            "{} of {rules} rules fail:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }

    /// Static checks are only "not applicable" or "unverifiable".
    #[test]
    fn static_checks_give_static_verdicts() {
        for ch in CHAPTERS {
            for check in ch.checks {
                if let crate::claims::How::Static { verdict, .. } = check.how {
                    let v = verdict();
                    assert!(
                        !crate::claims::Outcome::of(&v).is_measured(),
                        "{} is static but says {}",
                        check.id,
                        v.label(false)
                    );
                }
            }
        }
    }

    #[test]
    fn child_mode_names_are_unique() {
        let modes = child_modes();
        for m in &modes {
            assert_eq!(
                modes.iter().filter(|o| o.name == m.name).count(),
                1,
                "{}",
                m.name
            );
        }
    }
}
