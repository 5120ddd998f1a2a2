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
    /// A cost the agent wrote itself, when present: `costUSD` of Claude Code 1.0.8 and older,
    /// opencode's `cost`. It is the response's cost. In picodollars (kept narrow: a large corpus
    /// holds hundreds of thousands of entries).
    pub legacy_cost: Option<u64>,
}

/// A tool call seen in the file, with how it ended when its result is in the same file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolUse {
    /// Hash of its id (the id itself is in [`FileScan::call_ids`]).
    pub id: u64,
    /// Index into [`FileScan::tool_names`].
    pub name: u16,
    /// The key of the tool and its whole input (`repeats::key_of`): equal for equal calls.
    pub key: u64,
    /// Milliseconds since the epoch of the line that made it (0 when unknown).
    pub ts_ms: i64,
    /// Index into [`FileScan::paths`] of the file it worked on; [`NO_PATH`] when none.
    pub path: u32,
    /// The size in bytes of its result's text, when at least [`MEASURED_OUTPUT`]; else 0.
    pub output_bytes: u32,
    pub status: CallStatus,
    /// Made on a side chain written into the main file (Claude Code 2.0.27 and older).
    pub sidechain: bool,
}

/// [`ToolUse::path`] of a call without a file (or past the cap on paths kept).
pub const NO_PATH: u32 = u32::MAX;

/// Results whose line is shorter than this have their size not measured (their text is
/// smaller): measuring means decoding the line, and most results are small.
pub const MEASURED_OUTPUT: usize = 32 * 1024;

/// How a tool call ended, as its file records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallStatus {
    /// No result in the file (interrupted, still running, or the result is elsewhere).
    #[default]
    Pending,
    Ok,
    Failed,
}

/// What an Edit replaced and wrote (hashes of `old_string` and `new_string`), or a Write's
/// content (`old` 0), for one call in [`FileScan::tools`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EditHashes {
    pub call: u32,
    pub old: u64,
    pub new: u64,
}

/// A compaction of the context (`compact_boundary`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CompactionMark {
    pub ts_ms: i64,
    /// `auto` or `manual`.
    pub trigger: String,
    /// The context's size before, as recorded (`preTokens`).
    pub pre_tokens: u64,
    /// Characters of the summary that replaced the conversation.
    pub summary_chars: u64,
    /// The agent was in the middle of its work (its last step was a tool call or result), not
    /// between a finished answer and the next prompt.
    pub mid_work: bool,
}

/// How the file's main thread ended so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ending {
    /// The text of the last answer.
    pub last_answer: Option<String>,
    /// A typed prompt after which the model neither answered nor called a tool.
    pub open_prompt: Option<String>,
    /// The last step was a tool call or result (the agent was working).
    pub in_turn: bool,
    /// A compaction was read and its summary not yet.
    pub awaiting_summary: bool,
}

/// Everything the summary scan learned from one file.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct FileScan {
    pub session_id: Option<String>,
    pub agent_id: Option<String>,
    pub cwd: Option<String>,
    pub git_branch: Option<String>,
    /// Every permission mode the file records (`default`, `plan`, `acceptEdits`,
    /// `bypassPermissions`, …), in the order first seen.
    #[serde(default)]
    pub permission_modes: Vec<String>,
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
    /// The ids of [`FileScan::tools`], in their order, each followed by a newline.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub call_ids: String,
    /// Bash calls' commands (clipped, see `input_facts::COMMAND_BYTES`): (index into `tools`,
    /// end of the command in `command_text`), in call order. One text per file: a large index
    /// holds tens of thousands of commands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<(u32, u32)>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub command_text: String,
    /// Where searches looked (`path` of Grep, Glob, LS), by index into `tools`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub search_paths: Vec<(u32, String)>,
    /// Failed calls' error text (clipped), by index into `tools`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<(u32, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<EditHashes>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compaction_marks: Vec<CompactionMark>,
    #[serde(default)]
    pub ending: Ending,
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
        self.call_ids.shrink_to_fit();
        self.commands.shrink_to_fit();
        self.command_text.shrink_to_fit();
        self.edits.shrink_to_fit();
    }

    /// The command of the call at `index` of [`FileScan::tools`], if it ran one.
    pub fn command(&self, index: u32) -> Option<&str> {
        let at = self.commands.binary_search_by_key(&index, |c| c.0).ok()?;
        let start = at.checked_sub(1).map_or(0, |p| self.commands[p].1 as usize);
        self.command_text.get(start..self.commands[at].1 as usize)
    }

    /// Adds the command of the call at `index` (calls are added in order).
    pub fn push_command(&mut self, index: u32, command: &str) {
        self.command_text.push_str(command);
        let end = u32::try_from(self.command_text.len()).unwrap_or(u32::MAX);
        self.commands.push((index, end));
    }

    /// The ids of the tool calls, in the order of [`FileScan::tools`].
    pub fn call_ids(&self) -> impl Iterator<Item = &str> {
        self.call_ids.split_terminator('\n')
    }
}

#[cfg(test)]
mod tests {
    use super::FileScan;

    #[test]
    fn commands_are_found_by_their_call() {
        let mut scan = FileScan::default();
        scan.push_command(1, "cargo test");
        scan.push_command(4, "");
        scan.push_command(7, "git commit -m é");
        assert_eq!(scan.command(1), Some("cargo test"));
        assert_eq!(scan.command(4), Some(""));
        assert_eq!(scan.command(7), Some("git commit -m é"));
        assert_eq!(scan.command(2), None);
    }
}
