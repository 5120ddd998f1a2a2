//! One Codex CLI rollout (`rollout-*.jsonl`, or `.jsonl.zst` once Codex compressed it), read
//! line by line into typed records, with the lines a forked or sub-agent thread copied from its
//! parent told apart from its own.
//!
//! Every line is `{"timestamp", "ordinal"?, "type", "payload"}`. The payload is decoded into one
//! flat record holding the fields of every type git-vouch reads; the rest (the 20,000-character
//! instructions of `session_meta`, rate limits, tool schemas) is skipped unparsed.
//!
//! A child thread's file starts with its own `session_meta`, then a copy of the parent's history.
//! Codex 0.171 says where its own part starts (`subagent_history_start_ordinal`); older builds do
//! not, and some copied the parent's `token_count` events too, which made peers count the
//! parent's tokens again for every child. Without that field the copy ends at the first turn the
//! child started itself: its turn ids are UUIDv7, stamped after the child's own id.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::agent_source::thread::Identity;
use crate::session::detail::Open;
use crate::transcript::Diagnostic;

/// The longest line read; a longer one is skipped with a warning.
const LINE_CAP: usize = 64 * 1024 * 1024;

/// One line of a rollout.
#[derive(Debug, Deserialize)]
pub struct Line<'a> {
    #[serde(borrow, default)]
    pub timestamp: Option<Cow<'a, str>>,
    #[serde(default)]
    pub ordinal: Option<u64>,
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    #[serde(default)]
    pub payload: Payload,
}

/// The fields of every payload git-vouch reads (each type uses a few).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Payload {
    #[serde(rename = "type")]
    #[serde(deserialize_with = "lenient::string")]
    pub kind: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub session_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub forked_from_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub parent_thread_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub thread_source: Option<String>,
    pub source: Option<Value>,
    pub subagent_history_start_ordinal: Option<u64>,
    #[serde(deserialize_with = "lenient::string")]
    pub cli_version: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub cwd: Option<String>,
    pub git: Option<GitInfo>,
    #[serde(deserialize_with = "lenient::string")]
    pub model: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub approval_policy: Option<String>,
    pub sandbox_policy: Option<Value>,
    #[serde(deserialize_with = "lenient::string")]
    pub turn_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub role: Option<String>,
    pub content: Option<Value>,
    pub summary: Option<Value>,
    #[serde(deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub namespace: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub arguments: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub input: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub call_id: Option<String>,
    pub action: Option<Value>,
    pub output: Option<Value>,
    #[serde(deserialize_with = "lenient::string")]
    pub status: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub message: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub last_agent_message: Option<String>,
    pub info: Option<TokenInfo>,
    #[serde(deserialize_with = "lenient::string")]
    pub response_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub thread_id: Option<String>,
    pub usage: Option<OpenAiUsage>,
    pub item: Option<Value>,
    pub exit_code: Option<i64>,
    pub success: Option<bool>,
    #[serde(deserialize_with = "lenient::string")]
    pub stdout: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub stderr: Option<String>,
    pub changes: Option<Value>,
}

/// `session_meta.git`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GitInfo {
    pub commit_hash: Option<String>,
    pub branch: Option<String>,
    pub repository_url: Option<String>,
}

/// The text of a message's content or a reasoning summary: a string, or parts with `text`.
pub fn text_of(v: Option<&Value>) -> String {
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

mod lenient {
    //! A field that is a string in the releases read, and something else in others, is read as
    //! absent rather than losing the whole line.

    use std::fmt;

    use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

    pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(Lenient)
    }

    struct Lenient;

    impl<'de> Visitor<'de> for Lenient {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any value")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
}

/// `token_count.info`: the last response's usage and the thread's running total.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenInfo {
    pub total_token_usage: Option<OpenAiUsage>,
    pub last_token_usage: Option<OpenAiUsage>,
}

/// Codex's token counts: cached input is part of input, reasoning part of output.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default)]
#[allow(clippy::struct_field_names)] // Codex's own names.
pub struct OpenAiUsage {
    pub input_tokens: u64,
    pub cached_input_tokens: u64,
    pub cache_write_input_tokens: u64,
    pub output_tokens: u64,
    pub reasoning_output_tokens: u64,
    pub total_tokens: u64,
}

/// Who a rollout's thread is, from its first `session_meta`, and where its own lines start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub identity: Identity,
    /// The thread copies another's history (a fork or a sub-agent).
    pub forked: bool,
    /// Where the thread's own lines start, when Codex recorded it.
    pub own_from_ordinal: Option<u64>,
}

impl Meta {
    fn of(meta: &Payload) -> Self {
        let spawn = meta
            .source
            .as_ref()
            .and_then(|s| s.pointer("/subagent/thread_spawn"));
        let spawn_str = |k: &str| spawn.and_then(|s| s.get(k)).and_then(Value::as_str);
        let thread = meta.id.clone().unwrap_or_default();
        let parent = meta
            .parent_thread_id
            .clone()
            .or_else(|| spawn_str("parent_thread_id").map(str::to_owned));
        let session = match (&parent, &meta.session_id) {
            (Some(_), Some(root)) if !root.is_empty() => root.clone(),
            (Some(p), _) => p.clone(),
            _ => thread.clone(),
        };
        // `/root/child_task` was started by `spawn_agent {task_name: "child_task"}`.
        let task = spawn_str("agent_path")
            .and_then(|p| p.rsplit('/').next())
            .map(str::to_owned);
        Self {
            identity: Identity {
                session,
                parent,
                nickname: spawn_str("agent_nickname")
                    .or_else(|| spawn_str("agent_path"))
                    .map(str::to_owned),
                task,
                cwd: meta.cwd.clone(),
                version: meta.cli_version.clone(),
                git_branch: meta.git.as_ref().and_then(|g| g.branch.clone()),
                thread,
            },
            forked: meta.forked_from_id.is_some() || spawn.is_some(),
            own_from_ordinal: meta.subagent_history_start_ordinal,
        }
    }
}

/// What a reader of a rollout is told, line by line.
pub trait Visit {
    /// The thread's identity, before any other line.
    fn identity(&mut self, id: &Identity);
    /// One of the thread's own lines (`line_no` is 1-based). Copied lines are not visited.
    fn line(&mut self, line: &Line<'_>, line_no: u64);
    /// A copied line (the parent's history in a fork or sub-agent), for readers that keep the
    /// parent's running token total as the child's baseline.
    fn copied(&mut self, _line: &Line<'_>) {}
}

/// Opens a rollout through `open`, decompressing a `.zst` one.
pub fn reader(path: &Path, open: &Open<'_>) -> std::io::Result<Box<dyn Read + Send>> {
    let raw = open(path)?;
    if path.extension().is_some_and(|e| e == "zst") {
        let decoder = ruzstd::decoding::StreamingDecoder::new(raw)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
        Ok(Box::new(decoder))
    } else {
        Ok(raw)
    }
}

/// Reads the rollout at `path` into `visit`; problems are added to `warnings`.
pub fn read(path: &Path, open: &Open<'_>, visit: &mut dyn Visit, warnings: &mut Vec<Diagnostic>) {
    match reader(path, open) {
        Ok(r) => read_from(r, path, visit, warnings),
        Err(e) => warnings.push(Diagnostic::file(path, format!("cannot read: {e}"))),
    }
}

/// Reads rollout lines from `r` (see [`read`]).
pub fn read_from(r: impl Read, path: &Path, visit: &mut dyn Visit, warnings: &mut Vec<Diagnostic>) {
    let mut lines = BufReader::with_capacity(256 * 1024, r);
    let mut buf = Vec::new();
    let mut split = Split::default();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        match read_line(&mut lines, &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                warnings.push(Diagnostic::file(path, format!("cannot read: {e}")));
                break;
            }
        }
        line_no += 1;
        let text = trim_line(&buf);
        if text.is_empty() {
            continue;
        }
        if text.len() > LINE_CAP {
            warnings.push(Diagnostic::at(path, line_no, "line too long; skipped"));
            continue;
        }
        match serde_json::from_slice::<Line<'_>>(text) {
            Ok(line) => split.route(&line, line_no, visit),
            Err(e) => warnings.push(Diagnostic::at(
                path,
                line_no,
                format!("not a rollout record ({e}); skipped"),
            )),
        }
    }
    if split.meta.is_none() {
        warnings.push(Diagnostic::file(
            path,
            "no session_meta line; not a Codex rollout",
        ));
    }
}

fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    r.read_until(b'\n', buf)
}

fn trim_line(buf: &[u8]) -> &[u8] {
    let end = buf
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &buf[..end]
}

/// Tells a thread's own lines from those it copied.
#[derive(Default)]
struct Split {
    meta: Option<Meta>,
    /// Millisecond stamp of the thread's UUIDv7 id (its creation).
    born_ms: Option<u64>,
    /// Still inside the copied history (forks without a recorded start ordinal).
    copying: bool,
    /// The copied history ended a turn with `turn_aborted` (where the fork cut it).
    saw_abort: bool,
}

impl Split {
    fn route(&mut self, line: &Line<'_>, line_no: u64, visit: &mut dyn Visit) {
        let Some(id) = &self.meta else {
            if line.kind == "session_meta" {
                let meta = Meta::of(&line.payload);
                self.born_ms = uuid_v7_ms(&meta.identity.thread);
                self.copying = meta.forked && meta.own_from_ordinal.is_none();
                visit.identity(&meta.identity);
                self.meta = Some(meta);
            }
            return;
        };
        if let (Some(from), Some(ordinal)) = (id.own_from_ordinal, line.ordinal) {
            if ordinal < from {
                visit.copied(line);
            } else {
                visit.line(line, line_no);
            }
            return;
        }
        if self.copying && self.starts_own_turn(line) {
            self.copying = false;
        }
        if self.copying && line.payload.kind.as_deref() == Some("turn_aborted") {
            self.saw_abort = true;
        }
        if self.copying || line.kind == "session_meta" {
            visit.copied(line);
        } else {
            visit.line(line, line_no);
        }
    }

    /// A turn the thread started itself: its UUIDv7 turn id is no older than the thread.
    fn starts_own_turn(&self, line: &Line<'_>) -> bool {
        let p = &line.payload;
        let starts = line.kind == "event_msg" && p.kind.as_deref() == Some("task_started")
            || line.kind == "turn_context";
        if !starts {
            return false;
        }
        match (p.turn_id.as_deref().and_then(uuid_v7_ms), self.born_ms) {
            (Some(turn), Some(born)) => turn >= born,
            // Without UUIDv7 ids: the first turn after the copy's aborted one.
            _ => self.saw_abort,
        }
    }
}

/// The millisecond timestamp of a UUIDv7 (`None` for other strings and versions).
pub fn uuid_v7_ms(id: &str) -> Option<u64> {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    if hex.as_bytes()[12] != b'7' {
        return None;
    }
    u64::from_str_radix(&hex[..12], 16).ok()
}

pub use crate::agent_source::thread::ts_ms;
