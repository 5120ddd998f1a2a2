//! A branch's AI provenance, for reviewers (`git vouch log`, the explorer's Branch view): each
//! commit of a range with its sessions, agent, models, tokens and cost, and the state of its
//! attestation in the one vocabulary of [`AttestationState`] (reviewed, unreviewed, unsigned,
//! untrusted, invalid), with who reviewed kept apart from who only signed.
//!
//! What a commit says comes from its verified attestation when it has one (that evidence travels
//! with the repository, so a fresh clone sees it), otherwise from this clone's own capture data
//! (`source: local`), which is only as good as the machine it was built on.

pub mod blame;
mod collect;
pub mod diff;
pub mod hunks;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::attest::standing::{AttestationState, StateCounts, account};

pub use collect::{LogError, branch_log, log_of_range};

/// The JSON schema name of `git vouch log --json`.
pub const LOG_SCHEMA: &str = "git-vouch/log@1";

/// The provenance of a range.
#[derive(Debug, Clone, Serialize)]
pub struct BranchLog {
    pub schema: &'static str,
    pub range: String,
    pub base: Option<String>,
    pub tip: String,
    /// The checked-out branch's name, when the range is the current branch.
    pub branch: Option<String>,
    /// The branch `base` was taken from (`origin/main`), when the range names one revision.
    pub base_ref: Option<String>,
    /// Newest first, like `git log`.
    pub commits: Vec<CommitEntry>,
    pub totals: LogTotals,
    pub warnings: Vec<String>,
}

/// One commit.
#[derive(Debug, Clone, Serialize)]
pub struct CommitEntry {
    pub sha: String,
    pub subject: String,
    pub author: String,
    pub committed_at: DateTime<Utc>,
    pub attestation: Attestation,
    /// Where the sessions below come from: `attestation`, `local`, or `none`.
    pub source: &'static str,
    pub sessions: Vec<SessionEntry>,
    pub lines_added: u64,
    pub ai_lines_added: u64,
    /// The policy summary recorded in the evidence (`3 policies: 2 passed, …`), if checked.
    pub policy_summary: Option<String>,
    /// Policy violations of this commit's sessions and of its whole push: `policy: message`.
    pub policies: Vec<String>,
    /// For a commit with no attestation of its own: the attested changes it repeats (a squash
    /// or rebase merge on a forge). When all its files do, `attestation` is theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carried: Option<crate::attest::lineage::Carried>,
    /// What the reviewers' hunk-by-hunk reviews covered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hunk_reviews: Vec<crate::attest::hunk_review::HunkReview>,
    /// Each verified attestation of the commit: who signed it, when, and the sha256 of the
    /// statement it signed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<SignedStatement>,
    /// The evidence of this commit's sessions (attested, or this clone's own), for reports.
    #[serde(skip)]
    pub session_evidence: Vec<crate::evidence::SessionEvidence>,
    /// What redaction removed from the evidence document this commit's sessions come from.
    #[serde(skip)]
    pub redactions: std::collections::BTreeMap<String, u64>,
}

/// One verified attestation of a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedStatement {
    /// Its line in the commit's note.
    pub line: usize,
    pub signer: String,
    pub key_fingerprint: String,
    pub signed_at: DateTime<Utc>,
    pub reviewed_by_person: bool,
    /// The sha256 of the in-toto statement (the DSSE payload) that was signed.
    pub statement_sha256: String,
}

impl CommitEntry {
    /// Where the commit stands, in words: `reviewed by bob@x (via squash of 3 attested
    /// commits)`, or what part of it repeats attested changes.
    /// Then what its hunk-by-hunk reviews covered (`; 42 of 42 agent hunks read by bob@x`).
    pub fn standing(&self) -> String {
        let mut out = match &self.carried {
            Some(c) if c.complete() => format!("{} ({})", self.attestation.summary(), c.via()),
            Some(c) => format!("{}; {}", self.attestation.summary(), c.partial()),
            None => self.attestation.summary(),
        };
        for r in &self.hunk_reviews {
            out.push_str("; ");
            out.push_str(&r.sentence());
        }
        out
    }
}

/// Each session of `commits` once, with the commit it is described by: a commit whose evidence
/// is attested wins over one described by local data (signed figures over this clone's), else
/// the newest. In the order first met, newest commit first.
pub fn unique_sessions(commits: &[CommitEntry]) -> Vec<(&SessionEntry, &CommitEntry)> {
    let mut out: Vec<(&SessionEntry, &CommitEntry)> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for c in commits {
        for s in &c.sessions {
            match at.get(s.id.as_str()) {
                Some(&i) if out[i].1.source != "attestation" && c.source == "attestation" => {
                    out[i] = (s, c);
                }
                Some(_) => {}
                None => {
                    at.insert(&s.id, out.len());
                    out.push((s, c));
                }
            }
        }
    }
    out
}

/// The attestation state of a commit; `state` is the [`AttestationState`] word. `signers` are
/// every trusted signer of the commit's verified attestations, `reviewers` those whose signed
/// attestation says a person reviewed (a hook or `git vouch attest` signs as not reviewed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Attestation {
    /// Verified, and a person reviewed it before signing; `note` and `signed_at` are those of the
    /// reviewed attestation.
    Reviewed {
        signers: Vec<String>,
        reviewers: Vec<String>,
        note: Option<String>,
        signed_at: Option<String>,
    },
    /// Verified, signed by a hook or `git vouch attest` without a person reviewing it
    /// (`reviewers` is empty).
    Unreviewed {
        signers: Vec<String>,
        reviewers: Vec<String>,
        signed_at: Option<String>,
    },
    Unsigned,
    /// Signed by a key the allowed signers do not trust.
    Untrusted {
        reason: String,
    },
    /// Broken or tampered with.
    Invalid {
        reason: String,
    },
}

impl Attestation {
    /// A short account: `reviewed by bob@x (also signed by ci@x)`, `unsigned`.
    pub fn summary(&self) -> String {
        let none: &[String] = &[];
        let (reviewers, signers, reason) = match self {
            Self::Reviewed {
                signers, reviewers, ..
            }
            | Self::Unreviewed {
                signers, reviewers, ..
            } => (reviewers.as_slice(), signers.as_slice(), ""),
            Self::Unsigned => (none, none, ""),
            Self::Untrusted { reason } | Self::Invalid { reason } => (none, none, reason.as_str()),
        };
        account(self.state(), reviewers, signers, reason)
    }

    /// Its one word, as in the explorer's list and `git vouch verify`.
    pub fn state(&self) -> AttestationState {
        match self {
            Self::Reviewed { .. } => AttestationState::Reviewed,
            Self::Unreviewed { .. } => AttestationState::Unreviewed,
            Self::Unsigned => AttestationState::Unsigned,
            Self::Untrusted { .. } => AttestationState::Untrusted,
            Self::Invalid { .. } => AttestationState::Invalid,
        }
    }
}

/// A session behind a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionEntry {
    pub id: String,
    pub agent: String,
    pub agent_version: String,
    pub title: Option<String>,
    pub models: Vec<String>,
    pub total_tokens: u64,
    /// Exact decimal dollars; `None` when a model's price is unknown.
    pub cost_usd: Option<String>,
    /// Its health (0–100) and grade, from the evidence's findings (`None`: not computed).
    pub health: Option<u32>,
    pub grade: Option<String>,
    /// How many findings (`git vouch insights`), the most severe first in the evidence.
    pub findings: usize,
}

/// Totals over the range; sessions count once however many commits they made.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogTotals {
    pub commits: usize,
    pub agent_commits: usize,
    pub sessions: usize,
    pub total_tokens: u64,
    pub cost_usd: String,
    /// Whether some session's cost is unknown (the total is then a lower bound).
    pub cost_incomplete: bool,
    /// Commits in each attestation state; every commit is in exactly one.
    pub reviewed: usize,
    pub unreviewed: usize,
    pub unsigned: usize,
    pub invalid: usize,
    pub untrusted: usize,
}

impl LogTotals {
    /// The state counts, for `1 reviewed · 1 untrusted`.
    pub fn states(&self) -> StateCounts {
        let mut counts = StateCounts::default();
        for (state, n) in [
            (AttestationState::Reviewed, self.reviewed),
            (AttestationState::Unreviewed, self.unreviewed),
            (AttestationState::Unsigned, self.unsigned),
            (AttestationState::Untrusted, self.untrusted),
            (AttestationState::Invalid, self.invalid),
        ] {
            counts.set(state, n);
        }
        counts
    }
}
