//! Chainloop's `CHAINLOOP_AI_AGENT_CONFIG` material (schema
//! `https://schemas.chainloop.dev/aiagentconfig/0.1/ai-agent-config.schema.json`), one per session
//! whose configuration the SessionStart hook recorded: the instruction and configuration files
//! with their digests and contents (the copies capture kept, redacted here), the permission
//! rules, the MCP servers and the repository's agents. Settings files lose the values of their
//! `env` first. A file whose copy was not kept (larger
//! than capture keeps, or recorded before it kept copies) is left out and named in `missing`.

use serde_json::{Value, json};

use super::{Evidence, SessionEvidence};
use crate::capture::agent_config::AgentConfig;
use crate::redact::{Counts, Redactor};

pub const MATERIAL_ID: &str = "CHAINLOOP_AI_AGENT_CONFIG";
pub const SCHEMA_URL: &str =
    "https://schemas.chainloop.dev/aiagentconfig/0.1/ai-agent-config.schema.json";

/// The materials, and the files left out (`session: path`).
pub struct Materials {
    pub materials: Vec<Value>,
    pub missing: Vec<String>,
}

/// One material per session with a recorded configuration; `kept` gives a file's text by its
/// sha256.
pub fn materials(
    evidence: &Evidence,
    kept: &dyn Fn(&str) -> Option<String>,
    redactor: &Redactor,
) -> Materials {
    let mut out = Materials {
        materials: Vec::new(),
        missing: Vec::new(),
    };
    for s in &evidence.sessions {
        let Some(config) = &s.agent_config else {
            continue;
        };
        let mut files = Vec::new();
        let mut counts = Counts::new();
        for (path, kind, size, sha256) in files_of(config) {
            match kept(&sha256).map(|t| {
                if kind == "configuration" {
                    without_env(t)
                } else {
                    t
                }
            }) {
                Some(text) => files.push(json!({
                    "path": path,
                    "kind": kind,
                    "sha256": sha256,
                    "size": size,
                    "content": redactor.redact(&text, &mut counts),
                })),
                None => out.missing.push(format!("{}: {path}", s.id)),
            }
        }
        out.materials.push(material(evidence, s, config, files));
    }
    out
}

/// A settings file with the values of its `env` (variables Claude Code sets, often tokens)
/// replaced: redaction finds known secrets, not every variable a team sets.
fn without_env(text: String) -> String {
    let Ok(mut v) = serde_json::from_str::<Value>(&text) else {
        return text;
    };
    let Some(env) = v.get_mut("env").and_then(Value::as_object_mut) else {
        return text;
    };
    for value in env.values_mut() {
        *value = json!("[REDACTED:env]");
    }
    serde_json::to_string_pretty(&v).unwrap_or(text)
}

/// Every file of the configuration: (path, kind, size, sha256).
fn files_of(c: &AgentConfig) -> Vec<(String, &'static str, Option<u64>, String)> {
    let mut out: Vec<_> = c
        .instructions
        .iter()
        .map(|f| {
            (
                f.path.clone(),
                "instruction",
                Some(f.bytes),
                f.sha256.clone(),
            )
        })
        .collect();
    out.extend(
        c.settings
            .iter()
            .map(|f| (f.path.clone(), "configuration", None, f.sha256.clone())),
    );
    for list in [&c.agents, &c.commands, &c.skills] {
        out.extend(
            list.iter()
                .map(|f| (f.path.clone(), "instruction", None, f.sha256.clone())),
        );
    }
    out
}

fn material(e: &Evidence, s: &SessionEvidence, c: &AgentConfig, files: Vec<Value>) -> Value {
    let files: Vec<Value> = files
        .into_iter()
        .map(|mut f| {
            if f["size"].is_null() {
                let len = f["content"].as_str().map_or(0, str::len);
                f["size"] = json!(len);
            }
            f
        })
        .collect();
    json!({
        "chainloop.material.evidence.id": MATERIAL_ID,
        "schema": SCHEMA_URL,
        "data": {
            "schema_version": "0.1",
            "agent": {"name": s.agent.name, "version": s.agent.version},
            "config_hash": c.config_sha256,
            "captured_at": c.captured_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            "git_context": {
                "repository": e.repository.remote_url.clone().unwrap_or_else(|| e.repository.name.clone()),
                "branch": s.git_branch.clone().or_else(|| e.repository.branch.clone()).unwrap_or_default(),
                "commit_sha": s.commits.first().cloned().unwrap_or_default(),
            },
            "config_files": files,
            "permissions": c.settings.iter().map(|f| json!({
                "source": f.path,
                "default_mode": f.default_mode,
                "allow": f.allow,
                "deny": f.deny,
                "ask": f.ask,
            })).collect::<Vec<_>>(),
            "mcp_servers": c.mcp_servers,
            "subagents": c.agents.iter().map(|a| &a.name).collect::<Vec<_>>(),
        },
    })
}
