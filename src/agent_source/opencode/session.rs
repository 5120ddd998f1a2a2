//! One opencode session (its info, messages and parts, as the database or the older JSON
//! storage holds them) read into the neutral [`ThreadRead`].
//!
//! opencode's token fields are disjoint: `input` is the prompt without cache reads,
//! `cache.read` and `cache.write` apart, `output` without `reasoning`. Each assistant message is
//! one model response, with the `cost` opencode computed from its model catalog for the provider
//! it used; that stored cost is the response's cost (0 when opencode did not know the model: then
//! git-vouch's own price table prices it). The title request opencode makes first stores no
//! usage anywhere, so it is not counted.
//!
//! Rows are decoded into the few fields read, borrowing from the row's text; a field of another
//! type than expected reads as absent, and a row that is not JSON is skipped.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::agent_source::thread::call::{Call, Outcome, clip};
use crate::agent_source::thread::change::{Change, unified};
use crate::agent_source::thread::{Identity, Response, Step, ThreadRead, UNRECORDED_MODEL};
use crate::transcript::hash::hash128;
use crate::transcript::lenient::{lenient, lenient_object, present};
use crate::transcript::wire::Str;
use crate::usage::Tokens;

/// A session's rows: its info and its messages, each with its parts, oldest first.
#[derive(Debug, Default)]
pub struct Rows {
    pub info: Info,
    pub messages: Vec<MessageRows>,
}

/// A session's own row (the database's columns, or the older storage's info file).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Info {
    #[serde(deserialize_with = "lenient_string")]
    pub id: String,
    #[serde(rename = "parentID", alias = "parent_id", deserialize_with = "lenient")]
    pub parent: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub directory: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub title: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub version: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub agent: Option<String>,
}

fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(lenient::<Option<String>, D>(d)?.unwrap_or_default())
}

/// One message's row and its parts' rows (JSON text each).
#[derive(Debug, Default)]
pub struct MessageRows {
    pub id: String,
    pub data: String,
    pub parts: Vec<String>,
}

/// A message row, as far as it is read.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Message<'a> {
    #[serde(borrow)]
    role: Str<'a>,
    #[serde(deserialize_with = "lenient_object")]
    time: Option<Time>,
    #[serde(rename = "modelID", borrow)]
    model: Str<'a>,
    #[serde(deserialize_with = "lenient_object")]
    tokens: Option<Counts>,
    #[serde(deserialize_with = "lenient")]
    cost: Option<f64>,
    #[serde(deserialize_with = "present")]
    error: bool,
}

/// `time` of a message (`created`), a part or a tool's state (`start`, `end`).
#[derive(Default, Deserialize)]
#[serde(default)]
struct Time {
    #[serde(deserialize_with = "lenient")]
    created: Option<i64>,
    #[serde(deserialize_with = "lenient")]
    start: Option<i64>,
    #[serde(deserialize_with = "lenient")]
    end: Option<i64>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Counts {
    #[serde(deserialize_with = "lenient")]
    input: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    output: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    reasoning: Option<u64>,
    #[serde(deserialize_with = "lenient_object")]
    cache: Option<CacheCounts>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct CacheCounts {
    #[serde(deserialize_with = "lenient")]
    read: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    write: Option<u64>,
}

/// A part row: text, reasoning, a tool call (`state`), a compaction, …
#[derive(Default, Deserialize)]
#[serde(default)]
struct Part<'a> {
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
    #[serde(borrow)]
    text: Str<'a>,
    #[serde(deserialize_with = "lenient")]
    synthetic: Option<bool>,
    #[serde(deserialize_with = "lenient_object")]
    time: Option<Time>,
    #[serde(borrow)]
    tool: Str<'a>,
    #[serde(rename = "callID", borrow)]
    call_id: Str<'a>,
    #[serde(borrow, deserialize_with = "lenient_object")]
    state: Option<State<'a>>,
}

/// A tool part's `state`: `{status, input, output, error, metadata, time}`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct State<'a> {
    #[serde(borrow)]
    status: Str<'a>,
    #[serde(borrow)]
    input: Option<&'a RawValue>,
    #[serde(borrow)]
    output: Str<'a>,
    #[serde(borrow)]
    error: Str<'a>,
    #[serde(borrow, deserialize_with = "lenient_object")]
    metadata: Option<Metadata<'a>>,
    #[serde(deserialize_with = "lenient_object")]
    time: Option<Time>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Metadata<'a> {
    #[serde(deserialize_with = "lenient")]
    exit: Option<i64>,
    #[serde(borrow)]
    filepath: Str<'a>,
    #[serde(rename = "sessionId", borrow)]
    session_id: Str<'a>,
    #[serde(deserialize_with = "lenient")]
    exists: Option<bool>,
    #[serde(borrow, deserialize_with = "lenient_object")]
    filediff: Option<FileDiff<'a>>,
    #[serde(borrow)]
    diff: Str<'a>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct FileDiff<'a> {
    #[serde(borrow)]
    patch: Str<'a>,
}

/// A tool's input, as far as it is read.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Input<'a> {
    #[serde(borrow)]
    command: Str<'a>,
    #[serde(rename = "filePath", borrow)]
    file_path_camel: Str<'a>,
    #[serde(borrow)]
    file_path: Str<'a>,
    #[serde(borrow)]
    content: Str<'a>,
}

/// The session as a thread, kept to `t`'s depth.
pub fn thread(rows: &Rows, mut t: ThreadRead) -> ThreadRead {
    let info = &rows.info;
    let id = info.id.clone();
    t.identity = Identity {
        session: info.parent.clone().unwrap_or_else(|| id.clone()),
        thread: id.clone(),
        parent: info.parent.clone(),
        nickname: info.agent.clone().filter(|_| info.parent.is_some()),
        cwd: info.directory.clone(),
        version: info.version.clone(),
        ..Identity::default()
    };
    for m in &rows.messages {
        let Ok(message) = serde_json::from_str::<Message<'_>>(&m.data) else {
            continue;
        };
        let parts: Vec<Part<'_>> = m
            .parts
            .iter()
            .filter_map(|p| serde_json::from_str(p).ok())
            .collect();
        let at = message.time.as_ref().and_then(|t| t.created);
        t.saw(at);
        match message.role.get() {
            Some("user") => user(&mut t, at, &parts),
            Some("assistant") => assistant(&mut t, &id, &m.id, &message, &parts),
            _ => {}
        }
    }
    t.sort_steps();
    t
}

fn user(t: &mut ThreadRead, at: Option<i64>, parts: &[Part<'_>]) {
    let text: Vec<&str> = parts
        .iter()
        .filter(|p| p.kind.get() == Some("text") && p.synthetic != Some(true))
        .filter_map(|p| p.text.get())
        .collect();
    let text = text.join("\n");
    if !text.trim().is_empty() {
        t.step(at, Step::Prompt(text));
    }
}

fn assistant(t: &mut ThreadRead, session: &str, id: &str, m: &Message<'_>, parts: &[Part<'_>]) {
    let at = m.time.as_ref().and_then(|t| t.created);
    if let Some(tokens) = &m.tokens {
        let cache = tokens.cache.as_ref();
        t.responses.push(Response {
            key: hash128(session, id),
            id: Some(id.to_owned()),
            tokens: Tokens {
                input: tokens.input.unwrap_or(0),
                output: tokens.output.unwrap_or(0) + tokens.reasoning.unwrap_or(0),
                cache_write_5m: cache.and_then(|c| c.write).unwrap_or(0),
                cache_write_1h: 0,
                cache_read: cache.and_then(|c| c.read).unwrap_or(0),
            },
            ts_ms: at.unwrap_or(0),
            model: m.model.get().unwrap_or(UNRECORDED_MODEL).to_owned(),
            stored_cost: picos(m.cost.unwrap_or(0.0)),
        });
    }
    if m.error {
        t.errors += 1;
    }
    for p in parts {
        let pat = p.time.as_ref().and_then(|t| t.start).or(at);
        let text = || {
            p.text
                .get()
                .filter(|s| !s.trim().is_empty())
                .map(str::to_owned)
        };
        match p.kind.get() {
            Some("text") => {
                if let Some(text) = text() {
                    t.step(pat, Step::Answer(text));
                }
            }
            Some("reasoning") if t.full() => {
                if let Some(text) = text() {
                    t.step(pat, Step::Reasoning(text));
                }
            }
            Some("tool") => {
                let full = t.full();
                let (call, changes) = tool(p, full);
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

/// A tool part: `{tool, callID, state: {status, input, output, metadata, time}}`; `full` keeps
/// its output and the lines it changed.
fn tool(p: &Part<'_>, full: bool) -> (Call, Vec<Change>) {
    let state = p.state.as_ref();
    let raw = state.and_then(|s| s.input);
    let input: Input<'_> = raw
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default();
    let meta = state.and_then(|s| s.metadata.as_ref());
    let name = p.tool.get().unwrap_or_default().to_owned();
    let path = input
        .file_path_camel
        .get()
        .or_else(|| input.file_path.get())
        .or_else(|| meta.and_then(|m| m.filepath.get()))
        .map(str::to_owned);
    let output = state.and_then(|s| s.output.get()).unwrap_or_default();
    let time = state.and_then(|s| s.time.as_ref());
    let exit = meta.and_then(|m| m.exit);
    let error = state.and_then(|s| s.error.get());
    let mut call = Call {
        id: p.call_id.get().unwrap_or_default().to_owned(),
        command: (name == "bash")
            .then(|| input.command.get().map(str::to_owned))
            .flatten(),
        files: path.clone().into_iter().collect(),
        child: meta.and_then(|m| m.session_id.get()).map(str::to_owned),
        started_ms: time.and_then(|t| t.start),
        finished_ms: time.and_then(|t| t.end),
        output: Some(output).filter(|o| full && !o.is_empty()).map(clip),
        outcome: match state.and_then(|s| s.status.get()) {
            Some("completed") if exit.is_none_or(|c| c == 0) => Outcome::Ok,
            Some("completed" | "error") => Outcome::Failed(clip(error.unwrap_or(output))),
            _ => Outcome::Pending,
        },
        name,
        ..Call::default()
    };
    if call.command.is_none() && call.files.is_empty() {
        call.arguments = Some(
            raw.and_then(|r| serde_json::from_str(r.get()).ok())
                .unwrap_or(serde_json::Value::Null),
        );
    }
    let changes = match (&path, call.outcome == Outcome::Ok) {
        (Some(path), true) => change(&call.name, path, &input, meta, full),
        _ => Vec::new(),
    };
    (call, changes)
}

/// What a file tool changed: `write`'s whole content, `edit`'s diff (its metadata's), or the
/// replaced strings; without the lines unless `full`.
fn change(
    tool: &str,
    path: &str,
    input: &Input<'_>,
    meta: Option<&Metadata<'_>>,
    full: bool,
) -> Vec<Change> {
    match tool {
        "write" => {
            let content = if full {
                input.content.get().unwrap_or_default()
            } else {
                ""
            };
            let mut c = Change::whole(path.to_owned(), content, '+');
            c.created = !meta.and_then(|m| m.exists).unwrap_or(false);
            vec![c]
        }
        "edit" | "multiedit" | "patch" => {
            let diff = meta.filter(|_| full).and_then(|m| {
                m.filediff
                    .as_ref()
                    .and_then(|f| f.patch.get())
                    .or(m.diff.get())
            });
            vec![Change {
                path: path.to_owned(),
                created: false,
                deleted: false,
                hunks: diff.map(unified).unwrap_or_default(),
            }]
        }
        _ => Vec::new(),
    }
}
