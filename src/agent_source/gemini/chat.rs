//! One Gemini CLI chat file read into the neutral [`ThreadRead`].
//!
//! Since 0.5x a chat is append-only JSONL: a header (`sessionId`, `projectHash`, `kind`), then
//! message records, each `{id, timestamp, type: user|gemini|info|error|warning, content, …}`,
//! and patches: `{"$set": {…}}` (a `messages` list in it replaces the list) and
//! `{"$rewindTo": id}` (that message and every later one are gone from the conversation). The
//! same message is written again under its id as it grows (a model turn first with its tokens,
//! then again with its tool calls): the last record of an id wins. Older chats are one JSON
//! object, `{sessionId, projectHash, startTime, lastUpdated, messages: […]}`.
//!
//! A rewound model turn was billed all the same: its tokens stay counted, and only the
//! conversation drops it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::Value;

use crate::agent_source::thread::call::{Call, Outcome, clip};
use crate::agent_source::thread::change::{Change, unified};
use crate::agent_source::thread::{Identity, Response, Step, ThreadRead};
use crate::session::detail::Open;
use crate::transcript::Diagnostic;
use crate::transcript::hash::hash128;
use crate::usage::Tokens;

/// Who the chat is, from where it lies: `chats/<parent session>/<child>.jsonl` is a sub-agent's.
pub struct Place {
    pub parent: Option<String>,
    pub cwd: Option<String>,
}

/// Reads the chat at `path`.
pub fn read(path: &Path, open: &Open<'_>, place: &Place) -> ThreadRead {
    let mut warnings = Vec::new();
    let mut t = match open(path) {
        Ok(r) => read_from(r, path, place, &mut warnings),
        Err(e) => {
            warnings.push(Diagnostic::file(path, format!("cannot read: {e}")));
            ThreadRead::default()
        }
    };
    t.warnings = warnings;
    t.path = path.to_path_buf();
    t
}

fn read_from(
    r: impl Read,
    path: &Path,
    place: &Place,
    warnings: &mut Vec<Diagnostic>,
) -> ThreadRead {
    let mut chat = Chat::default();
    let legacy = path.extension().is_some_and(|e| e == "json");
    if legacy {
        let mut text = String::new();
        let mut r = r;
        match r
            .read_to_string(&mut text)
            .map_err(|e| e.to_string())
            .and_then(|_| serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()))
        {
            Ok(doc) => chat.legacy(&doc),
            Err(e) => warnings.push(Diagnostic::file(path, format!("not a chat ({e})"))),
        }
    } else {
        for (i, line) in BufReader::new(r).lines().enumerate() {
            let n = i as u64 + 1;
            let line = match line {
                Ok(l) => l,
                Err(e) => {
                    warnings.push(Diagnostic::at(path, n, format!("cannot read: {e}")));
                    break;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(&line) {
                Ok(v) => chat.record(v),
                Err(e) => warnings.push(Diagnostic::at(
                    path,
                    n,
                    format!("not a chat record ({e}); skipped"),
                )),
            }
        }
    }
    if chat.session.is_none() {
        warnings.push(Diagnostic::file(
            path,
            "no sessionId; not a Gemini CLI chat",
        ));
    }
    chat.finish(place)
}

/// A chat as its records build it.
#[derive(Default)]
struct Chat {
    session: Option<String>,
    /// The conversation: message ids in order.
    order: Vec<String>,
    /// The last record of every message id ever written (rewound ones too), with the order
    /// they were first written in.
    messages: HashMap<String, Value>,
    written: Vec<String>,
}

impl Chat {
    fn record(&mut self, v: Value) {
        if let Some(id) = v.get("sessionId").and_then(Value::as_str) {
            self.session.get_or_insert_with(|| id.to_owned());
            return;
        }
        if let Some(set) = v.get("$set") {
            if let Some(list) = set.get("messages").and_then(Value::as_array) {
                self.order.clear();
                for m in list {
                    self.message(m.clone());
                }
            }
            return;
        }
        if let Some(to) = v.get("$rewindTo").and_then(Value::as_str) {
            if let Some(at) = self.order.iter().position(|id| id == to) {
                self.order.truncate(at);
            }
            return;
        }
        if v.get("id").is_some() && v.get("type").is_some() {
            self.message(v);
        }
    }

    fn legacy(&mut self, doc: &Value) {
        self.session = doc
            .get("sessionId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        for m in doc
            .get("messages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.message(m.clone());
        }
    }

    fn message(&mut self, m: Value) {
        let Some(id) = m.get("id").and_then(Value::as_str).map(str::to_owned) else {
            return;
        };
        if !self.order.contains(&id) {
            self.order.push(id.clone());
        }
        if self.messages.insert(id.clone(), m).is_none() {
            self.written.push(id);
        }
    }

    fn finish(self, place: &Place) -> ThreadRead {
        let session = self.session.clone().unwrap_or_default();
        let mut t = ThreadRead {
            identity: Identity {
                thread: session.clone(),
                session: place.parent.clone().unwrap_or_else(|| session.clone()),
                parent: place.parent.clone(),
                cwd: place.cwd.clone(),
                ..Identity::default()
            },
            ..ThreadRead::default()
        };
        for id in &self.written {
            let m = &self.messages[id];
            t.saw(ts(m));
            if let Some(r) = response(&session, id, m) {
                t.responses.push(r);
            }
        }
        for id in &self.order {
            steps(&mut t, &self.messages[id]);
        }
        t.sort_steps();
        t
    }
}

fn ts(m: &Value) -> Option<i64> {
    crate::agent_source::thread::ts_ms(m.get("timestamp").and_then(Value::as_str))
}

/// A model turn's usage: cached input is part of `input`, thoughts and tool-use prompts are
/// apart (thoughts billed as output, tool-use prompts as input).
fn response(session: &str, id: &str, m: &Value) -> Option<Response> {
    if m.get("type").and_then(Value::as_str) != Some("gemini") {
        return None;
    }
    let t = m.get("tokens")?;
    let n = |k: &str| t.get(k).and_then(Value::as_u64).unwrap_or(0);
    let cached = n("cached").min(n("input"));
    Some(Response {
        key: hash128(session, id),
        id: Some(id.to_owned()),
        tokens: Tokens {
            input: n("input") - cached + n("tool"),
            output: n("output") + n("thoughts"),
            cache_read: cached,
            ..Tokens::default()
        },
        ts_ms: ts(m).unwrap_or(0),
        model: m
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or(crate::agent_source::thread::UNRECORDED_MODEL)
            .to_owned(),
        stored_cost: None,
    })
}

/// The conversation steps of one message that survived rewinds.
fn steps(t: &mut ThreadRead, m: &Value) {
    let at = ts(m);
    match m.get("type").and_then(Value::as_str) {
        Some("user") => {
            let text = text_of(m.get("content"));
            if !text.trim().is_empty() && !text.trim_start().starts_with('<') {
                t.steps.push((at, Step::Prompt(text)));
            }
        }
        Some("gemini") => {
            for th in m
                .get("thoughts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let s = |k: &str| th.get(k).and_then(Value::as_str).unwrap_or("");
                let text = format!("{}\n{}", s("subject"), s("description"));
                t.steps.push((at, Step::Reasoning(text.trim().to_owned())));
            }
            let text = text_of(m.get("content"));
            if !text.trim().is_empty() {
                t.steps.push((at, Step::Answer(text)));
            }
            for c in m
                .get("toolCalls")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let (call, changes) = tool_call(c, at);
                let i = t.push_call(call);
                if !changes.is_empty() {
                    t.set_changes(i, changes);
                }
            }
        }
        Some("error") => t.errors += 1,
        _ => {}
    }
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// One tool call with its outcome and the file it changed.
fn tool_call(c: &Value, at: Option<i64>) -> (Call, Vec<Change>) {
    let s = |k: &str| c.get(k).and_then(Value::as_str);
    let args = c.get("args").cloned().unwrap_or(Value::Null);
    let arg = |k: &str| args.get(k).and_then(Value::as_str).map(str::to_owned);
    let name = s("name").unwrap_or_default().to_owned();
    let display = c.get("resultDisplay");
    let path = display
        .and_then(|d| d.get("filePath"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| arg("file_path").or_else(|| arg("absolute_path")));
    let output = output_text(c);
    let mut call = Call {
        id: s("id").unwrap_or_default().to_owned(),
        command: (name == "run_shell_command")
            .then(|| arg("command"))
            .flatten(),
        files: path.clone().into_iter().collect(),
        child: s("agentId").map(str::to_owned),
        started_ms: at,
        finished_ms: crate::agent_source::thread::ts_ms(s("timestamp")),
        output: Some(clip(&output)).filter(|o| !o.is_empty()),
        name,
        ..Call::default()
    };
    if call.command.is_none() && call.files.is_empty() {
        call.arguments = Some(args);
    }
    call.outcome = match s("status") {
        Some("success") => Outcome::Ok,
        Some("error" | "cancelled") => Outcome::Failed(clip(&output)),
        _ => Outcome::Pending,
    };
    let changes = match (
        display
            .and_then(|d| d.get("fileDiff"))
            .and_then(Value::as_str),
        path,
    ) {
        (Some(diff), Some(path)) if call.outcome == Outcome::Ok => {
            let created = display
                .and_then(|d| d.get("isNewFile"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            vec![Change {
                path,
                created,
                deleted: false,
                hunks: unified(diff),
            }]
        }
        _ => Vec::new(),
    };
    (call, changes)
}

/// The text a tool returned to the model, without the wrapper Gemini CLI puts around command
/// output (`<untrusted_context>`, `Output: `, the process group line).
fn output_text(c: &Value) -> String {
    let text: Vec<&str> = c
        .get("result")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.pointer("/functionResponse/response"))
        .filter_map(|r| {
            r.get("output")
                .or_else(|| r.get("error"))
                .and_then(Value::as_str)
        })
        .collect();
    text.join("\n")
        .lines()
        .filter(|l| !l.starts_with("<untrusted_context>") && !l.starts_with("</untrusted_context>"))
        .filter(|l| !l.starts_with("Process Group PGID:"))
        .map(|l| l.strip_prefix("Output: ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}
