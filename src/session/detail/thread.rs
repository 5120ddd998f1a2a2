//! Sub-agent threads: agent files (with their `meta.json` sidecars) and the inline side chains
//! of old main files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Open;
use crate::transcript::record::{Block, Record, UserLine};

/// `agent-<id>.meta.json` beside an agent file.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub agent_type: Option<String>,
    pub description: Option<String>,
    pub tool_use_id: Option<String>,
    pub spawn_depth: Option<u64>,
}

/// A sub-agent thread: an agent file, or an inline side chain of an old main file.
#[derive(Debug, Clone)]
pub struct Thread {
    pub id: String,
    pub path: PathBuf,
    pub first_at: Option<DateTime<Utc>>,
    /// The text of its root user line (the Task prompt).
    pub prompt: Option<String>,
    pub meta: Option<Meta>,
}

/// The inline side chain a line of an old main file belongs to: its root line's thread.
pub fn inline_thread(r: &Record, sidechain: &mut HashMap<String, String>) -> String {
    let parent = r.parent_uuid.as_ref().and_then(|p| sidechain.get(p));
    let id = parent.cloned().unwrap_or_else(|| {
        let root = r.uuid.as_deref().unwrap_or("");
        let short: String = root.chars().take(8).collect();
        if short.is_empty() {
            format!("sidechain-line{}", r.line)
        } else {
            format!("sidechain-{short}")
        }
    });
    if let Some(uuid) = &r.uuid {
        sidechain.insert(uuid.clone(), id.clone());
    }
    id
}

/// The typed text of a user line (not a tool result).
pub fn prompt_of(u: &UserLine) -> Option<String> {
    if u.content
        .iter()
        .any(|b| matches!(b, Block::ToolResult { .. }))
    {
        return None;
    }
    u.content.iter().find_map(|b| match b {
        Block::Text(t) => Some(t.clone()),
        _ => None,
    })
}

/// The agent id of an `agent-<id>.jsonl` file.
pub fn agent_of(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    stem.strip_prefix("agent-")
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

/// Reads the `.meta.json` sidecar of an agent file, when there is one.
pub fn read_meta(path: &Path, open: &Open<'_>) -> Option<Meta> {
    let meta_path = path.with_extension("meta.json");
    let value: Value = serde_json::from_reader(open(&meta_path).ok()?).ok()?;
    let s = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_owned);
    Some(Meta {
        agent_type: s("agentType"),
        description: s("description"),
        tool_use_id: s("toolUseId"),
        spawn_depth: value.get("spawnDepth").and_then(Value::as_u64),
    })
}
