//! The serde side of [`Record`]: one pass over a line's bytes that keeps the fields the detail
//! reads and skips the rest unparsed (file contents in `toolUseResult`, nested progress messages,
//! images, signatures). Every field is lenient: a value of an unexpected type reads as absent.

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess};
use serde_json::Value;

use super::{AssistantLine, Block, Body, ProgressLine, Record, UserLine, parse_time};
use crate::money::Usd;
use crate::transcript::lenient::{Flag, Lenient, Obj, lenient, object_with};
use crate::transcript::wire::{RawUsage, Str, lenient_number};

/// The members of a `toolUseResult` object that are kept (see [`UserLine::tool_use_result`]).
pub const RESULT_KEYS: [&str; 12] = [
    "type",
    "stdout",
    "content",
    "filePath",
    "notebook_path",
    "structuredPatch",
    "gitOperation",
    "agentId",
    "agentType",
    "durationMs",
    "totalDurationMs",
    "durationSeconds",
];

/// The members of a progress line's `data` that are kept.
pub const PROGRESS_KEYS: [&str; 2] = ["type", "agentId"];

/// One line as written, before it becomes a [`Record`].
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct RawLine<'a> {
    #[serde(rename = "type", borrow)]
    kind: Str<'a>,
    #[serde(borrow)]
    uuid: Str<'a>,
    #[serde(borrow)]
    parent_uuid: Str<'a>,
    #[serde(borrow)]
    session_id: Str<'a>,
    #[serde(borrow)]
    agent_id: Str<'a>,
    #[serde(borrow)]
    timestamp: Str<'a>,
    is_sidechain: Flag,
    is_meta: Flag,
    is_compact_summary: Flag,
    is_api_error_message: Flag,
    #[serde(borrow)]
    request_id: Str<'a>,
    #[serde(rename = "costUSD", deserialize_with = "lenient_number")]
    cost_usd: Option<serde_json::Number>,
    message: Message,
    tool_use_result: ResultFacts,
    #[serde(borrow)]
    subtype: Str<'a>,
    #[serde(borrow)]
    summary: Str<'a>,
    #[serde(borrow)]
    leaf_uuid: Str<'a>,
    #[serde(rename = "toolUseID", borrow)]
    tool_use_id: Str<'a>,
    #[serde(rename = "parentToolUseID", borrow)]
    parent_tool_use_id: Str<'a>,
    data: ProgressData,
}

impl RawLine<'_> {
    /// The record of line number `line`.
    pub(super) fn into_record(self, line: u64) -> Record {
        let kind = self.kind.get().unwrap_or_default();
        let body = match kind {
            "user" => Body::User(UserLine {
                content: self.message.content,
                tool_use_result: self.tool_use_result.0,
                is_compact_summary: self.is_compact_summary.0,
            }),
            "assistant" => Body::Assistant(Box::new(AssistantLine {
                message_id: self.message.id,
                request_id: self.request_id.into_string(),
                model: self.message.model,
                usage: self.message.usage,
                content: self.message.content,
                is_api_error: self.is_api_error_message.0,
                cost_usd: self.cost_usd.and_then(|n| Usd::parse(&n.to_string())),
            })),
            "system" => Body::System {
                subtype: self.subtype.into_string(),
            },
            "summary" => Body::Summary {
                summary: self.summary.into_string().unwrap_or_default(),
                leaf_uuid: self.leaf_uuid.into_string(),
            },
            "progress" => Body::Progress(ProgressLine {
                tool_use_id: self.tool_use_id.into_string(),
                parent_tool_use_id: self.parent_tool_use_id.into_string(),
                data: self.data.0,
            }),
            other => Body::Other {
                kind: other.to_owned(),
            },
        };
        Record {
            line,
            uuid: self.uuid.into_string(),
            parent_uuid: self.parent_uuid.into_string(),
            session_id: self.session_id.into_string(),
            agent_id: self.agent_id.into_string(),
            timestamp: self.timestamp.get().and_then(parse_time),
            is_sidechain: self.is_sidechain.0,
            is_meta: self.is_meta.0,
            body,
        }
    }
}

/// Implements `Deserialize` through [`Lenient`].
macro_rules! deserialize_leniently {
    ($($t:ty),*) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                lenient(d)
            }
        }
    )*};
}

deserialize_leniently!(
    Message,
    Blocks,
    RawBlock,
    ResultText,
    ResultFacts,
    ProgressData
);

/// The `message` object of a user or assistant line.
#[derive(Default)]
struct Message {
    id: Option<String>,
    model: Option<String>,
    usage: Option<RawUsage>,
    content: Vec<Block>,
}

impl<'de> Lenient<'de> for Message {
    const EXPECTING: &'static str = "a message";
    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut m = Self::default();
        while let Some(key) = map.next_key::<Str<'de>>()? {
            match key.get().unwrap_or("") {
                "id" => m.id = map.next_value::<Str<'de>>()?.into_string(),
                "model" => m.model = map.next_value::<Str<'de>>()?.into_string(),
                "usage" => m.usage = map.next_value::<Obj<RawUsage>>()?.0,
                "content" => m.content = map.next_value::<Blocks>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(m)
    }
}

/// `message.content`: a plain string becomes one [`Block::Text`].
#[derive(Default)]
struct Blocks(Vec<Block>);

impl<'de> Lenient<'de> for Blocks {
    const EXPECTING: &'static str = "a string or a list of content blocks";
    fn text(v: &str) -> Self {
        Self(vec![Block::Text(v.to_owned())])
    }
    fn owned_text(v: String) -> Self {
        Self(vec![Block::Text(v)])
    }
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut blocks = Vec::new();
        while let Some(raw) = seq.next_element::<RawBlock>()? {
            blocks.push(raw.into_block());
        }
        Ok(Self(blocks))
    }
}

/// The members of a content block, before its `type` says which of them count.
#[derive(Default)]
struct RawBlock {
    kind: Option<String>,
    text: Option<String>,
    thinking: Option<String>,
    id: Option<String>,
    name: Option<String>,
    input: Option<Value>,
    tool_use_id: Option<String>,
    content: String,
    is_error: bool,
}

impl<'de> Lenient<'de> for RawBlock {
    const EXPECTING: &'static str = "a content block";
    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut b = Self::default();
        while let Some(key) = map.next_key::<Str<'de>>()? {
            let text = |map: &mut A| Ok::<_, A::Error>(map.next_value::<Str<'de>>()?.into_string());
            match key.get().unwrap_or("") {
                "type" => b.kind = text(&mut map)?,
                "text" => b.text = text(&mut map)?,
                "thinking" => b.thinking = text(&mut map)?,
                "id" => b.id = text(&mut map)?,
                "name" => b.name = text(&mut map)?,
                "tool_use_id" => b.tool_use_id = text(&mut map)?,
                "input" => b.input = Some(map.next_value()?),
                "content" => b.content = map.next_value::<ResultText>()?.0,
                "is_error" => b.is_error = map.next_value::<Flag>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(b)
    }
}

impl RawBlock {
    fn into_block(self) -> Block {
        match self.kind.as_deref() {
            Some("text") => self.text.map_or(Block::Other, Block::Text),
            Some("thinking") => self.thinking.map_or(Block::Other, Block::Thinking),
            Some("tool_use") => match (self.id, self.name) {
                (Some(id), Some(name)) => Block::ToolUse {
                    id,
                    name,
                    input: self.input.unwrap_or(Value::Null),
                },
                _ => Block::Other,
            },
            Some("tool_result") => match self.tool_use_id {
                Some(tool_use_id) => Block::ToolResult {
                    tool_use_id,
                    text: self.content,
                    is_error: self.is_error,
                },
                None => Block::Other,
            },
            _ => Block::Other,
        }
    }
}

/// The text of a tool result: a string, or the text parts of a list joined by newlines.
#[derive(Default)]
struct ResultText(String);

impl<'de> Lenient<'de> for ResultText {
    const EXPECTING: &'static str = "a tool result's content";
    fn text(v: &str) -> Self {
        Self(v.to_owned())
    }
    fn owned_text(v: String) -> Self {
        Self(v)
    }
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut parts: Vec<String> = Vec::new();
        while let Some(part) = seq.next_element::<TextPart>()? {
            parts.extend(part.0);
        }
        Ok(Self(parts.join("\n")))
    }
}

/// The `text` of one part of a tool result (images and other parts have none).
#[derive(Default)]
struct TextPart(Option<String>);

impl<'de> Lenient<'de> for TextPart {
    const EXPECTING: &'static str = "a content part";
    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut text = None;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            if key.get() == Some("text") {
                text = map.next_value::<Str<'de>>()?.into_string();
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Self(text))
    }
}

deserialize_leniently!(TextPart);

/// `toolUseResult`: an object reduced to [`RESULT_KEYS`], or a string (an error message).
#[derive(Default)]
struct ResultFacts(Option<Value>);

impl<'de> Lenient<'de> for ResultFacts {
    const EXPECTING: &'static str = "a structured tool result";
    fn text(v: &str) -> Self {
        Self(Some(Value::String(v.to_owned())))
    }
    fn owned_text(v: String) -> Self {
        Self(Some(Value::String(v)))
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        Ok(Self(Some(Value::Object(object_with(map, &RESULT_KEYS)?))))
    }
}

/// A progress line's `data`, reduced to [`PROGRESS_KEYS`].
#[derive(Default)]
struct ProgressData(Value);

impl<'de> Lenient<'de> for ProgressData {
    const EXPECTING: &'static str = "progress data";
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        Ok(Self(Value::Object(object_with(map, &PROGRESS_KEYS)?)))
    }
}
