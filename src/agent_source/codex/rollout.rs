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
use serde_json::value::RawValue;

use crate::agent_source::thread::Identity;
use crate::session::detail::Open;
use crate::transcript::Diagnostic;
use crate::transcript::lenient::{lenient, lenient_object};

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
    #[serde(default, borrow)]
    pub payload: Payload<'a>,
}

/// The fields of every payload git-vouch reads (each type uses a few). Strings borrow from the
/// line; nested values stay raw JSON until a reader needs them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Payload<'a> {
    #[serde(rename = "type", borrow, deserialize_with = "lenient")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub session_id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub forked_from_id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub parent_thread_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub source: Option<&'a RawValue>,
    #[serde(deserialize_with = "lenient")]
    pub subagent_history_start_ordinal: Option<u64>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub cli_version: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub cwd: Option<Cow<'a, str>>,
    #[serde(deserialize_with = "lenient_object")]
    pub git: Option<GitInfo>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub model: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub approval_policy: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub sandbox_policy: Option<&'a RawValue>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub turn_id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub role: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub content: Option<&'a RawValue>,
    #[serde(borrow)]
    pub summary: Option<&'a RawValue>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub name: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub arguments: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub input: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub call_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub action: Option<&'a RawValue>,
    #[serde(borrow)]
    pub output: Option<&'a RawValue>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub message: Option<Cow<'a, str>>,
    #[serde(deserialize_with = "lenient_object")]
    pub info: Option<TokenInfo>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub response_id: Option<Cow<'a, str>>,
    #[serde(deserialize_with = "lenient_object")]
    pub usage: Option<OpenAiUsage>,
    #[serde(borrow, deserialize_with = "lenient_object")]
    pub item: Option<Completed<'a>>,
    #[serde(deserialize_with = "lenient")]
    pub exit_code: Option<i64>,
    #[serde(deserialize_with = "lenient")]
    pub success: Option<bool>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub stderr: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub changes: Option<&'a RawValue>,
}

/// `item_completed.item`: a command's end or a patch's files.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Completed<'a> {
    #[serde(borrow, deserialize_with = "lenient")]
    pub id: Option<Cow<'a, str>>,
    #[serde(rename = "type", borrow, deserialize_with = "lenient")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub status: Option<Cow<'a, str>>,
    #[serde(deserialize_with = "lenient")]
    pub exit_code: Option<i64>,
    #[serde(borrow, deserialize_with = "lenient")]
    pub aggregated_output: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub changes: Option<&'a RawValue>,
}

/// A raw JSON value, decoded (`Null` when there is none).
pub fn value(raw: Option<&RawValue>) -> Value {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null)
}

/// `session_meta.git`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GitInfo {
    pub commit_hash: Option<String>,
    pub branch: Option<String>,
    pub repository_url: Option<String>,
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
    fn of(meta: &Payload<'_>) -> Self {
        let source = value(meta.source);
        let spawn = source.pointer("/subagent/thread_spawn");
        let spawn_str = |k: &str| spawn.and_then(|s| s.get(k)).and_then(Value::as_str);
        let owned = |s: &Option<Cow<'_, str>>| s.as_deref().map(str::to_owned);
        let thread = owned(&meta.id).unwrap_or_default();
        let parent = owned(&meta.parent_thread_id)
            .or_else(|| spawn_str("parent_thread_id").map(str::to_owned));
        let session = match (&parent, owned(&meta.session_id)) {
            (Some(_), Some(root)) if !root.is_empty() => root,
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
                cwd: owned(&meta.cwd),
                version: owned(&meta.cli_version),
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
    /// The text of each of the thread's own lines (its first `session_meta` included), for
    /// readers of whole lines.
    fn own_text(&mut self, _text: &[u8]) {}
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
    let mut split = Split::default();
    let read = for_each_line(r, LINE_CAP, |line_no, line| {
        let Some(text) = line else {
            warnings.push(Diagnostic::at(path, line_no, "line too long; skipped"));
            return;
        };
        let text = text.trim_ascii_end();
        if text.is_empty() {
            return;
        }
        match serde_json::from_slice::<Line<'_>>(text) {
            Ok(line) => {
                if split.route(&line, line_no, visit) {
                    visit.own_text(text);
                }
            }
            Err(e) => warnings.push(Diagnostic::at(
                path,
                line_no,
                format!("not a rollout record ({e}); skipped"),
            )),
        }
    });
    if let Err(e) = read {
        warnings.push(Diagnostic::file(path, format!("cannot read: {e}")));
    }
    if split.meta.is_none() {
        warnings.push(Diagnostic::file(
            path,
            "no session_meta line; not a Codex rollout",
        ));
    }
}

/// Hands each line of `r` (1-based number, bytes without the newline) to `f`, straight from the
/// read buffer when the line lies in it whole; a line longer than `cap` is handed as `None`.
fn for_each_line(
    r: impl Read,
    cap: usize,
    mut f: impl FnMut(u64, Option<&[u8]>),
) -> std::io::Result<()> {
    let mut r = BufReader::with_capacity(256 * 1024, r);
    let mut carry: Vec<u8> = Vec::new();
    let mut too_long = false;
    let mut line_no = 0u64;
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            if !carry.is_empty() || too_long {
                line_no += 1;
                f(line_no, (!too_long).then_some(carry.as_slice()));
            }
            return Ok(());
        }
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', buf) {
            line_no += 1;
            let piece = &buf[start..nl];
            if too_long || carry.len() + piece.len() > cap {
                f(line_no, None);
            } else if carry.is_empty() {
                f(line_no, Some(piece));
            } else {
                carry.extend_from_slice(piece);
                f(line_no, Some(&carry));
            }
            carry.clear();
            too_long = false;
            start = nl + 1;
        }
        let rest = &buf[start..];
        if too_long || carry.len() + rest.len() > cap {
            too_long = true;
            carry = Vec::new();
        } else {
            carry.extend_from_slice(rest);
        }
        let n = buf.len();
        r.consume(n);
    }
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
    /// Hands `line` to `visit` as the thread's own or as copied; whether it was its own.
    fn route(&mut self, line: &Line<'_>, line_no: u64, visit: &mut dyn Visit) -> bool {
        let Some(id) = &self.meta else {
            if line.kind == "session_meta" {
                let meta = Meta::of(&line.payload);
                self.born_ms = uuid_v7_ms(&meta.identity.thread);
                self.copying = meta.forked && meta.own_from_ordinal.is_none();
                visit.identity(&meta.identity);
                self.meta = Some(meta);
                return true;
            }
            return false;
        };
        if let (Some(from), Some(ordinal)) = (id.own_from_ordinal, line.ordinal) {
            if ordinal < from {
                visit.copied(line);
                return false;
            }
            visit.line(line, line_no);
            return true;
        }
        if self.copying && self.starts_own_turn(line) {
            self.copying = false;
        }
        if self.copying && line.payload.kind.as_deref() == Some("turn_aborted") {
            self.saw_abort = true;
        }
        if self.copying || line.kind == "session_meta" {
            visit.copied(line);
            false
        } else {
            visit.line(line, line_no);
            true
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

#[cfg(test)]
mod line_tests {
    use super::*;

    /// A reader handing out `n` bytes at a time.
    struct Chunked<'a>(&'a [u8], usize);

    impl Read for Chunked<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(self.1).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn lines(input: &[u8], chunk: usize, cap: usize) -> Vec<(u64, Option<String>)> {
        let mut out = Vec::new();
        for_each_line(Chunked(input, chunk), cap, |n, line| {
            out.push((n, line.map(|l| String::from_utf8_lossy(l).into_owned())));
        })
        .unwrap();
        out
    }

    #[test]
    fn lines_are_whole_across_reads_and_too_long_ones_are_named() {
        let input = b"one\ntwo two\n\na line past the cap\nlast";
        let want = vec![
            (1, Some("one".to_owned())),
            (2, Some("two two".to_owned())),
            (3, Some(String::new())),
            (4, None),
            (5, Some("last".to_owned())),
        ];
        for chunk in [1, 3, 5, 1024] {
            assert_eq!(lines(input, chunk, 10), want, "chunk {chunk}");
        }
        assert_eq!(lines(b"a\n", 2, 10), vec![(1, Some("a".to_owned()))]);
        assert_eq!(lines(b"", 2, 10), Vec::new());
        assert_eq!(lines(b"0123456789abc", 4, 10), vec![(1, None)]);
    }
}
