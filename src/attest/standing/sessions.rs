//! Every session's commits in one repository with their attestation state: what the explorer's
//! sessions table shows. The commits come from [`crate::correlate::commits_by_session`]; the
//! state of each commit from its note under `refs/notes/vouch`, read in process (no git spawned).

use std::collections::HashMap;
use std::path::Path;

use git2::{Oid, Repository};
use serde::Serialize;

use super::{AttestationState, commit_state};
use crate::attest::allowed_signers::AllowedSigners;
use crate::attest::notes::{MAX_NOTE_BYTES, NOTES_REF};
use crate::correlate::{CorrelateError, commits_by_session};
use crate::git::Git;
use crate::git::notes::with_note;

/// One session's commits in the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionCommits {
    /// Full ids, newest first.
    pub commits: Vec<String>,
    /// The worst state among the commits (`None` only when there are none).
    pub attestation: Option<AttestationState>,
}

/// The commits tied to each session (by id) in the repository at `path` (a worktree or a bare
/// git dir), looking at the newest commits of every branch, with their attestation state against
/// `signers`. Sessions without commits are absent.
pub fn sessions_in_repository(
    path: &Path,
    signers: &AllowedSigners,
) -> Result<HashMap<String, SessionCommits>, CorrelateError> {
    let by_session = commits_by_session(path)?;
    let repo = Repository::open(path)?;
    let mut states: HashMap<Oid, AttestationState> = HashMap::new();
    let mut out = HashMap::new();
    for (session, commits) in by_session {
        let mut session_states = Vec::new();
        for oid in &commits {
            session_states.push(state_of(&repo, *oid, signers, &mut states)?);
        }
        let found = SessionCommits {
            commits: commits.iter().map(Oid::to_string).collect(),
            attestation: AttestationState::combine(session_states),
        };
        out.insert(session, found);
    }
    Ok(out)
}

/// The attestation state of one commit, read once however many sessions share it.
fn state_of(
    repo: &Repository,
    oid: Oid,
    signers: &AllowedSigners,
    known: &mut HashMap<Oid, AttestationState>,
) -> Result<AttestationState, CorrelateError> {
    if let Some(s) = known.get(&oid) {
        return Ok(*s);
    }
    let s = commit_state(&oid.to_string(), note(repo, oid)?.as_deref(), signers);
    known.insert(oid, s);
    Ok(s)
}

/// The allowed signers git is configured with for the repository at `path`
/// (`gpg.ssh.allowedSignersFile`, revocations applied); none when unset or unreadable, so every
/// signed commit shows as untrusted rather than failing the whole list.
pub fn configured_signers(path: &Path) -> AllowedSigners {
    AllowedSigners::from_git_config(&Git::new(path), None)
        .map_or_else(|_| AllowedSigners::parse(""), |(s, _)| s)
}

/// The note on `oid` under `refs/notes/vouch`, if any; a note too large to read is given as
/// text that does not parse, so it shows as invalid.
fn note(repo: &Repository, oid: Oid) -> Result<Option<String>, CorrelateError> {
    let text = with_note(repo, NOTES_REF, oid, |bytes| {
        if bytes.len() > MAX_NOTE_BYTES {
            "{note too large".to_owned()
        } else {
            String::from_utf8_lossy(bytes).into_owned()
        }
    })?;
    Ok(text)
}
