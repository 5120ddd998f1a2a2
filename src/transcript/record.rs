//! The full decoder behind the detail view: every line becomes a typed [`Record`], keeping tool
//! inputs, `toolUseResult` and progress `data` as JSON values.
//!
//! Decoding is tolerant: a field of the wrong type reads as absent, unknown record types become
//! [`Body::Other`], and a line that is not JSON becomes a [`Diagnostic`] while reading goes on.
//! Lines longer than the reader's cap are reported and skipped rather than buffered.

use std::io::BufRead;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::Diagnostic;
use super::lines::{DEFAULT_LINE_CAP, Line, LineReader};
use super::wire::RawUsage;
use crate::money::Usd;

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
    Attachment {
        data: Value,
    },
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
    /// The structured tool output (`toolUseResult`), when the line carries one.
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
pub fn read_records<R: BufRead>(
    reader: R,
    path: &Path,
    warnings: &mut Vec<Diagnostic>,
    each: impl FnMut(Record),
) -> std::io::Result<()> {
    read_records_capped(reader, DEFAULT_LINE_CAP, path, warnings, each)
}

/// [`read_records`] with an explicit line cap.
pub fn read_records_capped<R: BufRead>(
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
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => each(decode(map, pos.number)),
            Ok(_) => warn(pos.number, "not a JSON object".to_owned()),
            Err(e) if !pos.terminated && e.is_eof() => {
                let n = bytes.len();
                warn(
                    pos.number,
                    format!("truncated last line ({n} bytes, no newline)"),
                );
            }
            Err(e) => warn(pos.number, format!("invalid JSON: {e}")),
        }
    }
    if dropped > 0 {
        warnings.push(Diagnostic::file(path, format!("{dropped} more bad lines")));
    }
    Ok(())
}

/// Decodes one JSON object into a record.
pub fn decode(mut map: Map<String, Value>, line: u64) -> Record {
    let kind = take_string(&mut map, "type").unwrap_or_default();
    let body = match kind.as_str() {
        "user" => Body::User(user(&mut map)),
        "assistant" => Body::Assistant(Box::new(assistant(&mut map))),
        "system" => Body::System {
            subtype: take_string(&mut map, "subtype"),
        },
        "summary" => Body::Summary {
            summary: take_string(&mut map, "summary").unwrap_or_default(),
            leaf_uuid: take_string(&mut map, "leafUuid"),
        },
        "progress" => Body::Progress(ProgressLine {
            tool_use_id: take_string(&mut map, "toolUseID"),
            parent_tool_use_id: take_string(&mut map, "parentToolUseID"),
            data: map.remove("data").unwrap_or(Value::Null),
        }),
        "attachment" => Body::Attachment {
            data: map.remove("attachment").unwrap_or(Value::Null),
        },
        _ => Body::Other { kind },
    };
    Record {
        line,
        uuid: take_string(&mut map, "uuid"),
        parent_uuid: take_string(&mut map, "parentUuid"),
        session_id: take_string(&mut map, "sessionId"),
        agent_id: take_string(&mut map, "agentId"),
        timestamp: take_string(&mut map, "timestamp").and_then(|t| parse_time(&t)),
        is_sidechain: flag(&map, "isSidechain"),
        is_meta: flag(&map, "isMeta"),
        body,
    }
}

fn user(map: &mut Map<String, Value>) -> UserLine {
    let mut message = take_object(map, "message");
    UserLine {
        content: blocks(message.remove("content")),
        tool_use_result: map.remove("toolUseResult").filter(|v| !v.is_null()),
        is_compact_summary: flag(map, "isCompactSummary"),
    }
}

fn assistant(map: &mut Map<String, Value>) -> AssistantLine {
    let mut message = take_object(map, "message");
    AssistantLine {
        message_id: take_string(&mut message, "id"),
        request_id: take_string(map, "requestId"),
        model: take_string(&mut message, "model"),
        usage: message
            .remove("usage")
            .and_then(|u| serde_json::from_value(u).ok()),
        content: blocks(message.remove("content")),
        is_api_error: flag(map, "isApiErrorMessage"),
        cost_usd: match map.get("costUSD") {
            Some(Value::Number(n)) => Usd::parse(&n.to_string()),
            _ => None,
        },
    }
}

fn blocks(content: Option<Value>) -> Vec<Block> {
    match content {
        Some(Value::String(text)) => vec![Block::Text(text)],
        Some(Value::Array(items)) => items.into_iter().map(block).collect(),
        _ => Vec::new(),
    }
}

fn block(value: Value) -> Block {
    let Value::Object(mut map) = value else {
        return Block::Other;
    };
    match map.get("type").and_then(Value::as_str) {
        Some("text") => take_string(&mut map, "text").map_or(Block::Other, Block::Text),
        Some("thinking") => take_string(&mut map, "thinking").map_or(Block::Other, Block::Thinking),
        Some("tool_use") => match (take_string(&mut map, "id"), take_string(&mut map, "name")) {
            (Some(id), Some(name)) => Block::ToolUse {
                id,
                name,
                input: map.remove("input").unwrap_or(Value::Null),
            },
            _ => Block::Other,
        },
        Some("tool_result") => match take_string(&mut map, "tool_use_id") {
            Some(tool_use_id) => Block::ToolResult {
                tool_use_id,
                text: result_text(map.remove("content")),
                is_error: flag(&map, "is_error"),
            },
            None => Block::Other,
        },
        _ => Block::Other,
    }
}

/// The text of a tool result: a string, or the text parts of a list.
fn result_text(content: Option<Value>) -> String {
    match content {
        Some(Value::String(s)) => s,
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

fn take_string(map: &mut Map<String, Value>, key: &str) -> Option<String> {
    match map.remove(key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

fn take_object(map: &mut Map<String, Value>, key: &str) -> Map<String, Value> {
    match map.remove(key) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

fn flag(map: &Map<String, Value>, key: &str) -> bool {
    map.get(key).and_then(Value::as_bool).unwrap_or(false)
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
            out.push(r);
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
        assert!(a.usage.is_none(), "a malformed usage reads as absent");
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
}
