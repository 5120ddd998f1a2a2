//! Which commits already carry an attestation, and whether a person reviewed it. Read in process
//! from `refs/notes/vouch` (a `git notes show` per commit would cost a spawn each). Signatures are
//! not checked here: this decides whether to ask for a review, `git vouch verify` decides trust.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{Oid, Repository};

use crate::attest::notes::{NOTES_REF, parse_bundle};
use crate::attest::statement::{Statement, reviewed_by_person};
use crate::git::notes::with_note;

/// The attestation state of one commit's note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteState {
    /// No attestation.
    None,
    /// Attested, by a hook or `git vouch attest`, without a person reviewing it.
    Unreviewed,
    /// At least one attestation says a person reviewed it.
    Reviewed,
}

/// The state of each of `commits` in the repository at `dir`.
pub fn note_states(dir: &Path, commits: &[String]) -> BTreeMap<String, NoteState> {
    let repo = Repository::discover(dir).ok();
    commits
        .iter()
        .map(|c| {
            let state = repo.as_ref().map_or(NoteState::None, |r| state_of(r, c));
            (c.clone(), state)
        })
        .collect()
}

fn state_of(repo: &Repository, commit: &str) -> NoteState {
    let Some(text) = Oid::from_str(commit)
        .ok()
        .and_then(|oid| {
            with_note(repo, NOTES_REF, oid, |b| {
                std::str::from_utf8(b).ok().map(str::to_owned)
            })
            .ok()
        })
        .flatten()
        .flatten()
    else {
        return NoteState::None;
    };
    parse_bundle(&text)
        .iter()
        .filter_map(|l| l.envelope.as_ref().ok())
        .map(|e| {
            let reviewed = e
                .payload_bytes()
                .ok()
                .and_then(|p| Statement::parse(&p).ok())
                .is_some_and(|s| reviewed_by_person(&s.predicate));
            if reviewed {
                NoteState::Reviewed
            } else {
                NoteState::Unreviewed
            }
        })
        .max()
        .unwrap_or(NoteState::None)
}
