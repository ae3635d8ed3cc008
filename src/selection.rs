//! What to run: a [`Selection`] of chapters, claims and kinds, resolved once
//! from the command line. Chapters are `&'static Chapter`s and claims ledger
//! entries, so a misspelled slug or id is an error before anything runs, and
//! `--list`, the run, the Go side and the Markdown page's command line all
//! ask the same [`Selection::admits`].

use crate::chapters::{self, CHAPTERS, Chapter};
use crate::claims::render::Only;
use crate::claims::{self, ClaimInfo};

/// Which claims to run or list.
#[derive(Clone, Debug)]
pub struct Selection {
    /// Only these chapters (all when empty).
    pub chapters: Vec<&'static Chapter>,
    /// Only these claims (all when empty).
    pub claims: Vec<&'static ClaimInfo>,
    /// Claims, defects, or both.
    pub only: Only,
}

impl Default for Selection {
    fn default() -> Self {
        Self { chapters: Vec::new(), claims: Vec::new(), only: Only::All }
    }
}

impl Selection {
    /// Every claim of every chapter.
    pub fn all() -> Self {
        Self::default()
    }

    /// Every claim of one chapter.
    pub fn chapter(chapter: &'static Chapter) -> Self {
        Self { chapters: vec![chapter], ..Self::default() }
    }

    /// Whether any claim of `ch` can be admitted.
    pub fn admits_chapter(&self, ch: &Chapter) -> bool {
        self.chapters.is_empty() || self.chapters.iter().any(|c| c.slug == ch.slug)
    }

    /// Whether `claim` is selected: its chapter, its id and its kind.
    pub fn admits(&self, claim: &ClaimInfo) -> bool {
        let chapter_ok = self.chapters.is_empty()
            || self.chapters.iter().any(|c| c.slug == claim.chapter);
        let claim_ok =
            self.claims.is_empty() || self.claims.iter().any(|c| c.id == claim.id);
        chapter_ok && claim_ok && self.only.admits(claim)
    }

    /// The command-line arguments that make this selection, e.g.
    /// ` --chapter mmap --only defects`.
    pub fn arguments(&self) -> String {
        let mut out = String::new();
        for c in &self.chapters {
            out.push_str(&format!(" --chapter {}", c.slug));
        }
        for c in &self.claims {
            out.push_str(&format!(" --claim {}", c.id));
        }
        match self.only {
            Only::All => {}
            Only::Claims => out.push_str(" --only claims"),
            Only::Defects => out.push_str(" --only defects"),
        }
        out
    }
}

/// `--chapter` as clap parses it: a slug of [`CHAPTERS`].
pub fn parse_chapter(slug: &str) -> Result<&'static Chapter, String> {
    chapters::chapter(slug).ok_or_else(|| {
        let known: Vec<&str> = CHAPTERS.iter().map(|c| c.slug).collect();
        format!("unknown chapter {slug:?} (known: {})", known.join(", "))
    })
}

/// `--claim` as clap parses it: a ledger id whose chapter this book has.
pub fn parse_claim(id: &str) -> Result<&'static ClaimInfo, String> {
    let c = claims::claim(id)
        .ok_or_else(|| format!("unknown claim {id:?} (see `workbook --list`)"))?;
    if chapters::chapter(c.chapter).is_none() {
        return Err(format!(
            "claim {id} belongs to a chapter this book does not have yet ({})",
            c.chapter
        ));
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selection_admits_by_chapter_claim_and_kind() {
        let mmap = parse_chapter("mmap").unwrap();
        let mut sel = Selection::chapter(mmap);
        let d = claims::ledger().iter().find(|c| c.chapter == "mmap" && c.is_defect());
        let c = claims::ledger().iter().find(|c| c.chapter == "mmap" && !c.is_defect());
        let (d, c) = (d.unwrap(), c.unwrap());
        assert!(sel.admits(d) && sel.admits(c));
        sel.only = Only::Claims;
        assert!(!sel.admits(d) && sel.admits(c));
        assert_eq!(sel.arguments(), " --chapter mmap --only claims");
        let other = claims::ledger().iter().find(|c| c.chapter == "pools").unwrap();
        assert!(!sel.admits(other));
    }

    #[test]
    fn unknown_slugs_and_ids_are_one_line_errors() {
        let e = parse_chapter("nope").unwrap_err();
        assert!(e.contains("unknown chapter \"nope\"") && !e.contains('\n'), "{e}");
        assert!(parse_claim("C999-99").unwrap_err().contains("unknown claim"));
        assert!(parse_claim("C004-01").is_ok());
    }
}
