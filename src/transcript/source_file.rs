//! One transcript file as discovery found it: where it is, which agent wrote it, the project and
//! session it belongs to, and the identity (size, mtime, inode) the index keys its scan by.

use std::path::PathBuf;

use super::agent::Agent;

/// What a transcript file holds within its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRole {
    /// The session's main transcript (Claude Code: `<project>/<session>.jsonl`).
    Main,
    /// A sub-agent's side chain (Claude Code: `agent-<id>.jsonl` beside the session or under
    /// `<session>/subagents/`).
    Agent { agent_id: String },
    /// Any other `.jsonl` under a session folder (workflow journals and the like).
    Other,
}

/// One transcript file and the identity the index keys it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The agent that wrote it, whose reader reads it.
    pub agent: Agent,
    pub path: PathBuf,
    /// The project it belongs to: for Claude Code, the name of the project folder (the encoded
    /// working directory).
    pub project: String,
    /// The session it belongs to, when the layout says so (legacy agent files learn it by scan).
    pub session_hint: Option<String>,
    pub role: FileRole,
    pub len: u64,
    pub mtime_ns: i64,
    pub inode: u64,
}
