//! `commit-msg`: names the sessions whose pending edits are in the staged files with a
//! `Vouch-Session:` trailer per session. Merges are skipped; running twice changes nothing.

use std::path::Path;
use std::process::Command;

use git2::Repository;

use super::GitHookError;
use crate::capture::commit_record::sessions_in;
use crate::capture::diff::{commit_index, staged_diff};
use crate::capture::pending::Pending;
use crate::capture::state::StateDir;

/// The trailer key.
pub const TRAILER: &str = "Vouch-Session";

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
    add_trailer(&state.repo.worktree, message_file, &missing)
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

/// Appends `Vouch-Session: <id>` trailers with `git interpret-trailers`, which knows where the
/// trailer block is (comments, `--verbose` scissors, existing trailers).
pub fn add_trailer(
    worktree: &Path,
    message_file: &Path,
    sessions: &[&String],
) -> Result<(), GitHookError> {
    let mut cmd = Command::new("git");
    cmd.current_dir(worktree).args([
        "interpret-trailers",
        "--in-place",
        "--if-exists",
        "addIfDifferent",
    ]);
    for s in sessions {
        cmd.arg("--trailer").arg(format!("{TRAILER}: {s}"));
    }
    let out = cmd.arg(message_file).output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(GitHookError::Usage(format!(
            "git interpret-trailers failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Session ids named by `Vouch-Session:` trailers in a message (lines of the last paragraph).
pub fn trailer_sessions(message: &str) -> Vec<String> {
    let prefix = format!("{TRAILER}:");
    let mut out: Vec<String> = message
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix(&prefix))
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::trailer_sessions;

    #[test]
    fn reads_trailers() {
        let msg = "Fix it\n\nBody\n\nVouch-Session: b\nSigned-off-by: x\nVouch-Session: a, c\n# Vouch-Session: z\n";
        assert_eq!(trailer_sessions(msg), ["a", "b", "c"]);
        assert!(trailer_sessions("no trailers").is_empty());
    }
}
