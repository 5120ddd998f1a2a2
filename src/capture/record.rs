//! The records capture writes, one JSON object per line (ledgers) or per file (sessions,
//! commits). Field names are stable: other tools and later versions read them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::guard::check::GuardRecord;

/// `sessions/<id>.json`: what is known about one agent session in this worktree.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub session_id: String,
    pub agent: String,
    pub transcript_path: Option<String>,
    pub cwd: Option<String>,
    pub model: Option<String>,
    /// How the session started: startup, resume, clear, compact, fork.
    pub source: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub last_event_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<String>,
}

/// One line of `events/<session>.jsonl`, the append-only event ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    pub ts: DateTime<Utc>,
    /// The hook event name (`PreToolUse`, `Stop`, …).
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_use_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// The subagent the event came from (absent on the main thread).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_type: Option<String>,
    /// Repository-relative files the call named or changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// `Some(true)` after PostToolUse, `Some(false)` after PostToolUseFailure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_id: Option<String>,
    /// A one-line summary of the input (command, pattern, prompt start), clipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// PreToolUse: the key of the call (tool and input, 16 hex digits) that the loop breaker
    /// compares (absent when `vouch.guard` is `off`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_key: Option<String>,
    /// PreToolUse: the guard's check of the call (absent when `vouch.guard` is `off`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<GuardRecord>,
}

/// A line an agent wrote: its number in the file just after the edit and a hash of its text
/// (trailing whitespace ignored), so it is recognised in a commit even after lines around it moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRef {
    pub line: u32,
    pub hash: u64,
}

/// How much of a file an edit record covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditKind {
    /// The listed lines (Edit, Write, MultiEdit).
    Lines,
    /// The file changed as a whole, line detail unknown (Bash, NotebookEdit): every added line in
    /// it counts as the agent's until a commit consumes the file.
    WholeFile,
    /// The file was deleted.
    Deleted,
}

/// One line of `edits/<session>.jsonl`: the attribution ledger. Edits add pending lines; a
/// commit that contains them appends a `consumed` line so they stop matching later commits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EditLine {
    Edit(EditRecord),
    Consumed(ConsumedRecord),
}

/// Lines one tool call produced in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditRecord {
    pub ts: DateTime<Utc>,
    pub session_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    pub tool_use_id: String,
    pub tool: String,
    /// Repository-relative path with `/` separators.
    pub path: String,
    pub kind: EditKind,
    /// Lines added (in the file as it was right after the call).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineRef>,
    /// Lines removed by the call.
    #[serde(default)]
    pub removed: u32,
}

/// A commit took these lines of `path` (by hash); for `WholeFile` edits `hashes` is empty and the
/// whole file's pending state is consumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumedRecord {
    pub ts: DateTime<Utc>,
    pub commit: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::line_hash;

    #[test]
    fn edit_lines_round_trip_with_a_type_tag() {
        let line = EditLine::Consumed(ConsumedRecord {
            ts: DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            commit: "abc".into(),
            path: "src/a.rs".into(),
            hashes: vec![1, 2],
        });
        let text = serde_json::to_string(&line).unwrap();
        assert!(text.starts_with(r#"{"type":"consumed""#), "{text}");
        assert_eq!(serde_json::from_str::<EditLine>(&text).unwrap(), line);
        assert_eq!(line_hash("let x = 1;  \n"), line_hash("let x = 1;"));
    }
}
