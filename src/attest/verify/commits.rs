//! Verifying commits through their notes: each commit gets a report, whatever happens to the
//! others. A commit is verified when at least one attestation on it verifies (the bundle is
//! unauthenticated: lines can be added by anyone with push access, so a bad line next to a good
//! one is reported but does not undo it); unsigned when it has no attestation; otherwise
//! invalid or untrusted after its attestations. Its [`AttestationState`] adds whether a person
//! reviewed it: a verified signature alone is `unreviewed`.

use serde::Serialize;

use super::{Verdict, verify_line};
use crate::attest::allowed_signers::AllowedSigners;
use crate::attest::carry_over;
use crate::attest::hunk_review::{HunkCoverage, HunkReview, hunks_in};
use crate::attest::lineage::{Carried, Lineage};
use crate::attest::notes::{self, BundleLine, MAX_NOTE_BYTES, NotesError, parse_bundle};
use crate::attest::standing::{AttestationState, account};
use crate::attest::statement::Statement;
use crate::git::Git;

/// Whether one commit's signatures verify (`verify@1`'s `status`; its state is [`AttestationState`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitStatus {
    Verified,
    Unsigned,
    Invalid,
    Untrusted,
    /// A note is attached to an object id this repository does not have as a commit.
    UnknownCommit,
}

/// One attestation line and what verifying it gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineVerdict {
    /// 1-based line number in the note (0 for problems with the note as a whole).
    pub line: usize,
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// What verification found for one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitReport {
    pub commit: String,
    pub status: CommitStatus,
    /// The one word for where the commit stands (`reviewed`, `unreviewed`, …).
    pub state: AttestationState,
    /// Every trusted signer: who signed the verified attestations (allowed_signers principals),
    /// without repeats.
    pub signers: Vec<String>,
    /// The trusted signers whose verified attestation says a person reviewed the commit.
    pub reviewers: Vec<String>,
    pub attestations: Vec<LineVerdict>,
    /// For a commit with no attestation of its own: the attested changes it repeats (a squash or
    /// rebase merge); when all of its files do, it stands as they do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carried: Option<Carried>,
    /// What the verified attestations' hunk-by-hunk reviews covered, one per signer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hunk_reviews: Vec<HunkReview>,
}

impl CommitReport {
    pub fn is_verified(&self) -> bool {
        self.status == CommitStatus::Verified
    }

    /// A one-line account in the states' words: `reviewed by bob@x (also signed by ci@x)`,
    /// `unreviewed (signed by ci@x)`, `invalid: …`.
    /// Then what its hunk-by-hunk reviews covered: `; 42 of 42 agent hunks read by bob@x`.
    pub fn summary(&self) -> String {
        let mut out = self.standing();
        for r in &self.hunk_reviews {
            out.push_str("; ");
            out.push_str(&r.sentence());
        }
        out
    }

    fn standing(&self) -> String {
        if let Some(c) = &self.carried {
            return if c.complete() {
                format!(
                    "{} ({})",
                    account(self.state, &self.reviewers, &self.signers, ""),
                    c.via()
                )
            } else {
                format!("{}; {}", self.state.label(), c.partial())
            };
        }
        if self.status == CommitStatus::UnknownCommit {
            return "invalid: note for a commit this repository does not have".to_owned();
        }
        let reason = self
            .attestations
            .iter()
            .find_map(|a| match &a.verdict {
                Verdict::Invalid { reason } | Verdict::Untrusted { reason } => {
                    Some(reason.as_str())
                }
                Verdict::Verified { .. } => None,
            })
            .unwrap_or("");
        account(self.state, &self.reviewers, &self.signers, reason)
    }
}

/// Verifies the note text on `commit` (`None`: no note). Pure: no git involved.
pub fn verify_note(commit: &str, note: Option<&str>, signers: &AllowedSigners) -> CommitReport {
    let mut attestations = Vec::new();
    if let Some(text) = note {
        if text.len() > MAX_NOTE_BYTES {
            attestations.push(LineVerdict {
                line: 0,
                verdict: Verdict::invalid(format!("note larger than {MAX_NOTE_BYTES} bytes")),
            });
        } else {
            let lines = parse_bundle(text);
            let verdicts: Vec<Verdict> = lines
                .iter()
                .map(|l| match &l.envelope {
                    Ok(envelope) => super::verify_envelope(envelope, commit, signers),
                    Err(_) => verify_line(&l.text, commit, signers),
                })
                .collect();
            let verified = verified_statements(&lines, &verdicts);
            let carried = carry_over::carried_in(&verified, signers);
            let hunk_reviews = hunk_reviews(&verified);
            for (l, verdict) in lines.iter().zip(verdicts) {
                attestations.push(LineVerdict {
                    line: l.line,
                    verdict,
                });
            }
            let mut report = summarize(commit, attestations);
            report.hunk_reviews = hunk_reviews;
            if let Some(c) = carried {
                carry_over::apply(&mut report, c);
            }
            return report;
        }
    }
    summarize(commit, attestations)
}

/// Each verified line of a note with its statement, read once for what the note's verified
/// attestations say beyond their verdict (carry-overs, hunk reviews).
pub fn verified_statements<'a>(
    lines: &[BundleLine],
    verdicts: &'a [Verdict],
) -> Vec<(&'a Verdict, Statement)> {
    lines
        .iter()
        .zip(verdicts)
        .filter(|(_, v)| v.is_verified())
        .filter_map(|(l, v)| {
            let payload = l.envelope.as_ref().ok()?.payload_bytes().ok()?;
            Some((v, Statement::parse(&payload).ok()?))
        })
        .collect()
}

/// The hunk reviews of a note's verified attestations that a person signed, the last one of
/// each signer.
fn hunk_reviews(verified: &[(&Verdict, Statement)]) -> Vec<HunkReview> {
    let mut out: Vec<HunkReview> = Vec::new();
    for (v, statement) in verified {
        let Verdict::Verified {
            principal,
            reviewed_by_person: true,
            ..
        } = v
        else {
            continue;
        };
        if let Some(hunks) = hunks_in(&statement.predicate) {
            out.retain(|r| &r.by != principal);
            out.push(HunkReview {
                by: principal.clone(),
                coverage: HunkCoverage::of(&hunks),
            });
        }
    }
    out
}

fn summarize(commit: &str, attestations: Vec<LineVerdict>) -> CommitReport {
    let mut signers: Vec<String> = Vec::new();
    let mut reviewers: Vec<String> = Vec::new();
    for a in &attestations {
        if let Verdict::Verified {
            principal,
            reviewed_by_person,
            ..
        } = &a.verdict
        {
            if !signers.contains(principal) {
                signers.push(principal.clone());
            }
            if *reviewed_by_person && !reviewers.contains(principal) {
                reviewers.push(principal.clone());
            }
        }
    }
    let has = |f: fn(&Verdict) -> bool| attestations.iter().any(|a| f(&a.verdict));
    let status = if !signers.is_empty() {
        CommitStatus::Verified
    } else if attestations.is_empty() {
        CommitStatus::Unsigned
    } else if has(|v| matches!(v, Verdict::Untrusted { .. })) {
        CommitStatus::Untrusted
    } else {
        CommitStatus::Invalid
    };
    CommitReport {
        commit: commit.to_owned(),
        status,
        state: state_of(status, !reviewers.is_empty()),
        signers,
        reviewers,
        attestations,
        carried: None,
        hunk_reviews: Vec::new(),
    }
}

/// Gives each unsigned commit of `reports` the attested changes it repeats ([`Lineage`]); a
/// commit whose every file repeats one stands as the carried attestations do.
pub fn carry(reports: &mut [CommitReport], lineage: &Lineage, repo: &git2::Repository) {
    for r in reports
        .iter_mut()
        .filter(|r| r.status == CommitStatus::Unsigned)
    {
        let Some(c) = lineage.carried(repo, &r.commit) else {
            continue;
        };
        if c.complete() {
            r.status = CommitStatus::Verified;
            r.state = c.state;
            r.signers.clone_from(&c.signers);
            r.reviewers.clone_from(&c.reviewers);
        }
        r.carried = Some(c);
    }
}

fn state_of(status: CommitStatus, reviewed: bool) -> AttestationState {
    match status {
        CommitStatus::Verified if reviewed => AttestationState::Reviewed,
        CommitStatus::Verified => AttestationState::Unreviewed,
        CommitStatus::Unsigned => AttestationState::Unsigned,
        CommitStatus::Untrusted => AttestationState::Untrusted,
        CommitStatus::Invalid | CommitStatus::UnknownCommit => AttestationState::Invalid,
    }
}

/// Verifies `commits` (full ids) against their notes.
pub fn verify_commits(
    git: &Git,
    commits: &[String],
    signers: &AllowedSigners,
) -> Result<Vec<CommitReport>, NotesError> {
    let notes = notes::list_notes(git)?;
    let blobs: Vec<String> = commits
        .iter()
        .filter_map(|c| notes.get(&c.to_ascii_lowercase()).cloned())
        .collect();
    let texts = notes::read_objects(git, &blobs)?;
    Ok(commits
        .iter()
        .map(|c| match notes.get(&c.to_ascii_lowercase()) {
            None => verify_note(c, None, signers),
            Some(blob) => match texts.get(blob).cloned().flatten() {
                Some(text) => verify_note(c, Some(&text), signers),
                None => summarize(
                    c,
                    vec![LineVerdict {
                        line: 0,
                        verdict: Verdict::invalid(format!(
                            "note {blob} is not a readable blob of at most {MAX_NOTE_BYTES} bytes"
                        )),
                    }],
                ),
            },
        })
        .collect())
}

/// Verifies the commits of a revision range (`git rev-list <range>`, e.g. `origin/main..HEAD`).
pub fn verify_range(
    git: &Git,
    range: &str,
    signers: &AllowedSigners,
) -> Result<Vec<CommitReport>, NotesError> {
    let out = git.run(&["rev-list", range, "--"], None)?;
    let commits: Vec<String> = String::from_utf8_lossy(&out)
        .lines()
        .map(str::to_owned)
        .collect();
    verify_commits(git, &commits, signers)
}

/// Verifies every note in `refs/notes/vouch`; a note attached to an object that is not a commit
/// here (a teammate's unpushed branch, a stray id) is reported as [`CommitStatus::UnknownCommit`].
pub fn verify_all_notes(
    git: &Git,
    signers: &AllowedSigners,
) -> Result<Vec<CommitReport>, NotesError> {
    let notes = notes::list_notes(git)?;
    let objects: Vec<String> = notes.keys().cloned().collect();
    let kinds = notes::object_types(git, &objects)?;
    let known: Vec<String> = objects
        .iter()
        .filter(|o| kinds.get(*o).cloned().flatten().as_deref() == Some("commit"))
        .cloned()
        .collect();
    let mut reports = verify_commits(git, &known, signers)?;
    for o in objects.iter().filter(|o| !known.contains(o)) {
        reports.push(CommitReport {
            commit: o.clone(),
            status: CommitStatus::UnknownCommit,
            state: AttestationState::Invalid,
            signers: Vec::new(),
            reviewers: Vec::new(),
            attestations: Vec::new(),
            carried: None,
            hunk_reviews: Vec::new(),
        });
    }
    Ok(reports)
}
