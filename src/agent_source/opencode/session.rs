//! One opencode session (its info, messages and parts, as the database or the older JSON
//! storage holds them) read into the neutral [`ThreadRead`].
//!
//! opencode's token fields are disjoint: `input` is the prompt without cache reads,
//! `cache.read` and `cache.write` apart, `output` without `reasoning`. Each assistant message is
//! one model response, with the `cost` opencode computed from its model catalog for the provider
//! it used; that stored cost is the response's cost (0 when opencode did not know the model: then
//! git-vouch's own price table prices it). The title request opencode makes first stores no
//! usage anywhere, so it is not counted.

use serde_json::Value;

use crate::agent_source::thread::call::{Call, Outcome, clip};
use crate::agent_source::thread::change::{Change, unified};
use crate::agent_source::thread::{Identity, Response, Step, ThreadRead, UNRECORDED_MODEL};
use crate::transcript::hash::hash128;
use crate::usage::Tokens;

/// A session's rows: its info and its messages, each with its parts, oldest first.
#[derive(Debug, Default)]
pub struct Rows {
    pub info: Value,
    pub messages: Vec<(Value, Vec<Value>)>,
}

/// The session as a thread.
pub fn thread(rows: &Rows) -> ThreadRead {
    let info = &rows.info;
    let s = |k: &str| info.get(k).and_then(Value::as_str).map(str::to_owned);
    let id = s("id").unwrap_or_default();
    let parent = s("parentID").or_else(|| s("parent_id"));
    let mut t = ThreadRead {
        identity: Identity {
            session: parent.clone().unwrap_or_else(|| id.clone()),
            thread: id.clone(),
            parent,
            nickname: s("agent").filter(|_| info.get("parentID").is_some()),
            cwd: s("directory"),
            version: s("version"),
            ..Identity::default()
        },
        ..ThreadRead::default()
    };
    for (message, parts) in &rows.messages {
        let at = message.pointer("/time/created").and_then(Value::as_i64);
        t.saw(at);
        match message.get("role").and_then(Value::as_str) {
            Some("user") => user(&mut t, at, parts),
            Some("assistant") => assistant(&mut t, &id, message, parts),
            _ => {}
        }
    }
    t.sort_steps();
    t
}

fn user(t: &mut ThreadRead, at: Option<i64>, parts: &[Value]) {
    let text: Vec<&str> = parts
        .iter()
        .filter(|p| p.get("type").and_then(Value::as_str) == Some("text"))
        .filter(|p| p.get("synthetic").and_then(Value::as_bool) != Some(true))
        .filter_map(|p| p.get("text").and_then(Value::as_str))
        .collect();
    let text = text.join("\n");
    if !text.trim().is_empty() {
        t.steps.push((at, Step::Prompt(text)));
    }
}

fn assistant(t: &mut ThreadRead, session: &str, m: &Value, parts: &[Value]) {
    let at = m.pointer("/time/created").and_then(Value::as_i64);
    let id = m.get("id").and_then(Value::as_str).unwrap_or_default();
    if let Some(tokens) = m.get("tokens") {
        let n = |p: &str| tokens.pointer(p).and_then(Value::as_u64).unwrap_or(0);
        let cost = m.get("cost").and_then(Value::as_f64).unwrap_or(0.0);
        t.responses.push(Response {
            key: hash128(session, id),
            id: Some(id.to_owned()),
            tokens: Tokens {
                input: n("/input"),
                output: n("/output") + n("/reasoning"),
                cache_write_5m: n("/cache/write"),
                cache_write_1h: 0,
                cache_read: n("/cache/read"),
            },
            ts_ms: at.unwrap_or(0),
            model: m
                .get("modelID")
                .and_then(Value::as_str)
                .unwrap_or(UNRECORDED_MODEL)
                .to_owned(),
            stored_cost: picos(cost),
        });
    }
    if m.get("error").is_some() {
        t.errors += 1;
    }
    for p in parts {
        let pat = p.pointer("/time/start").and_then(Value::as_i64).or(at);
        match p.get("type").and_then(Value::as_str) {
            Some("text") => {
                let text = p.get("text").and_then(Value::as_str).unwrap_or_default();
                if !text.trim().is_empty() {
                    t.steps.push((pat, Step::Answer(text.to_owned())));
                }
            }
            Some("reasoning") => {
                let text = p.get("text").and_then(Value::as_str).unwrap_or_default();
                if !text.trim().is_empty() {
                    t.steps.push((pat, Step::Reasoning(text.to_owned())));
                }
            }
            Some("tool") => {
                let (call, changes) = tool(p);
                let i = t.push_call(call);
                if !changes.is_empty() {
                    t.set_changes(i, changes);
                }
            }
            Some("compaction") => t.compactions += 1,
            _ => {}
        }
    }
}

/// A cost in dollars (a float, as opencode stores it) in picodollars, rounded to the nearest;
/// `None` for nothing.
fn picos(dollars: f64) -> Option<u64> {
    (dollars.is_finite() && dollars > 0.0).then(|| (dollars * 1e12).round() as u64)
}

/// A tool part: `{tool, callID, state: {status, input, output, metadata, time}}`.
fn tool(p: &Value) -> (Call, Vec<Change>) {
    let state = p.get("state").cloned().unwrap_or(Value::Null);
    let input = state.get("input").cloned().unwrap_or(Value::Null);
    let arg = |k: &str| input.get(k).and_then(Value::as_str).map(str::to_owned);
    let name = p
        .get("tool")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let meta = state.get("metadata");
    let path = arg("filePath").or_else(|| arg("file_path")).or_else(|| {
        meta.and_then(|m| m.get("filepath"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let output = state
        .get("output")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let time = |k: &str| state.pointer(&format!("/time/{k}")).and_then(Value::as_i64);
    let status = state.get("status").and_then(Value::as_str);
    let exit = meta.and_then(|m| m.get("exit")).and_then(Value::as_i64);
    let error = state.get("error").and_then(Value::as_str);
    let mut call = Call {
        id: p
            .get("callID")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        command: (name == "bash").then(|| arg("command")).flatten(),
        files: path.clone().into_iter().collect(),
        child: meta
            .and_then(|m| m.get("sessionId"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        started_ms: time("start"),
        finished_ms: time("end"),
        output: Some(clip(output)).filter(|o| !o.is_empty()),
        outcome: match status {
            Some("completed") if exit.is_none_or(|c| c == 0) => Outcome::Ok,
            Some("completed" | "error") => Outcome::Failed(clip(error.unwrap_or(output))),
            _ => Outcome::Pending,
        },
        name,
        ..Call::default()
    };
    if call.command.is_none() && call.files.is_empty() {
        call.arguments = Some(input.clone());
    }
    let changes = match (&path, call.outcome == Outcome::Ok) {
        (Some(path), true) => change(&call.name, path, &input, meta),
        _ => Vec::new(),
    };
    (call, changes)
}

/// What a file tool changed: `write`'s whole content, `edit`'s diff (its metadata's), or the
/// replaced strings.
fn change(tool: &str, path: &str, input: &Value, meta: Option<&Value>) -> Vec<Change> {
    let arg = |k: &str| input.get(k).and_then(Value::as_str).unwrap_or_default();
    match tool {
        "write" => {
            let existed = meta
                .and_then(|m| m.get("exists"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let mut c = Change::whole(path.to_owned(), arg("content"), '+');
            c.created = !existed;
            vec![c]
        }
        "edit" | "multiedit" | "patch" => {
            let diff = meta.and_then(|m| {
                m.pointer("/filediff/patch")
                    .or_else(|| m.get("diff"))
                    .and_then(Value::as_str)
            });
            let hunks = diff.map(unified).unwrap_or_default();
            vec![Change {
                path: path.to_owned(),
                created: false,
                deleted: false,
                hunks,
            }]
        }
        _ => Vec::new(),
    }
}
