//! Hunk-by-hunk review: what a person marked on each hunk the agents wrote in what is signed
//! (read, flagged with a comment, skipped, or not marked), as the signed review block records it
//! (`review.hunks`), and how much of the agent-written code that covers ("42 of 42 agent hunks
//! read by alice"). Each hunk is named by its file, its header and the sha256 of its content, so
//! a mark cannot be moved to other code without breaking the signature.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::redact::{Counts, Redactor};

/// What the reviewer did with one agent hunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HunkMark {
    /// Read it.
    Read,
    /// Read it and has a concern, said in the comment.
    Flagged,
    /// Chose not to read it.
    Skipped,
    /// Did not get to it.
    Unmarked,
}

impl HunkMark {
    /// The one word for the mark, everywhere it is shown.
    pub fn label(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Flagged => "flagged",
            Self::Skipped => "skipped",
            Self::Unmarked => "unmarked",
        }
    }
}

/// One agent hunk with its mark, as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkedHunk {
    /// The file, relative to the repository's top.
    pub file: String,
    /// The hunk's header (`@@ -12,4 +12,9 @@`).
    pub header: String,
    /// sha256 of the file's path and the hunk's removed, added and context lines.
    pub digest: String,
    /// The agent sessions that wrote its added lines.
    pub sessions: Vec<String>,
    pub mark: HunkMark,
    /// The reviewer's comment (a flagged hunk has one), redacted before signing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// How many agent hunks got each mark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HunkCoverage {
    pub agent_hunks: usize,
    pub read: usize,
    pub flagged: usize,
    pub skipped: usize,
    pub unmarked: usize,
}

impl HunkCoverage {
    pub fn of(hunks: &[MarkedHunk]) -> Self {
        let count = |m: HunkMark| hunks.iter().filter(|h| h.mark == m).count();
        Self {
            agent_hunks: hunks.len(),
            read: count(HunkMark::Read),
            flagged: count(HunkMark::Flagged),
            skipped: count(HunkMark::Skipped),
            unmarked: count(HunkMark::Unmarked),
        }
    }

    /// Hunks looked at: read or flagged (a flag is a reading with a concern).
    pub fn looked_at(&self) -> usize {
        self.read + self.flagged
    }

    /// Every agent hunk carries a mark.
    pub fn complete(&self) -> bool {
        self.unmarked == 0
    }

    /// `42 of 42 agent hunks read by alice@x`, then what was flagged, skipped or left.
    pub fn sentence(&self, by: &str) -> String {
        let mut out = format!(
            "{} of {} agent {} read by {by}",
            self.looked_at(),
            self.agent_hunks,
            if self.agent_hunks == 1 {
                "hunk"
            } else {
                "hunks"
            }
        );
        let rest: Vec<String> = [
            (self.flagged, "flagged"),
            (self.skipped, "skipped"),
            (self.unmarked, "unmarked"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
        if !rest.is_empty() {
            out.push_str(" (");
            out.push_str(&rest.join(", "));
            out.push(')');
        }
        out
    }
}

/// A signed hunk review: who signed it and what it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HunkReview {
    pub by: String,
    #[serde(flatten)]
    pub coverage: HunkCoverage,
}

impl HunkReview {
    pub fn sentence(&self) -> String {
        self.coverage.sentence(&self.by)
    }
}

/// The hunks a signed predicate's review block marks (`None`: no hunk review was done; a block
/// that does not parse counts as none).
pub fn hunks_in(predicate: &Value) -> Option<Vec<MarkedHunk>> {
    let hunks = predicate.pointer("/review/hunks")?;
    serde_json::from_value(hunks.clone()).ok()
}

/// The hunks as the review block records them: comments redacted, what redaction found counted.
pub fn redacted(hunks: &[MarkedHunk], redactor: &Redactor, counts: &mut Counts) -> Vec<MarkedHunk> {
    hunks
        .iter()
        .map(|h| MarkedHunk {
            comment: h
                .comment
                .as_deref()
                .map(|c| redactor.redact(c, counts).into_owned()),
            ..h.clone()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hunk(mark: HunkMark) -> MarkedHunk {
        MarkedHunk {
            file: "src/a.rs".into(),
            header: "@@ -1,2 +1,3 @@".into(),
            digest: "0".repeat(64),
            sessions: vec!["s1".into()],
            mark,
            comment: (mark == HunkMark::Flagged).then(|| "why unwrap?".into()),
        }
    }

    #[test]
    fn coverage_counts_every_mark_and_says_it_in_one_sentence() {
        let all = [HunkMark::Read, HunkMark::Read, HunkMark::Flagged];
        let c = HunkCoverage::of(&all.map(hunk));
        assert_eq!(
            c.sentence("alice"),
            "3 of 3 agent hunks read by alice (1 flagged)"
        );
        assert!(c.complete());
        let some = [HunkMark::Read, HunkMark::Skipped, HunkMark::Unmarked];
        let c = HunkCoverage::of(&some.map(hunk));
        assert_eq!(
            c.sentence("bob"),
            "1 of 3 agent hunks read by bob (1 skipped, 1 unmarked)"
        );
        assert!(!c.complete());
        assert_eq!(
            HunkCoverage::of(&[hunk(HunkMark::Read)]).sentence("c"),
            "1 of 1 agent hunk read by c"
        );
    }

    #[test]
    fn the_review_block_round_trips_and_a_broken_one_is_none() {
        let hunks = vec![hunk(HunkMark::Flagged), hunk(HunkMark::Skipped)];
        let predicate = json!({"review": {"hunks": hunks}});
        assert_eq!(hunks_in(&predicate), Some(hunks));
        assert_eq!(hunks_in(&json!({"review": {"note": null}})), None);
        assert_eq!(
            hunks_in(&json!({"review": {"hunks": [{"mark": "glanced"}]}})),
            None
        );
    }

    #[test]
    fn comments_are_redacted_before_signing() {
        let mut h = hunk(HunkMark::Flagged);
        h.comment = Some("key AKIAIOSFODNN7EXAMPLE leaked".into());
        let mut counts = Counts::new();
        let out = redacted(
            &[h],
            &Redactor::new(crate::redact::RedactOptions::default()),
            &mut counts,
        );
        let c = out[0].comment.as_deref().unwrap();
        assert!(!c.contains("AKIAIOSFODNN7EXAMPLE"), "{c}");
        assert!(!counts.is_empty());
    }
}
