//! Every session's commits in one repository at once: what the explorer's sessions table shows.
//! Only what is cheap to know without reading transcripts: capture's commit records
//! (`<git-dir>/vouch/commits/`) and `Vouch-Session` trailers, on the commits reachable from the
//! branches, all read in process (no git spawned). Their attestation state is added above, by
//! the attest module's `standing`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use git2::{Oid, Repository, Sort};

use super::{CorrelateError, WALK_LIMIT, recorded};
use crate::capture::state::StateDir;
use crate::capture::trailer::trailer_sessions;
use crate::git::paths::RepoPaths;

/// The commits tied to each session (by id) in the repository at `path` (a worktree or a bare
/// git dir), looking at the newest commits of every branch, newest first. Sessions without
/// commits are absent.
pub fn commits_by_session(path: &Path) -> Result<BTreeMap<String, Vec<Oid>>, CorrelateError> {
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
    Ok(by_session)
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
