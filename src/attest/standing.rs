//! Where a commit, or a set of commits, stands on attestation: one word per state, the same in
//! the explorer's list and Branch view, `git vouch log`, `verify`, and every JSON document.
//! A commit is `reviewed` when a verified attestation on it (a valid signature by a trusted key,
//! about this commit) says a person reviewed it, `unreviewed` when its verified attestations all
//! say nobody did (as `attest` and pre-push sign), `unsigned` when it has none, `untrusted` when
//! signed only by keys the allowed signers do not trust, and `invalid` when what is there is
//! broken or about another commit. A valid signature alone never makes a commit `reviewed`.

use std::fmt;

use serde::Serialize;

use super::allowed_signers::AllowedSigners;
use super::verify::verify_note;

mod sessions;

pub use sessions::{SessionCommits, configured_signers, sessions_in_repository};

/// The attestation state of a commit or of a session's commits, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttestationState {
    /// Signed by a trusted key, and the signed attestation says a person reviewed it.
    Reviewed,
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
    /// Every state, best first.
    pub const ALL: [Self; 5] = [
        Self::Reviewed,
        Self::Unreviewed,
        Self::Unsigned,
        Self::Untrusted,
        Self::Invalid,
    ];

    /// The word shown for it everywhere (and its JSON value).
    pub fn label(self) -> &'static str {
        match self {
            Self::Reviewed => "reviewed",
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

impl fmt::Display for AttestationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How many commits are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateCounts([usize; 5]);

impl StateCounts {
    pub fn add(&mut self, state: AttestationState) {
        self.0[state as usize] += 1;
    }

    pub fn set(&mut self, state: AttestationState, n: usize) {
        self.0[state as usize] = n;
    }

    pub fn get(&self, state: AttestationState) -> usize {
        self.0[state as usize]
    }
}

impl FromIterator<AttestationState> for StateCounts {
    fn from_iter<I: IntoIterator<Item = AttestationState>>(states: I) -> Self {
        let mut counts = Self::default();
        for s in states {
            counts.add(s);
        }
        counts
    }
}

/// `1 reviewed · 2 unreviewed · 1 untrusted`: the states some commit is in, best first.
impl fmt::Display for StateCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        for s in AttestationState::ALL
            .into_iter()
            .filter(|s| self.get(*s) > 0)
        {
            write!(f, "{sep}{} {}", self.get(s), s.label())?;
            sep = " · ";
        }
        Ok(())
    }
}

/// A commit's state in words, keeping reviewers apart from the other signers:
/// `reviewed by bob@x (also signed by ci@x)`, `unreviewed (signed by ci@x)`, `unsigned`,
/// `untrusted: <reason>`, `invalid: <reason>`. `signers` are every trusted signer, `reviewers`
/// those whose signed attestation says a person reviewed.
pub fn account(
    state: AttestationState,
    reviewers: &[String],
    signers: &[String],
    reason: &str,
) -> String {
    let others: Vec<&str> = signers
        .iter()
        .filter(|s| !reviewers.contains(s))
        .map(String::as_str)
        .collect();
    let label = state.label();
    match state {
        AttestationState::Reviewed if others.is_empty() => {
            format!("{label} by {}", reviewers.join(", "))
        }
        AttestationState::Reviewed => format!(
            "{label} by {} (also signed by {})",
            reviewers.join(", "),
            others.join(", ")
        ),
        AttestationState::Unreviewed => format!("{label} (signed by {})", others.join(", ")),
        AttestationState::Unsigned => label.to_owned(),
        _ if reason.is_empty() => label.to_owned(),
        _ => format!("{label}: {reason}"),
    }
}

/// The state of `commit` given the text of its note (`None`: no note).
pub fn commit_state(
    commit: &str,
    note: Option<&str>,
    signers: &AllowedSigners,
) -> AttestationState {
    verify_note(commit, note, signers).state
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
        assert_eq!(state(&line(&alice, C, true)), AttestationState::Reviewed);
        assert_eq!(state(&line(&alice, C, false)), AttestationState::Unreviewed);
        // One reviewed attestation next to an unreviewed one is enough.
        let both = format!("{}\n{}\n", line(&alice, C, false), line(&alice, C, true));
        assert_eq!(state(&both), AttestationState::Reviewed);
        assert_eq!(state(&line(&mallory, C, true)), AttestationState::Untrusted);
        assert_eq!(state(&line(&alice, OTHER, true)), AttestationState::Invalid);
        assert_eq!(state("{not json"), AttestationState::Invalid);
        // A reviewed attestation by an untrusted key does not make it reviewed.
        let mixed = format!("{}\n{}\n", line(&alice, C, false), line(&mallory, C, true));
        assert_eq!(state(&mixed), AttestationState::Unreviewed);
    }

    #[test]
    fn several_commits_take_the_worst_state() {
        use AttestationState::{Invalid, Reviewed, Unreviewed, Unsigned};
        assert_eq!(AttestationState::combine([]), None);
        assert_eq!(AttestationState::combine([Reviewed]), Some(Reviewed));
        assert_eq!(
            AttestationState::combine([Reviewed, Unreviewed]),
            Some(Unreviewed)
        );
        assert_eq!(
            AttestationState::combine([Unreviewed, Unsigned, Reviewed]),
            Some(Unsigned)
        );
        assert_eq!(
            AttestationState::combine([Invalid, Reviewed]),
            Some(Invalid)
        );
    }

    #[test]
    fn one_word_per_state_in_text_and_json() {
        for s in AttestationState::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), json!(s.label()));
            assert_eq!(s.to_string(), s.label());
        }
        let words: Vec<&str> = AttestationState::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(
            words,
            ["reviewed", "unreviewed", "unsigned", "untrusted", "invalid"]
        );
    }

    #[test]
    fn counts_name_only_the_states_commits_are_in() {
        use AttestationState::{Invalid, Reviewed, Unreviewed, Untrusted};
        let counts: StateCounts = [Unreviewed, Reviewed, Untrusted, Unreviewed, Invalid]
            .into_iter()
            .collect();
        assert_eq!(
            counts.to_string(),
            "1 reviewed · 2 unreviewed · 1 untrusted · 1 invalid"
        );
        assert_eq!(StateCounts::default().to_string(), "");
    }

    #[test]
    fn accounts_keep_reviewers_apart_from_other_signers() {
        use AttestationState::{Invalid, Reviewed, Unreviewed, Unsigned};
        let (a, b) = ("a@x".to_owned(), "b@x".to_owned());
        let both = [a.clone(), b.clone()];
        let bob = std::slice::from_ref(&b);
        assert_eq!(
            account(Reviewed, bob, &both, ""),
            "reviewed by b@x (also signed by a@x)"
        );
        assert_eq!(account(Reviewed, bob, bob, ""), "reviewed by b@x");
        assert_eq!(
            account(Unreviewed, &[], &[a], ""),
            "unreviewed (signed by a@x)"
        );
        assert_eq!(account(Unsigned, &[], &[], ""), "unsigned");
        assert_eq!(account(Invalid, &[], &[], "corrupt"), "invalid: corrupt");
    }
}
