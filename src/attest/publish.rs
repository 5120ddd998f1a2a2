//! Attesting a range: build its evidence, wrap it in an in-toto statement whose subjects are the
//! commits and the tip tree, sign it, and attach the envelope as a git note to every commit of
//! the range. The same code serves `git vouch attest`, the pre-push hook and the review screen,
//! which passes the person's note and marks the attestation reviewed.
//!
//! Evidence is serialized once ([`Prepared`]): the review screen renders those bytes, and the
//! signed statement carries them verbatim (checked before signing), so what a person was shown
//! is exactly what gets signed.

use std::path::Path;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::notes::{self, NotesError};
use super::sign::{KeySources, resolve_signer};
use super::{SealError, SignError, seal, statement_for};
use crate::clock::Clock;
use crate::evidence::{Evidence, EvidenceError, build_evidence};
use crate::git::Git;
use crate::pricing::PriceTable;
use crate::redact::{Counts, Redactor};

/// Whether a person reviewed what is signed.
#[derive(Debug, Clone, Default)]
pub struct Review {
    pub reviewed: bool,
    /// The reviewer's note (redacted before signing).
    pub note: Option<String>,
}

/// Evidence serialized once, with the digest of those bytes.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub evidence: Evidence,
    /// Compact JSON: the exact bytes embedded in the signed statement.
    pub bytes: Vec<u8>,
    pub sha256: String,
}

impl Prepared {
    pub fn new(evidence: Evidence) -> Self {
        // Evidence holds strings, integers, maps and lists: serializing cannot fail.
        let bytes = serde_json::to_vec(&evidence).unwrap_or_default();
        let sha256 = crate::evidence::hex(&Sha256::digest(&bytes));
        Self {
            evidence,
            bytes,
            sha256,
        }
    }

    /// The bytes laid out for reading (indented), rendered from the bytes that get signed.
    pub fn pretty(&self) -> String {
        serde_json::from_slice::<Value>(&self.bytes)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_else(|_| String::from_utf8_lossy(&self.bytes).into_owned())
    }
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
    /// No signing key, or one that cannot be used: the [`SignError`] says which and how to fix it.
    #[error(transparent)]
    NoKey(SignError),
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error(transparent)]
    Notes(#[from] NotesError),
    #[error(
        "the statement would not carry the reviewed evidence bytes verbatim; nothing was signed"
    )]
    NotVerbatim,
    #[error("the range has no commits to attest")]
    Empty,
}

/// The predicate: the evidence bytes themselves, their digest, and the review (the note redacted,
/// with what redaction found in it).
pub fn predicate(prepared: &Prepared, review: &Review, redactor: &Redactor) -> Value {
    let mut counts = Counts::new();
    let note = review
        .note
        .as_deref()
        .map(|n| redactor.redact(n, &mut counts).into_owned());
    let evidence: Value = serde_json::from_slice(&prepared.bytes).unwrap_or(Value::Null);
    json!({
        "evidence": evidence,
        "evidence_sha256": prepared.sha256,
        "review": {
            "reviewed_by_person": review.reviewed,
            "note": note,
            "note_redactions": counts,
        },
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
    let prepared = Prepared::new(build_evidence(cwd, range, prices, redactor, clock)?);
    let git = Git::new(cwd);
    let signer = resolve_signer(&git, &KeySources::from_env()).map_err(PublishError::NoKey)?;
    sign_and_attach(&git, &prepared, review, redactor, signer.as_ref(), clock)
}

/// The evidence of the commits pre-push computed for one ref (oldest first).
pub fn prepare_commits(
    cwd: &Path,
    commits: &[String],
    prices: &PriceTable,
    redactor: &Redactor,
    clock: &dyn Clock,
) -> Result<Prepared, PublishError> {
    let (Some(first), Some(tip)) = (commits.first(), commits.last()) else {
        return Err(PublishError::Empty);
    };
    let range = crate::evidence::range::Range {
        spec: format!("{first}..{tip}"),
        base: None,
        tip: tip.clone(),
        commits: commits.to_vec(),
    };
    let evidence = crate::evidence::build_for(cwd, &range, prices, redactor, clock)?;
    Ok(Prepared::new(evidence))
}

/// Signs evidence pre-push built (with its policy results) with the person's key, not reviewed
/// by a person, and attaches it.
pub fn attest_pushed(
    cwd: &Path,
    evidence: Evidence,
    redactor: &Redactor,
    clock: &dyn Clock,
) -> Result<Attested, PublishError> {
    let git = Git::new(cwd);
    let signer = resolve_signer(&git, &KeySources::from_env()).map_err(PublishError::NoKey)?;
    let prepared = Prepared::new(evidence);
    sign_and_attach(
        &git,
        &prepared,
        &Review::default(),
        redactor,
        signer.as_ref(),
        clock,
    )
}

/// Attests the commits pre-push computed for one ref (oldest first), not reviewed by a person.
pub fn attest_commits(
    cwd: &Path,
    commits: &[String],
    prices: &PriceTable,
    redactor: &Redactor,
    clock: &dyn Clock,
) -> Result<Option<Attested>, PublishError> {
    if commits.is_empty() {
        return Ok(None);
    }
    let prepared = prepare_commits(cwd, commits, prices, redactor, clock)?;
    let git = Git::new(cwd);
    let signer = resolve_signer(&git, &KeySources::from_env()).map_err(PublishError::NoKey)?;
    let review = Review::default();
    sign_and_attach(&git, &prepared, &review, redactor, signer.as_ref(), clock).map(Some)
}

/// Signs prepared evidence and attaches it to every commit it covers.
pub fn sign_and_attach(
    git: &Git,
    prepared: &Prepared,
    review: &Review,
    redactor: &Redactor,
    signer: &dyn super::Signer,
    clock: &dyn Clock,
) -> Result<Attested, PublishError> {
    let evidence = &prepared.evidence;
    let commits: Vec<String> = evidence.commits.iter().map(|c| c.sha.clone()).collect();
    let mut statement = statement_for(
        &commits,
        &evidence.range.tip_tree,
        predicate(prepared, review, redactor),
    );
    let envelope = seal(&mut statement, signer, clock)?;
    let signed = envelope.payload_bytes().unwrap_or_default();
    if memchr::memmem::find(&signed, &prepared.bytes).is_none() {
        return Err(PublishError::NotVerbatim);
    }
    let unchanged = commits.len() - notes::append_all(git, &commits, &envelope)?;
    Ok(Attested {
        commits,
        sessions: evidence.sessions.len(),
        signer: signer.describe(),
        statement_sha256: crate::evidence::hex(&Sha256::digest(&signed)),
        unchanged,
    })
}
