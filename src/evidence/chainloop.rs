//! The evidence in chainloop's format: one `CHAINLOOP_AI_CODING_SESSION` material per session
//! (schema `https://schemas.chainloop.dev/aicodingsession/0.1/ai-coding-session.schema.json`),
//! with chainloop's field names and meanings, so chainloop users can ingest ours. Its
//! `estimated_cost_usd` is a float with 4 decimals because chainloop's schema says so; our own
//! document keeps money exact.

use serde_json::{Value, json};

use super::{CommitEvidence, Evidence, SessionEvidence};

pub const MATERIAL_ID: &str = "CHAINLOOP_AI_CODING_SESSION";
pub const SCHEMA_URL: &str =
    "https://schemas.chainloop.dev/aicodingsession/0.1/ai-coding-session.schema.json";

/// One material per session of the evidence.
pub fn materials(evidence: &Evidence) -> Vec<Value> {
    evidence
        .sessions
        .iter()
        .map(|s| material(evidence, s))
        .collect()
}

fn material(e: &Evidence, s: &SessionEvidence) -> Value {
    let commits: Vec<&CommitEvidence> = e
        .commits
        .iter()
        .filter(|c| s.commits.contains(&c.sha))
        .collect();
    let mut data = json!({
        "schema_version": "v1",
        "agent": {"name": s.agent.name, "version": s.agent.version},
        "session": session(s),
        "git_context": git_context(e, &commits),
        "code_changes": code_changes(&s.id, &commits),
        "model": model(s),
        "usage": usage(s),
        "tools_used": {
            "summary": s.tools.iter().map(|t| json!({"tool_name": t.name, "invocation_count": t.calls})).collect::<Vec<_>>(),
            "total_invocations": s.tools.iter().map(|t| t.calls).sum::<u64>(),
        },
        "conversation": {
            "total_messages": s.user_prompts + s.assistant_messages,
            "user_messages": s.user_prompts,
            "assistant_messages": s.assistant_messages,
        },
        "subagents": s.subagents.iter().map(|a| json!({
            "id": a.id,
            "type": a.agent_type.clone().unwrap_or_else(|| a.kind.clone()),
            "description": a.description.clone().unwrap_or_default(),
            "tokens": {"input": a.usage.input_tokens, "output": a.usage.output_tokens},
        })).collect::<Vec<_>>(),
    });
    if !s.warnings.is_empty() {
        data["warnings"] = json!(s.warnings);
    }
    if !s.actions.is_empty() {
        data["raw_session"] = json!({"main": s.actions.iter().map(tool_use).collect::<Vec<_>>()});
    }
    json!({"chainloop.material.evidence.id": MATERIAL_ID, "schema": SCHEMA_URL, "data": data})
}

/// An action as the assistant record chainloop's `raw_session` holds (only the tool call, with
/// the input fields policies read: `command` for Bash, `file_path` for file tools).
fn tool_use(a: &super::ActionEvidence) -> Value {
    let input = match (&a.command, &a.path) {
        (Some(c), _) => json!({"command": c}),
        (None, Some(p)) => json!({"file_path": p}),
        (None, None) => json!({}),
    };
    json!({
        "type": "assistant",
        "message": {"content": [{"type": "tool_use", "name": a.tool, "input": input}]},
    })
}

fn session(s: &SessionEvidence) -> Value {
    let mut v = json!({
        "id": s.id,
        "started_at": s.started_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        "duration_seconds": s.duration_seconds.unwrap_or(0).max(0),
        "mode": "coding",
    });
    if let Some(end) = s.ended_at {
        v["ended_at"] = json!(end.to_rfc3339());
    }
    v
}

fn git_context(e: &Evidence, commits: &[&CommitEvidence]) -> Value {
    json!({
        "repository": e.repository.remote_url.clone().unwrap_or_else(|| e.repository.name.clone()),
        "branch": e.repository.branch.clone().unwrap_or_else(|| "HEAD".into()),
        "commit_start": commits.first().map(|c| c.sha.clone()).unwrap_or_default(),
        "commit_end": commits.last().map(|c| c.sha.clone()).unwrap_or_default(),
        "commits": commits.iter().map(|c| format!("{} {}", c.sha, c.subject)).collect::<Vec<_>>(),
        "commit_count": commits.len(),
    })
}

fn code_changes(session: &str, commits: &[&CommitEvidence]) -> Value {
    let files: Vec<_> = commits.iter().flat_map(|c| &c.files).collect();
    let count = |status: &str| files.iter().filter(|f| f.status == status).count();
    let sum =
        |f: fn(&super::FileEvidence) -> u32| files.iter().map(|x| u64::from(f(x))).sum::<u64>();
    json!({
        "files_modified": count("modified") + count("renamed") + count("copied"),
        "files_created": count("added"),
        "files_deleted": count("deleted"),
        "lines_added": sum(|f| f.lines_added),
        "lines_removed": sum(|f| f.lines_removed),
        "ai_lines_added": sum(|f| f.ai_lines_added),
        "human_lines_added": sum(|f| f.human_lines_added),
        "files": files.iter().map(|f| file(session, f)).collect::<Vec<_>>(),
    })
}

/// One file in chainloop's terms. Its `attribution` is `ai` or `human` only: a file with no agent
/// line and no line a capture record gives a person (unknown authors) gets none, rather than a
/// claim that a person wrote it.
fn file(session: &str, f: &super::FileEvidence) -> Value {
    let status = match f.status.as_str() {
        "added" => "created",
        "typechange" => "modified",
        s => s,
    };
    let mut out = json!({
        "path": f.path,
        "status": status,
        "lines_added": f.lines_added,
        "lines_removed": f.lines_removed,
        "line_ranges": f.ai_line_ranges.iter().map(|r| json!({"start": r[0], "end": r[1]})).collect::<Vec<_>>(),
        "session_ids": if f.ai_lines_added > 0 { vec![session] } else { vec![] },
    });
    let attribution = if f.ai_lines_added > 0 {
        Some("ai")
    } else if f.human_lines_added > 0 {
        Some("human")
    } else {
        None
    };
    if let (Some(a), Some(map)) = (attribution, out.as_object_mut()) {
        map.insert("attribution".into(), json!(a));
    }
    out
}

fn model(s: &SessionEvidence) -> Value {
    let primary = s
        .models
        .iter()
        .max_by_key(|m| m.requests)
        .map(|m| m.model.clone())
        .unwrap_or_default();
    let mut used: Vec<&str> = s.models.iter().map(|m| m.model.as_str()).collect();
    used.sort_unstable();
    json!({"primary": primary, "provider": "anthropic", "models_used": used})
}

fn usage(s: &SessionEvidence) -> Value {
    let u = &s.usage;
    let mut v = json!({
        "input_tokens": u.input_tokens,
        "output_tokens": u.output_tokens,
        "total_tokens": u.input_tokens + u.output_tokens,
        "cache_read_input_tokens": u.cache_read_tokens,
        "cache_creation_input_tokens": u.cache_write_5m_tokens + u.cache_write_1h_tokens,
    });
    if let Some(micros) = u
        .cost_usd
        .as_deref()
        .and_then(crate::money::Usd::parse)
        .map(crate::money::Usd::micros)
    {
        // Round to 4 decimals as chainloop does; via integers, converted only at the end.
        let ten_thousandths = (micros + 50) / 100;
        v["estimated_cost_usd"] = json!(ten_thousandths as f64 / 10_000.0);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::file;
    use crate::evidence::FileEvidence;

    fn changed(ai: u32, human: u32, unknown: u32) -> FileEvidence {
        FileEvidence {
            path: "src/a.rs".into(),
            old_path: None,
            status: "modified".into(),
            lines_added: ai + human + unknown,
            lines_removed: 0,
            ai_lines_added: ai,
            human_lines_added: human,
            ai_line_ranges: Vec::new(),
            human_line_ranges: Vec::new(),
            unknown_lines_added: unknown,
            unknown_line_ranges: Vec::new(),
        }
    }

    #[test]
    fn unknown_authors_are_never_called_human() {
        let attribution = |f: FileEvidence| file("s", &f).get("attribution").cloned();
        assert_eq!(attribution(changed(2, 0, 1)), Some("ai".into()));
        assert_eq!(attribution(changed(0, 3, 0)), Some("human".into()));
        assert_eq!(attribution(changed(0, 0, 4)), None);
    }
}
