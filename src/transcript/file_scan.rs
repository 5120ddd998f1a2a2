//! The neutral result of reading one transcript file for lists and reports: what a session's
//! rows, usage figures and search need, whatever agent wrote the file. An agent's reader fills
//! it (and may resume it past [`FileScan::resume_offset`]); the session model and the index
//! cache read it.

use super::Diagnostic;
use crate::usage::Usage;

/// One API response after deduplication within its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Hash of `message.id` + `requestId`; 0 when the line had no message id (never merged).
    pub key: u128,
    /// Hash of `message.id` alone, for the side-chain replay rule.
    pub msg: u64,
    pub usage: Usage,
    /// Milliseconds since the epoch (0 when the line had no readable timestamp).
    pub ts_ms: i64,
    /// Index into [`FileScan::models`].
    pub model: u16,
    pub sidechain: bool,
    /// `costUSD` written by Claude Code 1.0.8 and older, when present.
    /// In picodollars (kept narrow: a large corpus holds hundreds of thousands of entries).
    pub legacy_cost: Option<u64>,
}

/// A tool call seen in the file: hash of its id and index into [`FileScan::tool_names`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolUse {
    pub id: u64,
    pub name: u16,
}

/// Everything the summary scan learned from one file.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct FileScan {
    pub session_id: Option<String>,
    pub agent_id: Option<String>,
    pub cwd: Option<String>,
    pub git_branch: Option<String>,
    pub version: Option<String>,
    pub slug: Option<String>,
    pub custom_title: Option<String>,
    pub ai_title: Option<String>,
    /// `summary` records: (leafUuid, text).
    pub summaries: Vec<(String, String)>,
    pub first_prompt: Option<String>,
    /// Typed prompts: hash of the record's uuid and the clipped text (a fork or an old-style
    /// resume copies earlier prompts with their uuids; they are counted once).
    #[serde(default)]
    pub prompts: Vec<(u64, String)>,
    pub last_uuid: Option<String>,
    /// Timestamp of the first line that has one, in file order: when the file was started
    /// (copied history in a fork carries older timestamps further down).
    #[serde(default)]
    pub first_line_ts_ms: Option<i64>,
    pub first_ts_ms: Option<i64>,
    pub last_ts_ms: Option<i64>,
    pub user_prompts: u32,
    pub api_errors: u32,
    pub compactions: u32,
    pub has_sidechain_lines: bool,
    /// Stored in binary by the index cache, not with the rest.
    #[serde(skip)]
    pub entries: Vec<Entry>,
    pub models: Vec<String>,
    #[serde(skip)]
    pub tools: Vec<ToolUse>,
    /// Hashes of the uuids of the user and assistant records read (stored in binary).
    #[serde(skip)]
    pub uuids: Vec<u64>,
    pub tool_names: Vec<String>,
    /// Files the tool calls worked on (`input.file_path`), first use first, without repeats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    pub warnings: Vec<Diagnostic>,
    pub warnings_dropped: u32,
    /// Lines read so far.
    pub lines: u64,
    /// Where an incremental re-read resumes: just past the last line that was fully processed.
    pub resume_offset: u64,
}

impl FileScan {
    /// Drops the spare capacity of the per-line lists: an index build holds every file's scan
    /// until it is written, and growth slack was a quarter of a cold build's peak memory.
    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
        self.tools.shrink_to_fit();
        self.uuids.shrink_to_fit();
        self.prompts.shrink_to_fit();
        self.paths.shrink_to_fit();
    }
}
