//! Git hook handlers: `commit-msg` adds the session trailer, `post-commit` records the commit and
//! consumes the edits it took, `post-rewrite` carries sessions over amend and rebase. `pre-push`
//! is handed to a [`PrePush`] handler from the layer above (the push pipeline, in the `push`
//! module): capture only records, but every hook, pre-push included, runs inside the same panic guard.
//!
//! A handler never fails git: problems, panics included (see [`super::hook_panic`]), are logged
//! to the state folder and the hook exits 0; only a deliberate pre-push refusal exits 1. A
//! foreign hook that `init` found in place runs after ours with the same arguments and the same
//! stdin bytes, and its exit code is git's answer.

mod chain;
mod commit_msg;
mod post_commit;
mod rewrite;

use std::io::Read;
use std::path::Path;

use super::hook_panic::{self, Notice};
use super::state::StateDir;
use crate::clock::Clock;

/// Whether the push goes on (the other hooks always continue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Continue,
    /// Refused, with the message already given to the person.
    Refuse,
}

/// What pre-push does with the pushed refs. Capture does not know: the push pipeline above it
/// implements this, and the hook entry point hands it in.
pub trait PrePush {
    /// Handles one pre-push run: `args` are git's (remote name and URL), `stdin` its ref lines.
    fn pre_push(
        &self,
        state: &StateDir,
        repo: &git2::Repository,
        args: &[String],
        stdin: &[u8],
        clock: &dyn Clock,
    ) -> Result<Verdict, GitHookError>;
}

/// Git hooks whose stdin carries data (the rest inherit git's stdin untouched).
const STDIN_HOOKS: [&str; 2] = ["pre-push", "post-rewrite"];
/// Largest stdin read from git (ref lists are small; this guards against a stuck pipe).
const STDIN_CAP: u64 = 64 * 1024 * 1024;

/// Handles one git hook; returns the exit code for git.
///
/// `pre_push` handles pre-push (`None`: pre-push only chains). Only pre-push ever refuses (exit
/// 1): a push aborted in review, or `vouch.review required` without a reviewed attestation. The
/// chained hook then does not run.
/// A panic in our handler is logged and the chained hook still runs.
pub fn run(
    name: &str,
    args: &[String],
    chain: Option<&Path>,
    pre_push: Option<&dyn PrePush>,
    clock: &dyn Clock,
) -> u8 {
    let stdin = STDIN_HOOKS.contains(&name).then(|| {
        let mut buf = Vec::new();
        let _ = std::io::stdin().take(STDIN_CAP).read_to_end(&mut buf);
        buf
    });
    let context = format!("git {name}");
    let ours = hook_panic::catch(&context, Notice::GitHook(name), clock, || {
        hook_panic::test_trigger(name);
        let state = std::env::current_dir()
            .ok()
            .and_then(|d| StateDir::discover(&d))?;
        let input = stdin.as_deref().unwrap_or_default();
        match handle(&state, name, args, input, pre_push, clock) {
            Ok(verdict) => Some(verdict),
            Err(e) => {
                state.log_error(clock.now(), &context, &e.to_string());
                None
            }
        }
    });
    if let Some(Some(Verdict::Refuse)) = ours {
        return 1;
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
    #[error(transparent)]
    Trailer(#[from] crate::capture::trailer::TrailerError),
    #[error("{0}")]
    Usage(String),
}

fn handle(
    state: &StateDir,
    name: &str,
    args: &[String],
    stdin: &[u8],
    pre_push: Option<&dyn PrePush>,
    clock: &dyn Clock,
) -> Result<Verdict, GitHookError> {
    let repo = git2::Repository::open(&state.repo.worktree)?;
    match name {
        "commit-msg" => {
            let file = args
                .first()
                .ok_or_else(|| GitHookError::Usage("commit-msg without a message file".into()))?;
            commit_msg::run(state, &repo, Path::new(file)).map(|()| Verdict::Continue)
        }
        "post-commit" => post_commit::run(state, &repo, clock).map(|()| Verdict::Continue),
        "post-rewrite" => rewrite::run(state, &repo, stdin, clock).map(|()| Verdict::Continue),
        "pre-push" => match pre_push {
            Some(handler) => handler.pre_push(state, &repo, args, stdin, clock),
            None => Ok(Verdict::Continue),
        },
        _ => Ok(Verdict::Continue),
    }
}
