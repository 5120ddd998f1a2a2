//! `git vouch blame`: `git blame`'s lines, each with who wrote it. A line's commit is the one
//! `git blame -M -C` names (moved and copied lines keep their first commit); its author is the
//! agent session (with the tool call and the prompt behind the edit) or the person that the
//! commit's capture record names when the hooks saw the commit, else it is found by matching the
//! lines the repository's sessions wrote, and said so. Only a record says a person wrote a line.

mod local;
pub(crate) mod resolve;
mod why;
pub(crate) mod writings;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::session::SessionSummary;
use crate::session::detail::{Conversation, SessionDetail, ThreadRef};

pub use local::LocalReader;
pub use resolve::blame_file;
pub use why::{CallStory, Why, WhyEntry, WhyPrompt, call_story, why};
pub use writings::{Prompt, Writings};

/// The JSON schema name of `git vouch blame --json`.
pub const BLAME_SCHEMA: &str = "git-vouch/blame@1";

/// Where blame reads sessions from: the catalog, and each session's transcript.
pub trait SessionReader: Sync {
    fn sessions(&self) -> &[SessionSummary];
    /// The session's detail and its main conversation.
    fn read(&self, s: &SessionSummary) -> (SessionDetail, Conversation);
    /// One thread of the session (a sub-agent's, for a line it wrote).
    fn thread(&self, s: &SessionSummary, thread: ThreadRef<'_>) -> Conversation;
}

/// Why blame could not run.
#[derive(Debug, thiserror::Error)]
pub enum BlameError {
    #[error("not inside a git repository: {0}")]
    NotARepository(String),
    #[error("{0} is outside the repository at {1}")]
    OutsideRepository(String, String),
    #[error("line {line} is past the end of {path} ({lines} lines)")]
    NoSuchLine {
        path: String,
        line: u32,
        lines: usize,
    },
    #[error(transparent)]
    Git(#[from] crate::git::GitError),
    #[error("git: {0}")]
    Libgit(#[from] git2::Error),
    #[error(transparent)]
    Range(#[from] crate::evidence::EvidenceError),
}

/// A file's lines with who wrote each.
#[derive(Debug, Clone, Serialize)]
pub struct Blame {
    pub schema: &'static str,
    /// Relative to the repository's top.
    pub path: String,
    /// The commit blamed, or `None` for the working tree.
    pub rev: Option<String>,
    pub lines: Vec<BlameLine>,
    /// Every commit a line comes from, newest first.
    pub commits: Vec<BlameCommit>,
    /// Every session a line comes from, with the prompts behind its lines.
    pub sessions: Vec<BlameSession>,
    pub totals: BlameTotals,
    pub warnings: Vec<String>,
}

/// Who wrote a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineAuthor {
    Agent,
    /// Only from a capture record.
    Human,
    Unknown,
}

/// How a line's author was told: the capture record of its commit, or matching what sessions
/// wrote (a line matching nothing is then unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Recorded,
    Matched,
}

/// One line.
#[derive(Debug, Clone, Serialize)]
pub struct BlameLine {
    pub line: u32,
    pub text: String,
    /// `None` for a line not committed yet.
    pub commit: Option<String>,
    /// Where the line was in its commit (a moved line had another number or file).
    pub orig_path: String,
    pub orig_line: u32,
    pub author: LineAuthor,
    pub basis: Basis,
    /// For an agent's line: the session, its tool call that wrote the line, and the number of
    /// the prompt that call answered, when known.
    pub session: Option<String>,
    pub tool_use_id: Option<String>,
    pub prompt: Option<usize>,
}

/// One commit lines come from.
#[derive(Debug, Clone, Serialize)]
pub struct BlameCommit {
    pub sha: String,
    pub subject: String,
    pub author: String,
    pub committed_at: Option<DateTime<Utc>>,
    /// The hooks recorded which of its lines an agent wrote.
    pub recorded: bool,
    /// Sessions its record or its `Vouch-Session` trailer credit.
    pub sessions: Vec<String>,
}

/// One session lines come from.
#[derive(Debug, Clone, Serialize)]
pub struct BlameSession {
    pub id: String,
    pub agent: String,
    pub agent_version: Option<String>,
    pub title: Option<String>,
    pub models: Vec<String>,
    /// The prompts behind the file's lines, by number.
    pub prompts: Vec<BlamePrompt>,
    /// Whether its transcript was found: without it, its lines name no tool call or prompt.
    pub transcript: bool,
}

/// A prompt behind some lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlamePrompt {
    pub number: usize,
    pub at: Option<DateTime<Utc>>,
    pub text: String,
    /// Lines of the file it led to.
    pub lines: u32,
}

/// Lines by author.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BlameTotals {
    pub lines: u32,
    pub agent: u32,
    pub human: u32,
    pub unknown: u32,
    pub not_committed: u32,
}

impl Blame {
    /// The line numbered `n`.
    pub fn line(&self, n: u32) -> Option<&BlameLine> {
        self.lines.iter().find(|l| l.line == n)
    }

    pub fn session(&self, id: &str) -> Option<&BlameSession> {
        self.sessions.iter().find(|s| s.id == id)
    }

    pub fn commit(&self, sha: &str) -> Option<&BlameCommit> {
        self.commits.iter().find(|c| c.sha == sha)
    }
}

#[cfg(test)]
mod tests;
