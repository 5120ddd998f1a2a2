//! Evidence: one versioned document per pushed range, built from git (the commits and their
//! changes), the capture records (which sessions made which lines) and the session transcripts
//! (agent, models, usage and cost, tools, subagents), redacted before it goes anywhere. Its JSON
//! Schema is `assets/evidence.schema.json`; `chainloop` converts it to chainloop's
//! `CHAINLOOP_AI_CODING_SESSION` documents.

pub mod actions;
pub mod build;
pub mod chainloop;
pub mod chainloop_config;
pub mod guard;
pub mod policy_report;
pub mod range;
pub mod sessions;
pub mod single;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use build::{build_evidence, build_for};
pub use policy_report::PolicyReport;
pub use single::build_for_session;

/// The schema version written into every document.
pub const SCHEMA_VERSION: &str = "git-vouch.evidence/v0.1";
/// The JSON Schema of the document.
pub const JSON_SCHEMA: &str = include_str!("../assets/evidence.schema.json");

/// Errors building evidence.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("not inside a git repository: {0}")]
    NotARepository(String),
    #[error("unknown revision '{0}'")]
    UnknownRevision(String),
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    #[error("{0}")]
    Session(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub use crate::fingerprint::hex;

/// The evidence document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub schema_version: String,
    pub generated_at: DateTime<Utc>,
    pub producer: Producer,
    pub repository: Repository,
    pub range: RangeInfo,
    pub commits: Vec<CommitEvidence>,
    pub sessions: Vec<SessionEvidence>,
    pub totals: Totals,
    /// Redactions applied to the document's strings, by rule.
    pub redactions: BTreeMap<String, u64>,
    pub warnings: Vec<String>,
    /// Policy results, when policies were checked before signing (pre-push, review).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<PolicyReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Producer {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repository {
    /// Folder name of the worktree (never the full local path).
    pub name: String,
    pub branch: Option<String>,
    pub remote: Option<String>,
    /// The remote URL with any credentials removed.
    pub remote_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeInfo {
    pub spec: String,
    pub base: Option<String>,
    pub tip: String,
    pub tip_tree: String,
    pub commit_count: usize,
    /// The id of the range's whole change (`base` to `tip`) wherever it is applied, and each
    /// file's: how a squash merge of the range is recognised ([`crate::git::change_id`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub file_changes: BTreeMap<String, String>,
}

/// One commit of the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitEvidence {
    pub sha: String,
    pub parents: Vec<String>,
    pub subject: String,
    pub author: String,
    pub committed_at: DateTime<Utc>,
    pub sessions: Vec<String>,
    /// `recorded`, `trailer`, `inferred` or `none`.
    pub attribution_source: String,
    pub files: Vec<FileEvidence>,
    /// The id of the commit's change wherever it is applied: how a rebased copy is recognised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
}

/// One file of a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEvidence {
    pub path: String,
    pub old_path: Option<String>,
    /// added, modified, deleted, renamed, copied, typechange.
    pub status: String,
    pub lines_added: u32,
    pub lines_removed: u32,
    pub ai_lines_added: u32,
    /// Only a capture record (the hooks saw the commit) says a person wrote a line.
    pub human_lines_added: u32,
    pub ai_line_ranges: Vec<[u32; 2]>,
    pub human_line_ranges: Vec<[u32; 2]>,
    /// Added lines of unknown author: no capture record, and (where sessions are tied by a
    /// trailer) not matched to what they wrote. Absent from documents made before it was added.
    #[serde(default)]
    pub unknown_lines_added: u32,
    #[serde(default)]
    pub unknown_line_ranges: Vec<[u32; 2]>,
}

/// Token counts and cost.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageEvidence {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_write_5m_tokens: u64,
    pub cache_write_1h_tokens: u64,
    pub cache_read_tokens: u64,
    pub total_tokens: u64,
    /// Exact decimal string of US dollars; `null` when a model had no price.
    pub cost_usd: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelEvidence {
    pub model: String,
    pub requests: u64,
    pub usage: UsageEvidence,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolEvidence {
    pub name: String,
    pub calls: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubagentEvidence {
    pub id: String,
    pub kind: String,
    pub agent_type: Option<String>,
    pub description: Option<String>,
    pub usage: UsageEvidence,
    pub children: Vec<Self>,
}

/// sha256 of an archived transcript file, so the full transcript can be checked later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptDigest {
    /// Path relative to the session's transcript folder.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// One agent session that produced commits of the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionEvidence {
    pub id: String,
    pub agent: Producer,
    pub title: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i64>,
    pub git_branch: Option<String>,
    /// Every permission mode the session ran in, as its transcript records them (`default`,
    /// `plan`, `acceptEdits`, `bypassPermissions`, …); empty when it records none.
    #[serde(default)]
    pub permission_modes: Vec<String>,
    pub models: Vec<ModelEvidence>,
    pub usage: UsageEvidence,
    pub tools: Vec<ToolEvidence>,
    pub subagents: Vec<SubagentEvidence>,
    pub user_prompts: u64,
    pub assistant_messages: u64,
    pub commits: Vec<String>,
    pub transcripts: Vec<TranscriptDigest>,
    pub warnings: Vec<String>,
    /// Commands run and files read or edited, in the order the agent made the calls.
    #[serde(default)]
    pub actions: Vec<ActionEvidence>,
    /// What the guard decided about the session's tool calls (absent when it checked none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<guard::GuardEvidence>,
    /// What went wrong in the session and its health (`git vouch insights`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insights: Option<crate::insights::Insights>,
    /// What `git vouch record` recorded of it (absent when it did not): `usage` above counts
    /// the recorded calls the transcript lacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<RecordingEvidence>,
    /// What governed the agent as the session (last) started: instruction files, settings,
    /// MCP servers, agents, commands and skills, as digests (absent when the hooks did not
    /// record it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_config: Option<crate::capture::agent_config::AgentConfig>,
}

impl SessionEvidence {
    /// The mode the session started in, from its agent's command line, where its transcript
    /// records none (`agent_config.launch_mode`).
    pub fn launch_mode(&self) -> Option<&str> {
        self.agent_config.as_ref()?.launch_mode.as_deref()
    }

    /// How the session ran with its agent's permission checks bypassed, in words, if it did: a
    /// mode its transcript records, or the mode it started in (see
    /// [`crate::session::permission::BYPASS_MODES`]). The policy `no-bypass-permissions` holds
    /// the same facts.
    pub fn permissions_bypassed(&self) -> Option<String> {
        use crate::session::permission::bypasses;
        if self.permission_modes.iter().any(|m| bypasses(m)) {
            Some(format!("ran in {}", self.permission_modes.join(", ")))
        } else {
            let mode = self.launch_mode().filter(|m| bypasses(m))?;
            Some(format!("started in {mode} (its command line)"))
        }
    }
}

/// A session's recording as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingEvidence {
    pub recorded: CallsEvidence,
    pub transcript: CallsEvidence,
    pub not_in_transcript: Vec<MissingCallEvidence>,
}

/// Calls and their usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallsEvidence {
    pub calls: u64,
    pub usage: UsageEvidence,
}

/// A recorded call the transcript does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingCallEvidence {
    pub at: DateTime<Utc>,
    pub kind: crate::session::recorded::CallKind,
    pub model: String,
    pub request_id: Option<String>,
    pub usage: UsageEvidence,
}

/// One Bash command, file read or file edit of a session. Paths inside the repository are
/// relative to it; in commands the repository's own folder is written `<repo>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionEvidence {
    /// Position among all of the session's tool calls (by start time), from 0.
    pub seq: u64,
    /// `command`, `read` or `edit`.
    pub kind: String,
    pub tool: String,
    pub command: Option<String>,
    pub path: Option<String>,
    /// `ok`, `failed` or `pending`.
    pub status: String,
    /// The sub-agent that made the call; `null` on the main thread.
    pub agent_id: Option<String>,
}

/// Totals over the range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub commits: usize,
    pub agent_commits: usize,
    pub sessions: usize,
    pub lines_added: u64,
    pub ai_lines_added: u64,
    pub human_lines_added: u64,
    /// Added lines of unknown author (see [`FileEvidence::unknown_lines_added`]).
    #[serde(default)]
    pub unknown_lines_added: u64,
    pub usage: UsageEvidence,
}
