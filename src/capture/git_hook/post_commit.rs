//! `post-commit`: records the commit with its credited sessions and line attribution, and marks
//! the edits it took as consumed so they never credit a later commit. Every commit is recorded,
//! one no session wrote into as well: the record is what says a person wrote its lines.

use std::collections::HashMap;

use git2::{Commit, Repository};

use super::GitHookError;
use crate::capture::commit_record::{
    CommitRecord, Consumption, FileChange, LinkSource, attribute, sessions_in,
};
use crate::capture::pending::Pending;
use crate::capture::record::{ConsumedRecord, EditLine};
use crate::capture::state::{StateDir, append_json, write_json};
use crate::capture::trailer::trailer_sessions;
use crate::clock::Clock;
use crate::git::diff::commit_diff;

pub fn run(state: &StateDir, repo: &Repository, clock: &dyn Clock) -> Result<(), GitHookError> {
    let head = repo.head()?.peel_to_commit()?;
    if head.parent_count() > 1 || state.commit_file(&head.id().to_string()).exists() {
        return Ok(());
    }
    let files = commit_diff(repo, &head)?;
    let mut pending = Pending::load(state);
    let recorded = sessions_in(&files, &pending);
    let mut sessions = trailer_sessions(head.message().unwrap_or(""));
    // A commit only a trailer credits; otherwise the hooks saw every line, and a commit no
    // session wrote into is recorded too: its lines are a person's.
    let source = if recorded.is_empty() && !sessions.is_empty() {
        LinkSource::Trailer
    } else {
        LinkSource::Recorded
    };
    sessions.extend(recorded);
    sessions.sort();
    sessions.dedup();
    let (changes, consumed) = attribute(&files, &mut pending, &sessions, &mut HashMap::new());
    let record = commit_record(&head, sessions, source, changes, clock);
    write_json(&state.commit_file(&record.sha), &record)?;
    write_consumption(state, &record.sha, &consumed, clock)
}

/// Builds the record of `commit`.
pub fn commit_record(
    commit: &Commit<'_>,
    sessions: Vec<String>,
    source: LinkSource,
    files: Vec<FileChange>,
    clock: &dyn Clock,
) -> CommitRecord {
    let author = commit.author();
    CommitRecord {
        sha: commit.id().to_string(),
        parents: commit.parent_ids().map(|p| p.to_string()).collect(),
        subject: commit.summary().ok().flatten().unwrap_or("").to_owned(),
        author: format!(
            "{} <{}>",
            author.name().unwrap_or(""),
            author.email().unwrap_or("")
        ),
        committed_at: chrono::DateTime::from_timestamp(commit.time().seconds(), 0)
            .unwrap_or_default(),
        sessions,
        source,
        files,
        recorded_at: clock.now(),
    }
}

/// Appends what a commit consumed to each session's edit ledger.
pub fn write_consumption(
    state: &StateDir,
    sha: &str,
    consumed: &[Consumption],
    clock: &dyn Clock,
) -> Result<(), GitHookError> {
    for c in consumed {
        let line = EditLine::Consumed(ConsumedRecord {
            ts: clock.now(),
            commit: sha.to_owned(),
            path: c.path.clone(),
            hashes: if c.whole {
                Vec::new()
            } else {
                c.hashes.clone()
            },
        });
        append_json(&state.edits_file(&c.session), &line)?;
    }
    Ok(())
}
