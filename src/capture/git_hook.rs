//! Git hook handlers: `commit-msg` adds the session trailer, `post-commit` records the commit and
//! consumes the edits it took, `post-rewrite` carries sessions over amend and rebase, `pre-push`
//! computes exactly what is being pushed.
//!
//! A handler never fails git: problems are logged to the state folder and the hook exits 0. The
//! one exception is `git config vouch.policy enforce`, under which pre-push refuses a push that
//! violates the repository's policies. A foreign hook that `init` found in place runs after ours
//! with the same arguments and the same stdin bytes, and its exit code is git's answer.

mod attach;
mod chain;
mod commit_msg;
mod policy_gate;
mod post_commit;
mod pre_push;
mod rewrite;

use std::io::Read;
use std::path::Path;

use super::state::StateDir;
use crate::clock::Clock;

pub use commit_msg::{TRAILER, add_trailer, trailer_sessions};
pub use pre_push::{PushRef, PushedRef, pushed_commits};

/// Git hooks whose stdin carries data (the rest inherit git's stdin untouched).
const STDIN_HOOKS: [&str; 2] = ["pre-push", "post-rewrite"];
/// Largest stdin read from git (ref lists are small; this guards against a stuck pipe).
const STDIN_CAP: u64 = 64 * 1024 * 1024;

/// Handles one git hook; returns the exit code for git.
pub fn run(name: &str, args: &[String], chain: Option<&Path>, clock: &dyn Clock) -> u8 {
    let stdin = STDIN_HOOKS.contains(&name).then(|| {
        let mut buf = Vec::new();
        let _ = std::io::stdin().take(STDIN_CAP).read_to_end(&mut buf);
        buf
    });
    if let Some(state) = std::env::current_dir()
        .ok()
        .and_then(|d| StateDir::discover(&d))
    {
        let input = stdin.as_deref().unwrap_or_default();
        match handle(&state, name, args, input, clock) {
            Ok(0) => {}
            // Refused by policy: git stops the push; a chained hook has nothing left to decide.
            Ok(code) => return code,
            Err(e) => state.log_error(clock.now(), &format!("git {name}"), &e.to_string()),
        }
    }
    match chain {
        Some(hook) => chain::run(hook, args, stdin.as_deref()),
        None => 0,
    }
}

/// Errors inside a handler (logged, never shown to git as a failure).
#[derive(Debug, thiserror::Error)]
pub enum GitHookError {
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
}

/// Runs the handler; `Ok(code)` is non-zero only when a push is refused by policy.
fn handle(
    state: &StateDir,
    name: &str,
    args: &[String],
    stdin: &[u8],
    clock: &dyn Clock,
) -> Result<u8, GitHookError> {
    let repo = git2::Repository::open(&state.repo.worktree)?;
    if name == "pre-push" {
        return pre_push::run(state, &repo, args, stdin, clock);
    }
    match name {
        "commit-msg" => {
            let file = args
                .first()
                .ok_or_else(|| GitHookError::Usage("commit-msg without a message file".into()))?;
            commit_msg::run(state, &repo, Path::new(file))
        }
        "post-commit" => post_commit::run(state, &repo, clock),
        "post-rewrite" => rewrite::run(state, &repo, stdin, clock),
        _ => Ok(()),
    }
    .map(|()| 0)
}
