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
//!
//! The file is read whole and each record decoded once into the fields read, borrowing from the
//! text; contents, thoughts and tool results stay raw JSON until a step needs them.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::agent_source::thread::call::{Call, Outcome, clip};
use crate::agent_source::thread::change::{Change, unified};
use crate::agent_source::thread::{Depth, Identity, Response, Step, ThreadRead, text_of};
use crate::session::detail::Open;
use crate::transcript::Diagnostic;
use crate::transcript::hash::hash128;
use crate::transcript::lenient::{List, Obj, lenient, lenient_object};
use crate::transcript::wire::Str;
use crate::usage::Tokens;

/// Who the chat is, from where it lies: `chats/<parent session>/<child>.jsonl` is a sub-agent's.
pub struct Place {
    pub parent: Option<String>,
    pub cwd: Option<String>,
}

/// Reads the chat at `path`, kept to `depth`.
pub fn read(path: &Path, open: &Open<'_>, place: &Place, depth: Depth) -> ThreadRead {
    let mut warnings = Vec::new();
    let mut text = String::new();
    let mut t = match open(path).and_then(|mut r| r.read_to_string(&mut text)) {
        Ok(_) => read_text(&text, path, place, depth, &mut warnings),
        Err(e) => {
            warnings.push(Diagnostic::file(path, format!("cannot read: {e}")));
            ThreadRead::new(depth)
        }
    };
    t.warnings = warnings;
    t.path = path.to_path_buf();
    t
}

fn read_text(
    text: &str,
    path: &Path,
    place: &Place,
    depth: Depth,
    warnings: &mut Vec<Diagnostic>,
) -> ThreadRead {
    let mut chat = Chat::default();
    if path.extension().is_some_and(|e| e == "json") {
        match serde_json::from_str::<Record<'_>>(text) {
            Ok(doc) => chat.legacy(doc),
            Err(e) => warnings.push(Diagnostic::file(path, format!("not a chat ({e})"))),
        }
    } else {
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Record<'_>>(line) {
                Ok(r) => chat.record(r),
                Err(e) => warnings.push(Diagnostic::at(
                    path,
                    i as u64 + 1,
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
    chat.finish(place, depth)
}

/// One line of a chat (a header, a message, or a patch), or the whole older chat.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Record<'a> {
    #[serde(rename = "sessionId", borrow)]
    session_id: Str<'a>,
    #[serde(rename = "$set", borrow, deserialize_with = "lenient_object")]
    set: Option<Patch<'a>>,
    #[serde(rename = "$rewindTo", borrow)]
    rewind_to: Str<'a>,
    /// The older chat's messages.
    #[serde(borrow, deserialize_with = "lenient")]
    messages: List<Obj<Self>>,
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
    #[serde(borrow)]
    timestamp: Str<'a>,
    #[serde(borrow)]
    content: Option<&'a RawValue>,
    #[serde(deserialize_with = "lenient_object")]
    tokens: Option<Counts>,
    #[serde(borrow)]
    model: Str<'a>,
    #[serde(borrow)]
    thoughts: Option<&'a RawValue>,
    #[serde(rename = "toolCalls", borrow, deserialize_with = "lenient")]
    tool_calls: List<Obj<ToolCall<'a>>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Patch<'a> {
    #[serde(borrow, deserialize_with = "lenient")]
    messages: List<Obj<Record<'a>>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Counts {
    #[serde(deserialize_with = "lenient")]
    input: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    output: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    cached: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    thoughts: Option<u64>,
    #[serde(deserialize_with = "lenient")]
    tool: Option<u64>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ToolCall<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    name: Str<'a>,
    #[serde(borrow)]
    args: Option<&'a RawValue>,
    #[serde(borrow)]
    status: Str<'a>,
    #[serde(borrow)]
    timestamp: Str<'a>,
    #[serde(rename = "agentId", borrow)]
    agent_id: Str<'a>,
    #[serde(borrow)]
    result: Option<&'a RawValue>,
    #[serde(rename = "resultDisplay", borrow, deserialize_with = "lenient_object")]
    display: Option<Display<'a>>,
}

/// `resultDisplay` when it is an object (a file tool's).
#[derive(Default, Deserialize)]
#[serde(default)]
struct Display<'a> {
    #[serde(rename = "filePath", borrow)]
    file_path: Str<'a>,
    #[serde(rename = "fileDiff", borrow)]
    file_diff: Str<'a>,
    #[serde(rename = "isNewFile", deserialize_with = "lenient")]
    is_new_file: Option<bool>,
}

/// The arguments of a call, as far as they are read.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Args<'a> {
    #[serde(borrow)]
    command: Str<'a>,
    #[serde(borrow)]
    file_path: Str<'a>,
    #[serde(borrow)]
    absolute_path: Str<'a>,
}

/// A chat as its records build it.
#[derive(Default)]
struct Chat<'a> {
    session: Option<String>,
    /// The conversation: message ids in order.
    order: Vec<&'a str>,
    in_order: HashSet<&'a str>,
    /// The last record of every message id ever written (rewound ones too), with the order
    /// they were first written in.
    messages: HashMap<&'a str, Record<'a>>,
    written: Vec<&'a str>,
}

impl<'a> Chat<'a> {
    fn record(&mut self, r: Record<'a>) {
        if let Some(id) = r.session_id.get() {
            self.session.get_or_insert_with(|| id.to_owned());
            return;
        }
        if let Some(set) = r.set {
            if let Some(list) = set.messages.0 {
                self.order.clear();
                self.in_order.clear();
                list.into_iter()
                    .filter_map(|m| m.0)
                    .for_each(|m| self.message(m));
            }
            return;
        }
        if let Some(to) = r.rewind_to.get() {
            if let Some(at) = self.order.iter().position(|id| *id == to) {
                for id in self.order.drain(at..) {
                    self.in_order.remove(id);
                }
            }
            return;
        }
        if r.kind.get().is_some() {
            self.message(r);
        }
    }

    fn legacy(&mut self, doc: Record<'a>) {
        self.session = doc.session_id.get().map(str::to_owned);
        for m in doc.messages.0.into_iter().flatten().filter_map(|m| m.0) {
            self.message(m);
        }
    }

    fn message(&mut self, m: Record<'a>) {
        let Some(id) = borrowed(&m.id) else {
            return;
        };
        if self.in_order.insert(id) {
            self.order.push(id);
        }
        if self.messages.insert(id, m).is_none() {
            self.written.push(id);
        }
    }

    fn finish(self, place: &Place, depth: Depth) -> ThreadRead {
        let session = self.session.clone().unwrap_or_default();
        let mut t = ThreadRead::new(depth);
        t.identity = Identity {
            thread: session.clone(),
            session: place.parent.clone().unwrap_or_else(|| session.clone()),
            parent: place.parent.clone(),
            cwd: place.cwd.clone(),
            ..Identity::default()
        };
        for id in &self.written {
            let m = &self.messages[id];
            t.saw(ts(&m.timestamp));
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

/// An id borrowed from the text (ids hold no escapes; one that does is not kept).
fn borrowed<'a>(s: &Str<'a>) -> Option<&'a str> {
    match &s.0 {
        Some(std::borrow::Cow::Borrowed(id)) => Some(id),
        _ => None,
    }
}

fn ts(s: &Str<'_>) -> Option<i64> {
    crate::agent_source::thread::ts_ms(s.get())
}

/// A model turn's usage: cached input is part of `input`, thoughts and tool-use prompts are
/// apart (thoughts billed as output, tool-use prompts as input).
fn response(session: &str, id: &str, m: &Record<'_>) -> Option<Response> {
    if m.kind.get() != Some("gemini") {
        return None;
    }
    let t = m.tokens.as_ref()?;
    let input = t.input.unwrap_or(0);
    let cached = t.cached.unwrap_or(0).min(input);
    Some(Response {
        key: hash128(session, id),
        id: Some(id.to_owned()),
        tokens: Tokens {
            input: input - cached + t.tool.unwrap_or(0),
            output: t.output.unwrap_or(0) + t.thoughts.unwrap_or(0),
            cache_read: cached,
            ..Tokens::default()
        },
        ts_ms: ts(&m.timestamp).unwrap_or(0),
        model: m
            .model
            .get()
            .unwrap_or(crate::agent_source::thread::UNRECORDED_MODEL)
            .to_owned(),
        stored_cost: None,
    })
}

/// The conversation steps of one message that survived rewinds.
fn steps(t: &mut ThreadRead, m: &Record<'_>) {
    let at = ts(&m.timestamp);
    match m.kind.get() {
        Some("user") => {
            let text = text_of(m.content);
            if !text.trim().is_empty() && !text.trim_start().starts_with('<') {
                t.step(at, Step::Prompt(text));
            }
        }
        Some("gemini") => {
            if t.full() {
                thoughts(t, at, m.thoughts);
            }
            let text = text_of(m.content);
            if !text.trim().is_empty() {
                t.step(at, Step::Answer(text));
            }
            for c in m.tool_calls.0.iter().flatten().filter_map(|c| c.0.as_ref()) {
                let full = t.full();
                let (call, changes) = tool_call(c, at, full);
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

fn thoughts(t: &mut ThreadRead, at: Option<i64>, raw: Option<&RawValue>) {
    #[derive(Deserialize)]
    struct Thought<'a> {
        #[serde(default, borrow)]
        subject: Str<'a>,
        #[serde(default, borrow)]
        description: Str<'a>,
    }
    let list: List<Obj<Thought<'_>>> = raw
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default();
    for th in list.0.into_iter().flatten().filter_map(|th| th.0) {
        let s = |v: &Str<'_>| v.get().unwrap_or("").to_owned();
        let text = format!("{}\n{}", s(&th.subject), s(&th.description));
        t.step(at, Step::Reasoning(text.trim().to_owned()));
    }
}

/// One tool call with its outcome and the file it changed; `full` keeps its output and the
/// lines it changed.
fn tool_call(c: &ToolCall<'_>, at: Option<i64>, full: bool) -> (Call, Vec<Change>) {
    let args: Args<'_> = c
        .args
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default();
    let name = c.name.get().unwrap_or_default().to_owned();
    let display = c.display.as_ref();
    let path = display
        .and_then(|d| d.file_path.get())
        .or_else(|| args.file_path.get().or_else(|| args.absolute_path.get()))
        .map(str::to_owned);
    let status = c.status.get();
    let failed = matches!(status, Some("error" | "cancelled"));
    let output = if full || failed {
        output_text(c.result)
    } else {
        String::new()
    };
    let mut call = Call {
        id: c.id.get().unwrap_or_default().to_owned(),
        command: (name == "run_shell_command")
            .then(|| args.command.get().map(str::to_owned))
            .flatten(),
        files: path.clone().into_iter().collect(),
        child: c.agent_id.get().map(str::to_owned),
        started_ms: at,
        finished_ms: ts(&c.timestamp),
        output: Some(clip(&output)).filter(|o| !o.is_empty()),
        outcome: match status {
            Some("success") => Outcome::Ok,
            _ if failed => Outcome::Failed(clip(&output)),
            _ => Outcome::Pending,
        },
        name,
        ..Call::default()
    };
    if call.command.is_none() && call.files.is_empty() {
        call.arguments = Some(
            c.args
                .and_then(|r| serde_json::from_str(r.get()).ok())
                .unwrap_or(serde_json::Value::Null),
        );
    }
    let changes = match (display.and_then(|d| d.file_diff.get()), path) {
        (Some(diff), Some(path)) if call.outcome == Outcome::Ok => vec![Change {
            path,
            created: display.and_then(|d| d.is_new_file).unwrap_or(false),
            deleted: false,
            hunks: if full { unified(diff) } else { Vec::new() },
        }],
        _ => Vec::new(),
    };
    (call, changes)
}

/// The text a tool returned to the model, without the wrapper Gemini CLI puts around command
/// output (`<untrusted_context>`, `Output: `, the process group line).
fn output_text(raw: Option<&RawValue>) -> String {
    #[derive(Deserialize)]
    struct Part<'a> {
        #[serde(rename = "functionResponse", default, borrow)]
        #[serde(deserialize_with = "lenient_object")]
        function_response: Option<FunctionResponse<'a>>,
    }
    #[derive(Deserialize)]
    struct FunctionResponse<'a> {
        #[serde(default, borrow, deserialize_with = "lenient_object")]
        response: Option<Reply<'a>>,
    }
    #[derive(Deserialize)]
    struct Reply<'a> {
        #[serde(default, borrow)]
        output: Str<'a>,
        #[serde(default, borrow)]
        error: Str<'a>,
    }
    let parts: List<Obj<Part<'_>>> = raw
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default();
    let text: Vec<String> = parts
        .0
        .into_iter()
        .flatten()
        .filter_map(|p| p.0?.function_response?.response)
        .filter_map(|r| r.output.0.or(r.error.0).map(std::borrow::Cow::into_owned))
        .collect();
    text.join("\n")
        .lines()
        .filter(|l| !l.starts_with("<untrusted_context>") && !l.starts_with("</untrusted_context>"))
        .filter(|l| !l.starts_with("Process Group PGID:"))
        .map(|l| l.strip_prefix("Output: ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}
