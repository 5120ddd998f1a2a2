//! Carrying attestations over to the commits a forge made (`git vouch notes carry`). A commit
//! that repeats attested changes as a whole ([`super::lineage`]) gets an attestation of its own,
//! signed by whoever runs the command: its predicate names the attested commits it carries and
//! holds their envelopes verbatim, with their evidence, and says no person reviewed it (a
//! carry-over is not a review). Verifying it checks the carried envelopes too, against the same
//! allowed signers, so the commit stands as they do ("reviewed by bob@x (also signed by ci@x)
//! (via squash of 3 attested commits)") even after the attested commits and their notes are
//! gone (`git notes prune`).

use git2::{Oid, Repository};
use serde_json::{Value, json};

use super::allowed_signers::AllowedSigners;
use super::dsse::Envelope;
use super::lineage::{Carried, CarryKind};
use super::notes;
use super::standing::AttestationState;
use super::statement::{Statement, statement_for};
use super::verify::{CommitReport, CommitStatus, Verdict, verify_envelope};
use super::{SealError, Signer, seal};
use crate::clock::Clock;
use crate::git::Git;

/// The predicate key of a carry-over.
pub const CARRY_OVER: &str = "carry_over";

/// Why carrying over failed.
#[derive(Debug, thiserror::Error)]
pub enum CarryError {
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error(transparent)]
    Notes(#[from] notes::NotesError),
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// Signs a carry-over for every commit of `reports` that carries attested changes as a whole
/// and has no attestation of its own, and attaches it to the commit's note; returns the commits
/// with what they carry.
pub fn carry_over(
    git: &Git,
    repo: &Repository,
    reports: &[CommitReport],
    signer: &dyn Signer,
    clock: &dyn Clock,
) -> Result<Vec<(String, Carried)>, CarryError> {
    let mut done = Vec::new();
    for r in reports.iter().filter(|r| r.attestations.is_empty()) {
        let Some(c) = r.carried.as_ref().filter(|c| c.complete()) else {
            continue;
        };
        let tree = repo.find_commit(Oid::from_str(&r.commit)?)?.tree_id();
        let predicate = json!({
            "evidence": c.evidence,
            CARRY_OVER: {
                "kind": c.kind,
                "from": c.from,
                "attestations": c.envelopes,
            },
            "review": {"reviewed_by_person": false, "note": null},
        });
        let mut statement = statement_for(
            std::slice::from_ref(&r.commit),
            &tree.to_string(),
            predicate,
        );
        let envelope = seal(&mut statement, signer, clock)?;
        notes::append_all(git, std::slice::from_ref(&r.commit), &envelope)?;
        done.push((r.commit.clone(), c.clone()));
    }
    Ok(done)
}

/// What a note's verified carry-overs carry: their carried envelopes verified against
/// `signers` for the commits they name. `None` when the note holds no verified carry-over whose
/// carried attestations verify.
pub fn carried_in(verified: &[(&Verdict, Statement)], signers: &AllowedSigners) -> Option<Carried> {
    let mut out: Option<Carried> = None;
    for (_, statement) in verified {
        let Some(carry) = statement.predicate.get(CARRY_OVER) else {
            continue;
        };
        let from: Vec<String> = carry["from"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let kind = if carry["kind"] == "rebase" {
            CarryKind::Rebase
        } else {
            CarryKind::Squash
        };
        let c = out.get_or_insert_with(|| Carried::over(kind, from.clone()));
        for text in carry["attestations"].as_array().into_iter().flatten() {
            let Some(inner) = text.as_str().and_then(|t| Envelope::from_json(t).ok()) else {
                continue;
            };
            // The carried envelope attests the commits it names, not the new one.
            let verdict = from
                .iter()
                .map(|f| verify_envelope(&inner, f, signers))
                .find(Verdict::is_verified);
            if let Some(Verdict::Verified {
                principal,
                reviewed_by_person,
                ..
            }) = verdict
            {
                c.add_signer(&principal, reviewed_by_person);
            }
        }
    }
    out.filter(|c| !c.signers.is_empty())
}

/// Folds what a note's carry-overs carry into its report: their signers and reviewers count as
/// the commit's, under the carry-over's own signature.
pub fn apply(report: &mut CommitReport, carried: Carried) {
    for s in &carried.signers {
        if !report.signers.contains(s) {
            report.signers.push(s.clone());
        }
    }
    for s in &carried.reviewers {
        if !report.reviewers.contains(s) {
            report.reviewers.push(s.clone());
        }
    }
    if report.status == CommitStatus::Verified {
        report.state = if report.reviewers.is_empty() {
            AttestationState::Unreviewed
        } else {
            AttestationState::Reviewed
        };
    }
    report.carried = Some(carried);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::notes::parse_bundle;
    use crate::attest::sign::{FileSigner, keygen};
    use crate::clock::FixedClock;

    const OLD: &str = "1111111111111111111111111111111111111111";
    const NEW: &str = "2222222222222222222222222222222222222222";
    const TREE: &str = "3333333333333333333333333333333333333333";

    fn signed(signer: &FileSigner, commit: &str, predicate: Value) -> Envelope {
        let clock = FixedClock::parse("2026-12-01T12:00:00Z").unwrap();
        let mut statement = statement_for(&[commit.to_owned()], TREE, predicate);
        seal(&mut statement, signer, &clock).unwrap()
    }

    /// A carry-over counts the carried attestation's reviewer only when that attestation verifies
    /// against the allowed signers for the commit it names: not when its key is not trusted, not
    /// when it was changed.
    #[test]
    fn carried_attestations_count_only_when_they_verify() {
        let dir = tempfile::tempdir().unwrap();
        let bob_key = keygen(&dir.path().join("bob"), "bob").unwrap();
        let ci_key = keygen(&dir.path().join("ci"), "ci").unwrap();
        let bob = FileSigner::open(&dir.path().join("bob")).unwrap();
        let ci = FileSigner::open(&dir.path().join("ci")).unwrap();
        let review = json!({"review": {"reviewed_by_person": true, "note": "read it"}});
        let original = signed(&bob, OLD, review).to_line();
        let carry = |inner: &str| {
            let predicate = json!({
                CARRY_OVER: {"kind": "squash", "from": [OLD], "attestations": [inner]},
                "review": {"reviewed_by_person": false, "note": null},
            });
            signed(&ci, NEW, predicate).to_line()
        };
        let both = AllowedSigners::parse(&format!(
            "{}\n{}\n",
            bob_key.allowed_signers_line("bob@example.com"),
            ci_key.allowed_signers_line("ci@example.com")
        ));
        let ci_only = AllowedSigners::parse(&format!(
            "{}\n",
            ci_key.allowed_signers_line("ci@example.com")
        ));
        let check = |note: &str, signers: &AllowedSigners| {
            let lines = parse_bundle(note);
            let verdicts: Vec<Verdict> = lines
                .iter()
                .map(|l| verify_envelope(l.envelope.as_ref().unwrap(), NEW, signers))
                .collect();
            carried_in(
                &crate::attest::verify::verified_statements(&lines, &verdicts),
                signers,
            )
        };
        let good = check(&carry(&original), &both).expect("carried");
        assert_eq!(good.reviewers, ["bob@example.com"]);
        assert_eq!(good.state, AttestationState::Reviewed);
        assert_eq!(good.from, [OLD]);
        assert!(
            check(&carry(&original), &ci_only).is_none(),
            "bob is not trusted"
        );
        let mut changed: Value = serde_json::from_str(&original).unwrap();
        changed["payload"] = json!(changed["payload"].as_str().unwrap().replacen('e', "f", 1));
        assert!(
            check(&carry(&changed.to_string()), &both).is_none(),
            "tampered"
        );
    }
}
