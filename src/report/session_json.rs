//! The `show --json` document, schema `git-vouch/session@1`: the session row of `sessions --json`
//! plus per-model usage, tool calls and their stats, the sub-agent tree, files touched, commits
//! and warnings. Field names are snake_case; money is an exact decimal string; times are RFC 3339.

use serde_json::{Value, json};

use super::json::{session_row, tokens, usd};
use crate::session::ModelUsage;
use crate::session::detail::{
    AgentCommit, FileTouch, Hunk, SessionDetail, SubagentNode, ToolCall, ToolStat, ToolStatus,
};

pub const SESSION_SCHEMA: &str = "git-vouch/session@1";

/// The whole document.
pub fn session_doc(d: &SessionDetail) -> Value {
    json!({
        "schema": SESSION_SCHEMA,
        "session": session_row(&d.summary),
        "models": d.summary.models.iter().map(model).collect::<Vec<_>>(),
        "tools": d.tool_stats().iter().map(tool_stat).collect::<Vec<_>>(),
        "tool_calls": d.tool_calls.iter().map(tool_call).collect::<Vec<_>>(),
        "subagents": d.subagents.iter().map(subagent).collect::<Vec<_>>(),
        "files": d.files.iter().map(file).collect::<Vec<_>>(),
        "commits": d.commits.iter().map(commit).collect::<Vec<_>>(),
        "warnings": d.warning_lines(),
    })
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339()))
}

fn model(m: &ModelUsage) -> Value {
    json!({
        "model": m.model,
        "messages": m.messages,
        "tokens": tokens(&m.tokens),
        "cost_usd": m.cost.map(usd),
    })
}

fn tool_stat(s: &ToolStat) -> Value {
    json!({
        "name": s.name,
        "calls": s.calls,
        "failed": s.failed,
        "pending": s.pending,
        "median_duration_ms": s.median_ms,
    })
}

fn tool_call(c: &ToolCall) -> Value {
    let error = match &c.status {
        ToolStatus::Failed { error } => Some(error.as_str()),
        _ => None,
    };
    json!({
        "id": c.id,
        "name": c.name,
        "input_summary": c.input_summary,
        "agent_id": c.agent_id,
        "started": time(c.started),
        "finished": time(c.finished),
        "duration_ms": c.duration_ms,
        "status": c.status.as_str(),
        "error": error,
    })
}

fn subagent(n: &SubagentNode) -> Value {
    json!({
        "agent_id": n.agent_id,
        "kind": n.kind.as_str(),
        "agent_type": n.agent_type,
        "description": n.description,
        "tool_use_id": n.tool_use_id,
        "started": time(n.started),
        "models": n.models,
        "tokens": tokens(&n.tokens),
        "cost_usd": n.cost.map(usd),
        "tool_calls": n.tool_calls,
        "transcript": n.path,
        "children": n.children.iter().map(subagent).collect::<Vec<_>>(),
    })
}

fn file(f: &FileTouch) -> Value {
    json!({
        "path": f.path,
        "tool": f.tool,
        "tool_use_id": f.tool_use_id,
        "agent_id": f.agent_id,
        "created": f.created,
        "lines_added": f.lines_added,
        "lines_removed": f.lines_removed,
        "hunks": f.hunks.iter().map(hunk).collect::<Vec<_>>(),
    })
}

fn hunk(h: &Hunk) -> Value {
    json!({
        "old_start": h.old_start,
        "old_lines": h.old_lines,
        "new_start": h.new_start,
        "new_lines": h.new_lines,
        "lines": h.lines,
    })
}

fn commit(c: &AgentCommit) -> Value {
    json!({
        "sha": c.sha,
        "kind": c.kind,
        "branch": c.branch,
        "subject": c.subject,
        "tool_use_id": c.tool_use_id,
        "agent_id": c.agent_id,
        "at": time(c.at),
    })
}
