//! Attesting a range: build its evidence, wrap it in an in-toto statement whose subjects are the
//! commits and the tip tree, sign it, and attach the envelope as a git note to every commit of
//! the range. The same code serves `git vouch attest`, the pre-push hook, and (later) the review
//! screen, which passes the person's note and marks the attestation reviewed.

use std::path::Path;

use serde_json::json;
use sha2::{Digest, Sha256};

use super::git::Git;
use super::notes::{self, NotesError};
use super::sign::{KeySources, resolve_signer};
use super::{SealError, SignError, seal, statement_for};
use crate::clock::Clock;
use crate::evidence::{Evidence, EvidenceError, build_evidence};
use crate::pricing::PriceTable;
use crate::redact::Redactor;

/// Whether a person reviewed what is signed.
#[derive(Debug, Clone, Default)]
pub struct Review {
    pub reviewed: bool,
    /// The reviewer's note (redacted with the rest).
    pub note: Option<String>,
}

/// What an attestation run did.
#[derive(Debug, Clone)]
pub struct Attested {
    pub commits: Vec<String>,
    pub sessions: usize,
    pub signer: String,
    /// sha256 of the signed statement bytes.
    pub statement_sha256: String,
    /// Commits whose note already held this exact attestation.
    pub unchanged: usize,
}

/// Errors attesting.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    #[error(
        "no signing key: {0} (create one with `git vouch keygen`, or set `gpg.format=ssh` and `user.signingkey`)"
    )]
    NoKey(SignError),
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error(transparent)]
    Notes(#[from] NotesError),
}

/// The predicate: the evidence document itself, its digest, and the review.
pub fn predicate(evidence: &Evidence, review: &Review) -> serde_json::Value {
    let bytes = serde_json::to_vec(evidence).unwrap_or_default();
    let digest = crate::evidence::hex(&Sha256::digest(&bytes));
    json!({
        "evidence": evidence,
        "evidence_sha256": digest,
        "review": {"reviewed_by_person": review.reviewed, "note": review.note},
    })
}

/// Attests `range` (default: the current branch) in the repository at `cwd`.
pub fn attest(
    cwd: &Path,
    range: Option<&str>,
    review: &Review,
    prices: &PriceTable,
    redactor: &Redactor,
    clock: &dyn Clock,
) -> Result<Attested, PublishError> {
    let mut evidence = build_evidence(cwd, range, prices, redactor, clock)?;
    let mut review = review.clone();
    if let Some(note) = &review.note {
        let mut counts = crate::redact::Counts::new();
        review.note = Some(redactor.redact(note, &mut counts).into_owned());
        for (k, v) in counts {
            *evidence.redactions.entry(k.to_owned()).or_default() += v;
        }
    }
    let git = Git::new(cwd);
    let signer = resolve_signer(&git, &KeySources::from_env()).map_err(PublishError::NoKey)?;
    sign_and_attach(&git, &evidence, &review, signer.as_ref(), clock)
}

/// The evidence of the commits pre-push computed for one ref (oldest first); `None` when the
/// ref sends no commits.
pub fn pushed_evidence(
    cwd: &Path,
    commits: &[String],
    prices: &PriceTable,
    redactor: &Redactor,
    clock: &dyn Clock,
) -> Result<Option<Evidence>, PublishError> {
    let Some(tip) = commits.last() else {
        return Ok(None);
    };
    let range = crate::evidence::range::Range {
        spec: format!("{}..{tip}", commits.first().map_or("", |c| c.as_str())),
        base: None,
        tip: tip.clone(),
        commits: commits.to_vec(),
    };
    Ok(Some(crate::evidence::build_for(
        cwd, &range, prices, redactor, clock,
    )?))
}

/// Signs evidence pre-push built (with its policy results) with the person's key, not
/// reviewed by a person, and attaches it.
pub fn attest_pushed(
    cwd: &Path,
    evidence: &Evidence,
    clock: &dyn Clock,
) -> Result<Attested, PublishError> {
    let git = Git::new(cwd);
    let signer = resolve_signer(&git, &KeySources::from_env()).map_err(PublishError::NoKey)?;
    sign_and_attach(&git, evidence, &Review::default(), signer.as_ref(), clock)
}

/// Signs already-built evidence and attaches it (the review screen signs exactly what it showed).
pub fn sign_and_attach(
    git: &Git,
    evidence: &Evidence,
    review: &Review,
    signer: &dyn super::Signer,
    clock: &dyn Clock,
) -> Result<Attested, PublishError> {
    let commits: Vec<String> = evidence.commits.iter().map(|c| c.sha.clone()).collect();
    let mut statement = statement_for(
        &commits,
        &evidence.range.tip_tree,
        predicate(evidence, review),
    );
    let envelope = seal(&mut statement, signer, clock)?;
    let unchanged = commits.len() - notes::append_all(git, &commits, &envelope)?;
    let digest = crate::evidence::hex(&Sha256::digest(statement.to_bytes()));
    Ok(Attested {
        commits,
        sessions: evidence.sessions.len(),
        signer: signer.describe(),
        statement_sha256: digest,
        unchanged,
    })
}
