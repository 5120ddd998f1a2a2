//! Where a commit, or a set of commits, stands on attestation: the one word the explorer shows
//! per session. A commit is verified when an attestation on it verifies and says a person
//! reviewed it, unreviewed when the verified attestations are all unreviewed (as `attest` and
//! pre-push sign), unsigned when it has none, untrusted when signed only by keys the allowed
//! signers do not trust, and invalid when what is there is broken or about another commit.

use serde::Serialize;
use serde_json::Value;

use super::Verdict;
use super::allowed_signers::AllowedSigners;
use super::notes::parse_bundle;
use super::statement::Statement;
use super::verify::{CommitStatus, verify_note};

/// The attestation state of a commit or of a session's commits, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttestationState {
    /// Signed by a trusted key, reviewed by a person.
    Verified,
    /// Signed by a trusted key, not reviewed by a person.
    Unreviewed,
    /// No attestation.
    Unsigned,
    /// Signed, but by no key the allowed signers trust.
    Untrusted,
    /// Broken, tampered with, or about another commit.
    Invalid,
}

impl AttestationState {
    /// The word shown for it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Unreviewed => "unreviewed",
            Self::Unsigned => "unsigned",
            Self::Untrusted => "untrusted",
            Self::Invalid => "invalid",
        }
    }

    /// The state of several commits together: the worst of them (`None` without commits).
    pub fn combine(states: impl IntoIterator<Item = Self>) -> Option<Self> {
        states.into_iter().max()
    }
}

/// The state of `commit` given the text of its note (`None`: no note).
pub fn commit_state(
    commit: &str,
    note: Option<&str>,
    signers: &AllowedSigners,
) -> AttestationState {
    let report = verify_note(commit, note, signers);
    match report.status {
        CommitStatus::Verified => {
            let lines = note.map(parse_bundle).unwrap_or_default();
            let reviewed = report
                .attestations
                .iter()
                .filter(|a| matches!(a.verdict, Verdict::Verified { .. }))
                .any(|a| {
                    lines
                        .iter()
                        .find(|l| l.line == a.line)
                        .and_then(|l| l.envelope.as_ref().ok())
                        .and_then(|e| e.payload_bytes().ok())
                        .is_some_and(|p| reviewed_by_person(&p))
                });
            if reviewed {
                AttestationState::Verified
            } else {
                AttestationState::Unreviewed
            }
        }
        CommitStatus::Unsigned => AttestationState::Unsigned,
        CommitStatus::Untrusted => AttestationState::Untrusted,
        CommitStatus::Invalid | CommitStatus::UnknownCommit => AttestationState::Invalid,
    }
}

/// Whether a (verified) statement's review block says a person reviewed it.
fn reviewed_by_person(payload: &[u8]) -> bool {
    Statement::parse(payload).is_ok_and(|s| {
        s.predicate
            .pointer("/review/reviewed_by_person")
            .and_then(Value::as_bool)
            == Some(true)
    })
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use serde_json::json;
    use ssh_key::rand_core::OsRng;
    use ssh_key::{Algorithm, PrivateKey};

    use super::*;
    use crate::attest::NAMESPACE;
    use crate::attest::dsse::{Envelope, PAYLOAD_TYPE, pae};
    use crate::attest::sign::HASH;
    use crate::attest::statement::statement_for;

    const C: &str = "1111111111111111111111111111111111111111";
    const OTHER: &str = "2222222222222222222222222222222222222222";

    fn line(key: &PrivateKey, commit: &str, reviewed: bool) -> String {
        let predicate = json!({"review": {"reviewed_by_person": reviewed, "note": null}});
        let mut s = statement_for(&[commit.to_owned()], commit, predicate);
        s.stamp_signed_at(DateTime::from_timestamp(1_770_000_000, 0).unwrap())
            .unwrap();
        let payload = s.to_bytes();
        let mut e = Envelope::new(PAYLOAD_TYPE, &payload);
        let sig = key
            .sign(NAMESPACE, HASH, &pae(PAYLOAD_TYPE, &payload))
            .unwrap();
        e.push_ssh_signature(&sig).unwrap();
        e.to_line()
    }

    #[test]
    fn each_state_from_its_note() {
        let alice = PrivateKey::random(&mut OsRng, Algorithm::Ed25519).unwrap();
        let mallory = PrivateKey::random(&mut OsRng, Algorithm::Ed25519).unwrap();
        let signers =
            AllowedSigners::parse(&format!("a@x {}", alice.public_key().to_openssh().unwrap()));
        let state = |note: &str| commit_state(C, Some(note), &signers);
        assert_eq!(commit_state(C, None, &signers), AttestationState::Unsigned);
        assert_eq!(state(&line(&alice, C, true)), AttestationState::Verified);
        assert_eq!(state(&line(&alice, C, false)), AttestationState::Unreviewed);
        // One reviewed attestation next to an unreviewed one is enough.
        let both = format!("{}\n{}\n", line(&alice, C, false), line(&alice, C, true));
        assert_eq!(state(&both), AttestationState::Verified);
        assert_eq!(state(&line(&mallory, C, true)), AttestationState::Untrusted);
        assert_eq!(state(&line(&alice, OTHER, true)), AttestationState::Invalid);
        assert_eq!(state("{not json"), AttestationState::Invalid);
        // A reviewed attestation by an untrusted key does not make it reviewed.
        let mixed = format!("{}\n{}\n", line(&alice, C, false), line(&mallory, C, true));
        assert_eq!(state(&mixed), AttestationState::Unreviewed);
    }

    #[test]
    fn several_commits_take_the_worst_state() {
        use AttestationState::{Invalid, Unreviewed, Unsigned, Verified};
        assert_eq!(AttestationState::combine([]), None);
        assert_eq!(AttestationState::combine([Verified]), Some(Verified));
        assert_eq!(
            AttestationState::combine([Verified, Unreviewed]),
            Some(Unreviewed)
        );
        assert_eq!(
            AttestationState::combine([Unreviewed, Unsigned, Verified]),
            Some(Unsigned)
        );
        assert_eq!(
            AttestationState::combine([Invalid, Verified]),
            Some(Invalid)
        );
    }
}
