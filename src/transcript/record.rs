//! The full decoder behind the detail view: every line becomes a typed [`Record`], keeping tool
//! inputs, `toolUseResult` and progress `data` as JSON values.
//!
//! Decoding is tolerant: a field of the wrong type reads as absent, unknown record types become
//! [`Body::Other`], and a line that is not JSON becomes a [`Diagnostic`] while reading goes on.
//! Lines longer than the reader's cap are reported and skipped rather than buffered.

use std::io::BufRead;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Diagnostic;
use super::lines::{DEFAULT_LINE_CAP, Line, LineReader};
use super::wire::RawUsage;
use crate::money::Usd;

mod decode;

pub use decode::{PROGRESS_KEYS, RESULT_KEYS};

/// Record types [`decode`] turns into something other than [`Body::Other`].
const NEEDED_TYPES: [&[u8]; 5] = [b"user", b"assistant", b"system", b"summary", b"progress"];

/// Warnings kept per file; the rest are summed up in one last warning.
const MAX_WARNINGS: usize = 20;

/// One transcript line.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line number in its file.
    pub line: u64,
    pub uuid: Option<String>,
    pub parent_uuid: Option<String>,
    pub session_id: Option<String>,
    /// `agentId` of side-chain lines (2.0.28+).
    pub agent_id: Option<String>,
    pub timestamp: Option<DateTime<Utc>>,
    pub is_sidechain: bool,
    pub is_meta: bool,
    pub body: Body,
}

/// What a line holds, by its `type`.
#[derive(Debug, Clone)]
pub enum Body {
    User(UserLine),
    /// Boxed: assistant lines are much larger than the other kinds.
    Assistant(Box<AssistantLine>),
    System {
        subtype: Option<String>,
    },
    Summary {
        summary: String,
        leaf_uuid: Option<String>,
    },
    Progress(ProgressLine),
    /// Any other type (titles, snapshots, queue operations, future kinds).
    Other {
        kind: String,
    },
}

/// A `user` line: a prompt or tool results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserLine {
    /// Plain-string content becomes one [`Block::Text`].
    pub content: Vec<Block>,
    /// The structured tool output (`toolUseResult`) when the line carries one: a string, or an
    /// object reduced to [`RESULT_KEYS`] (file contents are not kept).
    pub tool_use_result: Option<Value>,
    pub is_compact_summary: bool,
}

/// An `assistant` line: one or more content blocks of an API response.
#[derive(Debug, Clone, Default)]
pub struct AssistantLine {
    pub message_id: Option<String>,
    pub request_id: Option<String>,
    pub model: Option<String>,
    pub usage: Option<RawUsage>,
    pub content: Vec<Block>,
    pub is_api_error: bool,
    /// `costUSD`, written by Claude Code 1.0.8 and older.
    pub cost_usd: Option<Usd>,
}

/// A `progress` line (hook, bash or sub-agent progress).
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressLine {
    pub tool_use_id: Option<String>,
    pub parent_tool_use_id: Option<String>,
    /// `data`, reduced to [`PROGRESS_KEYS`].
    pub data: Value,
}

/// A content block.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Text(String),
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    ToolResult {
        tool_use_id: String,
        /// The text parts of the result, joined by newlines.
        text: String,
        is_error: bool,
    },
    /// The model's thinking (its `thinking` text; redacted thinking reads as [`Block::Other`]).
    Thinking(String),
    /// Images, server tools and anything unknown.
    Other,
}

impl ProgressLine {
    /// `(agentId, parentToolUseID)` of an `agent_progress` line.
    pub fn agent_link(&self) -> Option<(&str, &str)> {
        if self.data.get("type")?.as_str()? != "agent_progress" {
            return None;
        }
        let agent = self.data.get("agentId")?.as_str()?;
        Some((agent, self.parent_tool_use_id.as_deref()?))
    }
}

/// Reads every line of `reader`, handing each decoded record to `each`. Problems are appended to
/// `warnings` (at most 20 per file, then a count).
///
/// Lines are decoded on a second thread while `each` runs on the caller's, in batches through a
/// bounded channel: decoding is the larger part of reading a session, and the two overlap. `each`
/// borrows the records and the batches go back to be freed on the thread that allocated them
/// (glibc's allocator loses the overlap's gain to frees across threads).
pub fn read_records<R: BufRead + Send>(
    reader: R,
    path: &Path,
    warnings: &mut Vec<Diagnostic>,
    each: impl FnMut(&Record),
) -> std::io::Result<()> {
    read_records_capped(reader, DEFAULT_LINE_CAP, path, warnings, each)
}

/// Records sent across at once.
const BATCH: usize = 256;
/// Batches in flight between the decoding thread and the caller's.
const IN_FLIGHT: usize = 4;

/// [`read_records`] with an explicit line cap.
pub fn read_records_capped<R: BufRead + Send>(
    reader: R,
    cap: usize,
    path: &Path,
    warnings: &mut Vec<Diagnostic>,
    mut each: impl FnMut(&Record),
) -> std::io::Result<()> {
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Record>>(IN_FLIGHT);
        let (done_tx, done_rx) = std::sync::mpsc::channel::<Vec<Record>>();
        let decoder = scope.spawn(move || {
            let mut found = Vec::new();
            let mut batch = Vec::with_capacity(BATCH);
            let read = decode_lines(reader, cap, path, &mut found, |r| {
                batch.push(r);
                if batch.len() == BATCH {
                    done_rx.try_iter().for_each(drop);
                    // A send fails only when the caller's side has panicked; the rest is dropped.
                    let _ = tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
                }
            });
            let _ = tx.send(batch);
            drop(tx);
            done_rx.iter().for_each(drop);
            (read, found)
        });
        for batch in &rx {
            batch.iter().for_each(&mut each);
            let _ = done_tx.send(batch);
        }
        drop(done_tx);
        let (read, mut found) = decoder
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        warnings.append(&mut found);
        read
    })
}

/// Decodes the lines of `reader` one after the other, on the calling thread.
fn decode_lines<R: BufRead>(
    reader: R,
    cap: usize,
    path: &Path,
    warnings: &mut Vec<Diagnostic>,
    mut each: impl FnMut(Record),
) -> std::io::Result<()> {
    let mut lines = LineReader::new(reader, cap, 0, 0);
    let (kept, mut dropped) = (warnings.len(), 0);
    let mut warn = |line: u64, message: String| {
        if warnings.len() - kept < MAX_WARNINGS {
            warnings.push(Diagnostic::at(path, line, message));
        } else {
            dropped += 1;
        }
    };
    while let Some((pos, line)) = lines.next_line()? {
        let bytes = match line {
            Line::Long { .. } => {
                warn(pos.number, format!("line longer than {cap} bytes skipped"));
                continue;
            }
            Line::Whole(b) if b.iter().all(u8::is_ascii_whitespace) => continue,
            Line::Whole(b) => b,
        };
        // Record types the detail does not use (attachments, queue operations, titles, API
        // request logs…) are skipped before the expensive full parse.
        if super::peek::top_level_type(bytes).is_some_and(|t| !NEEDED_TYPES.contains(&t)) {
            continue;
        }
        match parse(bytes) {
            Ok(raw) => each(raw.into_record(pos.number)),
            Err(Problem::NotObject) => warn(pos.number, "not a JSON object".to_owned()),
            Err(Problem::Json(e)) if !pos.terminated && e.is_eof() => {
                let n = bytes.len();
                warn(
                    pos.number,
                    format!("truncated last line ({n} bytes, no newline)"),
                );
            }
            Err(Problem::Json(e)) => warn(pos.number, format!("invalid JSON: {e}")),
        }
    }
    if dropped > 0 {
        warnings.push(Diagnostic::file(path, format!("{dropped} more bad lines")));
    }
    Ok(())
}

/// Why a line did not decode.
enum Problem {
    NotObject,
    Json(serde_json::Error),
}

/// Decodes one line; values other than objects are told apart from broken JSON.
fn parse(bytes: &[u8]) -> Result<decode::RawLine<'_>, Problem> {
    if bytes.trim_ascii_start().first() == Some(&b'{') {
        return serde_json::from_slice(bytes).map_err(Problem::Json);
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        Ok(_) => Err(Problem::NotObject),
        Err(e) => Err(Problem::Json(e)),
    }
}

/// An RFC 3339 timestamp in UTC.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str, cap: usize) -> (Vec<Record>, Vec<Diagnostic>) {
        let (mut out, mut warnings) = (Vec::new(), Vec::new());
        read_records_capped(input.as_bytes(), cap, Path::new("f"), &mut warnings, |r| {
            out.push(r.clone());
        })
        .ok();
        (out, warnings)
    }

    #[test]
    fn decodes_tool_use_and_result_lines() {
        let (recs, warnings) = read(
            concat!(
                r#"{"type":"assistant","timestamp":"2026-01-01T00:00:00Z","requestId":"r","message":{"id":"m","usage":{"service_tier":7},"content":[{"type":"thinking","thinking":7},{"type":"tool_use","id":"t","name":"Bash","input":{}}]}}"#,
                "\n",
                r#"{"type":"user","isSidechain":true,"message":{"content":[{"type":"tool_result","tool_use_id":"t","is_error":true,"content":[{"type":"text","text":"a"},{"type":"image"},{"type":"text","text":"b"}]}]},"toolUseResult":"Error: x"}"#,
            ),
            DEFAULT_LINE_CAP,
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        let Body::Assistant(a) = &recs[0].body else {
            panic!("not assistant")
        };
        assert_eq!(a.message_id.as_deref(), Some("m"));
        let usage = a.usage.as_ref().expect("the usage object is kept");
        assert_eq!(
            usage.service_tier, None,
            "a field of the wrong type reads as absent"
        );
        assert_eq!(a.content[0], Block::Other);
        assert!(matches!(&a.content[1], Block::ToolUse { name, .. } if name == "Bash"));
        assert!(recs[0].timestamp.is_some());
        let Body::User(u) = &recs[1].body else {
            panic!("not user")
        };
        assert!(recs[1].is_sidechain);
        assert_eq!(u.tool_use_result, Some(Value::String("Error: x".into())));
        let text = (String::from("a\nb"), true);
        assert!(
            matches!(&u.content[0], Block::ToolResult { text: t, is_error: e, .. } if (t.clone(), *e) == text)
        );
    }

    #[test]
    fn bad_unknown_and_long_lines_do_not_stop_reading() {
        let long = "y".repeat(120);
        let input = format!(
            "{{\"type\":\"mode\"}}\nnot json\n[1]\n\n{{\"x\":\"{long}\"}}\n{}\n{{\"type\":\"user\"",
            r#"{"type":"progress","parentToolUseID":"p","data":{"type":"agent_progress","agentId":"a1"}}"#
        );
        let (recs, warnings) = read(&input, 100);
        // `mode` is a type the detail has no use for: skipped without a full parse.
        assert_eq!(recs.len(), 1);
        let Body::Progress(p) = &recs[0].body else {
            panic!("not progress")
        };
        assert_eq!(p.agent_link(), Some(("a1", "p")));
        let lines: Vec<Option<u64>> = warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, vec![Some(2), Some(3), Some(5), Some(7)]);
        assert!(warnings[2].message.contains("longer"));
        assert!(warnings[3].message.contains("truncated"));
    }

    #[test]
    fn large_result_members_are_dropped_and_wrong_types_read_as_absent() {
        let (recs, warnings) = read(
            concat!(
                r#"{"type":"user","uuid":7,"isMeta":"yes","message":"not an object","#,
                r#""toolUseResult":{"filePath":"a.rs","originalFile":"x\ny","structuredPatch":[{"oldStart":1,"lines":["+a"]}],"file":{"content":"big"}}}"#,
                "\n",
                r#"{"type":"assistant","message":{"model":["m"],"usage":{"input_tokens":"3","output_tokens":5,"cache_creation":"x"},"content":{"type":"text"}}}"#,
                "\n",
                r#"{"type":"progress","data":{"type":"agent_progress","agentId":"a","message":{"huge":[1,2,3]}}}"#,
                "\n",
                r#"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t","content":7,"is_error":"no"},{"type":"text","text":null},"odd"]}}"#,
            ),
            DEFAULT_LINE_CAP,
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        let Body::User(u) = &recs[0].body else {
            panic!("not user")
        };
        assert_eq!((recs[0].uuid.as_deref(), recs[0].is_meta), (None, false));
        assert!(
            u.content.is_empty(),
            "a message that is not an object has no content"
        );
        let kept = u
            .tool_use_result
            .as_ref()
            .and_then(Value::as_object)
            .unwrap();
        let keys: Vec<&str> = kept.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["filePath", "structuredPatch"],
            "file contents are not kept"
        );
        let Body::Assistant(a) = &recs[1].body else {
            panic!("not assistant")
        };
        let usage = a.usage.as_ref().unwrap().to_usage();
        assert_eq!((usage.tokens.input, usage.tokens.output), (0, 5));
        assert_eq!((a.model.as_deref(), a.content.len()), (None, 0));
        let Body::Progress(p) = &recs[2].body else {
            panic!("not progress")
        };
        assert_eq!(
            p.data.as_object().map(serde_json::Map::len),
            Some(2),
            "{:?}",
            p.data
        );
        let Body::User(u) = &recs[3].body else {
            panic!("not user")
        };
        assert_eq!(
            u.content,
            [
                Block::ToolResult {
                    tool_use_id: "t".into(),
                    text: String::new(),
                    is_error: false
                },
                Block::Other,
                Block::Other
            ]
        );
    }

    #[test]
    fn values_that_are_not_objects_are_told_from_broken_json() {
        let (recs, warnings) = read(
            "\"text\"\n{\"type\":\"user\",}\n  {\"type\":\"summary\",\"summary\":\"s\"}\n",
            1000,
        );
        let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert_eq!(messages[0], "not a JSON object");
        assert!(messages[1].starts_with("invalid JSON"), "{messages:?}");
        assert!(
            matches!(&recs[..], [Record { body: Body::Summary { summary, .. }, line: 3, .. }] if summary == "s")
        );
    }

    #[test]
    fn a_panicking_reader_does_not_leave_the_decoder_blocked() {
        let line = "{\"type\":\"system\"}\n";
        let input = line.repeat(BATCH * (IN_FLIGHT + 2));
        let outcome = std::panic::catch_unwind(|| {
            let mut warnings = Vec::new();
            read_records(input.as_bytes(), Path::new("f"), &mut warnings, |_| {
                panic!("the caller's side failed")
            })
        });
        assert!(outcome.is_err(), "the panic reaches the caller");
        let mut count = 0;
        read_records(input.as_bytes(), Path::new("f"), &mut Vec::new(), |_| {
            count += 1;
        })
        .unwrap();
        assert_eq!(
            count,
            BATCH * (IN_FLIGHT + 2),
            "every record arrives, in batches"
        );
    }
}
