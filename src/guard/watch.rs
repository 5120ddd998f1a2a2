//! Approvals from the terminal: a call the guard would ask about is held by the PreToolUse hook
//! and shown to the person at `git vouch watch`, who allows it once, denies it with a reason for
//! the agent, or hands it to Claude Code's own prompt.
//!
//! The two meet on a Unix socket in the repository's state folder (`<git-dir>/vouch/watch.sock`;
//! a path too long for a socket moves to a private folder under the temporary folder). The
//! watcher creates it owner-only; each side checks that the other runs as the same user (the
//! kernel's peer credentials), so nobody else on the machine can answer, or read, a held call.
//! One JSON line each way: the hook sends a [`Held`], the watcher answers with a [`Reply`]. The
//! hook waits at most its configured time (`vouch.guardWait`, bounded well inside the hook
//! timeout `init` sets) and then decides as if nobody watched: no watcher, a watcher that closes
//! or never answers, or a garbled answer all end in the guard's own decision, said in the record.

mod peer;
mod socket;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::decide::Verdict;
use super::rules::{Category, Level};

pub use peer::own_uid;
pub use socket::{Incoming, Watcher, hold, is_attached};

/// The version of the lines both sides write.
pub const PROTOCOL: u32 = 1;
/// How long the hook holds a call by default (`git config vouch.guardWait SECONDS`).
pub const DEFAULT_WAIT_SECS: u64 = 60;
/// The PreToolUse hook's timeout that `init` writes into Claude Code's settings, in seconds.
pub const HOOK_TIMEOUT_SECS: u64 = 300;
/// The longest hold: well inside the hook's timeout, after which Claude Code would go on without
/// the guard's decision.
pub const MAX_WAIT_SECS: u64 = HOOK_TIMEOUT_SECS - 30;
/// The git config key of the wait.
pub const WAIT_KEY: &str = "vouch.guardWait";
/// Longest socket path the platforms accept, with room to spare (`sun_path` is 104 or 108 bytes).
const MAX_SOCKET_PATH: usize = 100;

/// A call held for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub protocol: u32,
    pub session_id: String,
    /// The sub-agent that made the call; `None` on the main thread.
    pub agent_id: Option<String>,
    pub tool: String,
    pub tool_use_id: Option<String>,
    pub cwd: Option<String>,
    /// The tool's input, secrets redacted.
    pub input: Value,
    pub level: Level,
    pub categories: Vec<Category>,
    pub rules: Vec<String>,
    /// The guard's reason, as the person and the agent would read it.
    pub reason: Option<String>,
    /// What the hook answers when nobody does in time.
    pub fallback: Verdict,
    /// How long the hook waits, in seconds.
    pub wait_secs: u64,
}

/// What the person chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Let this call run, once.
    Allow,
    /// Refuse it, with a reason the agent reads.
    Deny,
    /// Hand it to Claude Code's own permission prompt.
    Prompt,
}

impl Answer {
    /// The words for it in every screen and command.
    pub fn label(self) -> &'static str {
        match self {
            Self::Allow => "allowed",
            Self::Deny => "denied",
            Self::Prompt => "handed to Claude Code's prompt",
        }
    }
}

/// The watcher's answer to a held call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub answer: Answer,
    /// Why, for the agent (a denial's reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who answered (the watcher's user name).
    pub by: String,
}

/// What the ledger keeps of a hold (`guard.held` on the PreToolUse line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    /// The person's answer; `None` when none came (see `error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The reason the person gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Why no answer came: the watcher closed, never answered in time, or answered garbage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How long the call was held, in milliseconds.
    pub waited_ms: u64,
}

/// Why a hold ended without an answer, or a watcher could not start.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("no watcher is attached")]
    NoWatcher,
    #[error("nobody answered within {0} s")]
    NoAnswer(u64),
    #[error("the watcher closed without answering")]
    Closed,
    #[error("the other side of {} runs as user {found}, not {own}", path.display())]
    Peer { path: PathBuf, found: u32, own: u32 },
    #[error("unreadable line from the other side: {0}")]
    Garbled(String),
    #[error("another `git vouch watch` is already attached at {}", .0.display())]
    AlreadyWatched(PathBuf),
    #[error("{} is not a private folder (owner {owner}, mode {mode:o}); remove it", path.display())]
    UnsafeFolder {
        path: PathBuf,
        owner: u32,
        mode: u32,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Where the watcher of the repository whose state folder is `state_root` listens.
pub fn socket_path(state_root: &Path) -> PathBuf {
    let direct = state_root.join("watch.sock");
    if direct.as_os_str().len() <= MAX_SOCKET_PATH {
        return direct;
    }
    let hash = super::rules::fnv1a(state_root.as_os_str().as_encoded_bytes());
    private_folder().join(format!("{hash:016x}.sock"))
}

/// The folder for sockets whose direct path is too long: `<temp>/git-vouch-<uid>`.
pub fn private_folder() -> PathBuf {
    std::env::temp_dir().join(format!("git-vouch-{}", own_uid()))
}

/// The wait for a `vouch.guardWait` value: the default when unset or unreadable, bounded by
/// [`MAX_WAIT_SECS`]; 0 turns holding off.
pub fn wait_for(value: Option<&str>) -> Duration {
    let secs = value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_WAIT_SECS)
        .min(MAX_WAIT_SECS);
    Duration::from_secs(secs)
}

#[cfg(test)]
mod tests;
