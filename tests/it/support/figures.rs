//! One session, one set of figures: for every session of a source (a CLAUDE_CONFIG_DIR or the
//! demo), the list's summary, the detail as the explorer's Overview gets it, `show --json`,
//! `sessions --json`, `usage session --json` and the evidence are compared field by field.

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::collections::BTreeMap;
use std::path::Path;

use git_vouch::agent_source;
use git_vouch::evidence::sessions::from_detail;
use git_vouch::index::summarize_files;
use git_vouch::pricing::PriceTable;
use git_vouch::session::detail::{open_file, open_text};
use git_vouch::session::{Figures, ScannedFile, SessionSummary};
use git_vouch::transcript::discover::find_files;
use git_vouch::transcript::scan::scan_file;
use serde_json::{Value, json};

/// Where the sessions come from.
pub enum Source<'a> {
    Demo,
    Config(&'a Path),
}

fn run(source: &Source<'_>, home: &Path, args: &[&str]) -> Value {
    let mut cmd = super::cli::binary();
    match source {
        Source::Demo => {
            cmd.arg("--demo");
        }
        Source::Config(dir) => {
            cmd.env("CLAUDE_CONFIG_DIR", dir);
        }
    }
    let out = cmd
        .args(args)
        .env("HOME", home)
        .env("GIT_VOUCH_CACHE_DIR", home.join("cache"))
        .env("GIT_VOUCH_CONFIG_DIR", home.join("config"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git-vouch {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn summaries(source: &Source<'_>, prices: &PriceTable) -> Vec<SessionSummary> {
    match source {
        Source::Demo => git_vouch::demo::catalog(prices).sessions,
        Source::Config(dir) => {
            let mut notes = Vec::new();
            let scanned: Vec<ScannedFile> = find_files(&[dir.join("projects")], &mut notes)
                .into_iter()
                .map(|source| ScannedFile {
                    scan: scan_file(&source.path).unwrap(),
                    source,
                })
                .collect();
            summarize_files(&scanned, prices)
        }
    }
}

/// The figures a JSON session row states.
fn row_figures(row: &Value) -> Value {
    serde_json::json!({
        "tokens": row["tokens"],
        "cost_usd": row["cost_usd"],
        "models": sorted(&row["models"]),
        "unpriced_models": sorted(&row["unpriced_models"]),
        "tool_calls": row["tool_calls"],
        "subagents": row["subagents"],
        "user_prompts": row["user_prompts"],
        "assistant_messages": row["assistant_messages"],
        "api_errors": row["api_errors"],
        "compactions": row["compactions"],
        "files": row["files"],
    })
}

fn sorted(v: &Value) -> Value {
    let mut items: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    items.sort();
    items.into()
}

/// The same figures from a summary or a detail, in the JSON terms.
fn figures_json(f: &Figures, files: &[std::path::PathBuf]) -> Value {
    let t = &f.tokens;
    serde_json::json!({
        "tokens": {"input": t.input, "output": t.output, "cache_write_5m": t.cache_write_5m,
                   "cache_write_1h": t.cache_write_1h, "cache_read": t.cache_read,
                   "total": t.total()},
        "cost_usd": f.cost.decimal6(),
        "models": f.models,
        "unpriced_models": f.unpriced_models,
        "tool_calls": f.tool_calls,
        "subagents": f.subagents,
        "user_prompts": f.user_prompts,
        "assistant_messages": f.assistant_messages,
        "api_errors": f.api_errors,
        "compactions": f.compactions,
        "files": files,
    })
}

/// The fields where two renderings of one session's figures differ.
fn differing(a: &Value, b: &Value) -> Vec<String> {
    a.as_object()
        .unwrap()
        .iter()
        .filter(|(k, v)| b.get(k.as_str()) != Some(v))
        .map(|(k, v)| format!("{k}: {v} vs {}", b[k.as_str()]))
        .collect()
}

/// Compares every session's figures across the views; returns one line per disagreement
/// (`session view field: a vs b`) and the number of sessions compared.
pub fn disagreements(source: &Source<'_>, home: &Path) -> (Vec<String>, usize) {
    let prices = PriceTable::embedded();
    let list = summaries(source, prices);
    let sessions_doc = run(source, home, &["sessions", "--json"]);
    let usage_doc = run(source, home, &["usage", "session", "--json"]);
    let rows: BTreeMap<&str, &Value> = sessions_doc["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r))
        .collect();
    let usage: BTreeMap<&str, &Value> = usage_doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["period"].as_str().unwrap(), r))
        .collect();
    let mut out = Vec::new();
    let mut note = |id: &str, view: &str, fields: Vec<String>| {
        out.extend(fields.into_iter().map(|f| format!("{id} {view} {f}")));
    };
    assert_eq!(
        rows.len(),
        list.len(),
        "sessions --json lists every session"
    );
    for s in &list {
        let id = s.id.as_str();
        let summary = figures_json(&s.figures(), &s.files);
        let detail = match source {
            Source::Demo => agent_source::detail(
                s,
                &|p: &Path| open_text(git_vouch::demo::read_file(p)),
                prices,
            ),
            Source::Config(_) => agent_source::detail(s, &open_file, prices),
        };
        note(
            id,
            "detail",
            differing(&summary, &figures_json(&detail.figures(), &s.files)),
        );
        let row = rows.get(id).map_or(Value::Null, |r| row_figures(r));
        note(id, "sessions --json", differing(&summary, &row));
        let show = run(source, home, &["show", id, "--json"]);
        note(
            id,
            "show --json",
            differing(&summary, &row_figures(&show["session"])),
        );
        let calls: u64 = show["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["calls"].as_u64().unwrap())
            .sum();
        let failed: u64 = show["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["failed"].as_u64().unwrap())
            .sum();
        let listed = show["tool_calls"].as_array().unwrap();
        let show_failed = listed.iter().filter(|c| c["status"] == "failed").count() as u64;
        let tool_figures =
            |calls: u64, failed: u64| serde_json::json!({"tool_calls": calls, "failed": failed});
        let detail_failed = detail
            .tool_calls
            .iter()
            .filter(|c| c.status.as_str() == "failed")
            .count() as u64;
        let expected_tools = tool_figures(s.tool_calls, detail_failed);
        note(
            id,
            "show --json tools",
            differing(&expected_tools, &tool_figures(calls, failed)),
        );
        note(
            id,
            "show --json tool_calls",
            differing(
                &expected_tools,
                &tool_figures(listed.len() as u64, show_failed),
            ),
        );
        let evidence = from_detail(&detail, Vec::new());
        let ev = serde_json::json!({
            "tool_calls": evidence.tools.iter().map(|t| t.calls).sum::<u64>(),
            "failed": evidence.tools.iter().map(|t| t.failed).sum::<u64>(),
        });
        note(id, "evidence tools", differing(&expected_tools, &ev));
        let ev_usage = serde_json::json!({
            "total": evidence.usage.total_tokens,
            "messages": evidence.assistant_messages,
            "prompts": evidence.user_prompts,
            "models": evidence.models.iter().map(|m| m.model.clone()).collect::<std::collections::BTreeSet<_>>(),
        });
        let expected_usage = serde_json::json!({
            "total": s.tokens.total(),
            "messages": s.assistant_messages,
            "prompts": s.user_prompts,
            "models": s.figures().models,
        });
        note(id, "evidence", differing(&expected_usage, &ev_usage));
        match usage.get(id) {
            Some(u) => {
                let got = serde_json::json!({"tokens": u["tokens"], "cost_usd": u["cost_usd"],
                    "assistant_messages": u["messages"], "models": sorted(&u["models"])});
                let want = serde_json::json!({"tokens": summary["tokens"],
                    "cost_usd": summary["cost_usd"],
                    "assistant_messages": summary["assistant_messages"],
                    "models": summary["models"]});
                note(id, "usage session --json", differing(&want, &got));
            }
            None if s.assistant_messages > 0 => {
                note(id, "usage session --json", vec!["row missing".into()]);
            }
            None => {}
        }
    }
    (out, list.len())
}

/// A fork of the session in `main`: a new session file that copies its records (same uuids,
/// responses and tool calls; one copied response with more output tokens, as a later streamed
/// copy would have), then adds a response and a tool call of its own.
pub fn fork(main: &Path, new_id: &str) {
    let text = std::fs::read_to_string(main).expect("read the transcript");
    let old_id = main.file_stem().unwrap().to_str().unwrap();
    let mut lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
        .collect();
    for r in &mut lines {
        if r["sessionId"] == old_id {
            r["sessionId"] = json!(new_id);
        }
    }
    let bigger = lines
        .iter_mut()
        .find(|r| r["type"] == "assistant" && r["message"]["usage"].is_object())
        .expect("an assistant record with usage");
    let output = bigger["message"]["usage"]["output_tokens"]
        .as_u64()
        .unwrap();
    bigger["message"]["usage"]["output_tokens"] = json!(output + 500);
    let mut own = lines
        .iter()
        .rev()
        .find(|r| r["type"] == "assistant" && r["message"]["usage"].is_object())
        .expect("an assistant record with usage")
        .clone();
    own["sessionId"] = json!(new_id);
    own["uuid"] = json!("5b1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f");
    own["requestId"] = json!("req_forkedSessionOwnResponse01");
    own["message"]["id"] = json!("msg_forkedSessionOwnResponse01");
    own["timestamp"] = json!("2030-01-01T00:00:00.000Z");
    own["message"]["content"] = json!([{"type": "tool_use", "id": "toolu_forkOwnCall01",
        "name": "Bash", "input": {"command": "ls"}}]);
    lines.push(own);
    let mut out: String = lines
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    std::fs::write(main.with_file_name(format!("{new_id}.jsonl")), out).expect("write the fork");
}
