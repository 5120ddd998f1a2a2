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

use super::hunk_review::MarkedHunk;
use super::notes::{self, NotesError};
use super::sign::SignerSlot;
use super::{SealError, seal, statement_for};
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
    /// The agent hunks with the reviewer's marks, when the review went hunk by hunk (comments
    /// redacted before signing).
    pub hunks: Option<Vec<MarkedHunk>>,
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
    /// No signing key, or one that cannot be used: the [`super::SignError`]'s words say which
    /// and how to fix it.
    #[error("{0}")]
    NoKey(String),
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error(transparent)]
    Notes(#[from] NotesError),
    #[error(
        "the statement would not carry the reviewed evidence bytes verbatim; nothing was signed"
    )]
    NotVerbatim,
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
    let mut out = json!({
        "evidence": evidence,
        "evidence_sha256": prepared.sha256,
        "review": {
            "reviewed_by_person": review.reviewed,
            "note": note,
            "note_redactions": counts,
        },
    });
    if let Some(hunks) = &review.hunks {
        let mut counts = Counts::new();
        let hunks = super::hunk_review::redacted(hunks, redactor, &mut counts);
        out["review"]["hunks"] = json!(hunks);
        out["review"]["hunk_redactions"] = json!(counts);
    }
    out
}

/// Attests `range` (default: the current branch) in the repository at `cwd`, signed by
/// `signer` (looked up once the evidence is built).
pub fn attest(
    cwd: &Path,
    range: Option<&str>,
    review: &Review,
    prices: &PriceTable,
    redactor: &Redactor,
    signer: &SignerSlot,
    clock: &dyn Clock,
) -> Result<Attested, PublishError> {
    let prepared = Prepared::new(build_evidence(cwd, range, prices, redactor, clock)?);
    let signer = signer
        .get()
        .map_err(|e| PublishError::NoKey(e.to_string()))?;
    sign_and_attach(&Git::new(cwd), &prepared, review, redactor, signer, clock)
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
