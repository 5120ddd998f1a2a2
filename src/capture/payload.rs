//! The JSON a Claude Code hook reads on stdin, decoded leniently: unknown fields are skipped,
//! strings are borrowed from the input where possible, and a field of an unexpected type reads as
//! absent instead of failing the whole payload (a newer Claude Code must not break recording).

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::{self, Deserializer};

use crate::transcript::hook_event::HookEvent;
use crate::transcript::lenient::{List, Number, Obj, lenient, lenient_object};

type Text<'a> = Option<Cow<'a, str>>;

/// The fields of a hook payload that capture uses (see the formats reference, section 2.3).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Payload<'a> {
    #[serde(borrow, deserialize_with = "text")]
    pub session_id: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub transcript_path: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub cwd: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub hook_event_name: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub prompt_id: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub agent_id: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub agent_type: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub agent_transcript_path: Text<'a>,
    /// SessionStart: startup, resume, clear, compact, fork.
    #[serde(borrow, deserialize_with = "text")]
    pub source: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub model: Text<'a>,
    /// UserPromptSubmit.
    #[serde(borrow, deserialize_with = "text")]
    pub prompt: Text<'a>,
    /// SessionEnd.
    #[serde(borrow, deserialize_with = "text")]
    pub reason: Text<'a>,
    /// PreCompact / PostCompact: manual or auto.
    #[serde(borrow, deserialize_with = "text")]
    pub trigger: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub tool_name: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub tool_use_id: Text<'a>,
    #[serde(borrow, deserialize_with = "object")]
    pub tool_input: ToolInput<'a>,
    #[serde(borrow, deserialize_with = "object")]
    pub tool_response: ToolResponse<'a>,
    /// PostToolUseFailure.
    #[serde(borrow, deserialize_with = "text")]
    pub error: Text<'a>,
    #[serde(deserialize_with = "number")]
    pub duration_ms: Option<u64>,
}

/// `tool_input`: the fields that name files or summarise the call.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ToolInput<'a> {
    #[serde(borrow, deserialize_with = "text")]
    pub file_path: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub notebook_path: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub path: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub command: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub pattern: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub description: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub url: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub query: Text<'a>,
    /// Write: the whole new content.
    #[serde(borrow, deserialize_with = "text")]
    pub content: Text<'a>,
}

/// `tool_response` of file-writing tools (the transcript's `toolUseResult`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ToolResponse<'a> {
    /// Write: `create` or `update`.
    #[serde(borrow, rename = "type", deserialize_with = "text")]
    pub kind: Text<'a>,
    #[serde(borrow, deserialize_with = "text")]
    pub content: Text<'a>,
    /// `None` when the response carries no patch at all (as opposed to an empty one).
    #[serde(borrow, rename = "structuredPatch", deserialize_with = "hunks")]
    pub structured_patch: Option<Vec<Hunk<'a>>>,
}

/// One hunk of a `structuredPatch`: lines prefixed with ' ', '-' or '+'.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Hunk<'a> {
    #[serde(rename = "newStart", deserialize_with = "number")]
    pub new_start: Option<u64>,
    #[serde(borrow, deserialize_with = "lines")]
    pub lines: Vec<Cow<'a, str>>,
}

impl<'a> Payload<'a> {
    /// Decodes a payload; fails only on malformed JSON or a non-object top level.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, serde_json::Error> {
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => serde_json::from_slice(bytes),
            _ => Err(de::Error::custom("expected a JSON object")),
        }
    }

    /// `session_id`, if present and non-empty.
    pub fn session(&self) -> Option<&str> {
        self.session_id.as_deref().filter(|s| !s.trim().is_empty())
    }

    /// The path the tool call names: `file_path`, `notebook_path` or `path`.
    pub fn tool_path(&self) -> Option<&str> {
        let i = &self.tool_input;
        i.file_path
            .as_deref()
            .or(i.notebook_path.as_deref())
            .or(i.path.as_deref())
            .filter(|p| !p.is_empty())
    }
}

/// An optional borrowed text as an owned `String`.
pub fn owned(text: &Text) -> Option<String> {
    text.as_deref().map(str::to_owned)
}

impl Payload<'_> {
    /// A one-line description of the event's input, clipped: the prompt, the command, pattern or
    /// description of a tool call, or why a session started, ended or compacted.
    pub fn summary(&self, event: HookEvent) -> Option<String> {
        let i = &self.tool_input;
        let text = match event {
            HookEvent::UserPromptSubmit => self.prompt.as_deref(),
            HookEvent::SessionStart => self.source.as_deref(),
            HookEvent::SessionEnd => self.reason.as_deref(),
            HookEvent::PreCompact | HookEvent::PostCompact => self.trigger.as_deref(),
            _ => i.command.as_deref().or(i.pattern.as_deref()),
        };
        let text = text
            .or(i.description.as_deref())
            .or(i.url.as_deref())
            .or(i.query.as_deref())?;
        Some(clip(text, 120)).filter(|s| !s.is_empty())
    }
}

/// `text` on one line (whitespace runs become one space), at most `max` characters.
pub fn clip(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(max.min(text.len()) + 3);
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if out.len() > max && out.chars().count() > max {
            let cut: String = out.chars().take(max.saturating_sub(1)).collect();
            return cut + "…";
        }
    }
    out
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Text<'de>, D::Error> {
    lenient(d)
}

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    lenient::<Number, D>(d).map(|n| n.0)
}

/// An object decoded as `T`; any other value reads as `T::default()`.
fn object<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(lenient_object(d)?.unwrap_or_default())
}

/// A list of hunks (an item that is not an object reads as an empty hunk); `None` when the
/// value is not a list.
fn hunks<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Hunk<'de>>>, D::Error> {
    let list: List<Obj<Hunk<'de>>> = lenient(d)?;
    Ok(list
        .0
        .map(|l| l.into_iter().map(|h| h.0.unwrap_or_default()).collect()))
}

/// The string items of a list (other items are left out).
fn lines<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Cow<'de, str>>, D::Error> {
    let list: List<Text<'de>> = lenient(d)?;
    Ok(list.0.unwrap_or_default().into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_field_types_read_as_absent_and_unknown_fields_are_skipped() {
        let json = br#"{"session_id":"s\"1","cwd":7,"duration_ms":12.9,"new":{"deep":[1]},
            "tool_input":"text","tool_response":{"structuredPatch":[3,{"newStart":"x","lines":["+a",1]}]}}"#;
        let p = Payload::parse(json).unwrap();
        assert_eq!((p.session(), p.cwd.as_deref()), (Some("s\"1"), None));
        assert_eq!(p.duration_ms, Some(12));
        assert_eq!(p.tool_path(), None);
        let hunks = p.tool_response.structured_patch.unwrap();
        assert_eq!(
            (hunks.len(), hunks[1].new_start, hunks[1].lines.len()),
            (2, None, 1)
        );
        assert!(Payload::parse(b"[1,2]").is_err() && Payload::parse(b" {\"a\":").is_err());
        assert_eq!(
            Payload::parse(b"{\"session_id\":\" \"}").unwrap().session(),
            None
        );
    }

    #[test]
    fn summaries_are_one_clipped_line() {
        let prompt = format!("{{\"prompt\":\"fix\\n  the {}\"}}", "bug ".repeat(100));
        let p = Payload::parse(prompt.as_bytes()).unwrap();
        let s = p.summary(HookEvent::UserPromptSubmit).unwrap();
        assert!(s.starts_with("fix the bug bug") && s.ends_with('…'));
        assert_eq!(s.chars().count(), 120);
        let bash = br#"{"tool_input":{"command":"cargo  test","description":"Run tests"}}"#;
        assert_eq!(
            Payload::parse(bash)
                .unwrap()
                .summary(HookEvent::PreToolUse)
                .unwrap(),
            "cargo test"
        );
        assert_eq!(clip("short", 120), "short");
    }
}
