//! `commit-msg`: names the sessions whose pending edits are in the staged files with a
//! `Vouch-Session:` trailer per session. Merges are skipped; running twice changes nothing.

use std::path::Path;

use git2::Repository;

use super::GitHookError;
use crate::capture::commit_record::sessions_in;
use crate::capture::pending::Pending;
use crate::capture::state::StateDir;
use crate::capture::trailer::{add_trailer, trailer_sessions};
use crate::git::diff::{commit_index, staged_diff};

pub fn run(state: &StateDir, repo: &Repository, message_file: &Path) -> Result<(), GitHookError> {
    if state.repo.git_dir.join("MERGE_HEAD").exists() {
        return Ok(());
    }
    let pending = Pending::load(state);
    let mut sessions = amended_sessions(state, repo);
    if !pending.sessions.is_empty() {
        let index = commit_index(repo, &crate::config::ProcessEnv)?;
        sessions.extend(sessions_in(&staged_diff(repo, &index)?, &pending));
    }
    sessions.sort();
    sessions.dedup();
    if sessions.is_empty() {
        return Ok(());
    }
    let message = std::fs::read_to_string(message_file)?;
    let present = trailer_sessions(&message);
    let missing: Vec<&String> = sessions.iter().filter(|s| !present.contains(s)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Ok(add_trailer(&state.repo.worktree, message_file, &missing)?)
}

/// `git commit --amend` replaces HEAD: its sessions stay credited even when the new message
/// drops the trailer. Git gives hooks no amend flag, but when amending it exports HEAD's author
/// date as `GIT_AUTHOR_DATE=@<seconds> <zone>`.
fn amended_sessions(state: &StateDir, repo: &Repository) -> Vec<String> {
    let Some(head) = repo.head().ok().and_then(|h| h.peel_to_commit().ok()) else {
        return Vec::new();
    };
    let author_secs = std::env::var("GIT_AUTHOR_DATE").ok().and_then(|d| {
        d.strip_prefix('@')?
            .split_whitespace()
            .next()?
            .parse::<i64>()
            .ok()
    });
    if author_secs != Some(head.author().when().seconds()) || parent_says_not_amend() {
        return Vec::new();
    }
    let record: Option<crate::capture::commit_record::CommitRecord> =
        crate::capture::state::read_json(&state.commit_file(&head.id().to_string()))
            .ok()
            .flatten();
    let mut sessions = trailer_sessions(head.message().unwrap_or(""));
    sessions.extend(record.map(|r| r.sessions).unwrap_or_default());
    sessions
}

/// A new commit made in the same second as HEAD has the same author date, so where the parent
/// `git` process's arguments can be read (Linux `/proc`), they settle it.
fn parent_says_not_amend() -> bool {
    let cmdline = std::fs::read(format!(
        "/proc/{}/cmdline",
        std::os::unix::process::parent_id()
    ));
    cmdline.is_ok_and(|c| !c.split(|b| *b == 0).any(|arg| arg == b"--amend"))
}
