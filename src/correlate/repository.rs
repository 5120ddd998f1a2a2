//! Every session's commits in one repository at once, with their attestation state: what the
//! explorer's sessions table shows. Only what is cheap to know without reading transcripts:
//! capture's commit records (`<git-dir>/vouch/commits/`) and `Vouch-Session` trailers, on the
//! commits reachable from the branches, and the notes under `refs/notes/vouch` on those commits,
//! all read in process (no git spawned).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use git2::{Oid, Repository, Sort};
use serde::Serialize;

use super::{CorrelateError, WALK_LIMIT, recorded};
use crate::attest::allowed_signers::AllowedSigners;
use crate::attest::git::Git;
use crate::attest::notes::{MAX_NOTE_BYTES, NOTES_REF};
use crate::attest::standing::{AttestationState, commit_state};
use crate::capture::git_hook::trailer_sessions;
use crate::capture::locate::RepoPaths;
use crate::capture::state::StateDir;

/// One session's commits in the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionCommits {
    /// Full ids, newest first.
    pub commits: Vec<String>,
    /// The worst state among the commits (`None` only when there are none).
    pub attestation: Option<AttestationState>,
}

/// The commits tied to each session (by id) in the repository at `path` (a worktree or a bare
/// git dir), looking at the newest commits of every branch. Sessions without commits are absent.
pub fn sessions_in_repository(
    path: &Path,
    signers: &AllowedSigners,
) -> Result<HashMap<String, SessionCommits>, CorrelateError> {
    let repo = Repository::open(path)?;
    let records = match RepoPaths::discover(path) {
        Some(paths) if !repo.is_bare() => recorded(&StateDir::new(paths)),
        _ => Vec::new(),
    };
    let mut credited: HashMap<String, Vec<String>> = HashMap::new();
    for r in records {
        credited.entry(r.sha).or_default().extend(r.sessions);
    }
    // In walk order: newest first, as `git log` lists them.
    let mut by_session: BTreeMap<String, Vec<Oid>> = BTreeMap::new();
    for (oid, mut sessions) in branch_commits(&repo)? {
        if let Some(more) = credited.get(&oid.to_string()) {
            sessions.extend(more.iter().cloned());
        }
        sessions.sort();
        sessions.dedup();
        for s in sessions {
            by_session.entry(s).or_default().push(oid);
        }
    }
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

/// The newest commits of every branch (at most [`WALK_LIMIT`], newest first) with the sessions
/// their trailers name.
fn branch_commits(repo: &Repository) -> Result<Vec<(Oid, Vec<String>)>, CorrelateError> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TIME)?;
    walk.push_glob("refs/heads/*")?;
    if repo.head().is_ok() {
        // A detached HEAD (a rebase in progress, a bare clone of a bundle) counts too.
        walk.push_head()?;
    }
    let mut out = Vec::new();
    for oid in walk.take(WALK_LIMIT) {
        let commit = repo.find_commit(oid?)?;
        let sessions = trailer_sessions(&String::from_utf8_lossy(commit.message_bytes()));
        out.push((commit.id(), sessions));
    }
    Ok(out)
}

/// The note on `oid` under `refs/notes/vouch`, if any; a note too large to read is given as
/// text that does not parse, so it shows as invalid.
fn note(repo: &Repository, oid: Oid) -> Result<Option<String>, CorrelateError> {
    let note = match repo.find_note(Some(NOTES_REF), oid) {
        Ok(n) => n,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let bytes = note.message_bytes();
    if bytes.len() > MAX_NOTE_BYTES {
        return Ok(Some("{note too large".to_owned()));
    }
    Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
}
